package repository

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// Bulk is a batch of complete rows (ids, versions and timestamps set)
// written straight into their tables by WriteBulk: generated data such as
// a seeded portfolio. It bypasses the stores' checks, and the audit trail
// holds only the events given in Audit (one per batch, say, rather than one
// per row). Rows are encoded as the stores encode them.
type Bulk struct {
	Vendors      []register.Vendor
	Handling     []register.DataHandling
	Contracts    []contract.Contract
	Clauses      []contract.ClauseVersion
	Attestations []attestation.Attestation
	Reviews      []review.Review
	Incidents    []incident.Incident
	// RegimeChecks are, incident by incident (same index as Incidents),
	// the regimes checked and not applied.
	RegimeChecks [][]incident.RegimeCheck
	Timeline     []incident.TimelineEntry
	Obligations  []incident.Obligation
	// Dependencies are supply-chain edges; their vendors and providers are
	// in this batch or an earlier one.
	Dependencies []register.Dependency
	// Audit are the audit events that record the batch, written in its
	// transaction and queued for the audit log's sealer as every other
	// event is (numbered by the database, each with its leaf hash).
	Audit []domain.AuditEvent
}

// bulkTable is a table, the columns bulk rows give values for, and the
// values of a batch's rows as one flat list in column order.
type bulkTable struct {
	name string
	cols []string
	args func(b *Bulk) []any
}

