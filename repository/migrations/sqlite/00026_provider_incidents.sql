-- +goose Up
-- A provider incident: the incident is at a provider (often a fourth
-- party) and one of our vendors that depends on it reported it to us; the
-- vendor's notice is judged against that vendor's own clause.
ALTER TABLE incidents ADD COLUMN reported_by_vendor_id TEXT REFERENCES vendors (id) ON DELETE RESTRICT;
CREATE INDEX incidents_reported_by_idx ON incidents (reported_by_vendor_id) WHERE reported_by_vendor_id IS NOT NULL;

-- +goose Down
DROP INDEX incidents_reported_by_idx;
ALTER TABLE incidents DROP COLUMN reported_by_vendor_id;
