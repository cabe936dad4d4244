-- +goose Up
CREATE TABLE vendors (
    id                   uuid PRIMARY KEY,
    name                 text NOT NULL,
    name_key             text COLLATE "C" NOT NULL,
    legal_name           text NOT NULL DEFAULT '',
    website              text NOT NULL DEFAULT '',
    service              text NOT NULL DEFAULT '',
    owner_email          text NOT NULL DEFAULT '',
    status               text NOT NULL CHECK (status IN ('prospect', 'onboarding', 'active', 'offboarding', 'terminated')),
    criticality          text NOT NULL CHECK (criticality IN ('critical', 'high', 'moderate', 'low')),
    country              text NOT NULL DEFAULT '',
    parent_vendor_id     uuid REFERENCES vendors (id) ON DELETE RESTRICT,
    external_ref         text,
    risk_score           integer NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    risk_tier            text NOT NULL CHECK (risk_tier IN ('critical', 'high', 'moderate', 'low')),
    tier                 text NOT NULL CHECK (tier IN ('critical', 'high', 'moderate', 'low')),
    tier_override        text CHECK (tier_override IN ('critical', 'high', 'moderate', 'low')),
    tier_override_reason text NOT NULL DEFAULT '',
    max_sensitivity      integer NOT NULL DEFAULT 0,
    max_records          bigint NOT NULL DEFAULT 0,
    version              bigint NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX vendors_name_key_uq ON vendors (name_key);
CREATE UNIQUE INDEX vendors_external_ref_uq ON vendors (external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX vendors_status_name_idx ON vendors (status, name_key);
CREATE INDEX vendors_criticality_name_idx ON vendors (criticality, name_key);
CREATE INDEX vendors_tier_name_idx ON vendors (tier, name_key);
CREATE INDEX vendors_parent_idx ON vendors (parent_vendor_id) WHERE parent_vendor_id IS NOT NULL;

CREATE TABLE data_handling (
    vendor_id     uuid NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    category      text NOT NULL,
    stores        boolean NOT NULL,
    processes     boolean NOT NULL,
    transmits     boolean NOT NULL,
    record_count  bigint NOT NULL CHECK (record_count >= 0),
    jurisdictions jsonb NOT NULL DEFAULT '[]',
    systems       jsonb NOT NULL DEFAULT '[]',
    notes         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (vendor_id, category)
);
CREATE INDEX data_handling_category_idx ON data_handling (category);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    role         text NOT NULL CHECK (role IN ('admin', 'vendor_manager', 'legal', 'executive', 'auditor')),
    prefix       text NOT NULL,
    hash         text NOT NULL,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE UNIQUE INDEX api_keys_prefix_uq ON api_keys (prefix);

-- The audit trail is a hash chain; audit_chain holds its head. Writers
-- update the head row first, which serialises them inside their
-- transactions, so the chain cannot fork.
CREATE TABLE audit_events (
    seq        bigint PRIMARY KEY,
    id         uuid NOT NULL UNIQUE,
    at         timestamptz NOT NULL,
    actor_id   text NOT NULL,
    actor_name text NOT NULL,
    action     text NOT NULL,
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    request_id text NOT NULL DEFAULT '',
    before     json,
    after      json,
    prev_hash  text NOT NULL,
    hash       text NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id, seq);

CREATE TABLE audit_chain (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose Down
DROP TABLE audit_chain;
DROP TABLE audit_events;
DROP TABLE api_keys;
DROP TABLE data_handling;
DROP TABLE vendors;
