-- +goose Up
-- Due-diligence reviews. A vendor with reviews cannot be deleted. Dates
-- are YYYY-MM-DD text, so they compare as dates.
CREATE TABLE reviews (
    id            TEXT PRIMARY KEY,
    vendor_id     TEXT NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    performed_on  TEXT NOT NULL CHECK (performed_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND performed_on >= '1900-01-01'),
    reviewer      TEXT NOT NULL CHECK (reviewer <> ''),
    outcome       TEXT NOT NULL CHECK (outcome IN ('approved', 'approved_with_conditions', 'rejected')),
    residual_risk TEXT NOT NULL CHECK (residual_risk IN ('critical', 'high', 'moderate', 'low')),
    notes         TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
    created_by    TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
-- MAX(performed_on) per vendor, the vendor_id filter, and the foreign key
-- check when a vendor is deleted.
CREATE INDEX reviews_vendor_performed_idx ON reviews (vendor_id, performed_on);
CREATE INDEX reviews_outcome_idx ON reviews (outcome, id);
CREATE INDEX reviews_performed_idx ON reviews (performed_on);

-- The latest performed_on of the vendor's reviews (NULL: never reviewed),
-- kept by the review service in the transaction of every review write.
ALTER TABLE vendors ADD COLUMN last_review_on TEXT;
CREATE INDEX vendors_tier_last_review_idx ON vendors (tier, last_review_on);

-- +goose Down
DROP INDEX vendors_tier_last_review_idx;
ALTER TABLE vendors DROP COLUMN last_review_on;
DROP TABLE reviews;