// bulkOrder is the order tables are written in: parents first.
var bulkOrder = []bulkTable{
	{"vendors", []string{"id", "name", "name_key", "legal_name", "website", "service",
		"owner_email", "status", "criticality", "country", "parent_vendor_id", "external_ref", "risk_score", "risk_tier",
		"tier", "tier_override", "tier_override_reason", "max_sensitivity", "max_records", "last_review_on", "lei",
		"registration_number", "domain", "version", "created_at", "updated_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 26*len(b.Vendors))
		for _, v := range b.Vendors {
			row := toVendorRow(v)
			out = append(out, row.ID, row.Name, row.NameKey, row.LegalName, row.Website, row.Service, row.OwnerEmail,
				row.Status, row.Criticality, row.Country, row.ParentVendorID, row.ExternalRef, row.RiskScore, row.RiskTier,
				row.Tier, row.TierOverride, row.TierOverrideReason, row.MaxSensitivity, row.MaxRecords, row.LastReviewOn,
				row.LEI, row.RegistrationNumber, row.Domain, row.Version, row.CreatedAt, row.UpdatedAt)
		}
		return out
	}},
	{"vendor_dependencies", []string{"id", "vendor_id", "provider_id", "service", "data_categories", "countries",
		"source", "as_of", "evidence_ref", "notes", "version", "created_at", "updated_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 13*len(b.Dependencies))
		for _, d := range b.Dependencies {
			r := toDependencyRow(d)
			out = append(out, r.ID, r.VendorID, r.ProviderID, r.Service, r.DataCategories, r.Countries, r.Source, r.AsOf,
				r.EvidenceRef, r.Notes, r.Version, r.CreatedAt, r.UpdatedAt)
		}
		return out
	}},
	{"data_handling", []string{"vendor_id", "category", "stores", "processes", "transmits",
		"record_count", "jurisdictions", "systems", "notes", "created_at", "updated_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 11*len(b.Handling))
		for _, h := range b.Handling {
			hr := toHandlingRow(h)
			out = append(out, hr.VendorID, hr.Category, hr.Stores, hr.Processes, hr.Transmits, hr.RecordCount,
				hr.Jurisdictions, hr.Systems, hr.Notes, hr.CreatedAt, hr.UpdatedAt)
		}
		return out
	}},
	{"contracts", []string{"id", "vendor_id", "title", "reference", "status", "effective_on",
		"expires_on", "auto_renew", "renewal_notice_days", "governing_law", "annual_value_minor", "annual_value_currency",
		"notes", "right_to_audit", "subprocessor_approval", "data_return_or_destruction", "security_standard", "dpa", "baa",
		"cyber_insurance_min_minor", "cyber_insurance_currency", "version", "created_at", "updated_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 24*len(b.Contracts))
		for _, c := range b.Contracts {
			cr := toContractRow(c)
			out = append(out, cr.ID, cr.VendorID, cr.Title, cr.Reference, cr.Status, cr.EffectiveOn, cr.ExpiresOn,
				cr.AutoRenew, cr.RenewalNoticeDays, cr.GoverningLaw, cr.AnnualValueMinor, cr.AnnualValueCurrency, cr.Notes,
				cr.RightToAudit, cr.SubprocessorApproval, cr.DataReturnOrDestruction, cr.SecurityStandard, cr.DPA, cr.BAA,
				cr.CyberInsuranceMinMinor, cr.CyberInsuranceCurrency, cr.Version, cr.CreatedAt, cr.UpdatedAt)
		}
		return out
	}},
	{"clause_versions", []string{"id", "contract_id", "effective_from", "effective_to",
		"window_value", "window_unit", "standard", "trigger", "notify", "required_content", "update_every_hours", "reason",
		"created_by", "created_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 14*len(b.Clauses))
		for _, cv := range b.Clauses {
			row := toClauseRow(cv)
			out = append(out, row.ID, row.ContractID, row.EffectiveFrom, row.EffectiveTo, row.WindowValue, row.WindowUnit,
				row.Standard, row.Trigger, row.Notify, row.RequiredContent, row.UpdateEveryHours, row.Reason, row.CreatedBy,
				row.CreatedAt)
		}
		return out
	}},
	{"attestations", []string{"id", "vendor_id", "kind", "issuer", "scope", "period_start",
		"period_end", "issued_on", "expires_on", "expires_on_source", "opinion", "exceptions_count", "review_status",
		"reviewer", "reviewed_at", "version", "created_at", "updated_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 18*len(b.Attestations))
		for _, a := range b.Attestations {
			row := toAttestationRow(a)
			out = append(out, row.ID, row.VendorID, row.Kind, row.Issuer, row.Scope, row.PeriodStart, row.PeriodEnd,
				row.IssuedOn, row.ExpiresOn, row.ExpiresOnSource, row.Opinion, row.ExceptionsCount, row.ReviewStatus,
				row.Reviewer, row.ReviewedAt, row.Version, row.CreatedAt, row.UpdatedAt)
		}
		return out
	}},
	{"reviews", []string{"id", "vendor_id", "performed_on", "reviewer", "outcome",
		"residual_risk", "notes", "created_by", "version", "created_at", "updated_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 11*len(b.Reviews))
		for _, rv := range b.Reviews {
			row := toReviewRow(rv)
			out = append(out, row.ID, row.VendorID, row.PerformedOn, row.Reviewer, row.Outcome, row.ResidualRisk, row.Notes,
				row.CreatedBy, row.Version, row.CreatedAt, row.UpdatedAt)
		}
		return out
	}},
	{"incidents", []string{"id", "vendor_id", "title", "description", "status",
		"exposure_start", "exposure_end", "vendor_discovered_at", "vendor_notified_us_at", "we_learned_at", "learned_via",
		"categories", "records_affected", "records_estimated", "jurisdictions", "residents", "materiality_determined_at",
		"vendor_is_agent", "notice_contract_id", "notice_clause_id", "notice_due_at", "law_notice_due_at",
		"law_notice_regime_id", "regime_checks", "version", "created_by", "created_at", "updated_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 28*len(b.Incidents))
		for i, inc := range b.Incidents {
			row := toIncidentRow(inc)
			var checks []incident.RegimeCheck
			if i < len(b.RegimeChecks) {
				checks = b.RegimeChecks[i]
			}
			out = append(out, row.ID, row.VendorID, row.Title, row.Description, row.Status, row.ExposureStart,
				row.ExposureEnd, row.VendorDiscoveredAt, row.VendorNotifiedUsAt, row.WeLearnedAt, row.LearnedVia, row.Categories,
				row.RecordsAffected, row.RecordsEstimated, row.Jurisdictions, row.Residents, row.MaterialityDeterminedAt,
				row.VendorIsAgent, row.NoticeContractID, row.NoticeClauseID, row.NoticeDueAt, row.LawNoticeDueAt,
				row.LawNoticeRegimeID, jsonText(checks), row.Version, row.CreatedBy, row.CreatedAt, row.UpdatedAt)
		}
		return out
	}},
	{"incident_timeline", []string{"incident_id", "seq", "at", "actor", "action", "text",
		"recorded_by", "recorded_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 8*len(b.Timeline))
		for _, e := range b.Timeline {
			out = append(out, e.IncidentID, e.Seq, e.At, e.Actor, e.Action, e.Text, e.RecordedBy, e.RecordedAt)
		}
		return out
	}},
	{"obligations", []string{"id", "incident_id", "regime_id", "regime", "citation",
		"recipient", "source_status", "anchor", "anchor_at", "due_at", "deadline_text", "title", "working_due_at",
		"working_deadline_text", "notes", "status", "reason", "done_at", "evidence", "set_by", "version", "created_at",
		"updated_at"}, func(b *Bulk) []any {
		out := make([]any, 0, 23*len(b.Obligations))
		for _, o := range b.Obligations {
			row := toObligationRow(o)
			out = append(out, row.ID, row.IncidentID, row.RegimeID, row.Regime, row.Citation, row.Recipient,
				row.SourceStatus, row.Anchor, row.AnchorAt, row.DueAt, row.DeadlineText, row.Title, row.WorkingDueAt,
				row.WorkingText, row.Notes, row.Status, row.Reason, row.DoneAt, row.Evidence, row.SetBy, row.Version,
				row.CreatedAt, row.UpdatedAt)
		}
		return out
	}},
}

