package repository

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Vendors is the GORM vendor store.
type Vendors struct{ db *DB }

var _ register.VendorStore = (*Vendors)(nil)

// NewVendors returns the vendor store on db.
func NewVendors(db *DB) *Vendors { return &Vendors{db: db} }

type vendorRow struct {
	ID                 string
	Name               string
	NameKey            string
	LegalName          string
	Website            string
	Service            string
	OwnerEmail         string
	Status             string
	Criticality        string
	Country            string
	ParentVendorID     *string
	ExternalRef        *string
	LEI                *string `gorm:"column:lei"`
	RegistrationNumber string
	Domain             string
	RiskScore          int
	RiskTier           string
	Tier               string
	TierOverride       *string
	TierOverrideReason string
	MaxSensitivity     int
	MaxRecords         int64
	LastReviewOn       dateCol // written only by Reviews.RefreshLastReview, so not in vendorColumns
	// The residual risk, written only by Findings.WriteResidual (the scan),
	// so not in vendorColumns.
	ResidualScore      *int
	ResidualTier       *string
	ResidualComputedAt *time.Time
	ResidualConfig     *string
	Version            int64
	CreatedAt          time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt          time.Time `gorm:"autoUpdateTime:false"`
}

func (vendorRow) TableName() string { return "vendors" }

// vendorColumns are the columns an update writes (explicitly, so zero
// values are written too).
var vendorColumns = []string{
	"name", "name_key", "legal_name", "website", "service", "owner_email", "status", "criticality", "country",
	"parent_vendor_id", "external_ref", "risk_score", "risk_tier", "tier", "tier_override", "tier_override_reason",
	"max_sensitivity", "max_records", "lei", "registration_number", "domain", "version", "updated_at",
}

func toVendorRow(v register.Vendor) vendorRow {
	return vendorRow{
		ID: v.ID, Name: v.Name, NameKey: register.NameKey(v.Name), LegalName: v.LegalName, Website: v.Website,
		Service: v.Service, OwnerEmail: v.OwnerEmail, Status: string(v.Status), Criticality: string(v.Criticality),
		Country: v.Country, ParentVendorID: nullString(v.ParentVendorID), ExternalRef: nullString(v.ExternalRef),
		RiskScore: v.Risk.Score, RiskTier: string(v.Risk.Tier), Tier: string(v.Tier()),
		TierOverride: nullString(string(v.TierOverride)), TierOverrideReason: v.TierOverrideReason,
		MaxSensitivity: v.MaxSensitivity, MaxRecords: v.MaxRecords, Version: v.Version,
		LEI: nullString(v.LEI), RegistrationNumber: v.RegistrationNumber, Domain: v.Domain,
		CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(), LastReviewOn: sqlDate(v.LastReviewOn),
	}
}

func (r vendorRow) toDomain() register.Vendor {
	v := register.Vendor{
		ID: r.ID, Name: r.Name, LegalName: r.LegalName, Website: r.Website, Service: r.Service,
		OwnerEmail: r.OwnerEmail, Status: register.VendorStatus(r.Status), Criticality: register.Criticality(r.Criticality),
		Country: r.Country, ParentVendorID: deref(r.ParentVendorID), ExternalRef: deref(r.ExternalRef),
		TierOverride: register.Tier(deref(r.TierOverride)), TierOverrideReason: r.TierOverrideReason,
		MaxSensitivity: r.MaxSensitivity, MaxRecords: r.MaxRecords, Version: r.Version,
		LEI: deref(r.LEI), RegistrationNumber: r.RegistrationNumber, Domain: r.Domain,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), LastReviewOn: r.LastReviewOn.Date,
	}
	if r.ResidualScore != nil {
		v.Residual = &register.StoredResidual{Score: *r.ResidualScore, Tier: register.Tier(deref(r.ResidualTier)),
			Config: deref(r.ResidualConfig)}
		if r.ResidualComputedAt != nil {
			v.Residual.ComputedAt = r.ResidualComputedAt.UTC()
		}
	}
	// The factors are a pure function of stored inputs; recomputing them
	// keeps the explanation in step with the code that produced the score.
	v.Risk = register.ComputeInherentRisk(register.RiskInputs{
		MaxSensitivity: r.MaxSensitivity, MaxRecords: r.MaxRecords, Criticality: v.Criticality,
	})
	return v
}

// vendorInsert inserts every column of a vendor.
var vendorInsert = "INSERT INTO vendors (id, " + strings.Join(vendorColumns, ", ") + ", last_review_on, created_at) VALUES " +
	placeholders(len(vendorColumns)+3)

// Create implements register.VendorStore, with one prepared INSERT rather
// than GORM's Create: creating vendors is the write path under load, where
// GORM's statement building and reflection cost more than the statement
// (BENCHMARKS.md, "Audit log and concurrent writes").
func (s *Vendors) Create(ctx context.Context, v register.Vendor) error {
	r := toVendorRow(v)
	return s.db.rawExec(ctx, vendorInsert, []any{r.ID, r.Name, r.NameKey, r.LegalName, r.Website, r.Service, r.OwnerEmail,
		r.Status, r.Criticality, r.Country, r.ParentVendorID, r.ExternalRef, r.RiskScore, r.RiskTier, r.Tier, r.TierOverride,
		r.TierOverrideReason, r.MaxSensitivity, r.MaxRecords, r.LEI, r.RegistrationNumber, r.Domain, r.Version, r.UpdatedAt,
		r.LastReviewOn, r.CreatedAt})
}

