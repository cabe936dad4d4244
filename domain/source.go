package domain

// Source says where a policy default or a regulatory figure comes from, and
// how well it was verified: V verified against the primary text, P partly
// verified (secondary source), U unverified, or "policy" for a choice of
// ours that no law dictates. Figures come from shared/reference/.
type Source struct {
	Citation string `json:"citation"`
	Basis    string `json:"basis"`
	Status   string `json:"status"`
}
