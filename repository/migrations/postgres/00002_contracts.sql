-- +goose Up
CREATE TABLE contracts (
    id                         uuid PRIMARY KEY,
    vendor_id                  uuid NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    title                      text NOT NULL,
    reference                  text NOT NULL DEFAULT '',
    status                     text NOT NULL CHECK (status IN ('draft', 'active', 'expired', 'terminated')),
    effective_on               date NOT NULL,
    expires_on                 date,
    auto_renew                 boolean NOT NULL DEFAULT false,
    renewal_notice_days        integer NOT NULL DEFAULT 0 CHECK (renewal_notice_days BETWEEN 0 AND 3650),
    governing_law              text NOT NULL DEFAULT '',
    annual_value_minor         bigint CHECK (annual_value_minor >= 0),
    annual_value_currency      text,
    notes                      text NOT NULL DEFAULT '',
    right_to_audit             boolean NOT NULL DEFAULT false,
    subprocessor_approval      boolean NOT NULL DEFAULT false,
    data_return_or_destruction boolean NOT NULL DEFAULT false,
    security_standard          text NOT NULL DEFAULT '',
    dpa                        boolean NOT NULL DEFAULT false,
    baa                        boolean NOT NULL DEFAULT false,
    cyber_insurance_min_minor  bigint CHECK (cyber_insurance_min_minor >= 0),
    cyber_insurance_currency   text,
    version                    bigint NOT NULL,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
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
    id                 uuid PRIMARY KEY,
    contract_id        uuid NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    effective_from     timestamptz NOT NULL,
    effective_to       timestamptz,
    window_value       integer CHECK (window_value > 0),
    window_unit        text CHECK (window_unit IN ('hours', 'calendar_days', 'business_days')),
    standard           text CHECK (standard IN ('without_undue_delay', 'immediately', 'most_expedient')),
    trigger            text NOT NULL CHECK (trigger IN ('discovery', 'confirmation', 'reasonable_belief', 'awareness')),
    notify             jsonb NOT NULL DEFAULT '[]',
    required_content   text NOT NULL DEFAULT '',
    update_every_hours integer NOT NULL DEFAULT 0,
    reason             text NOT NULL DEFAULT '',
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL,
    CHECK (effective_to IS NULL OR effective_to > effective_from),
    CHECK ((window_value IS NULL) = (window_unit IS NULL)),
    CHECK ((window_value IS NULL) <> (standard IS NULL))
);
CREATE UNIQUE INDEX clause_versions_open_uq ON clause_versions (contract_id) WHERE effective_to IS NULL;
CREATE INDEX clause_versions_contract_idx ON clause_versions (contract_id, effective_from);

-- +goose Down
DROP TABLE clause_versions;
DROP TABLE contracts;
