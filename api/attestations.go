package api

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// attestationJSON is an attestation as the API shows it. Optional fields
// are null when empty; the evidence_* fields are null until a file is
// uploaded.
type attestationJSON struct {
	ID                 string                              `json:"id"`
	VendorID           string                              `json:"vendor_id"`
	Kind               attestation.AttestationKind         `json:"kind"`
	Issuer             *string                             `json:"issuer"`
	Scope              *string                             `json:"scope"`
	PeriodStart        *domain.Date                        `json:"period_start"`
	PeriodEnd          *domain.Date                        `json:"period_end"`
	IssuedOn           *domain.Date                        `json:"issued_on"`
	ExpiresOn          domain.Date                         `json:"expires_on"`
	ExpiresOnSource    attestation.ExpirySource            `json:"expires_on_source"`
	Opinion            *attestation.AttestationOpinion     `json:"opinion"`
	ExceptionsCount    int64                               `json:"exceptions_count"`
	ReviewStatus       attestation.AttestationReviewStatus `json:"review_status"`
	Reviewer           *string                             `json:"reviewer"`
	ReviewedAt         *time.Time                          `json:"reviewed_at"`
	EvidenceSHA256     *string                             `json:"evidence_sha256"`
	EvidenceSize       *int64                              `json:"evidence_size"`
	EvidenceMediaType  *string                             `json:"evidence_media_type"`
	EvidenceName       *string                             `json:"evidence_name"`
	EvidenceUploadedBy *string                             `json:"evidence_uploaded_by"`
	EvidenceUploadedAt *time.Time                          `json:"evidence_uploaded_at"`
	Version            int64                               `json:"version"`
	CreatedAt          time.Time                           `json:"created_at"`
	UpdatedAt          time.Time                           `json:"updated_at"`
}

