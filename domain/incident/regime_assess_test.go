package incident_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/domain/incident"
)

// TestLawByDate: California's breach law as it stood on the day. An
// incident learned in 2018 gets the text before SB 446 (no fixed number of
// days, a working deadline labelled policy); one learned in 2026 the
// 30-day rule; the Attorney General's copy follows the law in force when
// individuals are notified.
func TestLawByDate(t *testing.T) {
	c := incident.DefaultCatalogue()
	us := calendar.USFederal()
	f := incident.IncidentFacts{VendorDiscoveredAt: utc(2017, 10, 12, 0, 0), WeLearnedAt: utc(2018, 3, 28, 0, 0),
		Categories: []string{"ssn"}, Jurisdictions: []string{"US-CA"}, RecordsAffected: 5000,
		Residents: map[string]int64{"US-CA": 1200}}
	a := c.Assess(f, incident.AssessOptions{Calendar: us})
	ind, ok := find(a.Obligations, "ca-ind-2003")
	if !ok || ind.DueAt != nil || ind.DeadlineText != "no fixed deadline: in the most expedient time possible and without unreasonable delay" ||
		ind.WorkingDueAt == nil || !ind.WorkingDueAt.Equal(utc(2018, 4, 27, 0, 0)) ||
		ind.WorkingDeadlineText != "30 calendar days (working deadline set by policy, not law)" ||
		ind.Title != "Notify the affected California residents (no fixed deadline: in the most expedient time possible and without unreasonable delay)" {
		t.Fatalf("2018 incident, ca-ind-2003: %v %+v", ok, ind)
	}
	if _, ok := find(a.Obligations, "ca-ind"); ok {
		t.Error("the SB 446 rule applied to a 2018 incident")
	}
	// The AG's copy waits for the notice to individuals, and which text
	// applies depends on when that comes.
	ag := checkFor(a, "ca-ag")
	if ag.Reason != incident.ReasonNoAnchorYet || ag.Detail != "starts when ca-ind is done; the version in force then applies "+
		"(ca-ag-2012 2012-01-01 to 2026-01-01, ca-ag from 2026-01-01)" {
		t.Errorf("ca-ag before individuals are notified: %+v", ag)
	}
	// Individuals notified on 2018-04-10: the text before SB 446, a sample
	// copy with no deadline.
	a = c.Assess(f, incident.AssessOptions{Calendar: us, Done: map[string]time.Time{"ca-ind-2003": utc(2018, 4, 10, 0, 0)}})
	if s, ok := find(a.Obligations, "ca-ag-2012"); !ok || s.DueAt != nil || s.DeadlineText != "no fixed deadline" ||
		!s.WorkingDueAt.Equal(utc(2018, 5, 10, 0, 0)) || !s.AnchorAt.Equal(utc(2018, 4, 10, 0, 0)) {
		t.Errorf("ca-ag-2012 after the notice: %v %+v", ok, s)
	}
	// Notified in 2026 (SB 446 in force): 15 calendar days.
	a = c.Assess(f, incident.AssessOptions{Calendar: us, Done: map[string]time.Time{"ca-ind-2003": utc(2026, 1, 5, 0, 0)}})
	if s, ok := find(a.Obligations, "ca-ag"); !ok || s.DueAt == nil || !s.DueAt.Equal(utc(2026, 1, 20, 0, 0)) {
		t.Errorf("ca-ag after a 2026 notice: %v %+v", ok, s)
	}
	// Fewer than 500 residents: below the threshold, with both figures.
	f.Residents = map[string]int64{"US-CA": 300}
	ag = checkFor(c.Assess(f, incident.AssessOptions{Calendar: us}), "ca-ag")
	if ag.Reason != incident.ReasonBelowThreshold || ag.Threshold != "CA_residents > 500" || ag.Count == nil || *ag.Count != 300 {
		t.Errorf("ca-ag for 300 residents: %+v", ag)
	}

	// Learned in 2026: SB 446.
	f.WeLearnedAt, f.Residents = utc(2026, 2, 2, 0, 0), map[string]int64{"US-CA": 1200}
	a = c.Assess(f, incident.AssessOptions{Calendar: us})
	if s := summary(a.Obligations); !reflect.DeepEqual(s, []string{"ca-ind@2026-03-04T00:00:00Z", "ca-ag@pending"}) {
		t.Errorf("2026 incident: %q", s)
	}
	// A working deadline is configurable.
	a = c.Assess(incident.IncidentFacts{WeLearnedAt: utc(2018, 3, 28, 0, 0), Categories: []string{"ssn"}, Jurisdictions: []string{"US-CA"}},
		incident.AssessOptions{Working: incident.WorkingDeadlines{Default: domain.Window{Value: 10, Unit: domain.UnitCalendarDays}}})
	if s, _ := find(a.Obligations, "ca-ind-2003"); s.WorkingDueAt == nil || !s.WorkingDueAt.Equal(utc(2018, 4, 7, 0, 0)) {
		t.Errorf("working deadline of 10 days: %+v", s.WorkingDueAt)
	}
}

