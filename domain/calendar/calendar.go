// Package calendar implements domain.BusinessCalendar with the rickar/cal
// holiday rules: weekends off, plus the national holidays of a country.
package calendar

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/us"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Calendar is a business calendar.
type Calendar struct {
	name string
	bc   *cal.BusinessCalendar
}

var _ domain.BusinessCalendar = (*Calendar)(nil)

// USFederal is Monday to Friday less the eleven US federal holidays
// (5 U.S.C. 6103), moved to Friday or Monday when they fall on a weekend.
func USFederal() *Calendar {
	bc := cal.NewBusinessCalendar()
	bc.AddHoliday(us.Holidays...)
	return &Calendar{name: "US federal", bc: bc}
}

// IsBusinessDay implements domain.BusinessCalendar.
func (c *Calendar) IsBusinessDay(d domain.Date) bool {
	// Noon keeps the check clear of any midnight edge in the library.
	return c.bc.IsWorkday(d.Time().Add(12 * time.Hour))
}

// Name implements domain.BusinessCalendar.
func (c *Calendar) Name() string { return c.name }
