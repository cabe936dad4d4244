-- +goose Up
-- What the scan last wrote of a finding: the first 16 bytes of the SHA-256
-- of its severity, vendor id and facts (domain.Finding.Encode). The scan
-- loads the live findings' fingerprints of a rule family before judging
-- it, and writes only the findings whose fingerprint changed. NULL (rows
-- written before this column) never matches, so such a finding is
-- rewritten once, with its fingerprint.
ALTER TABLE findings ADD COLUMN fingerprint bytea;

-- +goose Down
ALTER TABLE findings DROP COLUMN fingerprint;
