-- +goose Up
-- Job runs. (job, slot) is unique: the replica whose insert succeeds owns
-- the scheduled slot, the others skip it. Manual runs use "manual:<uuid>".
CREATE TABLE job_runs (
    id          uuid PRIMARY KEY,
    job         text NOT NULL CHECK (job <> ''),
    slot        text NOT NULL CHECK (slot <> ''),
    trigger     text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    replica     text NOT NULL,
    status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned')),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    counts      text NOT NULL DEFAULT '{}',
    error       text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX job_runs_job_slot_uq ON job_runs (job, slot);
CREATE INDEX job_runs_job_idx ON job_runs (job, id);
CREATE INDEX job_runs_running_idx ON job_runs (job, started_at) WHERE status = 'running';

-- The daily risk snapshot: one row per (day, vendor), written by one
-- INSERT ... SELECT. residual_score stays NULL until residual risk is
-- modelled. Snapshots go with their vendor.
CREATE TABLE risk_snapshots (
    taken_on       date NOT NULL,
    vendor_id      uuid NOT NULL REFERENCES vendors (id) ON DELETE CASCADE,
    risk_score     integer NOT NULL,
    risk_tier      text NOT NULL,
    tier           text NOT NULL,
    residual_score integer,
    open_critical  integer NOT NULL DEFAULT 0,
    open_high      integer NOT NULL DEFAULT 0,
    open_medium    integer NOT NULL DEFAULT 0,
    open_low       integer NOT NULL DEFAULT 0,
    taken_at       timestamptz NOT NULL,
    PRIMARY KEY (taken_on, vendor_id)
);
CREATE INDEX risk_snapshots_vendor_idx ON risk_snapshots (vendor_id, taken_on);

-- Outbound webhooks. The secret is stored as given: the receiver checks
-- the HMAC with it, so it cannot be hashed. events is a JSON array.
CREATE TABLE webhooks (
    id          uuid PRIMARY KEY,
    url         text NOT NULL CHECK (char_length(url) <= 2048),
    secret      text NOT NULL,
    events      text NOT NULL,
    description text NOT NULL DEFAULT '',
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL
);

-- The delivery queue (an outbox written in the transaction that raised
-- the event). A claimed delivery stays pending with next_attempt_at moved
-- past the claim lease, so a crashed dispatcher's claims come back.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    webhook_id      uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        text NOT NULL,
    event_type      text NOT NULL,
    payload         text NOT NULL,
    status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text NOT NULL DEFAULT '',
    response_code   integer,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz
);
CREATE UNIQUE INDEX webhook_deliveries_event_uq ON webhook_deliveries (webhook_id, event_id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE risk_snapshots;
DROP TABLE job_runs;
