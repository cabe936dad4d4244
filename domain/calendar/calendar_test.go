package calendar_test

import (
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
)

func TestUSFederal(t *testing.T) {
	c := calendar.USFederal()
	for d, want := range map[domain.Date]bool{
		domain.NewDate(2026, 11, 23): true,  // Monday
		domain.NewDate(2026, 11, 26): false, // Thanksgiving
		domain.NewDate(2026, 11, 28): false, // Saturday
		domain.NewDate(2026, 7, 3):   false, // Independence Day observed (4 July is a Saturday)
		domain.NewDate(2026, 12, 25): false, // Christmas, Friday
		domain.NewDate(2027, 1, 18):  false, // Martin Luther King Jr. Day
		domain.NewDate(2027, 6, 18):  false, // Juneteenth observed (19 June is a Saturday)
		domain.NewDate(2027, 6, 21):  true,
	} {
		if got := c.IsBusinessDay(d); got != want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", d, got, want)
		}
	}
}

func TestBusinessDayWindowAcrossWeekendAndHoliday(t *testing.T) {
	c := calendar.USFederal()
	w := domain.Window{Value: 2, Unit: domain.UnitBusinessDays}
	// Wednesday 25 Nov 2026 15:30 UTC: Thursday is Thanksgiving, Friday counts,
	// the weekend does not, Monday is the second business day.
	start := time.Date(2026, 11, 25, 15, 30, 0, 0, time.UTC)
	if got, want := w.DueAt(start, c), time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DueAt = %s, want %s", got, want)
	}
	// SEC Item 1.05: four business days from a Thursday determination.
	w = domain.Window{Value: 4, Unit: domain.UnitBusinessDays}
	start = time.Date(2027, 1, 14, 9, 0, 0, 0, time.UTC) // Thursday; Monday 18th is MLK Day
	if got, want := w.DueAt(start, c), time.Date(2027, 1, 21, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DueAt = %s, want %s", got, want)
	}
}
