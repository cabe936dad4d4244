package incident_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/domain/incident"
)

// sharedIDs are the 66 row ids of shared/reference/regimes.json.
var sharedIDs = []string{"gdpr-33-1", "gdpr-33-2", "gdpr-34", "ukgdpr-33-1", "ukgdpr-33-2", "uk-pecr-5a",
	"nis2-23-early", "nis2-23-notif", "nis2-23-final", "dora-initial", "dora-intermediate", "dora-final",
	"ca-pipeda", "au-ndb-assess", "au-ndb-notify", "hipaa-404", "hipaa-410", "hipaa-406", "hipaa-408b",
	"hipaa-408c", "ftc-hbnr", "glba-ftc-314-4j", "bank-36h", "bank-bsp", "sec-8k-105", "sec-regsp-individuals",
	"sec-regsp-sp", "circia-incident", "circia-ransom", "nydfs-500-17a", "nydfs-500-17c-24h", "nydfs-500-17c-30d",
	"visa-wtdic-notify", "visa-wtdic-report", "visa-accounts", "pfi-prelim", "mc-adc-report", "mc-pfi",
	"amex-dsop", "ca-ind-2003", "ca-ag-2012", "ca-ind", "ca-ag", "ca-vendor", "ca-hs-1280", "co-ind", "co-ag", "co-vendor", "fl-ind",
	"fl-ag", "fl-vendor", "tx-ind", "tx-ag", "tx-vendor", "wa-ind", "wa-ag", "wa-vendor", "ny-ind",
	"ny-vendor", "ct-ind", "md-ind", "al-ind", "al-ag", "al-vendor", "vt-ind", "vt-ag-prelim"}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestCatalogueLoads(t *testing.T) {
	c := incident.DefaultCatalogue()
	rs := c.Regimes()
	if len(rs) != 66 {
		t.Fatalf("%d regimes, want 66", len(rs))
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
		if r.Citation == "" || !slices.Contains([]string{"V", "P", "U"}, r.Status) {
			t.Errorf("%s: citation %q status %q", r.ID, r.Citation, r.Status)
		}
		if r.VendorObligation && r.Ours {
			t.Errorf("%s: a vendor obligation marked ours", r.ID)
		}
		if got, ok := c.Regime(r.ID); !ok || got.ID != r.ID {
			t.Errorf("Regime(%q) = %v, %v", r.ID, got.ID, ok)
		}
	}
	if !reflect.DeepEqual(ids, sharedIDs) {
		t.Errorf("ids = %v\nwant %v", ids, sharedIDs)
	}
	if _, ok := c.Regime("nope"); ok {
		t.Error("Regime(nope) found")
	}
	// Callers get copies: changing one does not change the catalogue.
	rs[0].Sources[0] = "changed"
	if r, _ := c.Regime(rs[0].ID); r.Sources[0] == "changed" {
		t.Error("Regimes() shares its slices with the catalogue")
	}
	// Spot checks of the transcription and the mapping.
	for id, want := range map[string]string{
		"gdpr-33-1":         "GDPR Art. 33(1) | V | 72 hours | EU | we_learned_at | personal | ",
		"gdpr-34":           "GDPR Art. 34 | P | no fixed deadline: without undue delay | EU | we_learned_at | personal | ",
		"ukgdpr-33-1":       "UK GDPR Art. 33(1) | V | 72 hours | GB | we_learned_at | personal | ",
		"sec-8k-105":        "Form 8-K Item 1.05; Release 33-11216 | V | 4 business days | US | materiality_determined_at | any | sec_registrant",
		"hipaa-408c":        "45 CFR 164.408(c) | P | 60 days after the end of the calendar year | US | year_end | health_phi | hipaa_covered_entity",
		"dora-initial":      "Reg (EU) 2022/2554 Art. 19(4)(a); Del. Reg. (EU) 2025/301 Art. 5 | V | 4 hours | EU | classification | any | dora_financial_entity",
		"nis2-23-final":     "Art. 23(4)(d) | V | 1 month | EU | after:nis2-23-notif | any | nis2_entity",
		"ca-ag":             "Cal. Civ. Code 1798.82(f) (SB 446) | V | 15 calendar days | US-CA | after:ca-ind | ssn+7 | ",
		"visa-wtdic-report": "WTDIC §A.2 | P | 3 calendar days | * | after:visa-wtdic-notify | cardholder_data+1 | ",
	} {
		r, _ := c.Regime(id)
		data := "personal"
		switch {
		case r.AnyIncident:
			data = "any"
		case len(r.Categories) > 1:
			data = fmt.Sprintf("%s+%d", r.Categories[0], len(r.Categories)-1)
		case len(r.Categories) == 1:
			data = r.Categories[0]
		}
		got := strings.Join([]string{r.Citation, r.Status, r.DeadlineText(), strings.Join(r.Jurisdictions, ","), r.Anchor, data, string(r.AppliesTo)}, " | ")
		if got != want {
			t.Errorf("%s: %s\nwant %s", id, got, want)
		}
	}
	ca, _ := c.Regime("ca-ind")
	if ca.EffectiveFrom == nil || *ca.EffectiveFrom != domain.NewDate(2026, 1, 1) || ca.EffectiveTo != nil {
		t.Errorf("ca-ind in force from %v to %v, want from 2026-01-01", ca.EffectiveFrom, ca.EffectiveTo)
	}
	old, _ := c.Regime("ca-ind-2003")
	if old.Period() != "2003-07-01 to 2026-01-01" || old.Duty != "ca-ind" || old.DeadlineText() !=
		"no fixed deadline: in the most expedient time possible and without unreasonable delay" {
		t.Errorf("ca-ind-2003: %s, duty %s, %q", old.Period(), old.Duty, old.DeadlineText())
	}
	if ag, _ := c.Regime("ca-ag-2012"); ag.Duty != "ca-ag" || ag.Anchor != "after:ca-ind" || ag.DeadlineText() != "no fixed deadline" {
		t.Errorf("ca-ag-2012: duty %s anchor %s %q", ag.Duty, ag.Anchor, ag.DeadlineText())
	}
	if vs := c.Versions("ca-ind"); len(vs) != 2 || vs[0].ID != "ca-ind-2003" || vs[1].ID != "ca-ind" {
		t.Errorf("versions of ca-ind: %v", vs)
	}
	// Titles say what is required.
	for id, want := range map[string]string{
		"visa-accounts": "Give Visa the compromised account numbers within 10 business days",
		"ca-ind-2003":   "Notify the affected California residents (no fixed deadline: in the most expedient time possible and without unreasonable delay)",
		"ca-ag":         "Send the California Attorney General a sample copy of the notice within 15 calendar days",
	} {
		if r, _ := c.Regime(id); r.Title() != want {
			t.Errorf("%s title %q\nwant %q", id, r.Title(), want)
		}
	}
	for _, id := range []string{"pfi-prelim", "mc-pfi", "gdpr-33-2", "hipaa-410", "fl-vendor"} {
		if r, _ := c.Regime(id); r.Ours {
			t.Errorf("%s marked ours", id)
		}
	}
}

