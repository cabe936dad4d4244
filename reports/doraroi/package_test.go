package doraroi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/dora"
	"github.com/vendorwatch/vendorwatch/reports/doraroi"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

var update = flag.Bool("update", false, "rewrite the expected package under testdata/")

// expected is where the checked-in package lives, unzipped, file by file.
const expected = "testdata/expected"

func writePackage(t *testing.T, p portfolio, sc dora.Scope) (*bytes.Buffer, doraroi.Summary) {
	t.Helper()
	ctx := context.Background()
	filer := must(p.svc.Dora.Store.GetEntity(ctx, sc.EntityLEI))
	var buf bytes.Buffer
	sum := must(doraroi.Write(ctx, &buf, p.svc.Dora.Source, filer, sc, stamp))
	return &buf, sum
}

// unzip returns the package's files by path.
func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc := must(f.Open())
		files[f.Name] = must(io.ReadAll(rc))
		_ = rc.Close()
	}
	return files
}

// TestGoldenPackage builds the hand-built portfolio's consolidated package
// and compares it, file by file, with the checked-in expected package.
func TestGoldenPackage(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		p := buildPortfolio(t, db)
		ctx := context.Background()
		filer, sc, err := p.svc.Dora.Scope(ctx, bankLEI, dora.Consolidated, reference.String())
		if err != nil {
			t.Fatal(err)
		}
		report := must(p.svc.Dora.Check(ctx, filer, sc))
		if !report.Clean() {
			t.Fatalf("the portfolio is not clean: %+v", report.Issues)
		}
		buf, sum := writePackage(t, p, sc)
		wantName := bankLEI + ".CON_NL_DORA010100_DORA_2025-12-31_20260115102030123.zip"
		if sum.Name != wantName {
			t.Errorf("package name %s, want %s", sum.Name, wantName)
		}
		got := unzip(t, buf.Bytes())
		if *update && db.Dialect() == repository.SQLite {
			_ = os.RemoveAll(expected)
			for name, data := range got {
				path := filepath.Join(expected, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := map[string][]byte{}
		err = filepath.WalkDir(expected, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(expected, path)
			want[filepath.ToSlash(rel)] = must(os.ReadFile(path))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for name, w := range want {
			g, ok := got[name]
			switch {
			case !ok:
				t.Errorf("the package lacks %s", name)
			case !bytes.Equal(g, w):
				t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, g, w)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("the package has %s, which the expected package does not", name)
			}
		}
	})
}

// readCSV reads one CSV file of the package: its header and rows.
func readCSV(t *testing.T, data []byte) ([]string, [][]string) {
	t.Helper()
	all, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(all) == 0 {
		t.Fatalf("csv: %v (%d records)", err, len(all))
	}
	return all[0], all[1:]
}

// TestPackageReadsBack reads a package back as a supervisor's validator
// would: one top folder named like the zip, the fixed files, each
// template's header, the filing indicators against the rows, the
// parameters, and the keys of one template found in the template they name.
func TestPackageReadsBack(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		p := buildPortfolio(t, db)
		for _, sc := range []dora.Scope{
			{EntityLEI: bankLEI, Level: dora.Consolidated, ReferenceDate: reference},
			{EntityLEI: insurerLEI, Level: dora.Individual, ReferenceDate: reference},
		} {
			t.Run(string(sc.Level), func(t *testing.T) {
				buf, sum := writePackage(t, p, sc)
				files := unzip(t, buf.Bytes())
				root := strings.TrimSuffix(sum.Name, ".zip")
				tables := map[string][][]string{}
				for name, data := range files {
					if !strings.HasPrefix(name, root+"/") {
						t.Fatalf("%s is outside the top folder %s", name, root)
					}
					rel := strings.TrimPrefix(name, root+"/")
					if !strings.HasPrefix(rel, "reports/b_") {
						continue
					}
					id := "B" + strings.TrimSuffix(strings.TrimPrefix(rel, "reports/b"), ".csv")
					tmpl, ok := dora.TemplateByID(id)
					if !ok {
						t.Fatalf("%s is no template of the register", rel)
					}
					header, rows := readCSV(t, data)
					if !slices.Equal(header, tmpl.Columns) {
						t.Errorf("%s header %v, want %v", rel, header, tmpl.Columns)
					}
					tables[id] = rows
				}
				if len(tables) != len(dora.Templates) {
					t.Errorf("%d templates, want %d", len(tables), len(dora.Templates))
				}
				for _, f := range []string{"META-INF/reportPackage.json", "reports/report.json"} {
					if !bytes.Contains(files[root+"/"+f], []byte("documentType")) {
						t.Errorf("%s: %s", f, files[root+"/"+f])
					}
				}
				if !bytes.Contains(files[root+"/reports/report.json"], []byte(dora.ModuleURL)) {
					t.Errorf("report.json does not extend %s", dora.ModuleURL)
				}
				_, indicators := readCSV(t, files[root+"/reports/FilingIndicators.csv"])
				for _, ind := range indicators {
					if want := len(tables[ind[0]]) > 0; ind[1] != map[bool]string{true: "true", false: "false"}[want] {
						t.Errorf("filing indicator %s = %s with %d rows", ind[0], ind[1], len(tables[ind[0]]))
					}
				}
				_, params := readCSV(t, files[root+"/reports/parameters.csv"])
				got := map[string]string{}
				for _, pr := range params {
					got[pr[0]] = pr[1]
				}
				if got["entityID"] != "rs:"+sc.EntityLEI+"."+string(sc.Level) || got["refPeriod"] != "2025-12-31" ||
					got["baseCurrency"] != "iso4217:EUR" {
					t.Errorf("parameters %v", got)
				}
				if got["decimalsMonetary"] != "-3" || got["decimalsInteger"] != "0" {
					t.Errorf("decimals parameters %v: both are used by this portfolio", got)
				}
				// Keys: each reference, provider and function named is defined.
				keys := func(id string, cols ...int) map[string]bool {
					out := map[string]bool{}
					for _, r := range tables[id] {
						var k []string
						for _, c := range cols {
							k = append(k, r[c])
						}
						out[strings.Join(k, "|")] = true
					}
					return out
				}
				refs, providers, functions := keys("B_02.01", 0), keys("B_05.01", 0, 1), keys("B_06.01", 0, 3)
				for _, r := range tables["B_02.02"] {
					if !refs[r[0]] || !providers[r[2]+"|"+r[3]] || !functions[r[4]+"|"+r[1]] {
						t.Errorf("B_02.02 row %v names a key its templates lack", r)
					}
				}
				for _, r := range tables["B_05.02"] {
					if !refs[r[0]] || !providers[r[2]+"|"+r[3]] || !providers[r[5]+"|"+r[6]] {
						t.Errorf("B_05.02 row %v names a key its templates lack", r)
					}
				}
				for _, r := range tables["B_05.01"] {
					if !providers[r[10]+"|"+r[11]] {
						t.Errorf("B_05.01 row %v names an ultimate parent B_05.01 lacks", r)
					}
				}
				if sc.Level == dora.Individual {
					if len(tables["B_01.02"]) != 1 || len(tables["B_02.01"]) != 2 || len(tables["B_05.02"]) != 2 {
						t.Errorf("the insurer alone: %d entities, %d arrangements, %d chain rows", len(tables["B_01.02"]),
							len(tables["B_02.01"]), len(tables["B_05.02"]))
					}
				}
			})
		}
	})
}

