package importing_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/importing"
)

func TestMapColumns(t *testing.T) {
	cols := importing.ImportColumns(importing.ImportVendors)
	index, mapping, unknown, err := importing.MapColumns(cols, []string{" VENDOR NAME ", "External-Ref", "", "Shoe size", "e-mail"})
	if err != nil {
		t.Fatal(err)
	}
	if index["name"] != 0 || index["external_ref"] != 1 || index["owner_email"] != 4 {
		t.Errorf("index %v", index)
	}
	if len(mapping) != 3 || mapping[0].Column != " VENDOR NAME " || mapping[0].Field != "name" || mapping[0].Index != 1 {
		t.Errorf("mapping %v", mapping)
	}
	if !slices.Equal(unknown, []string{"Shoe size"}) {
		t.Errorf("unknown %v", unknown)
	}
	var fe domain.FieldErrors
	if _, _, _, err := importing.MapColumns(cols, []string{"Website"}); !errors.As(err, &fe) || fe[0].Field != "file" {
		t.Errorf("missing required column: %v", err)
	}
	if _, _, _, err := importing.MapColumns(cols, []string{"Name", "Vendor name"}); !errors.As(err, &fe) {
		t.Errorf("two columns for one field: %v", err)
	}
}

func TestImportCellParsers(t *testing.T) {
	for in, want := range map[string]string{"2026-02-28": "2026-02-28", "46081": "2026-02-28", "46081.5": "2026-02-28",
		"2026-02-28T00:00:00Z": "2026-02-28", "2026-02-28 00:00:00": "2026-02-28"} {
		d, err := importing.ParseImportDate(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseImportDate(%q) = %s, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"28/02/2026", "2026-02-30", "soon", "0"} {
		if _, err := importing.ParseImportDate(bad); err == nil {
			t.Errorf("ParseImportDate(%q) accepted", bad)
		}
	}
	for in, want := range map[string]int64{"12000.5": 1200050, "12,000.50": 1200050, "0": 0, "7": 700, "0.01": 1} {
		if n, err := importing.ParseMinor(in); err != nil || n != want {
			t.Errorf("ParseMinor(%q) = %d, %v; want %d", in, n, err, want)
		}
	}
	for _, bad := range []string{"1.005", "ten", ""} {
		if _, err := importing.ParseMinor(bad); err == nil {
			t.Errorf("ParseMinor(%q) accepted", bad)
		}
	}
	if importing.FormatMinor(1200050) != "12000.50" || importing.FormatMinor(5) != "0.05" {
		t.Error("FormatMinor")
	}
	rs, err := importing.ParseRecipients("CISO <ciso@example.com>; Legal team")
	if err != nil || len(rs) != 2 || rs[0].Email != "ciso@example.com" || rs[1].Role != "Legal team" ||
		importing.FormatRecipients(rs) != "CISO <ciso@example.com>; Legal team" {
		t.Errorf("recipients %v %v", rs, err)
	}
}

// TestImportColumnNamesDistinct checks that no header, field name or
// synonym of a kind maps to two fields.
func TestImportColumnNamesDistinct(t *testing.T) {
	norm := func(s string) string {
		var out []rune
		for _, r := range strings.ToLower(s) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, r)
			}
		}
		return string(out)
	}
	for _, k := range importing.ImportKinds {
		seen := map[string]string{}
		for _, c := range importing.ImportColumns(k) {
			for _, n := range append([]string{c.Field, c.Header}, c.Synonyms...) {
				if f, ok := seen[norm(n)]; ok && f != c.Field {
					t.Errorf("%s: %q names both %s and %s", k, n, f, c.Field)
				}
				seen[norm(n)] = c.Field
			}
			if c.Note == "" {
				t.Errorf("%s.%s has no note", k, c.Field)
			}
		}
	}
}
