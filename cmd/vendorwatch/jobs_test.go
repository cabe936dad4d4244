package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain/webhook"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestServeRefusesBadJobSettings(t *testing.T) {
	dbURL := repotest.URL(t, repository.SQLite)
	for env, want := range map[string]string{
		"VW_SCAN_SCHEDULE":        "VW_SCAN_SCHEDULE",
		"VW_SNAPSHOT_SCHEDULE":    "VW_SNAPSHOT_SCHEDULE",
		"VW_REPORT_SCHEDULE":      "VW_REPORT_SCHEDULE",
		"VW_SCHEDULER":            "VW_SCHEDULER",
		"VW_WEBHOOK_MAX_ATTEMPTS": "VW_WEBHOOK_MAX_ATTEMPTS",
	} {
		bad := map[string]string{"VW_SCAN_SCHEDULE": "61 * * * *", "VW_SNAPSHOT_SCHEDULE": "CRON_TZ=Europe/Paris 0 2 * * *",
			"VW_REPORT_SCHEDULE": "0 6 * *",
			"VW_SCHEDULER":       "sometimes", "VW_WEBHOOK_MAX_ATTEMPTS": "0"}[env]
		var out, errs syncBuffer
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", dbURL},
			envOf(map[string]string{env: bad}), &out, &errs)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%q: err = %v, want a message naming %s", env, bad, err, want)
		}
	}
	cfg, err := loadConfig(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.checkJobs(); err != nil || cfg.ScanSchedule != "0 * * * *" || cfg.SnapshotSchedule != "15 2 * * *" ||
		cfg.reportSchedule() != "0 6 * * 1" || cfg.WebhookMaxAttempts != 6 || cfg.WebhookAllowPrivate {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
}

// TestReportSchedule: VW_REPORT_SCHEDULE schedules the audit report on
// its spec; off (any case) leaves the job out.
func TestReportSchedule(t *testing.T) {
	for spec, want := range map[string][]string{"@daily": {JobAuditReport}, "30 5 * * 0": {JobAuditReport},
		"off": {}, " OFF ": {}} {
		cfg, err := loadConfig(envOf(map[string]string{"VW_REPORT_SCHEDULE": spec}))
		if err != nil {
			t.Fatal(err)
		}
		if err := cfg.checkJobs(); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
		sched := jobs.New(nil, jobs.Options{})
		if err := registerReportJobs(sched, cfg.reportSchedule(), &reports.Service{}, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
		if got := sched.Jobs(); !slices.Equal(got, want) {
			t.Errorf("VW_REPORT_SCHEDULE=%q: jobs %v, want %v", spec, got, want)
		}
	}
}

// serve with the schedule off: an admin runs the scan through the API, the
// scan's finding.opened events reach a webhook receiver, signed.
func TestServeRunsJobsAndDeliversWebhooks(t *testing.T) {
	for _, target := range repotest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			var mu sync.Mutex
			var secret string
			var verified, failed int
			recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				defer mu.Unlock()
				if webhook.VerifyWebhook(secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute) == nil {
					verified++
				} else {
					failed++
				}
			}))
			defer recv.Close()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stdout, stderr := &syncBuffer{}, &syncBuffer{}
			errc := make(chan error, 1)
			env := envOf(map[string]string{"VW_SCHEDULER": "off", "VW_WEBHOOK_ALLOW_PRIVATE": "true", "VW_DATA_DIR": t.TempDir(),
				"VW_WEBHOOK_KEY_FILE": filepath.Join(t.TempDir(), "webhook.key")})
			go func() {
				errc <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", target.URL, "--demo"}, env, stdout, stderr)
			}()
			var base string
			for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if _, after, ok := strings.Cut(stdout.String(), "listening on "); ok {
					base = strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
				}
			}
			if base == "" {
				t.Fatalf("serve did not start: %s", stderr.String())
			}
			key := strings.TrimSpace(strings.Split(stdout.String(), "\n")[1])

			call := func(method, path string, body any, v any) int {
				t.Helper()
				var rd io.Reader
				if body != nil {
					b, _ := json.Marshal(body)
					rd = bytes.NewReader(b)
				}
				req, _ := http.NewRequest(method, base+path, rd)
				req.Header.Set("Authorization", "Bearer "+key)
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				if v != nil {
					_ = json.NewDecoder(res.Body).Decode(v)
				}
				return res.StatusCode
			}
			var hook struct{ ID, Secret string }
			if code := call("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL, "events": []string{"finding.opened"}}, &hook); code != 201 {
				t.Fatalf("create webhook: %d", code)
			}
			mu.Lock()
			secret = hook.Secret
			mu.Unlock()
			var run struct{ ID, Status string }
			if code := call("POST", "/api/v1/jobs/scan/run", nil, &run); code != 202 {
				t.Fatalf("run scan: %d", code)
			}
			var got struct {
				Status string
				Error  string
				Counts map[string]int
			}
			for deadline := time.Now().Add(30 * time.Second); got.Status == "" || got.Status == "running"; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("scan did not finish")
				}
				call("GET", "/api/v1/jobs/runs/"+run.ID, nil, &got)
			}
			if got.Status != "succeeded" || got.Counts["opened"] == 0 {
				t.Fatalf("scan run: %+v", got)
			}
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				mu.Lock()
				v, f := verified, failed
				mu.Unlock()
				if f > 0 {
					t.Fatalf("%d deliveries failed verification", f)
				}
				if v == got.Counts["opened"] {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d verified deliveries, want %d", v, got.Counts["opened"])
				}
			}
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Fatalf("serve: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop")
			}
		})
	}
}
