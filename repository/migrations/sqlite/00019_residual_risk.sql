-- +goose Up
-- Residual risk: the inherent score moved by the state of the vendor's
-- controls, computed and written by the compliance scan (NULL: not
-- computed, or the vendor is outside the scan's scope). residual_config
-- identifies the weights and cut-offs that produced it.
ALTER TABLE vendors ADD COLUMN residual_score integer CHECK (residual_score BETWEEN 0 AND 100);
ALTER TABLE vendors ADD COLUMN residual_tier TEXT CHECK (residual_tier IN ('critical', 'high', 'moderate', 'low'));
ALTER TABLE vendors ADD COLUMN residual_computed_at DATETIME;
ALTER TABLE vendors ADD COLUMN residual_config TEXT;
CREATE INDEX vendors_residual_tier_name_idx ON vendors (residual_tier, name_key);
-- The list sorted by residual score (highest first, vendors without one
-- last, then by name) is a range scan of this index.
CREATE INDEX vendors_residual_order_idx ON vendors (COALESCE(-residual_score, 1), name_key);
ALTER TABLE risk_snapshots ADD COLUMN residual_tier TEXT CHECK (residual_tier IN ('critical', 'high', 'moderate', 'low'));

-- +goose Down
ALTER TABLE risk_snapshots DROP COLUMN residual_tier;
DROP INDEX vendors_residual_order_idx;
DROP INDEX vendors_residual_tier_name_idx;
ALTER TABLE vendors DROP COLUMN residual_config;
ALTER TABLE vendors DROP COLUMN residual_computed_at;
ALTER TABLE vendors DROP COLUMN residual_tier;
ALTER TABLE vendors DROP COLUMN residual_score;
