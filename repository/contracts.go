package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// Contracts is the GORM contract store.
type Contracts struct{ db *DB }

var _ contract.ContractStore = (*Contracts)(nil)

// NewContracts returns the contract store on db.
func NewContracts(db *DB) *Contracts { return &Contracts{db: db} }

type contractRow struct {
	ID                      string
	VendorID                string
	Title                   string
	Reference               string
	Status                  string
	EffectiveOn             dateCol
	ExpiresOn               dateCol
	AutoRenew               bool
	RenewalNoticeDays       int
	GoverningLaw            string
	AnnualValueMinor        *int64
	AnnualValueCurrency     *string
	Notes                   string
	RightToAudit            bool
	SubprocessorApproval    bool
	DataReturnOrDestruction bool
	SecurityStandard        string
	DPA                     bool `gorm:"column:dpa"`
	BAA                     bool `gorm:"column:baa"`
	CyberInsuranceMinMinor  *int64
	CyberInsuranceCurrency  *string
	Version                 int64
	CreatedAt               time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt               time.Time `gorm:"autoUpdateTime:false"`
}

func (contractRow) TableName() string { return "contracts" }

var contractColumns = []string{
	"title", "reference", "status", "effective_on", "expires_on", "auto_renew", "renewal_notice_days", "governing_law",
	"annual_value_minor", "annual_value_currency", "notes", "right_to_audit", "subprocessor_approval",
	"data_return_or_destruction", "security_standard", "dpa", "baa", "cyber_insurance_min_minor",
	"cyber_insurance_currency", "version", "updated_at",
}

func moneyCols(m *domain.Money) (*int64, *string) {
	if m == nil {
		return nil, nil
	}
	a, c := m.AmountMinor, m.Currency
	return &a, &c
}

func colsMoney(a *int64, c *string) *domain.Money {
	if a == nil || c == nil {
		return nil
	}
	return &domain.Money{AmountMinor: *a, Currency: *c}
}

