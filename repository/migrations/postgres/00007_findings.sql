-- +goose Up
-- Findings raised by the compliance scan. One live finding per (rule,
-- subject): the partial unique index below is the guarantee, and the
-- scan's upsert names it as its conflict target.
CREATE TABLE findings (
    id              uuid PRIMARY KEY,
    rule_id         text NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    vendor_id       uuid NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    subject_type    text NOT NULL,
    subject_id      text NOT NULL,
    facts           jsonb NOT NULL DEFAULT '{}',
    status          text NOT NULL CHECK (status IN ('open', 'acknowledged', 'risk_accepted', 'resolved')),
    first_seen_at   timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    last_seen_run   text NOT NULL,
    resolved_at     timestamptz,
    accepted_reason text NOT NULL DEFAULT '',
    accepted_until  date,
    accepted_by     text NOT NULL DEFAULT '',
    version         bigint NOT NULL,
    updated_at      timestamptz NOT NULL,
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK (status <> 'risk_accepted' OR (accepted_reason <> '' AND accepted_until IS NOT NULL AND accepted_by <> ''))
) WITH (fillfactor = 70);
-- Every scan rewrites each live finding (last_seen_at, last_seen_run):
-- free space in each page and no index on those columns keep the updates
-- HOT (no index writes).
CREATE UNIQUE INDEX findings_live_uq ON findings (rule_id, subject_type, subject_id) WHERE status <> 'resolved';
CREATE INDEX findings_vendor_idx ON findings (vendor_id, id);
CREATE INDEX findings_rule_status_idx ON findings (rule_id, status);
CREATE INDEX findings_status_idx ON findings (status, id);
CREATE INDEX findings_accepted_until_idx ON findings (accepted_until) WHERE status = 'risk_accepted';

-- Scan runs; at most one runs at a time (scan_runs_running_uq).
CREATE TABLE scan_runs (
    id          uuid PRIMARY KEY,
    status      text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'abandoned')),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    summary     jsonb NOT NULL DEFAULT '{}',
    error       text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX scan_runs_running_uq ON scan_runs (status) WHERE status = 'running';

-- The attestation rules look at the latest attestation of each kind per
-- vendor.
CREATE INDEX attestations_vendor_kind_expires_idx ON attestations (vendor_id, kind, expires_on);

-- +goose Down
DROP INDEX attestations_vendor_kind_expires_idx;
DROP TABLE scan_runs;
DROP TABLE findings;
