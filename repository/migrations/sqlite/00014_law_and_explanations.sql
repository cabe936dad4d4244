-- +goose Up
-- The vendor's duty by law: the earliest deadline the law fixes for the
-- vendor's notice to us (domain.VendorDuties, domain.LawNoticeDue) and the
-- catalogue row that fixes it. NULL when the law fixes none for the
-- incident's data and jurisdictions. Derived, like notice_due_at.
ALTER TABLE incidents ADD COLUMN law_notice_due_at DATETIME;
ALTER TABLE incidents ADD COLUMN law_notice_regime_id TEXT NOT NULL DEFAULT '';
-- The regimes the obligations engine checked for the incident and did not
-- apply, each with its reason (domain.RegimeCheck), as JSON.
ALTER TABLE incidents ADD COLUMN regime_checks TEXT NOT NULL DEFAULT '[]';
CREATE INDEX incidents_law_notice_due_idx ON incidents (law_notice_due_at) WHERE law_notice_due_at IS NOT NULL;

-- What an obligation requires, in words with its deadline, and the working
-- deadline of a duty whose law sets no number (policy, not law).
ALTER TABLE obligations ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE obligations ADD COLUMN working_due_at DATETIME;
ALTER TABLE obligations ADD COLUMN working_deadline_text TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE obligations DROP COLUMN working_deadline_text;
ALTER TABLE obligations DROP COLUMN working_due_at;
ALTER TABLE obligations DROP COLUMN title;
DROP INDEX incidents_law_notice_due_idx;
ALTER TABLE incidents DROP COLUMN regime_checks;
ALTER TABLE incidents DROP COLUMN law_notice_regime_id;
ALTER TABLE incidents DROP COLUMN law_notice_due_at;
