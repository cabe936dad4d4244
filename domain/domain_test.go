package domain_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// TestDomainImportsOnlyStdlib keeps frameworks out of the domain: only the
// standard library and github.com/google/uuid may be imported.
func TestDomainImportsOnlyStdlib(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"github.com/google/uuid": true}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if strings.Contains(first, ".") && !allowed[path] {
				t.Errorf("%s imports %s: the domain may import only the standard library and %v", f, path, allowed)
			}
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
