package domain_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
)

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{domain.Count(0, "row", "rows"), "0 rows"},
		{domain.Count(1, "row", "rows"), "1 row"},
		{domain.Count(2, "row", "rows"), "2 rows"},
		{domain.Count(int64(1), "row has", "rows have") + " errors", "1 row has errors"},
		{domain.Count(int64(3), "row has", "rows have") + " errors", "3 rows have errors"},
		{domain.Window{Value: 1, Unit: domain.UnitHours}.String(), "1 hour"},
		{domain.Window{Value: 1, Unit: domain.UnitBusinessDays}.String(), "1 business day"},
		{domain.Window{Value: 72, Unit: domain.UnitHours}.String(), "72 hours"},
		{incident.Deadline{Value: 1, Unit: incident.DeadlineMonths}.String(), "1 month"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// pluralAfterNumber matches a format verb followed by a plural noun ("%d
// rows"): such text reads "1 rows" when the number is 1. Counts go
// through domain.Count instead.
var pluralAfterNumber = regexp.MustCompile(`%d (data |open )?(rows|vendors|events|findings|incidents|days|hours|months|bytes|records|residents|contracts|attestations|errors|characters|keys|runs|files|values|columns)\b`)

// TestNoBarePluralCounts walks the product's Go sources (not tests, not
// scripts) for format strings that put a plural noun after a number.
func TestNoBarePluralCounts(t *testing.T) {
	var sites []string
	for _, dir := range []string{".", "../api", "../cmd", "../jobs", "../reports", "../repository"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && pluralAfterNumber.MatchString(lit.Value) {
					sites = append(sites, fset.Position(lit.Pos()).String()+": "+lit.Value)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(sites) > 0 {
		t.Errorf("counts that read \"1 rows\" when the number is 1; use domain.Count:\n%s", strings.Join(sites, "\n"))
	}
}
