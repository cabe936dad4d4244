package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// explainedNotice is the part of an incident's notice that explains it.
type explainedNotice struct {
	Status          string
	DueAt           *time.Time     `json:"due_at"`
	Lag             *incident.Span `json:"lag"`
	LateBy          *incident.Span `json:"late_by"`
	Broken          string         `json:"broken"`
	LawDueAt        *time.Time     `json:"law_due_at"`
	LawRegimeID     string         `json:"law_regime_id"`
	Governing       *clauseRef     `json:"governing_clause"`
	NotChosen       []clauseRef    `json:"clauses_not_chosen"`
	Explanation     string         `json:"explanation"`
	StatutoryDuties []struct {
		RegimeID     string     `json:"regime_id"`
		Citation     string     `json:"citation"`
		DueAt        *time.Time `json:"due_at"`
		WorkingDueAt *time.Time `json:"working_due_at"`
		Status       string     `json:"status"`
		Basis        string     `json:"basis"`
		Broken       bool       `json:"broken"`
	} `json:"statutory_duties"`
}

type clauseRef struct {
	ContractTitle string     `json:"contract_title"`
	Version       int        `json:"version"`
	EffectiveFrom time.Time  `json:"effective_from"`
	EffectiveTo   *time.Time `json:"effective_to"`
	WindowText    string     `json:"window_text"`
	Trigger       string     `json:"trigger"`
	Reason        string     `json:"reason"`
}

type regimeCheck struct {
	Regime    string   `json:"regime"`
	RegimeIDs []string `json:"regime_ids"`
	Reason    string   `json:"reason"`
	Detail    string   `json:"detail"`
	Threshold string   `json:"threshold"`
	Count     *int64   `json:"count"`
}

// explained reads an incident with its explanation and regimes not applied.
func (e *testEnv) explained(id string) (explainedNotice, []regimeCheck) {
	e.t.Helper()
	res := e.do("GET", "/api/v1/incidents/"+id, e.keys[domain.RoleLegal], nil)
	mustStatus(e.t, res, http.StatusOK)
	var inc struct {
		Notice            explainedNotice
		RegimesNotApplied []regimeCheck `json:"regimes_not_applied"`
	}
	res.decode(e.t, &inc)
	return inc.Notice, inc.RegimesNotApplied
}

