-- +goose Up
-- Console users (people; API keys stay for machines) and their sessions.
-- A user's role is one of the API keys' roles. password_hash is an
-- argon2id hash in PHC string form; the password itself is never stored.
CREATE TABLE users (
    id                   uuid PRIMARY KEY,
    email                text NOT NULL,
    name                 text NOT NULL,
    role                 text NOT NULL CHECK (role IN ('admin', 'vendor_manager', 'legal', 'executive', 'auditor')),
    status               text NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT false,
    password_changed_at  timestamptz NOT NULL,
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_uq ON users (email);

-- A session is kept by the SHA-256 of its cookie's token, never the
-- token. Rows are shared by every replica; deleting one ends the session
-- at once.
CREATE TABLE sessions (
    id_hash      text PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    address      text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
