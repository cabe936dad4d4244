package repository_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/domain/review"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/repository/seedgen"
)

// TestExecutiveFigures checks the figures aggregated in SQL against the
// same figures computed in Go from every streamed row, on a seeded
// portfolio with findings, at two as-of instants (the seed's and 150 days
// later) and with a tier filter,
// on both databases.
func TestExecutiveFigures(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		repotest.Seed(t, db, 300, 3)
		addFindings(t, db)
		src := repository.NewReportSource(db)
		pol := policy.DefaultPolicy()
		asOf := seedgen.DefaultAsOf
		for _, f := range []reporting.Filter{{AsOf: asOf}, {AsOf: asOf.AddDate(0, 0, 150)},
			{AsOf: asOf, Tier: register.TierHigh}} {
			t.Run(fmt.Sprintf("%s/%s", f.AsOf.Format(time.DateOnly), f.Tier), func(t *testing.T) {
				got, err := reports.BuildExecutive(ctx, src, f, pol)
				if err != nil {
					t.Fatal(err)
				}
				if err := reports.AddChanges(ctx, src, &got, pol); err != nil {
					t.Fatal(err)
				}
				want := streamedExecutive(t, src, f, pol)
				if got.Vendors == 0 || got.Vendors != want.Vendors || !slices.Equal(got.Distribution, want.Distribution) {
					t.Errorf("vendors %d %v, streamed %d %v", got.Vendors, got.Distribution, want.Vendors, want.Distribution)
				}
				if got.Overdue != want.Overdue || got.LateTotal != want.LateTotal {
					t.Errorf("overdue %+v late %d, streamed %+v late %d", got.Overdue, got.LateTotal, want.Overdue, want.LateTotal)
				}
				if got.Overdue.Reviews == 0 || got.Overdue.Attestations == 0 || got.LateTotal == 0 {
					t.Errorf("the portfolio should have overdue reviews, expired attestations and late notices: %+v", got.Overdue)
				}
				for i := range got.TopVendors {
					if len(got.TopVendors[i].Why) < 3 {
						t.Errorf("top vendor %d has no explanation: %+v", i, got.TopVendors[i])
					}
					got.TopVendors[i].Why, got.TopVendors[i].WhyLine, got.TopVendors[i].WhyLines = nil, "", nil
				}
				if topView(got.TopVendors) != topView(want.TopVendors) {
					t.Errorf("top vendors\n%v\nstreamed\n%v", topView(got.TopVendors), topView(want.TopVendors))
				}
				if len(got.LateNotices) != len(want.LateNotices) {
					t.Fatalf("%d late notices, streamed %d", len(got.LateNotices), len(want.LateNotices))
				}
				for i := range got.LateNotices {
					g, w := got.LateNotices[i], want.LateNotices[i]
					if g.IncidentID != w.IncidentID || !g.DiscoveredAt.Equal(w.DiscoveredAt) || g.Status != w.Status ||
						g.LateByDays != w.LateByDays || g.Window != w.Window || (g.LagDays == nil) != (w.LagDays == nil) || g.LagDays != nil && *g.LagDays != *w.LagDays {
						t.Errorf("late notice %d: %+v, streamed %+v", i, g, w)
					}
				}
				days := func(items []reports.OverdueItem) string {
					var b strings.Builder
					for _, it := range items {
						b.WriteString(it.Kind + " " + strconv.FormatFloat(it.DaysOverdue, 'f', 2, 64) + "; ")
					}
					return b.String()
				}
				if days(got.OverdueItems) != days(want.OverdueItems) {
					t.Errorf("overdue items\n%s\nstreamed\n%s", days(got.OverdueItems), days(want.OverdueItems))
				}
				if got.DueSoon != want.DueSoon || int64(len(got.DueSoonItems)) != min(want.DueSoon, 25) {
					t.Errorf("obligations due in 7 days %d (%d listed), streamed %d", got.DueSoon, len(got.DueSoonItems), want.DueSoon)
				}
				for i := 1; i < len(got.DueSoonItems); i++ {
					if got.DueSoonItems[i].Due.Before(got.DueSoonItems[i-1].Due) {
						t.Errorf("obligations due soon out of order: %+v", got.DueSoonItems)
					}
				}
				// The headline's changes: as of 30 and 90 days earlier.
				for _, h := range got.Headline {
					if h.Label == "Reviews overdue" && (h.Now != got.Overdue.Reviews || h.Change30 == nil || h.Change90 == nil) {
						t.Errorf("headline %+v", h)
					}
				}
			})
		}
	})
}

