package incident

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
)

// EvidenceLimit is the effective upload limit in bytes.
func (s *IncidentService) EvidenceLimit() int64 {
	if s.MaxEvidenceBytes > 0 {
		return s.MaxEvidenceBytes
	}
	return domain.DefaultMaxEvidenceBytes
}

// AttachNotice keeps the proof of the vendor's notice (the e-mail, letter
// or portal page, as a file) with its hash and the instant it was
// received. When the incident had no notice time yet, receivedAt (default
// now) becomes it, and the clock and obligations follow.
func (s *IncidentService) AttachNotice(ctx context.Context, id string, up domain.EvidenceUpload, receivedAt *time.Time, expectedVersion int64) (IncidentView, error) {
	now := s.Clock.Now()
	at := now
	if receivedAt != nil {
		at = receivedAt.UTC().Truncate(time.Microsecond)
	}
	if at.After(now.Add(FutureTolerance)) {
		return IncidentView{}, domain.Invalid("received_at", "must not be in the future")
	}
	if _, err := s.Get(ctx, id); err != nil { // fail before reading the file
		return IncidentView{}, err
	}
	blob, err := domain.StoreEvidence(ctx, s.Evidence, up, s.EvidenceLimit())
	if err != nil {
		return IncidentView{}, err
	}
	err = domain.Edit(ctx, s.Tx, "incident", id, expectedVersion, s.Incidents.Get, func(ctx context.Context, before Incident) error {
		inc := before
		inc.NoticeEvidence = &EvidenceRef{SHA256: blob.SHA256, Size: blob.Size, MediaType: blob.MediaType,
			Name: domain.SanitizeEvidenceName(up.Name), ReceivedAt: at, UploadedBy: domain.ActorFrom(ctx).ID}
		if inc.VendorNotifiedUsAt == nil {
			inc.VendorNotifiedUsAt = &at
		}
		if err := inc.Apply(IncidentInput{}, now); err != nil {
			return domain.MergeInvalid(err)
		}
		inc.UpdatedAt = now
		if err := s.Incidents.Update(ctx, inc, before.Version); err != nil {
			return fmt.Errorf("record notice evidence: %w", err)
		}
		inc.Version = before.Version + 1
		if err := s.Audit.Record(ctx, "incident.notice_evidence", "incident", id, before, inc); err != nil {
			return err
		}
		if _, err := s.Incidents.AppendTimeline(ctx, TimelineEntry{IncidentID: id, At: at, Actor: domain.ActorFrom(ctx).Name,
			Action: "vendor notice evidence stored", Text: fmt.Sprintf("%s (%s, %s, sha256 %s)",
				inc.NoticeEvidence.Name, blob.MediaType, domain.Count(blob.Size, "byte", "bytes"), blob.SHA256),
			RecordedBy: domain.ActorFrom(ctx).ID, RecordedAt: now}); err != nil {
			return err
		}
		return s.regenerate(ctx, inc)
	})
	if err != nil {
		return IncidentView{}, err
	}
	return s.Get(ctx, id)
}

// OpenNotice returns the incident and a reader of its notice evidence.
// Returns ErrNotFound when there is none.
func (s *IncidentService) OpenNotice(ctx context.Context, id string) (Incident, io.ReadCloser, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return Incident{}, nil, err
	}
	if v.NoticeEvidence == nil {
		return Incident{}, nil, fmt.Errorf("incident %s has no notice evidence: %w", id, domain.ErrNotFound)
	}
	rc, err := s.Evidence.Open(ctx, v.NoticeEvidence.SHA256)
	if err != nil {
		return Incident{}, nil, fmt.Errorf("notice evidence of incident %s: %w", id, err)
	}
	return v.Incident, rc, nil
}
