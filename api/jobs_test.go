package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/jobs"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestJobRunsAPI(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.keys[domain.RoleAdmin]
		v := e.createVendor(map[string]any{"name": "Snapshot Co", "criticality": "high"})
		sched := jobs.New(repository.NewJobRuns(db), jobs.Options{Clock: e.clock, Replica: "api-test"})
		snap := &register.SnapshotService{Store: repository.NewRiskSnapshots(db), Vendors: repository.NewVendors(db), Clock: e.clock}
		if err := sched.Add(jobs.JobRiskSnapshot, "", snap.Take); err != nil {
			t.Fatal(err)
		}
		e.jobs.Runner = sched
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = sched.Stop(ctx)
		})

		for _, r := range domain.Roles {
			res := e.do("POST", "/api/v1/jobs/risk_snapshot/run", e.keys[r], nil)
			if r != domain.RoleAdmin {
				mustStatus(t, res, http.StatusForbidden)
			}
		}
		// The admin's call above started one run; wait for it, then run again.
		var runs []any
		waitUntil(t, func() bool {
			res := e.do("GET", "/api/v1/jobs/runs?job=risk_snapshot&status=succeeded", admin, nil)
			mustStatus(t, res, 200)
			runs = res.object(t)["items"].([]any)
			return len(runs) == 1
		})
		res := e.do("POST", "/api/v1/jobs/risk_snapshot/run", admin, nil)
		mustStatus(t, res, http.StatusAccepted)
		run := res.object(t)
		if run["status"] != "running" || !strings.HasPrefix(run["slot"].(string), "manual:") || run["trigger"] != "manual" ||
			res.Header.Get("Location") != "/api/v1/jobs/runs/"+run["id"].(string) {
			t.Fatalf("run = %v, location %q", run, res.Header.Get("Location"))
		}
		var got map[string]any
		waitUntil(t, func() bool {
			res := e.do("GET", res.Header.Get("Location"), e.keys[domain.RoleAuditor], nil)
			mustStatus(t, res, 200)
			got = res.object(t)
			return got["status"] != "running"
		})
		if got["status"] != "succeeded" || got["counts"].(map[string]any)["vendors"] != float64(1) || got["replica"] != "api-test" ||
			got["finished_at"] == nil {
			t.Errorf("finished run = %v", got)
		}
		mustStatus(t, e.do("POST", "/api/v1/jobs/nope/run", admin, nil), http.StatusNotFound)
		mustStatus(t, e.do("GET", "/api/v1/jobs/runs/"+domain.NewID(), admin, nil), http.StatusNotFound)
		mustStatus(t, e.do("GET", "/api/v1/jobs/runs?status=bogus", admin, nil), http.StatusBadRequest)
		mustStatus(t, e.do("GET", "/api/v1/jobs/runs", e.keys[domain.RoleVendorManager], nil), http.StatusForbidden)
		page := e.do("GET", "/api/v1/jobs/runs?limit=1", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, page, 200)
		if p := page.object(t); len(p["items"].([]any)) != 1 || p["next_cursor"] == nil {
			t.Errorf("page = %v", p)
		}

		// The snapshot shows in the vendor's risk history.
		today := domain.DateOf(e.clock.Now()).String()
		hist := e.do("GET", "/api/v1/vendors/"+v["id"].(string)+"/risk-history?from="+today, e.keys[domain.RoleExecutive], nil)
		mustStatus(t, hist, 200)
		items := hist.object(t)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["taken_on"] != today || items[0].(map[string]any)["residual_score"] != nil {
			t.Errorf("risk history = %s", hist.Body)
		}
		mustStatus(t, e.do("GET", "/api/v1/vendors/"+domain.NewID()+"/risk-history", admin, nil), http.StatusNotFound)
		mustStatus(t, e.do("GET", "/api/v1/vendors/"+v["id"].(string)+"/risk-history?from=yesterday", admin, nil), http.StatusBadRequest)
	})
}

func TestWebhooksAPI(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.keys[domain.RoleAdmin]
		body := map[string]any{"url": "https://hooks.example.com/vw", "events": []string{"finding.opened", "incident.notice_late"},
			"description": "SOC channel"}
		for _, r := range domain.Roles {
			if r != domain.RoleAdmin {
				mustStatus(t, e.do("POST", "/api/v1/webhooks", e.keys[r], body), http.StatusForbidden)
				mustStatus(t, e.do("GET", "/api/v1/webhooks", e.keys[r], nil), http.StatusForbidden)
			}
		}
		res := e.do("POST", "/api/v1/webhooks", admin, body)
		mustStatus(t, res, http.StatusCreated)
		created := res.object(t)
		secret, _ := created["secret"].(string)
		id := created["id"].(string)
		if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 || created["secret_hint"] != "whsec_…"+secret[len(secret)-4:] {
			t.Fatalf("created = %v", created)
		}
		for _, path := range []string{"/api/v1/webhooks", "/api/v1/webhooks/" + id} {
			res := e.do("GET", path, admin, nil)
			mustStatus(t, res, 200)
			if strings.Contains(string(res.Body), secret) || strings.Contains(string(res.Body), `"secret"`) {
				t.Errorf("%s leaks the secret: %s", path, res.Body)
			}
		}
		res = e.do("GET", "/api/v1/webhooks/"+id+"/deliveries", admin, nil)
		mustStatus(t, res, 200)
		if n := len(res.object(t)["items"].([]any)); n != 0 {
			t.Errorf("%d deliveries before any event", n)
		}
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"url": "gopher://x", "events": []string{"finding.opened"}}, "url"},
			{map[string]any{"url": "https://x.example", "events": []string{"vendor.created"}}, "events"},
			{map[string]any{"url": "https://x.example", "events": []string{}}, "events"},
			{map[string]any{"url": "https://x.example", "events": []string{"finding.opened"}, "secret": "short"}, "secret"},
		} {
			res := e.do("POST", "/api/v1/webhooks", admin, tc.body)
			mustStatus(t, res, http.StatusUnprocessableEntity)
			if f := res.fields(t); len(f) == 0 || f[0] != tc.field {
				t.Errorf("%v: fields %v, want %s", tc.body, f, tc.field)
			}
		}
		mustStatus(t, e.do("DELETE", "/api/v1/webhooks/"+id, e.keys[domain.RoleLegal], nil), http.StatusForbidden)
		mustStatus(t, e.do("DELETE", "/api/v1/webhooks/"+id, admin, nil), http.StatusNoContent)
		mustStatus(t, e.do("GET", "/api/v1/webhooks/"+id, admin, nil), http.StatusNotFound)
		mustStatus(t, e.do("DELETE", "/api/v1/webhooks/"+id, admin, nil), http.StatusNotFound)
		mustStatus(t, e.do("GET", "/api/v1/webhooks/not-a-uuid/deliveries", admin, nil), http.StatusNotFound)
	})
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
