package repository

import (
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

func TestDateColScan(t *testing.T) {
	want := domain.NewDate(2027, 3, 31)
	for _, src := range []any{"2027-03-31", []byte("2027-03-31"), time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), "2027-03-31 00:00:00+00:00"} {
		var d dateCol
		if err := d.Scan(src); err != nil || d.Date != want {
			t.Errorf("Scan(%v) = %v, %v", src, d.Date, err)
		}
	}
	var d dateCol
	if err := d.Scan(nil); err != nil || !d.IsZero() {
		t.Errorf("Scan(nil) = %v, %v", d.Date, err)
	}
	if v, _ := sqlDate(want).Value(); v != "2027-03-31" {
		t.Errorf("Value = %v", v)
	}
	if v, _ := sqlDate(domain.Date{}).Value(); v != nil {
		t.Errorf("zero Value = %v", v)
	}
}
