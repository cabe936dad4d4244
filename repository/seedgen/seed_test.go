package seedgen_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/repository/seedgen"
	"github.com/vendorwatch/vendorwatch/services"
)

const seedTestVendors = 300

// strings returns the single text column of a query, in order.
func queryStrings(t *testing.T, db *repository.DB, q string) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, db *repository.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeedDeterministic(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		other := repotest.Open(t, db.Dialect())
		a := repotest.Seed(t, db, seedTestVendors, 7)
		b := repotest.Seed(t, other, seedTestVendors, 7)
		if a != b {
			t.Fatalf("counts differ:\n%+v\n%+v", a, b)
		}
		if a.Vendors != seedTestVendors || a.Attestations < 3*seedTestVendors || a.Incidents == 0 ||
			a.Obligations == 0 || a.ClauseVersions < a.Contracts*9/10 {
			t.Errorf("implausible counts %+v", a)
		}
		stored := map[string]int64{"vendors": a.Vendors, "data_handling": a.DataHandling, "contracts": a.Contracts,
			"clause_versions": a.ClauseVersions, "attestations": a.Attestations, "reviews": a.Reviews,
			"incidents": a.Incidents, "incident_timeline": a.Timeline, "obligations": a.Obligations}
		for table, want := range stored {
			if got := count(t, db, table); got != want {
				t.Errorf("%s: %d rows, counts say %d", table, got, want)
			}
		}
		for _, q := range []string{
			"SELECT id || ' ' || name FROM vendors ORDER BY id",
			"SELECT id FROM contracts ORDER BY id",
			"SELECT id FROM clause_versions ORDER BY id",
			"SELECT id FROM attestations ORDER BY id",
			"SELECT id FROM reviews ORDER BY id",
			"SELECT id || ' ' || COALESCE(CAST(notice_clause_id AS TEXT), '-') FROM incidents ORDER BY id",
			"SELECT id || ' ' || regime_id FROM obligations ORDER BY id",
		} {
			if x, y := queryStrings(t, db, q), queryStrings(t, other, q); !slices.Equal(x, y) {
				t.Errorf("%s: the two seeds differ", q)
			}
		}
		// Ids are canonical UUIDv7 and sort in creation order.
		ids := queryStrings(t, db, "SELECT id FROM vendors ORDER BY created_at, id")
		for _, id := range ids {
			u, err := uuid.Parse(id)
			if err != nil || u.String() != id || u.Version() != 7 || u.Variant() != uuid.RFC4122 {
				t.Fatalf("id %q is not a canonical UUIDv7", id)
			}
		}
		if !slices.IsSorted(ids) {
			t.Error("vendor ids do not follow creation order")
		}
	})
}

func TestSeedOtherSeedDiffers(t *testing.T) {
	a, b := repotest.Open(t, repository.SQLite), repotest.Open(t, repository.SQLite)
	repotest.Seed(t, a, 20, 1)
	repotest.Seed(t, b, 20, 2)
	if slices.Equal(queryStrings(t, a, "SELECT id FROM vendors ORDER BY id"), queryStrings(t, b, "SELECT id FROM vendors ORDER BY id")) {
		t.Error("seeds 1 and 2 gave the same ids")
	}
}

