package repository

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
)

// Seeding writes a deterministic synthetic portfolio: vendors with their
// data handling, contracts with breach-notification clause versions,
// attestations, reviews, incidents with their notification clock, one
// timeline entry each, and the obligations the regulatory catalogue gives
// them. The rows are computed in Go with the domain's own functions
// (ComputeInherentRisk, NoticeDue, Catalogue.Obligations), so they are
// what the services would have stored, but they are written straight into
// the tables: seeded data is synthetic and bypasses the audit trail (no
// audit event is written and the audit log is left as it was).

// DefaultSeedAsOf is the reference "now" of a seeded portfolio when none is
// given: expiries, incident ages and review dates are laid out around it,
// so the same seed always gives the same rows.
var DefaultSeedAsOf = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// MaxSeedVendors bounds SeedOptions.Vendors.
const MaxSeedVendors = 1_000_000

// seedBatchVendors is how many vendors, with everything that belongs to
// them, one transaction writes. It is fixed (not tunable) because a
// vendor's parent is drawn from its own block of this many vendors, so it
// is always in the same batch or an earlier one.
const seedBatchVendors = 1000

// seedActor names the creator of seeded rows (created_by, recorded_by).
const seedActor = "seed"

// ErrSeedNotEmpty is returned when the database already has vendors:
// seeding only an empty database keeps the result a pure function of the
// options.
var ErrSeedNotEmpty = errors.New("the database already has vendors; seed only an empty database")

// SeedOptions says what to generate.
type SeedOptions struct {
	// Vendors is how many vendors to generate, 1 to MaxSeedVendors.
	Vendors int
	// Seed selects the portfolio: the same seed and options give the same
	// rows, ids included.
	Seed int64
	// AsOf is the reference "now" (zero: DefaultSeedAsOf). Every seeded
	// instant lies before it; attestation expiries lie on both sides.
	AsOf time.Time
	// Calendar counts business-day windows (nil: the US federal calendar,
	// as the server uses); Standards count standards in words (nil: the
	// default policy's); Profile and Catalogue decide the obligations
	// (nil Catalogue: domain.DefaultCatalogue). Pass the server's settings
	// so stored notice clocks and obligations match what it computes.
	Calendar  domain.BusinessCalendar
	Standards map[domain.NotificationStandard]domain.StandardWindow
	Profile   domain.OrgProfile
	Catalogue *domain.Catalogue
}

// SeedCounts are the rows a seed wrote, per table.
type SeedCounts struct {
	Vendors        int64 `json:"vendors"`
	DataHandling   int64 `json:"data_handling"`
	Contracts      int64 `json:"contracts"`
	ClauseVersions int64 `json:"clause_versions"`
	Attestations   int64 `json:"attestations"`
	Reviews        int64 `json:"reviews"`
	Incidents      int64 `json:"incidents"`
	Timeline       int64 `json:"incident_timeline"`
	Obligations    int64 `json:"obligations"`
}

// Total is the number of rows written.
func (c SeedCounts) Total() int64 {
	return c.Vendors + c.DataHandling + c.Contracts + c.ClauseVersions + c.Attestations + c.Reviews +
		c.Incidents + c.Timeline + c.Obligations
}

func (c *SeedCounts) add(o SeedCounts) {
	c.Vendors += o.Vendors
	c.DataHandling += o.DataHandling
	c.Contracts += o.Contracts
	c.ClauseVersions += o.ClauseVersions
	c.Attestations += o.Attestations
	c.Reviews += o.Reviews
	c.Incidents += o.Incidents
	c.Timeline += o.Timeline
	c.Obligations += o.Obligations
}

