package domain_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// TestDomainImports keeps frameworks and the outer packages out of every
// package under domain/: each imports only the standard library,
// github.com/google/uuid and other domain packages (the calendar adapter
// also its holiday rules, github.com/rickar/cal/v2), and the kernel
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
	for _, want := range []string{".", "calendar", "incident", "register"} {
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

func TestChainHash(t *testing.T) {
	e := domain.AuditEvent{Seq: 1, ID: "id", At: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC), ActorID: "a",
		Action: "vendor.create", Entity: "vendor", EntityID: "v", After: json.RawMessage(`{"b": 1, "a": 2}`)}
	h := domain.ChainHash(domain.GenesisHash, e)
	// Whitespace in stored JSON and sub-microsecond time do not change it.
	e2 := e
	e2.After = json.RawMessage(`{"b":1,"a":2}`)
	e2.At = e.At.Truncate(time.Microsecond).In(time.FixedZone("x", 3600))
	if domain.ChainHash(domain.GenesisHash, e2) != h {
		t.Error("hash depends on formatting")
	}
	e3 := e
	e3.Action = "vendor.delete"
	if domain.ChainHash(domain.GenesisHash, e3) == h || domain.ChainHash(h, e) == h {
		t.Error("hash ignores content or the previous hash")
	}
}
