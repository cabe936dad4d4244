-- +goose Up
-- Console users (people; API keys stay for machines) and their sessions.
-- A user's role is one of the API keys' roles. password_hash is an
-- argon2id hash in PHC string form; the password itself is never stored.
CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    email                TEXT NOT NULL,
    name                 TEXT NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'vendor_manager', 'legal', 'executive', 'auditor')),
    status               TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT false,
    password_changed_at  DATETIME NOT NULL,
    created_by           TEXT NOT NULL,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX users_email_uq ON users (email);

-- A session is kept by the SHA-256 of its cookie's token, never the
-- token. Rows are shared by every replica; deleting one ends the session
-- at once.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
