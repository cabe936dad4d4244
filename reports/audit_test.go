package reports_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
)

// fakeSource generates n rows per sheet, without a database.
type fakeSource struct{ n int }

var asOf = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func (s fakeSource) EachVendor(_ context.Context, _ reporting.Filter, fn func(reporting.VendorRow) error) error {
	for i := range s.n {
		name := fmt.Sprintf("Vendor %05d", i)
		if i == 0 {
			name = "=1+1"
		}
		if err := fn(reporting.VendorRow{ID: domain.NewID(), Name: name, Status: register.StatusActive,
			Criticality: register.CriticalityHigh, Tier: register.TierHigh, RiskScore: 60, MaxSensitivity: 3,
			LastReviewOn: domain.NewDate(2024, 1, 1), CreatedAt: asOf.Add(-time.Hour)}); err != nil {
			return err
		}
	}
	return nil
}

func (s fakeSource) EachHandling(context.Context, reporting.Filter, func(reporting.HandlingRow) error) error {
	return nil
}

func (s fakeSource) EachContract(context.Context, reporting.Filter, func(reporting.ContractRow) error) error {
	return nil
}

func (s fakeSource) EachAttestation(_ context.Context, _ reporting.Filter, fn func(reporting.AttestationRow) error) error {
	for i := range s.n {
		if err := fn(reporting.AttestationRow{ID: domain.NewID(), VendorName: "V", Kind: "soc2_type2",
			ExpiresOn: domain.DateOf(asOf).AddDays(i - s.n/2), ReviewStatus: "accepted"}); err != nil {
			return err
		}
	}
	return nil
}

func (s fakeSource) EachReview(context.Context, reporting.Filter, func(reporting.ReviewRow) error) error {
	return nil
}

func (s fakeSource) EachFinding(context.Context, reporting.Filter, time.Time, func(reporting.FindingRow) error) error {
	return nil
}

func (s fakeSource) EachIncident(context.Context, reporting.Filter, func(reporting.IncidentRow) error) error {
	return nil
}

func (s fakeSource) EachObligation(context.Context, reporting.Filter, func(reporting.ObligationRow) error) error {
	return nil
}

func (s fakeSource) EachRegimeCheck(context.Context, reporting.Filter, func(reporting.IncidentChecks) error) error {
	return nil
}

func (s fakeSource) EachDependency(_ context.Context, _ reporting.Filter, fn func(reporting.DependencyRow) error) error {
	for i := range s.n {
		if err := fn(reporting.DependencyRow{ID: domain.NewID(), VendorName: fmt.Sprintf("Vendor %05d", i),
			ProviderName: "Cloud host", ProviderStatus: register.StatusFourthParty, Rank: 1,
			Service: register.ServiceHosting, DataCategories: []string{"customer_pii"}, Countries: []string{"DE"},
			Source: register.SourceContract, AsOf: domain.DateOf(asOf), CreatedAt: asOf.Add(-time.Hour)}); err != nil {
			return err
		}
	}
	return nil
}

func (s fakeSource) Concentration(context.Context, reporting.Filter, int) ([]register.ProviderConcentration, error) {
	return []register.ProviderConcentration{{ProviderName: "Cloud host", ProviderStatus: register.StatusFourthParty,
		Vendors: s.n, MinRank: 1, DataCategories: []string{"customer_pii"}, Countries: []string{"DE"}}}, nil
}

func (s fakeSource) ReserveReads(context.Context, int) (func(), error) { return func() {}, nil }

func (s fakeSource) Trend(context.Context, reporting.Filter, domain.Date, domain.Date) ([]reporting.TrendPoint, error) {
	return nil, nil
}

func (s fakeSource) ExecutiveFigures(context.Context, reporting.Filter, reporting.ExecutiveQuery) (reporting.ExecutiveFigures, error) {
	return reporting.ExecutiveFigures{}, nil
}