// attestationDate is null for the zero date.
func attestationDate(d domain.Date) *domain.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func toAttestationJSON(a attestation.Attestation) attestationJSON {
	out := attestationJSON{
		ID: a.ID, VendorID: a.VendorID, Kind: a.Kind, Issuer: null(a.Issuer), Scope: null(a.Scope),
		PeriodStart: attestationDate(a.PeriodStart), PeriodEnd: attestationDate(a.PeriodEnd),
		IssuedOn: attestationDate(a.IssuedOn), ExpiresOn: a.ExpiresOn, ExpiresOnSource: a.ExpiresOnSource,
		ExceptionsCount: a.ExceptionsCount, ReviewStatus: a.ReviewStatus, Reviewer: null(a.Reviewer),
		ReviewedAt: a.ReviewedAt, Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	if a.Opinion != "" {
		out.Opinion = &a.Opinion
	}
	if a.HasEvidence() {
		out.EvidenceSHA256, out.EvidenceSize, out.EvidenceMediaType = &a.EvidenceSHA256, &a.EvidenceSize, &a.EvidenceMediaType
		out.EvidenceName, out.EvidenceUploadedBy, out.EvidenceUploadedAt = &a.EvidenceName, &a.EvidenceUploadedBy, a.EvidenceUploadedAt
	}
	return out
}

// attestationCreate is the body of POST /attestations. Dates are read as
// text so that a malformed one names its field.
type attestationCreate struct {
	VendorID        *string                              `json:"vendor_id"`
	Kind            *attestation.AttestationKind         `json:"kind"`
	Issuer          *string                              `json:"issuer"`
	Scope           *string                              `json:"scope"`
	PeriodStart     *string                              `json:"period_start"`
	PeriodEnd       *string                              `json:"period_end"`
	IssuedOn        *string                              `json:"issued_on"`
	ExpiresOn       *string                              `json:"expires_on"`
	Opinion         *attestation.AttestationOpinion      `json:"opinion"`
	ExceptionsCount *int64                               `json:"exceptions_count"`
	ReviewStatus    *attestation.AttestationReviewStatus `json:"review_status"`
	Reviewer        *string                              `json:"reviewer"`
}

// attestationDates parses the date fields; nil stays nil (absent or null).
func attestationDates(in *attestation.AttestationInput, fields map[string]*string) error {
	for _, f := range []struct {
		name string
		dst  **domain.Date
	}{{"period_start", &in.PeriodStart}, {"period_end", &in.PeriodEnd}, {"issued_on", &in.IssuedOn}, {"expires_on", &in.ExpiresOn}} {
		s := fields[f.name]
		if s == nil {
			continue
		}
		d, err := domain.ParseDate(*s)
		if err != nil {
			return &badRequest{Field: f.name, Message: "must be a date in the form YYYY-MM-DD"}
		}
		*f.dst = &d
	}
	return nil
}

func (in attestationCreate) toDomain() (attestation.AttestationInput, error) {
	out := attestation.AttestationInput{
		VendorID: in.VendorID, Kind: in.Kind, Issuer: in.Issuer, Scope: in.Scope, Opinion: in.Opinion,
		ExceptionsCount: in.ExceptionsCount, ReviewStatus: in.ReviewStatus, Reviewer: in.Reviewer,
	}
	err := attestationDates(&out, map[string]*string{"period_start": in.PeriodStart, "period_end": in.PeriodEnd,
		"issued_on": in.IssuedOn, "expires_on": in.ExpiresOn})
	return out, err
}

// attestationPatch is the body of PATCH /attestations/{id}: a JSON merge
// patch. null clears an optional field; "expires_on": null returns to the
// catalogue default.
type attestationPatch struct {
	VendorID        Optional[string]                              `json:"vendor_id"`
	Kind            Optional[attestation.AttestationKind]         `json:"kind"`
	Issuer          Optional[string]                              `json:"issuer"`
	Scope           Optional[string]                              `json:"scope"`
	PeriodStart     Optional[string]                              `json:"period_start"`
	PeriodEnd       Optional[string]                              `json:"period_end"`
	IssuedOn        Optional[string]                              `json:"issued_on"`
	ExpiresOn       Optional[string]                              `json:"expires_on"`
	Opinion         Optional[attestation.AttestationOpinion]      `json:"opinion"`
	ExceptionsCount Optional[int64]                               `json:"exceptions_count"`
	ReviewStatus    Optional[attestation.AttestationReviewStatus] `json:"review_status"`
	Reviewer        Optional[string]                              `json:"reviewer"`
}

func (p attestationPatch) toDomain() (attestation.AttestationInput, error) {
	var fe domain.FieldErrors
	refuseNulls(&fe, nullable{"vendor_id", p.VendorID.Null}, nullable{"kind", p.Kind.Null},
		nullable{"exceptions_count", p.ExceptionsCount.Null}, nullable{"review_status", p.ReviewStatus.Null})
	in := attestation.AttestationInput{
		VendorID: patchField(p.VendorID), Kind: patchField(p.Kind), Issuer: patchField(p.Issuer),
		Scope: patchField(p.Scope), Opinion: patchField(p.Opinion), ExceptionsCount: patchField(p.ExceptionsCount),
		ReviewStatus: patchField(p.ReviewStatus), Reviewer: patchField(p.Reviewer),
	}
	dates := map[string]*string{}
	for name, o := range map[string]Optional[string]{"period_start": p.PeriodStart, "period_end": p.PeriodEnd,
		"issued_on": p.IssuedOn, "expires_on": p.ExpiresOn} {
		if o.Set && !o.Null {
			dates[name] = &o.Value
		}
	}
	if err := attestationDates(&in, dates); err != nil {
		return in, err
	}
	// null clears a date (for expires_on: back to the catalogue default).
	for _, f := range []struct {
		o   Optional[string]
		dst **domain.Date
	}{{p.PeriodStart, &in.PeriodStart}, {p.PeriodEnd, &in.PeriodEnd}, {p.IssuedOn, &in.IssuedOn}, {p.ExpiresOn, &in.ExpiresOn}} {
		if f.o.Null {
			*f.dst = &domain.Date{}
		}
	}
	return in, fe.Err()
}

func (h *handlers) listAttestationKinds(c *gin.Context) error {
	writeJSON(c, http.StatusOK, listResponse[attestation.AttestationKindInfo]{Items: attestation.AttestationKinds()})
	return nil
}

func (h *handlers) listAttestations(c *gin.Context) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	var f attestation.AttestationFilter
	if f.VendorID, err = vendorIDQuery(c); err != nil {
		return err
	}
	if f.Kind, err = enumQuery(c, "kind", attestation.AttestationKind.Valid, "the codes of GET /api/v1/attestation-kinds"); err != nil {
		return err
	}
	if f.ReviewStatus, err = enumQuery(c, "review_status", attestation.AttestationReviewStatus.Valid, "received, under_review, accepted, rejected"); err != nil {
		return err
	}
	if s := c.Query("expiring_before"); s != "" {
		if f.ExpiresBefore, err = domain.ParseDate(s); err != nil {
			return &badRequest{Field: "expiring_before", Message: "must be a date in the form YYYY-MM-DD"}
		}
	}
	switch s := c.Query("expired"); s {
	case "":
	case "true", "false":
		expired := s == "true"
		f.Expired = &expired
	default:
		return &badRequest{Field: "expired", Message: "must be true or false"}
	}
	return listFiltered(c, f, p, h.attestations.List, toAttestationJSON, h.exportAttestations)
}

