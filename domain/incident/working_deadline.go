package incident

import (
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// WorkingDeadlines are the organisation's own targets for duties whose law
// sets no number of hours or days ("without unreasonable delay",
// "immediately following discovery"). They are policy, not law: an
// obligation shows its working deadline beside "no fixed deadline", and
// passing it is never counted as a legal breach by itself (no
// obligation.overdue finding, no late statutory notice).
type WorkingDeadlines struct {
	// Default applies to every standard not listed in ByStandard.
	Default domain.Window `json:"default"`
	// ByStandard maps a catalogue standard (immediately,
	// without_undue_delay, most_expedient_without_unreasonable_delay, ...)
	// to its working window.
	ByStandard map[string]domain.Window `json:"by_standard"`
	// Basis says where the figures come from.
	Basis string `json:"basis"`
}

// DefaultWorkingDeadlines are 30 calendar days, the most common fixed
// state deadline for notices to individuals (California from 2026,
// Colorado, Florida, Washington, New York: regulatory-facts.md §1E), and
// 24 hours for "immediately", as the clause policy counts it.
func DefaultWorkingDeadlines() WorkingDeadlines {
	return WorkingDeadlines{
		Default:    domain.Window{Value: 30, Unit: domain.UnitCalendarDays},
		ByStandard: map[string]domain.Window{"immediately": {Value: 24, Unit: domain.UnitHours}},
		Basis: "policy, not law: 30 calendar days (the most common fixed state deadline, e.g. California from 2026, " +
			"Colorado, Florida, Washington, New York), 24 hours for \"immediately\"",
	}
}

// WithDefaults returns w, or the defaults when w is the zero value.
func (w WorkingDeadlines) WithDefaults() WorkingDeadlines {
	if w.Default.Value == 0 && len(w.ByStandard) == 0 {
		return DefaultWorkingDeadlines()
	}
	return w
}

// For returns the working window of a catalogue standard.
func (w WorkingDeadlines) For(standard string) domain.Window {
	w = w.WithDefaults()
	if win, ok := w.ByStandard[standard]; ok {
		return win
	}
	return w.Default
}

// Validate checks the windows, naming fields under working_deadlines.
func (w WorkingDeadlines) Validate() error {
	var fe domain.FieldErrors
	w.Default.Check(&fe, "working_deadlines.default")
	for std, win := range w.ByStandard {
		win.Check(&fe, "working_deadlines.by_standard."+std)
	}
	return fe.Err()
}

// WorkingText labels a working window as policy: "30 calendar days
// (working deadline set by policy, not law)".
func WorkingText(win domain.Window) string {
	return fmt.Sprintf("%s (working deadline set by policy, not law)", win)
}

// workingDue is the working deadline of a words-only duty whose clock
// started at at, with its text.
func (w WorkingDeadlines) workingDue(r Regime, at time.Time, cal domain.BusinessCalendar) (time.Time, string) {
	win := w.For(r.Standard)
	return win.DueAt(at, cal), WorkingText(win)
}