// TestCatalogueMatchesSharedFile checks the transcription field by field
// against shared/reference/regimes.json when it is next to the checkout.
func TestCatalogueMatchesSharedFile(t *testing.T) {
	raw, err := os.ReadFile("../../../shared/reference/regimes.json")
	if err != nil {
		t.Skipf("shared reference not available: %v", err)
	}
	var src struct {
		Obligations []map[string]any `json:"obligations"`
	}
	if err := json.Unmarshal(raw, &src); err != nil {
		t.Fatal(err)
	}
	c := incident.DefaultCatalogue()
	if len(src.Obligations) != len(c.Regimes()) {
		t.Fatalf("shared file has %d rows, catalogue %d", len(src.Obligations), len(c.Regimes()))
	}
	str := func(v any) string {
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	}
	for _, o := range src.Obligations {
		id := o["id"].(string)
		r, ok := c.Regime(id)
		if !ok {
			t.Errorf("%s missing", id)
			continue
		}
		dl := o["deadline"].(map[string]any)
		eff, to := "", ""
		if r.EffectiveFrom != nil {
			eff = r.EffectiveFrom.String()
		}
		if r.EffectiveTo != nil {
			to = r.EffectiveTo.String()
		}
		want := []string{str(o["regime"]), str(o["jurisdiction"]), str(o["citation"]), str(o["notifier"]), str(o["recipient"]),
			str(o["trigger"]), str(dl["standard"]), str(dl["max_value"]), str(dl["max_unit"]), str(o["data_scope"]),
			str(o["effective_from"]), str(o["effective_to"]), str(o["vendor_obligation"]), str(o["status"]), str(o["sources"]), str(o["notes"])}
		value, unit := "", ""
		if r.Deadline != nil {
			value, unit = fmt.Sprint(r.Deadline.Value), r.Deadline.Unit
		}
		got := []string{r.Regime, r.Jurisdiction, r.Citation, r.Notifier, r.Recipient, r.Trigger, r.Standard, value, unit,
			r.DataScope, eff, to, fmt.Sprint(r.VendorObligation), r.Status, fmt.Sprint(r.Sources), r.Notes}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", id, got, want)
		}
		th, _ := o["threshold"].(map[string]any)
		switch {
		case th == nil && r.Threshold != nil, th != nil && r.Threshold == nil:
			t.Errorf("%s: threshold %v vs %v", id, th, r.Threshold)
		case th != nil:
			if fmt.Sprint(th["metric"], th["operator"], th["value"], str(th["applies_to"])) !=
				fmt.Sprint(r.Threshold.Metric, r.Threshold.Operator, r.Threshold.Value, r.Threshold.AppliesTo) {
				t.Errorf("%s: threshold %v vs %+v", id, th, *r.Threshold)
			}
		}
		alts := dl["alt_limits"].([]any)
		if len(alts) != len(r.AltLimits) {
			t.Errorf("%s: %d alternative limits, want %d", id, len(r.AltLimits), len(alts))
			continue
		}
		for i, a := range alts {
			a := a.(map[string]any)
			g := r.AltLimits[i]
			if fmt.Sprint(a["trigger"], a["max_value"], a["max_unit"], a["combine"]) != fmt.Sprint(g.Trigger, g.Deadline.Value, g.Deadline.Unit, g.Combine) {
				t.Errorf("%s: alternative limit %v vs %+v", id, a, g)
			}
		}
	}
}

