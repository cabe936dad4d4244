package contract

import (
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// NotificationStandard is a breach-notification term given in words rather
// than as a number of hours or days.
type NotificationStandard string

// Standards found in contracts.
const (
	StandardWithoutUndueDelay NotificationStandard = "without_undue_delay"
	StandardImmediately       NotificationStandard = "immediately"
	StandardMostExpedient     NotificationStandard = "most_expedient"
)

// Valid reports whether s is a known standard.
func (s NotificationStandard) Valid() bool {
	switch s {
	case StandardWithoutUndueDelay, StandardImmediately, StandardMostExpedient:
		return true
	}
	return false
}

// ClauseTrigger is the event that starts a notification clock.
type ClauseTrigger string

// Triggers.
const (
	TriggerDiscovery        ClauseTrigger = "discovery"
	TriggerConfirmation     ClauseTrigger = "confirmation"
	TriggerReasonableBelief ClauseTrigger = "reasonable_belief"
	TriggerAwareness        ClauseTrigger = "awareness"
)

// Valid reports whether t is a known trigger.
func (t ClauseTrigger) Valid() bool {
	switch t {
	case TriggerDiscovery, TriggerConfirmation, TriggerReasonableBelief, TriggerAwareness:
		return true
	}
	return false
}

// Recipient is who the vendor must tell.
type Recipient struct {
	Role  string `json:"role"`
	Email string `json:"email"`
}

// ClauseTerms are the terms of a breach-notification clause: a numeric
// window or a standard in words, what starts the clock, who is told, what
// the notice must contain and how often updates follow.
type ClauseTerms struct {
	Window           *domain.Window       `json:"window"`
	Standard         NotificationStandard `json:"standard"`
	Trigger          ClauseTrigger        `json:"trigger"`
	Notify           []Recipient          `json:"notify"`
	RequiredContent  string               `json:"required_content"`
	UpdateEveryHours int                  `json:"update_every_hours"` // 0: no cadence agreed
}

// Check validates the terms, naming fields under prefix.
func (t *ClauseTerms) Check(prefix string) error {
	var fe domain.FieldErrors
	switch {
	case t.Window != nil && t.Standard != "":
		fe.Add(prefix+".standard", "give either window or standard, not both")
	case t.Window == nil && t.Standard == "":
		fe.Add(prefix+".window", "is required unless standard is given (without_undue_delay, immediately, most_expedient)")
	case t.Window != nil:
		t.Window.Check(&fe, prefix+".window")
	case !t.Standard.Valid():
		fe.Add(prefix+".standard", "must be one of without_undue_delay, immediately, most_expedient")
	}
	if !t.Trigger.Valid() {
		fe.Add(prefix+".trigger", "must be one of discovery, confirmation, reasonable_belief, awareness")
	}
	if len(t.Notify) > 20 {
		fe.Add(prefix+".notify", "must list at most 20 recipients")
	}
	for i, r := range t.Notify {
		f := domain.IndexField(prefix+".notify", i)
		t.Notify[i].Role = domain.CheckText(&fe, f+".role", r.Role, true, 100)
		t.Notify[i].Email = domain.CheckEmail(&fe, f+".email", r.Email)
	}
	t.RequiredContent = domain.CheckText(&fe, prefix+".required_content", t.RequiredContent, false, 5000)
	if t.UpdateEveryHours < 0 || t.UpdateEveryHours > 720 {
		fe.Add(prefix+".update_every_hours", "must be from 1 to 720, or 0 for none")
	}
	return fe.Err()
}

// StandardWindow is the window a standard in words is counted as.
type StandardWindow struct {
	Window domain.Window `json:"window"`
	Source domain.Source `json:"source"`
}

// DefaultStandardWindows count words as hours for computation. They are
// configurable policy, shown as such wherever they are used.
func DefaultStandardWindows() map[NotificationStandard]StandardWindow {
	return map[NotificationStandard]StandardWindow{
		StandardWithoutUndueDelay: {domain.Window{Value: 72, Unit: domain.UnitHours}, domain.Source{
			Citation: "GDPR Art. 33(1)",
			Basis:    `GDPR pairs "without undue delay" with "not later than 72 hours" for controllers (regulatory-facts.md §1A row 1); counted as 72 hours by default`,
			Status:   "policy"}},
		StandardImmediately: {domain.Window{Value: 24, Unit: domain.UnitHours}, domain.Source{
			Citation: "Mastercard Account Data Compromise User Guide",
			Basis:    `card-brand "immediately" duties are operationalised as 24 hours (Mastercard, regulatory-facts.md §1D row 51); counted as 24 hours by default`,
			Status:   "policy"}},
		StandardMostExpedient: {domain.Window{Value: 72, Unit: domain.UnitHours}, domain.Source{
			Citation: "US state breach laws (e.g. C.R.S. 6-1-716)",
			Basis:    `"most expedient time possible" has no number in the statutes (regulatory-facts.md §1E); counted as 72 hours by default`,
			Status:   "policy"}},
	}
}

// EffectiveWindow is the window used for computation: the clause's own, or
// its standard's configured default (fromStandard true).
func (t ClauseTerms) EffectiveWindow(std map[NotificationStandard]StandardWindow) (w domain.Window, fromStandard bool) {
	if t.Window != nil {
		return *t.Window, false
	}
	return std[t.Standard].Window, true
}

// Describe renders the window for people, marking standards.
func (t ClauseTerms) Describe(std map[NotificationStandard]StandardWindow) string {
	w, fromStd := t.EffectiveWindow(std)
	if fromStd {
		return fmt.Sprintf("%q (counted as %s)", t.Standard, w)
	}
	return w.String()
}

// ClauseVersion is the breach-notification clause of a contract during
// [EffectiveFrom, EffectiveTo). An amendment closes the open version and
// opens the next; versions of one contract never overlap.
type ClauseVersion struct {
	ID            string      `json:"id"`
	ContractID    string      `json:"contract_id"`
	EffectiveFrom time.Time   `json:"effective_from"`
	EffectiveTo   *time.Time  `json:"effective_to"` // nil: open
	Terms         ClauseTerms `json:"terms"`
	Reason        string      `json:"reason"` // why it changed, e.g. "Amendment No. 2"
	CreatedBy     string      `json:"created_by"`
	CreatedAt     time.Time   `json:"created_at"`
}

// InForceAt reports whether the version governs instant t.
func (v ClauseVersion) InForceAt(t time.Time) bool {
	return !t.Before(v.EffectiveFrom) && (v.EffectiveTo == nil || t.Before(*v.EffectiveTo))
}

// Amendment changes a contract's breach-notification clause from an
// instant on. Nil Terms removes the clause from then on.
type Amendment struct {
	EffectiveFrom time.Time
	Terms         *ClauseTerms
	Reason        string
}