func TestSeedRows(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		ctx := context.Background()
		counts := repotest.Seed(t, db, seedTestVendors, 1)
		asOf := seedgen.DefaultAsOf
		svc := services.New(db.Stores(t.TempDir()), services.Settings{
			Calendar: calendar.USFederal(), Clock: domain.FixedClock(asOf)})
		ctx = domain.WithActor(ctx, domain.Actor{ID: "test", Name: "test", Role: domain.RoleAdmin})

		// Every vendor, through the service: risk as computed, tiers spread.
		tiers := map[register.Tier]int{}
		var vendors []register.Vendor
		for p := (domain.PageRequest{Limit: 100}); ; {
			page, err := svc.Vendors.List(ctx, register.VendorFilter{}, p)
			if err != nil {
				t.Fatal(err)
			}
			vendors = append(vendors, page.Items...)
			if page.Next == "" {
				break
			}
			p.After = page.Next
		}
		if len(vendors) != seedTestVendors {
			t.Fatalf("listed %d vendors", len(vendors))
		}
		handling := repository.NewDataHandling(db)
		for _, v := range vendors {
			raw, err := repository.NewVendors(db).Get(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: raw.MaxSensitivity,
				MaxRecords: raw.MaxRecords, Criticality: raw.Criticality})
			var score int
			var tier, riskTier string
			if err := db.SQL().QueryRowContext(ctx, "SELECT risk_score, risk_tier, tier FROM vendors WHERE id = "+
				placeholder(db, 1), v.ID).Scan(&score, &riskTier, &tier); err != nil {
				t.Fatal(err)
			}
			if score != want.Score || riskTier != string(want.Tier) || tier != string(raw.Tier()) {
				t.Errorf("vendor %s: stored %d/%s/%s, computed %d/%s/%s", v.Name, score, riskTier, tier,
					want.Score, want.Tier, raw.Tier())
			}
			hs, err := handling.ListByVendor(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			var sens int
			var records int64
			for _, h := range hs {
				c, ok := register.LookupCategory(h.Category)
				if !ok || len(h.Access) == 0 {
					t.Errorf("vendor %s: bad handling %+v", v.Name, h)
				}
				sens, records = max(sens, c.Sensitivity), max(records, h.RecordCount)
			}
			if sens != raw.MaxSensitivity || records != raw.MaxRecords {
				t.Errorf("vendor %s: max sensitivity/records %d/%d, handling gives %d/%d", v.Name,
					raw.MaxSensitivity, raw.MaxRecords, sens, records)
			}
			tiers[raw.Risk.Tier]++
		}
		for _, tr := range register.Tiers {
			if tiers[tr] < seedTestVendors/20 {
				t.Errorf("tier spread %v: too few %s", tiers, tr)
			}
		}

		// Clause versions never overlap; at most one is open per contract.
		clauses := repository.NewClauses(db)
		for _, cid := range queryStrings(t, db, "SELECT id FROM contracts ORDER BY id") {
			vs, err := clauses.Versions(ctx, cid)
			if err != nil {
				t.Fatal(err)
			}
			open := 0
			for i, v := range vs {
				if v.EffectiveTo == nil {
					open++
				} else if !v.EffectiveTo.After(v.EffectiveFrom) {
					t.Errorf("contract %s: empty version %s", cid, v.ID)
				}
				if i > 0 && (vs[i-1].EffectiveTo == nil || vs[i-1].EffectiveTo.After(v.EffectiveFrom)) {
					t.Errorf("contract %s: versions %s and %s overlap", cid, vs[i-1].ID, v.ID)
				}
				if err := v.Terms.Check("terms"); err != nil {
					t.Errorf("contract %s: invalid terms: %v", cid, err)
				}
			}
			if open > 1 {
				t.Errorf("contract %s: %d open versions", cid, open)
			}
		}

		// Every incident's stored clock is what NoticeDue computes, and its
		// obligations are what the catalogue gives it.
		std := policy.DefaultPolicy().Clauses.StandardWindows
		cal := calendar.USFederal()
		incidents := repository.NewIncidents(db)
		obligations := repository.NewObligations(db)
		catalogue := incident.DefaultCatalogue()
		var withClause, late, never int
		incIDs := queryStrings(t, db, "SELECT id FROM incidents ORDER BY id")
		if int64(len(incIDs)) != counts.Incidents {
			t.Fatalf("%d incidents, counts say %d", len(incIDs), counts.Incidents)
		}
		for n, id := range incIDs {
			inc, err := incidents.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			cands, err := clauses.ByVendor(ctx, inc.VendorID)
			if err != nil {
				t.Fatal(err)
			}
			best, due, ok := incident.NoticeDue(inc.VendorDiscoveredAt, cands, std, cal)
			switch {
			case !ok && (inc.NoticeDueAt != nil || inc.NoticeClauseID != "" || inc.NoticeContractID != ""):
				t.Errorf("incident %s: stored a clause where none is in force", id)
			case ok && (inc.NoticeDueAt == nil || !inc.NoticeDueAt.Equal(due) || inc.NoticeClauseID != best.Clause.ID ||
				inc.NoticeContractID != best.ContractID):
				t.Errorf("incident %s: stored %v/%s, NoticeDue gives %v/%s", id, inc.NoticeDueAt, inc.NoticeClauseID,
					due, best.Clause.ID)
			}
			if ok {
				withClause++
				if inc.VendorNotifiedUsAt != nil && inc.VendorNotifiedUsAt.After(due) {
					late++
				}
			}
			if inc.VendorNotifiedUsAt == nil {
				never++
			}
			if inc.VendorDiscoveredAt.After(asOf) || inc.WeLearnedAt.Before(inc.VendorDiscoveredAt) {
				t.Errorf("incident %s: discovered %v, learned %v", id, inc.VendorDiscoveredAt, inc.WeLearnedAt)
			}
			// The catalogue's obligations, given the stored completions.
			os, err := obligations.ListByIncident(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			done := map[string]time.Time{}
			var got []string
			for _, o := range os {
				got = append(got, o.RegimeID)
				if o.Status == incident.ObligationDone {
					done[o.RegimeID] = *o.DoneAt
				}
			}
			var want []string
			specs := catalogue.Obligations(incident.IncidentFacts{VendorDiscoveredAt: inc.VendorDiscoveredAt,
				VendorNotifiedUsAt: inc.VendorNotifiedUsAt, WeLearnedAt: inc.WeLearnedAt,
				MaterialityDeterminedAt: inc.MaterialityDeterminedAt, VendorIsAgent: inc.VendorIsAgent,
				Categories: inc.Categories, Jurisdictions: inc.Jurisdictions, RecordsAffected: inc.RecordsAffected,
				Residents: inc.Residents}, incident.OrgProfile{}, cal, done)
			for _, s := range specs {
				want = append(want, s.RegimeID)
				for _, o := range os {
					if o.RegimeID == s.RegimeID && (!sameTime(o.DueAt, s.DueAt) || !sameTime(o.AnchorAt, s.AnchorAt)) {
						t.Errorf("incident %s obligation %s: stored due %v anchor %v, catalogue %v %v", id,
							s.RegimeID, o.DueAt, o.AnchorAt, s.DueAt, s.AnchorAt)
					}
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("incident %s: obligations %v, catalogue gives %v", id, got, want)
			}
			// A sample through the service.
			if n%10 == 0 {
				view, err := svc.Incidents.Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if view.Obligations == nil || view.Obligations.Total != len(os) {
					t.Errorf("incident %s: service shows %+v", id, view.Obligations)
				}
				if _, err := incidents.Timeline(ctx, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		if withClause == 0 || late == 0 || never == 0 || late == withClause {
			t.Errorf("incidents: %d with a clause, %d late, %d never notified", withClause, late, never)
		}

		// Everything else reads back through the services.
		if _, err := svc.Contracts.List(ctx, contract.ContractFilter{}, domain.PageRequest{Limit: 100}); err != nil {
			t.Fatal(err)
		}
		atts, err := svc.Attestations.List(ctx, attestation.AttestationFilter{}, domain.PageRequest{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		var expired int
		for _, a := range atts.Items {
			if a.ExpiresOn.Before(domain.DateOf(asOf)) {
				expired++
			}
			if !a.IssuedOn.IsZero() && a.ExpiresOn.Before(a.IssuedOn) {
				t.Errorf("attestation %s expires before issue", a.ID)
			}
		}
		if expired == 0 || expired == len(atts.Items) {
			t.Errorf("%d of %d attestations expired", expired, len(atts.Items))
		}
		if _, err := svc.Reviews.List(ctx, review.ReviewFilter{}, domain.PageRequest{Limit: 100}); err != nil {
			t.Fatal(err)
		}
		var stale int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM vendors v WHERE v.last_review_on IS DISTINCT FROM
			(SELECT MAX(performed_on) FROM reviews r WHERE r.vendor_id = v.id)`).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if stale != 0 {
			t.Errorf("%d vendors with a stale last_review_on", stale)
		}

		// One audit event per batch, not per row: it states the rows the
		// batch wrote, and the sealer seals it like any other.
		batches := int64((seedTestVendors + 999) / 1000)
		events, err := svc.Audit.List(ctx, domain.AuditFilter{Entity: "seed"}, domain.PageRequest{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "audit_events"); n != batches || int64(len(events.Items)) != batches {
			t.Fatalf("%d audit events, %d on the entity seed; want one per batch, %d", n, len(events.Items), batches)
		}
		var seeded seedgen.Counts
		for _, e := range events.Items {
			var after struct {
				Rows seedgen.Counts `json:"rows"`
			}
			if err := json.Unmarshal(e.After, &after); err != nil || e.Action != seedgen.AuditAction || e.Leaf != nil {
				t.Errorf("audit event %+v (%v)", e, err)
			}
			seeded = addCounts(seeded, after.Rows)
		}
		if seeded != counts {
			t.Errorf("the audit events state %+v, the seed wrote %+v", seeded, counts)
		}
		if n := repotest.SealAndVerify(t, db); n != batches {
			t.Errorf("the audit log holds %d events after the seed, want %d", n, batches)
		}
		// The services write on top of seeded data (and the log).
		if _, err := svc.Vendors.Create(ctx, register.VendorInput{Name: ptr("After the seed")}); err != nil {
			t.Fatal(err)
		}
		if n := repotest.SealAndVerify(t, db); n != batches+1 {
			t.Errorf("the audit log holds %d events after a write, want %d", n, batches+1)
		}
	})
}

func TestSeedRefusesNonEmpty(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		repotest.Seed(t, db, 5, 1)
		_, err := seedgen.Seed(context.Background(), db, seedgen.Options{Vendors: 5, Seed: 1}, nil)
		if !errors.Is(err, seedgen.ErrNotEmpty) {
			t.Fatalf("second seed: %v", err)
		}
		if n := count(t, db, "vendors"); n != 5 {
			t.Errorf("%d vendors after the refused seed", n)
		}
	})
}

func TestSeedRejectsBadCounts(t *testing.T) {
	db := repotest.Open(t, repository.SQLite)
	for _, n := range []int{0, -1, seedgen.MaxVendors + 1} {
		if _, err := seedgen.Seed(context.Background(), db, seedgen.Options{Vendors: n}, nil); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%d vendors: %v", n, err)
		}
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func placeholder(db *repository.DB, n int) string {
	if db.Dialect() == repository.Postgres {
		return "$" + string(rune('0'+n))
	}
	return "?"
}

func ptr[T any](v T) *T { return &v }

// addCounts is a + b, table by table.
func addCounts(a, b seedgen.Counts) seedgen.Counts {
	return seedgen.Counts{Vendors: a.Vendors + b.Vendors, DataHandling: a.DataHandling + b.DataHandling,
		Contracts: a.Contracts + b.Contracts, ClauseVersions: a.ClauseVersions + b.ClauseVersions,
		Attestations: a.Attestations + b.Attestations, Reviews: a.Reviews + b.Reviews, Incidents: a.Incidents + b.Incidents,
		Timeline: a.Timeline + b.Timeline, Obligations: a.Obligations + b.Obligations}
}