// TestRegimesNotApplied: each regime checked and not applied says why.
func TestRegimesNotApplied(t *testing.T) {
	c := incident.DefaultCatalogue()
	f := incident.IncidentFacts{VendorDiscoveredAt: utc(2017, 10, 12, 0, 0), WeLearnedAt: utc(2018, 3, 28, 0, 0),
		Categories: []string{"cardholder_data", "chat_transcripts"}, Jurisdictions: []string{"US", "US-CA"}, RecordsAffected: 100_000}
	a := c.Assess(f, incident.AssessOptions{})
	for id, want := range map[string]string{
		"gdpr-33-1":         incident.ReasonJurisdiction + ": concerns EU; the incident affects US, US-CA",
		"co-ind":            incident.ReasonJurisdiction + ": concerns US-CO; the incident affects US, US-CA",
		"visa-wtdic-notify": incident.ReasonNotInForce + ": not in force on 2018-03-28, when its clock starts (in force from 2023-10-14)",
		"visa-wtdic-report": incident.ReasonNotInForce + ": follows visa-wtdic-notify, which does not apply: not in force on 2018-03-28, when its clock starts (in force from 2023-10-14)",
		"ca-ag":             incident.ReasonNoAnchorYet + ": starts when ca-ind is done; the version in force then applies (ca-ag-2012 2012-01-01 to 2026-01-01, ca-ag from 2026-01-01)",
	} {
		ch := checkFor(a, id)
		if got := ch.Reason + ": " + ch.Detail; got != want {
			t.Errorf("%s: %s\nwant %s", id, got, want)
		}
	}
	// Duties of one regime with the same reason are one check.
	if ch := checkFor(a, "co-ind"); !reflect.DeepEqual(ch.RegimeIDs, []string{"co-ind", "co-ag"}) || ch.Regime != "CO breach law" {
		t.Errorf("Colorado: %+v", ch)
	}
	// In one line per reason, what the incident affects said once.
	var jur []incident.RegimeCheck
	for _, ch := range a.NotApplied {
		if ch.Reason == incident.ReasonJurisdiction && (ch.Regime == "GDPR" || ch.Regime == "CO breach law") {
			jur = append(jur, ch)
		}
	}
	if got := incident.SummarizeChecks(jur); got != "GDPR: concerns EU; CO breach law: concerns US-CO (the incident affects US, US-CA)" {
		t.Errorf("summary: %q", got)
	}
	// Chat transcripts alone are not California personal information.
	f.Categories = []string{"chat_transcripts"}
	if ch := checkFor(c.Assess(f, incident.AssessOptions{}), "ca-ind"); ch.Reason != incident.ReasonDataNotCovered ||
		!strings.HasSuffix(ch.Detail, "; the incident affects chat_transcripts") {
		t.Errorf("chat transcripts only: %+v", ch)
	}
	// Not ours and entity types not declared are not checked at all; an
	// extortion payment cannot be recorded.
	a = c.Assess(f, incident.AssessOptions{Profile: incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntityNYDFSCoveredEntity}}})
	for _, id := range []string{"hipaa-404", "ca-vendor", "pfi-prelim"} {
		if ch := checkFor(a, id); ch.Reason != "" {
			t.Errorf("%s checked: %+v", id, ch)
		}
	}
	if ch := checkFor(a, "nydfs-500-17c-24h"); ch.Reason != incident.ReasonNoAnchorYet || !reflect.DeepEqual(ch.RegimeIDs, []string{"nydfs-500-17c-24h", "nydfs-500-17c-30d"}) {
		t.Errorf("NYDFS extortion payment: %+v", ch)
	}
}
