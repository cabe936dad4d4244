-- +goose Up
-- Due-diligence reviews. A vendor with reviews cannot be deleted.
CREATE TABLE reviews (
    id            uuid PRIMARY KEY,
    vendor_id     uuid NOT NULL REFERENCES vendors (id) ON DELETE RESTRICT,
    performed_on  date NOT NULL CHECK (performed_on >= DATE '1900-01-01'),
    reviewer      text NOT NULL CHECK (reviewer <> ''),
    outcome       text NOT NULL CHECK (outcome IN ('approved', 'approved_with_conditions', 'rejected')),
    residual_risk text NOT NULL CHECK (residual_risk IN ('critical', 'high', 'moderate', 'low')),
    notes         text NOT NULL DEFAULT '' CHECK (char_length(notes) <= 10000),
    created_by    text NOT NULL,
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
-- MAX(performed_on) per vendor, the vendor_id filter, and the foreign key
-- check when a vendor is deleted.
CREATE INDEX reviews_vendor_performed_idx ON reviews (vendor_id, performed_on);
CREATE INDEX reviews_outcome_idx ON reviews (outcome, id);
CREATE INDEX reviews_performed_idx ON reviews (performed_on);

-- The latest performed_on of the vendor's reviews (NULL: never reviewed),
-- kept by the review service in the transaction of every review write.
ALTER TABLE vendors ADD COLUMN last_review_on date;
CREATE INDEX vendors_tier_last_review_idx ON vendors (tier, last_review_on);

-- +goose Down
DROP INDEX vendors_tier_last_review_idx;
ALTER TABLE vendors DROP COLUMN last_review_on;
DROP TABLE reviews;
