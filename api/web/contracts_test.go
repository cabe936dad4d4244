package web

import (
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
)

// TestTimelineLayout: one lane per version in order, bars within the
// picture and in time order, an open version with an arrow to the right
// edge, labels in words (in force, not yet in force), year labels clear of
// the edges, and the today and expiry markers pointing away from each
// other when close.
func TestTimelineLayout(t *testing.T) {
	day := func(s string) time.Time { d, _ := domain.ParseDate(s); return d.Time() }
	end := day("2017-11-01")
	later := day("2026-12-01")
	w72, w24 := domain.Window{Value: 72, Unit: domain.UnitHours}, domain.Window{Value: 24, Unit: domain.UnitHours}
	versions := []ClauseVersionRow{
		{ClauseVersion: contract.ClauseVersion{EffectiveFrom: day("2016-06-01"), EffectiveTo: &end,
			Terms: contract.ClauseTerms{Window: &w72, Trigger: contract.TriggerDiscovery}, Reason: "initial terms"}, Number: 1, Window: "72 hours"},
		{ClauseVersion: contract.ClauseVersion{EffectiveFrom: end, EffectiveTo: &later,
			Terms: contract.ClauseTerms{Window: &w24, Trigger: contract.TriggerAwareness}}, Number: 2, Window: "24 hours", InForce: true},
		{ClauseVersion: contract.ClauseVersion{EffectiveFrom: later,
			Terms: contract.ClauseTerms{Window: &w24, Trigger: contract.TriggerReasonableBelief}}, Number: 3, Window: "24 hours"},
	}
	c := contract.Contract{EffectiveOn: domain.DateOf(day("2016-06-01")), ExpiresOn: domain.DateOf(day("2027-03-31"))}
	now := day("2026-11-23")
	tl := NewTimeline(c, versions, now)

	if len(tl.Lanes) != 3 {
		t.Fatalf("%d lanes", len(tl.Lanes))
	}
	want := []string{"Version 1: 72 hours from discovery", "Version 2: 24 hours from awareness (in force)",
		"Version 3: 24 hours from reasonable belief (not yet in force)"}
	for i, l := range tl.Lanes {
		if l.Label != want[i] {
			t.Errorf("lane %d: %q, want %q", i, l.Label, want[i])
		}
		if l.X < 0 || l.X+l.W > tl.Width || l.BarY+l.H > tl.AxisY {
			t.Errorf("lane %d outside the picture: %+v", i, l)
		}
		if i > 0 && (l.X < tl.Lanes[i-1].X || l.TextY <= tl.Lanes[i-1].DatesY) {
			t.Errorf("lane %d not after lane %d: %+v", i, i-1, l)
		}
	}
	if tl.Lanes[0].Dates != "2016-06-01 to 2017-11-01" || tl.Lanes[2].Dates != "2026-12-01 onwards" {
		t.Errorf("dates %q, %q", tl.Lanes[0].Dates, tl.Lanes[2].Dates)
	}
	if tl.Lanes[0].Arrow != "" || tl.Lanes[2].Arrow == "" || tl.Lanes[2].X+tl.Lanes[2].W+tlArrow != tl.Width-tlRight {
		t.Errorf("only the open version has an arrow, to the right edge: %+v", tl.Lanes[2])
	}
	if !tl.Lanes[2].LabelEnd || tl.Lanes[0].LabelEnd {
		t.Error("a bar in the right half is labelled from its end, one in the left half from its start")
	}
	if len(tl.Ticks) == 0 {
		t.Fatal("no year on the axis")
	}
	for _, tk := range tl.Ticks {
		if tk.X < tlEdge || tk.X > tl.Width-tlEdge {
			t.Errorf("year %s at %d is cut at the edge", tk.Label, tk.X)
		}
	}
	var today, expiry TimelineMark
	for _, m := range tl.Marks {
		switch {
		case strings.HasPrefix(m.Label, "today "):
			today = m
		case strings.HasPrefix(m.Label, "expires "):
			expiry = m
		}
	}
	if today.Label != "today 2026-11-23" || expiry.Label != "expires 2027-03-31" {
		t.Fatalf("marks %+v", tl.Marks)
	}
	if today.X >= expiry.X || !today.LabelEnd || expiry.LabelEnd {
		t.Errorf("close markers must point away from each other: today %+v, expiry %+v", today, expiry)
	}
	if tl.Summary != "3 versions of the breach-notification clause from 2016-06-01 to 2027-03-31." {
		t.Errorf("summary %q", tl.Summary)
	}
}

// TestMoney writes amounts with their currency's minor digits.
func TestMoney(t *testing.T) {
	for m, want := range map[domain.Money]string{
		{AmountMinor: 12000000, Currency: "USD"}: "120,000.00 USD",
		{AmountMinor: 5, Currency: "EUR"}:        "0.05 EUR",
		{AmountMinor: 1500000, Currency: "JPY"}:  "1,500,000 JPY",
		{AmountMinor: 1234567, Currency: "KWD"}:  "1,234.567 KWD",
	} {
		if got := money(&m); got != want {
			t.Errorf("%+v: %q, want %q", m, got, want)
		}
	}
	if money(nil) != "" {
		t.Error("no amount is written as nothing")
	}
}
