-- +goose Up
-- The audit trail is a Merkle tree log (package domain/auditlog). Writers
-- no longer advance a chain head: the database numbers events (seq is the
-- rowid), and each event's seq and leaf hash go into audit_unsealed in the
-- same transaction. The sealer takes committed events from audit_unsealed,
-- gives them leaf indexes (audit_leaves), stores the tree hashes each
-- round adds as one block (audit_tree_hashes: the hashes at tlog storage
-- indexes first, first+1, ..., 32 bytes each) and keeps the head (size,
-- root, signed checkpoint) in audit_log. Events written before this
-- migration are unsealed and are sealed, in seq order, by the first
-- sealing round.
ALTER TABLE audit_events DROP COLUMN prev_hash;
ALTER TABLE audit_events DROP COLUMN hash;
DROP TABLE audit_chain;

-- Each queued event carries its leaf hash, computed by the writer, so the
-- sealer need not read the event; events queued by this migration have
-- none, and the sealer computes theirs from the event.
CREATE TABLE audit_unsealed (
    seq  INTEGER PRIMARY KEY,
    hash BLOB CHECK (hash IS NULL OR length(hash) = 32)
);
INSERT INTO audit_unsealed (seq) SELECT seq FROM audit_events;

CREATE TABLE audit_leaves (
    leaf INTEGER PRIMARY KEY,
    seq  INTEGER NOT NULL UNIQUE
);

CREATE TABLE audit_tree_hashes (
    first  INTEGER PRIMARY KEY,
    hashes BLOB NOT NULL CHECK (length(hashes) > 0 AND length(hashes) % 32 = 0)
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
DROP TABLE audit_leaves;
DROP TABLE audit_unsealed;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE TABLE audit_chain (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) SELECT 1, COALESCE(max(seq), 0), '' FROM audit_events;