func findCheck(checks []regimeCheck, id string) regimeCheck {
	for _, c := range checks {
		if slices.Contains(c.RegimeIDs, id) {
			return c
		}
	}
	return regimeCheck{}
}

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// TestNoticeExplained: the [24]7 case and its amended-clause variants
// return the clause that governs, the ones not chosen and why, in one
// sentence; the vendor's duty by law is judged beside the contract's.
func TestNoticeExplained(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		legal := e.keys[domain.RoleLegal]

		// [24]7: a 72-hour clause, amended to 24 hours after the discovery.
		_, id := e.build24x7()
		n, checks := e.explained(id)
		if n.Status != "late" || !n.DueAt.Equal(day("2017-10-15")) || n.Lag.Days != 167 || n.LateBy.Days != 164 {
			t.Errorf("[24]7 clock: %s due %v lag %v late by %v", n.Status, n.DueAt, n.Lag, n.LateBy)
		}
		if g := n.Governing; g == nil || g.ContractTitle != "Chat MSA" || g.Version != 1 || !g.EffectiveFrom.Equal(day("2016-06-01")) ||
			g.EffectiveTo == nil || !g.EffectiveTo.Equal(day("2017-11-01")) || g.WindowText != "72 hours" || g.Trigger != "discovery" {
			t.Errorf("[24]7 governing clause: %+v", g)
		}
		if len(n.NotChosen) != 1 || n.NotChosen[0].Version != 2 || n.NotChosen[0].Reason != "not_yet_in_force" || n.NotChosen[0].WindowText != "24 hours" {
			t.Errorf("[24]7 not chosen: %+v", n.NotChosen)
		}
		if want := "The 72-hour clause of the Chat MSA (version 1, in force 2016-06-01 to 2017-11-01) governs: it was in force " +
			"when the vendor discovered the breach on 2017-10-12. The 24-hour amendment of 2017-11-01 came later and does not apply."; n.Explanation != want {
			t.Errorf("[24]7 explanation:\n got %q\nwant %q", n.Explanation, want)
		}
		// The law: California's §1798.82(b) says "immediately"; no number,
		// so judged against the working deadline (policy), never broken in
		// law by itself. Only the contract was broken.
		if len(n.StatutoryDuties) != 1 || n.StatutoryDuties[0].RegimeID != "ca-vendor" || n.StatutoryDuties[0].Basis != "policy" ||
			n.StatutoryDuties[0].Status != "late" || n.StatutoryDuties[0].Broken || n.StatutoryDuties[0].DueAt != nil ||
			!n.StatutoryDuties[0].WorkingDueAt.Equal(day("2017-10-13")) || n.Broken != "contract" || n.LawDueAt != nil {
			t.Errorf("[24]7 law: broken %q %+v", n.Broken, n.StatutoryDuties)
		}
		// Regimes checked and not applied, with why.
		for id, want := range map[string]string{
			"gdpr-33-1":         "jurisdiction_not_affected",
			"visa-wtdic-notify": "not_in_force",
			"ca-ag":             "no_anchor_yet",
		} {
			if c := findCheck(checks, id); c.Reason != want || c.Detail == "" {
				t.Errorf("%s not applied: %+v, want %s", id, c, want)
			}
		}

		// The variant: a 30-day MSA clause amended to 72 hours on
		// 2017-11-01; the notice comes on 2017-11-05, within the 30 days,
		// but the vendor holds Florida residents' data: the law's 10 days
		// (Fla. Stat. 501.171(6)) were missed.
		v := e.vendorWithData("Payments Co", []string{"US-FL"}, "cardholder_data")
		c := e.createContract(map[string]any{"vendor_id": v, "title": "MSA", "status": "active", "effective_on": "2016-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 30, "unit": "calendar_days"}, "trigger": "discovery"}})
		amend := func(from string, value int, unit string) {
			t.Helper()
			mustStatus(t, e.do("POST", "/api/v1/contracts/"+c["id"].(string)+"/amendments", legal, map[string]any{
				"effective_from": from, "reason": "Amendment",
				"breach_notification": map[string]any{"window": map[string]any{"value": value, "unit": unit}, "trigger": "discovery"}}), 200)
		}
		amend("2017-11-01", 72, "hours")
		inc := e.createIncident(map[string]any{"vendor_id": v, "title": "Card skimming",
			"vendor_discovered_at": "2017-10-12T00:00:00Z", "vendor_notified_us_at": "2017-11-05T00:00:00Z",
			"we_learned_at": "2017-11-05T00:00:00Z", "learned_via": "vendor_notice"})["id"].(string)
		n, _ = e.explained(inc)
		if want := "The 30-day clause of the MSA (version 1, in force 2016-01-01 to 2017-11-01) governs: it was in force when " +
			"the vendor discovered the breach on 2017-10-12. The 72-hour amendment of 2017-11-01 came later and does not apply."; n.Explanation != want {
			t.Errorf("30-day variant:\n got %q\nwant %q", n.Explanation, want)
		}
		if n.Status != "on_time" || !n.DueAt.Equal(day("2017-11-11")) || n.Broken != "law" || n.LawRegimeID != "fl-vendor" ||
			!n.LawDueAt.Equal(day("2017-10-22")) {
			t.Errorf("30-day variant clock: %s due %v broken %q law %s %v", n.Status, n.DueAt, n.Broken, n.LawRegimeID, n.LawDueAt)
		}
		// The scan says the law was broken, not the contract.
		e.runScan()
		f, ok := e.live()[finding.RuleIncidentNoticeLate+" "+inc]
		if !ok || f.Facts["broken"] != "law" || f.Facts["law_citation"] != "Fla. Stat. 501.171(6)" || f.Facts["late_by"] != nil ||
			f.Facts["law_late_by"] == nil {
			t.Errorf("notice_late finding: %v %v", ok, f.Facts)
		}

		// An amendment cannot reach back before the latest version's start:
		// refused, and the clock stays.
		mustStatus(t, e.do("POST", "/api/v1/contracts/"+c["id"].(string)+"/amendments", legal, map[string]any{
			"effective_from": "2017-10-01", "reason": "Amendment",
			"breach_notification": map[string]any{"window": map[string]any{"value": 48, "unit": "hours"}, "trigger": "discovery"}}),
			http.StatusConflict)
		n, _ = e.explained(inc)
		if !n.DueAt.Equal(day("2017-11-11")) {
			t.Fatalf("an overlapping amendment changed the clock: %v", n.DueAt)
		}
	})
}

