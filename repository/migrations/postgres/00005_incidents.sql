-- +goose Up
CREATE TABLE incidents (
    id                        uuid PRIMARY KEY,
    vendor_id                 uuid NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    title                     text NOT NULL,
    description               text NOT NULL DEFAULT '',
    status                    text NOT NULL CHECK (status IN ('open', 'contained', 'closed')),
    exposure_start            timestamptz,
    exposure_end              timestamptz,
    vendor_discovered_at      timestamptz NOT NULL,
    vendor_notified_us_at     timestamptz,
    we_learned_at             timestamptz NOT NULL,
    learned_via               text NOT NULL CHECK (learned_via IN ('vendor_notice', 'press', 'customer', 'law_enforcement', 'monitoring', 'other')),
    categories                jsonb NOT NULL DEFAULT '[]',
    records_affected          bigint NOT NULL CHECK (records_affected >= 0),
    records_estimated         boolean NOT NULL DEFAULT false,
    jurisdictions             jsonb NOT NULL DEFAULT '[]',
    residents                 jsonb NOT NULL DEFAULT '{}',
    materiality_determined_at timestamptz,
    vendor_is_agent           boolean NOT NULL DEFAULT false,
    notice_evidence           jsonb,
    notice_contract_id        uuid REFERENCES contracts (id) ON DELETE RESTRICT,
    notice_clause_id          uuid REFERENCES clause_versions (id) ON DELETE RESTRICT,
    notice_due_at             timestamptz,
    version                   bigint NOT NULL,
    created_by                text NOT NULL,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    CHECK (exposure_end IS NULL OR exposure_start IS NULL OR exposure_end >= exposure_start),
    CHECK (vendor_notified_us_at IS NULL OR vendor_notified_us_at >= vendor_discovered_at)
);
CREATE INDEX incidents_vendor_idx ON incidents (vendor_id, vendor_discovered_at);
CREATE INDEX incidents_status_idx ON incidents (status, id);
-- The scanner looks for notices that are late or overdue.
CREATE INDEX incidents_notice_due_idx ON incidents (notice_due_at) WHERE notice_due_at IS NOT NULL;

-- The append-only log of what was done about an incident.
CREATE TABLE incident_timeline (
    incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE RESTRICT,
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    text        text NOT NULL DEFAULT '',
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (incident_id, seq)
);

-- +goose StatementBegin
CREATE FUNCTION incident_timeline_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'incident_timeline is append-only: entries are never edited or deleted';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER incident_timeline_no_update BEFORE UPDATE OR DELETE ON incident_timeline
    FOR EACH ROW EXECUTE FUNCTION incident_timeline_append_only();

-- +goose Down
DROP TABLE incident_timeline;
DROP FUNCTION incident_timeline_append_only();
DROP TABLE incidents;