// addFindings opens a finding per expired attestation of the seeded
// portfolio (one in three resolved a week before the seed's as-of).
func addFindings(t *testing.T, db *repository.DB) {
	t.Helper()
	ctx := context.Background()
	asOf := seedgen.DefaultAsOf
	type att struct{ id, vendor string }
	var atts []att
	rows, err := db.SQL().QueryContext(ctx, "SELECT id, vendor_id FROM attestations WHERE expires_on < '2026-11-01' ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a att
		if err := rows.Scan(&a.id, &a.vendor); err != nil {
			t.Fatal(err)
		}
		atts = append(atts, a)
	}
	if err := rows.Close(); err != nil { //nolint:sqlclosecheck // closed before the writes that follow, and checked
		t.Fatal(err)
	}
	q := `INSERT INTO findings (id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status, first_seen_at,
		last_seen_at, last_seen_run, resolved_at, version, updated_at)
		VALUES (?, 'attestation.expired', ?, ?, 'attestation', ?, '{}', ?, ?, ?, 'test', ?, 1, ?)`
	if db.Dialect() == repository.Postgres {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
	}
	first := asOf.AddDate(0, 0, -300)
	for i, a := range atts {
		status, resolved := "open", any(nil)
		if i%3 == 0 {
			status, resolved = "resolved", asOf.AddDate(0, 0, -7)
		}
		sev := []string{"critical", "high", "medium", "low"}[i%4]
		if _, err := db.SQL().ExecContext(ctx, q, domain.NewID(), sev, a.vendor, a.id, status, first, first, resolved,
			first); err != nil {
			t.Fatal(err)
		}
	}
	if len(atts) == 0 {
		t.Fatal("the seeded portfolio has no expired attestation")
	}
}

