package domain_test

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
)

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-23", "2024-02-29", "2023-02-29", "0000-01-01", "9999-12-31", "", "2026-1-1", "２０２６-11-23"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := domain.ParseDate(s)
		if err != nil {
			return
		}
		// A parsed date prints back to the same text and survives JSON.
		if d.String() != s {
			t.Errorf("ParseDate(%q) prints as %q", s, d.String())
		}
		var back domain.Date
		if err := back.UnmarshalText([]byte(d.String())); err != nil || back != d {
			t.Errorf("round trip of %q: %v %v", s, back, err)
		}
	})
}

func FuzzWindowDueAt(f *testing.F) {
	f.Add(72, "hours", int64(1507766400))
	f.Add(4, "business_days", int64(1800000000))
	f.Add(30, "calendar_days", int64(0))
	f.Add(0, "weeks", int64(-5))
	cal := calendar.USFederal()
	f.Fuzz(func(t *testing.T, value int, unit string, unix int64) {
		w := domain.Window{Value: value, Unit: domain.WindowUnit(unit)}
		if value < 1 || value > 400 || !w.Unit.Valid() || unix < -1e10 || unix > 1e10 {
			return // the API refuses these before any computation
		}
		start := time.Unix(unix, 0).UTC()
		due := w.DueAt(start, cal)
		if !due.After(start) {
			t.Errorf("%s from %s is due at %s, not after the start", w, start, due)
		}
		if h := due.Sub(start).Hours(); h > float64(w.MaxHours()) {
			t.Errorf("%s from %s lasted %v hours, beyond its upper bound MaxHours %d", w, start, h, w.MaxHours())
		}
	})
}

func FuzzCheckJurisdiction(f *testing.F) {
	for _, s := range []string{"US", "US-CA", "EU", "GB", "UK", "us-ca", "US-", "-", "ÜS", "US-CAX"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fe domain.FieldErrors
		out := domain.NormalizeJurisdictions("j", []string{s}, &fe)
		if len(out)+len(fe) != 1 {
			t.Errorf("%q: %d accepted and %d refused, want exactly one of the two", s, len(out), len(fe))
		}
		for _, c := range out {
			if domain.CheckJurisdiction(c) != "" {
				t.Errorf("accepted %q which does not check", c)
			}
		}
	})
}

func FuzzSanitizeEvidenceName(f *testing.F) {
	for _, s := range []string{"report.pdf", "../../etc/passwd", "a\x00b.pdf", "C:\\evil\\x.pdf", strings.Repeat("é", 300), ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := domain.SanitizeEvidenceName(s)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > 255 || strings.ContainsAny(got, "/\\") ||
			strings.ContainsFunc(got, unicode.IsControl) {
			t.Errorf("SanitizeEvidenceName(%q) = %q", s, got)
		}
	})
}
