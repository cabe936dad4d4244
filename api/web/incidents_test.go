package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/api/web"
	"github.com/vendorwatch/vendorwatch/domain/incident"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// TestNewClock: each verdict of the notification clock is drawn with its
// marks and spans named in words, labels inside the picture and, in one
// row, apart from each other.
func TestNewClock(t *testing.T) {
	now := *at("2026-11-23T12:00:00Z")
	discovered := *at("2017-10-12T00:00:00Z")
	due := at("2017-10-15T00:00:00Z")
	for _, tc := range []struct {
		name    string
		clock   incident.NoticeClock
		verdict string
		marks   []string
		bars    []string
	}{
		{"late", incident.NoticeClock{Status: incident.NoticeLate, ClockStartsAt: discovered, DueAt: due,
			NotifiedAt: at("2018-03-28T00:00:00Z"), WindowText: "72 hours", Lag: incident.SpanOf(167 * 24 * time.Hour),
			LateBy: incident.SpanOf(164 * 24 * time.Hour)},
			"Notice late by 164 days", []string{"Vendor discovered", "Notice due (72 hours)", "Vendor notified us"},
			[]string{"window: 72 hours", "late by 164 days"}},
		{"overdue", incident.NoticeClock{Status: incident.NoticeOverdue, ClockStartsAt: *at("2026-10-01T00:00:00Z"),
			DueAt: at("2026-10-04T00:00:00Z"), WindowText: "72 hours", LateBy: incident.SpanOf(50*24*time.Hour + 12*time.Hour)},
			"Notice overdue by 51 days", []string{"Vendor discovered", "Notice due (72 hours)", "Now: no notice yet"},
			[]string{"window: 72 hours", "overdue by 51 days"}},
		{"on time", incident.NoticeClock{Status: incident.NoticeOnTime, ClockStartsAt: discovered, DueAt: due,
			NotifiedAt: at("2017-10-13T12:00:00Z"), WindowText: "72 hours", Lag: incident.SpanOf(36 * time.Hour)},
			"Notice on time, after 36 hours", []string{"Vendor discovered", "Vendor notified us", "Notice due (72 hours)"},
			[]string{"window: 72 hours", "notified after 36 hours"}},
		{"pending", incident.NoticeClock{Status: incident.NoticePending, ClockStartsAt: *at("2026-11-22T00:00:00Z"),
			DueAt: at("2026-11-25T00:00:00Z"), WindowText: "72 hours"},
			"Notice pending: the window is still open", []string{"Vendor discovered", "Now: no notice yet", "Notice due (72 hours)"},
			[]string{"window: 72 hours"}},
		{"no clause", incident.NoticeClock{Status: incident.NoticeNoClause, ClockStartsAt: discovered,
			NotifiedAt: at("2017-11-01T00:00:00Z"), Lag: incident.SpanOf(20 * 24 * time.Hour), LawDueAt: at("2017-10-22T00:00:00Z")},
			"No breach-notification clause was in force at discovery", []string{"Vendor discovered", "Due by law", "Vendor notified us"},
			[]string{"notified after 20 days"}},
	} {
		c := web.NewClock(tc.clock, now)
		if c.Verdict != tc.verdict {
			t.Errorf("%s: verdict %q", tc.name, c.Verdict)
		}
		var marks, bars []string
		for _, m := range c.Marks {
			marks = append(marks, m.Name)
			if m.X < 0 || m.X > web.ClockWidth || m.TextY < 12 || m.TextY+16 > float64(c.Height) {
				t.Errorf("%s: mark %q at (%v, %v) outside 800x%d", tc.name, m.Name, m.X, m.TextY, c.Height)
			}
			if m.When == "" || !strings.Contains(c.Desc, m.Name+" "+m.When) {
				t.Errorf("%s: mark %q not described: %q", tc.name, m.Name, c.Desc)
			}
		}
		for _, b := range c.Bars {
			bars = append(bars, b.Label)
			if b.X < 0 || b.X+b.W > web.ClockWidth+1 || !strings.Contains(c.Desc, b.Label) {
				t.Errorf("%s: bar %q from %v, %v wide", tc.name, b.Label, b.X, b.W)
			}
		}
		if strings.Join(marks, "|") != strings.Join(tc.marks, "|") || strings.Join(bars, "|") != strings.Join(tc.bars, "|") {
			t.Errorf("%s: marks %q, bars %q", tc.name, marks, bars)
		}
		// Labels on the same line do not overlap (7.2 px a character).
		for i, a := range c.Marks {
			for _, b := range c.Marks[i+1:] {
				if a.TextY != b.TextY {
					continue
				}
				if l, r := span(a), span(b); l[1] > r[0] && r[1] > l[0] {
					t.Errorf("%s: labels %q and %q overlap", tc.name, a.Name, b.Name)
				}
			}
		}
	}
}

// span is the horizontal extent of a mark's label.
func span(m web.ClockMark) [2]float64 {
	w := float64(max(len(m.Name), len(m.When))) * 7.2
	switch m.Anchor {
	case "start":
		return [2]float64{m.X, m.X + w}
	case "end":
		return [2]float64{m.X - w, m.X}
	}
	return [2]float64{m.X - w/2, m.X + w/2}
}