func TestParseCatalogueRejectsBadRows(t *testing.T) {
	raw, err := os.ReadFile("regimes.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := incident.ParseCatalogue(raw); err != nil {
		t.Fatalf("embedded file: %v", err)
	}
	row := func(doc map[string]any, id string) map[string]any {
		for _, r := range doc["regimes"].([]any) {
			if r.(map[string]any)["id"] == id {
				return r.(map[string]any)
			}
		}
		t.Fatalf("no row %s", id)
		return nil
	}
	for _, tc := range []struct {
		name, want string
		mutate     func(doc map[string]any)
	}{
		{"duplicate id", "duplicate id", func(d map[string]any) { row(d, "gdpr-34")["id"] = "gdpr-33-1" }},
		{"no citation", "no citation", func(d map[string]any) { row(d, "tx-ag")["citation"] = " " }},
		{"bad status", `status "X"`, func(d map[string]any) { row(d, "tx-ag")["status"] = "X" }},
		{"unknown unit", `unknown deadline unit "weeks"`, func(d map[string]any) {
			row(d, "tx-ag")["deadline"] = map[string]any{"value": 2, "unit": "weeks"}
		}},
		{"zero deadline", "deadline value 0", func(d map[string]any) {
			row(d, "tx-ag")["deadline"] = map[string]any{"value": 0, "unit": "hours"}
		}},
		{"unknown operator", `unknown threshold operator "=="`, func(d map[string]any) {
			row(d, "tx-ag")["threshold"].(map[string]any)["operator"] = "=="
		}},
		{"unknown metric", `unknown threshold metric "records"`, func(d map[string]any) {
			row(d, "tx-ag")["threshold"].(map[string]any)["metric"] = "records"
		}},
		{"metric of no state", `"ZZ_residents" names no US state`, func(d map[string]any) {
			row(d, "tx-ag")["threshold"].(map[string]any)["metric"] = "ZZ_residents"
		}},
		{"unknown anchor", `unknown anchor "whenever"`, func(d map[string]any) { row(d, "tx-ag")["anchor"] = "whenever" }},
		{"chain to nowhere", `"after:xx-ind" points at no row`, func(d map[string]any) { row(d, "ca-ag")["anchor"] = "after:xx-ind" }},
		{"chain cycle", "forms a cycle", func(d map[string]any) { row(d, "ca-ind")["anchor"] = "after:ca-ag" }},
		{"year_end with days", "anchor year_end goes with unit", func(d map[string]any) { row(d, "hipaa-404")["anchor"] = "year_end" }},
		{"unknown category", `unknown data category "dna"`, func(d map[string]any) { row(d, "tx-ag")["categories"] = []any{"dna"} }},
		{"two data conditions", "exactly one data condition", func(d map[string]any) { row(d, "tx-ag")["personal_data"] = true }},
		{"UK code", `jurisdiction "UK"`, func(d map[string]any) { row(d, "ukgdpr-33-1")["jurisdictions"] = []any{"UK"} }},
		{"unknown entity type", `unknown entity type "insurer"`, func(d map[string]any) { row(d, "bank-36h")["applies_to"] = "insurer" }},
		{"entity-scoped row without entity", "any_incident needs an entity type", func(d map[string]any) { row(d, "bank-36h")["applies_to"] = "" }},
		{"vendor row ours", "cannot be ours", func(d map[string]any) { row(d, "ca-vendor")["ours"] = true }},
		{"event without none", "needs anchor none", func(d map[string]any) { row(d, "nydfs-500-17a")["requires_event"] = "extortion_payment" }},
		{"words only without words", "neither a deadline nor a standard", func(d map[string]any) { row(d, "gdpr-34")["standard"] = "" }},
		{"unknown field", `unknown field "deadline_days"`, func(d map[string]any) { row(d, "tx-ag")["deadline_days"] = 30 }},
		{"bad date", "not a date", func(d map[string]any) { row(d, "tx-ag")["effective_from"] = "2023-02-30" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			tc.mutate(doc)
			bad, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			_, err = incident.ParseCatalogue(bad)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestThresholds(t *testing.T) {
	c := incident.DefaultCatalogue()
	for _, tc := range []struct {
		id       string
		below    int64 // just below: not met
		above    int64 // just above: met
		operator string
	}{
		{"tx-ag", 249, 250, ">="},
		{"hipaa-406", 500, 501, ">"},
		{"ca-ag", 500, 501, ">"},
		{"wa-ag", 500, 501, ">"},
		{"co-ag", 499, 500, ">="},
		{"fl-ag", 499, 500, ">="},
		{"al-ag", 1000, 1001, ">"},
		{"hipaa-408b", 499, 500, ">="},
		{"glba-ftc-314-4j", 499, 500, ">="},
	} {
		r, _ := c.Regime(tc.id)
		if r.Threshold == nil || r.Threshold.Operator != tc.operator {
			t.Errorf("%s: threshold %+v, want operator %s", tc.id, r.Threshold, tc.operator)
			continue
		}
		if r.Threshold.Met(tc.below) || !r.Threshold.Met(tc.above) {
			t.Errorf("%s (%s): Met(%d) = %v, Met(%d) = %v", tc.id, r.Threshold, tc.below, r.Threshold.Met(tc.below), tc.above, r.Threshold.Met(tc.above))
		}
	}
	log, _ := c.Regime("hipaa-408c") // fewer than 500
	if !log.Threshold.Met(499) || log.Threshold.Met(500) {
		t.Errorf("hipaa-408c %s: 499 and 500 misjudged", log.Threshold)
	}
	le := incident.Threshold{Metric: "individuals", Operator: "<=", Value: 10}
	if !le.Met(10) || le.Met(11) || (incident.Threshold{Operator: "=="}).Met(0) {
		t.Error("<= or unknown operator misjudged")
	}

	// The same edges through the engine, with per-state counts and with
	// the total records as the upper bound.
	learned := utc(2026, 3, 2, 9, 0)
	hipaa := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntityHIPAACoveredEntity}}
	ssn := func(state string, records int64, residents map[string]int64) incident.IncidentFacts {
		return incident.IncidentFacts{Categories: []string{"ssn"}, Jurisdictions: []string{state}, RecordsAffected: records, Residents: residents}
	}
	phi := func(records int64, residents map[string]int64, states ...string) incident.IncidentFacts {
		return incident.IncidentFacts{Categories: []string{"health_phi"}, Jurisdictions: states, RecordsAffected: records, Residents: residents}
	}
	for _, tc := range []struct {
		name      string
		f         incident.IncidentFacts
		p         incident.OrgProfile
		id        string
		want      bool
		noteMatch string
	}{
		{"TX AG 249 residents", ssn("US-TX", 5000, map[string]int64{"US-TX": 249}), incident.OrgProfile{}, "tx-ag", false, ""},
		{"TX AG 250 residents", ssn("US-TX", 5000, map[string]int64{"US-TX": 250}), incident.OrgProfile{}, "tx-ag", true, "250 residents of US-TX recorded"},
		{"TX AG 249 records", ssn("US-TX", 249, nil), incident.OrgProfile{}, "tx-ag", false, ""},
		{"TX AG 250 records, upper bound", ssn("US-TX", 250, nil), incident.OrgProfile{}, "tx-ag", true, "an upper bound"},
		{"CA AG 500", ssn("US-CA", 9000, map[string]int64{"US-CA": 500}), incident.OrgProfile{}, "ca-ag", false, ""},
		{"CA AG 501", ssn("US-CA", 9000, map[string]int64{"US-CA": 501}), incident.OrgProfile{}, "ca-ag", true, ""},
		{"AL AG 1000", ssn("US-AL", 1000, nil), incident.OrgProfile{}, "al-ag", false, ""},
		{"AL AG 1001", ssn("US-AL", 1001, nil), incident.OrgProfile{}, "al-ag", true, ""},
		{"HIPAA media 500 in one state", phi(800, map[string]int64{"US-TX": 500, "US-OK": 300}, "US-TX", "US-OK"), hipaa, "hipaa-406", false, ""},
		{"HIPAA media 501 in one state", phi(801, map[string]int64{"US-TX": 501, "US-OK": 300}, "US-TX", "US-OK"), hipaa, "hipaa-406", true, "largest per-state residents count recorded: 501"},
		{"HIPAA media 800 records, one state unknown", phi(800, map[string]int64{"US-TX": 100}, "US-TX", "US-OK"), hipaa, "hipaa-406", true, "upper bound"},
		{"HIPAA HHS 499", phi(499, nil, "US-TX"), hipaa, "hipaa-408b", false, ""},
		{"HIPAA HHS 500", phi(500, nil, "US-TX"), hipaa, "hipaa-408b", true, "taken as the number of individuals"},
		{"HIPAA log 499", phi(499, nil, "US-TX"), hipaa, "hipaa-408c", true, ""},
		{"HIPAA log 500", phi(500, nil, "US-TX"), hipaa, "hipaa-408c", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.WeLearnedAt, tc.f.VendorDiscoveredAt = learned, learned.Add(-48*time.Hour)
			s, ok := find(c.Obligations(tc.f, tc.p, calendar.USFederal(), nil), tc.id)
			if ok != tc.want {
				t.Fatalf("%s generated = %v, want %v", tc.id, ok, tc.want)
			}
			if ok && tc.noteMatch != "" && !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, tc.noteMatch) }) {
				t.Errorf("notes %q lack %q", s.Notes, tc.noteMatch)
			}
		})
	}
}

