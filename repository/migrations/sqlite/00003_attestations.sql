-- +goose Up
-- Attestations: assurance evidence from vendors (SOC reports, AOCs,
-- certificates...) and our review of it. expires_on is always set:
-- explicit, or computed from the kind's catalogue validity. Dates are
-- YYYY-MM-DD text, so they compare as dates. The evidence file lives in the
-- content-addressed evidence store; these columns are its metadata (all
-- set, or all NULL). A vendor with attestations cannot be deleted.
CREATE TABLE attestations (
    id                   TEXT PRIMARY KEY,
    vendor_id            TEXT NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    kind                 TEXT NOT NULL CHECK (kind IN ('soc2_type2', 'soc2_type1', 'soc1_type2', 'pci_dss_aoc', 'iso27001',
                             'hitrust_r2', 'pentest', 'sig', 'caiq', 'insurance_certificate', 'bridge_letter')),
    issuer               TEXT NOT NULL DEFAULT '',
    scope                TEXT NOT NULL DEFAULT '',
    period_start         TEXT CHECK (period_start IS NULL OR period_start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    period_end           TEXT CHECK (period_end IS NULL OR period_end GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    issued_on            TEXT CHECK (issued_on IS NULL OR issued_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    expires_on           TEXT NOT NULL CHECK (expires_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    expires_on_source    TEXT NOT NULL CHECK (expires_on_source IN ('explicit', 'catalogue')),
    opinion              TEXT CHECK (opinion IN ('unqualified', 'qualified', 'adverse', 'disclaimer')),
    exceptions_count     INTEGER NOT NULL DEFAULT 0 CHECK (exceptions_count >= 0),
    review_status        TEXT NOT NULL CHECK (review_status IN ('received', 'under_review', 'accepted', 'rejected')),
    reviewer             TEXT NOT NULL DEFAULT '',
    reviewed_at          DATETIME,
    evidence_sha256      TEXT CHECK (length(evidence_sha256) = 64 AND evidence_sha256 NOT GLOB '*[^0-9a-f]*'),
    evidence_size        INTEGER CHECK (evidence_size >= 0),
    evidence_media_type  TEXT,
    evidence_name        TEXT,
    evidence_uploaded_by TEXT,
    evidence_uploaded_at DATETIME,
    version              INTEGER NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
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
