-- +goose Up
-- The audit trail is a Merkle tree log (package domain/auditlog). Writers
-- no longer advance a chain head: the database numbers events (seq, drawn
-- from a sequence without waiting for other writers), and each event's
-- seq and leaf hash go into audit_unsealed in the same statement. The sealer takes
-- committed events from audit_unsealed, gives them leaf indexes
-- (audit_leaves), stores the tree hashes each round adds as one block
-- (audit_tree_hashes: the hashes at tlog storage indexes first, first+1,
-- ..., 32 bytes each) and keeps the head (size, root, signed checkpoint)
-- in audit_log, whose row it locks while it seals. Every sealing write is
-- to narrow rows: an event row is written once. Events written before
-- this migration are unsealed and are sealed, in seq order, by the first
-- sealing round.
CREATE SEQUENCE audit_events_seq_seq OWNED BY audit_events.seq;
SELECT setval('audit_events_seq_seq', COALESCE((SELECT max(seq) FROM audit_events), 0) + 1, false);
ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq_seq');
ALTER TABLE audit_events DROP COLUMN prev_hash, DROP COLUMN hash;
DROP TABLE audit_chain;

-- Each queued event carries its leaf hash, computed by the writer, so the
-- sealer need not read the event; events queued by this migration have
-- none, and the sealer computes theirs from the event.
CREATE TABLE audit_unsealed (
    seq  bigint PRIMARY KEY,
    hash bytea CHECK (hash IS NULL OR length(hash) = 32)
);
INSERT INTO audit_unsealed (seq) SELECT seq FROM audit_events;

CREATE TABLE audit_leaves (
    leaf bigint PRIMARY KEY,
    seq  bigint NOT NULL UNIQUE
);

CREATE TABLE audit_tree_hashes (
    first  bigint PRIMARY KEY,
    hashes bytea NOT NULL CHECK (length(hashes) > 0 AND length(hashes) % 32 = 0)
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
DROP TABLE audit_leaves;
DROP TABLE audit_unsealed;
ALTER TABLE audit_events ADD COLUMN prev_hash text NOT NULL DEFAULT '', ADD COLUMN hash text NOT NULL DEFAULT '';
ALTER TABLE audit_events ALTER COLUMN seq DROP DEFAULT;
DROP SEQUENCE audit_events_seq_seq;
CREATE TABLE audit_chain (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash text NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) SELECT 1, COALESCE(max(seq), 0), '' FROM audit_events;