func find(specs []incident.ObligationSpec, id string) (incident.ObligationSpec, bool) {
	for _, s := range specs {
		if s.RegimeID == id {
			return s, true
		}
	}
	return incident.ObligationSpec{}, false
}

// checkFor returns the check that names regime id.
func checkFor(a incident.Assessment, id string) incident.RegimeCheck {
	for _, ch := range a.NotApplied {
		if slices.Contains(ch.RegimeIDs, id) {
			return ch
		}
	}
	return incident.RegimeCheck{}
}

// summary renders specs as "id@due" ("id@-" for a words-only deadline,
// "id@pending" while the anchor has not happened).
func summary(specs []incident.ObligationSpec) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		switch {
		case s.DueAt != nil:
			out[i] = s.RegimeID + "@" + s.DueAt.Format(time.RFC3339)
		case s.AnchorAt == nil:
			out[i] = s.RegimeID + "@pending"
		default:
			out[i] = s.RegimeID + "@-"
		}
	}
	return out
}

func TestObligationsCardIncident(t *testing.T) {
	c := incident.DefaultCatalogue()
	us := calendar.USFederal()
	f := incident.IncidentFacts{
		VendorDiscoveredAt: utc(2026, 2, 20, 9, 0),
		WeLearnedAt:        utc(2026, 3, 2, 9, 0), // Monday
		Categories:         []string{"cardholder_data"},
		Jurisdictions:      []string{"US-CA", "US-NY", "DE"},
		RecordsAffected:    100_000,
	}
	got := c.Obligations(f, incident.OrgProfile{}, us, nil)
	want := []string{
		"mc-adc-report@2026-03-03T09:00:00Z",     // 24 hours
		"amex-dsop@2026-03-05T09:00:00Z",         // 72 hours
		"gdpr-33-1@2026-03-05T09:00:00Z",         // 72 hours (DE is in the EU)
		"visa-wtdic-notify@2026-03-05T09:00:00Z", // 3 calendar days
		"visa-accounts@2026-03-16T09:00:00Z",     // 10 business days
		"ca-ind@2026-04-01T09:00:00Z",            // 30 calendar days, in force since 2026-01-01
		"ny-ind@2026-04-01T09:00:00Z",            // 30 calendar days
		"ca-ag@pending",                          // after ca-ind
		"gdpr-34@-",                              // without undue delay
		"visa-wtdic-report@pending",              // after visa-wtdic-notify
	}
	if s := summary(got); !reflect.DeepEqual(s, want) {
		t.Fatalf("obligations:\n got %q\nwant %q", s, want)
	}
	for _, s := range got {
		if s.Regime.ID != s.RegimeID || s.Recipient != s.Regime.Recipient || s.Regime.Status == "" || s.Regime.Citation == "" {
			t.Errorf("%s: regime not carried: %+v", s.RegimeID, s.Regime)
		}
		if s.AnchorAt != nil && s.AnchorAt.Location() != time.UTC || s.DueAt != nil && s.DueAt.Location() != time.UTC {
			t.Errorf("%s: times not UTC", s.RegimeID)
		}
	}
	g34, _ := find(got, "gdpr-34")
	if g34.DeadlineText != "no fixed deadline: without undue delay" || g34.WorkingDueAt == nil ||
		!g34.WorkingDueAt.Equal(f.WeLearnedAt.AddDate(0, 0, 30)) || g34.AnchorAt == nil || !g34.AnchorAt.Equal(f.WeLearnedAt) {
		t.Errorf("gdpr-34 = %q anchored %v", g34.DeadlineText, g34.AnchorAt)
	}
	va, _ := find(got, "visa-accounts")
	if va.DeadlineText != "10 business days" || !slices.Contains(va.Notes, "business days on the US federal calendar") {
		t.Errorf("visa-accounts: %q %q", va.DeadlineText, va.Notes)
	}
	caag, _ := find(got, "ca-ag")
	if caag.Anchor != "after:ca-ind" || !slices.Contains(caag.Notes, "starts when ca-ind is done") ||
		!slices.ContainsFunc(caag.Notes, func(n string) bool { return strings.Contains(n, "upper bound") }) {
		t.Errorf("ca-ag: anchor %q notes %q", caag.Anchor, caag.Notes)
	}

	// Marking the earlier notices done starts the chained clocks.
	done := map[string]time.Time{
		"visa-wtdic-notify": time.Date(2026, 3, 4, 7, 0, 0, 0, time.FixedZone("EST", -5*3600)), // 12:00Z
		"ca-ind":            utc(2026, 3, 20, 10, 0),
	}
	got = c.Obligations(f, incident.OrgProfile{}, us, done)
	for id, want := range map[string]string{
		"visa-wtdic-report": "2026-03-07T12:00:00Z", // 3 calendar days after the notice
		"ca-ag":             "2026-04-04T10:00:00Z", // 15 calendar days after notifying individuals
	} {
		s, _ := find(got, id)
		if s.DueAt == nil || s.DueAt.Format(time.RFC3339) != want || s.AnchorAt.Location() != time.UTC {
			t.Errorf("%s due %v, want %s", id, s.DueAt, want)
		}
	}

	// Learned in 2025: California's 30-day rule (SB 446) is not yet in
	// force; the text before it sets no number of days.
	f.WeLearnedAt = utc(2025, 3, 3, 9, 0)
	got = c.Obligations(f, incident.OrgProfile{}, us, nil)
	want = []string{"mc-adc-report@2025-03-04T09:00:00Z", "amex-dsop@2025-03-06T09:00:00Z", "gdpr-33-1@2025-03-06T09:00:00Z",
		"visa-wtdic-notify@2025-03-06T09:00:00Z", "visa-accounts@2025-03-17T09:00:00Z", "ny-ind@2025-04-02T09:00:00Z",
		"ca-ind-2003@-", "gdpr-34@-", "visa-wtdic-report@pending"}
	if s := summary(got); !reflect.DeepEqual(s, want) {
		t.Errorf("learned 2025:\n got %q\nwant %q", s, want)
	}
}

