package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestDebugListenerOffByDefault(t *testing.T) {
	cfg, err := loadConfig(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DebugAddr != "" {
		t.Errorf("the pprof listener is on by default: %q", cfg.DebugAddr)
	}
}

func TestDebugListenerServesPprof(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := startDebug(ctx, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("/debug/pprof/goroutine?debug=1"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof goroutine: %d %.80q", code, body)
	}
	// The command line may carry a database URL with its password.
	if code, body := get("/debug/pprof/cmdline"); code == http.StatusOK {
		t.Errorf("pprof cmdline is served: %.80q", body)
	}
}

func TestDebugListenerRefusesNonLoopbackAddresses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "192.0.2.10:6060", "example.com:6060", "nonsense"} {
		if _, err := startDebug(context.Background(), addr, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("startDebug(%q) listened; want an error", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		if err := loopbackOnly(addr); err != nil {
			t.Errorf("loopbackOnly(%q) = %v", addr, err)
		}
	}
}
