-- +goose Up
CREATE TABLE vendors (
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
    updated_at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX vendors_name_key_uq ON vendors (name_key);
CREATE UNIQUE INDEX vendors_external_ref_uq ON vendors (external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX vendors_status_name_idx ON vendors (status, name_key);
CREATE INDEX vendors_criticality_name_idx ON vendors (criticality, name_key);
CREATE INDEX vendors_tier_name_idx ON vendors (tier, name_key);
CREATE INDEX vendors_parent_idx ON vendors (parent_vendor_id) WHERE parent_vendor_id IS NOT NULL;

CREATE TABLE data_handling (
    vendor_id     TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    category      TEXT NOT NULL,
    stores        BOOLEAN NOT NULL,
    processes     BOOLEAN NOT NULL,
    transmits     BOOLEAN NOT NULL,
    record_count  INTEGER NOT NULL CHECK (record_count >= 0),
    jurisdictions TEXT NOT NULL DEFAULT '[]',
    systems       TEXT NOT NULL DEFAULT '[]',
    notes         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    PRIMARY KEY (vendor_id, category)
);
CREATE INDEX data_handling_category_idx ON data_handling (category);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'vendor_manager', 'legal', 'executive', 'auditor')),
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME,
    revoked_at   DATETIME,
    last_used_at DATETIME
);
CREATE UNIQUE INDEX api_keys_prefix_uq ON api_keys (prefix);

-- The audit trail is a hash chain; audit_chain holds its head. Writers
-- update the head row first, which serialises them inside their
-- transactions, so the chain cannot fork.
CREATE TABLE audit_events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    at         DATETIME NOT NULL,
    actor_id   TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    request_id TEXT NOT NULL DEFAULT '',
    before     TEXT,
    after      TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id, seq);

CREATE TABLE audit_chain (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose Down
DROP TABLE audit_chain;
DROP TABLE audit_events;
DROP TABLE api_keys;
DROP TABLE data_handling;
DROP TABLE vendors;
