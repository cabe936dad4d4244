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
	"github.com/vendorwatch/vendorwatch/domain/access"
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

// Failed authentications are throttled per client address before they
// cost a database lookup: past the burst, requests from the address get
// 429 with Retry-After (even with the database gone), while other
// addresses, and keys verified within the cache time, are not affected.
func TestAuthFailuresThrottledPerAddress(t *testing.T) {
	db := repotest.Open(t, repository.SQLite) // the throttle never reaches the database
	e := newEnv(t, db)
	svc := services.New(db.Stores(t.TempDir()), services.Settings{KeyPepper: "test-pepper"})
	router, err := api.New(api.Deps{Services: svc, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AuthFailureRate: 0.1, AuthFailureBurst: 3})
	if err != nil {
		t.Fatal(err)
	}
	get := func(addr, key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/vendors", nil)
		req.RemoteAddr = addr + ":40000"
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		return rec
	}
	random := func() string { k, _, _ := access.GenerateKey(); return k }
	const attacker, neighbour, other = "203.0.113.7", "198.51.100.1", "198.51.100.2"
	mgr := e.keys[domain.RoleVendorManager]
	if rec := get(attacker, mgr); rec.Code != http.StatusOK {
		t.Fatalf("a good key: %d", rec.Code)
	}
	for i := range 3 {
		if rec := get(attacker, random()); rec.Code != http.StatusUnauthorized {
			t.Fatalf("bad key %d within the burst: %d", i, rec.Code)
		}
	}
	rec := get(attacker, random())
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("past the burst: %d %s", rec.Code, rec.Body)
	}
	if secs, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || secs < 1 || secs > 10 {
		t.Errorf("Retry-After = %q", rec.Header().Get("Retry-After"))
	}
	// A key verified moments ago still passes; one never verified does not.
	if rec := get(attacker, mgr); rec.Code != http.StatusOK {
		t.Errorf("a recently verified key from a throttled address: %d", rec.Code)
	}
	if rec := get(attacker, e.keys[domain.RoleAuditor]); rec.Code != http.StatusTooManyRequests {
		t.Errorf("an unverified key from a throttled address: %d", rec.Code)
	}
	if rec := get(neighbour, random()); rec.Code != http.StatusUnauthorized {
		t.Errorf("another address: %d", rec.Code)
	}
	// Without the database, the throttled address still gets 429: its
	// requests cost no lookup. An address that is not throttled needs one.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if rec := get(attacker, random()); rec.Code != http.StatusTooManyRequests {
		t.Errorf("throttled, database closed: %d", rec.Code)
	}
	if rec := get(other, random()); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("not throttled, database closed: %d (the lookup should fail)", rec.Code)
	}
}
