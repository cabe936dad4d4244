-- +goose Up
-- Report runs: the audit workbook and the executive report, generated in
-- the background; the file is stored under the data directory and named by
-- the run, with its sha256 here.
CREATE TABLE report_runs (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('audit', 'executive')),
    filters      jsonb NOT NULL DEFAULT '{}',
    as_of        timestamptz NOT NULL,
    status       text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    sha256       text CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
    size         bigint CHECK (size IS NULL OR size >= 0),
    file_name    text NOT NULL DEFAULT '',
    error        text NOT NULL DEFAULT '',
    requested_by text NOT NULL,
    created_at   timestamptz NOT NULL,
    started_at   timestamptz,
    finished_at  timestamptz,
    CHECK ((status = 'done') = (sha256 IS NOT NULL))
);
CREATE INDEX report_runs_created_idx ON report_runs (created_at DESC, id DESC);
CREATE INDEX report_runs_live_idx ON report_runs (status) WHERE status IN ('queued', 'running');

-- +goose Down
DROP TABLE report_runs;
