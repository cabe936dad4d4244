-- +goose Up
-- Webhook secrets are kept sealed (AES-256-GCM, see repository/secretkeys.go)
-- with a key held outside the database, and shown masked by secret_hint.
-- Migration 17 (Go, it needs the key) seals the secrets stored in clear;
-- migration 18 drops the clear column.
ALTER TABLE webhooks ADD COLUMN sealed_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN secret_hint TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE webhooks DROP COLUMN secret_hint;
ALTER TABLE webhooks DROP COLUMN sealed_secret;
