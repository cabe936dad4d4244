package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Bytes returns a copy of what was written.
func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noEnv(string) string { return "" }

// withDataDir is getenv with VW_DATA_DIR set to dir.
func withDataDir(getenv func(string) string, dir string) func(string) string {
	return func(k string) string {
		if k == "VW_DATA_DIR" {
			return dir
		}
		return getenv(k)
	}
}

// startServe runs "serve" in the background and waits until it listens.
func startServe(t *testing.T, dbURL string, extra ...string) (base string, stdout *syncBuffer, stop func() error) {
	t.Helper()
	return startServeEnv(t, noEnv, dbURL, extra...)
}

// startServeEnv is startServe with an environment. Without VW_DATA_DIR
// in it, the data directory (audit log key and checkpoint file) is a new
// temporary one.
func startServeEnv(t *testing.T, getenv func(string) string, dbURL string, extra ...string) (base string, stdout *syncBuffer, stop func() error) {
	t.Helper()
	if getenv("VW_DATA_DIR") == "" {
		getenv = withDataDir(getenv, t.TempDir())
	}
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	errc := make(chan error, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dbURL}, extra...)
	go func() { errc <- run(ctx, args, getenv, stdout, stderr) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, after, ok := strings.Cut(stdout.String(), "listening on "); ok {
			base = strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
			break
		}
		select {
		case err := <-errc:
			t.Fatalf("serve exited: %v\nstderr: %s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve did not start; stderr: %s", stderr.String())
	}
	return base, stdout, func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not shut down")
			return nil
		}
	}
}

func get(t *testing.T, url, key string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if v != nil {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestServeEndToEnd(t *testing.T) {
	for _, target := range repotest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			dbURL := repotest.URL(t, repository.Dialect(target.Name))
			env := withDataDir(noEnv, t.TempDir())
			base, stdout, stop := startServeEnv(t, env, dbURL, "--demo")
			out := stdout.String()
			key := strings.TrimSpace(strings.Split(out, "\n")[1])
			if !strings.HasPrefix(out, "No admin key existed") || !strings.HasPrefix(key, "vw_") {
				t.Fatalf("first start did not print an admin key:\n%s", out)
			}
			var list struct{ Items []struct{ Name, Tier string } }
			if code := get(t, base+"/api/v1/vendors", key, &list); code != 200 || len(list.Items) != len(demoVendors) {
				t.Fatalf("GET /vendors: %d, %d vendors", code, len(list.Items))
			}
			if list.Items[0].Name != "Acme Chat Widgets" || list.Items[0].Tier != "critical" {
				t.Errorf("first demo vendor = %+v", list.Items[0])
			}
			if code := get(t, base+"/readyz", "", nil); code != 200 {
				t.Errorf("readyz %d", code)
			}
			// The start message says where things are, and each place answers.
			for _, want := range []string{"API                " + base + "/api/v1\n",
				"OpenAPI document   " + base + "/api/v1/openapi.json\n"} {
				if !strings.Contains(out, want) {
					t.Errorf("start message lacks %q:\n%s", want, out)
				}
			}
			res, err := http.Get(base + "/")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(string(page), `href="/api/v1/openapi.json"`) || !strings.Contains(string(page), `href="/api/v1"`) {
				t.Errorf("GET / = %d %s:\n%s", res.StatusCode, res.Header.Get("Content-Type"), page)
			}
			var index struct{ Links []struct{ Path string } }
			if code := get(t, base+"/api/v1", "", &index); code != 200 || len(index.Links) == 0 {
				t.Errorf("GET /api/v1 = %d, %+v", code, index)
			}
			// The demo admin signs in to the console with the printed
			// one-time password, and is asked to choose a new one.
			if !strings.Contains(out, "console            "+base+"/\n") {
				t.Errorf("start message lacks the console:\n%s", out)
			}
			demoPassword := consoleDemoSignIn(t, base, out)
			// The container's health check asks /readyz through the binary.
			var hc, hcErr syncBuffer
			if err := run(context.Background(), []string{"healthcheck", "--addr", strings.TrimPrefix(base, "http://")}, noEnv, &hc, &hcErr); err != nil ||
				!strings.HasPrefix(hc.String(), "ready: "+base+"/readyz") {
				t.Errorf("healthcheck: %v %s", err, hc.String())
			}
			if err := stop(); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			if err := run(context.Background(), []string{"healthcheck", "--url", base + "/readyz", "--timeout", "1s"}, noEnv, &hc, &hcErr); err == nil {
				t.Error("healthcheck succeeded with the server stopped")
			}

			// Second start: the admin key exists, so none is printed; demo
			// data is not added twice.
			base, stdout, stop = startServeEnv(t, env, dbURL, "--demo")
			if strings.Contains(stdout.String(), "vw_") {
				t.Errorf("second start printed a key: %s", stdout.String())
			}
			if again := consoleDemoSignIn(t, base, stdout.String()); again == demoPassword {
				t.Error("the second start gave the demo admin the same password")
			}
			if code := get(t, base+"/api/v1/vendors", key, &list); code != 200 || len(list.Items) != len(demoVendors) {
				t.Errorf("after restart: %d, %d vendors", code, len(list.Items))
			}

			// The CLI works beside the running server.
			var cli, errs syncBuffer
			if err := run(context.Background(), []string{"apikey", "create", "--name", "legal team", "--role", "legal", "--db", dbURL}, noEnv, &cli, &errs); err != nil {
				t.Fatalf("apikey create: %v %s", err, errs.String())
			}
			legal := lastLine(cli.String())
			if code := get(t, base+"/api/v1/vendors", legal, nil); code != 200 {
				t.Errorf("new legal key: %d", code)
			}
			if code := get(t, base+"/api/v1/api-keys", legal, nil); code != 403 {
				t.Errorf("legal key on api-keys: %d, want 403", code)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}

			var verify syncBuffer
			if err := run(context.Background(), []string{"audit", "verify", "--db", dbURL}, env, &verify, &errs); err != nil {
				t.Fatalf("audit verify: %v\n%s", err, verify.String())
			}
			// serve sealed what it wrote before it stopped, and published
			// the checkpoints to its checkpoint file, which verify reads.
			if out := verify.String(); !strings.Contains(out, "audit log intact") || !strings.Contains(out, "the log extends") ||
				strings.Contains(out, "not sealed") {
				t.Errorf("audit verify said %q", out)
			}
			var mig syncBuffer
			if err := run(context.Background(), []string{"migrate", "--db", dbURL}, noEnv, &mig, &errs); err != nil {
				t.Fatal(err)
			}
			// "<dialect> schema at version N (latest N)": fully migrated,
			// whatever the number of migrations.
			if f := strings.Fields(mig.String()); len(f) != 7 || f[4] != strings.TrimSuffix(f[6], ")") || f[4] == "0" {
				t.Errorf("migrate said %q", mig.String())
			}
		})
	}
}

