// Package doraroi writes the DORA register of information as the xBRL-CSV
// report package a supervisor's portal takes: one zip, named by the EBA's
// convention, holding one top folder of the same name with
// META-INF/reportPackage.json and reports/ (report.json extending the DORA
// 4.0 module, parameters.csv, FilingIndicators.csv and one CSV per
// template). Rows are streamed from a dora.Source into the zip: no
// template is held in memory.
package doraroi

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/dora"
)

// Timestamp is the layout of the package name's timestamp
// (yyyyMMddHHmmssSSS, UTC).
const Timestamp = "20060102150405.000"

// Name is the package's name without ".zip":
// {LEI}.{CON|IND}_{CC}_DORA010100_DORA_{reference date}_{timestamp}.
func Name(filer dora.Entity, sc dora.Scope, at time.Time) string {
	ts := at.UTC().Format(Timestamp)
	ts = ts[:14] + ts[15:] // drop the decimal point
	return fmt.Sprintf("%s.%s_%s_%s_%s_%s_%s", filer.LEI, sc.Level, filer.Country, dora.ModuleCode, dora.Framework,
		sc.ReferenceDate, ts)
}

// Summary is what a written package holds.
type Summary struct {
	Name string `json:"name"` // the zip's name, with .zip
	// Rows per template; FilingIndicators is true for those with rows.
	Rows map[string]int `json:"rows"`
	// Decimals are the decimals parameters written (those the rows use).
	Decimals []string `json:"decimals"`
}

// integerColumns and monetaryColumns are the columns whose facts take the
// decimalsInteger and decimalsMonetary parameters.
var (
	integerColumns  = map[string][]int{"B_02.02": {9, 10}, "B_05.02": {4}, "B_06.01": {7, 8}}
	monetaryColumns = map[string][]int{"B_01.02": {10}, "B_02.01": {4}, "B_05.01": {9}}
)

type writer struct {
	zw       *zip.Writer
	root     string
	at       time.Time
	rows     map[string]int
	integer  bool
	monetary bool
}

func (w *writer) create(path string) (io.Writer, error) {
	return w.zw.CreateHeader(&zip.FileHeader{Name: w.root + "/" + path, Method: zip.Deflate, Modified: w.at})
}

// table writes one template: its header, then the rows fill emits.
func (w *writer) table(t dora.Template, fill func(emit func([]string) error) error) error {
	f, err := w.create("reports/" + t.File())
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	w.rows[t.ID] += 0
	emit := func(row []string) error {
		w.rows[t.ID]++
		for _, i := range integerColumns[t.ID] {
			w.integer = w.integer || row[i] != ""
		}
		for _, i := range monetaryColumns[t.ID] {
			w.monetary = w.monetary || row[i] != ""
		}
		return cw.Write(row)
	}
	if fill != nil {
		if err := fill(emit); err != nil {
			return fmt.Errorf("%s: %w", t.ID, err)
		}
	}
	cw.Flush()
	return cw.Error()
}

func (w *writer) json(path string, v any) error {
	f, err := w.create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (w *writer) csv(path string, rows [][]string) error {
	f, err := w.create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

type documentInfo struct {
	DocumentType string   `json:"documentType"`
	Extends      []string `json:"extends,omitempty"`
}

type document struct {
	DocumentInfo documentInfo `json:"documentInfo"`
}

// Write streams the package of the register for sc, filed by filer and
// stamped at, to out.
func Write(ctx context.Context, out io.Writer, src dora.Source, filer dora.Entity, sc dora.Scope, at time.Time) (Summary, error) {
	name := Name(filer, sc, at)
	zw := zip.NewWriter(out)
	w := &writer{zw: zw, root: name, at: at.UTC(), rows: map[string]int{}}
	tables := map[string]func(emit func([]string) error) error{
		"B_01.01": func(emit func([]string) error) error { return emit(dora.B0101(filer, sc)) },
		"B_01.02": func(emit func([]string) error) error {
			return src.Entities(ctx, sc, func(e dora.Entity) error { return emit(dora.B0102(e)) })
		},
		"B_02.01": arrangements(ctx, src, sc, dora.B0201),
		"B_02.02": func(emit func([]string) error) error {
			return src.ServiceFunctions(ctx, sc, func(s dora.ServiceRow) error { return emit(dora.B0202(s)) })
		},
		"B_03.01": arrangements(ctx, src, sc, dora.B0301),
		"B_03.02": arrangements(ctx, src, sc, dora.B0302),
		"B_04.01": arrangements(ctx, src, sc, dora.B0401),
		"B_05.01": func(emit func([]string) error) error {
			return src.Providers(ctx, sc, func(p dora.ProviderRow) error { return emit(dora.B0501(p)) })
		},
		"B_05.02": func(emit func([]string) error) error {
			return src.SupplyChain(ctx, sc, func(c dora.ChainRow) error { return emit(dora.B0502(c)) })
		},
		"B_06.01": func(emit func([]string) error) error {
			return src.Functions(ctx, sc, func(f dora.Function) error { return emit(dora.B0601(f)) })
		},
		"B_07.01": func(emit func([]string) error) error {
			return src.Assessments(ctx, sc, func(s dora.ServiceRow) error { return emit(dora.B0701(s)) })
		},
	}
	if err := w.json("META-INF/reportPackage.json", document{documentInfo{DocumentType: "https://xbrl.org/report-package/2023"}}); err != nil {
		return Summary{}, err
	}
	if err := w.json("reports/report.json", document{documentInfo{DocumentType: "https://xbrl.org/2021/xbrl-csv",
		Extends: []string{dora.ModuleURL}}}); err != nil {
		return Summary{}, err
	}
	for _, t := range dora.Templates {
		if err := w.table(t, tables[t.ID]); err != nil {
			return Summary{}, fmt.Errorf("dora package: %w", err)
		}
	}
	indicators := [][]string{{"templateID", "reported"}}
	for _, t := range dora.Templates {
		indicators = append(indicators, []string{t.ID, fmt.Sprint(w.rows[t.ID] > 0)})
	}
	if err := w.csv("reports/FilingIndicators.csv", indicators); err != nil {
		return Summary{}, err
	}
	params := [][]string{{"name", "value"}, {"entityID", "rs:" + filer.LEI + "." + string(sc.Level)},
		{"refPeriod", sc.ReferenceDate.String()}, {"baseCurrency", "iso4217:" + filer.Currency}}
	var decimals []string
	if w.integer {
		params = append(params, []string{"decimalsInteger", dora.DecimalsInt})
		decimals = append(decimals, "decimalsInteger")
	}
	if w.monetary {
		params = append(params, []string{"decimalsMonetary", dora.DecimalsMon})
		decimals = append(decimals, "decimalsMonetary")
	}
	if err := w.csv("reports/parameters.csv", params); err != nil {
		return Summary{}, err
	}
	if err := zw.Close(); err != nil {
		return Summary{}, fmt.Errorf("dora package: %w", err)
	}
	return Summary{Name: name + ".zip", Rows: w.rows, Decimals: decimals}, nil
}

func arrangements(ctx context.Context, src dora.Source, sc dora.Scope, row func(dora.ArrangementRow) []string) func(emit func([]string) error) error {
	return func(emit func([]string) error) error {
		return src.Arrangements(ctx, sc, func(a dora.ArrangementRow) error { return emit(row(a)) })
	}
}