func toContractRow(c contract.Contract) contractRow {
	r := contractRow{
		ID: c.ID, VendorID: c.VendorID, Title: c.Title, Reference: c.Reference, Status: string(c.Status),
		EffectiveOn: sqlDate(c.EffectiveOn), ExpiresOn: sqlDate(c.ExpiresOn), AutoRenew: c.AutoRenew,
		RenewalNoticeDays: c.RenewalNoticeDays, GoverningLaw: c.GoverningLaw, Notes: c.Notes,
		RightToAudit: c.RightToAudit, SubprocessorApproval: c.SubprocessorApproval,
		DataReturnOrDestruction: c.DataReturnOrDestruction, SecurityStandard: c.SecurityStandard,
		DPA: c.DPA, BAA: c.BAA, Version: c.Version, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	r.AnnualValueMinor, r.AnnualValueCurrency = moneyCols(c.AnnualValue)
	r.CyberInsuranceMinMinor, r.CyberInsuranceCurrency = moneyCols(c.CyberInsuranceMin)
	return r
}

func (r contractRow) toDomain() contract.Contract {
	return contract.Contract{
		ID: r.ID, VendorID: r.VendorID, Title: r.Title, Reference: r.Reference, Status: contract.ContractStatus(r.Status),
		EffectiveOn: r.EffectiveOn.Date, ExpiresOn: r.ExpiresOn.Date, AutoRenew: r.AutoRenew,
		RenewalNoticeDays: r.RenewalNoticeDays, GoverningLaw: r.GoverningLaw,
		AnnualValue: colsMoney(r.AnnualValueMinor, r.AnnualValueCurrency), Notes: r.Notes,
		RightToAudit: r.RightToAudit, SubprocessorApproval: r.SubprocessorApproval,
		DataReturnOrDestruction: r.DataReturnOrDestruction, SecurityStandard: r.SecurityStandard, DPA: r.DPA, BAA: r.BAA,
		CyberInsuranceMin: colsMoney(r.CyberInsuranceMinMinor, r.CyberInsuranceCurrency),
		Version:           r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// Create implements contract.ContractStore.
func (s *Contracts) Create(ctx context.Context, c contract.Contract) error {
	row := toContractRow(c)
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Get implements contract.ContractStore.
func (s *Contracts) Get(ctx context.Context, id string) (contract.Contract, error) {
	var row contractRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return contract.Contract{}, fmt.Errorf("contract %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// Update implements contract.ContractStore.
func (s *Contracts) Update(ctx context.Context, c contract.Contract, expectedVersion int64) error {
	row := toContractRow(c)
	row.Version = expectedVersion + 1
	res := s.db.conn(ctx).Model(&contractRow{}).Where("id = ? AND version = ?", c.ID, expectedVersion).
		Select(contractColumns).Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &contractRow{}, "contract", c.ID)
	}
	return nil
}

// Delete implements contract.ContractStore.
func (s *Contracts) Delete(ctx context.Context, id string, expectedVersion int64) error {
	q := s.db.conn(ctx).Where("id = ?", id)
	if expectedVersion != 0 {
		q = q.Where("version = ?", expectedVersion)
	}
	res := q.Delete(&contractRow{})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &contractRow{}, "contract", id)
	}
	return nil
}

// List implements contract.ContractStore: creation order, keyset on the
// time-ordered id.
func (s *Contracts) List(ctx context.Context, f contract.ContractFilter, p domain.PageRequest) (domain.Page[contract.Contract], error) {
	q := s.db.conn(ctx).Model(&contractRow{})
	if f.VendorID != "" {
		q = q.Where("vendor_id = ?", f.VendorID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if !f.ExpiringBefore.IsZero() {
		q = q.Where("expires_on < ?", sqlDate(f.ExpiringBefore))
	}
	if f.Query != "" {
		q = q.Where("LOWER(title) LIKE ? ESCAPE '\\'", "%"+escapeLike(register.NameKey(f.Query))+"%")
	}
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[contract.Contract]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("id > ?", p.After)
	}
	var rows []contractRow
	if err := q.Order("id").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[contract.Contract]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r contractRow) string { return r.ID }, contractRow.toDomain), nil
}

// ListByVendor implements contract.ContractStore.
func (s *Contracts) ListByVendor(ctx context.Context, vendorID string) ([]contract.Contract, error) {
	var rows []contractRow
	if err := s.db.conn(ctx).Where("vendor_id = ?", vendorID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]contract.Contract, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

// Clauses is the GORM store of breach-notification clause versions.
type Clauses struct{ db *DB }

var _ contract.ClauseStore = (*Clauses)(nil)

// NewClauses returns the clause store on db.
func NewClauses(db *DB) *Clauses { return &Clauses{db: db} }

type clauseRow struct {
	ID               string
	ContractID       string
	EffectiveFrom    time.Time
	EffectiveTo      *time.Time
	WindowValue      *int
	WindowUnit       *string
	Standard         *string
	Trigger          string
	Notify           string // JSON array of recipients
	RequiredContent  string
	UpdateEveryHours int
	Reason           string
	CreatedBy        string
	CreatedAt        time.Time `gorm:"autoCreateTime:false"`
}

func (clauseRow) TableName() string { return "clause_versions" }

func toClauseRow(v contract.ClauseVersion) clauseRow {
	notify, _ := json.Marshal(nonNilSlice(v.Terms.Notify)) // plain structs always marshal
	r := clauseRow{ID: v.ID, ContractID: v.ContractID, EffectiveFrom: v.EffectiveFrom.UTC(), EffectiveTo: utcPtr(v.EffectiveTo),
		Standard: nullString(string(v.Terms.Standard)), Trigger: string(v.Terms.Trigger), Notify: string(notify),
		RequiredContent: v.Terms.RequiredContent, UpdateEveryHours: v.Terms.UpdateEveryHours, Reason: v.Reason,
		CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.UTC()}
	if w := v.Terms.Window; w != nil {
		val, unit := w.Value, string(w.Unit)
		r.WindowValue, r.WindowUnit = &val, &unit
	}
	return r
}

func (r clauseRow) toDomain() contract.ClauseVersion {
	v := contract.ClauseVersion{ID: r.ID, ContractID: r.ContractID, EffectiveFrom: r.EffectiveFrom.UTC(),
		EffectiveTo: utcPtr(r.EffectiveTo), Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		Terms: contract.ClauseTerms{Standard: contract.NotificationStandard(deref(r.Standard)),
			Trigger: contract.ClauseTrigger(r.Trigger), RequiredContent: r.RequiredContent,
			UpdateEveryHours: r.UpdateEveryHours, Notify: []contract.Recipient{}}}
	if r.WindowValue != nil && r.WindowUnit != nil {
		v.Terms.Window = &domain.Window{Value: *r.WindowValue, Unit: domain.WindowUnit(*r.WindowUnit)}
	}
	_ = json.Unmarshal([]byte(r.Notify), &v.Terms.Notify) // written by toClauseRow
	return v
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Insert implements contract.ClauseStore.
func (s *Clauses) Insert(ctx context.Context, v contract.ClauseVersion) error {
	row := toClauseRow(v)
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Close implements contract.ClauseStore.
func (s *Clauses) Close(ctx context.Context, contractID string, at time.Time) error {
	res := s.db.conn(ctx).Model(&clauseRow{}).Where("contract_id = ? AND effective_to IS NULL", contractID).
		Update("effective_to", at.UTC())
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("open clause of contract %s: %w", contractID, domain.ErrNotFound)
	}
	return nil
}

// ReplaceTerms implements contract.ClauseStore.
func (s *Clauses) ReplaceTerms(ctx context.Context, id string, terms contract.ClauseTerms) error {
	row := toClauseRow(contract.ClauseVersion{ID: id, Terms: terms})
	res := s.db.conn(ctx).Model(&clauseRow{}).Where("id = ?", id).
		Select("window_value", "window_unit", "standard", "trigger", "notify", "required_content", "update_every_hours").
		Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("clause version %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// Latest implements contract.ClauseStore.
func (s *Clauses) Latest(ctx context.Context, contractID string) (contract.ClauseVersion, error) {
	var row clauseRow
	err := s.db.conn(ctx).Where("contract_id = ?", contractID).Order("effective_from DESC").Take(&row).Error
	if err != nil {
		return contract.ClauseVersion{}, fmt.Errorf("clause of contract %s: %w", contractID, translate(err))
	}
	return row.toDomain(), nil
}

// InForce implements contract.ClauseStore with one query for all ids.
func (s *Clauses) InForce(ctx context.Context, contractIDs []string, at time.Time) (map[string]contract.ClauseVersion, error) {
	out := make(map[string]contract.ClauseVersion, len(contractIDs))
	if len(contractIDs) == 0 {
		return out, nil
	}
	var rows []clauseRow
	at = at.UTC()
	err := s.db.conn(ctx).Where("contract_id IN ? AND effective_from <= ? AND (effective_to IS NULL OR effective_to > ?)",
		contractIDs, at, at).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.ContractID] = r.toDomain()
	}
	return out, nil
}

// Versions implements contract.ClauseStore.
func (s *Clauses) Versions(ctx context.Context, contractID string) ([]contract.ClauseVersion, error) {
	var rows []clauseRow
	if err := s.db.conn(ctx).Where("contract_id = ?", contractID).Order("effective_from").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]contract.ClauseVersion, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}

var _ incident.ClauseCandidates = (*Clauses)(nil)

// ByVendor implements incident.ClauseCandidates with one join.
func (s *Clauses) ByVendor(ctx context.Context, vendorID string) ([]incident.ClauseCandidate, error) {
	var rows []struct {
		Clause        clauseRow `gorm:"embedded"`
		ContractTitle string
	}
	err := s.db.conn(ctx).Table("clause_versions").Select("clause_versions.*, contracts.title AS contract_title").
		Joins("JOIN contracts ON contracts.id = clause_versions.contract_id").
		Where("contracts.vendor_id = ? AND contracts.status <> ?", vendorID, contract.ContractDraft).
		Order("clause_versions.effective_from").Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]incident.ClauseCandidate, len(rows))
	for i, r := range rows {
		out[i] = incident.ClauseCandidate{ContractID: r.Clause.ContractID, ContractTitle: r.ContractTitle, Clause: r.Clause.toDomain()}
	}
	return out, nil
}

