package repository

import (
	"context"
	"fmt"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
)

// Attestations is the GORM store of attestations and their evidence
// metadata.
type Attestations struct{ db *DB }

var _ attestation.AttestationStore = (*Attestations)(nil)

// NewAttestations returns the attestation store on db.
func NewAttestations(db *DB) *Attestations { return &Attestations{db: db} }

type attestationRow struct {
	ID                 string
	VendorID           string
	Kind               string
	Issuer             string
	Scope              string
	PeriodStart        dateCol
	PeriodEnd          dateCol
	IssuedOn           dateCol
	ExpiresOn          dateCol
	ExpiresOnSource    string
	Opinion            *string
	ExceptionsCount    int64
	ReviewStatus       string
	Reviewer           string
	ReviewedAt         *time.Time
	EvidenceSHA256     *string    `gorm:"column:evidence_sha256"`
	EvidenceSize       *int64     `gorm:"column:evidence_size"`
	EvidenceMediaType  *string    `gorm:"column:evidence_media_type"`
	EvidenceName       *string    `gorm:"column:evidence_name"`
	EvidenceUploadedBy *string    `gorm:"column:evidence_uploaded_by"`
	EvidenceUploadedAt *time.Time `gorm:"column:evidence_uploaded_at"`
	Version            int64
	CreatedAt          time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt          time.Time `gorm:"autoUpdateTime:false"`
}

func (attestationRow) TableName() string { return "attestations" }

// attestationColumns are the columns an update writes. vendor_id is fixed.
var attestationColumns = []string{
	"kind", "issuer", "scope", "period_start", "period_end", "issued_on", "expires_on", "expires_on_source",
	"opinion", "exceptions_count", "review_status", "reviewer", "reviewed_at",
	"evidence_sha256", "evidence_size", "evidence_media_type", "evidence_name", "evidence_uploaded_by",
	"evidence_uploaded_at", "version", "updated_at",
}

func toAttestationRow(a attestation.Attestation) attestationRow {
	r := attestationRow{
		ID: a.ID, VendorID: a.VendorID, Kind: string(a.Kind), Issuer: a.Issuer, Scope: a.Scope,
		PeriodStart: sqlDate(a.PeriodStart), PeriodEnd: sqlDate(a.PeriodEnd), IssuedOn: sqlDate(a.IssuedOn),
		ExpiresOn: sqlDate(a.ExpiresOn), ExpiresOnSource: string(a.ExpiresOnSource),
		Opinion: nullString(string(a.Opinion)), ExceptionsCount: a.ExceptionsCount,
		ReviewStatus: string(a.ReviewStatus), Reviewer: a.Reviewer, ReviewedAt: attestationUTC(a.ReviewedAt),
		Version: a.Version, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
	if a.HasEvidence() {
		size := a.EvidenceSize
		r.EvidenceSHA256, r.EvidenceSize, r.EvidenceMediaType = &a.EvidenceSHA256, &size, &a.EvidenceMediaType
		r.EvidenceName, r.EvidenceUploadedBy = &a.EvidenceName, &a.EvidenceUploadedBy
		r.EvidenceUploadedAt = attestationUTC(a.EvidenceUploadedAt)
	}
	return r
}

func (r attestationRow) toDomain() attestation.Attestation {
	a := attestation.Attestation{
		ID: r.ID, VendorID: r.VendorID, Kind: attestation.AttestationKind(r.Kind), Issuer: r.Issuer, Scope: r.Scope,
		PeriodStart: r.PeriodStart.Date, PeriodEnd: r.PeriodEnd.Date, IssuedOn: r.IssuedOn.Date,
		ExpiresOn: r.ExpiresOn.Date, ExpiresOnSource: attestation.ExpirySource(r.ExpiresOnSource),
		Opinion: attestation.AttestationOpinion(deref(r.Opinion)), ExceptionsCount: r.ExceptionsCount,
		ReviewStatus: attestation.AttestationReviewStatus(r.ReviewStatus), Reviewer: r.Reviewer,
		ReviewedAt: attestationUTC(r.ReviewedAt), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.EvidenceSHA256 != nil && r.EvidenceSize != nil {
		a.EvidenceSHA256, a.EvidenceSize, a.EvidenceMediaType = *r.EvidenceSHA256, *r.EvidenceSize, deref(r.EvidenceMediaType)
		a.EvidenceName, a.EvidenceUploadedBy = deref(r.EvidenceName), deref(r.EvidenceUploadedBy)
		a.EvidenceUploadedAt = attestationUTC(r.EvidenceUploadedAt)
	}
	return a
}

func attestationUTC(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Create implements attestation.AttestationStore.
func (s *Attestations) Create(ctx context.Context, a attestation.Attestation) error {
	row := toAttestationRow(a)
	return translate(s.db.conn(ctx).Create(&row).Error)
}

// Get implements attestation.AttestationStore.
func (s *Attestations) Get(ctx context.Context, id string) (attestation.Attestation, error) {
	var row attestationRow
	if err := s.db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return attestation.Attestation{}, fmt.Errorf("attestation %s: %w", id, translate(err))
	}
	return row.toDomain(), nil
}

// Update implements attestation.AttestationStore.
func (s *Attestations) Update(ctx context.Context, a attestation.Attestation, expectedVersion int64) error {
	row := toAttestationRow(a)
	row.Version = expectedVersion + 1
	res := s.db.conn(ctx).Model(&attestationRow{}).Where("id = ? AND version = ?", a.ID, expectedVersion).
		Select(attestationColumns).Updates(&row)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &attestationRow{}, "attestation", a.ID)
	}
	return nil
}

