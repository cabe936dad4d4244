// Command consolebench is the load benchmark of the web console against
// the JSON API reading the same data, on the same server, in the same
// run: concurrent clients (8 by default) request a console page, then
// the JSON endpoint(s) behind it, interleaved per scenario and rep.
//
//	-target URL -db URL -email E -password P -key KEY [-conns 8] [-duration 30s] [-reps 2] [-scenarios a,b]
//
// Scenarios (page against JSON):
//
//	overview    GET /                    against GET /api/v1/dashboard (the read model the overview draws)
//	list_first  GET /vendors             against GET /api/v1/vendors
//	list_deep   GET /vendors?cursor=     against GET /api/v1/vendors?cursor= (cursors about 90 % down the list)
//	vendor      GET /vendors/{id}        against the eleven JSON reads of the page's sections, one after
//	                                     the other (what a JSON client asks for the same data); and
//	vendor_get  GET /vendors/{id}        against GET /api/v1/vendors/{id} alone (a floor: a fraction of the data)
//
// The console signs in with -email and -password (a session, as a
// browser); the JSON endpoints use the API key -key. Before measuring, it
// checks that each page shows what its JSON says (the same vendors, the
// same riskiest vendors). See scripts/consolebench/run.sh.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	target := flag.String("target", "http://127.0.0.1:18190", "server base URL")
	dbURL := flag.String("db", "", "PostgreSQL URL of the server's database (for vendor ids and cursors)")
	email := flag.String("email", "", "console user (a role that may read the dashboard)")
	password := flag.String("password", "", "the user's password")
	key := flag.String("key", "", "API key of the same role")
	conns := flag.Int("conns", 8, "concurrent clients")
	duration := flag.Duration("duration", 30*time.Second, "duration of each measured run")
	warmup := flag.Duration("warmup", 5*time.Second, "warm-up per scenario before its first rep")
	reps := flag.Int("reps", 2, "repetitions of each scenario")
	only := flag.String("scenarios", "", "comma-separated subset of scenarios")
	flag.Parse()
	if *dbURL == "" || *email == "" || *key == "" {
		log.Fatal("-db, -email and -key are required")
	}
	b := &bench{base: strings.TrimRight(*target, "/"), key: *key, conns: *conns}
	if err := b.run(context.Background(), *dbURL, *email, *password, *duration, *warmup, *reps, *only); err != nil {
		log.Fatal(err)
	}
}

// bench holds the clients: one with the console session's cookie, one
// with the API key.
type bench struct {
	base, key string
	conns     int
	console   *http.Client
	api       *http.Client
	ids       []string
	deep      []string // base64url cursors about 90 % down the vendor list
}

// request is one sample's work: one or more GETs one after the other.
type request struct {
	paths []string
	api   bool
}

// scenario pairs a console page with the JSON behind it.
type scenario struct {
	name       string
	page, json func(r *rand.Rand) request
}

func (b *bench) scenarios() []scenario {
	id := func(r *rand.Rand) string { return b.ids[r.IntN(len(b.ids))] }
	cur := func(r *rand.Rand) string { return b.deep[r.IntN(len(b.deep))] }
	page := func(p string) request { return request{paths: []string{p}} }
	api := func(p ...string) request { return request{paths: p, api: true} }
	return []scenario{
		{"overview", func(*rand.Rand) request { return page("/") },
			func(*rand.Rand) request { return api("/api/v1/dashboard") }},
		{"list_first", func(*rand.Rand) request { return page("/vendors") },
			func(*rand.Rand) request { return api("/api/v1/vendors") }},
		{"list_deep", func(r *rand.Rand) request { return page("/vendors?cursor=" + cur(r)) },
			func(r *rand.Rand) request { return api("/api/v1/vendors?cursor=" + cur(r)) }},
		{"vendor", func(r *rand.Rand) request { return page("/vendors/" + id(r)) },
			func(r *rand.Rand) request { return api(vendorSections(id(r))...) }},
		{"vendor_get", func(r *rand.Rand) request { return page("/vendors/" + id(r)) },
			func(r *rand.Rand) request { return api("/api/v1/vendors/" + id(r)) }},
	}
}

// vendorSections are the JSON reads of the vendor page's sections, with
// the page's limit of 20 rows per list.
func vendorSections(id string) []string {
	v := "/api/v1/vendors/" + id
	q := "?vendor_id=" + id + "&limit=20"
	return []string{v, v + "/data-handling", v + "/risk", "/api/v1/contracts" + q, v + "/clause-audit",
		"/api/v1/attestations" + q, v + "/evidence-status", "/api/v1/reviews" + q, "/api/v1/incidents" + q,
		"/api/v1/findings" + q + "&status=open", v + "/notification-history"}
}

