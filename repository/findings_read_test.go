package repository_test

import (
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestFindingsListFiltersAndGet covers the finding read path's filters,
// keyset cursor and Get on both dialects.
func TestFindingsListFiltersAndGet(t *testing.T) {
	t.Parallel()
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := t.Context()
		v := newVendor("Findings Reader")
		if err := repository.NewVendors(db).Create(ctx, v); err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{"open", "open", "open", "resolved", "risk_accepted"} {
			insertFinding(t, db, v.ID, "high", st)
		}
		store := repository.NewFindings(db)
		open := finding.FindingFilter{Status: finding.FindingOpen, VendorID: v.ID, SubjectTypes: []string{"vendor", "contract"}}
		first, err := store.List(ctx, open, domain.PageRequest{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Items) != 2 || first.Next == "" {
			t.Fatalf("first page: %d items, next %q", len(first.Items), first.Next)
		}
		rest, err := store.List(ctx, open, domain.PageRequest{Limit: 2, After: first.Next})
		if err != nil {
			t.Fatal(err)
		}
		if len(rest.Items) != 1 || rest.Next != "" || rest.Items[0].ID >= first.Items[1].ID {
			t.Fatalf("second page: %+v", rest)
		}
		none, err := store.List(ctx, finding.FindingFilter{SubjectTypes: []string{"contract"}}, domain.PageRequest{Limit: 10})
		if err != nil || len(none.Items) != 0 {
			t.Fatalf("contract findings: %v %d", err, len(none.Items))
		}
		accepted, err := store.List(ctx, finding.FindingFilter{Status: finding.FindingRiskAccepted}, domain.PageRequest{Limit: 10})
		if err != nil || len(accepted.Items) != 1 {
			t.Fatalf("accepted: %v %d", err, len(accepted.Items))
		}
		got, err := store.Get(ctx, accepted.Items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AcceptedUntil == nil || got.AcceptedUntil.String() != "2027-01-01" || got.AcceptedReason != "ok" ||
			got.Facts == nil || got.VendorID != v.ID {
			t.Errorf("get: %+v", got)
		}
		_, err = store.Get(ctx, domain.NewID())
		checkErrIs(t, err, domain.ErrNotFound)
	})
}
