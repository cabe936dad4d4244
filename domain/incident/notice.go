package incident

import (
	"math"
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
)

// NoticeStatus is the verdict of the notification clock.
type NoticeStatus string

// Verdicts of the notification clock.
const (
	NoticeOnTime   NoticeStatus = "on_time"   // notified within the window
	NoticeLate     NoticeStatus = "late"      // notified after the window closed
	NoticeOverdue  NoticeStatus = "overdue"   // not notified and the window has closed
	NoticePending  NoticeStatus = "pending"   // not notified, window still open
	NoticeNoClause NoticeStatus = "no_clause" // no breach-notification clause in force at discovery
)

// NoticeStatuses are the verdicts, in the order a list offers them.
var NoticeStatuses = []NoticeStatus{NoticeLate, NoticeOverdue, NoticePending, NoticeOnTime, NoticeNoClause}

// Valid reports whether s is a known verdict.
func (s NoticeStatus) Valid() bool { return slices.Contains(NoticeStatuses, s) }

// Span is a duration shown in hours and in days.
type Span struct {
	Hours float64 `json:"hours"`
	Days  float64 `json:"days"`
}

// SpanOf returns d as a Span, rounded to hundredths.
func SpanOf(d time.Duration) *Span {
	return &Span{Hours: math.Round(d.Hours()*100) / 100, Days: math.Round(d.Hours()/24*100) / 100}
}

// ClauseCandidate is a clause version of one of the vendor's contracts.
type ClauseCandidate struct {
	ContractID    string
	ContractTitle string
	Clause        contract.ClauseVersion
}

// NoticeDue picks, among the vendor's clause versions, those in force when
// the vendor discovered the incident, and returns the one whose window
// closes first (the vendor's strictest promise) with its due instant. The
// clock runs from the discovery: it is the event we record for the vendor,
// and every trigger (confirmation, reasonable belief, awareness) comes at
// or after it, so the due instant is never later than the contract's.
func NoticeDue(discovered time.Time, candidates []ClauseCandidate, std map[contract.NotificationStandard]contract.StandardWindow, cal domain.BusinessCalendar) (best ClauseCandidate, due time.Time, ok bool) {
	for _, c := range candidates {
		if !c.Clause.InForceAt(discovered) {
			continue
		}
		w, _ := c.Clause.Terms.EffectiveWindow(std)
		d := w.DueAt(discovered, cal)
		if !ok || d.Before(due) {
			best, due, ok = c, d, true
		}
	}
	return best, due, ok
}

// NoticeClock is the notification clock of an incident, as of an instant.
type NoticeClock struct {
	Status             NoticeStatus                  `json:"status"`
	ContractID         string                        `json:"contract_id,omitempty"`
	ClauseVersionID    string                        `json:"clause_version_id,omitempty"`
	Window             *domain.Window                `json:"window"` // the window used, nil without a clause
	Standard           contract.NotificationStandard `json:"standard,omitempty"`
	WindowFromStandard bool                          `json:"window_from_standard"`
	WindowText         string                        `json:"window_text,omitempty"`
	Trigger            contract.ClauseTrigger        `json:"trigger,omitempty"`
	ClockStartsAt      time.Time                     `json:"clock_starts_at"` // the vendor's discovery
	DueAt              *time.Time                    `json:"due_at"`
	NotifiedAt         *time.Time                    `json:"notified_at"`
	Lag                *Span                         `json:"lag"`     // notified minus discovered
	LateBy             *Span                         `json:"late_by"` // notified (or now, when overdue) minus due
	LearnedVia         LearnedVia                    `json:"learned_via"`
	AsOf               time.Time                     `json:"as_of"`
	// The vendor's duty by law: the earliest deadline the law fixes for
	// its notice to us (nil when none), the catalogue row that fixes it,
	// and what the notice broke (NoticeBreach: "", contract, law, both).
	LawDueAt    *time.Time `json:"law_due_at"`
	LawRegimeID string     `json:"law_regime_id"`
	Broken      string     `json:"broken"`
	// StatutoryDuties are the vendor's duties by law, each judged
	// (single incidents only).
	StatutoryDuties []VendorDuty `json:"statutory_duties,omitempty"`
	// Why this clause governs (single incidents only).
	*NoticeExplanation
}

// ComputeNoticeClock judges the vendor's notice against the clause, as of
// now. clause is the version stored with the incident (nil when none was
// in force at discovery).
func ComputeNoticeClock(inc Incident, clause *contract.ClauseVersion, std map[contract.NotificationStandard]contract.StandardWindow, now time.Time) NoticeClock {
	c := NoticeClock{ClockStartsAt: inc.VendorDiscoveredAt, NotifiedAt: inc.VendorNotifiedUsAt, LearnedVia: inc.LearnedVia,
		AsOf: now.UTC(), ContractID: inc.NoticeContractID, ClauseVersionID: inc.NoticeClauseID, DueAt: inc.NoticeDueAt,
		LawDueAt: inc.LawNoticeDueAt, LawRegimeID: inc.LawNoticeRegimeID}
	if n := inc.VendorNotifiedUsAt; n != nil {
		c.Lag = SpanOf(n.Sub(inc.VendorDiscoveredAt))
	}
	if clause == nil || inc.NoticeDueAt == nil {
		c.Status, c.ContractID, c.ClauseVersionID, c.DueAt = NoticeNoClause, "", "", nil
	} else {
		w, fromStd := clause.Terms.EffectiveWindow(std)
		c.Window, c.Standard, c.WindowFromStandard = &w, clause.Terms.Standard, fromStd
		c.WindowText, c.Trigger = clause.Terms.Describe(std), clause.Terms.Trigger
		c.Status, c.LateBy = JudgeNotice(*inc.NoticeDueAt, inc.VendorNotifiedUsAt, now)
	}
	_, c.Broken, _ = NoticeBreach(c.DueAt, c.LawDueAt, inc.VendorNotifiedUsAt, now)
	return c
}
