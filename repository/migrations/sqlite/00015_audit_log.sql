-- +goose Up
-- The audit trail is a Merkle tree log (package domain/auditlog). Writers
-- no longer advance a chain head: the database numbers events (seq is the
-- rowid) and stores them unsealed (leaf NULL). The sealer gives each
-- committed event its leaf index, stores the tree's hashes in
-- audit_tree_hashes (in tlog storage order) and keeps the head (size,
-- root, signed checkpoint) in audit_log. Events written before this
-- migration are unsealed and are sealed, in seq order, by the first
-- sealing round.
ALTER TABLE audit_events DROP COLUMN prev_hash;
ALTER TABLE audit_events DROP COLUMN hash;
ALTER TABLE audit_events ADD COLUMN leaf INTEGER;
CREATE UNIQUE INDEX audit_events_leaf_uq ON audit_events (leaf);
CREATE INDEX audit_events_unsealed_idx ON audit_events (seq) WHERE leaf IS NULL;
DROP TABLE audit_chain;

CREATE TABLE audit_tree_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL CHECK (length(hash) = 32)
);

-- The head: the tree's size and root and the signed checkpoint of them.
-- The empty tree's root is SHA-256 of nothing (RFC 6962).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    size       INTEGER NOT NULL,
    root       BLOB NOT NULL,
    checkpoint TEXT NOT NULL,
    sealed_at  DATETIME
);
INSERT INTO audit_log (id, size, root, checkpoint)
VALUES (1, 0, X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '');

-- +goose Down
-- The hash chain cannot be rebuilt in SQL (its canonical form is the
-- program's): the columns come back empty and the head counts the events.
DROP TABLE audit_log;
DROP TABLE audit_tree_hashes;
DROP INDEX audit_events_unsealed_idx;
DROP INDEX audit_events_leaf_uq;
ALTER TABLE audit_events DROP COLUMN leaf;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE TABLE audit_chain (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) SELECT 1, COALESCE(max(seq), 0), '' FROM audit_events;
