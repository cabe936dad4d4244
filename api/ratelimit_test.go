package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

func TestRateLimitPerKey(t *testing.T) {
	db := repotest.Open(t, repository.SQLite)
	e := newEnv(t, db)
	svc := services.New(db.Stores(t.TempDir()), services.Settings{KeyPepper: "test-pepper"})
	router, err := api.New(api.Deps{Services: svc, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RatePerKey: 0.5, RateBurst: 2})
	if err != nil {
		t.Fatal(err)
	}
	get := func(key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/vendors", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		return rec
	}
	auditor, exec := e.keys[domain.RoleAuditor], e.keys[domain.RoleExecutive]
	for i := range 2 {
		if rec := get(auditor); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i, rec.Code)
		}
	}
	rec := get(auditor)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("over the limit: %d %s", rec.Code, rec.Body)
	}
	if secs, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || secs < 1 || secs > 2 {
		t.Errorf("Retry-After = %q", rec.Header().Get("Retry-After"))
	}
	// Another key has its own bucket.
	if rec := get(exec); rec.Code != http.StatusOK {
		t.Errorf("another key was limited: %d", rec.Code)
	}
}