// Delete implements attestation.AttestationStore.
func (s *Attestations) Delete(ctx context.Context, id string, expectedVersion int64) error {
	q := s.db.conn(ctx).Where("id = ?", id)
	if expectedVersion != 0 {
		q = q.Where("version = ?", expectedVersion)
	}
	res := q.Delete(&attestationRow{})
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return missOrStale(ctx, s.db, &attestationRow{}, "attestation", id)
	}
	return nil
}

// List implements attestation.AttestationStore. The keyset is the id (UUIDv7,
// so creation order); each filter has an index leading with its column.
func (s *Attestations) List(ctx context.Context, f attestation.AttestationFilter, p domain.PageRequest) (domain.Page[attestation.Attestation], error) {
	q := s.db.conn(ctx).Model(&attestationRow{})
	if f.VendorID != "" {
		if !domain.ValidID(f.VendorID) {
			return domain.Page[attestation.Attestation]{}, nil // no vendor has that id
		}
		q = q.Where("vendor_id = ?", f.VendorID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.ReviewStatus != "" {
		q = q.Where("review_status = ?", string(f.ReviewStatus))
	}
	if !f.ExpiresBefore.IsZero() {
		q = q.Where("expires_on < ?", sqlDate(f.ExpiresBefore))
	}
	if f.Expired != nil {
		if *f.Expired {
			q = q.Where(attestationExpiredSQL("expires_on"), sqlDate(f.AsOf))
		} else {
			q = q.Where("NOT "+attestationExpiredSQL("expires_on"), sqlDate(f.AsOf))
		}
	}
	if p.After != "" {
		if !domain.ValidID(p.After) {
			return domain.Page[attestation.Attestation]{}, domain.Invalid("cursor", "is not a cursor from this list")
		}
		q = q.Where("id > ?", p.After)
	}
	var rows []attestationRow
	if err := q.Order("id").Limit(p.Size() + 1).Find(&rows).Error; err != nil {
		return domain.Page[attestation.Attestation]{}, translate(err)
	}
	return pageOf(rows, p.Size(), func(r attestationRow) string { return r.ID }, attestationRow.toDomain), nil
}

// ListByVendor implements attestation.AttestationStore.
func (s *Attestations) ListByVendor(ctx context.Context, vendorID string) ([]attestation.Attestation, error) {
	var rows []attestationRow
	if err := s.db.conn(ctx).Where("vendor_id = ?", vendorID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]attestation.Attestation, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
