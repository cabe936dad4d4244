// Command loadbench is the HTTP load benchmark of the vendor API against a
// bare net/http + pgx baseline serving the same queries.
//
//	-mode baseline -addr 127.0.0.1:18091 -db URL
//	    serves GET /api/v1/vendors/{id}, GET /api/v1/vendors,
//	    GET /api/v1/findings and POST /api/v1/vendors with net/http +
//	    pgxpool (-pool conns, default 32), no auth. POST inserts the vendor
//	    row and one audit row (table loadbench_audit, shaped and indexed as
//	    audit_events, created if missing) in one transaction.
//	-mode load -target URL -key KEY -baseline URL -db URL -target-pid N -baseline-pid N
//	    drives both servers, interleaved per scenario, and prints a table.
//
// See scripts/loadbench/run.sh for the whole reproduction.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vendorwatch/vendorwatch/domain"
)

func main() {
	mode := flag.String("mode", "load", "baseline | load")
	addr := flag.String("addr", "127.0.0.1:18091", "baseline listen address")
	dbURL := flag.String("db", "", "PostgreSQL URL")
	target := flag.String("target", "http://127.0.0.1:18090", "product base URL")
	key := flag.String("key", "", "product API key (admin)")
	baseline := flag.String("baseline", "http://127.0.0.1:18091", "baseline base URL")
	duration := flag.Duration("duration", 10*time.Second, "duration per scenario run")
	warmup := flag.Duration("warmup", 2*time.Second, "warm-up per server before the first rep")
	conns := flag.Int("conns", 32, "concurrent connections (workers)")
	reps := flag.Int("reps", 2, "repetitions of each scenario")
	targetPID := flag.Int("target-pid", 0, "product server pid (CPU accounting)")
	baselinePID := flag.Int("baseline-pid", 0, "baseline server pid (CPU accounting)")
	only := flag.String("scenarios", "", "comma-separated subset of scenarios")
	auth := flag.Bool("auth", false, "baseline: also run the product's two API-key statements per request (lookup by prefix, throttled last_used_at UPDATE)")
	baselineKey := flag.String("baseline-key", "", "API key sent to the baseline (with a baseline started with -auth)")
	pool := flag.Int("pool", 32, "baseline: connections in its pool")
	flag.Parse()
	if *dbURL == "" {
		log.Fatal("-db is required")
	}
	switch *mode {
	case "baseline":
		if err := serveBaseline(*addr, *dbURL, *auth, int32(*pool)); err != nil {
			log.Fatal(err)
		}
	case "load":
		cfg := loadConfig{target: strings.TrimRight(*target, "/"), key: *key, baselineKey: *baselineKey, baseline: strings.TrimRight(*baseline, "/"),
			duration: *duration, warmup: *warmup, conns: *conns, reps: *reps, targetPID: *targetPID, baselinePID: *baselinePID}
		if *only != "" {
			cfg.only = map[string]bool{}
			for _, s := range strings.Split(*only, ",") {
				cfg.only[strings.TrimSpace(s)] = true
			}
		}
		if err := runLoad(cfg, *dbURL); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

// ---------------------------------------------------------------- baseline

// vendorCols is every column of vendors, as GORM's Take/Find on vendorRow
// selects them (SELECT * over the same table).
const vendorCols = "id, name, name_key, legal_name, website, service, owner_email, status, criticality, country, " +
	"parent_vendor_id, external_ref, risk_score, risk_tier, tier, tier_override, tier_override_reason, " +
	"max_sensitivity, max_records, last_review_on, version, created_at, updated_at"

// findingCols matches repository.findingCols.
const findingCols = "id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status, first_seen_at, last_seen_at, " +
	"last_seen_run, resolved_at, accepted_reason, accepted_until, accepted_by, version, updated_at"

type vendorJSON struct {
	ID                 string     `json:"id"`
	Name               string     `json:"name"`
	NameKey            string     `json:"-"`
	LegalName          string     `json:"legal_name"`
	Website            string     `json:"website"`
	Service            string     `json:"service"`
	OwnerEmail         string     `json:"owner_email"`
	Status             string     `json:"status"`
	Criticality        string     `json:"criticality"`
	Country            string     `json:"country"`
	ParentVendorID     *string    `json:"parent_vendor_id"`
	ExternalRef        *string    `json:"external_ref"`
	RiskScore          int        `json:"risk_score"`
	RiskTier           string     `json:"risk_tier"`
	Tier               string     `json:"tier"`
	TierOverride       *string    `json:"tier_override"`
	TierOverrideReason string     `json:"tier_override_reason"`
	MaxSensitivity     int        `json:"max_sensitivity"`
	MaxRecords         int64      `json:"max_records"`
	LastReviewOn       *time.Time `json:"last_review_on"`
	Version            int64      `json:"version"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

func (v *vendorJSON) dest() []any {
	return []any{&v.ID, &v.Name, &v.NameKey, &v.LegalName, &v.Website, &v.Service, &v.OwnerEmail, &v.Status,
		&v.Criticality, &v.Country, &v.ParentVendorID, &v.ExternalRef, &v.RiskScore, &v.RiskTier, &v.Tier,
		&v.TierOverride, &v.TierOverrideReason, &v.MaxSensitivity, &v.MaxRecords, &v.LastReviewOn, &v.Version,
		&v.CreatedAt, &v.UpdatedAt}
}

type findingJSON struct {
	ID             string          `json:"id"`
	RuleID         string          `json:"rule_id"`
	Severity       string          `json:"severity"`
	VendorID       string          `json:"vendor_id"`
	SubjectType    string          `json:"subject_type"`
	SubjectID      string          `json:"subject_id"`
	Facts          json.RawMessage `json:"facts"`
	Status         string          `json:"status"`
	FirstSeenAt    time.Time       `json:"first_seen_at"`
	LastSeenAt     time.Time       `json:"last_seen_at"`
	LastSeenRun    string          `json:"last_seen_run"`
	ResolvedAt     *time.Time      `json:"resolved_at"`
	AcceptedReason string          `json:"accepted_reason"`
	AcceptedUntil  *time.Time      `json:"accepted_until"`
	AcceptedBy     string          `json:"accepted_by"`
	Version        int64           `json:"version"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

type listJSON[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func serveBaseline(addr, dbURL string, auth bool, conns int32) error {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	cfg.MaxConns = conns
	cfg.MinConns = conns
	ctx := context.Background()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/vendors/{id}", func(w http.ResponseWriter, r *http.Request) {
		var v vendorJSON
		err := pool.QueryRow(r.Context(), "SELECT "+vendorCols+" FROM vendors WHERE id = $1", r.PathValue("id")).Scan(v.dest()...)
		if errors.Is(err, pgx.ErrNoRows) {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("ETag", `"`+strconv.FormatInt(v.Version, 10)+`"`)
		writeJSON(w, v)
	})
	mux.HandleFunc("GET /api/v1/vendors", func(w http.ResponseWriter, r *http.Request) {
		limit, after, ok := page(w, r)
		if !ok {
			return
		}
		q, args := "SELECT "+vendorCols+" FROM vendors", []any{}
		var where []string
		if s := r.URL.Query().Get("status"); s != "" {
			args = append(args, s)
			where = append(where, "status = $"+strconv.Itoa(len(args)))
		}
		if after != "" {
			args = append(args, after)
			where = append(where, "name_key > $"+strconv.Itoa(len(args)))
		}
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		q += " ORDER BY name_key LIMIT " + strconv.Itoa(limit+1)
		rows, err := pool.Query(r.Context(), q, args...)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out := listJSON[vendorJSON]{Items: make([]vendorJSON, 0, limit+1)}
		for rows.Next() {
			var v vendorJSON
			if err := rows.Scan(v.dest()...); err != nil {
				rows.Close()
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			out.Items = append(out.Items, v)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if len(out.Items) > limit {
			out.Items = out.Items[:limit]
			out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(out.Items[limit-1].NameKey))
		}
		writeJSON(w, out)
	})
	mux.HandleFunc("GET /api/v1/findings", func(w http.ResponseWriter, r *http.Request) {
		limit, after, ok := page(w, r)
		if !ok {
			return
		}
		q, args := "SELECT "+findingCols+" FROM findings", []any{}
		var where []string
		if s := r.URL.Query().Get("status"); s != "" {
			args = append(args, s)
			where = append(where, "status = $"+strconv.Itoa(len(args)))
		}
		if after != "" {
			args = append(args, after)
			where = append(where, "id < $"+strconv.Itoa(len(args)))
		}
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		q += " ORDER BY id DESC LIMIT " + strconv.Itoa(limit+1)
		rows, err := pool.Query(r.Context(), q, args...)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out := listJSON[findingJSON]{Items: make([]findingJSON, 0, limit+1)}
		for rows.Next() {
			var f findingJSON
			var facts []byte
			if err := rows.Scan(&f.ID, &f.RuleID, &f.Severity, &f.VendorID, &f.SubjectType, &f.SubjectID, &facts, &f.Status,
				&f.FirstSeenAt, &f.LastSeenAt, &f.LastSeenRun, &f.ResolvedAt, &f.AcceptedReason, &f.AcceptedUntil,
				&f.AcceptedBy, &f.Version, &f.UpdatedAt); err != nil {
				rows.Close()
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			f.Facts = facts
			out.Items = append(out.Items, f)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if len(out.Items) > limit {
			out.Items = out.Items[:limit]
			out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(out.Items[limit-1].ID))
		}
		writeJSON(w, out)
	})
	if _, err := pool.Exec(ctx, baselineAuditDDL); err != nil {
		return fmt.Errorf("create loadbench_audit: %w", err)
	}
	mux.HandleFunc("POST /api/v1/vendors", func(w http.ResponseWriter, r *http.Request) {
		v, ok := newBaselineVendor(w, r)
		if !ok {
			return
		}
		after, _ := json.Marshal(v)
		err := pgx.BeginFunc(r.Context(), pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(r.Context(), `INSERT INTO vendors (id, name, name_key, status, criticality, risk_score, risk_tier,
				tier, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				v.ID, v.Name, v.NameKey, v.Status, v.Criticality, v.RiskScore, v.RiskTier, v.Tier, v.Version, v.CreatedAt, v.UpdatedAt); err != nil {
				return err
			}
			_, err := tx.Exec(r.Context(), `INSERT INTO loadbench_audit (id, at, actor_id, actor_name, action, entity, entity_id,
				request_id, before, after) VALUES ($1, $2, 'baseline', 'baseline', 'vendor.create', 'vendor', $3, '', NULL, $4)`,
				uuid.Must(uuid.NewV7()).String(), v.CreatedAt, v.ID, string(after))
			return err
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, v)
	})
	var h http.Handler = mux
	if auth {
		h = authenticate(pool, mux)
	}
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		<-ch
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Printf("baseline listening on %s", addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// baselineAuditDDL creates the baseline's audit table: the columns of an
// audit event, numbered by a sequence, with the trail's primary key, unique
// id and entity index. It stays the same whatever the product's schema, so
// the baselines of runs on different versions do the same work.
const baselineAuditDDL = `CREATE TABLE IF NOT EXISTS loadbench_audit (
    seq        bigserial PRIMARY KEY,
    id         uuid NOT NULL UNIQUE,
    at         timestamptz NOT NULL,
    actor_id   text NOT NULL,
    actor_name text NOT NULL,
    action     text NOT NULL,
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    request_id text NOT NULL DEFAULT '',
    before     json,
    after      json
);
CREATE INDEX IF NOT EXISTS loadbench_audit_entity_idx ON loadbench_audit (entity, entity_id, seq)`

// newBaselineVendor reads a create request ({"name", "status",
// "criticality"}) into the row the baseline inserts; it answers 400 itself
// when the body is not that.
func newBaselineVendor(w http.ResponseWriter, r *http.Request) (vendorJSON, bool) {
	var in struct{ Name, Status, Criticality string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || strings.TrimSpace(in.Name) == "" {
		http.Error(w, "bad body", http.StatusBadRequest)
		return vendorJSON{}, false
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	return vendorJSON{ID: uuid.Must(uuid.NewV7()).String(), Name: strings.TrimSpace(in.Name),
		NameKey: strings.ToLower(strings.TrimSpace(in.Name)), Status: in.Status, Criticality: in.Criticality,
		RiskTier: "low", Tier: "low", Version: 1, CreatedAt: now, UpdatedAt: now}, true
}

// authenticate issues the same two statements per request as the product's
// KeyService.Authenticate (GORM Take by prefix, then the once-a-minute
// last_used_at UPDATE that usually matches no row). The secret's hash is
// not checked (one HMAC; CPU-cheap).
func authenticate(pool *pgxpool.Pool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		prefix, _, ok := domain.ParseKey(strings.TrimSpace(key))
		if !strings.EqualFold(scheme, "Bearer") || !ok {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		var id, name, role, hash, createdBy string
		var createdAt time.Time
		var expiresAt, revokedAt, lastUsedAt *time.Time
		err := pool.QueryRow(r.Context(), "SELECT id, name, role, prefix, hash, created_by, created_at, expires_at, revoked_at, last_used_at FROM api_keys WHERE prefix = $1 LIMIT 1", prefix).
			Scan(&id, &name, &role, &prefix, &hash, &createdBy, &createdAt, &expiresAt, &revokedAt, &lastUsedAt)
		if err != nil {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		now := time.Now().UTC()
		if _, err := pool.Exec(r.Context(), "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
			now, id, now.Add(-time.Minute)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func page(w http.ResponseWriter, r *http.Request) (int, string, bool) {
	limit := 50
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			http.Error(w, "bad limit", http.StatusBadRequest)
			return 0, "", false
		}
		limit = n
	}
	var after string
	if s := r.URL.Query().Get("cursor"); s != "" {
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(raw) == 0 {
			http.Error(w, "bad cursor", http.StatusBadRequest)
			return 0, "", false
		}
		after = string(raw)
	}
	return limit, after, true
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// ------------------------------------------------------------- load driver

type loadConfig struct {
	target, key, baseline  string
	baselineKey            string
	duration, warmup       time.Duration
	conns, reps            int
	targetPID, baselinePID int
	only                   map[string]bool
}

type fixtures struct {
	ids         []string
	deep        []string // base64url cursors around offset 90,000 of name_key order
	deepActive  []string // base64url cursors at ~90% of the active vendors
	activeCount int
}

func loadFixtures(ctx context.Context, dbURL string) (*fixtures, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	f := &fixtures{}
	rows, err := conn.Query(ctx, "SELECT id::text FROM vendors")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		f.ids = append(f.ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// 16 cursors at offsets 90,000, 90,050, ... 90,750 so the deep pages are
	// not one cached response; all are ~90% down the keyset.
	cur := func(q string, args ...any) ([]string, error) {
		rows, err := conn.Query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		var out []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return nil, err
			}
			out = append(out, base64.RawURLEncoding.EncodeToString([]byte(k)))
		}
		return out, rows.Err()
	}
	n := len(f.ids)
	off := 90000
	if n < 100000 {
		off = n * 9 / 10
	}
	if f.deep, err = cur(`SELECT name_key FROM (SELECT name_key, row_number() OVER (ORDER BY name_key) - 1 AS o FROM vendors) s
		WHERE o >= $1 AND o < $1 + 800 AND (o - $1) % 50 = 0 ORDER BY o`, off); err != nil {
		return nil, err
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM vendors WHERE status = 'active'").Scan(&f.activeCount); err != nil {
		return nil, err
	}
	if f.deepActive, err = cur(`SELECT name_key FROM (SELECT name_key, row_number() OVER (ORDER BY name_key) - 1 AS o
		FROM vendors WHERE status = 'active') s WHERE o >= $1 AND o < $1 + 800 AND (o - $1) % 50 = 0 ORDER BY o`, f.activeCount*9/10); err != nil {
		return nil, err
	}
	if len(f.ids) == 0 || len(f.deep) == 0 {
		return nil, fmt.Errorf("no vendors in the database")
	}
	return f, nil
}

// request is what a worker sends; label names the endpoint it is counted under.
type request struct {
	label, method, path string
	body                []byte
	ifMatch             string
}

type sample struct {
	label  string
	lat    time.Duration
	status int // 0 = transport error
	etag   string
}

// workerState carries per-worker memory (the mixed scenario's last GET).
type workerState struct {
	rng      *rand.Rand
	lastID   string
	lastETag string
	seq      int
}

type scenario struct {
	name    string
	product bool // run against the product
	base    bool // run against the baseline
	next    func(w *workerState, fx *fixtures) request
	observe func(w *workerState, req request, s sample)
}

var runID = strconv.FormatInt(time.Now().Unix(), 36)

func scenarios() []scenario {
	get := func(w *workerState, fx *fixtures) request {
		return request{label: "GET /vendors/{id}", method: "GET", path: "/api/v1/vendors/" + fx.ids[w.rng.IntN(len(fx.ids))]}
	}
	return []scenario{
		{name: "get", product: true, base: true, next: get},
		{name: "list_first", product: true, base: true, next: func(w *workerState, fx *fixtures) request {
			return request{label: "GET /vendors first page", method: "GET", path: "/api/v1/vendors?limit=50"}
		}},
		{name: "list_deep", product: true, base: true, next: func(w *workerState, fx *fixtures) request {
			return request{label: "GET /vendors deep page", method: "GET",
				path: "/api/v1/vendors?limit=50&cursor=" + fx.deep[w.rng.IntN(len(fx.deep))]}
		}},
		{name: "list_active", product: true, base: true, next: func(w *workerState, fx *fixtures) request {
			return request{label: "GET /vendors?status=active first", method: "GET", path: "/api/v1/vendors?limit=50&status=active"}
		}},
		{name: "list_active_deep", product: true, base: true, next: func(w *workerState, fx *fixtures) request {
			return request{label: "GET /vendors?status=active deep", method: "GET",
				path: "/api/v1/vendors?limit=50&status=active&cursor=" + fx.deepActive[w.rng.IntN(len(fx.deepActive))]}
		}},
		{name: "findings_open", product: true, base: true, next: func(w *workerState, fx *fixtures) request {
			return request{label: "GET /findings?status=open", method: "GET", path: "/api/v1/findings?status=open&limit=50"}
		}},
		{name: "create", product: true, base: true, next: func(w *workerState, fx *fixtures) request {
			w.seq++
			body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("loadbench %s %p %d %d", runID, w, w.seq, w.rng.Int64()),
				"status": "prospect", "criticality": "low"})
			return request{label: "POST /vendors", method: "POST", path: "/api/v1/vendors", body: body}
		}},
		{name: "mixed", product: true, next: func(w *workerState, fx *fixtures) request {
			x := w.rng.IntN(100)
			switch {
			case x < 5:
				w.seq++
				body, _ := json.Marshal(map[string]any{"name": fmt.Sprintf("loadbench %s %p %d %d", runID, w, w.seq, w.rng.Int64()),
					"status": "prospect", "criticality": "low"})
				return request{label: "mixed POST /vendors", method: "POST", path: "/api/v1/vendors", body: body}
			case x < 10 && w.lastID != "":
				w.seq++
				body, _ := json.Marshal(map[string]any{"service": fmt.Sprintf("load patch %d", w.seq)})
				r := request{label: "mixed PATCH /vendors/{id}", method: "PATCH", path: "/api/v1/vendors/" + w.lastID, body: body, ifMatch: w.lastETag}
				w.lastID = ""
				return r
			}
			r := get(w, fx)
			r.label = "mixed GET /vendors/{id}"
			return r
		}, observe: func(w *workerState, req request, s sample) {
			if req.method == "GET" && s.status == 200 {
				w.lastID = strings.TrimPrefix(req.path, "/api/v1/vendors/")
				w.lastETag = s.etag
			}
		}},
	}
}

type endpointResult struct {
	label          string
	n, errs, c412  int
	rps            float64
	p50, p99       time.Duration
	cpuPerReq      float64 // µs of server process CPU per request (whole scenario)
	scenarioReqs   int
	scenarioCPUSec float64
}

type runResult struct {
	scenario, server string
	rep              int
	eps              []endpointResult
}

func procCPU(pid int) (float64, error) {
	if pid == 0 {
		return 0, nil
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	f := strings.Fields(s[i+2:])
	// fields after ")": state(3) ... utime(14) stime(15) → index 11, 12
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100, nil // CLK_TCK = 100 on Linux
}

func runOne(client *http.Client, base, key string, pid int, sc scenario, fx *fixtures, d time.Duration, conns int) (runResult, error) {
	cpu0, err := procCPU(pid)
	if err != nil {
		return runResult{}, err
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	per := make([][]sample, conns)
	start := time.Now()
	var transportErrs atomic.Int64
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			w := &workerState{rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(i)))}
			out := make([]sample, 0, 1<<14)
			for time.Now().Before(deadline) {
				req := sc.next(w, fx)
				var body io.Reader
				if req.body != nil {
					body = bytes.NewReader(req.body)
				}
				hr, _ := http.NewRequest(req.method, base+req.path, body)
				if key != "" {
					hr.Header.Set("Authorization", "Bearer "+key)
				}
				if req.body != nil {
					hr.Header.Set("Content-Type", "application/json")
				}
				if req.ifMatch != "" {
					hr.Header.Set("If-Match", req.ifMatch)
				}
				t0 := time.Now()
				resp, err := client.Do(hr)
				s := sample{label: req.label}
				if err != nil {
					transportErrs.Add(1)
				} else {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					s.status = resp.StatusCode
					s.etag = resp.Header.Get("ETag")
				}
				s.lat = time.Since(t0)
				if sc.observe != nil {
					sc.observe(w, req, s)
				}
				s.etag = ""
				out = append(out, s)
			}
			per[i] = out
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	cpu1, err := procCPU(pid)
	if err != nil {
		return runResult{}, err
	}
	byLabel := map[string][]sample{}
	total := 0
	for _, ss := range per {
		for _, s := range ss {
			byLabel[s.label] = append(byLabel[s.label], s)
			total++
		}
	}
	var res runResult
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		ss := byLabel[l]
		lats := make([]time.Duration, len(ss))
		e := endpointResult{label: l, n: len(ss), rps: float64(len(ss)) / elapsed, scenarioReqs: total, scenarioCPUSec: cpu1 - cpu0}
		for i, s := range ss {
			lats[i] = s.lat
			switch {
			case s.status == 412 && strings.Contains(l, "PATCH"):
				e.c412++
			case s.status < 200 || s.status > 299:
				e.errs++
			}
		}
		sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
		e.p50 = lats[len(lats)*50/100]
		e.p99 = lats[min(len(lats)-1, len(lats)*99/100)]
		if pid != 0 && total > 0 {
			e.cpuPerReq = (cpu1 - cpu0) / float64(total) * 1e6
		}
		res.eps = append(res.eps, e)
	}
	return res, nil
}

func runLoad(cfg loadConfig, dbURL string) error {
	ctx := context.Background()
	fx, err := loadFixtures(ctx, dbURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "fixtures: %d vendor ids, %d deep cursors, %d active vendors, %d deep active cursors\n",
		len(fx.ids), len(fx.deep), fx.activeCount, len(fx.deepActive))
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 0, IdleConnTimeout: 90 * time.Second}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	type srv struct {
		name, base, key string
		pid             int
	}
	product := srv{"product", cfg.target, cfg.key, cfg.targetPID}
	bl := srv{"baseline", cfg.baseline, cfg.baselineKey, cfg.baselinePID}
	scs := scenarios()
	// Warm up both servers (connections, plans, caches).
	for _, s := range []srv{product, bl} {
		for _, sc := range scs[:6] {
			if _, err := runOne(client, s.base, s.key, 0, sc, fx, cfg.warmup/6+time.Millisecond*100, cfg.conns); err != nil {
				return err
			}
		}
	}
	var results []runResult
	for rep := 1; rep <= cfg.reps; rep++ {
		for _, sc := range scs {
			if cfg.only != nil && !cfg.only[sc.name] {
				continue
			}
			for _, s := range []srv{product, bl} {
				if (s.name == "product" && !sc.product) || (s.name == "baseline" && !sc.base) {
					continue
				}
				r, err := runOne(client, s.base, s.key, s.pid, sc, fx, cfg.duration, cfg.conns)
				if err != nil {
					return err
				}
				r.scenario, r.server, r.rep = sc.name, s.name, rep
				results = append(results, r)
				for _, e := range r.eps {
					fmt.Fprintf(os.Stderr, "%s rep%d %-9s %-34s %8.0f req/s p50 %6.2fms p99 %6.2fms err %d 412 %d cpu %.0fµs/req\n",
						time.Now().UTC().Format("15:04:05"), rep, s.name, e.label, e.rps, ms(e.p50), ms(e.p99), e.errs, e.c412, e.cpuPerReq)
				}
			}
		}
	}
	printTables(results, cfg)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// target is what the product must reach against the baseline on one
// endpoint: at least rps times its throughput, at most p99 times its 99th
// percentile latency and cpu times its server CPU per request (0: no CPU
// target).
type target struct {
	label         string
	rps, p99, cpu float64
}

var targets = []target{
	{"GET /vendors/{id}", 0.8, 1.5, 1.3},
	{"GET /vendors first page", 0.75, 1.5, 1.3},
	{"GET /vendors deep page", 0.75, 1.5, 1.3},
	{"GET /vendors?status=active first", 0.75, 1.5, 1.3},
	{"GET /vendors?status=active deep", 0.75, 1.5, 1.3},
	{"GET /findings?status=open", 0.75, 1.5, 1.3},
	// Writes: the product also authenticates and seals its audit events.
	{"POST /vendors", 0.7, 2, 0},
}

type agg struct {
	rps, p50, p99, cpu float64
	errs, c412, n, k   int
}

func printTables(results []runResult, cfg loadConfig) {
	fmt.Printf("\n## Per run\n\n| scenario | server | rep | endpoint | req/s | p50 ms | p99 ms | errors | 412 | server CPU µs/req |\n|---|---|---|---|---:|---:|---:|---:|---:|---:|\n")
	aggs := map[string]*agg{} // key server|label
	var order []string
	for _, r := range results {
		for _, e := range r.eps {
			fmt.Printf("| %s | %s | %d | %s | %.0f | %.2f | %.2f | %d | %d | %.0f |\n", r.scenario, r.server, r.rep, e.label, e.rps, ms(e.p50), ms(e.p99), e.errs, e.c412, e.cpuPerReq)
			k := r.server + "|" + e.label
			a := aggs[k]
			if a == nil {
				a = &agg{}
				aggs[k] = a
				order = append(order, k)
			}
			a.rps += e.rps
			a.p50 += ms(e.p50)
			a.p99 += ms(e.p99)
			a.cpu += e.cpuPerReq
			a.errs += e.errs
			a.c412 += e.c412
			a.n += e.n
			a.k++
		}
	}
	mean := func(k string) (agg, bool) {
		a, ok := aggs[k]
		if !ok {
			return agg{}, false
		}
		f := float64(a.k)
		return agg{rps: a.rps / f, p50: a.p50 / f, p99: a.p99 / f, cpu: a.cpu / f, errs: a.errs, c412: a.c412, n: a.n, k: a.k}, true
	}
	fmt.Printf("\n## Mean over %d reps (%s each, %d connections)\n\n| server | endpoint | req/s | p50 ms | p99 ms | errors (total) | 412 | server CPU µs/req |\n|---|---|---:|---:|---:|---:|---:|---:|\n", cfg.reps, cfg.duration, cfg.conns)
	for _, k := range order {
		a, _ := mean(k)
		s, l, _ := strings.Cut(k, "|")
		fmt.Printf("| %s | %s | %.0f | %.2f | %.2f | %d | %d | %.0f |\n", s, l, a.rps, a.p50, a.p99, a.errs, a.c412, a.cpu)
	}
	fmt.Printf("\n## Ratios product / baseline vs targets\n\n| endpoint | req/s ratio (target) | p99 ratio (target) | CPU/req ratio (target) | product errors (0) | verdict |\n|---|---:|---:|---:|---:|---|\n")
	for _, tg := range targets {
		p, ok1 := mean("product|" + tg.label)
		b, ok2 := mean("baseline|" + tg.label)
		if !ok1 || !ok2 {
			continue
		}
		rr, pr, cr := p.rps/b.rps, p.p99/b.p99, p.cpu/b.cpu
		var miss []string
		if rr < tg.rps {
			miss = append(miss, "throughput")
		}
		if pr > tg.p99 {
			miss = append(miss, "p99")
		}
		if tg.cpu > 0 && cr > tg.cpu {
			miss = append(miss, "CPU")
		}
		if p.errs > 0 {
			miss = append(miss, "errors")
		}
		v := "PASS"
		if len(miss) > 0 {
			v = "MISS: " + strings.Join(miss, ", ")
		}
		cpuTarget := "none"
		if tg.cpu > 0 {
			cpuTarget = fmt.Sprintf("≤%.2f", tg.cpu)
		}
		fmt.Printf("| %s | %.2f (≥%.2f) | %.2f (≤%.2f) | %.2f (%s) | %d | %s |\n", tg.label, rr, tg.rps, pr, tg.p99, cr, cpuTarget, p.errs, v)
	}
	fmt.Printf("\n## Deep keyset page vs first page (target ≥ 0.8)\n\n| server | list | deep/first req/s |\n|---|---|---:|\n")
	for _, s := range []string{"product", "baseline"} {
		for _, pair := range [][2]string{{"GET /vendors deep page", "GET /vendors first page"}, {"GET /vendors?status=active deep", "GET /vendors?status=active first"}} {
			d, ok1 := mean(s + "|" + pair[0])
			f, ok2 := mean(s + "|" + pair[1])
			if ok1 && ok2 {
				v := "PASS"
				if d.rps/f.rps < 0.8 {
					v = "MISS"
				}
				fmt.Printf("| %s | %s | %.2f %s |\n", s, pair[0]+" / first", d.rps/f.rps, v)
			}
		}
	}
}