func (b *bench) run(ctx context.Context, dbURL, email, password string, d, warmup time.Duration, reps int, only string) error {
	if err := b.fixtures(ctx, dbURL); err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}
	jar, _ := cookiejar.New(nil)
	b.console = &http.Client{Transport: tr, Jar: jar, Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.api = &http.Client{Transport: tr, Timeout: 5 * time.Minute}
	if err := b.signIn(email, password); err != nil {
		return err
	}
	if err := b.checkSame(); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	var results []result
	for _, sc := range b.scenarios() {
		if len(want) > 0 && !want[sc.name] {
			continue
		}
		b.load(sc.page, warmup/2)
		b.load(sc.json, warmup/2)
		for rep := 1; rep <= reps; rep++ {
			for _, side := range []string{"page", "json"} {
				f := sc.page
				if side == "json" {
					f = sc.json
				}
				r := b.load(f, d)
				r.scenario, r.side, r.rep = sc.name, side, rep
				r.load = loadAverage()
				fmt.Fprintf(os.Stderr, "%s %-10s %-4s rep %d: n %d, p50 %.1f ms, p99 %.1f ms, errors %d, load %s\n",
					time.Now().UTC().Format("15:04:05"), sc.name, side, rep, r.n, ms(r.p50), ms(r.p99), r.errs, r.load)
				results = append(results, r)
			}
		}
	}
	printTable(results, b.conns, d)
	return nil
}

