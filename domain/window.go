package domain

import (
	"time"
)

// WindowUnit is the unit of a notification window or deadline.
type WindowUnit string

// Units. Business days skip weekends and the business calendar's holidays.
const (
	UnitHours        WindowUnit = "hours"
	UnitCalendarDays WindowUnit = "calendar_days"
	UnitBusinessDays WindowUnit = "business_days"
)

// Valid reports whether u is a known unit.
func (u WindowUnit) Valid() bool {
	return u == UnitHours || u == UnitCalendarDays || u == UnitBusinessDays
}

// Window is a span such as 72 hours or 4 business days.
type Window struct {
	Value int        `json:"value"`
	Unit  WindowUnit `json:"unit"`
}

// String renders the window for people: "72 hours", "4 business days".
func (w Window) String() string {
	words := map[WindowUnit][2]string{UnitHours: {"hour", "hours"}, UnitCalendarDays: {"calendar day", "calendar days"},
		UnitBusinessDays: {"business day", "business days"}}[w.Unit]
	return Count(w.Value, words[0], words[1])
}

// MaxWindowValue bounds a window: a year in hours, more than enough for
// any notification term.
const MaxWindowValue = 8784

// Check validates w as field.
func (w Window) Check(fe *FieldErrors, field string) {
	if w.Value <= 0 || w.Value > MaxWindowValue {
		fe.Add(field+".value", "must be a whole number from 1 to %d", MaxWindowValue)
	}
	if !w.Unit.Valid() {
		fe.Add(field+".unit", "must be one of hours, calendar_days, business_days")
	}
}

// BusinessCalendar tells which days are business days. Implementations
// live outside the domain (see domain/calendar).
type BusinessCalendar interface {
	// IsBusinessDay reports whether d is a working day.
	IsBusinessDay(d Date) bool
	// Name says which calendar this is, e.g. "US federal".
	Name() string
}

// DueAt is start plus the window, in UTC. Hours and calendar days are exact
// durations (a calendar day is 24 hours; UTC has no daylight saving).
// Business days advance one business day at a time, keeping the time of
// day: Friday 10:00 plus 1 business day is Monday 10:00, or Tuesday 10:00
// when Monday is a holiday.
func (w Window) DueAt(start time.Time, cal BusinessCalendar) time.Time {
	start = start.UTC()
	switch w.Unit {
	case UnitHours:
		return start.Add(time.Duration(w.Value) * time.Hour)
	case UnitCalendarDays:
		return start.Add(time.Duration(w.Value) * 24 * time.Hour)
	case UnitBusinessDays:
		t := start
		for n := 0; n < w.Value; {
			t = t.Add(24 * time.Hour)
			if cal.IsBusinessDay(DateOf(t)) {
				n++
			}
		}
		return t
	}
	return start
}

// MaxHours is the longest the window can last, for comparing it with a
// policy limit in hours; it is an upper bound, never an estimate. A
// business-day window spans its n days, up to h = ceil(n/20)+1 holidays
// (the US federal calendar has 11 in about 250 business days), and the
// weekends around all of them: at most 2*ceil((n+h)/5)+2 days. So 3
// business days may take 9 calendar days around a holiday weekend.
func (w Window) MaxHours() int {
	switch w.Unit {
	case UnitHours:
		return w.Value
	case UnitCalendarDays:
		return w.Value * 24
	case UnitBusinessDays:
		n := w.Value
		h := (n+19)/20 + 1
		return (n + h + 2*((n+h+4)/5) + 2) * 24
	}
	return 0
}

// WeekdaysOnlyCalendar counts Monday to Friday as business days, with no
// holidays: the fallback when the caller has no calendar.
type WeekdaysOnlyCalendar struct{}

// IsBusinessDay implements BusinessCalendar.
func (WeekdaysOnlyCalendar) IsBusinessDay(d Date) bool {
	wd := d.Time().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Name implements BusinessCalendar.
func (WeekdaysOnlyCalendar) Name() string { return "weekdays only (no holidays)" }
