-- +goose Up
-- A disabled webhook keeps its address, events and secret but receives
-- nothing: no delivery is queued for it, and those already queued wait
-- until it is enabled again.
ALTER TABLE webhooks ADD COLUMN disabled_at timestamptz;

-- +goose Down
ALTER TABLE webhooks DROP COLUMN disabled_at;