// TestStreamOrdering checks what the StreamWriter loses when its ordering
// rules are broken: frozen header, table, conditional formats, on large
// and empty sheets alike; and that formula-looking text stays text.
func TestStreamOrdering(t *testing.T) {
	for _, c := range []reports.Compression{reports.CompressFast, reports.CompressDefault} {
		var buf bytes.Buffer
		st, err := reports.WriteAudit(t.Context(), fakeSource{n: 3000}, reporting.Filter{AsOf: asOf},
			reports.Options{Compression: c}, &buf)
		if err != nil {
			t.Fatal(err)
		}
		if st.Rows[reports.SheetVendors] != 3000 || st.Rows[reports.SheetContracts] != 0 {
			t.Errorf("rows %v", st.Rows)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f.GetSheetList(), reports.AuditSheets) {
			t.Errorf("sheets %v", f.GetSheetList())
		}
		for _, sheet := range reports.AuditSheets[1:] {
			if tables, err := f.GetTables(sheet); err != nil || len(tables) != 1 {
				t.Errorf("%s: tables %v %v", sheet, tables, err)
			}
		}
		for _, sheet := range []string{reports.SheetVendors, reports.SheetAttestations} {
			if cf, err := f.GetConditionalFormats(sheet); err != nil || len(cf) == 0 {
				t.Errorf("%s: conditional formats lost (%v)", sheet, err)
			}
		}
		if v, _ := f.GetCellValue(reports.SheetVendors, "A2"); v != "=1+1" {
			t.Errorf("A2 = %q", v)
		}
		if formula, _ := f.GetCellFormula(reports.SheetVendors, "A2"); formula != "" {
			t.Errorf("formula %q", formula)
		}
		if v, _ := f.GetCellValue(reports.SheetAttestations, "I2"); v != "expired" { // the attestation ID is last
			t.Errorf("first attestation state %q", v)
		}
		_ = f.Close()
	}
}

// failingSource fails its vendor sheet after some rows.
type failingSource struct{ fakeSource }

var errSourceBroke = fmt.Errorf("source broke")

func (s failingSource) EachVendor(ctx context.Context, f reporting.Filter, fn func(reporting.VendorRow) error) error {
	n := 0
	return s.fakeSource.EachVendor(ctx, f, func(r reporting.VendorRow) error {
		if n++; n == s.n/2 {
			return errSourceBroke
		}
		return fn(r)
	})
}

// A sheet whose rows fail to read fails the workbook with that error,
// while the other sheet writer and the readers stop, and nothing is
// written.
func TestWriteAuditSourceFailure(t *testing.T) {
	var buf bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := reports.WriteAudit(context.Background(), failingSource{fakeSource{n: 20_000}},
			reporting.Filter{AsOf: asOf}, reports.Options{}, &buf)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, errSourceBroke) {
			t.Fatalf("WriteAudit: %v, want the source's error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("WriteAudit did not return after a source failure")
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written for a failed workbook", buf.Len())
	}
}

// budgetSource records its read reservations, and checks that every
// sheet is read while one is held.
type budgetSource struct {
	fakeSource
	mu       sync.Mutex
	held     int // sheets reserved and not released
	sheets   []int
	unheld   int // reads started without a reservation
	refusing error
}

func (s *budgetSource) ReserveReads(_ context.Context, sheets int) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refusing != nil {
		return nil, s.refusing
	}
	s.held += sheets
	s.sheets = append(s.sheets, sheets)
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.held -= sheets
			s.mu.Unlock()
		})
	}, nil
}

func (s *budgetSource) check() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held == 0 {
		s.unheld++
	}
}

func (s *budgetSource) EachVendor(ctx context.Context, f reporting.Filter, fn func(reporting.VendorRow) error) error {
	s.check()
	return s.fakeSource.EachVendor(ctx, f, fn)
}

func (s *budgetSource) EachAttestation(ctx context.Context, f reporting.Filter, fn func(reporting.AttestationRow) error) error {
	s.check()
	return s.fakeSource.EachAttestation(ctx, f, fn)
}

// WriteAudit reserves the reads of all the sheets it reads at once
// before its first read, and releases them when it returns; when the
// reservation fails (the pool is too small, or the wait ends), it fails
// with that error before reading anything.
func TestWriteAuditReservesReads(t *testing.T) {
	src := &budgetSource{fakeSource: fakeSource{n: 500}}
	if _, err := reports.WriteAudit(t.Context(), src, reporting.Filter{AsOf: asOf}, reports.Options{}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(src.sheets, []int{3}) || src.held != 0 || src.unheld != 0 {
		t.Errorf("reservations %v, still held %d, reads without one %d; want [3], 0, 0", src.sheets, src.held, src.unheld)
	}

	refused := errors.New("pool too small")
	src = &budgetSource{fakeSource: fakeSource{n: 500}, refusing: refused}
	var buf bytes.Buffer
	if _, err := reports.WriteAudit(t.Context(), src, reporting.Filter{AsOf: asOf}, reports.Options{}, &buf); !errors.Is(err, refused) {
		t.Fatalf("WriteAudit with the reservation refused: %v", err)
	}
	if src.unheld != 0 || buf.Len() != 0 {
		t.Errorf("read %d sheets and wrote %d bytes after the reservation was refused", src.unheld, buf.Len())
	}
}
