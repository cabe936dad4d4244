-- What the compliance scan cannot avoid, measured in PostgreSQL alone on a
-- scanned portfolio (run the scan benchmark or `vendorwatch scan` first, so
-- findings holds the scan's live findings):
--
--   psql -h 127.0.0.1 -U postgres -d vw_scan100k -f scripts/scanfloor/floor.sql
--
-- 1. The baseline of the scan benchmark: its two statements.
-- 2. Writing the findings of a fresh scan: the live findings copied into a
--    table with only the constraints the issue asks for (a primary key and
--    the one-live-finding-per-(rule, subject) unique index), server-side,
--    in a transaction rolled back. No client, no JSON, no foreign key.
-- 3. Reading the facts of the policy family (every active vendor with its
--    data handling, active contracts and unrejected attestations), which
--    attestation.missing and the two clause rules judge, to /dev/null.
\timing on
\o /dev/null
SELECT a.id, a.vendor_id, v.name, a.kind, a.expires_on FROM attestations a JOIN vendors v ON v.id = a.vendor_id
WHERE v.status = 'active' AND a.review_status <> 'rejected' AND a.expires_on < '2026-11-01'
AND NOT EXISTS (SELECT 1 FROM attestations b WHERE b.vendor_id = a.vendor_id AND b.kind = a.kind
	AND b.review_status <> 'rejected' AND (b.expires_on > a.expires_on OR (b.expires_on = a.expires_on AND b.id > a.id)));
SELECT i.id, i.vendor_id, v.name, i.vendor_discovered_at, i.vendor_notified_us_at, i.notice_due_at
FROM incidents i JOIN vendors v ON v.id = i.vendor_id
WHERE i.notice_due_at IS NOT NULL AND i.vendor_notified_us_at > i.notice_due_at;
\o
BEGIN;
CREATE TEMP TABLE live_copy AS SELECT * FROM findings WHERE status <> 'resolved';
CREATE TABLE floor_findings (LIKE findings INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE floor_findings ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON floor_findings (rule_id, subject_type, subject_id) WHERE status <> 'resolved';
INSERT INTO floor_findings SELECT * FROM live_copy;
ROLLBACK;
\o /dev/null
SELECT id, name, tier FROM vendors WHERE status = 'active' ORDER BY id;
SELECT h.vendor_id, h.category, h.jurisdictions FROM data_handling h JOIN vendors v ON v.id = h.vendor_id
WHERE v.status = 'active' ORDER BY h.vendor_id;
SELECT c.id, c.vendor_id, c.status, c.security_standard, c.right_to_audit, c.subprocessor_approval,
	c.data_return_or_destruction, c.dpa, c.baa, cv.id, cv.effective_from, cv.effective_to, cv.window_value,
	cv.window_unit, cv.standard, cv.trigger, cv.notify, cv.required_content, cv.update_every_hours
FROM contracts c JOIN vendors v ON v.id = c.vendor_id
LEFT JOIN clause_versions cv ON cv.contract_id = c.id AND cv.effective_from <= now()
	AND (cv.effective_to IS NULL OR cv.effective_to > now())
WHERE v.status = 'active' AND c.status = 'active' ORDER BY c.vendor_id, c.id;
SELECT a.id, a.vendor_id, a.kind, a.issued_on, a.expires_on, a.review_status
FROM attestations a JOIN vendors v ON v.id = a.vendor_id
WHERE v.status = 'active' AND a.review_status <> 'rejected' ORDER BY a.vendor_id;
\o
