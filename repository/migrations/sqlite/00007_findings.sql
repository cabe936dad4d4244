-- +goose Up
-- Findings raised by the compliance scan. One live finding per (rule,
-- subject): the partial unique index below is the guarantee, and the
-- scan's upsert names it as its conflict target. Dates are YYYY-MM-DD text.
CREATE TABLE findings (
    id              TEXT PRIMARY KEY,
    rule_id         TEXT NOT NULL,
    severity        TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    vendor_id       TEXT NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    subject_type    TEXT NOT NULL,
    subject_id      TEXT NOT NULL,
    facts           TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'risk_accepted', 'resolved')),
    first_seen_at   DATETIME NOT NULL,
    last_seen_at    DATETIME NOT NULL,
    last_seen_run   TEXT NOT NULL,
    resolved_at     DATETIME,
    accepted_reason TEXT NOT NULL DEFAULT '',
    accepted_until  TEXT CHECK (accepted_until IS NULL OR accepted_until GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    accepted_by     TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL,
    updated_at      DATETIME NOT NULL,
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK (status <> 'risk_accepted' OR (accepted_reason <> '' AND accepted_until IS NOT NULL AND accepted_by <> ''))
);
CREATE UNIQUE INDEX findings_live_uq ON findings (rule_id, subject_type, subject_id) WHERE status <> 'resolved';
CREATE INDEX findings_vendor_idx ON findings (vendor_id, id);
CREATE INDEX findings_rule_status_idx ON findings (rule_id, status);
CREATE INDEX findings_status_idx ON findings (status, id);
CREATE INDEX findings_accepted_until_idx ON findings (accepted_until) WHERE status = 'risk_accepted';

-- Scan runs; at most one runs at a time (scan_runs_running_uq).
CREATE TABLE scan_runs (
    id          TEXT PRIMARY KEY,
    status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'abandoned')),
    started_at  DATETIME NOT NULL,
    finished_at DATETIME,
    summary     TEXT NOT NULL DEFAULT '{}',
    error       TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX scan_runs_running_uq ON scan_runs (status) WHERE status = 'running';

-- The attestation rules look at the latest attestation of each kind per
-- vendor.
CREATE INDEX attestations_vendor_kind_expires_idx ON attestations (vendor_id, kind, expires_on);

-- +goose Down
DROP INDEX attestations_vendor_kind_expires_idx;
DROP TABLE scan_runs;
DROP TABLE findings;
