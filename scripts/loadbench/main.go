// Command loadbench is the HTTP load benchmark of the vendor API against a
// bare net/http + pgx baseline doing the same work per request.
//
//	-mode baseline -addr 127.0.0.1:18091 -db URL [-codec std|gojson] [-pool N]
//	    serves GET /api/v1/vendors/{id}, GET /api/v1/vendors,
//	    GET /api/v1/findings and POST /api/v1/vendors with net/http +
//	    pgxpool (-pool conns, default 32), the same cached API-key check and
//	    the same response bodies as the product. POST inserts the vendor row
//	    and one audit row (table loadbench_audit, shaped and indexed as
//	    audit_events, created if missing) in one transaction.
//	-mode load -target URL -key KEY -baseline URL -db URL -target-pid N -baseline-pid N
//	    checks that both servers return the same bodies, then drives both,
//	    interleaved per scenario, and prints a table.
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

	"github.com/vendorwatch/vendorwatch/domain"

	gojson "github.com/goccy/go-json"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
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
	codecName := flag.String("codec", "std", "baseline JSON library: std (encoding/json) or gojson (github.com/goccy/go-json, the product's)")
	pool := flag.Int("pool", 32, "baseline: connections in its pool")
	flag.Parse()
	if *dbURL == "" {
		log.Fatal("-db is required")
	}
	switch *mode {
	case "baseline":
		c, ok := codecs[*codecName]
		if !ok {
			log.Fatalf("unknown -codec %q", *codecName)
		}
		if err := serveBaseline(*addr, *dbURL, c, int32(*pool)); err != nil {
			log.Fatal(err)
		}
	case "load":
		cfg := loadConfig{target: strings.TrimRight(*target, "/"), key: *key, baseline: strings.TrimRight(*baseline, "/"),
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

// The baseline does the work the product does per request in the plainest
// way: the same statements through pgxpool, the same API-key check (a key
// cached for access.KeyCacheTTL, its secret's hash compared on every
// request, last_used_at written at most once a minute), the same fields
// computed (risk factors, review status, a finding's last sighting, its
// facts decoded and re-encoded), written with net/http. Its response bodies
// are byte for byte the product's (checkSameBodies holds that before every
// run). What it leaves out is the product's overhead: Gin, middleware,
// database/sql, the domain services.

// vendorReadCols matches repository.vendorReadCols.
const vendorReadCols = "id, name, name_key, legal_name, website, service, owner_email, status, criticality, country, " +
	"parent_vendor_id, external_ref, tier_override, tier_override_reason, max_sensitivity, max_records, last_review_on, " +
	"version, created_at, updated_at"

// findingSelect matches repository.findingSelect.
const findingSelect = "SELECT f.id, f.rule_id, f.severity, f.vendor_id, f.subject_type, f.subject_id, f.facts, f.status, " +
	"f.first_seen_at, f.last_seen_at, f.last_seen_run, f.resolved_at, f.accepted_reason, f.accepted_until, f.accepted_by, " +
	"f.version, f.updated_at, sr.seen_at, sr.last_run FROM findings f LEFT JOIN scan_rules sr ON sr.rule_id = f.rule_id"

// vendorJSON is a vendor as the API shows it (api.vendorJSON).
type vendorJSON struct {
	ID                 string                `json:"id"`
	Name               string                `json:"name"`
	LegalName          *string               `json:"legal_name"`
	Website            *string               `json:"website"`
	Service            *string               `json:"service"`
	OwnerEmail         *string               `json:"owner_email"`
	Status             string                `json:"status"`
	Criticality        string                `json:"criticality"`
	Country            *string               `json:"country"`
	ParentVendorID     *string               `json:"parent_vendor_id"`
	ExternalRef        *string               `json:"external_ref"`
	Tier               register.Tier         `json:"tier"`
	Risk               register.InherentRisk `json:"risk"`
	TierOverride       *string               `json:"tier_override"`
	TierOverrideReason *string               `json:"tier_override_reason"`
	LastReviewOn       *domain.Date          `json:"last_review_on"`
	NextReviewDue      *domain.Date          `json:"next_review_due"`
	ReviewOverdue      bool                  `json:"review_overdue"`
	Version            int64                 `json:"version"`
	CreatedAt          time.Time             `json:"created_at"`
	UpdatedAt          time.Time             `json:"updated_at"`
}

// vendorRow is one row of vendorReadCols.
type vendorRow struct {
	id, name, nameKey                       string
	legalName, website, service, ownerEmail string
	status, criticality, country            string
	parentVendorID, externalRef             *string
	tierOverride                            *string
	tierOverrideReason                      string
	maxSensitivity                          int
	maxRecords, version                     int64
	lastReviewOn                            *time.Time
	createdAt, updatedAt                    time.Time
}

func (r *vendorRow) dest() []any {
	return []any{&r.id, &r.name, &r.nameKey, &r.legalName, &r.website, &r.service, &r.ownerEmail, &r.status,
		&r.criticality, &r.country, &r.parentVendorID, &r.externalRef, &r.tierOverride, &r.tierOverrideReason,
		&r.maxSensitivity, &r.maxRecords, &r.lastReviewOn, &r.version, &r.createdAt, &r.updatedAt}
}

// view computes what the API shows: the risk factors from the stored
// inputs, the effective tier, the review status for today.
func (r *vendorRow) view(cadence review.ReviewCadence, today domain.Date) vendorJSON {
	v := vendorJSON{ID: r.id, Name: r.name, LegalName: nonEmpty(r.legalName), Website: nonEmpty(r.website),
		Service: nonEmpty(r.service), OwnerEmail: nonEmpty(r.ownerEmail), Status: r.status, Criticality: r.criticality,
		Country: nonEmpty(r.country), ParentVendorID: r.parentVendorID, ExternalRef: r.externalRef,
		TierOverride: r.tierOverride, TierOverrideReason: nonEmpty(r.tierOverrideReason), Version: r.version,
		CreatedAt: r.createdAt.UTC(), UpdatedAt: r.updatedAt.UTC()}
	v.Risk = register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: r.maxSensitivity, MaxRecords: r.maxRecords,
		Criticality: register.Criticality(r.criticality)})
	v.Tier = v.Risk.Tier
	if r.tierOverride != nil {
		v.Tier = register.Tier(*r.tierOverride)
	}
	if r.lastReviewOn != nil {
		last := domain.DateOf(*r.lastReviewOn)
		v.LastReviewOn = &last
		if next := review.NextReviewDue(last, v.Tier, cadence); !next.IsZero() {
			v.NextReviewDue, v.ReviewOverdue = &next, review.ReviewOverdue(next, today)
		}
	}
	return v
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// scanFinding reads one row of findingSelect into what the API shows: a
// live finding's last sighting is its rule's last complete run when that
// is later (repository.findingRow.lastSeen).
func scanFinding(rows pgx.Row, c codec) (finding.Finding, error) {
	var f finding.Finding
	var facts []byte
	var accepted, ruleSeenAt *time.Time
	var ruleLastRun *string
	if err := rows.Scan(&f.ID, &f.RuleID, &f.Severity, &f.VendorID, &f.SubjectType, &f.SubjectID, &facts, &f.Status,
		&f.FirstSeenAt, &f.LastSeenAt, &f.LastSeenRun, &f.ResolvedAt, &f.AcceptedReason, &accepted,
		&f.AcceptedBy, &f.Version, &f.UpdatedAt, &ruleSeenAt, &ruleLastRun); err != nil {
		return f, err
	}
	f.Facts = map[string]any{}
	if err := c.unmarshal(facts, &f.Facts); err != nil {
		return f, err
	}
	f.FirstSeenAt, f.LastSeenAt, f.UpdatedAt = f.FirstSeenAt.UTC(), f.LastSeenAt.UTC(), f.UpdatedAt.UTC()
	if f.ResolvedAt != nil {
		t := f.ResolvedAt.UTC()
		f.ResolvedAt = &t
	}
	if accepted != nil {
		d := domain.DateOf(*accepted)
		f.AcceptedUntil = &d
	}
	if f.Status != finding.FindingResolved && ruleSeenAt != nil && ruleSeenAt.After(f.LastSeenAt) {
		f.LastSeenAt, f.LastSeenRun = ruleSeenAt.UTC(), *ruleLastRun
	}
	return f, nil
}

type listJSON[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// codec is the baseline's JSON library: encoding/json by default, or
// go-json, the product's, to measure the product's overhead alone. Both
// write with HTML escaping off and a trailing newline, as the product does.
type codec struct {
	marshal   func(any) ([]byte, error)
	unmarshal func([]byte, any) error
}

var codecs = map[string]codec{
	"std":    {marshal: marshalWith(func(w io.Writer) jsonEncoder { return json.NewEncoder(w) }), unmarshal: json.Unmarshal},
	"gojson": {marshal: marshalWith(func(w io.Writer) jsonEncoder { return gojson.NewEncoder(w) }), unmarshal: gojson.Unmarshal},
}

type jsonEncoder interface {
	SetEscapeHTML(on bool)
	Encode(v any) error
}

func marshalWith(newEncoder func(io.Writer) jsonEncoder) func(any) ([]byte, error) {
	return func(v any) ([]byte, error) {
		var buf bytes.Buffer
		enc := newEncoder(&buf)
		enc.SetEscapeHTML(false)
		err := enc.Encode(v)
		return buf.Bytes(), err
	}
}

func serveBaseline(addr, dbURL string, c codec, conns int32) error {
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
	cadence := review.DefaultReviewCadence()
	today := func() domain.Date { return domain.DateOf(time.Now()) }
	writeJSON := func(w http.ResponseWriter, v any) {
		b, err := c.marshal(v)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/vendors/{id}", func(w http.ResponseWriter, r *http.Request) {
		var v vendorRow
		err := pool.QueryRow(r.Context(), "SELECT "+vendorReadCols+" FROM vendors WHERE id = $1", r.PathValue("id")).Scan(v.dest()...)
		if errors.Is(err, pgx.ErrNoRows) {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("ETag", `"`+strconv.FormatInt(v.version, 10)+`"`)
		writeJSON(w, v.view(cadence, today()))
	})
	mux.HandleFunc("GET /api/v1/vendors", func(w http.ResponseWriter, r *http.Request) {
		limit, after, ok := page(w, r)
		if !ok {
			return
		}
		q, args := "SELECT "+vendorReadCols+" FROM vendors", []any{}
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
		out := listJSON[vendorJSON]{Items: make([]vendorJSON, 0, limit)}
		day := today()
		var last string
		for rows.Next() {
			var v vendorRow
			if err := rows.Scan(v.dest()...); err != nil {
				rows.Close()
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			if len(out.Items) == limit {
				out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(last))
				break
			}
			out.Items = append(out.Items, v.view(cadence, day))
			last = v.nameKey
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, out)
	})
	mux.HandleFunc("GET /api/v1/findings", func(w http.ResponseWriter, r *http.Request) {
		limit, after, ok := page(w, r)
		if !ok {
			return
		}
		q, args := findingSelect, []any{}
		var where []string
		if s := r.URL.Query().Get("status"); s != "" {
			args = append(args, s)
			where = append(where, "f.status = $"+strconv.Itoa(len(args)))
		}
		if after != "" {
			args = append(args, after)
			where = append(where, "f.id < $"+strconv.Itoa(len(args)))
		}
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		q += " ORDER BY f.id DESC LIMIT " + strconv.Itoa(limit+1)
		rows, err := pool.Query(r.Context(), q, args...)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out := listJSON[finding.Finding]{Items: make([]finding.Finding, 0, limit)}
		for rows.Next() {
			if len(out.Items) == limit {
				out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(out.Items[limit-1].ID))
				break
			}
			f, err := scanFinding(rows, c)
			if err != nil {
				rows.Close()
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			out.Items = append(out.Items, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
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
		view := v.view(cadence, today())
		after, err := c.marshal(view)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		err = pgx.BeginFunc(r.Context(), pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(r.Context(), `INSERT INTO vendors (id, name, name_key, legal_name, website, service, owner_email,
				status, criticality, country, risk_score, risk_tier, tier, tier_override_reason, max_sensitivity, max_records,
				version, created_at, updated_at) VALUES ($1, $2, $3, '', '', '', '', $4, $5, '', $6, $7, $8, '', 0, 0, $9, $10, $11)`,
				v.id, v.name, v.nameKey, v.status, v.criticality, view.Risk.Score, string(view.Risk.Tier), string(view.Tier),
				v.version, v.createdAt, v.updatedAt); err != nil {
				return err
			}
			_, err := tx.Exec(r.Context(), `INSERT INTO loadbench_audit (id, at, actor_id, actor_name, action, entity, entity_id,
				request_id, before, after) VALUES ($1, $2, 'baseline', 'baseline', 'vendor.create', 'vendor', $3, '', NULL, $4)`,
				uuid.Must(uuid.NewV7()).String(), v.createdAt, v.id, string(after))
			return err
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("ETag", `"`+strconv.FormatInt(v.version, 10)+`"`)
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, view)
	})
	keys := &keyCheck{pool: pool, hasher: access.NewKeyHasher(os.Getenv("VW_API_KEY_PEPPER")), keys: map[string]cachedKey{}, touched: map[string]time.Time{}}
	srv := &http.Server{Addr: addr, Handler: keys.wrap(mux), ReadHeaderTimeout: 5 * time.Second}
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
func newBaselineVendor(w http.ResponseWriter, r *http.Request) (vendorRow, bool) {
	var in struct{ Name, Status, Criticality string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || strings.TrimSpace(in.Name) == "" {
		http.Error(w, "bad body", http.StatusBadRequest)
		return vendorRow{}, false
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	name := strings.TrimSpace(in.Name)
	return vendorRow{id: uuid.Must(uuid.NewV7()).String(), name: name, nameKey: register.NameKey(name), status: in.Status,
		criticality: in.Criticality, version: 1, createdAt: now, updatedAt: now}, true
}

// keyCheck is the product's API-key check (access.KeyService.Authenticate):
// a key read by prefix is trusted for access.KeyCacheTTL, the secret's hash
// (VW_API_KEY_PEPPER, as the product) is compared on every request, and
// last_used_at is written at most once a minute per key.
type keyCheck struct {
	pool    *pgxpool.Pool
	hasher  access.KeyHasher
	mu      sync.Mutex
	keys    map[string]cachedKey // by prefix
	touched map[string]time.Time // by key id
}

type cachedKey struct {
	id, hash           string
	expiresAt, revoked *time.Time
	at                 time.Time
}

func (k *keyCheck) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, plaintext, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		prefix, secret, ok := access.ParseKey(strings.TrimSpace(plaintext))
		if !strings.EqualFold(scheme, "Bearer") || !ok {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		now := time.Now()
		key, err := k.get(r.Context(), prefix, now)
		if err != nil || !k.hasher.Matches(secret, key.hash) || key.revoked != nil || (key.expiresAt != nil && !now.Before(*key.expiresAt)) {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		if k.dueForTouch(key.id, now) {
			if _, err := k.pool.Exec(r.Context(), "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
				now.UTC(), key.id, now.Add(-time.Minute).UTC()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// get returns the key with prefix, from the cache while it is fresh.
func (k *keyCheck) get(ctx context.Context, prefix string, now time.Time) (cachedKey, error) {
	k.mu.Lock()
	c, ok := k.keys[prefix]
	k.mu.Unlock()
	if ok && now.Sub(c.at) < access.KeyCacheTTL {
		return c, nil
	}
	c = cachedKey{at: now}
	if err := k.pool.QueryRow(ctx, "SELECT id, hash, expires_at, revoked_at FROM api_keys WHERE prefix = $1 LIMIT 1", prefix).
		Scan(&c.id, &c.hash, &c.expiresAt, &c.revoked); err != nil {
		return c, err
	}
	k.mu.Lock()
	k.keys[prefix] = c
	k.mu.Unlock()
	return c, nil
}

func (k *keyCheck) dueForTouch(id string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if last, ok := k.touched[id]; ok && now.Sub(last) < time.Minute {
		return false
	}
	k.touched[id] = now
	return true
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

// ------------------------------------------------------------- load driver

type loadConfig struct {
	target, key, baseline  string
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
	bl := srv{"baseline", cfg.baseline, cfg.key, cfg.baselinePID}
	if err := checkSameBodies(client, cfg.target, cfg.baseline, cfg.key, fx); err != nil {
		return err
	}
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

// checkSameBodies requires the product and the baseline to return the
// same bytes for each endpoint the scenarios read, so that the ratios
// compare the same work.
func checkSameBodies(client *http.Client, product, baseline, key string, fx *fixtures) error {
	paths := []string{"/api/v1/vendors?limit=50", "/api/v1/vendors?limit=50&cursor=" + fx.deep[0],
		"/api/v1/vendors?limit=50&status=active", "/api/v1/findings?status=open&limit=50"}
	for _, id := range fx.ids[:min(len(fx.ids), 20)] {
		paths = append(paths, "/api/v1/vendors/"+id)
	}
	get := func(base, path string) ([]byte, error) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s%s: %s: %s", base, path, resp.Status, b)
		}
		return b, err
	}
	for _, path := range paths {
		p, err := get(product, path)
		if err != nil {
			return err
		}
		b, err := get(baseline, path)
		if err != nil {
			return err
		}
		if !bytes.Equal(p, b) {
			i := 0
			for i < min(len(p), len(b)) && p[i] == b[i] {
				i++
			}
			from := max(0, i-80)
			return fmt.Errorf("GET %s: the baseline's body differs from the product's at byte %d:\n product  ...%s\n baseline ...%s",
				path, i, p[from:min(len(p), i+80)], b[from:min(len(b), i+80)])
		}
	}
	fmt.Fprintf(os.Stderr, "same bodies from product and baseline on %d requests\n", len(paths))
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
	// Writes: the product also queues each audit event for the sealer.
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
