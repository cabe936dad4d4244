package incident

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// BlastRadius is everything an incident touches, in one answer: what the
// vendor holds, which contracts and clauses apply, and every deadline now
// running, soonest first.
type BlastRadius struct {
	Incident  IncidentView
	Vendor    register.Vendor
	Handling  []register.DataHandling
	Contracts []ContractClauses
	Deadlines []RunningDeadline
	// ReportedBy is the vendor that reported a provider incident (nil for
	// a vendor's own incident).
	ReportedBy *register.Vendor
	// Upstream are the vendors of ours above the incident's vendor (it is
	// their provider, directly or down their chain) and what of ours
	// reaches it through each, with the obligations those bring in.
	Upstream []UpstreamExposure
}

// UpstreamExposure is a vendor of ours above an incident's vendor: the
// categories of ours that reach it through the vendor, the jurisdictions
// of their data subjects, where the provider holds them, and the
// obligations an incident touching them brings in for us (the catalogue's,
// from the incident's own instants). Each vendor's notice to us is judged
// against its own clause when it reports the incident.
type UpstreamExposure struct {
	register.UpstreamVendor
	Obligations []ObligationSpec `json:"obligations"`
}

// ContractClauses is a vendor contract with its clause now and at the
// vendor's discovery.
type ContractClauses struct {
	Contract          contract.Contract
	ClauseNow         *contract.ClauseVersion
	ClauseAtDiscovery *contract.ClauseVersion
}

// RunningDeadline is one deadline on the incident: the vendor's notice to
// us, or one of our obligations.
type RunningDeadline struct {
	Kind      string     `json:"kind"` // vendor_notice (the contract\'s), vendor_notice_law (the law\'s) or obligation
	Title     string     `json:"title"`
	Recipient string     `json:"recipient"`
	DueAt     *time.Time `json:"due_at"` // nil: no number (words only) or not started
	// WorkingDueAt is the working deadline of a words-only duty (policy,
	// not law).
	WorkingDueAt *time.Time `json:"working_due_at,omitempty"`
	DeadlineText string     `json:"deadline_text"`
	Status       string     `json:"status"`
	Overdue      bool       `json:"overdue"`
	ObligationID string     `json:"obligation_id,omitempty"`
	Citation     string     `json:"citation,omitempty"`
	SourceStatus string     `json:"source_status,omitempty"`
}

// BlastRadius gathers an incident's reach.
func (s *IncidentService) BlastRadius(ctx context.Context, id string) (BlastRadius, error) {
	view, err := s.Get(ctx, id)
	if err != nil {
		return BlastRadius{}, err
	}
	b := BlastRadius{Incident: view}
	if b.Vendor, err = s.Vendors.Get(ctx, view.VendorID); err != nil {
		return BlastRadius{}, err
	}
	if id := view.ReportedByVendorID; id != "" {
		v, err := s.Vendors.Get(ctx, id)
		if err != nil {
			return BlastRadius{}, err
		}
		b.ReportedBy = &v
	}
	if b.Upstream, err = s.upstream(ctx, view.Incident); err != nil {
		return BlastRadius{}, err
	}
	if b.Handling, err = s.Handling.ListByVendor(ctx, view.VendorID); err != nil {
		return BlastRadius{}, err
	}
	contracts, err := s.Contracts.ListByVendor(ctx, view.VendorID)
	if err != nil {
		return BlastRadius{}, err
	}
	cands, err := s.Clauses.ByVendor(ctx, view.VendorID)
	if err != nil {
		return BlastRadius{}, err
	}
	now := s.Clock.Now()
	for _, c := range contracts {
		cc := ContractClauses{Contract: c}
		for _, cand := range cands {
			if cand.ContractID != c.ID {
				continue
			}
			v := cand.Clause
			if v.InForceAt(now) {
				cc.ClauseNow = &v
			}
			if v.InForceAt(view.VendorDiscoveredAt) {
				cc.ClauseAtDiscovery = &v
			}
		}
		b.Contracts = append(b.Contracts, cc)
	}
	n := view.Notice
	if n.DueAt != nil && (n.Status == NoticePending || n.Status == NoticeOverdue) {
		b.Deadlines = append(b.Deadlines, RunningDeadline{Kind: "vendor_notice", Title: "Vendor's breach notice to us",
			Recipient: "us", DueAt: n.DueAt, DeadlineText: n.WindowText, Status: string(n.Status), Overdue: n.Status == NoticeOverdue})
	}
	if due := n.LawDueAt; due != nil {
		if st, _ := JudgeNotice(*due, view.VendorNotifiedUsAt, now); st == NoticePending || st == NoticeOverdue {
			r, _ := s.Catalogue.Regime(n.LawRegimeID)
			b.Deadlines = append(b.Deadlines, RunningDeadline{Kind: "vendor_notice_law", Title: "Vendor's notice to us, by law",
				Recipient: "us", DueAt: due, DeadlineText: r.DeadlineText(), Status: string(st), Overdue: st == NoticeOverdue,
				Citation: r.Citation, SourceStatus: r.Status})
		}
	}
	obligations, err := s.Obligations.ListByIncident(ctx, id)
	if err != nil {
		return BlastRadius{}, err
	}
	sortObligations(obligations)
	for _, o := range obligations {
		if o.Status != ObligationOpen {
			continue
		}
		title := o.Title
		if title == "" { // stored before obligations had titles
			title = o.Regime + ": notify " + o.Recipient
		}
		b.Deadlines = append(b.Deadlines, RunningDeadline{Kind: "obligation", Title: title, WorkingDueAt: o.WorkingDueAt,
			Recipient: o.Recipient, DueAt: o.DueAt, DeadlineText: o.DeadlineText, Status: string(o.Status),
			Overdue: o.DueAt != nil && o.DueAt.Before(now), ObligationID: o.ID, Citation: o.Citation, SourceStatus: o.SourceStatus})
	}
	// Soonest first; deadlines without a due instant last.
	slices.SortStableFunc(b.Deadlines, func(x, y RunningDeadline) int {
		switch {
		case x.DueAt != nil && y.DueAt != nil:
			return x.DueAt.Compare(*y.DueAt)
		case x.DueAt != nil:
			return -1
		case y.DueAt != nil:
			return 1
		}
		return 0
	})
	return b, nil
}

// upstream lists the vendors of ours above the incident's vendor with the
// obligations the categories and jurisdictions of each bring in. Vendors
// with the same categories, jurisdictions and records share one
// computation.
func (s *IncidentService) upstream(ctx context.Context, inc Incident) ([]UpstreamExposure, error) {
	if s.Dependents == nil {
		return []UpstreamExposure{}, nil
	}
	ups, err := s.Dependents.Upstream(ctx, inc.VendorID)
	if err != nil {
		return nil, err
	}
	out := make([]UpstreamExposure, 0, len(ups))
	memo := map[string][]ObligationSpec{}
	for _, u := range ups {
		key := strings.Join(u.DataCategories, ",") + "|" + strings.Join(u.Jurisdictions, ",") + "|" + strconv.FormatInt(u.Records, 10)
		obs, ok := memo[key]
		if !ok {
			f := inc.facts()
			f.Categories, f.Jurisdictions, f.RecordsAffected, f.Residents = u.DataCategories, u.Jurisdictions, u.Records, nil
			obs = []ObligationSpec{}
			if len(u.DataCategories) > 0 {
				obs = s.Catalogue.Assess(f, s.assessOptions(nil)).Obligations
			}
			memo[key] = obs
		}
		out = append(out, UpstreamExposure{UpstreamVendor: u, Obligations: obs})
	}
	return out, nil
}
