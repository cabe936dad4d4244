package domain_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
)

// TestDomainImports keeps frameworks and the outer packages out of every
// package under domain/: each imports only the standard library,
// github.com/google/uuid and other domain packages (the calendar adapter
// also its holiday rules, github.com/rickar/cal/v2; the audit log the
// transparency-log hashing and signed notes of golang.org/x/mod/sumdb;
// access the password hash golang.org/x/crypto/argon2), and the kernel
// (package domain) imports no other domain package. golangci-lint's
// depguard rules (.golangci.yml) hold the same arrows from outside.
func TestDomainImports(t *testing.T) {
	const module = "github.com/vendorwatch/vendorwatch/"
	allowed := func(dir, path string) bool {
		first, _, _ := strings.Cut(path, "/")
		switch {
		case !strings.Contains(first, "."): // the standard library
			return true
		case path == "github.com/google/uuid":
			return true
		case path == module+"domain" || strings.HasPrefix(path, module+"domain/"):
			return dir != "."
		case dir == "calendar":
			return path == "github.com/rickar/cal/v2" || strings.HasPrefix(path, "github.com/rickar/cal/v2/")
		case dir == "auditlog":
			return path == "golang.org/x/mod/sumdb/tlog" || path == "golang.org/x/mod/sumdb/note"
		case dir == "access":
			return path == "golang.org/x/crypto/argon2"
		}
		return false
	}
	fset := token.NewFileSet()
	packages := map[string]bool{}
	err := filepath.WalkDir(".", func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(f, ".go") || strings.HasSuffix(f, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(f))
		packages[dir] = true
		parsed, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowed(dir, path) {
				t.Errorf("%s imports %s: a domain package may import only the standard library, "+
					"github.com/google/uuid and (outside the kernel) other domain packages", f, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".", "auditlog", "calendar", "incident", "register"} {
		if !packages[want] {
			t.Errorf("the walk missed domain/%s (saw %v)", want, packages)
		}
	}
}

func TestJurisdictions(t *testing.T) {
	for code, ok := range map[string]bool{"US": true, "GB": true, "EU": true, "US-CA": true, "US-DC": true, "US-PR": true,
		"DE": true, "UK": false, "XX": false, "US-ZZ": false, "CA-ON": false, "usa": false, "": false} {
		if got := domain.CheckJurisdiction(code) == ""; got != ok {
			t.Errorf("CheckJurisdiction(%q) valid=%v, want %v", code, got, ok)
		}
	}
	var fe domain.FieldErrors
	got := domain.NormalizeJurisdictions("j", []string{" us-ca", "EU", "US-CA", "gb"}, &fe)
	if strings.Join(got, ",") != "EU,GB,US-CA" || len(fe) != 0 {
		t.Errorf("normalised %v, errors %v", got, fe)
	}
}
