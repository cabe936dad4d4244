package domain_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

func TestDate(t *testing.T) {
	for _, tc := range []struct {
		from   domain.Date
		months int
		want   domain.Date
	}{
		{domain.NewDate(2026, 1, 31), 1, domain.NewDate(2026, 2, 28)},
		{domain.NewDate(2024, 1, 31), 1, domain.NewDate(2024, 2, 29)},
		{domain.NewDate(2024, 2, 29), 12, domain.NewDate(2025, 2, 28)},
		{domain.NewDate(2026, 3, 15), 36, domain.NewDate(2029, 3, 15)},
		{domain.NewDate(2026, 12, 31), -1, domain.NewDate(2026, 11, 30)},
	} {
		if got := tc.from.AddMonths(tc.months); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
	d, err := domain.ParseDate("2027-03-31")
	if err != nil || d.AddDays(-60) != domain.NewDate(2027, 1, 30) || domain.NewDate(2026, 11, 23).DaysUntil(d) != 128 {
		t.Errorf("ParseDate/AddDays/DaysUntil: %v %v", d, err)
	}
	for _, bad := range []string{"2027-02-30", "27-03-31", "2027/03/31", "2027-03-31T00:00:00Z"} {
		if _, err := domain.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	var v struct{ D domain.Date }
	if err := json.Unmarshal([]byte(`{"D":"2026-11-23"}`), &v); err != nil || v.D != domain.NewDate(2026, 11, 23) {
		t.Errorf("json: %v %v", v.D, err)
	}
	if b, _ := json.Marshal(v); string(b) != `{"D":"2026-11-23"}` {
		t.Errorf("marshal: %s", b)
	}
	if got := domain.DateOf(time.Date(2026, 11, 23, 23, 30, 0, 0, time.FixedZone("x", -5*3600))); got != domain.NewDate(2026, 11, 24) {
		t.Errorf("DateOf uses UTC: %s", got)
	}
}

func TestWindow(t *testing.T) {
	start := time.Date(2017, 10, 12, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		w        domain.Window
		due      time.Time
		maxHours int
	}{
		{domain.Window{Value: 72, Unit: domain.UnitHours}, time.Date(2017, 10, 15, 0, 0, 0, 0, time.UTC), 72},
		{domain.Window{Value: 30, Unit: domain.UnitCalendarDays}, time.Date(2017, 11, 11, 0, 0, 0, 0, time.UTC), 720},
		{domain.Window{Value: 5, Unit: domain.UnitBusinessDays}, time.Date(2017, 10, 19, 0, 0, 0, 0, time.UTC), (5 + 2 + 4 + 2) * 24},
		{domain.Window{Value: 10, Unit: domain.UnitBusinessDays}, time.Date(2017, 10, 26, 0, 0, 0, 0, time.UTC), (10 + 2 + 6 + 2) * 24},
	} {
		if got := tc.w.DueAt(start, weekdays{}); !got.Equal(tc.due) {
			t.Errorf("%s from %s = %s, want %s", tc.w, start, got, tc.due)
		}
		if got := tc.w.MaxHours(); got != tc.maxHours {
			t.Errorf("%s MaxHours = %d, want %d", tc.w, got, tc.maxHours)
		}
	}
}

// weekdays is a calendar without holidays.
type weekdays struct{}

func (weekdays) IsBusinessDay(d domain.Date) bool {
	wd := d.Time().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func (weekdays) Name() string { return "weekdays" }