// Seed generates opt.Vendors vendors and everything around them into an
// empty database, in batches of seedBatchVendors vendors, each batch in
// its own transaction; progress (may be nil) is called after each batch
// with the vendors written so far. Generation runs one batch ahead of the
// writes. On error the batches already committed stay.
func (db *DB) Seed(ctx context.Context, opt SeedOptions, progress func(done, total int)) (SeedCounts, error) {
	var total SeedCounts
	if opt.Vendors < 1 || opt.Vendors > MaxSeedVendors {
		return total, domain.Invalid("vendors", "must be from 1 to %d", MaxSeedVendors)
	}
	if opt.AsOf.IsZero() {
		opt.AsOf = DefaultSeedAsOf
	}
	opt.AsOf = opt.AsOf.UTC().Truncate(time.Second)
	if opt.Calendar == nil {
		opt.Calendar = calendar.USFederal()
	}
	if opt.Standards == nil {
		opt.Standards = domain.DefaultPolicy().Clauses.StandardWindows
	}
	if opt.Catalogue == nil {
		c := domain.DefaultCatalogue()
		opt.Catalogue = &c
	}
	var one []int
	if err := db.conn(ctx).Raw("SELECT 1 FROM vendors LIMIT 1").Scan(&one).Error; err != nil {
		return total, translate(err)
	}
	if len(one) > 0 {
		return total, ErrSeedNotEmpty
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *seedBatch, 2)
	go func() {
		defer close(batches)
		g := newSeedGen(opt)
		for start := 0; start < opt.Vendors; start += seedBatchVendors {
			b := g.batch(start, min(start+seedBatchVendors, opt.Vendors))
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	w := seedWriter{db: db, sqls: map[string]string{}}
	for b := range batches {
		if err := w.write(ctx, b); err != nil {
			cancel()
			for range batches { // let the generator finish
			}
			return total, err
		}
		total.add(b.counts)
		if progress != nil {
			progress(b.end, opt.Vendors)
		}
	}
	if err := ctx.Err(); err != nil {
		return total, err
	}
	// Fresh planner statistics: without them SQLite picks plans for the
	// scan's queries that are several times slower.
	if err := db.gorm.WithContext(ctx).Exec("ANALYZE").Error; err != nil {
		return total, fmt.Errorf("analyze: %w", translate(err))
	}
	return total, nil
}

// seedTable is a table and the columns seeded rows give values for.
type seedTable struct {
	name string
	cols []string
}

var (
	seedVendors = seedTable{"vendors", []string{"id", "name", "name_key", "legal_name", "website", "service",
		"owner_email", "status", "criticality", "country", "parent_vendor_id", "external_ref", "risk_score", "risk_tier",
		"tier", "tier_override", "tier_override_reason", "max_sensitivity", "max_records", "last_review_on", "version",
		"created_at", "updated_at"}}
	seedHandling = seedTable{"data_handling", []string{"vendor_id", "category", "stores", "processes", "transmits",
		"record_count", "jurisdictions", "systems", "notes", "created_at", "updated_at"}}
	seedContracts = seedTable{"contracts", []string{"id", "vendor_id", "title", "reference", "status", "effective_on",
		"expires_on", "auto_renew", "renewal_notice_days", "governing_law", "annual_value_minor", "annual_value_currency",
		"notes", "right_to_audit", "subprocessor_approval", "data_return_or_destruction", "security_standard", "dpa", "baa",
		"cyber_insurance_min_minor", "cyber_insurance_currency", "version", "created_at", "updated_at"}}
	seedClauses = seedTable{"clause_versions", []string{"id", "contract_id", "effective_from", "effective_to",
		"window_value", "window_unit", "standard", "trigger", "notify", "required_content", "update_every_hours", "reason",
		"created_by", "created_at"}}
	seedAttestations = seedTable{"attestations", []string{"id", "vendor_id", "kind", "issuer", "scope", "period_start",
		"period_end", "issued_on", "expires_on", "expires_on_source", "opinion", "exceptions_count", "review_status",
		"reviewer", "reviewed_at", "version", "created_at", "updated_at"}}
	seedReviews = seedTable{"reviews", []string{"id", "vendor_id", "performed_on", "reviewer", "outcome",
		"residual_risk", "notes", "created_by", "version", "created_at", "updated_at"}}
	seedIncidents = seedTable{"incidents", []string{"id", "vendor_id", "title", "description", "status",
		"exposure_start", "exposure_end", "vendor_discovered_at", "vendor_notified_us_at", "we_learned_at", "learned_via",
		"categories", "records_affected", "records_estimated", "jurisdictions", "residents", "materiality_determined_at",
		"vendor_is_agent", "notice_contract_id", "notice_clause_id", "notice_due_at", "version", "created_by",
		"created_at", "updated_at"}}
	seedTimeline = seedTable{"incident_timeline", []string{"incident_id", "seq", "at", "actor", "action", "text",
		"recorded_by", "recorded_at"}}
	seedObligations = seedTable{"obligations", []string{"id", "incident_id", "regime_id", "regime", "citation",
		"recipient", "source_status", "anchor", "anchor_at", "due_at", "deadline_text", "notes", "status", "reason",
		"done_at", "evidence", "set_by", "version", "created_at", "updated_at"}}
)

// seedBatch holds the rows of vendors [start, end) as flat argument lists,
// one per table, in the tables' column order.
type seedBatch struct {
	start, end int
	args       map[string][]any
	counts     SeedCounts
}

// seedOrder is the order tables are written in: parents first.
var seedOrder = []seedTable{seedVendors, seedHandling, seedContracts, seedClauses, seedAttestations, seedReviews,
	seedIncidents, seedTimeline, seedObligations}

// seedWriter writes batches: with COPY on PostgreSQL, with multi-row
// INSERT statements on SQLite.
type seedWriter struct {
	db   *DB
	sqls map[string]string // by table and row count
}

// rowsPerStatement caps the rows of one SQLite INSERT. SQLite allows 32766
// parameters a statement, but glebarez/go-sqlite v1.23.0 binds each
// parameter by scanning the whole argument list (conn.bind), which is
// quadratic in the parameters of a statement: 32766-parameter INSERTs made
// 10k vendors take 116 s, against 11 s with about 256 parameters a
// statement, prepared once per table and batch.
func (w *seedWriter) rowsPerStatement(cols int) int {
	return max(1, 256/cols)
}

func (w *seedWriter) write(ctx context.Context, b *seedBatch) error {
	if w.db.dialect == Postgres {
		return w.copy(ctx, b)
	}
	tx, err := w.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	// Each multi-row INSERT keeps a statement journal to undo itself on a
	// constraint failure; in memory it costs no write system calls.
	if _, err := tx.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		_ = tx.Rollback()
		return translate(err)
	}
	for _, t := range seedOrder {
		if err := w.insert(ctx, tx, t, b.args[t.name]); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("seed vendors %d-%d: %w", b.start+1, b.end, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed vendors %d-%d: commit: %w", b.start+1, b.end, translate(err))
	}
	return nil
}

// copy writes a batch on PostgreSQL with COPY ... FROM STDIN (binary):
// no statement of thousands of parameters to parse, and no 65535-parameter
// limit to cut batches by.
func (w *seedWriter) copy(ctx context.Context, b *seedBatch) error {
	conn, err := w.db.sql.Conn(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("the PostgreSQL driver connection is a %T, not pgx", dc)
		}
		return pgx.BeginFunc(ctx, sc.Conn(), func(tx pgx.Tx) error {
			for _, t := range seedOrder {
				args, n := b.args[t.name], len(t.cols)
				rows := make([][]any, len(args)/n)
				for i := range rows {
					rows[i] = args[i*n : (i+1)*n]
				}
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows)); err != nil {
					return fmt.Errorf("copy into %s: %w", t.name, translate(err))
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("seed vendors %d-%d: %w", b.start+1, b.end, err)
	}
	return nil
}

func (w *seedWriter) insert(ctx context.Context, tx *sql.Tx, t seedTable, args []any) error {
	n := len(t.cols)
	if len(args)%n != 0 {
		return fmt.Errorf("insert %s: %d values for %d columns", t.name, len(args), n) // a generator bug
	}
	rows := len(args) / n
	per := w.rowsPerStatement(n)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			_ = full.Close()
		}
	}()
	for at := 0; at < rows; at += per {
		k := min(per, rows-at)
		var err error
		switch {
		case k < per:
			_, err = tx.ExecContext(ctx, w.sql(t, k), args[at*n:(at+k)*n]...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, w.sql(t, k)); err != nil {
				break
			}
			fallthrough
		default:
			_, err = full.ExecContext(ctx, args[at*n:(at+k)*n]...)
		}
		if err != nil {
			return fmt.Errorf("insert %s: %w", t.name, translate(err))
		}
	}
	return nil
}

// sql returns INSERT INTO t (cols) VALUES (?, ...), ... for rows rows.
func (w *seedWriter) sql(t seedTable, rows int) string {
	key := t.name + "/" + strconv.Itoa(rows)
	if q, ok := w.sqls[key]; ok {
		return q
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	for r := range rows {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for c := range t.cols {
			if c > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('?')
		}
		sb.WriteByte(')')
	}
	q := sb.String()
	w.sqls[key] = q
	return q
}
