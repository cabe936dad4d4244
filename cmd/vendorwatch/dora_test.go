package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

func TestDoraCommands(t *testing.T) {
	for _, d := range repotest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := domain.WithActor(context.Background(), domain.SystemActor)
			url := repotest.URL(t, d)
			var stdout, stderr bytes.Buffer
			if err := run(ctx, []string{"migrate", "--db", url}, noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("migrate: %v\n%s", err, stderr.String())
			}
			db, err := repository.Open(ctx, url, repository.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			svc := services.New(db.Stores(t.TempDir()), services.Settings{})
			lei := "7245009VELDHAVENBK96"
			if _, _, err := svc.Dora.PutEntity(ctx, dora.Entity{LEI: lei, Name: "Veldhaven Bank N.V.", Country: "NL",
				EntityType: "x12", Currency: "EUR", CompetentAuthority: "DNB", Hierarchy: "ultimate_parent",
				TotalAssetsMinor: new(int64)}); err != nil {
				t.Fatal(err)
			}
			function := dora.Function{FunctionID: "F1", EntityLEI: lei, Name: "Payments", LicensedActivity: "eba_TA:x222",
				Criticality: "yes", LastAssessedOn: domain.NewDate(2025, 9, 15), DiscontinuationImpact: "high"}
			if _, err := svc.Dora.PutFunction(ctx, function); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			ref := []string{"--reference-date", "2025-12-31", "--db", url}

			stdout.Reset()
			err = run(ctx, append([]string{"dora", "check"}, ref...), noEnv, &stdout, &stderr)
			if err == nil || !strings.Contains(stdout.String(), "B_06.01 c0080 mandatory   function "+lei+"/F1") {
				t.Errorf("check of an incomplete register: %v\n%s", err, stdout.String())
			}
			if err := run(ctx, append([]string{"dora", "export", "--out", dir}, ref...), noEnv, &stdout, &stderr); err == nil ||
				!strings.Contains(err.Error(), "2 errors") {
				t.Errorf("export of an incomplete register: %v", err)
			}
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Errorf("a refused export left %d files", len(files))
			}
			stdout.Reset()
			if err := run(ctx, append([]string{"dora", "export", "--force", "--out", dir}, ref...), noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("forced export: %v", err)
			}
			if !regexp.MustCompile(`^` + dir + `/` + lei + `\.IND_NL_DORA010100_DORA_2025-12-31_\d{17}\.zip: .*\(forced: 2 errors remain\)\n$`).
				MatchString(stdout.String()) {
				t.Errorf("forced export output: %q", stdout.String())
			}
			rto, rpo := 2, 1
			function.RTOHours, function.RPOHours = &rto, &rpo
			if _, err := svc.Dora.PutFunction(ctx, function); err != nil {
				t.Fatal(err)
			}
			stdout.Reset()
			if err := run(ctx, append([]string{"dora", "check", "--level", "CON"}, ref...), noEnv, &stdout, &stderr); err != nil ||
				stdout.String() != "The register is ready to file: no errors.\n" {
				t.Errorf("check of a complete register: %v\n%s", err, stdout.String())
			}
		})
	}
}
