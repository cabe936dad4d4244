-- +goose Up
-- +goose NO TRANSACTION
-- Fourth parties: a vendor's own providers (sub-processors) are vendor
-- records like any other, one per provider however many vendors use it,
-- matched on their legal identifiers. A provider known to us only through
-- a vendor has the status fourth_party.
--
-- SQLite cannot alter a CHECK constraint, so vendors is rebuilt as SQLite
-- documents (https://www.sqlite.org/lang_altertable.html#otheralter):
-- foreign keys off on this one connection, the new table filled and
-- renamed in one transaction, the keys checked, foreign keys back on. The
-- other tables' references name "vendors" and follow the renamed table.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE vendors_rebuilt (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    name_key             TEXT NOT NULL,
    legal_name           TEXT NOT NULL DEFAULT '',
    website              TEXT NOT NULL DEFAULT '',
    service              TEXT NOT NULL DEFAULT '',
    owner_email          TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('prospect', 'onboarding', 'active', 'offboarding', 'terminated', 'fourth_party')),
    criticality          TEXT NOT NULL CHECK (criticality IN ('critical', 'high', 'moderate', 'low')),
    country              TEXT NOT NULL DEFAULT '',
    parent_vendor_id     TEXT REFERENCES vendors (id) ON DELETE RESTRICT,
    external_ref         TEXT,
    risk_score           integer NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    risk_tier            TEXT NOT NULL CHECK (risk_tier IN ('critical', 'high', 'moderate', 'low')),
    tier                 TEXT NOT NULL CHECK (tier IN ('critical', 'high', 'moderate', 'low')),
    tier_override        TEXT CHECK (tier_override IN ('critical', 'high', 'moderate', 'low')),
    tier_override_reason TEXT NOT NULL DEFAULT '',
    max_sensitivity      integer NOT NULL DEFAULT 0,
    max_records          INTEGER NOT NULL DEFAULT 0,
    version              INTEGER NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    last_review_on       TEXT,
    residual_score       integer CHECK (residual_score BETWEEN 0 AND 100),
    residual_tier        TEXT CHECK (residual_tier IN ('critical', 'high', 'moderate', 'low')),
    residual_computed_at DATETIME,
    residual_config      TEXT,
    lei                  TEXT,
    registration_number  TEXT NOT NULL DEFAULT '',
    domain               TEXT NOT NULL DEFAULT ''
);
INSERT INTO vendors_rebuilt (id, name, name_key, legal_name, website, service, owner_email, status, criticality, country, parent_vendor_id, external_ref, risk_score, risk_tier, tier, tier_override, tier_override_reason, max_sensitivity, max_records, version, created_at, updated_at, last_review_on, residual_score, residual_tier, residual_computed_at, residual_config) SELECT id, name, name_key, legal_name, website, service, owner_email, status, criticality, country, parent_vendor_id, external_ref, risk_score, risk_tier, tier, tier_override, tier_override_reason, max_sensitivity, max_records, version, created_at, updated_at, last_review_on, residual_score, residual_tier, residual_computed_at, residual_config FROM vendors;
DROP TABLE vendors;
ALTER TABLE vendors_rebuilt RENAME TO vendors;
CREATE UNIQUE INDEX vendors_name_key_uq ON vendors (name_key);
CREATE UNIQUE INDEX vendors_external_ref_uq ON vendors (external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX vendors_status_name_idx ON vendors (status, name_key);
CREATE INDEX vendors_criticality_name_idx ON vendors (criticality, name_key);
CREATE INDEX vendors_tier_name_idx ON vendors (tier, name_key);
CREATE INDEX vendors_parent_idx ON vendors (parent_vendor_id) WHERE parent_vendor_id IS NOT NULL;
CREATE INDEX vendors_tier_last_review_idx ON vendors (tier, last_review_on);
CREATE INDEX vendors_residual_tier_name_idx ON vendors (residual_tier, name_key);
CREATE INDEX vendors_residual_order_idx ON vendors (COALESCE(-residual_score, 1), name_key);
CREATE UNIQUE INDEX vendors_lei_uq ON vendors (lei) WHERE lei IS NOT NULL;
CREATE INDEX vendors_registration_number_idx ON vendors (registration_number) WHERE registration_number <> '';
CREATE INDEX vendors_domain_idx ON vendors (domain) WHERE domain <> '';

-- A dependency edge: the vendor relies on the provider for a service, and
-- some of our data (data_categories, a subset of what the vendor handles
-- from us) flows to it, stored and processed in countries (JSON arrays).
-- Rank is the depth of an edge below one of our vendors; queries stop at 5.
CREATE TABLE vendor_dependencies (
    id              TEXT PRIMARY KEY,
    vendor_id       TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    provider_id     TEXT NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    service         TEXT NOT NULL CHECK (service IN ('hosting', 'data_storage', 'payment_processing', 'support',
                                                     'analytics', 'communications', 'other')),
    data_categories TEXT NOT NULL DEFAULT '[]',
    countries       TEXT NOT NULL DEFAULT '[]',
    source          TEXT NOT NULL CHECK (source IN ('contract', 'published_list', 'questionnaire', 'manual')),
    as_of           TEXT NOT NULL,
    evidence_ref    TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    CONSTRAINT vendor_dependencies_not_self_ck CHECK (vendor_id <> provider_id)
);
CREATE UNIQUE INDEX vendor_dependencies_edge_uq ON vendor_dependencies (vendor_id, provider_id, service);
CREATE INDEX vendor_dependencies_provider_idx ON vendor_dependencies (provider_id, vendor_id);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DROP TABLE vendor_dependencies;
UPDATE vendors SET status = 'prospect' WHERE status = 'fourth_party';
CREATE TABLE vendors_rebuilt (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    name_key             TEXT NOT NULL,
    legal_name           TEXT NOT NULL DEFAULT '',
    website              TEXT NOT NULL DEFAULT '',
    service              TEXT NOT NULL DEFAULT '',
    owner_email          TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('prospect', 'onboarding', 'active', 'offboarding', 'terminated')),
    criticality          TEXT NOT NULL CHECK (criticality IN ('critical', 'high', 'moderate', 'low')),
    country              TEXT NOT NULL DEFAULT '',
    parent_vendor_id     TEXT REFERENCES vendors (id) ON DELETE RESTRICT,
    external_ref         TEXT,
    risk_score           integer NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    risk_tier            TEXT NOT NULL CHECK (risk_tier IN ('critical', 'high', 'moderate', 'low')),
    tier                 TEXT NOT NULL CHECK (tier IN ('critical', 'high', 'moderate', 'low')),
    tier_override        TEXT CHECK (tier_override IN ('critical', 'high', 'moderate', 'low')),
    tier_override_reason TEXT NOT NULL DEFAULT '',
    max_sensitivity      integer NOT NULL DEFAULT 0,
    max_records          INTEGER NOT NULL DEFAULT 0,
    version              INTEGER NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    last_review_on       TEXT,
    residual_score       integer CHECK (residual_score BETWEEN 0 AND 100),
    residual_tier        TEXT CHECK (residual_tier IN ('critical', 'high', 'moderate', 'low')),
    residual_computed_at DATETIME,
    residual_config      TEXT
);
INSERT INTO vendors_rebuilt (id, name, name_key, legal_name, website, service, owner_email, status, criticality, country, parent_vendor_id, external_ref, risk_score, risk_tier, tier, tier_override, tier_override_reason, max_sensitivity, max_records, version, created_at, updated_at, last_review_on, residual_score, residual_tier, residual_computed_at, residual_config) SELECT id, name, name_key, legal_name, website, service, owner_email, status, criticality, country, parent_vendor_id, external_ref, risk_score, risk_tier, tier, tier_override, tier_override_reason, max_sensitivity, max_records, version, created_at, updated_at, last_review_on, residual_score, residual_tier, residual_computed_at, residual_config FROM vendors;
DROP TABLE vendors;
ALTER TABLE vendors_rebuilt RENAME TO vendors;
CREATE UNIQUE INDEX vendors_name_key_uq ON vendors (name_key);
CREATE UNIQUE INDEX vendors_external_ref_uq ON vendors (external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX vendors_status_name_idx ON vendors (status, name_key);
CREATE INDEX vendors_criticality_name_idx ON vendors (criticality, name_key);
CREATE INDEX vendors_tier_name_idx ON vendors (tier, name_key);
CREATE INDEX vendors_parent_idx ON vendors (parent_vendor_id) WHERE parent_vendor_id IS NOT NULL;
CREATE INDEX vendors_tier_last_review_idx ON vendors (tier, last_review_on);
CREATE INDEX vendors_residual_tier_name_idx ON vendors (residual_tier, name_key);
CREATE INDEX vendors_residual_order_idx ON vendors (COALESCE(-residual_score, 1), name_key);
COMMIT;
PRAGMA foreign_keys = ON;