func TestObligationsProfileAndOwnership(t *testing.T) {
	c := incident.DefaultCatalogue()
	f := incident.IncidentFacts{WeLearnedAt: utc(2026, 3, 2, 9, 0), VendorDiscoveredAt: utc(2026, 3, 1, 9, 0),
		MaterialityDeterminedAt: ptr(utc(2026, 3, 3, 9, 0)), VendorIsAgent: true,
		Categories: []string{"cardholder_data", "sensitive_auth_data", "ssn", "drivers_license", "financial_account",
			"health_phi", "credentials", "biometric", "contact_pii"},
		Jurisdictions: []string{"US-CA", "US-CO", "US-FL", "US-TX", "US-WA", "US-NY", "US-CT", "US-MD", "US-AL", "US-VT",
			"FR", "GB", "CA", "AU"},
		RecordsAffected: 100_000}
	all := incident.OrgProfile{EntityTypes: incident.EntityTypes()}
	var ids []string
	for _, s := range c.Obligations(f, all, calendar.USFederal(), nil) {
		ids = append(ids, s.RegimeID)
		if !s.Regime.Ours || s.Regime.VendorObligation || !s.Regime.InForce || s.Regime.RequiresEvent != "" {
			t.Errorf("%s generated: ours %v vendor %v in force %v event %q", s.RegimeID, s.Regime.Ours, s.Regime.VendorObligation, s.Regime.InForce, s.Regime.RequiresEvent)
		}
	}
	// Never generated: the vendors' duties, the investigator's and the
	// acquirer's, rules not in force, extortion-payment clocks; and the
	// HIPAA annual log, as 100,000 individuals are not fewer than 500; and
	// California's text before SB 446, not in force in 2026.
	never := []string{"ca-ind-2003", "ca-ag-2012", "gdpr-33-2", "ukgdpr-33-2", "hipaa-410", "bank-bsp", "sec-regsp-sp", "ca-vendor", "co-vendor",
		"fl-vendor", "tx-vendor", "wa-vendor", "ny-vendor", "al-vendor", "pfi-prelim", "mc-pfi", "circia-incident",
		"circia-ransom", "nydfs-500-17c-24h", "nydfs-500-17c-30d", "hipaa-408c"}
	var want []string
	for _, id := range sharedIDs {
		if !slices.Contains(never, id) {
			want = append(want, id)
		}
	}
	slices.Sort(ids)
	slices.Sort(want)
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("full profile:\n got %v\nwant %v", ids, want)
	}

	// The default profile keeps only what binds any data owner.
	for _, s := range c.Obligations(f, incident.OrgProfile{}, calendar.USFederal(), nil) {
		if s.Regime.AppliesTo != "" {
			t.Errorf("%s (applies to %s) generated for the default profile", s.RegimeID, s.Regime.AppliesTo)
		}
	}

	// Entity-scoped rows bind whatever the data subjects' jurisdictions.
	sec := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntitySECRegistrant, incident.EntityNYDFSCoveredEntity}}
	eu := incident.IncidentFacts{WeLearnedAt: f.WeLearnedAt, MaterialityDeterminedAt: f.MaterialityDeterminedAt,
		Categories: []string{"contact_pii"}, Jurisdictions: []string{"DE"}, RecordsAffected: 10}
	if got := summary(c.Obligations(eu, sec, calendar.USFederal(), nil)); !reflect.DeepEqual(got, []string{
		"gdpr-33-1@2026-03-05T09:00:00Z", "nydfs-500-17a@2026-03-05T09:00:00Z", "sec-8k-105@2026-03-09T09:00:00Z", "gdpr-34@-"}) {
		t.Errorf("EU-only incident of an SEC registrant and NYDFS covered entity: %q", got)
	}

	// FTC HBNR binds at any count; the 500 threshold only adds the FTC.
	phr := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntityPHRVendor}}
	health := incident.IncidentFacts{WeLearnedAt: f.WeLearnedAt, Categories: []string{"health_phi"}, Jurisdictions: []string{"US"}, RecordsAffected: 120}
	s, ok := find(c.Obligations(health, phr, calendar.USFederal(), nil), "ftc-hbnr")
	if !ok || s.DueAt.Format(time.RFC3339) != "2026-05-01T09:00:00Z" ||
		!slices.ContainsFunc(s.Notes, func(n string) bool { return strings.HasPrefix(n, "FTC contemporaneous notice: not owed") }) {
		t.Errorf("ftc-hbnr for 120 individuals: %v %v %q", ok, s.DueAt, s.Notes)
	}
}

func ptr[T any](v T) *T { return &v }

