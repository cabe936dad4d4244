package attestation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// AttestationService is the use-case layer for attestations, their
// evidence files and the vendor's evidence status. Every write runs in one
// transaction with its audit event.
type AttestationService struct {
	Tx           domain.Transactor
	Attestations AttestationStore
	Vendors      register.VendorStore
	Handling     register.DataHandlingStore
	Evidence     domain.EvidenceStore
	Audit        domain.Auditor
	Clock        domain.Clock
	// Requirements is the policy of required attestations; nil means
	// DefaultAttestationRequirements().
	Requirements []AttestationRequirement
	// MaxEvidenceBytes limits an evidence file; 0 means
	// DefaultMaxEvidenceBytes.
	MaxEvidenceBytes int64
}

// EvidenceLimit is the effective upload limit in bytes.
func (s *AttestationService) EvidenceLimit() int64 {
	if s.MaxEvidenceBytes > 0 {
		return s.MaxEvidenceBytes
	}
	return domain.DefaultMaxEvidenceBytes
}

func (s *AttestationService) requirements() []AttestationRequirement {
	if s.Requirements == nil {
		return DefaultAttestationRequirements()
	}
	return s.Requirements
}

// Create validates in and stores a new attestation. Its vendor must exist.
func (s *AttestationService) Create(ctx context.Context, in AttestationInput) (Attestation, error) {
	now := s.Clock.Now()
	a := Attestation{ID: domain.NewID(), ReviewStatus: AttestationReceived, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := a.Apply(in); err != nil {
		return Attestation{}, err
	}
	s.recordReview(ctx, &a, "", in)
	err := s.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := s.checkVendor(ctx, a.VendorID); err != nil {
			return err
		}
		if err := s.Attestations.Create(ctx, a); err != nil {
			return fmt.Errorf("create attestation: %w", err)
		}
		return s.Audit.Record(ctx, "attestation.create", "attestation", a.ID, nil, a)
	})
	if err != nil {
		return Attestation{}, err
	}
	return a, nil
}

// Get returns one attestation.
func (s *AttestationService) Get(ctx context.Context, id string) (Attestation, error) {
	return domain.Lookup(ctx, "attestation", id, s.Attestations.Get)
}

// List returns a page of attestations. A filter on Expired is evaluated
// as of today (UTC) unless f.AsOf is set.
func (s *AttestationService) List(ctx context.Context, f AttestationFilter, p domain.PageRequest) (domain.Page[Attestation], error) {
	if f.AsOf.IsZero() {
		f.AsOf = domain.DateOf(s.Clock.Now())
	}
	return s.Attestations.List(ctx, f, p)
}

// Update applies a partial update. expectedVersion 0 skips the version
// check (no If-Match).
func (s *AttestationService) Update(ctx context.Context, id string, in AttestationInput, expectedVersion int64) (Attestation, error) {
	var out Attestation
	err := domain.Edit(ctx, s.Tx, "attestation", id, expectedVersion, s.Attestations.Get, func(ctx context.Context, before Attestation) error {
		a := before
		if err := a.Apply(in); err != nil {
			return err
		}
		s.recordReview(ctx, &a, before.ReviewStatus, in)
		a.UpdatedAt = s.Clock.Now()
		if err := s.Attestations.Update(ctx, a, before.Version); err != nil {
			return fmt.Errorf("update attestation: %w", err)
		}
		a.Version = before.Version + 1
		out = a
		return s.Audit.Record(ctx, "attestation.update", "attestation", a.ID, before, a)
	})
	return out, err
}

// Delete removes an attestation. Its evidence file stays in the store:
// files are shared by content and the audit trail refers to them.
func (s *AttestationService) Delete(ctx context.Context, id string, expectedVersion int64) error {
	return domain.Edit(ctx, s.Tx, "attestation", id, expectedVersion, s.Attestations.Get, func(ctx context.Context, before Attestation) error {
		if err := s.Attestations.Delete(ctx, id, before.Version); err != nil {
			return fmt.Errorf("delete attestation: %w", err)
		}
		return s.Audit.Record(ctx, "attestation.delete", "attestation", id, before, nil)
	})
}

