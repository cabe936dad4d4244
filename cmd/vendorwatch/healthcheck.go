package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// cmdHealthcheck asks a running server whether it is ready (GET /readyz)
// and succeeds when it answers 200. It is the container image's health
// check: the distroless image has no shell and no curl.
func cmdHealthcheck(ctx context.Context, cfg config, args []string, _ *slog.Logger, stdout, stderr io.Writer) error {
	fs := newFlags("healthcheck", args, stdout, stderr)
	url := fs.String("url", "", "the URL to ask (default http://HOST:PORT/readyz from --addr, with 127.0.0.1 for a wildcard host)")
	fs.StringVar(&cfg.HTTPAddr, "addr", cfg.HTTPAddr, "the server's listen address (VW_HTTP_ADDR)")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		host, port, err := net.SplitHostPort(cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("healthcheck: listen address %q: %w", cfg.HTTPAddr, err)
		}
		*url = "http://" + net.JoinHostPort(clientHost(host, "127.0.0.1"), port) + "/readyz"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", *url, res.Status)
	}
	fmt.Fprintf(stdout, "ready: %s\n", *url)
	return nil
}
