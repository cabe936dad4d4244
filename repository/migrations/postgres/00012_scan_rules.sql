-- +goose Up
-- The last run that judged each rule to the end (its family's facts read,
-- its findings written and its unseen findings resolved). A scan writes a
-- live finding only when it is new or its severity, vendor or facts
-- changed; a live finding whose stored last_seen_at is older than its
-- rule's seen_at was seen by that run (had it not been, the run would
-- have resolved it), so reads take the later of the two. This replaces
-- rewriting every live finding on every run.
CREATE TABLE scan_rules (
    rule_id  text PRIMARY KEY,
    last_run text NOT NULL,
    seen_at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE scan_rules;
