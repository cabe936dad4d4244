-- +goose Up
-- Deadlines that run for us because of an incident, generated from the
-- regulatory catalogue. One per (incident, regime).
CREATE TABLE obligations (
    id            uuid PRIMARY KEY,
    incident_id   uuid NOT NULL REFERENCES incidents (id) ON DELETE RESTRICT,
    regime_id     text NOT NULL,
    regime        text NOT NULL,
    citation      text NOT NULL,
    recipient     text NOT NULL,
    source_status text NOT NULL CHECK (source_status IN ('V', 'P', 'U')),
    anchor        text NOT NULL,
    anchor_at     timestamptz,
    due_at        timestamptz,
    deadline_text text NOT NULL,
    notes         jsonb NOT NULL DEFAULT '[]',
    status        text NOT NULL CHECK (status IN ('open', 'done', 'not_applicable')),
    reason        text NOT NULL DEFAULT '',
    done_at       timestamptz,
    evidence      text NOT NULL DEFAULT '',
    set_by        text NOT NULL,
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CHECK (status <> 'not_applicable' OR reason <> ''),
    CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE UNIQUE INDEX obligations_incident_regime_uq ON obligations (incident_id, regime_id);
-- The scanner looks for open obligations that are overdue or due soon.
CREATE INDEX obligations_open_due_idx ON obligations (due_at) WHERE status = 'open' AND due_at IS NOT NULL;

-- +goose Down
DROP TABLE obligations;