// fixtures reads vendor ids and deep cursors of the name order (as
// scripts/loadbench does).
func (b *bench) fixtures(ctx context.Context, dbURL string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, "SELECT id::text FROM vendors ORDER BY random() LIMIT 5000")
	if err != nil {
		return err
	}
	if b.ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return err
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM vendors").Scan(&n); err != nil {
		return err
	}
	rows, err = conn.Query(ctx, `SELECT name_key FROM (SELECT name_key, row_number() OVER (ORDER BY name_key) - 1 AS o
		FROM vendors) s WHERE o >= $1 AND o < $1 + 800 AND (o - $1) % 50 = 0 ORDER BY o`, n*9/10)
	if err != nil {
		return err
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, k := range keys {
		b.deep = append(b.deep, base64.RawURLEncoding.EncodeToString([]byte(k)))
	}
	if len(b.ids) == 0 || len(b.deep) == 0 {
		return errors.New("no vendors in the database")
	}
	fmt.Fprintf(os.Stderr, "fixtures: %d vendor ids, %d deep cursors of %d vendors\n", len(b.ids), len(b.deep), n)
	return nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// signIn signs the console client in through the form, as a browser.
func (b *bench) signIn(email, password string) error {
	resp, err := b.console.Get(b.base + "/signin")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return errors.New("sign-in form without its csrf field")
	}
	resp, err = b.console.PostForm(b.base+"/signin", url.Values{"email": {email}, "password": {password},
		"csrf": {string(m[1])}})
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		return fmt.Errorf("sign-in: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	return nil
}

func (b *bench) get(c *http.Client, path string, api bool) ([]byte, int, error) {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	if api {
		req.Header.Set("Authorization", "Bearer "+b.key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	return body, resp.StatusCode, err
}

// checkSame requires each page to show what its JSON says: the vendor
// list pages the same vendors, the overview the dashboard's riskiest
// vendors, the vendor page the vendor.
func (b *bench) checkSame() error {
	type item struct {
		ID       string `json:"id"`
		VendorID string `json:"vendor_id"`
		Name     string `json:"name"`
	}
	var list struct{ Items []item }
	var dash struct {
		TopVendors []item `json:"top_vendors"`
	}
	checks := []struct {
		page, api string
		into      any
		ids       func() []item
	}{
		{"/vendors", "/api/v1/vendors", &list, func() []item { return list.Items }},
		{"/vendors?cursor=" + b.deep[0], "/api/v1/vendors?cursor=" + b.deep[0], &list, func() []item { return list.Items }},
		{"/", "/api/v1/dashboard", &dash, func() []item { return dash.TopVendors }},
		{"/vendors/" + b.ids[0], "/api/v1/vendors/" + b.ids[0], nil, nil},
	}
	for _, c := range checks {
		page, code, err := b.get(b.console, c.page, false)
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("GET %s: %d %v", c.page, code, err)
		}
		js, code, err := b.get(b.api, c.api, true)
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("GET %s: %d %v", c.api, code, err)
		}
		var items []item
		if c.into == nil {
			var one item
			if err := json.Unmarshal(js, &one); err != nil {
				return err
			}
			items = []item{one}
		} else {
			if err := json.Unmarshal(js, c.into); err != nil {
				return err
			}
			items = c.ids()
		}
		if len(items) == 0 {
			return fmt.Errorf("GET %s: nothing to compare", c.api)
		}
		for _, it := range items {
			id := it.ID + it.VendorID
			if c.into == nil {
				if !strings.Contains(string(page), "<h1>"+html.EscapeString(it.Name)+"</h1>") {
					return fmt.Errorf("%s is not the page of vendor %s (%s)", c.page, id, it.Name)
				}
				continue
			}
			if !strings.Contains(string(page), `href="/vendors/`+id) {
				return fmt.Errorf("%s does not show vendor %s (%s) of %s", c.page, id, it.Name, c.api)
			}
		}
	}
	for _, p := range vendorSections(b.ids[0]) {
		if _, code, err := b.get(b.api, p, true); err != nil || code != http.StatusOK {
			return fmt.Errorf("GET %s: %d %v", p, code, err)
		}
	}
	fmt.Fprintln(os.Stderr, "the pages show what their JSON says")
	return nil
}

// result is one measured run of one side of a scenario.
type result struct {
	scenario, side string
	rep            int
	n, errs        int
	p50, p99       time.Duration
	rps            float64
	load           string
}

// load runs conns clients for d, each sending the next request as soon
// as the last is answered; a sample is the time of a whole request (all
// its GETs).
func (b *bench) load(next func(*rand.Rand) request, d time.Duration) result {
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var lats []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for i := range b.conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(i)))
			for time.Now().Before(deadline) {
				req := next(r)
				c := b.console
				if req.api {
					c = b.api
				}
				t0 := time.Now()
				failed := false
				for _, p := range req.paths {
					if _, code, err := b.get(c, p, req.api); err != nil || code != http.StatusOK {
						failed = true
					}
				}
				lat := time.Since(t0)
				mu.Lock()
				lats = append(lats, lat)
				if failed {
					errs++
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	res := result{n: len(lats), errs: errs, rps: float64(len(lats)) / time.Since(start).Seconds()}
	if len(lats) > 0 {
		sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
		res.p50 = lats[len(lats)/2]
		res.p99 = lats[min(len(lats)-1, len(lats)*99/100)]
	}
	return res
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// loadAverage is the 1-minute load average.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

// printTable prints every run, then per scenario the medians of the
// page's and the JSON's p50 and p99 over the reps and their ratios
// against the targets (p50 at most 1.5x, p99 at most 2x).
func printTable(rs []result, conns int, d time.Duration) {
	fmt.Printf("\n## Runs (%d clients, %s each)\n\n| scenario | side | rep | requests | req/s | p50 ms | p99 ms | errors | load |\n|---|---|---|---:|---:|---:|---:|---:|---|\n", conns, d)
	for _, r := range rs {
		fmt.Printf("| %s | %s | %d | %d | %.1f | %.1f | %.1f | %d | %s |\n", r.scenario, r.side, r.rep, r.n, r.rps, ms(r.p50), ms(r.p99), r.errs, r.load)
	}
	fmt.Printf("\n## Page / JSON (medians over reps; targets p50 ≤ 1.5, p99 ≤ 2)\n\n| scenario | page p50 / p99 ms | JSON p50 / p99 ms | p50 ratio | p99 ratio | errors | verdict |\n|---|---|---|---:|---:|---:|---|\n")
	var order []string
	by := map[string][]result{}
	for _, r := range rs {
		k := r.scenario
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], r)
	}
	for _, k := range order {
		var pp50, pp99, jp50, jp99 []float64
		errs := 0
		for _, r := range by[k] {
			errs += r.errs
			if r.side == "page" {
				pp50, pp99 = append(pp50, ms(r.p50)), append(pp99, ms(r.p99))
			} else {
				jp50, jp99 = append(jp50, ms(r.p50)), append(jp99, ms(r.p99))
			}
		}
		r50, r99 := median(pp50)/median(jp50), median(pp99)/median(jp99)
		v := "met"
		if r50 > 1.5 || r99 > 2 || errs > 0 {
			v = "missed"
		}
		fmt.Printf("| %s | %.1f / %.1f | %.1f / %.1f | %.2f | %.2f | %d | %s |\n", k, median(pp50), median(pp99),
			median(jp50), median(jp99), r50, r99, errs, v)
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