// TestBackdatedAmendmentRerunsClock: an amendment reaching back before the
// discovery re-runs the clock, and the incident's timeline records the
// due instant and status before and after.
func TestBackdatedAmendmentRerunsClock(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		legal := e.keys[domain.RoleLegal]
		v := e.vendorWithData("Payments Co", []string{"US-FL"}, "cardholder_data")
		c := e.createContract(map[string]any{"vendor_id": v, "title": "MSA", "status": "active", "effective_on": "2016-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 30, "unit": "calendar_days"}, "trigger": "discovery"}})
		// A second contract with a looser window is in force too.
		e.createContract(map[string]any{"vendor_id": v, "title": "Data processing addendum", "status": "active", "effective_on": "2016-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 45, "unit": "calendar_days"}, "trigger": "discovery"}})
		inc := e.createIncident(map[string]any{"vendor_id": v, "title": "Card skimming",
			"vendor_discovered_at": "2017-10-12T00:00:00Z", "vendor_notified_us_at": "2017-11-05T00:00:00Z",
			"we_learned_at": "2017-11-05T00:00:00Z", "learned_via": "vendor_notice"})["id"].(string)
		n, _ := e.explained(inc)
		if n.Status != "on_time" || len(n.NotChosen) != 1 || n.NotChosen[0].Reason != "looser_window" ||
			n.NotChosen[0].ContractTitle != "Data processing addendum" {
			t.Fatalf("before the amendment: %s %+v", n.Status, n.NotChosen)
		}

		mustStatus(t, e.do("POST", "/api/v1/contracts/"+c["id"].(string)+"/amendments", legal, map[string]any{
			"effective_from": "2017-10-01", "reason": "Amendment No. 2, signed in December 2017",
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}}), 200)
		n, _ = e.explained(inc)
		if n.Status != "late" || !n.DueAt.Equal(day("2017-10-15")) || n.Broken != "both" {
			t.Errorf("after the amendment: %s due %v broken %q", n.Status, n.DueAt, n.Broken)
		}
		if want := "The 72-hour clause of the MSA (version 2, in force since 2017-10-01) governs: it was in force when the vendor " +
			"discovered the breach on 2017-10-12. The 30-day clause of the MSA (version 1) was superseded on 2017-10-01, before " +
			"the discovery. The 45-day clause of the Data processing addendum was in force too, but its window is looser."; n.Explanation != want {
			t.Errorf("after the amendment:\n got %q\nwant %q", n.Explanation, want)
		}
		reasons := map[string]string{}
		for _, x := range n.NotChosen {
			reasons[x.ContractTitle+" "+x.WindowText] = x.Reason
		}
		if reasons["MSA 30 calendar days"] != "superseded" || reasons["Data processing addendum 45 calendar days"] != "looser_window" {
			t.Errorf("not chosen: %v", reasons)
		}
		res := e.do("GET", "/api/v1/incidents/"+inc+"/timeline", legal, nil)
		mustStatus(t, res, http.StatusOK)
		var tl struct {
			Items []struct{ Action, Text string }
		}
		res.decode(t, &tl)
		i := slices.IndexFunc(tl.Items, func(x struct{ Action, Text string }) bool { return x.Action == "notice clock re-run" })
		if i < 0 || !strings.Contains(tl.Items[i].Text, "Before: due 2017-11-11T00:00:00Z (on_time). After: due 2017-10-15T00:00:00Z (late).") {
			t.Errorf("timeline: %+v", tl.Items)
		}
	})
}

// TestCaliforniaLawByDate: a 2017 California incident gets the text
// before SB 446 (no fixed deadline, a working deadline labelled policy);
// a 2026 one the SB 446 deadlines.
func TestCaliforniaLawByDate(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		v := e.vendorWithData("Payroll", []string{"US-CA"}, "ssn")
		type obligation struct {
			RegimeID              string     `json:"regime_id"`
			Title                 string     `json:"title"`
			Citation              string     `json:"citation"`
			Recipient             string     `json:"recipient"`
			DueAt                 *time.Time `json:"due_at"`
			DeadlineText          string     `json:"deadline_text"`
			WorkingDueAt          *time.Time `json:"working_due_at"`
			WorkingDeadlineText   string     `json:"working_deadline_text"`
			Overdue               bool       `json:"overdue"`
			WorkingDeadlinePassed bool       `json:"working_deadline_passed"`
		}
		var id string
		list := func(learned string, residents int) (map[string]obligation, []regimeCheck) {
			t.Helper()
			if learned != "" {
				id = e.createIncident(map[string]any{"vendor_id": v, "title": "Payroll leak " + learned,
					"vendor_discovered_at": learned, "we_learned_at": learned, "learned_via": "monitoring",
					"residents": map[string]any{"US-CA": residents}})["id"].(string)
			}
			res := e.do("GET", "/api/v1/incidents/"+id+"/obligations", e.keys[domain.RoleAuditor], nil)
			mustStatus(t, res, http.StatusOK)
			var out struct {
				Items      []obligation
				NotApplied []regimeCheck `json:"not_applied"`
			}
			res.decode(t, &out)
			m := map[string]obligation{}
			for _, o := range out.Items {
				m[o.RegimeID] = o
			}
			return m, out.NotApplied
		}
		old, checks := list("2017-10-12T00:00:00Z", 1200)
		ind, ok := old["ca-ind-2003"]
		if !ok || ind.DueAt != nil || ind.Overdue || !ind.WorkingDeadlinePassed || !ind.WorkingDueAt.Equal(day("2017-11-11")) ||
			ind.DeadlineText != "no fixed deadline: in the most expedient time possible and without unreasonable delay" ||
			ind.WorkingDeadlineText != "30 calendar days (working deadline set by policy, not law)" ||
			ind.Citation != "Cal. Civ. Code 1798.82(a) (before SB 446)" || ind.Recipient != "individuals" ||
			ind.Title != "Notify the affected California residents (no fixed deadline: in the most expedient time possible and without unreasonable delay)" {
			t.Errorf("2017: %v %+v", ok, ind)
		}
		if _, ok := old["ca-ind"]; ok {
			t.Error("2017: the SB 446 rule applied")
		}
		if c := findCheck(checks, "ca-ag"); c.Reason != "no_anchor_yet" || !strings.Contains(c.Detail, "ca-ag-2012 2012-01-01 to 2026-01-01") {
			t.Errorf("2017 ca-ag: %+v", c)
		}
		// Corrected: we learned in 2026. SB 446 now governs; the engine
		// closes the old text's obligation and says why.
		mustStatus(t, e.do("PATCH", "/api/v1/incidents/"+id, e.keys[domain.RoleVendorManager], map[string]any{
			"vendor_discovered_at": "2026-01-05T00:00:00Z", "we_learned_at": "2026-01-05T00:00:00Z"}), http.StatusOK)
		res := e.do("GET", "/api/v1/incidents/"+id+"/obligations", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, http.StatusOK)
		var all struct {
			Items []struct {
				RegimeID string `json:"regime_id"`
				Status   string
				Reason   string
			}
		}
		res.decode(t, &all)
		closed := false
		for _, o := range all.Items {
			if o.RegimeID == "ca-ind-2003" {
				closed = o.Status == "not_applicable" && o.Reason ==
					"no longer applies: the law in force when its clock starts is ca-ind (Cal. Civ. Code 1798.82(a) (SB 446), from 2026-01-01)"
				if !closed {
					t.Errorf("ca-ind-2003 after the correction: %+v", o)
				}
			}
		}
		if corrected, _ := list("", 0); !closed || corrected["ca-ind"].DueAt == nil || !corrected["ca-ind"].DueAt.Equal(day("2026-02-04")) {
			t.Errorf("after the correction: ca-ind %+v (old closed: %v)", corrected["ca-ind"], closed)
		}

		now, checks := list("2026-02-02T00:00:00Z", 300)
		if o := now["ca-ind"]; o.DueAt == nil || !o.DueAt.Equal(day("2026-03-04")) || o.WorkingDueAt != nil ||
			o.Title != "Notify the affected California residents within 30 calendar days" || o.Citation != "Cal. Civ. Code 1798.82(a) (SB 446)" {
			t.Errorf("2026 ca-ind: %+v", o)
		}
		if c := findCheck(checks, "ca-ag"); c.Reason != "below_threshold" || c.Threshold != "CA_residents > 500" || c.Count == nil || *c.Count != 300 {
			t.Errorf("2026 ca-ag for 300 residents: %+v", c)
		}
	})
}
