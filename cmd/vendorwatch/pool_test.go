package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/reporting"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestSmallPoolScanAndWorkbooks runs a compliance scan and four audit
// workbooks at once on the smallest pool allowed (8 connections). Each
// reads on up to six connections at once; taken one at a time, their
// streams once filled the pool and all waited for each other until their
// deadline. Reserved together from the read budget, they take turns and
// all finish.
func TestSmallPoolScanAndWorkbooks(t *testing.T) {
	for _, d := range repotest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			url := repotest.URL(t, d)
			var out, errs bytes.Buffer
			if err := run(t.Context(), []string{"seed", "--vendors", "2000", "--db", url}, noEnv, &out, &errs); err != nil {
				t.Fatalf("seed: %v\n%s", err, errs.String())
			}
			cfg, err := loadConfig(noEnv)
			if err != nil {
				t.Fatal(err)
			}
			cfg.DatabaseURL, cfg.DBMaxConns = url, minDBConns
			// Long enough for a slow machine; a stalled pool never ends.
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			a, err := openApp(ctx, cfg, logger, false)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = a.Close() }()
			svc, err := newReportService(cfg, a, logger)
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			wg.Go(func() {
				if _, err := a.svc.Scan.Run(ctx); err != nil {
					t.Errorf("scan: %v", err)
				}
			})
			for range 4 {
				wg.Go(func() {
					var buf bytes.Buffer
					st, err := svc.Generate(ctx, reporting.KindAudit, reporting.Filter{}, reports.Options{}, &buf)
					if err != nil {
						t.Errorf("workbook: %v", err)
					} else if st.Rows[reports.SheetVendors] != 2000+2000/250 || buf.Len() == 0 { // and the seed's providers
						t.Errorf("workbook: %d vendors, %d bytes", st.Rows[reports.SheetVendors], buf.Len())
					}
				})
			}
			wg.Wait()
		})
	}
}
