-- +goose Up
CREATE TABLE incidents (
    id                        TEXT PRIMARY KEY,
    vendor_id                 TEXT NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    title                     TEXT NOT NULL,
    description               TEXT NOT NULL DEFAULT '',
    status                    TEXT NOT NULL CHECK (status IN ('open', 'contained', 'closed')),
    exposure_start            DATETIME,
    exposure_end              DATETIME,
    vendor_discovered_at      DATETIME NOT NULL,
    vendor_notified_us_at     DATETIME,
    we_learned_at             DATETIME NOT NULL,
    learned_via               TEXT NOT NULL CHECK (learned_via IN ('vendor_notice', 'press', 'customer', 'law_enforcement', 'monitoring', 'other')),
    categories                TEXT NOT NULL DEFAULT '[]',
    records_affected          INTEGER NOT NULL CHECK (records_affected >= 0),
    records_estimated         BOOLEAN NOT NULL DEFAULT false,
    jurisdictions             TEXT NOT NULL DEFAULT '[]',
    residents                 TEXT NOT NULL DEFAULT '{}',
    materiality_determined_at DATETIME,
    vendor_is_agent           BOOLEAN NOT NULL DEFAULT false,
    notice_evidence           TEXT,
    notice_contract_id        TEXT REFERENCES contracts (id) ON DELETE RESTRICT,
    notice_clause_id          TEXT REFERENCES clause_versions (id) ON DELETE RESTRICT,
    notice_due_at             DATETIME,
    version                   INTEGER NOT NULL,
    created_by                TEXT NOT NULL,
    created_at                DATETIME NOT NULL,
    updated_at                DATETIME NOT NULL
);
CREATE INDEX incidents_vendor_idx ON incidents (vendor_id, vendor_discovered_at);
CREATE INDEX incidents_status_idx ON incidents (status, id);
CREATE INDEX incidents_notice_due_idx ON incidents (notice_due_at) WHERE notice_due_at IS NOT NULL;

CREATE TABLE incident_timeline (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE RESTRICT,
    seq         INTEGER NOT NULL,
    at          DATETIME NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    text        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at DATETIME NOT NULL,
    PRIMARY KEY (incident_id, seq)
);

-- +goose StatementBegin
CREATE TRIGGER incident_timeline_no_update BEFORE UPDATE ON incident_timeline
BEGIN
    SELECT RAISE(ABORT, 'incident_timeline is append-only: entries are never edited or deleted');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER incident_timeline_no_delete BEFORE DELETE ON incident_timeline
BEGIN
    SELECT RAISE(ABORT, 'incident_timeline is append-only: entries are never edited or deleted');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE incident_timeline;
DROP TABLE incidents;
