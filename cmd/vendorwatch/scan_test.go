package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

func TestScanCommand(t *testing.T) {
	for _, d := range repotest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := repotest.URL(t, d)
			var stdout, stderr bytes.Buffer
			if err := run(ctx, []string{"seed", "--vendors", "40", "--db", url}, noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("seed: %v\nstderr: %s", err, stderr.String())
			}
			summary := regexp.MustCompile(`: (\d+) opened, (\d+) still open, (\d+) resolved`)
			stdout.Reset()
			stderr.Reset()
			if err := run(ctx, []string{"scan", "--db", url}, noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("scan: %v\nstderr: %s", err, stderr.String())
			}
			m := summary.FindStringSubmatch(stdout.String())
			if m == nil || m[1] == "0" || m[2] != "0" || !strings.Contains(stdout.String(), "review.") {
				t.Errorf("first scan output:\n%s", stdout.String())
			}
			if strings.Contains(stderr.String(), "facts") {
				t.Errorf("progress printed to a non-terminal: %s", stderr.String())
			}
			opened := m[1]
			stdout.Reset()
			if err := run(ctx, []string{"scan", "--db", url}, noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("second scan: %v", err)
			}
			if m := summary.FindStringSubmatch(stdout.String()); m == nil || m[1] != "0" || m[2] != opened {
				t.Errorf("second scan output (first opened %s):\n%s", opened, stdout.String())
			}
			if err := run(ctx, []string{"scan", "--db", "postgres://nobody@127.0.0.1:1/none"}, noEnv, &stdout, &stderr); err == nil {
				t.Error("scan of an unreachable database succeeded")
			}
		})
	}
}
