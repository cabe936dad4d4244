package api_test

import (
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

type obligationView struct {
	ID       string
	RegimeID string     `json:"regime_id"`
	Status   string     `json:"status"`
	DueAt    *time.Time `json:"due_at"`
	SetBy    string     `json:"set_by"`
	Reason   string     `json:"reason"`
	Version  int64      `json:"version"`
	Citation string     `json:"citation"`
	Source   string     `json:"source_status"`
}

func (e *testEnv) obligations(incidentID string) map[string]obligationView {
	e.t.Helper()
	res := e.do("GET", "/api/v1/incidents/"+incidentID+"/obligations", e.keys[domain.RoleAuditor], nil)
	mustStatus(e.t, res, 200)
	var out struct{ Items []obligationView }
	res.decode(e.t, &out)
	m := map[string]obligationView{}
	for _, o := range out.Items {
		m[o.RegimeID] = o
		if o.Citation == "" || o.Source == "" {
			e.t.Errorf("%s lacks citation or source status", o.RegimeID)
		}
	}
	return m
}

func openIDs(m map[string]obligationView) []string {
	var ids []string
	for id, o := range m {
		if o.Status == "open" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func TestObligationsFromCatalogue(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC))
		legal := e.keys[domain.RoleLegal]
		v := e.vendorWithData("Checkout Widget", []string{"US-CA", "US-NY", "DE"}, "cardholder_data")
		inc := e.createIncident(map[string]any{"vendor_id": v, "title": "Card skimming", "records_affected": 100000,
			"vendor_discovered_at": "2026-03-01T00:00:00Z", "vendor_notified_us_at": "2026-03-02T09:00:00Z",
			"we_learned_at": "2026-03-02T09:00:00Z", "learned_via": "vendor_notice"})
		id := inc["id"].(string)
		got := e.obligations(id)
		want := []string{"amex-dsop", "ca-ag", "ca-ind", "gdpr-33-1", "gdpr-34", "mc-adc-report", "ny-ind",
			"visa-accounts", "visa-wtdic-notify", "visa-wtdic-report"}
		if ids := openIDs(got); !slices.Equal(ids, want) {
			t.Errorf("obligations = %v\nwant        %v", ids, want)
		}
		if d := got["gdpr-33-1"].DueAt; d == nil || !d.Equal(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("GDPR 72h due %v", d)
		}
		if got["visa-wtdic-report"].DueAt != nil || got["gdpr-34"].DueAt != nil {
			t.Error("a chained or words-only obligation has a due time")
		}
		summary := e.do("GET", "/api/v1/incidents/"+id, legal, nil).object(t)["obligations"].(map[string]any)
		if summary["total"] != float64(10) || summary["open"] != float64(10) {
			t.Errorf("summary = %v", summary)
		}

		// A person's decisions: GDPR 34 judged not applicable (with a
		// reason), the Visa notice done. A reason is required.
		res := e.do("PATCH", "/api/v1/obligations/"+got["gdpr-34"].ID, legal, map[string]any{"status": "not_applicable"})
		mustStatus(t, res, 422)
		if !slices.Contains(res.fields(t), "reason") {
			t.Errorf("fields %v", res.fields(t))
		}
		mustStatus(t, e.do("PATCH", "/api/v1/obligations/"+got["gdpr-34"].ID, legal, map[string]any{
			"status": "not_applicable", "reason": "Data was encrypted; no high risk to individuals (DPO memo 2026-03-03)"}), 200)
		mustStatus(t, e.do("PATCH", "/api/v1/obligations/"+got["visa-wtdic-notify"].ID, legal, map[string]any{
			"status": "done", "done_at": "2026-03-03T10:00:00Z", "evidence": "Acquirer ticket 4711"}, "If-Match", `"1"`), 200)
		mustStatus(t, e.do("PATCH", "/api/v1/obligations/"+got["visa-wtdic-notify"].ID, legal, map[string]any{
			"status": "done"}, "If-Match", `"1"`), http.StatusPreconditionFailed)
		mustStatus(t, e.do("PATCH", "/api/v1/obligations/"+got["mc-adc-report"].ID, e.keys[domain.RoleVendorManager], map[string]any{
			"status": "done"}), http.StatusForbidden)
		got = e.obligations(id)
		// The chained Visa incident report now runs: 3 days after the notice.
		if d := got["visa-wtdic-report"].DueAt; d == nil || !d.Equal(time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("chained Visa report due %v", d)
		}

		// The EU subjects turn out not to be affected: GDPR 33 closes by
		// itself; the person's GDPR 34 decision and the done Visa notice stay.
		mustStatus(t, e.do("PATCH", "/api/v1/incidents/"+id, legal, map[string]any{"jurisdictions": []string{"US-CA", "US-NY"}}), 200)
		got = e.obligations(id)
		if o := got["gdpr-33-1"]; o.Status != "not_applicable" || o.SetBy != incident.SetBySystem || o.Reason == "" {
			t.Errorf("GDPR 33 after removing EU = %+v", o)
		}
		if o := got["gdpr-34"]; o.Status != "not_applicable" || o.SetBy != e.keyIDs[domain.RoleLegal] {
			t.Errorf("person's GDPR 34 decision lost: %+v", o)
		}
		if got["visa-wtdic-notify"].Status != "done" {
			t.Error("done Visa notice lost")
		}
		// Regenerating again changes nothing; adding EU back reopens GDPR 33.
		before := e.countRows("audit_events")
		mustStatus(t, e.do("PATCH", "/api/v1/incidents/"+id, legal, map[string]any{"title": "Card skimming (confirmed)"}), 200)
		if n := e.countRows("audit_events") - before; n != 1 {
			t.Errorf("an unrelated edit wrote %d audit events, want 1 (no regeneration)", n)
		}
		mustStatus(t, e.do("PATCH", "/api/v1/incidents/"+id, legal, map[string]any{"jurisdictions": []string{"US-CA", "US-NY", "FR"}}), 200)
		if o := e.obligations(id)["gdpr-33-1"]; o.Status != "open" {
			t.Errorf("GDPR 33 not reopened: %+v", o)
		}
		if n := e.countRows("obligations"); n != 10 {
			t.Errorf("%d obligation rows, want 10 (never duplicated)", n)
		}

		// Blast radius: soonest first, the vendor's contractless state shown.
		res = e.do("GET", "/api/v1/incidents/"+id+"/blast-radius", e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, 200)
		var br struct {
			Deadlines []struct {
				Kind  string
				DueAt *time.Time `json:"due_at"`
				Title string
			}
			Handling []struct{ Category string } `json:"data_handling"`
		}
		res.decode(t, &br)
		if len(br.Handling) != 1 || len(br.Deadlines) < 5 || br.Deadlines[0].Kind != "obligation" {
			t.Fatalf("blast radius = %+v", br)
		}
		for i := 1; i < len(br.Deadlines); i++ {
			a, b := br.Deadlines[i-1].DueAt, br.Deadlines[i].DueAt
			if a == nil && b != nil || a != nil && b != nil && b.Before(*a) {
				t.Errorf("deadlines out of order at %d: %v then %v", i, a, b)
			}
		}
	})
}

