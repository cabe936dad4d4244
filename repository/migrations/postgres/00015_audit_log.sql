-- +goose Up
-- The audit trail is a Merkle tree log (package domain/auditlog). Writers
-- no longer advance a chain head: the database numbers events (seq, drawn
-- from a sequence without waiting for other writers) and stores them
-- unsealed (leaf NULL). The sealer gives each committed event its leaf
-- index, stores the tree's hashes in audit_tree_hashes (in tlog storage
-- order) and keeps the head (size, root, signed checkpoint) in audit_log,
-- whose row it locks while it seals. Events written before this migration
-- are unsealed and are sealed, in seq order, by the first sealing round.
CREATE SEQUENCE audit_events_seq_seq OWNED BY audit_events.seq;
SELECT setval('audit_events_seq_seq', COALESCE((SELECT max(seq) FROM audit_events), 0) + 1, false);
ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq_seq');
ALTER TABLE audit_events DROP COLUMN prev_hash, DROP COLUMN hash, ADD COLUMN leaf bigint;
CREATE UNIQUE INDEX audit_events_leaf_uq ON audit_events (leaf);
CREATE INDEX audit_events_unsealed_idx ON audit_events (seq) WHERE leaf IS NULL;
DROP TABLE audit_chain;

CREATE TABLE audit_tree_hashes (
    idx  bigint PRIMARY KEY,
    hash bytea NOT NULL CHECK (length(hash) = 32)
);

-- The head: the tree's size and root and the signed checkpoint of them.
-- The empty tree's root is SHA-256 of nothing (RFC 6962).
CREATE TABLE audit_log (
    id         integer PRIMARY KEY CHECK (id = 1),
    size       bigint NOT NULL,
    root       bytea NOT NULL,
    checkpoint text NOT NULL,
    sealed_at  timestamptz
);
INSERT INTO audit_log (id, size, root, checkpoint)
VALUES (1, 0, decode('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'), '');

-- +goose Down
-- The hash chain cannot be rebuilt in SQL (its canonical form is the
-- program's): the columns come back empty and the head counts the events.
DROP TABLE audit_log;
DROP TABLE audit_tree_hashes;
DROP INDEX audit_events_unsealed_idx;
DROP INDEX audit_events_leaf_uq;
ALTER TABLE audit_events DROP COLUMN leaf, ADD COLUMN prev_hash text NOT NULL DEFAULT '',
    ADD COLUMN hash text NOT NULL DEFAULT '';
ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT;
DROP SEQUENCE audit_events_seq_seq;
CREATE TABLE audit_chain (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) SELECT 1, COALESCE(max(seq), 0), '' FROM audit_events;
