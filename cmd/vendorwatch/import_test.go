package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestImportCommand(t *testing.T) {
	dbURL := repotest.URL(t, repository.SQLite)
	file := filepath.Join(t.TempDir(), "vendors.csv")
	csv := "Vendor Name,Status,Owner email,Country\nAcme,active,ops@acme.example,GB\nBeta,asleep,,UK\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	importCmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"import"}, args...), noEnv, &out, &errOut)
		return out.String(), err
	}
	out, err := importCmd(file, "--kind", "vendors", "--dry-run", "--db", dbURL)
	if err == nil || !strings.Contains(out, "row 2: create") || !strings.Contains(out, `row 3, column B "Status" (status): error: must be one of`) ||
		!strings.Contains(out, `row 3, column D "Country" (country): error: "UK" is not an ISO 3166 code; use "GB"`) ||
		!strings.Contains(out, `column "Vendor Name" -> name`) || !strings.Contains(out, "Dry run: 2 rows checked, 1 with errors") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	// One bad row: the count agrees with its noun.
	if err.Error() != "1 row has errors" {
		t.Errorf("dry run error %q, want \"1 row has errors\"", err)
	}
	out, err = importCmd("--kind", "vendors", "--db", dbURL, file)
	if err == nil || !strings.Contains(out, "NO row was written") {
		t.Fatalf("rejected commit: %v\n%s", err, out)
	}
	if err := os.WriteFile(file, []byte(csv[:strings.LastIndex(csv[:len(csv)-1], "\n")+1]), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = importCmd(file, "--kind", "vendors", "--db", dbURL)
	if err != nil || !strings.Contains(out, "Committed: 1 created") {
		t.Fatalf("commit: %v\n%s", err, out)
	}
	out, err = importCmd(file, "--kind", "vendors", "--dry-run", "--json", "--db", dbURL)
	if err != nil || !strings.Contains(out, `"status": "unchanged"`) {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	if _, err := importCmd(file, "--db", dbURL); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no kind: %v", err)
	}
}
