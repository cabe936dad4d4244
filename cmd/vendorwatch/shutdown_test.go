package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestShutdownUnderLoad stops the server (as SIGTERM does) while writes
// are in flight: requests it accepted finish, none gets a 5xx, and every
// acknowledged write is in the database afterwards.
func TestShutdownUnderLoad(t *testing.T) {
	dbURL := repotest.URL(t, repository.SQLite)
	base, stdout, stop := startServe(t, dbURL)
	key := lastLine(stdout.String()[:bytes.LastIndex(stdout.Bytes(), []byte("Vendorwatch is listening"))])
	client := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	var acked []string
	var fiveXX int
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				req, _ := http.NewRequest("POST", base+"/api/v1/vendors",
					bytes.NewBufferString(fmt.Sprintf(`{"name":"w%d-%d"}`, w, i)))
				req.Header.Set("Authorization", "Bearer "+key)
				res, err := client.Do(req)
				if err != nil {
					return // the server has stopped accepting connections
				}
				var v struct{ ID string }
				_ = json.NewDecoder(res.Body).Decode(&v)
				res.Body.Close()
				mu.Lock()
				switch {
				case res.StatusCode == http.StatusCreated:
					acked = append(acked, v.ID)
				case res.StatusCode >= 500:
					fiveXX++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(400 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	wg.Wait()
	if fiveXX > 0 {
		t.Errorf("%d requests got a 5xx during shutdown", fiveXX)
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the shutdown")
	}
	// Every acknowledged write survived: reopen the database and look.
	db, err := repository.Open(context.Background(), dbURL, repository.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vendors := repository.NewVendors(db)
	for _, id := range acked {
		if _, err := vendors.Get(context.Background(), id); err != nil {
			t.Errorf("acknowledged vendor %s lost: %v", id, err)
		}
	}
	t.Logf("%d writes acknowledged before and during the shutdown", len(acked))
}
