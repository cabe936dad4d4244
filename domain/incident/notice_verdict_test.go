package incident_test

import (
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
)

func TestNoticeBreach(t *testing.T) {
	due, law := utc(2017, 10, 15, 0, 0), utc(2017, 10, 22, 0, 0)
	asOf := utc(2018, 1, 1, 0, 0)
	for _, tc := range []struct {
		name          string
		contract, lw  *time.Time
		notified      *time.Time
		status        incident.NoticeStatus
		broken        string
		lateByDays    float64
		contractAlone incident.NoticeStatus
	}{
		{"on the contract's instant", &due, &law, ptr(due), incident.NoticeOnTime, "", 0, incident.NoticeOnTime},
		{"after the contract, before the law", &due, &law, ptr(utc(2017, 10, 20, 0, 0)), incident.NoticeLate, incident.BrokeContract, 5, incident.NoticeLate},
		{"after both", &due, &law, ptr(utc(2018, 3, 28, 0, 0)), incident.NoticeLate, incident.BrokeBoth, 164, incident.NoticeLate},
		{"law only: a lax contract", ptr(utc(2017, 11, 11, 0, 0)), &law, ptr(utc(2017, 11, 5, 0, 0)), incident.NoticeLate, incident.BrokeLaw, 14, incident.NoticeOnTime},
		{"no clause, the law missed", nil, &law, nil, incident.NoticeOverdue, incident.BrokeLaw, 71, ""},
		{"no clause, no law", nil, nil, ptr(due), incident.NoticeNoClause, "", 0, ""},
		{"not yet, nothing passed", ptr(utc(2018, 2, 1, 0, 0)), nil, nil, incident.NoticePending, "", 0, incident.NoticePending},
	} {
		status, broken, by := incident.NoticeBreach(tc.contract, tc.lw, tc.notified, asOf)
		days := 0.0
		if by != nil {
			days = by.Days
		}
		if status != tc.status || broken != tc.broken || days != tc.lateByDays {
			t.Errorf("%s: %s %q by %v, want %s %q by %v", tc.name, status, broken, days, tc.status, tc.broken, tc.lateByDays)
		}
		if tc.contract != nil {
			if s, _ := incident.JudgeNotice(*tc.contract, tc.notified, asOf); s != tc.contractAlone {
				t.Errorf("%s: contract alone %s, want %s", tc.name, s, tc.contractAlone)
			}
		}
	}
	// Overdue starts strictly after the due instant.
	if s, _ := incident.JudgeNotice(due, nil, due); s != incident.NoticePending {
		t.Errorf("at the due instant: %s", s)
	}
}

// TestVendorDutiesByProfile: a vendor duty that binds only an entity
// type counts when the profile declares it (HIPAA business associates:
// 60 days).
func TestVendorDutiesByProfile(t *testing.T) {
	c := incident.DefaultCatalogue()
	f := incident.IncidentFacts{VendorDiscoveredAt: utc(2026, 3, 1, 0, 0), WeLearnedAt: utc(2026, 3, 20, 0, 0),
		VendorNotifiedUsAt: ptr(utc(2026, 3, 20, 0, 0)), Categories: []string{"health_phi"}, Jurisdictions: []string{"US-TX"}}
	ids := func(ds []incident.VendorDuty) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.RegimeID)
		}
		return out
	}
	if got := ids(c.VendorDuties(f, incident.AssessOptions{}, f.WeLearnedAt)); len(got) != 1 || got[0] != "tx-vendor" {
		t.Errorf("default profile: %v", got)
	}
	ce := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntityHIPAACoveredEntity}}
	ds := c.VendorDuties(f, incident.AssessOptions{Profile: ce}, f.WeLearnedAt)
	if got := ids(ds); len(got) != 2 || got[0] != "tx-vendor" || got[1] != "hipaa-410" {
		t.Fatalf("covered entity: %v", got)
	}
	if h := ds[1]; h.Basis != incident.BasisLaw || !h.DueAt.Equal(utc(2026, 4, 30, 0, 0)) || h.Status != incident.NoticeOnTime || h.Broken {
		t.Errorf("hipaa-410: %+v", h)
	}
	if id, due := incident.LawNoticeDue(ds); id != "hipaa-410" || !due.Equal(utc(2026, 4, 30, 0, 0)) {
		t.Errorf("law notice due: %s %v", id, due)
	}
}

// TestExplainNoticeWithoutClause: no clause in force, and a standard in
// words counted by the policy.
func TestExplainNoticeWithoutClause(t *testing.T) {
	std := contract.DefaultStandardWindows()
	d := utc(2026, 3, 1, 14, 30)
	later := incident.ClauseCandidate{ContractID: "c1", ContractTitle: "MSA", Clause: contract.ClauseVersion{ID: "v1",
		EffectiveFrom: utc(2026, 4, 1, 0, 0), Terms: contract.ClauseTerms{Standard: contract.StandardWithoutUndueDelay, Trigger: contract.TriggerDiscovery}}}
	ex := incident.ExplainNotice(d, []incident.ClauseCandidate{later}, std, nil)
	want := "No breach-notification clause of the vendor's contracts was in force when the vendor discovered the breach on " +
		"2026-03-01 14:30 UTC. The \"without undue delay\" (counted as 72 hours) clause of the MSA of 2026-04-01 came later and does not apply."
	if ex.Governing != nil || len(ex.NotChosen) != 1 || ex.NotChosen[0].Reason != incident.ClauseNotYetInForce || ex.Sentence != want {
		t.Errorf("explanation: %+v\n got %q\nwant %q", ex.Governing, ex.Sentence, want)
	}
}
