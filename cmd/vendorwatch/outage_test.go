package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// pgCluster is a throwaway PostgreSQL cluster of this test's own, which it
// may stop and start at will.
type pgCluster struct {
	t    *testing.T
	bin  string
	dir  string
	port int
}

// newPGCluster initialises a cluster in a temporary directory as the
// postgres user, on a free port. It skips the test when the server
// binaries or the postgres user are not there.
func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries under /usr/lib/postgresql")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a cluster as the postgres user")
	}
	pg, err := user.Lookup("postgres")
	if err != nil {
		t.Skip("no postgres user")
	}
	dir, err := os.MkdirTemp("", "vw-outage-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	c := &pgCluster{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: filepath.Join(dir, "data"), port: port}
	c.run("initdb", "-D", c.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	c.start()
	t.Cleanup(func() { c.pgctl("stop", "-m", "immediate") })
	return c
}

func (c *pgCluster) run(tool string, args ...string) {
	c.t.Helper()
	cmd := exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(c.bin, tool)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
}

func (c *pgCluster) pgctl(args ...string) {
	c.t.Helper()
	c.run("pg_ctl", append([]string{"-D", c.dir, "-w", "-t", "30"}, args...)...)
}

func (c *pgCluster) start() {
	c.pgctl("start", "-l", filepath.Join(filepath.Dir(c.dir), "log"),
		"-o", fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=off", c.port, filepath.Dir(c.dir)))
}

func (c *pgCluster) stop() { c.pgctl("stop", "-m", "fast") }

func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", c.port)
}

// TestDatabaseOutage stops PostgreSQL under a load of writes and starts it
// again: while it is down the service answers 503 (never 500, never a
// hang) and /readyz fails; it recovers by itself; and every write that was
// acknowledged with 201 is in the database afterwards.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own PostgreSQL cluster")
	}
	pg := newPGCluster(t)
	// No rate limit: four writers on one key would be told 429 instead of
	// reaching the database.
	noLimit := func(k string) string {
		if k == "VW_RATE_LIMIT" {
			return "0"
		}
		return ""
	}
	base, stdout, stop := startServeEnv(t, noLimit, pg.url())
	key := lastLine(stdout.String()[:bytes.LastIndex(stdout.Bytes(), []byte("Vendorwatch is listening"))])
	client := &http.Client{Timeout: 15 * time.Second}
	post := func(name string) (int, string, error) {
		req, _ := http.NewRequest("POST", base+"/api/v1/vendors", bytes.NewBufferString(`{"name":"`+name+`"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		var v struct{ ID string }
		_ = json.NewDecoder(res.Body).Decode(&v)
		return res.StatusCode, v.ID, nil
	}

	var mu sync.Mutex
	acked := map[string]string{} // id -> name
	codes := map[int]int{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				name := fmt.Sprintf("writer %d vendor %d", w, i)
				code, id, err := post(name)
				mu.Lock()
				if err != nil {
					t.Errorf("request hung or failed at the transport: %v", err)
				}
				codes[code]++
				if code == http.StatusCreated {
					acked[id] = name
				}
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(time.Second)
	pg.stop()
	time.Sleep(500 * time.Millisecond)
	if code := get(t, base+"/readyz", "", nil); code != http.StatusServiceUnavailable {
		t.Errorf("readyz while the database is down: %d", code)
	}
	time.Sleep(2500 * time.Millisecond)
	pg.start()
	recovered := false
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if get(t, base+"/readyz", "", nil) == http.StatusOK {
			recovered = true
			break
		}
	}
	time.Sleep(1500 * time.Millisecond) // writes succeed again
	cancel()
	wg.Wait()
	if !recovered {
		t.Fatal("the service did not recover within 15 s of the database's return")
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("responses by status: %v; %d writes acknowledged", codes, len(acked))
	if codes[http.StatusInternalServerError] > 0 {
		t.Errorf("%d answers were 500; an outage must be 503", codes[http.StatusInternalServerError])
	}
	if codes[http.StatusServiceUnavailable] == 0 {
		t.Error("no 503 while the database was down: the outage was not observed")
	}
	if codes[http.StatusCreated] == 0 {
		t.Fatal("no write succeeded")
	}
	for id, name := range acked {
		var v struct{ Name string }
		if code := get(t, base+"/api/v1/vendors/"+id, key, &v); code != http.StatusOK || v.Name != name {
			t.Errorf("acknowledged write %s (%s) is missing: %d", id, name, code)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