// ByIDs implements incident.ClauseCandidates.
func (s *Clauses) ByIDs(ctx context.Context, ids []string) (map[string]contract.ClauseVersion, error) {
	var rows []clauseRow
	if err := s.db.conn(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[string]contract.ClauseVersion, len(rows))
	for _, r := range rows {
		out[r.ID] = r.toDomain()
	}
	return out, nil
}

// ActiveContracts implements contract.PortfolioStore: one join of the
// active contracts with their vendors, in keyset order on (vendor name
// key, contract id), then one read of those vendors' data handling. The
// bound on v.name_key alone lets PostgreSQL start its scan of
// vendors_name_key_uq (or vendors_tier_name_idx) at the cursor.
func (s *Contracts) ActiveContracts(ctx context.Context, f contract.PortfolioFilter, from *contract.PortfolioCursor,
	limit int) ([]contract.AuditedContract, error) {
	var w where
	w.add("c.status = ?", string(contract.ContractActive))
	if f.VendorID != "" {
		w.add("v.id = ?", f.VendorID)
	}
	if f.Tier != "" {
		w.add("v.tier = ?", string(f.Tier))
	}
	if from != nil {
		w.add("v.name_key >= ?", from.VendorKey)
		w.add("(v.name_key, c.id) >= (?, ?)", from.VendorKey, from.ContractID)
	}
	var rows []struct {
		Contract       contractRow `gorm:"embedded"`
		VendorName     string
		VendorRiskTier string
		VendorOverride *string
	}
	err := s.db.conn(ctx).Raw(`SELECT c.*, v.name AS vendor_name, v.risk_tier AS vendor_risk_tier,
		v.tier_override AS vendor_override
		FROM contracts c JOIN vendors v ON v.id = c.vendor_id`+w.sql()+`
		ORDER BY v.name_key, c.id LIMIT ?`, append(w.args, limit)...).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]contract.AuditedContract, len(rows))
	index := map[string][]int{}
	for i, r := range rows {
		out[i] = contract.AuditedContract{Contract: r.Contract.toDomain(), Vendor: register.Vendor{ID: r.Contract.VendorID,
			Name: r.VendorName, Risk: register.InherentRisk{Tier: register.Tier(r.VendorRiskTier)},
			TierOverride: register.Tier(deref(r.VendorOverride))}}
		index[r.Contract.VendorID] = append(index[r.Contract.VendorID], i)
	}
	if len(index) == 0 {
		return out, nil
	}
	var handling []handlingRow
	if err := s.db.conn(ctx).Where("vendor_id IN ?", slices.Collect(maps.Keys(index))).Order("vendor_id, category").
		Find(&handling).Error; err != nil {
		return nil, translate(err)
	}
	for _, h := range handling {
		d := h.toDomain()
		for _, i := range index[h.VendorID] {
			out[i].Handling = append(out[i].Handling, d)
		}
	}
	return out, nil
}