func TestObligationsSECMateriality(t *testing.T) {
	c := incident.DefaultCatalogue()
	sec := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntitySECRegistrant}}
	f := incident.IncidentFacts{WeLearnedAt: utc(2027, 1, 12, 10, 0), VendorDiscoveredAt: utc(2027, 1, 11, 10, 0),
		Categories: []string{"ssn"}, Jurisdictions: []string{"US-CA"}, RecordsAffected: 50}

	s, ok := find(c.Obligations(f, sec, calendar.USFederal(), nil), "sec-8k-105")
	if !ok || s.AnchorAt != nil || s.DueAt != nil || s.Anchor != "materiality_determined_at" ||
		!slices.ContainsFunc(s.Notes, func(n string) bool { return strings.HasPrefix(n, "starts when materiality is determined") }) {
		t.Fatalf("before the determination: %v %+v", ok, s)
	}

	// Thursday 14 January 2027, 15:00: four business days skip the weekend
	// and Martin Luther King Jr. Day (Monday 18th): Thursday 21st, 15:00.
	f.MaterialityDeterminedAt = ptr(utc(2027, 1, 14, 15, 0))
	s, _ = find(c.Obligations(f, sec, calendar.USFederal(), nil), "sec-8k-105")
	if s.DueAt == nil || !s.DueAt.Equal(utc(2027, 1, 21, 15, 0)) || !s.AnchorAt.Equal(utc(2027, 1, 14, 15, 0)) || s.DeadlineText != "4 business days" {
		t.Errorf("sec-8k-105 due %v from %v (%q), want 2027-01-21T15:00Z", s.DueAt, s.AnchorAt, s.DeadlineText)
	}
	// Without a calendar, weekends only: Wednesday 20th.
	s, _ = find(c.Obligations(f, sec, nil, nil), "sec-8k-105")
	if s.DueAt == nil || !s.DueAt.Equal(utc(2027, 1, 20, 15, 0)) {
		t.Errorf("sec-8k-105 without a calendar due %v, want 2027-01-20T15:00Z", s.DueAt)
	}
	// The rule in force when materiality is determined governs, not the
	// date we learned: learned before the compliance date (2023-12-18)
	// and determined on it, the rule applies; determined the day before,
	// it does not.
	f.WeLearnedAt = utc(2023, 12, 10, 23, 0)
	f.MaterialityDeterminedAt = ptr(utc(2023, 12, 18, 9, 0))
	if _, ok := find(c.Obligations(f, sec, calendar.USFederal(), nil), "sec-8k-105"); !ok {
		t.Error("sec-8k-105 not generated for a determination on 2023-12-18")
	}
	f.MaterialityDeterminedAt = ptr(utc(2023, 12, 17, 23, 0))
	a := c.Assess(f, incident.AssessOptions{Profile: sec})
	if _, ok := find(a.Obligations, "sec-8k-105"); ok || len(a.NotApplied) == 0 {
		t.Fatal("sec-8k-105 generated for a determination on 2023-12-17")
	}
	if ch := checkFor(a, "sec-8k-105"); ch.Reason != incident.ReasonNotInForce ||
		ch.Detail != "not in force on 2023-12-17, when its clock starts (in force from 2023-12-18)" {
		t.Errorf("sec-8k-105 not applied: %+v", ch)
	}
	// Not determined yet, learned before the rule: which law applies
	// depends on when materiality is determined.
	f.MaterialityDeterminedAt = nil
	if ch := checkFor(c.Assess(f, incident.AssessOptions{Profile: sec}), "sec-8k-105"); ch.Reason != incident.ReasonNoAnchorYet {
		t.Errorf("sec-8k-105 before the determination, learned 2023-12-10: %+v", ch)
	}
}

func TestObligationsHIPAA(t *testing.T) {
	c := incident.DefaultCatalogue()
	ce := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntityHIPAACoveredEntity}}
	base := incident.IncidentFacts{VendorDiscoveredAt: utc(2026, 5, 1, 8, 0), WeLearnedAt: utc(2026, 6, 15, 14, 0),
		Categories: []string{"health_phi"}, Jurisdictions: []string{"US-TX"}, RecordsAffected: 1000}
	for _, tc := range []struct {
		name       string
		agent      bool
		anchor     string
		anchorAt   time.Time
		individual time.Time
	}{
		// The vendor is our agent: its discovery (1 May) is ours; 60 calendar days.
		{"agent", true, "vendor_discovered_at", utc(2026, 5, 1, 8, 0), utc(2026, 6, 30, 8, 0)},
		// Not our agent: our own discovery (15 June).
		{"not agent", false, "we_learned_at", utc(2026, 6, 15, 14, 0), utc(2026, 8, 14, 14, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			f.VendorIsAgent = tc.agent
			got := c.Obligations(f, ce, calendar.USFederal(), nil)
			for _, id := range []string{"hipaa-404", "hipaa-406", "hipaa-408b"} {
				s, ok := find(got, id)
				if !ok || s.Anchor != tc.anchor || !s.AnchorAt.Equal(tc.anchorAt) || !s.DueAt.Equal(tc.individual) {
					t.Errorf("%s: %v anchor %s %v due %v, want %s %s %s", id, ok, s.Anchor, s.AnchorAt, s.DueAt, tc.anchor, tc.anchorAt, tc.individual)
				}
			}
			if _, ok := find(got, "hipaa-408c"); ok {
				t.Error("annual log generated for 1000 individuals")
			}
		})
	}

	// Fewer than 500: the annual log, 60 days after 31 December of the
	// discovery year, due at 00:00 UTC on the 60th day.
	for _, tc := range []struct {
		name     string
		vendor   time.Time
		learned  time.Time
		agent    bool
		anchorAt time.Time
		due      time.Time
	}{
		{"2026 breach", utc(2026, 5, 1, 8, 0), utc(2026, 6, 15, 14, 0), false, utc(2026, 12, 31, 0, 0), utc(2027, 3, 1, 0, 0)},
		{"2027 breach, leap year after", utc(2027, 5, 1, 8, 0), utc(2027, 6, 15, 14, 0), false, utc(2027, 12, 31, 0, 0), utc(2028, 2, 29, 0, 0)},
		{"agent discovered in 2025, we learned in 2026", utc(2025, 12, 20, 8, 0), utc(2026, 1, 10, 9, 0), true, utc(2025, 12, 31, 0, 0), utc(2026, 3, 1, 0, 0)},
		{"not agent: our discovery year", utc(2025, 12, 20, 8, 0), utc(2026, 1, 10, 9, 0), false, utc(2026, 12, 31, 0, 0), utc(2027, 3, 1, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			f.VendorDiscoveredAt, f.WeLearnedAt, f.VendorIsAgent, f.RecordsAffected = tc.vendor, tc.learned, tc.agent, 120
			got := c.Obligations(f, ce, calendar.USFederal(), nil)
			s, ok := find(got, "hipaa-408c")
			if !ok || s.Anchor != "year_end" || !s.AnchorAt.Equal(tc.anchorAt) || !s.DueAt.Equal(tc.due) || s.DeadlineText != "60 days after the end of the calendar year" {
				t.Errorf("hipaa-408c: %v anchor %s %v due %v %q, want %s %s", ok, s.Anchor, s.AnchorAt, s.DueAt, s.DeadlineText, tc.anchorAt, tc.due)
			}
			for _, id := range []string{"hipaa-408b", "hipaa-406"} {
				if _, ok := find(got, id); ok {
					t.Errorf("%s generated for 120 individuals", id)
				}
			}
		})
	}
}

