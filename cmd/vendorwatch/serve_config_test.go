package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/repository"
)

// serve checks its configuration, and binds its address, before it
// creates and prints an admin key: a bad setting leaves no key behind.
func TestServeChecksConfigurationBeforeTheAdminKey(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name   string
		args   []string
		env    func(string) string
		reason string
	}{
		{"port out of range", []string{"--addr", "127.0.0.1:99999"}, noEnv, "listen address"},
		{"no port", []string{"--addr", "localhost"}, noEnv, "listen address"},
		{"address in use", []string{"--addr", busy.Addr().String()}, noEnv, "listen"},
		{"debug address not loopback", []string{"--addr", "127.0.0.1:0"}, oneVar("VW_DEBUG_ADDR", "0.0.0.0:6060"), "VW_DEBUG_ADDR"},
		{"trusted proxy", []string{"--addr", "127.0.0.1:0"}, oneVar("VW_TRUSTED_PROXIES", "10.0.0.0/33"), "VW_TRUSTED_PROXIES"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := "sqlite:" + filepath.Join(t.TempDir(), "vw.db")
			var out, errs syncBuffer
			err := run(context.Background(), append([]string{"serve", "--db", db}, tc.args...), tc.env, &out, &errs)
			if err == nil || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("serve: %v; want an error about %s", err, tc.reason)
			}
			if strings.Contains(out.String(), "shown only once") {
				t.Errorf("an admin key was printed before serve failed:\n%s", out.String())
			}
			conn, err := repository.Open(context.Background(), db, repository.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var n int
			_ = conn.SQL().QueryRow("SELECT count(*) FROM api_keys").Scan(&n) // no table: nothing was created either
			if n != 0 {
				t.Errorf("%d API keys were created before serve failed", n)
			}
		})
	}
}
