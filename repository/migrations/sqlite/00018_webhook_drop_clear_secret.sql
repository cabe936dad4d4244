-- +goose Up
-- Every secret is sealed by migration 17: the clear column goes.
ALTER TABLE webhooks DROP COLUMN secret;

-- +goose Down
ALTER TABLE webhooks ADD COLUMN secret TEXT NOT NULL DEFAULT '';