func (h *handlers) createAttestation(c *gin.Context) error {
	return createVersioned[attestationCreate](c, h.maxBody, h.attestations.Create, toAttestationJSON)
}

func (h *handlers) getAttestation(c *gin.Context) error {
	return getVersioned(c, h.attestations.Get, toAttestationJSON)
}

func (h *handlers) patchAttestation(c *gin.Context) error {
	return patchVersioned[attestationPatch](c, h.maxBody, h.attestations.Update, toAttestationJSON)
}

func (h *handlers) deleteAttestation(c *gin.Context) error {
	return deleteVersioned(c, h.attestations.Delete)
}

// evidenceFormOverhead is what a multipart body may carry beyond the file
// itself (boundaries and part headers).
const evidenceFormOverhead = 64 << 10

// uploadEvidence reads a multipart/form-data body whose one part, file,
// is streamed to the evidence store; nothing is buffered in memory or
// spooled to temporary files by the HTTP layer.
func (h *handlers) uploadEvidence(c *gin.Context) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	part, err := evidencePart(c, h.attestations.EvidenceLimit())
	if err != nil {
		return err
	}
	a, replaced, err := h.attestations.AttachEvidence(c.Request.Context(), c.Param("id"), domain.EvidenceUpload{
		Name: part.FileName(), DeclaredType: part.Header.Get("Content-Type"), Content: part}, version)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !replaced {
		status = http.StatusCreated
		c.Header("Location", "/api/v1/attestations/"+a.ID+"/evidence")
	}
	writeVersioned(c, status, a.Version, toAttestationJSON(a))
	return nil
}

// evidencePart opens a multipart/form-data body whose one part, file,
// holds the evidence, and returns that part: reading it streams the body,
// so nothing is buffered in memory or spooled to temporary files.
func evidencePart(c *gin.Context, limit int64) (*multipart.Part, error) {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "multipart/form-data" {
		return nil, &domain.UploadError{Kind: domain.ErrUnsupportedMediaType, Field: "body",
			Message: "must be multipart/form-data with the evidence in a part named file"}
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+evidenceFormOverhead)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, &badRequest{Field: "body", Message: "malformed multipart/form-data: " + err.Error()}
	}
	part, err := mr.NextPart()
	var tooLarge *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return nil, &badRequest{Field: "file", Message: "is required: send the evidence as the form field file"}
	case errors.As(err, &tooLarge):
		return nil, err
	case err != nil:
		return nil, &badRequest{Field: "body", Message: "malformed multipart/form-data"}
	}
	if part.FormName() != "file" {
		_ = part.Close()
		return nil, &badRequest{Field: evidenceFormField(part.FormName()), Message: "is not a known field; the form has one field, file"}
	}
	return part, nil
}

func evidenceFormField(field string) string {
	if field == "" {
		return "body"
	}
	return field
}

// downloadEvidence streams the evidence file with its sniffed media type,
// its original name and its SHA-256. The store has verified the hash
// before the first byte is sent.
func (h *handlers) downloadEvidence(c *gin.Context) error {
	a, rc, err := h.attestations.OpenEvidence(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	streamEvidence(c, rc, a.EvidenceSize, a.EvidenceMediaType, a.EvidenceName, a.EvidenceSHA256)
	return nil
}

// streamEvidence sends an evidence file as an attachment with its name,
// media type and SHA-256 (hex in X-Content-SHA256, and as a Digest), which
// the store has verified.
func streamEvidence(c *gin.Context, rc io.Reader, size int64, mediaType, name, sha256 string) {
	sum, _ := hex.DecodeString(sha256) // validated by the store's Open
	c.DataFromReader(http.StatusOK, size, mediaType, rc, map[string]string{
		"Content-Disposition": evidenceDisposition(name),
		"X-Content-SHA256":    sha256,
		"Digest":              "sha-256=" + base64.StdEncoding.EncodeToString(sum),
	})
}

// evidenceDisposition is an attachment disposition naming the file
// (RFC 6266): always a quoted ASCII filename, plus filename* with the
// UTF-8 name percent-encoded (RFC 8187) when the name is not ASCII.
func evidenceDisposition(name string) string {
	var ascii, ext strings.Builder
	nonASCII := false
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f:
			continue // the sanitiser has removed these already
		case r > 0x7e:
			ascii.WriteByte('_')
			nonASCII = true
		case r == '"' || r == '\\':
			ascii.WriteByte('\\')
			ascii.WriteRune(r)
		default:
			ascii.WriteRune(r)
		}
	}
	out := `attachment; filename="` + ascii.String() + `"`
	if !nonASCII {
		return out
	}
	for _, b := range []byte(name) {
		if ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') || ('0' <= b && b <= '9') || strings.IndexByte("!#$&+-.^_`|~", b) >= 0 {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return out + "; filename*=UTF-8''" + ext.String()
}