func TestObligationThresholdsAndProfile(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2027, 1, 20, 12, 0, 0, 0, time.UTC))
		v := e.vendorWithData("Payroll TX", []string{"US-TX"}, "ssn")
		// Texas AG: at least 250 Texans.
		for _, tc := range []struct {
			residents int
			wantAG    bool
		}{{249, false}, {250, true}} {
			inc := e.createIncident(map[string]any{"vendor_id": v, "title": "Leak", "records_affected": 5000,
				"residents":            map[string]any{"US-TX": tc.residents},
				"vendor_discovered_at": "2027-01-10T00:00:00Z", "we_learned_at": "2027-01-11T00:00:00Z", "learned_via": "customer"})
			got := e.obligations(inc["id"].(string))
			if _, ok := got["tx-ag"]; ok != tc.wantAG {
				t.Errorf("%d Texans: tx-ag generated %v, want %v", tc.residents, ok, tc.wantAG)
			}
			if _, ok := got["tx-ind"]; !ok {
				t.Error("tx-ind missing")
			}
		}
		// A registrant's 8-K runs from the materiality determination, four
		// business days, skipping Martin Luther King Jr. Day.
		e.incidents.Profile = incident.OrgProfile{EntityTypes: []incident.EntityType{"sec_registrant"}}
		inc := e.createIncident(map[string]any{"vendor_id": v, "title": "Material", "records_affected": 10,
			"vendor_discovered_at": "2027-01-10T00:00:00Z", "we_learned_at": "2027-01-11T00:00:00Z", "learned_via": "customer"})
		id := inc["id"].(string)
		if o := e.obligations(id)["sec-8k-105"]; o.Status != "open" || o.DueAt != nil {
			t.Errorf("8-K before materiality: %+v", o)
		}
		mustStatus(t, e.do("PATCH", "/api/v1/incidents/"+id, e.keys[domain.RoleLegal], map[string]any{
			"materiality_determined_at": "2027-01-14T15:00:00Z"}), 200)
		if o := e.obligations(id)["sec-8k-105"]; o.DueAt == nil || !o.DueAt.Equal(time.Date(2027, 1, 21, 15, 0, 0, 0, time.UTC)) {
			t.Errorf("8-K due %v, want 2027-01-21T15:00Z", o.DueAt)
		}
	})
}