func TestObligationsDORA(t *testing.T) {
	c := incident.DefaultCatalogue()
	dora := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntityDORAFinancialEntity}}
	f := incident.IncidentFacts{WeLearnedAt: utc(2026, 3, 2, 9, 0), Jurisdictions: []string{"US-CA"}}
	got := c.Obligations(f, dora, calendar.USFederal(), nil)
	if s := summary(got); !reflect.DeepEqual(s, []string{"dora-initial@2026-03-03T09:00:00Z", "dora-final@pending", "dora-intermediate@pending"}) {
		t.Fatalf("DORA: %q", s)
	}
	init, _ := find(got, "dora-initial")
	if init.Anchor != "we_learned_at" || !init.AnchorAt.Equal(f.WeLearnedAt) || init.DeadlineText != "24 hours" ||
		!slices.ContainsFunc(init.Notes, func(n string) bool { return strings.Contains(n, "classification time is not recorded") }) {
		t.Errorf("dora-initial: %s %v %q %q", init.Anchor, init.AnchorAt, init.DeadlineText, init.Notes)
	}
	done := map[string]time.Time{"dora-initial": utc(2026, 3, 2, 20, 0)}
	got = c.Obligations(f, dora, calendar.USFederal(), done)
	if s := summary(got); !reflect.DeepEqual(s, []string{"dora-initial@2026-03-03T09:00:00Z", "dora-intermediate@2026-03-05T20:00:00Z", "dora-final@pending"}) {
		t.Errorf("after the initial notification: %q", s)
	}
	done["dora-intermediate"] = utc(2026, 3, 5, 18, 0)
	got = c.Obligations(f, dora, calendar.USFederal(), done)
	if s, _ := find(got, "dora-final"); s.DueAt == nil || !s.DueAt.Equal(utc(2026, 4, 5, 18, 0)) || s.DeadlineText != "1 month" {
		t.Errorf("dora-final due %v %q, want 2026-04-05T18:00Z", s.DueAt, s.DeadlineText)
	}
	// DORA applies from 2025-01-17.
	f.WeLearnedAt = utc(2025, 1, 16, 23, 59)
	if got := c.Obligations(f, dora, calendar.USFederal(), nil); len(got) != 0 {
		t.Errorf("DORA before 2025-01-17: %q", summary(got))
	}
}

func TestObligationsNIS2Chain(t *testing.T) {
	c := incident.DefaultCatalogue()
	nis2 := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntityNIS2Entity}}
	f := incident.IncidentFacts{WeLearnedAt: utc(2026, 3, 2, 9, 0)}
	got := c.Obligations(f, nis2, calendar.USFederal(), nil)
	if s := summary(got); !reflect.DeepEqual(s, []string{"nis2-23-early@2026-03-03T09:00:00Z", "nis2-23-notif@2026-03-05T09:00:00Z", "nis2-23-final@pending"}) {
		t.Fatalf("NIS2: %q", s)
	}
	final, _ := find(got, "nis2-23-final")
	if final.Anchor != "after:nis2-23-notif" || final.AnchorAt != nil || !slices.Contains(final.Notes, "starts when nis2-23-notif is done") {
		t.Errorf("nis2-23-final pending: %+v", final)
	}
	for done, due := range map[time.Time]time.Time{
		utc(2026, 3, 4, 16, 45): utc(2026, 4, 4, 16, 45),
		utc(2026, 1, 31, 10, 0): utc(2026, 2, 28, 10, 0), // clamped to the end of February
	} {
		s, _ := find(c.Obligations(f, nis2, calendar.USFederal(), map[string]time.Time{"nis2-23-notif": done}), "nis2-23-final")
		if s.DueAt == nil || !s.DueAt.Equal(due) || !s.AnchorAt.Equal(done) {
			t.Errorf("notified %s: final due %v, want %s", done, s.DueAt, due)
		}
	}
}

// TestObligations247 replays the [24]7.ai case (regulatory-facts.md §0):
// the vendor discovered the breach on 2017-10-12, Delta learned on
// 2018-03-28. Rules that took effect later do not apply.
func TestObligations247(t *testing.T) {
	c := incident.DefaultCatalogue()
	f := incident.IncidentFacts{VendorDiscoveredAt: utc(2017, 10, 12, 12, 0), WeLearnedAt: utc(2018, 3, 28, 12, 0),
		Categories: []string{"cardholder_data"}, Jurisdictions: []string{"US-CA", "US-NY", "US-TX", "US-FL"}, RecordsAffected: 100_000}
	p := incident.OrgProfile{EntityTypes: []incident.EntityType{incident.EntityNYDFSCoveredEntity}}
	got := c.Obligations(f, p, calendar.USFederal(), nil)
	// No CA 30-day rule (2026), NY 30 days (2024-12-21), TX AG (2023-09-01),
	// NYDFS 500.17 (2023-12-01), Visa WTDIC v8.0 notice (2023-10-14) and
	// so no incident report after it; no GDPR without EU subjects.
	want := []string{"mc-adc-report@2018-03-29T12:00:00Z", "amex-dsop@2018-03-31T12:00:00Z",
		"visa-accounts@2018-04-11T12:00:00Z", "fl-ag@2018-04-27T12:00:00Z", "fl-ind@2018-04-27T12:00:00Z",
		"tx-ind@2018-05-27T12:00:00Z", "ca-ind-2003@-"}
	if s := summary(got); !reflect.DeepEqual(s, want) {
		t.Errorf("[24]7 for Delta:\n got %q\nwant %q", s, want)
	}
	// With French subjects: the GDPR applies only from 2018-05-25.
	f.Jurisdictions = append(f.Jurisdictions, "FR")
	a := c.Assess(f, incident.AssessOptions{Profile: p, Calendar: calendar.USFederal()})
	if _, ok := find(a.Obligations, "gdpr-33-1"); ok {
		t.Error("gdpr-33-1 generated for an incident learned on 2018-03-28")
	}
	if ch := checkFor(a, "gdpr-33-1"); ch.Reason != incident.ReasonNotInForce || !slices.Contains(ch.RegimeIDs, "gdpr-34") ||
		ch.Detail != "not in force on 2018-03-28, when its clock starts (in force from 2018-05-25)" {
		t.Errorf("gdpr-33-1 not applied: %+v", ch)
	}
	// What the vendor owed (Florida, 10 days after its determination).
	fl, _ := c.Regime("fl-vendor")
	if due := fl.Deadline.DueAt(f.VendorDiscoveredAt, calendar.USFederal()); !due.Equal(utc(2017, 10, 22, 12, 0)) {
		t.Errorf("fl-vendor due %s, want 2017-10-22", due)
	}
}