// evidenceMatchJSON is an attestation as it counts for a requirement.
type evidenceMatchJSON struct {
	ID           string                              `json:"id"`
	Kind         attestation.AttestationKind         `json:"kind"`
	IssuedOn     *domain.Date                        `json:"issued_on"`
	ExpiresOn    domain.Date                         `json:"expires_on"`
	ValidUntil   domain.Date                         `json:"valid_until"`
	DaysLeft     int                                 `json:"days_left"`
	ReviewStatus attestation.AttestationReviewStatus `json:"review_status"`
}

func toEvidenceMatchJSON(m attestation.EvidenceMatch) evidenceMatchJSON {
	return evidenceMatchJSON{ID: m.Attestation.ID, Kind: m.Attestation.Kind, IssuedOn: attestationDate(m.Attestation.IssuedOn),
		ExpiresOn: m.Attestation.ExpiresOn, ValidUntil: m.ValidUntil, DaysLeft: m.DaysLeft,
		ReviewStatus: m.Attestation.ReviewStatus}
}

type requirementStatusJSON struct {
	ID           string                        `json:"id"`
	Title        string                        `json:"title"`
	When         register.Condition            `json:"when"`
	AnyOf        []attestation.AttestationKind `json:"any_of"`
	MaxAgeMonths *int                          `json:"max_age_months"`
	Source       domain.Source                 `json:"source"`
	Status       string                        `json:"status"`
	Attestation  *evidenceMatchJSON            `json:"attestation"`
}

type expiringBucketJSON struct {
	WithinDays int                 `json:"within_days"`
	Items      []evidenceMatchJSON `json:"items"`
}

type evidenceStatusJSON struct {
	VendorID       string                  `json:"vendor_id"`
	AsOf           domain.Date             `json:"as_of"`
	Tier           register.Tier           `json:"tier"`
	Categories     []string                `json:"categories"`
	Requirements   []requirementStatusJSON `json:"requirements"`
	ExpiringWithin []expiringBucketJSON    `json:"expiring_within"`
}

func toEvidenceStatusJSON(st attestation.EvidenceStatus) evidenceStatusJSON {
	out := evidenceStatusJSON{VendorID: st.VendorID, AsOf: st.AsOf, Tier: st.Facts.Tier,
		Categories: nonNil(st.Facts.Categories), Requirements: []requirementStatusJSON{}, ExpiringWithin: []expiringBucketJSON{}}
	for _, r := range st.Requirements {
		rj := requirementStatusJSON{ID: r.Requirement.ID, Title: r.Requirement.Title, When: r.Requirement.When,
			AnyOf: nonNil(r.Requirement.AnyOf), Source: r.Requirement.Source, Status: r.Status}
		if r.Requirement.MaxAgeMonths > 0 {
			rj.MaxAgeMonths = &r.Requirement.MaxAgeMonths
		}
		if r.Match != nil {
			m := toEvidenceMatchJSON(*r.Match)
			rj.Attestation = &m
		}
		out.Requirements = append(out.Requirements, rj)
	}
	for _, b := range st.ExpiringWithin {
		bj := expiringBucketJSON{WithinDays: b.Days, Items: make([]evidenceMatchJSON, len(b.Items))}
		for i, m := range b.Items {
			bj.Items[i] = toEvidenceMatchJSON(m)
		}
		out.ExpiringWithin = append(out.ExpiringWithin, bj)
	}
	return out
}

func (h *handlers) vendorEvidenceStatus(c *gin.Context) error {
	return getByID(c, h.attestations.EvidenceStatus, toEvidenceStatusJSON)
}
