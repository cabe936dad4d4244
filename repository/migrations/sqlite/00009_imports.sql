-- +goose Up
-- Import runs: one row per committed (or rejected) spreadsheet import,
-- with the uploaded file's SHA-256 and the full per-row result as JSON.
-- Dry runs are not kept.
CREATE TABLE import_runs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('vendors', 'data_handling', 'contracts', 'attestations')),
    mode        TEXT NOT NULL CHECK (mode IN ('dry_run', 'commit')),
    status      TEXT NOT NULL CHECK (status IN ('dry_run', 'committed', 'rejected')),
    file_name   TEXT NOT NULL DEFAULT '',
    file_sha256 TEXT NOT NULL,
    file_size   INTEGER NOT NULL CHECK (file_size >= 0),
    row_count   INTEGER NOT NULL CHECK (row_count >= 0),
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    result      TEXT NOT NULL
);
CREATE INDEX import_runs_created_idx ON import_runs (created_at);

-- +goose Down
DROP TABLE import_runs;
