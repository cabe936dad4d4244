-- +goose Up
-- Report runs: the audit workbook and the executive report, generated in
-- the background; the file is stored under the data directory and named by
-- the run, with its sha256 here.
CREATE TABLE report_runs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('audit', 'executive')),
    filters      TEXT NOT NULL DEFAULT '{}',
    as_of        DATETIME NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    sha256       TEXT CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
    size         INTEGER CHECK (size IS NULL OR size >= 0),
    file_name    TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    requested_by TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    started_at   DATETIME,
    finished_at  DATETIME,
    CHECK ((status = 'done') = (sha256 IS NOT NULL))
);
CREATE INDEX report_runs_created_idx ON report_runs (created_at DESC, id DESC);
CREATE INDEX report_runs_live_idx ON report_runs (status) WHERE status IN ('queued', 'running');

-- +goose Down
DROP TABLE report_runs;
