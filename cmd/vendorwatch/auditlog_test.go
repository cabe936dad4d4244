package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/reports"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestAuditLogEndToEnd: serve seals what it writes within its interval,
// with a key it creates 0600, and publishes each checkpoint to the
// checkpoint file, the audit.checkpoint webhook event and the audit
// workbook; audit verify checks the log against the file, audit prove
// prints a proof that check-proof accepts with the served public key
// alone, and a rolled-back log fails audit verify.
func TestAuditLogEndToEnd(t *testing.T) {
	for _, target := range repotest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			dbURL := repotest.URL(t, repository.Dialect(target.Name))
			dataDir := t.TempDir()
			env := envOf(map[string]string{"VW_DATA_DIR": dataDir, "VW_AUDIT_SEAL_INTERVAL": "100ms"})
			base, stdout, stop := startServeEnv(t, env, dbURL)
			key := strings.TrimSpace(strings.Split(stdout.String(), "\n")[1])

			var pk struct{ Key string }
			if code := get(t, base+"/api/v1/audit/public-key", key, &pk); code != 200 || pk.Key == "" {
				t.Fatalf("GET /audit/public-key: %d %+v", code, pk)
			}
			st, err := os.Stat(filepath.Join(dataDir, "audit-log.key"))
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("key file: %v, mode %v; want 0600", err, st)
			}
			hook := map[string]any{"url": "https://receiver.example.com/hook", "events": []string{"audit.checkpoint"}}
			if code := post(t, base+"/api/v1/webhooks", key, hook); code != 201 {
				t.Fatalf("POST /webhooks: %d", code)
			}
			if code := post(t, base+"/api/v1/vendors", key, map[string]any{"name": "Logged Vendor"}); code != 201 {
				t.Fatalf("POST /vendors: %d", code)
			}
			// Sealed within the interval, give or take a loaded machine.
			var events struct {
				Items []struct {
					ID        string `json:"id"`
					Action    string `json:"action"`
					LeafIndex *int64 `json:"leaf_index"`
				}
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				get(t, base+"/api/v1/audit-events?entity=vendor", key, &events)
				if len(events.Items) == 1 && events.Items[0].LeafIndex != nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the vendor's audit event was not sealed within 10s: %+v", events.Items)
				}
				time.Sleep(50 * time.Millisecond)
			}
			eventID := events.Items[0].ID
			if err := stop(); err != nil {
				t.Fatal(err)
			}

			cpFile := filepath.Join(dataDir, "audit-checkpoints.jsonl")
			var out, errs syncBuffer
			if err := run(ctx, []string{"audit", "verify", "--db", dbURL}, env, &out, &errs); err != nil {
				t.Fatalf("audit verify: %v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "audit log intact") || !strings.Contains(out.String(), cpFile) {
				t.Errorf("audit verify said %q", out.String())
			}

			// The proof checks with the public key alone.
			out = syncBuffer{}
			if err := run(ctx, []string{"audit", "prove", eventID, "--db", dbURL}, env, &out, &errs); err != nil {
				t.Fatalf("audit prove: %v", err)
			}
			proof := out.String()
			stdin = strings.NewReader(proof)
			out = syncBuffer{}
			if err := run(ctx, []string{"audit", "check-proof", "--public-key", pk.Key}, noEnv, &out, &errs); err != nil {
				t.Fatalf("audit check-proof: %v", err)
			}
			if !strings.Contains(out.String(), "proof checks") || !strings.Contains(out.String(), eventID) {
				t.Errorf("check-proof said %q", out.String())
			}
			stdin = strings.NewReader(strings.Replace(proof, "Logged Vendor", "Forged Vendor", 1))
			if err := run(ctx, []string{"audit", "check-proof", "--public-key", pk.Key}, noEnv, &out, &errs); err == nil {
				t.Error("check-proof accepted an edited event")
			}

			latest := lastCheckpoint(t, cpFile, pk.Key)
			checkPublished(t, dbURL, latest)

			// The audit workbook states the latest checkpoint.
			book := filepath.Join(t.TempDir(), "audit.xlsx")
			if err := run(ctx, []string{"report", "--kind", "audit", "--out", book, "--db", dbURL}, env, &out, &errs); err != nil {
				t.Fatalf("report: %v", err)
			}
			f, err := excelize.OpenFile(book)
			if err != nil {
				t.Fatal(err)
			}
			note, _ := f.GetCellValue(reports.SheetSummary, "D6")
			_ = f.Close()
			if note != latest.Note {
				t.Errorf("the workbook's checkpoint note = %q, want %q", note, latest.Note)
			}

			// Roll the log back to its first leaf, as a database writer
			// could, head included: verify fails against the file.
			db, err := repository.Open(ctx, dbURL, repository.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rollback := []string{"DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_leaves WHERE leaf >= 1)",
				"DELETE FROM audit_leaves WHERE leaf >= 1", "UPDATE audit_log SET size = 1"}
			for _, q := range rollback {
				if _, err := db.SQL().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			out = syncBuffer{}
			err = run(ctx, []string{"audit", "verify", "--db", dbURL}, env, &out, &errs)
			if err == nil || !strings.Contains(out.String(), "NOT extended") || !strings.Contains(out.String(), "audit log BROKEN") {
				t.Errorf("audit verify after a rollback: %v\n%s", err, out.String())
			}
		})
	}
}

// lastCheckpoint is the checkpoint file's last checkpoint, checked with
// the public key.
func lastCheckpoint(t *testing.T, path, pub string) auditlog.Signed {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	given, err := auditlog.ReadGiven(f, path)
	if err != nil || len(given) == 0 {
		t.Fatalf("checkpoint file: %d checkpoints, %v", len(given), err)
	}
	v, err := auditlog.ParseVerifierKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	s, err := auditlog.Open(given[len(given)-1].Note, v)
	if err != nil || s.Size < 2 {
		t.Fatalf("last checkpoint %+v, %v; want one over the admin key's and the vendor's events", s, err)
	}
	return s
}

// checkPublished checks that an audit.checkpoint webhook delivery carries
// the latest checkpoint.
func checkPublished(t *testing.T, dbURL string, latest auditlog.Signed) {
	t.Helper()
	db, err := repository.Open(context.Background(), dbURL, repository.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.SQL().Query("SELECT payload FROM webhook_deliveries WHERE event_type = 'audit.checkpoint'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var payload []byte
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Type string
			Data auditlog.CheckpointEvent
		}
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Fatal(err)
		}
		found = found || (ev.Type == domain.EventAuditCheckpoint && ev.Data.Note == latest.Note && ev.Data.Size == latest.Size)
	}
	if !found {
		t.Errorf("no audit.checkpoint delivery carries checkpoint %d", latest.Size)
	}
}

func post(t *testing.T, url, key string, body any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res.StatusCode
}
