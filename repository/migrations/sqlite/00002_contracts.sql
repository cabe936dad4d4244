-- +goose Up
CREATE TABLE contracts (
    id                         TEXT PRIMARY KEY,
    vendor_id                  TEXT NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    title                      TEXT NOT NULL,
    reference                  TEXT NOT NULL DEFAULT '',
    status                     TEXT NOT NULL CHECK (status IN ('draft', 'active', 'expired', 'terminated')),
    effective_on               TEXT NOT NULL,
    expires_on                 TEXT,
    auto_renew                 BOOLEAN NOT NULL DEFAULT false,
    renewal_notice_days        integer NOT NULL DEFAULT 0 CHECK (renewal_notice_days BETWEEN 0 AND 3650),
    governing_law              TEXT NOT NULL DEFAULT '',
    annual_value_minor         INTEGER CHECK (annual_value_minor >= 0),
    annual_value_currency      TEXT,
    notes                      TEXT NOT NULL DEFAULT '',
    right_to_audit             BOOLEAN NOT NULL DEFAULT false,
    subprocessor_approval      BOOLEAN NOT NULL DEFAULT false,
    data_return_or_destruction BOOLEAN NOT NULL DEFAULT false,
    security_standard          TEXT NOT NULL DEFAULT '',
    dpa                        BOOLEAN NOT NULL DEFAULT false,
    baa                        BOOLEAN NOT NULL DEFAULT false,
    cyber_insurance_min_minor  INTEGER CHECK (cyber_insurance_min_minor >= 0),
    cyber_insurance_currency   TEXT,
    version                    INTEGER NOT NULL,
    created_at                 DATETIME NOT NULL,
    updated_at                 DATETIME NOT NULL,
    CHECK (expires_on IS NULL OR expires_on >= effective_on),
    CHECK ((annual_value_minor IS NULL) = (annual_value_currency IS NULL)),
    CHECK ((cyber_insurance_min_minor IS NULL) = (cyber_insurance_currency IS NULL))
);
CREATE INDEX contracts_vendor_idx ON contracts (vendor_id);
CREATE INDEX contracts_status_idx ON contracts (status, id);
CREATE INDEX contracts_expires_idx ON contracts (expires_on) WHERE expires_on IS NOT NULL;

-- Breach-notification clause versions: [effective_from, effective_to).
-- At most one open version per contract; amendments close it and open the
-- next in one transaction.
CREATE TABLE clause_versions (
    id                 TEXT PRIMARY KEY,
    contract_id        TEXT NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    effective_from     DATETIME NOT NULL,
    effective_to       DATETIME,
    window_value       integer CHECK (window_value > 0),
    window_unit        TEXT CHECK (window_unit IN ('hours', 'calendar_days', 'business_days')),
    standard           TEXT CHECK (standard IN ('without_undue_delay', 'immediately', 'most_expedient')),
    trigger            TEXT NOT NULL CHECK (trigger IN ('discovery', 'confirmation', 'reasonable_belief', 'awareness')),
    notify             TEXT NOT NULL DEFAULT '[]',
    required_content   TEXT NOT NULL DEFAULT '',
    update_every_hours integer NOT NULL DEFAULT 0,
    reason             TEXT NOT NULL DEFAULT '',
    created_by         TEXT NOT NULL,
    created_at         DATETIME NOT NULL,
    CHECK (effective_to IS NULL OR effective_to > effective_from),
    CHECK ((window_value IS NULL) = (window_unit IS NULL)),
    CHECK ((window_value IS NULL) <> (standard IS NULL))
);
CREATE UNIQUE INDEX clause_versions_open_uq ON clause_versions (contract_id) WHERE effective_to IS NULL;
CREATE INDEX clause_versions_contract_idx ON clause_versions (contract_id, effective_from);

-- +goose Down
DROP TABLE clause_versions;
DROP TABLE contracts;
