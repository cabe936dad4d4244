-- +goose Up
-- Import runs keep committed imports of sub-processor edges (kind
-- dependencies) like the other kinds. SQLite cannot alter a CHECK, so the
-- table is rebuilt (no other table refers to it).
CREATE TABLE import_runs_widened (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('vendors', 'data_handling', 'contracts', 'attestations', 'dependencies')),
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
INSERT INTO import_runs_widened (id, kind, mode, status, file_name, file_sha256, file_size, row_count, actor_id, actor_name, created_at, result)
    SELECT id, kind, mode, status, file_name, file_sha256, file_size, row_count, actor_id, actor_name, created_at, result
    FROM import_runs;
DROP TABLE import_runs;
ALTER TABLE import_runs_widened RENAME TO import_runs;
CREATE INDEX import_runs_created_idx ON import_runs (created_at);

-- +goose Down
CREATE TABLE import_runs_narrowed (
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
INSERT INTO import_runs_narrowed (id, kind, mode, status, file_name, file_sha256, file_size, row_count, actor_id, actor_name, created_at, result)
    SELECT id, kind, mode, status, file_name, file_sha256, file_size, row_count, actor_id, actor_name, created_at, result
    FROM import_runs WHERE kind <> 'dependencies';
DROP TABLE import_runs;
ALTER TABLE import_runs_narrowed RENAME TO import_runs;
CREATE INDEX import_runs_created_idx ON import_runs (created_at);
