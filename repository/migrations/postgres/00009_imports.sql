-- +goose Up
-- Import runs: one row per committed (or rejected) spreadsheet import,
-- with the uploaded file's SHA-256 and the full per-row result as JSON.
-- Dry runs are not kept.
CREATE TABLE import_runs (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('vendors', 'data_handling', 'contracts', 'attestations')),
    mode        text NOT NULL CHECK (mode IN ('dry_run', 'commit')),
    status      text NOT NULL CHECK (status IN ('dry_run', 'committed', 'rejected')),
    file_name   text NOT NULL DEFAULT '',
    file_sha256 text NOT NULL,
    file_size   bigint NOT NULL CHECK (file_size >= 0),
    row_count   integer NOT NULL CHECK (row_count >= 0),
    actor_id    text NOT NULL,
    actor_name  text NOT NULL,
    created_at  timestamptz NOT NULL,
    result      jsonb NOT NULL
);
CREATE INDEX import_runs_created_idx ON import_runs (created_at);

-- +goose Down
DROP TABLE import_runs;
