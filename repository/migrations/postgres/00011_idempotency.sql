-- +goose Up
-- POST requests made with an Idempotency-Key, per API key, with the
-- response to replay. status 0: the first request is still in progress
-- (or was interrupted, which a retry is told rather than repeated).
CREATE TABLE idempotency_keys (
    actor_id       TEXT NOT NULL,
    key            TEXT NOT NULL,
    method         TEXT NOT NULL,
    path           TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status         INTEGER NOT NULL DEFAULT 0,
    content_type   TEXT NOT NULL DEFAULT '',
    location       TEXT NOT NULL DEFAULT '',
    etag           TEXT NOT NULL DEFAULT '',
    body           bytea,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (actor_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
