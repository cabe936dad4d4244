// Package auditlog makes the audit trail tamper-evident against anyone who
// can write to the database, without making writers wait for each other.
//
// Writers store audit events in the transaction of their change, numbered
// by a database sequence, and queue each event's number with its leaf
// hash (LeafHash) in the same statement; they take no lock that other
// writers wait on. A single sealer (one replica at a time: the scheduler's
// job claim, with the log's head row locked by each sealing transaction as
// the safety net) appends committed events to a Merkle tree log
// (golang.org/x/mod/sumdb/tlog, RFC 6962 hashing) and signs a checkpoint of
// the tree (C2SP tlog-checkpoint text in the signed-note format of
// golang.org/x/mod/sumdb/note, Ed25519) with a key kept outside the
// database. Checkpoints are published where a database writer cannot reach
// them: an append-only file, the audit.checkpoint webhook event and the
// cover sheet of each audit workbook.
//
// # Commit order
//
// Sequence numbers are drawn before commit, so a transaction with a lower
// number can commit after one with a higher number has been sealed. The
// sealer therefore keeps no high-water mark: each round it takes every
// queued event its statement can see, which is exactly the committed
// unsealed events, gives them the next leaf indexes in number order,
// records each leaf and removes the events from the queue. An event that
// commits late is taken by the next round with a later leaf index; none is
// skipped, none is sealed twice (the queue removal must take every event
// the round sealed, and the head row lock serialises sealers). Leaf order
// is thus the order in which the sealer saw events committed, number order
// within one round. Sealing writes narrow rows only (the queue, the
// leaves, one block of tree hashes per round): an event's row is written
// once.
//
// # What a checkpoint proves
//
// Verify recomputes every leaf from the stored event and every tree hash
// from the leaves, and checks each given checkpoint: its size must not
// exceed the log, the first size leaves must hash to its root, and a
// consistency proof from the stored tree must show the current log
// extends it. A deleted tail, an edited event (even with every stored
// hash recomputed) and a head rolled back to an earlier genuine
// checkpoint all fail against a checkpoint published before the change.
// Events not yet sealed (the sealing window) are not covered by any
// checkpoint; Verify counts them and reports them as unsealed.
package auditlog
