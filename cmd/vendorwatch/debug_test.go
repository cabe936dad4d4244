package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
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
	resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		t.Errorf("pprof cmdline: %d %q", resp.StatusCode, body)
	}
}
