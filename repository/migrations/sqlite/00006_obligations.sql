-- +goose Up
-- Deadlines that run for us because of an incident, generated from the
-- regulatory catalogue. One per (incident, regime).
CREATE TABLE obligations (
    id            TEXT PRIMARY KEY,
    incident_id   TEXT NOT NULL REFERENCES incidents (id) ON DELETE RESTRICT,
    regime_id     TEXT NOT NULL,
    regime        TEXT NOT NULL,
    citation      TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    source_status TEXT NOT NULL CHECK (source_status IN ('V', 'P', 'U')),
    anchor        TEXT NOT NULL,
    anchor_at     DATETIME,
    due_at        DATETIME,
    deadline_text TEXT NOT NULL,
    notes         TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL CHECK (status IN ('open', 'done', 'not_applicable')),
    reason        TEXT NOT NULL DEFAULT '',
    done_at       DATETIME,
    evidence      TEXT NOT NULL DEFAULT '',
    set_by        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    CHECK (status <> 'not_applicable' OR reason <> ''),
    CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE UNIQUE INDEX obligations_incident_regime_uq ON obligations (incident_id, regime_id);
-- The scanner looks for open obligations that are overdue or due soon.
CREATE INDEX obligations_open_due_idx ON obligations (due_at) WHERE status = 'open' AND due_at IS NOT NULL;

-- +goose Down
DROP TABLE obligations;
