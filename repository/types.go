package repository

import (
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// dateCol stores a domain.Date: a PostgreSQL date, or YYYY-MM-DD text in
// SQLite. Writing the text form keeps comparisons identical on both
// databases (a time.Time in a date column does not: see go-notes §C.1.12).
// The zero date is NULL.
type dateCol struct{ domain.Date }

// Value implements driver.Valuer.
func (d dateCol) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner for both drivers' representations.
func (d *dateCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		d.Date = domain.Date{}
		return nil
	case time.Time:
		d.Date = domain.DateOf(v)
		return nil
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	}
	return fmt.Errorf("cannot scan %T into a date", src)
}

func (d *dateCol) parse(s string) error {
	if len(s) > 10 {
		s = s[:10] // a timestamp rendering of a date
	}
	p, err := domain.ParseDate(s)
	d.Date = p
	return err
}

// sqlDate converts for row structs.
func sqlDate(d domain.Date) dateCol { return dateCol{d} }