func TestDeadlineDueAt(t *testing.T) {
	us := calendar.USFederal()
	for _, tc := range []struct {
		d     incident.Deadline
		start time.Time
		want  time.Time
		text  string
	}{
		{incident.Deadline{Value: 72, Unit: "hours"}, utc(2026, 3, 2, 9, 0), utc(2026, 3, 5, 9, 0), "72 hours"},
		{incident.Deadline{Value: 3, Unit: "calendar_days"}, utc(2026, 12, 30, 23, 0), utc(2027, 1, 2, 23, 0), "3 calendar days"},
		{incident.Deadline{Value: 4, Unit: "business_days"}, utc(2027, 1, 14, 15, 0), utc(2027, 1, 21, 15, 0), "4 business days"},
		{incident.Deadline{Value: 1, Unit: "months"}, utc(2026, 1, 31, 10, 30), utc(2026, 2, 28, 10, 30), "1 month"},
		{incident.Deadline{Value: 1, Unit: "months"}, utc(2028, 1, 31, 10, 30), utc(2028, 2, 29, 10, 30), "1 month"},
		{incident.Deadline{Value: 2, Unit: "months"}, utc(2026, 12, 15, 0, 0), utc(2027, 2, 15, 0, 0), "2 months"},
		{incident.Deadline{Value: 60, Unit: "days_after_calendar_year_end"}, utc(2026, 6, 15, 14, 0), utc(2027, 3, 1, 0, 0), "60 days after the end of the calendar year"},
		{incident.Deadline{Value: 60, Unit: "days_after_calendar_year_end"}, utc(2026, 12, 31, 23, 59), utc(2027, 3, 1, 0, 0), "60 days after the end of the calendar year"},
	} {
		if got := tc.d.DueAt(tc.start, us); !got.Equal(tc.want) || got.Location() != time.UTC || tc.d.String() != tc.text {
			t.Errorf("%s from %s = %s (%q), want %s", tc.d, tc.start, got, tc.d.String(), tc.want)
		}
	}
}

func TestCatalogueFind(t *testing.T) {
	c := incident.DefaultCatalogue()
	ids := func(f incident.RegimeFilter) []string {
		var out []string
		for _, r := range c.Find(f) {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(incident.RegimeFilter{}); len(got) != 66 {
		t.Errorf("no filter: %d rows", len(got))
	}
	if got := ids(incident.RegimeFilter{Status: "U"}); !reflect.DeepEqual(got, []string{"tx-vendor", "ny-vendor"}) {
		t.Errorf("status U: %v", got)
	}
	for _, tc := range []struct {
		jurisdiction string
		in, out      []string
	}{
		{"US-CA", []string{"ca-ind", "ca-ag", "hipaa-404", "sec-8k-105", "visa-wtdic-notify"}, []string{"co-ind", "gdpr-33-1", "ca-pipeda", "nydfs-500-17a"}},
		{"US", []string{"hipaa-404", "co-ind", "nydfs-500-17a", "amex-dsop"}, []string{"gdpr-33-1", "ca-pipeda"}},
		{"DE", []string{"gdpr-33-1", "nis2-23-early", "mc-adc-report"}, []string{"ukgdpr-33-1", "hipaa-404"}},
		{"GB", []string{"ukgdpr-33-1", "uk-pecr-5a"}, []string{"gdpr-33-1"}},
		{"CA", []string{"ca-pipeda"}, []string{"ca-ind"}},
	} {
		got := ids(incident.RegimeFilter{Jurisdiction: tc.jurisdiction})
		for _, id := range tc.in {
			if !slices.Contains(got, id) {
				t.Errorf("jurisdiction %s lacks %s", tc.jurisdiction, id)
			}
		}
		for _, id := range tc.out {
			if slices.Contains(got, id) {
				t.Errorf("jurisdiction %s has %s", tc.jurisdiction, id)
			}
		}
	}
	if got := c.Find(incident.RegimeFilter{Status: "X"}); got == nil || len(got) != 0 {
		t.Errorf("no match should be an empty, non-nil list: %v", got)
	}
}

func TestEntityTypes(t *testing.T) {
	es := incident.EntityTypes()
	if len(es) != 12 || !incident.EntitySECRegistrant.Valid() || incident.EntityType("pipeda_organization").Valid() {
		t.Errorf("entity types %v", es)
	}
	es[0] = "changed"
	if incident.EntityTypes()[0] == "changed" {
		t.Error("EntityTypes shares its slice")
	}
	// Every entity type the catalogue names is declared, and every
	// declared one is used.
	used := map[incident.EntityType]bool{}
	for _, r := range incident.DefaultCatalogue().Regimes() {
		if r.AppliesTo != "" {
			used[r.AppliesTo] = true
		}
	}
	for _, e := range incident.EntityTypes() {
		if !used[e] {
			t.Errorf("entity type %s is used by no regime", e)
		}
	}
}
