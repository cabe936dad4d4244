package reports

import (
	"slices"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// The per-row definitions of the figures the audit workbook shares with
// the scan, the dashboard and the executive report. The executive figures
// are aggregated in SQL from the same definitions (see the repository's
// figures.go); these are what the workbook's rows are counted by.

// Review states of the Vendors sheet.
const (
	ReviewStateOK        = "ok"
	ReviewStateNever     = "never reviewed"
	ReviewStateOverdue   = "overdue"
	ReviewStateNotJudged = "not judged"
)

// ReviewState is a vendor's review state at today: never reviewed or
// overdue count in the figures only for the vendors the review rules
// judge (finding.FamilyScope: in service); the others are "not judged".
func ReviewState(v reporting.VendorRow, today domain.Date, cadence review.ReviewCadence) string {
	if !finding.FamilyScope(finding.FamilyReview).Judges(v.Status, len(v.Categories) > 0) {
		return ReviewStateNotJudged
	}
	switch {
	case v.LastReviewOn.IsZero():
		return ReviewStateNever
	case review.ReviewOverdue(review.NextReviewDue(v.LastReviewOn, v.Tier, cadence), today):
		return ReviewStateOverdue
	}
	return ReviewStateOK
}

// NoticeVerdictAt is an incident's notice clock as of asOf (NoticeAt) and
// the verdict the figures count (incident.NoticeBreach): late or overdue
// against the earlier of the contract's and the law's deadlines, and which
// was broken. A notice given after asOf counts as not given.
func NoticeVerdictAt(r reporting.IncidentRow, std map[contract.NotificationStandard]contract.StandardWindow, asOf time.Time) (incident.NoticeClock, NoticeVerdict) {
	c := NoticeAt(r, std, asOf)
	var v NoticeVerdict
	v.Status, v.Broken, v.LateBy = incident.NoticeBreach(c.DueAt, r.Incident.LawNoticeDueAt, c.NotifiedAt, asOf)
	v.DueAt = c.DueAt
	if l := r.Incident.LawNoticeDueAt; l != nil && (v.DueAt == nil || l.Before(*v.DueAt)) {
		v.DueAt = l
	}
	return c, v
}

// NoticeVerdict is incident.NoticeBreach's verdict on an incident's notice:
// against the earlier deadline (DueAt), what was broken, and by how much.
type NoticeVerdict struct {
	Status incident.NoticeStatus
	Broken string
	LateBy *incident.Span
	DueAt  *time.Time
}

// obligationRows renders the checks as rows of the Obligations sheet: one
// per reason, naming its regimes (a row per regime would multiply the
// sheet's rows by the catalogue's size).
func checkObligationRows(c reporting.IncidentChecks) []reporting.ObligationRow {
	var reasons []string
	byReason := map[string][]incident.RegimeCheck{}
	for _, ch := range c.Checks {
		if _, ok := byReason[ch.Reason]; !ok {
			reasons = append(reasons, ch.Reason)
		}
		byReason[ch.Reason] = append(byReason[ch.Reason], ch)
	}
	out := make([]reporting.ObligationRow, 0, len(reasons))
	for _, reason := range reasons {
		group := byReason[reason]
		var names, ids, citations []string
		for _, ch := range group {
			if !slices.Contains(names, ch.Regime) {
				names = append(names, ch.Regime)
			}
			ids = append(ids, ch.RegimeIDs...)
			citations = append(citations, ch.Citations...)
		}
		out = append(out, reporting.ObligationRow{IncidentID: c.IncidentID, IncidentTitle: c.IncidentTitle, VendorName: c.VendorName,
			RegimeID: strings.Join(ids, ", "), Regime: strings.Join(names, "; "), Citation: strings.Join(citations, "; "),
			Status: StatusNotApplied, NotAppliedReason: label(reason) + ": " + incident.SummarizeChecks(group)})
	}
	return out
}

// StatusNotApplied is the Obligations sheet's status of the regimes
// checked and not applied.
const StatusNotApplied = "not applied"
