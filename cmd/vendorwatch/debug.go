package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startDebug serves the pprof handlers on addr (VW_DEBUG_ADDR) until ctx
// ends. The handlers are mounted on a private mux, never on the API router
// or http.DefaultServeMux, and have no authentication, so addr must be a
// loopback address. The command line is not served: it may hold a
// database URL with its password. It returns the bound address.
func startDebug(ctx context.Context, addr string, logger *slog.Logger) (string, error) {
	if err := loopbackOnly(addr); err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("debug listener: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("debug listener", "error", err.Error())
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	logger.Info("pprof debug listener", "addr", ln.Addr().String())
	return ln.Addr().String(), nil
}

// loopbackOnly accepts host:port addresses whose host is localhost or a
// loopback IP.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("VW_DEBUG_ADDR %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("VW_DEBUG_ADDR %q: the pprof listener has no authentication and binds to loopback only "+
			"(127.0.0.1, ::1 or localhost)", addr)
	}
	return nil
}