// vendorReadCols are the columns toDomain reads (the stored score and
// tiers are recomputed from the inputs), in scanVendor's order.
const vendorReadCols = "id, name, name_key, legal_name, website, service, owner_email, status, criticality, country, " +
	"parent_vendor_id, external_ref, tier_override, tier_override_reason, max_sensitivity, max_records, last_review_on, " +
	"residual_score, residual_tier, residual_computed_at, residual_config, lei, registration_number, domain, " +
	"version, created_at, updated_at"

// scanVendor reads one row of vendorReadCols.
func scanVendor(rows rowScanner, r *vendorRow) error {
	return rows.Scan(&r.ID, &r.Name, &r.NameKey, &r.LegalName, &r.Website, &r.Service, &r.OwnerEmail, &r.Status,
		&r.Criticality, &r.Country, &r.ParentVendorID, &r.ExternalRef, &r.TierOverride, &r.TierOverrideReason,
		&r.MaxSensitivity, &r.MaxRecords, &r.LastReviewOn, &r.ResidualScore, &r.ResidualTier, &r.ResidualComputedAt,
		&r.ResidualConfig, &r.LEI, &r.RegistrationNumber, &r.Domain, &r.Version, &r.CreatedAt, &r.UpdatedAt)
}

// Get implements register.VendorStore.
func (s *Vendors) Get(ctx context.Context, id string) (register.Vendor, error) {
	row, err := queryOne(ctx, s.db, scanVendor, "SELECT "+vendorReadCols+" FROM vendors WHERE id = ?", id)
	if err != nil {
		return register.Vendor{}, fmt.Errorf("vendor %s: %w", id, err)
	}
	return row.toDomain(), nil
}

// GetForUpdate implements register.VendorStore: SELECT ... FOR UPDATE on
// PostgreSQL; SQLite transactions hold the database's write lock from
// BEGIN, so a plain read suffices there.
func (s *Vendors) GetForUpdate(ctx context.Context, id string) (register.Vendor, error) {
	lock := ""
	if s.db.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	row, err := queryOne(ctx, s.db, scanVendor, "SELECT "+vendorReadCols+" FROM vendors WHERE id = ?"+lock, id)
	if err != nil {
		return register.Vendor{}, fmt.Errorf("vendor %s: %w", id, err)
	}
	return row.toDomain(), nil
}

// Update implements register.VendorStore.
func (s *Vendors) Update(ctx context.Context, v register.Vendor, expectedVersion int64) error {
	row := toVendorRow(v)
	row.Version = expectedVersion + 1
	res := s.db.conn(ctx).Model(&vendorRow{}).Where("id = ? AND version = ?", v.ID, expectedVersion).
		Select(vendorColumns).Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &vendorRow{}, "vendor", v.ID)
	}
	return nil
}

// Delete implements register.VendorStore.
func (s *Vendors) Delete(ctx context.Context, id string, expectedVersion int64) error {
	q := s.db.conn(ctx).Where("id = ?", id)
	if expectedVersion != 0 {
		q = q.Where("version = ?", expectedVersion)
	}
	res := q.Delete(&vendorRow{})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &vendorRow{}, "vendor", id)
	}
	return nil
}

// List implements register.VendorStore. By name, the keyset is the unique
// name_key; by residual score, it is (COALESCE(-residual_score, 1),
// name_key), highest score first and vendors without one last, with the
// cursor "score:name_key" (score -1 for none). Either order is a range
// scan of an index whatever the page's depth.
func (s *Vendors) List(ctx context.Context, f register.VendorFilter, p domain.PageRequest) (domain.Page[register.Vendor], error) {
	var w where
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if f.Criticality != "" {
		w.add("criticality = ?", string(f.Criticality))
	}
	if f.Tier != "" {
		w.add("tier = ?", string(f.Tier))
	}
	if f.ResidualTier != "" {
		w.add("residual_tier = ?", string(f.ResidualTier))
	}
	if f.Query != "" {
		w.add("name_key LIKE ? ESCAPE '\\'", "%"+escapeLike(register.NameKey(f.Query))+"%")
	}
	if f.ReviewOverdue != nil {
		cond, args := reviewOverdueWhere(f.ReviewOverdue)
		w.add(cond, args...)
	}
	order, key := "name_key", func(r vendorRow) string { return r.NameKey }
	if f.Sort == register.SortByResidual {
		order = residualOrder + ", name_key"
		key = func(r vendorRow) string {
			score := -1
			if r.ResidualScore != nil {
				score = *r.ResidualScore
			}
			return strconv.Itoa(score) + ":" + r.NameKey
		}
		if p.After != "" {
			score, name, ok := strings.Cut(p.After, ":")
			n, err := strconv.Atoi(score)
			if !ok || err != nil || n < -1 || n > 100 {
				return domain.Page[register.Vendor]{}, domain.Invalid("cursor", "is not a cursor from this list")
			}
			// The sort key of score n is -n, or 1 for none (n = -1).
			k := -n
			if n < 0 {
				k = 1
			}
			w.add("("+residualOrder+", name_key) > (?, ?)", k, name)
		}
	} else if p.After != "" {
		w.add("name_key > ?", p.After)
	}
	rows, err := queryRows(ctx, s.db, p.Size()+1, scanVendor,
		"SELECT "+vendorReadCols+" FROM vendors"+w.sql()+" ORDER BY "+order+" LIMIT "+strconv.Itoa(p.Size()+1), w.args...)
	if err != nil {
		return domain.Page[register.Vendor]{}, err
	}
	return pageOf(rows, p.Size(), key, vendorRow.toDomain), nil
}

// residualOrder is the sort key of the list by residual score, as the
// index vendors_residual_order_idx states it.
const residualOrder = "COALESCE(-residual_score, 1)"

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