// HasVendors reports whether any vendor is stored.
func (db *DB) HasVendors(ctx context.Context) (bool, error) {
	var one []int
	if err := db.conn(ctx).Raw("SELECT 1 FROM vendors LIMIT 1").Scan(&one).Error; err != nil {
		return false, translate(err)
	}
	return len(one) > 0, nil
}

// Analyze refreshes the planner statistics after a bulk load: without them
// SQLite picks plans for the scan's queries that are several times
// slower.
func (db *DB) Analyze(ctx context.Context) error {
	if err := db.gorm.WithContext(ctx).Exec("ANALYZE").Error; err != nil {
		return fmt.Errorf("analyze: %w", translate(err))
	}
	return nil
}

// WriteBulk writes b in one transaction, parents first: with COPY on
// PostgreSQL, with multi-row INSERT statements on SQLite.
func (db *DB) WriteBulk(ctx context.Context, b *Bulk) error {
	w := bulkWriter{db: db, sqls: map[string]string{}}
	return w.write(ctx, b)
}

// bulkAuditChunk bounds the audit events of one INSERT: 12 parameters
// each on PostgreSQL, well under its 65535.
const bulkAuditChunk = 500

// bulkWriter writes bulk batches.
type bulkWriter struct {
	db   *DB
	sqls map[string]string // by table and row count
}

// rowsPerStatement caps the rows of one SQLite INSERT. SQLite allows 32766
// parameters a statement, but glebarez/go-sqlite v1.23.0 binds each
// parameter by scanning the whole argument list (conn.bind), which is
// quadratic in the parameters of a statement: 32766-parameter INSERTs made
// 10k vendors take 116 s, against 11 s with about 256 parameters a
// statement, prepared once per table and batch.
func (w *bulkWriter) rowsPerStatement(cols int) int {
	return max(1, 256/cols)
}

func (w *bulkWriter) write(ctx context.Context, b *Bulk) error {
	if w.db.dialect == Postgres {
		return w.copy(ctx, b)
	}
	conn, err := w.db.sql.Conn(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Close()
	// Each multi-row INSERT keeps a statement journal to undo itself on a
	// constraint failure; in memory it costs no write system calls. SQLite
	// refuses the setting inside a transaction once the connection has
	// used temporary storage, so it is set before the transaction begins.
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return translate(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	for _, t := range bulkOrder {
		if err := w.insert(ctx, tx, t, t.args(b)); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if _, err := insertAuditOn(ctx, w.db.dialect, sqlAuditConn(ctx, tx), b.Audit, bulkAuditChunk); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("append audit events: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

// copy writes a batch on PostgreSQL with COPY ... FROM STDIN (binary):
// no statement of thousands of parameters to parse, and no 65535-parameter
// limit to cut batches by.
func (w *bulkWriter) copy(ctx context.Context, b *Bulk) error {
	conn, err := w.db.sql.Conn(ctx)
	if err != nil {
		return translate(err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("the PostgreSQL driver connection is a %T, not pgx", dc)
		}
		return pgx.BeginFunc(ctx, sc.Conn(), func(tx pgx.Tx) error {
			for _, t := range bulkOrder {
				args, n := t.args(b), len(t.cols)
				rows := make([][]any, len(args)/n)
				for i := range rows {
					rows[i] = args[i*n : (i+1)*n]
				}
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows)); err != nil {
					return fmt.Errorf("copy into %s: %w", t.name, translate(err))
				}
			}
			if _, err := insertAuditOn(ctx, w.db.dialect, pgxAuditConn(ctx, tx), b.Audit, bulkAuditChunk); err != nil {
				return fmt.Errorf("append audit events: %w", err)
			}
			return nil
		})
	})
}

func (w *bulkWriter) insert(ctx context.Context, tx *sql.Tx, t bulkTable, args []any) error {
	n := len(t.cols)
	if len(args)%n != 0 {
		return fmt.Errorf("insert %s: %s for %s", t.name, domain.Count(len(args), "value", "values"), domain.Count(n, "column", "columns")) // a bug in bulkOrder
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
func (w *bulkWriter) sql(t bulkTable, rows int) string {
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