// AttachEvidence stores an evidence file and records it on the
// attestation, replacing any earlier file (which stays in the store; the
// audit trail keeps both hashes). It reports whether a file was replaced.
// The type is sniffed from the content: an unaccepted type or one that
// disagrees with the declared type gives an *UploadError
// (ErrUnsupportedMediaType), a file over the limit one wrapping
// ErrEvidenceTooLarge; in both cases nothing is stored.
func (s *AttestationService) AttachEvidence(ctx context.Context, id string, up domain.EvidenceUpload, expectedVersion int64) (Attestation, bool, error) {
	// Fail fast, before reading the file, on an unknown id or stale version.
	if _, err := domain.ForUpdate(ctx, "attestation", id, expectedVersion, s.Attestations.Get); err != nil {
		return Attestation{}, false, err
	}
	blob, err := domain.StoreEvidence(ctx, s.Evidence, up, s.EvidenceLimit())
	if err != nil {
		return Attestation{}, false, err
	}
	var out Attestation
	var replaced bool
	err = domain.Edit(ctx, s.Tx, "attestation", id, expectedVersion, s.Attestations.Get, func(ctx context.Context, before Attestation) error {
		a := before
		now := s.Clock.Now()
		a.EvidenceSHA256, a.EvidenceSize, a.EvidenceMediaType = blob.SHA256, blob.Size, blob.MediaType
		a.EvidenceName, a.EvidenceUploadedBy, a.EvidenceUploadedAt = domain.SanitizeEvidenceName(up.Name), domain.ActorFrom(ctx).ID, &now
		a.UpdatedAt = now
		if err := s.Attestations.Update(ctx, a, before.Version); err != nil {
			return fmt.Errorf("record evidence: %w", err)
		}
		a.Version = before.Version + 1
		out, replaced = a, before.HasEvidence()
		return s.Audit.Record(ctx, "attestation.evidence_upload", "attestation", a.ID, before, a)
	})
	return out, replaced, err
}

// OpenEvidence returns the attestation and a reader of its evidence file.
// Returns ErrNotFound when the attestation has no file, and
// ErrEvidenceCorrupt when the stored file no longer matches its hash.
func (s *AttestationService) OpenEvidence(ctx context.Context, id string) (Attestation, io.ReadCloser, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return Attestation{}, nil, err
	}
	if !a.HasEvidence() {
		return Attestation{}, nil, fmt.Errorf("attestation %s has no evidence file: %w", id, domain.ErrNotFound)
	}
	rc, err := s.Evidence.Open(ctx, a.EvidenceSHA256)
	if err != nil {
		return Attestation{}, nil, fmt.Errorf("evidence of attestation %s: %w", id, err)
	}
	return a, rc, nil
}

// EvidenceStatus evaluates the vendor's attestations against the
// requirements that apply to it, as of today (UTC).
func (s *AttestationService) EvidenceStatus(ctx context.Context, vendorID string) (EvidenceStatus, error) {
	if err := domain.CheckID("id", vendorID); err != nil {
		return EvidenceStatus{}, fmt.Errorf("vendor %q: %w", vendorID, domain.ErrNotFound)
	}
	v, err := s.Vendors.Get(ctx, vendorID)
	if err != nil {
		return EvidenceStatus{}, err
	}
	hs, err := s.Handling.ListByVendor(ctx, vendorID)
	if err != nil {
		return EvidenceStatus{}, err
	}
	atts, err := s.Attestations.ListByVendor(ctx, vendorID)
	if err != nil {
		return EvidenceStatus{}, err
	}
	st := EvaluateEvidence(s.requirements(), register.FactsFor(v, hs), atts, domain.DateOf(s.Clock.Now()))
	st.VendorID = vendorID
	return st, nil
}

// checkVendor turns an unknown vendor into a field error.
func (s *AttestationService) checkVendor(ctx context.Context, id string) error {
	_, err := s.Vendors.Get(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid("vendor_id", "no vendor with id %s", id)
	}
	return err
}

// recordReview stamps a review decision: moving to accepted or rejected
// sets reviewed_at to now and the reviewer to the acting key's name unless
// the input names one; moving back to received or under_review clears
// reviewed_at (the reviewer, if any, stays as the one assigned).
func (s *AttestationService) recordReview(ctx context.Context, a *Attestation, before AttestationReviewStatus, in AttestationInput) {
	switch {
	case a.ReviewStatus.decided() && a.ReviewStatus != before:
		if in.Reviewer == nil || strings.TrimSpace(*in.Reviewer) == "" {
			a.Reviewer = domain.ActorFrom(ctx).Name
		}
		now := s.Clock.Now()
		a.ReviewedAt = &now
	case !a.ReviewStatus.decided():
		a.ReviewedAt = nil
	}
}