// streamedExecutive computes the executive figures in Go from every row
// the source streams: the reference the SQL aggregation must match.
func streamedExecutive(t *testing.T, src reporting.Source, f reporting.Filter, pol policy.Policy) reports.Executive {
	t.Helper()
	ctx := context.Background()
	asOf := f.AsOf.UTC()
	today := domain.DateOf(asOf)
	var ex reports.Executive
	tiers := map[register.Tier]int64{}
	var overdue []reports.OverdueItem
	var top []reporting.VendorRow
	err := src.EachVendor(ctx, f, func(v reporting.VendorRow) error {
		ex.Vendors++
		tiers[v.Tier]++
		next := review.NextReviewDue(v.LastReviewOn, v.Tier, pol.ReviewCadence)
		switch reports.ReviewState(v, today, pol.ReviewCadence) {
		case reports.ReviewStateNever:
			ex.Overdue.NeverReviewed++
		case reports.ReviewStateOverdue:
			ex.Overdue.Reviews++
			overdue = append(overdue, reports.OverdueItem{Kind: "review", DaysOverdue: float64(next.DaysUntil(today))})
		}
		top = append(top, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range register.Tiers {
		ex.Distribution = append(ex.Distribution, reports.TierCount{Tier: tr, Vendors: tiers[tr]})
	}
	// Ranked by residual score, the inherent score where there is none.
	key := func(v reporting.VendorRow) int {
		if v.ResidualScore != nil {
			return *v.ResidualScore
		}
		return v.RiskScore
	}
	slices.SortFunc(top, func(a, b reporting.VendorRow) int {
		return cmp.Or(cmp.Compare(key(b), key(a)), strings.Compare(a.Name, b.Name))
	})
	for i, v := range top[:min(10, len(top))] {
		// The explanation is checked through the executive report built
		// from these rows below.
		ex.TopVendors = append(ex.TopVendors, reports.TopVendor{Rank: i + 1, VendorID: v.ID, Name: v.Name, Tier: v.Tier,
			Score: v.RiskScore, ResidualScore: v.ResidualScore, ResidualTier: v.ResidualTier, OpenFindings: v.OpenFindings})
	}
	std := pol.Clauses.StandardWindows
	err = src.EachIncident(ctx, f, func(r reporting.IncidentRow) error {
		c, v := reports.NoticeVerdictAt(r, std, asOf)
		if v.Status != incident.NoticeLate && v.Status != incident.NoticeOverdue {
			return nil
		}
		ex.LateTotal++
		ln := reports.LateNotice{IncidentID: r.Incident.ID, DiscoveredAt: r.Incident.VendorDiscoveredAt,
			Window: c.WindowText, Status: v.Status}
		if c.Lag != nil {
			d := c.Lag.Days
			ln.LagDays = &d
		}
		if v.LateBy != nil {
			ln.LateByDays = v.LateBy.Days
		}
		if v.Status == incident.NoticeOverdue {
			ex.Overdue.VendorNotices++
			overdue = append(overdue, reports.OverdueItem{Kind: "vendor_notice", DaysOverdue: ln.LateByDays})
		}
		ex.LateNotices = append(ex.LateNotices, ln)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(ex.LateNotices, func(a, b reports.LateNotice) int {
		return cmp.Or(b.DiscoveredAt.Compare(a.DiscoveredAt), strings.Compare(a.IncidentID, b.IncidentID))
	})
	ex.LateNotices = ex.LateNotices[:min(25, len(ex.LateNotices))]
	err = src.EachAttestation(ctx, f, func(a reporting.AttestationRow) error {
		if a.ExpiredCounted {
			ex.Overdue.Attestations++
			overdue = append(overdue, reports.OverdueItem{Kind: "attestation", DaysOverdue: float64(a.ExpiresOn.DaysUntil(today))})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = src.EachObligation(ctx, f, func(o reporting.ObligationRow) error {
		open := o.Status == string(incident.ObligationOpen) || (o.DoneAt != nil && o.DoneAt.After(asOf))
		if open && o.DueAt != nil && !o.DueAt.Before(asOf) && o.DueAt.Before(asOf.Add(7*24*time.Hour)) {
			ex.DueSoon++
		}
		if open && o.DueAt != nil && o.DueAt.Before(asOf) {
			ex.Overdue.Obligations++
			d := asOf.Sub(*o.DueAt)
			overdue = append(overdue, reports.OverdueItem{Kind: "obligation", DaysOverdue: float64(int64(d.Hours()/24*100)) / 100})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Most overdue first; equal days keep the kinds in the report's order.
	kinds := []string{"review", "vendor_notice", "attestation", "obligation"}
	slices.SortStableFunc(overdue, func(a, b reports.OverdueItem) int {
		return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue),
			cmp.Compare(slices.Index(kinds, a.Kind), slices.Index(kinds, b.Kind)))
	})
	ex.OverdueItems = overdue[:min(25, len(overdue))]
	return ex
}

// topView renders top vendors for comparison, the residual score by value.
func topView(ts []reports.TopVendor) string {
	var b strings.Builder
	for _, v := range ts {
		residual := "none"
		if v.ResidualScore != nil {
			residual = fmt.Sprint(*v.ResidualScore)
		}
		fmt.Fprintf(&b, "%d %s %s %s %d residual %s %s %d\n", v.Rank, v.VendorID, v.Name, v.Tier, v.Score, residual,
			v.ResidualTier, v.OpenFindings)
	}
	return b.String()
}