// TestOnlyUsedDecimalsParameters: a package declares a decimals parameter
// only when a fact uses it (an unused one is a rejection).
func TestOnlyUsedDecimalsParameters(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		p := buildPortfolio(t, db)
		ictLEI := withCheckDigits("7245009VELDHAVENIT")
		okFor(t)(p.svc.Dora.PutEntity(domain.WithActor(context.Background(), domain.SystemActor), dora.Entity{LEI: ictLEI, Name: "Veldhaven ICT Services B.V.",
			Country: "NL", EntityType: "x317", Currency: "EUR", CompetentAuthority: "De Nederlandsche Bank",
			Hierarchy: "subsidiary", ParentLEI: bankLEI}))
		_, sum := writePackage(t, p, dora.Scope{EntityLEI: ictLEI, Level: dora.Individual, ReferenceDate: reference})
		if len(sum.Decimals) != 0 {
			t.Errorf("an entity with no amounts, days or hours declares %v", sum.Decimals)
		}
		_, sum = writePackage(t, p, dora.Scope{EntityLEI: bankLEI, Level: dora.Consolidated, ReferenceDate: reference})
		if !slices.Equal(sum.Decimals, []string{"decimalsInteger", "decimalsMonetary"}) {
			t.Errorf("the group declares %v", sum.Decimals)
		}
		if sum.Rows["B_01.03"] != 0 || sum.Rows["B_05.02"] != 6 {
			t.Errorf("rows %v", sum.Rows)
		}
	})
}