func TestCommandErrors(t *testing.T) {
	var out, errs syncBuffer
	for _, args := range [][]string{{}, {"bogus"}, {"apikey"}, {"apikey", "create", "--name", "x", "--role", "root", "--db", "sqlite:" + t.TempDir() + "/x.db"}} {
		if err := run(context.Background(), args, noEnv, &out, &errs); err == nil {
			t.Errorf("run %v succeeded", args)
		}
	}
	if _, err := loadConfig(oneVar("VW_DB_MAX_CONNS", "many")); err == nil {
		t.Error("a non-numeric VW_DB_MAX_CONNS was accepted")
	}
	if _, err := loadConfig(oneVar("VW_DB_MAX_CONNS", "4")); err == nil || !strings.Contains(err.Error(), "VW_DB_MAX_CONNS") {
		t.Errorf("a pool of 4 connections was accepted (err %v): the scan needs at least 8", err)
	}
	if _, err := loadConfig(oneVar("VW_REPORT_WORKERS", "0")); err == nil || !strings.Contains(err.Error(), "VW_REPORT_WORKERS") {
		t.Errorf("zero report workers accepted (err %v)", err)
	}
}

// oneVar is an environment that sets only name, to value.
func oneVar(name, value string) func(string) string {
	return func(k string) string {
		if k == name {
			return value
		}
		return ""
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != ":8080" || cfg.databaseURL() != "sqlite:data/vendorwatch.db" || !cfg.MigrateOnStart {
		t.Errorf("defaults: %+v, db %s", cfg, cfg.databaseURL())
	}
	cfg.DatabaseURL = "postgres://vw:secret@db:5432/vw"
	if strings.Contains(cfg.redactedURL(), "secret") {
		t.Errorf("redacted URL shows the password: %s", cfg.redactedURL())
	}
}

func TestPolicyAndProfileConfig(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/policy.json"
	if err := os.WriteFile(good, []byte(`{"review_cadence": {"months": {"critical": 6, "high": 12, "moderate": 24, "low": 36},
		"source": {"citation": "policy 3.1", "basis": "board", "status": "policy"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	cfg, err := loadConfig(env(map[string]string{"VW_POLICY_FILE": good, "VW_ORG_ENTITY_TYPES": "sec_registrant, hipaa_covered_entity"}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.policy()
	if err != nil || p.ReviewCadence.Months["critical"] != 6 || len(p.Clauses.Requirements) == 0 {
		t.Errorf("policy = %+v, %v", p.ReviewCadence, err)
	}
	prof, err := cfg.orgProfile()
	if err != nil || len(prof.EntityTypes) != 2 {
		t.Errorf("profile = %+v, %v", prof, err)
	}
	cfg.OrgEntityTypes = []string{"bank", "pirate"}
	if _, err := cfg.orgProfile(); err == nil || !strings.Contains(err.Error(), "pirate") {
		t.Errorf("unknown entity type accepted: %v", err)
	}
	cfg.PolicyFile = dir + "/missing.json"
	if _, err := cfg.policy(); err == nil {
		t.Error("a missing policy file was accepted")
	}
	// serve refuses to start on a bad policy rather than run with a surprise.
	bad := dir + "/bad.json"
	_ = os.WriteFile(bad, []byte(`{"clause_requirements": [{"id": "x", "require": "magic"}]}`), 0o600)
	var out, errs syncBuffer
	err = run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", "sqlite:" + dir + "/x.db"},
		env(map[string]string{"VW_POLICY_FILE": bad}), &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("serve with a bad policy: %v", err)
	}
}

func TestReachableAddress(t *testing.T) {
	for in, want := range map[string]string{"[::]:8080": "localhost:8080", "0.0.0.0:8080": "localhost:8080",
		"127.0.0.1:18081": "127.0.0.1:18081", "[::1]:9000": "[::1]:9000"} {
		addr, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := reachable(addr); got != want {
			t.Errorf("reachable(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestCommandHelp: every command's --help and -h succeed and print its
// usage and flags on standard output; so does "help COMMAND".
func TestCommandHelp(t *testing.T) {
	for _, c := range commands {
		if c.name == "help" {
			continue
		}
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			var out, errs syncBuffer
			if err := run(context.Background(), args, noEnv, &out, &errs); err != nil {
				t.Errorf("%v: %v (help is a success)", args, err)
			}
			if !strings.HasPrefix(out.String(), "usage: vendorwatch "+c.synopsis+"\n") || !strings.Contains(out.String(), "\nflags:\n  -") {
				t.Errorf("%v printed on stdout:\n%s", args, out.String())
			}
			if errs.String() != "" {
				t.Errorf("%v printed on stderr: %s", args, errs.String())
			}
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		var out, errs syncBuffer
		if err := run(context.Background(), args, noEnv, &out, &errs); err != nil || !strings.Contains(out.String(), commandList()) {
			t.Errorf("%v: %v\n%s", args, err, out.String())
		}
	}
	// A subcommand that is not there is still an error.
	var out, errs syncBuffer
	if err := run(context.Background(), []string{"apikey", "delete"}, noEnv, &out, &errs); err == nil {
		t.Error("apikey delete succeeded")
	}
}

var update = flag.Bool("update", false, "rewrite the README's Commands block from the binary's help")

// readmeCommandsMarker precedes the README's Commands block, which is
// commandList() in a fenced block.
const readmeCommandsMarker = "<!-- generated from the binary's help by: go test ./cmd/vendorwatch -run TestREADMECommands -update -->\n```text\n"

// TestREADMECommands fails when the README's Commands block and the
// binary's own help differ; -update rewrites the block.
func TestREADMECommands(t *testing.T) {
	const path = "../../README.md"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok := strings.Cut(string(readme), readmeCommandsMarker)
	if !ok {
		t.Fatalf("README.md has no line %q before its Commands block", strings.SplitN(readmeCommandsMarker, "\n", 2)[0])
	}
	block, after, ok := strings.Cut(rest, "```\n")
	if !ok {
		t.Fatal("README.md's Commands block is not closed by ```")
	}
	if block == commandList() {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(before+readmeCommandsMarker+commandList()+"```\n"+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's Commands block differs from the binary's help (go test ./cmd/vendorwatch -run TestREADMECommands -update rewrites it):\n--- README\n%s--- help\n%s", block, commandList())
}

// TestREADMESaysHowToMoveTheAddress: where the README first gives the
// listen address, it says how to change it.
func TestREADMESaysHowToMoveTheAddress(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(readme), "8080")
	if i < 0 {
		t.Fatal("README.md never gives the listen address")
	}
	near := string(readme[i:min(len(readme), i+600)])
	for _, want := range []string{"`--addr`", "`VW_HTTP_ADDR"} {
		if !strings.Contains(near, want) {
			t.Errorf("README.md first gives the address 8080 without saying, nearby, that %s changes it", want)
		}
	}
}

// consoleDemoSignIn signs in to the console at base with the demo admin's
// one-time password printed in out, and returns the password.
func consoleDemoSignIn(t *testing.T, base, out string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  email    (\S+)\n  password (\S+)$`).FindStringSubmatch(out)
	if m == nil || m[1] != demoAdminEmail || !strings.Contains(out, "Demo console sign-in at "+base+"/signin") {
		t.Fatalf("no demo sign-in in the start message:\n%s", out)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindStringSubmatch(string(body))
	if csrf == nil {
		t.Fatalf("sign-in form without a csrf field:\n%s", body)
	}
	res, err = client.PostForm(base+"/signin", url.Values{"email": {m[1]}, "password": {m[2]}, "csrf": {csrf[1]}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != 200 || res.Request.URL.Path != "/account/password" || !strings.Contains(string(body), "choose your own") {
		t.Errorf("demo sign-in ended at %d %s:\n%s", res.StatusCode, res.Request.URL, body)
	}
	return m[2]
}
