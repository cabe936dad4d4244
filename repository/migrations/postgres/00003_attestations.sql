-- +goose Up
-- Attestations: assurance evidence from vendors (SOC reports, AOCs,
-- certificates...) and our review of it. expires_on is always set:
-- explicit, or computed from the kind's catalogue validity. The evidence
-- file lives in the content-addressed evidence store; these columns are
-- its metadata (all set, or all NULL). A vendor with attestations cannot
-- be deleted.
CREATE TABLE attestations (
    id                   uuid PRIMARY KEY,
    vendor_id            uuid NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    kind                 text NOT NULL CHECK (kind IN ('soc2_type2', 'soc2_type1', 'soc1_type2', 'pci_dss_aoc', 'iso27001',
                             'hitrust_r2', 'pentest', 'sig', 'caiq', 'insurance_certificate', 'bridge_letter')),
    issuer               text NOT NULL DEFAULT '',
    scope                text NOT NULL DEFAULT '',
    period_start         date,
    period_end           date,
    issued_on            date,
    expires_on           date NOT NULL,
    expires_on_source    text NOT NULL CHECK (expires_on_source IN ('explicit', 'catalogue')),
    opinion              text CHECK (opinion IN ('unqualified', 'qualified', 'adverse', 'disclaimer')),
    exceptions_count     bigint NOT NULL DEFAULT 0 CHECK (exceptions_count >= 0),
    review_status        text NOT NULL CHECK (review_status IN ('received', 'under_review', 'accepted', 'rejected')),
    reviewer             text NOT NULL DEFAULT '',
    reviewed_at          timestamptz,
    evidence_sha256      text CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
    evidence_size        bigint CHECK (evidence_size >= 0),
    evidence_media_type  text,
    evidence_name        text,
    evidence_uploaded_by text,
    evidence_uploaded_at timestamptz,
    version              bigint NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CONSTRAINT attestations_period_ck CHECK (period_start IS NULL OR period_end >= period_start),
    CONSTRAINT attestations_expiry_ck CHECK (issued_on IS NULL OR expires_on >= issued_on),
    CONSTRAINT attestations_evidence_ck CHECK ((evidence_sha256 IS NULL) = (evidence_size IS NULL)
        AND (evidence_sha256 IS NULL) = (evidence_media_type IS NULL)
        AND (evidence_sha256 IS NULL) = (evidence_uploaded_at IS NULL))
);
-- The list filters (keyset by id within each), the foreign key check when
-- a vendor is deleted, and the scanner's expiry range scans.
CREATE INDEX attestations_vendor_idx ON attestations (vendor_id, id);
CREATE INDEX attestations_kind_idx ON attestations (kind, id);
CREATE INDEX attestations_review_status_idx ON attestations (review_status, id);
CREATE INDEX attestations_expires_on_idx ON attestations (expires_on);

-- +goose Down
DROP TABLE attestations;
