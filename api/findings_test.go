package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

var scanT0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// findingView is a finding as the API returns it.
type findingView struct {
	ID          string         `json:"id"`
	RuleID      string         `json:"rule_id"`
	Severity    string         `json:"severity"`
	VendorID    string         `json:"vendor_id"`
	SubjectType string         `json:"subject_type"`
	SubjectID   string         `json:"subject_id"`
	Facts       map[string]any `json:"facts"`
	Status      string         `json:"status"`
	FirstSeenAt time.Time      `json:"first_seen_at"`
	LastSeenAt  time.Time      `json:"last_seen_at"`
	LastSeenRun string         `json:"last_seen_run"`
	ResolvedAt  *time.Time     `json:"resolved_at"`
	AcceptedBy  string         `json:"accepted_by"`
	Version     int64          `json:"version"`
}

// allFindings walks GET /findings with the query, page by page.
func (e *testEnv) allFindings(query string) []findingView {
	e.t.Helper()
	var out []findingView
	cursor := ""
	for range 100 {
		q := "?limit=500&" + query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		res := e.do("GET", "/api/v1/findings"+q, e.keys[domain.RoleExecutive], nil)
		mustStatus(e.t, res, 200)
		var page struct {
			Items      []findingView `json:"items"`
			NextCursor string        `json:"next_cursor"`
		}
		res.decode(e.t, &page)
		out = append(out, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			return out
		}
	}
	e.t.Fatal("too many pages")
	return nil
}

// live returns the live findings by "rule subject".
func (e *testEnv) live() map[string]findingView {
	e.t.Helper()
	out := map[string]findingView{}
	for _, f := range e.allFindings("") {
		if f.Status != "resolved" {
			out[f.RuleID+" "+f.SubjectID] = f
		}
	}
	return out
}

func (e *testEnv) runScan() finding.ScanResult {
	e.t.Helper()
	res, err := e.scan.Run(context.Background())
	if err != nil {
		e.t.Fatalf("scan: %v", err)
	}
	return res
}

// tieredVendor creates an active vendor with its tier overridden.
func (e *testEnv) tieredVendor(name, tier string) string {
	e.t.Helper()
	return e.createVendor(map[string]any{"name": name, "status": "active", "criticality": "low",
		"tier_override": tier, "tier_override_reason": "test"})["id"].(string)
}

func (e *testEnv) review(vendorID, on string) {
	e.t.Helper()
	mustStatus(e.t, e.do("POST", "/api/v1/reviews", e.keys[domain.RoleVendorManager], map[string]any{"vendor_id": vendorID,
		"performed_on": on, "reviewer": "Dana", "outcome": "approved", "residual_risk": "low"}), http.StatusCreated)
}

// build24x7 creates the [24]7 incident of TestNotificationClock and
// returns the vendor and incident ids.
func (e *testEnv) build24x7() (string, string) {
	e.t.Helper()
	chat := e.vendorWithData("[24]7.ai", []string{"US", "US-CA"}, "cardholder_data", "chat_transcripts")
	c := e.createContract(map[string]any{"vendor_id": chat, "title": "Chat MSA", "status": "active", "effective_on": "2016-06-01",
		"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
	mustStatus(e.t, e.do("POST", "/api/v1/contracts/"+c["id"].(string)+"/amendments", e.keys[domain.RoleLegal], map[string]any{
		"effective_from": "2017-11-01", "reason": "Amendment No. 1",
		"breach_notification": map[string]any{"window": map[string]any{"value": 24, "unit": "hours"}, "trigger": "discovery"}}), 200)
	inc := e.createIncident(map[string]any{"vendor_id": chat, "title": "Chat widget malware",
		"exposure_start": "2017-09-26T00:00:00Z", "exposure_end": "2017-10-12T00:00:00Z",
		"vendor_discovered_at": "2017-10-12T00:00:00Z", "vendor_notified_us_at": "2018-03-28T00:00:00Z",
		"we_learned_at": "2018-03-28T00:00:00Z", "learned_via": "vendor_notice"})
	return chat, inc["id"].(string)
}

func TestScanFindings(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		mgr := e.keys[domain.RoleVendorManager]

		// Reviews (high tier: 12 months). Next due yesterday, in 30
		// days, in 31 days; and never.
		overdue, soon, later := e.tieredVendor("Overdue Co", "high"), e.tieredVendor("Soon Co", "high"), e.tieredVendor("Later Co", "high")
		never := e.tieredVendor("Never Co", "low")
		e.review(overdue, "2025-11-22")
		e.review(soon, "2025-12-23")
		e.review(later, "2025-12-24")

		// Attestations: expired yesterday, expiring in 30 and 31 days, and
		// a qualified opinion still under review. An older expired SOC 2
		// of Soon Co is superseded by its newer one and stays silent.
		att := func(vendor, kind, expires string, extra ...string) string {
			body := map[string]any{"vendor_id": vendor, "kind": kind, "issued_on": "2025-06-01", "expires_on": expires}
			for i := 0; i+1 < len(extra); i += 2 {
				body[extra[i]] = extra[i+1]
			}
			return e.createAttestation(body)["id"].(string)
		}
		attExpired := att(overdue, "soc2_type2", "2026-11-22")
		attSoon := att(soon, "soc2_type2", "2026-12-23")
		attOld := att(soon, "iso27001", "2026-01-01")
		att(soon, "iso27001", "2027-06-01")
		attLater := att(later, "soc2_type2", "2026-12-24")
		attQualified := att(later, "iso27001", "2027-12-31", "opinion", "qualified", "review_status", "under_review")

		// Contracts: ended yesterday while active; renewal notice deadline
		// in 30 days, and in 31 days.
		ctr := func(vendor, expires string, noticeDays int) string {
			return e.createContract(map[string]any{"vendor_id": vendor, "title": "MSA " + expires, "status": "active",
				"effective_on": "2024-01-01", "expires_on": expires, "renewal_notice_days": noticeDays})["id"].(string)
		}
		ctrExpired := ctr(overdue, "2026-11-22", 0)
		ctrRenewal := ctr(soon, "2027-03-23", 90)
		ctrLater := ctr(later, "2027-03-24", 90)

		// Policy: card data and no contract; card data under a 48-hour
		// clause (the policy allows 24).
		bare := e.vendorWithData("Bare Card Co", []string{"US"}, "cardholder_data")
		slow := e.vendorWithData("Slow Card Co", []string{"US"}, "cardholder_data")
		ctrSlow := e.createContract(map[string]any{"vendor_id": slow, "title": "Slow MSA", "status": "active", "effective_on": "2024-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 48, "unit": "hours"}, "trigger": "discovery"}})["id"].(string)

		// Incidents: the [24]7 late notice; a notice overdue since an hour.
		_, inc247 := e.build24x7()
		quiet := e.vendorWithData("Quiet Co", []string{"US"}, "contact_pii")
		e.createContract(map[string]any{"vendor_id": quiet, "title": "Quiet MSA", "status": "active", "effective_on": "2024-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
		incOverdue := e.createIncident(map[string]any{"vendor_id": quiet, "title": "Read it in the paper",
			"vendor_discovered_at": scanT0.Add(-73 * time.Hour).Format(time.RFC3339), "we_learned_at": scanT0.Add(-time.Hour).Format(time.RFC3339),
			"learned_via": "press"})["id"].(string)

		first := e.runScan()
		if first.Opened == 0 || first.StillOpen != 0 || first.Resolved != 0 {
			t.Fatalf("first scan: %+v", first)
		}
		live := e.live()
		if len(live) != first.Opened {
			t.Errorf("%d live findings after the first scan, which opened %d", len(live), first.Opened)
		}
		for _, want := range []struct {
			key  string
			fire bool
		}{
			{finding.RuleReviewOverdue + " " + overdue, true},
			{finding.RuleReviewDueSoon + " " + soon, true},
			{finding.RuleReviewDueSoon + " " + later, false},
			{finding.RuleReviewOverdue + " " + later, false},
			{finding.RuleReviewMissing + " " + never, true},
			{finding.RuleReviewMissing + " " + later, false},
			{finding.RuleAttestationExpired + " " + attExpired, true},
			{finding.RuleAttestationExpiring + " " + attSoon, true},
			{finding.RuleAttestationExpired + " " + attOld, false},
			{finding.RuleAttestationExpiring + " " + attLater, false},
			{finding.RuleAttestationQualified + " " + attQualified, true},
			{finding.RuleContractExpired + " " + ctrExpired, true},
			{finding.RuleContractRenewalNotice + " " + ctrRenewal, true},
			{finding.RuleContractRenewalNotice + " " + ctrLater, false},
			{finding.RuleContractNoNotificationClause + " " + bare, true},
			{finding.RuleAttestationMissing + " " + bare, true},
			{finding.RuleContractNoNotificationClause + " " + slow, false},
			{finding.RuleContractWindowExceedsPolicy + " " + ctrSlow, true},
			{finding.RuleIncidentNoticeLate + " " + inc247, true},
			{finding.RuleIncidentNoticeOverdue + " " + incOverdue, true},
			{finding.RuleIncidentNoticeLate + " " + incOverdue, false},
		} {
			if _, ok := live[want.key]; ok != want.fire {
				t.Errorf("finding %s: present %v, want %v", want.key, ok, want.fire)
			}
		}
		// The [24]7 case: lag 167 days, 164 days late.
		late := live[finding.RuleIncidentNoticeLate+" "+inc247]
		lag, _ := late.Facts["lag"].(map[string]any)
		lateBy, _ := late.Facts["late_by"].(map[string]any)
		if lag["days"] != 167.0 || lateBy["days"] != 164.0 || late.Facts["window"] != "72 hours" || late.Severity != "high" {
			t.Errorf("[24]7 finding facts %v severity %s", late.Facts, late.Severity)
		}
		if f := live[finding.RuleIncidentNoticeOverdue+" "+incOverdue]; f.Facts["learned_from_press"] != true || f.Severity != "critical" {
			t.Errorf("overdue notice facts %v", f.Facts)
		}
		// Our obligations from 2018 are all overdue.
		nObl := 0
		for _, o := range e.obligations(inc247) {
			if o.Status == "open" && o.DueAt != nil {
				nObl++
				if _, ok := live[finding.RuleObligationOverdue+" "+o.ID]; !ok {
					t.Errorf("open obligation %s due %s has no overdue finding", o.RegimeID, o.DueAt)
				}
			}
		}
		if nObl == 0 {
			t.Error("the [24]7 incident has no open obligation with a deadline")
		}

		// A finding stored without a fingerprint (written before the column
		// existed) is rewritten once, with one.
		if _, err := db.SQL().Exec("UPDATE findings SET fingerprint = NULL WHERE id = '" + late.ID + "'"); err != nil {
			t.Fatal(err)
		}

		// A second scan an hour later changes nothing but last_seen_at.
		e.clock.set(scanT0.Add(time.Hour))
		second := e.runScan()
		if second.Opened != 0 || second.Resolved != 0 || second.StillOpen != first.Opened {
			t.Errorf("second scan %+v, first opened %d", second, first.Opened)
		}
		live2 := e.live()
		if len(live2) != len(live) {
			t.Errorf("%d live findings after the second scan, %d before", len(live2), len(live))
		}
		for k, f := range live {
			g := live2[k]
			if g.ID != f.ID || !g.FirstSeenAt.Equal(scanT0) || !g.LastSeenAt.Equal(scanT0.Add(time.Hour)) {
				t.Errorf("%s: before %+v after %+v", k, f, g)
				break
			}
		}
		if n := e.countRows("findings"); n != int64(len(live)) {
			t.Errorf("%d finding rows, want %d (no duplicates)", n, len(live))
		}
		// Only the findings whose facts changed in the hour (overdue-by
		// figures) were rewritten; the others' rows still hold the first
		// run, and the API shows the second (the rule's last complete
		// judgement) for all.
		unchanged := 0
		for k, f := range live {
			if reflect.DeepEqual(f.Facts, live2[k].Facts) && f.Severity == live2[k].Severity {
				unchanged++
			}
		}
		var stamped int64
		if err := db.SQL().QueryRow("SELECT count(*) FROM findings WHERE last_seen_run = '" + first.RunID + "'").Scan(&stamped); err != nil {
			t.Fatal(err)
		}
		if unchanged < 2 || stamped != int64(unchanged-1) {
			t.Errorf("%d finding rows still stamped with the first run, want the %d unchanged ones but the one without a fingerprint",
				stamped, unchanged)
		}
		var lateRun string
		var lateFingerprinted bool
		if err := db.SQL().QueryRow("SELECT last_seen_run, fingerprint IS NOT NULL FROM findings WHERE id = '"+late.ID+"'").
			Scan(&lateRun, &lateFingerprinted); err != nil {
			t.Fatal(err)
		}
		if lateRun != second.RunID || !lateFingerprinted {
			t.Errorf("the finding without a fingerprint: last_seen_run %s (want the second run), fingerprint stored %v",
				lateRun, lateFingerprinted)
		}
		for k, g := range live2 {
			if g.LastSeenRun != second.RunID {
				t.Errorf("%s: last_seen_run %s, want the second run %s", k, g.LastSeenRun, second.RunID)
				break
			}
		}

		// Fixing conditions resolves their findings, which are kept with the
		// last run that saw them.
		mustStatus(t, e.do("PATCH", "/api/v1/attestations/"+attExpired, mgr, map[string]any{"expires_on": "2027-06-01"}), 200)
		e.review(overdue, "2026-11-20")
		e.clock.set(scanT0.Add(2 * time.Hour))
		third := e.runScan()
		if third.Resolved != 2 || third.ByRule[finding.RuleAttestationExpired].Resolved != 1 || third.ByRule[finding.RuleReviewOverdue].Resolved != 1 || third.Opened != 0 {
			t.Errorf("third scan %+v", third)
		}
		old := live[finding.RuleAttestationExpired+" "+attExpired]
		res := e.do("GET", "/api/v1/findings/"+old.ID, e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, 200)
		var got findingView
		res.decode(t, &got)
		if got.Status != "resolved" || got.ResolvedAt == nil || !got.ResolvedAt.Equal(scanT0.Add(2*time.Hour)) ||
			!got.LastSeenAt.Equal(scanT0.Add(time.Hour)) || got.LastSeenRun != second.RunID {
			t.Errorf("resolved finding %+v: want resolved at T0+2h, last seen at T0+1h by the second run", got)
		}
		if g := e.live()[finding.RuleIncidentNoticeLate+" "+inc247]; !g.LastSeenAt.Equal(scanT0.Add(2*time.Hour)) || g.LastSeenRun != third.RunID {
			t.Errorf("[24]7 finding after the third scan: last seen %s by %s", g.LastSeenAt, g.LastSeenRun)
		}

		// List filters and pagination.
		for _, q := range []struct {
			query string
			check func(findingView) bool
		}{
			{"rule=review.overdue", func(f findingView) bool { return f.RuleID == "review.overdue" }},
			{"severity=critical", func(f findingView) bool { return f.Severity == "critical" }},
			{"status=resolved", func(f findingView) bool { return f.Status == "resolved" }},
			{"vendor_id=" + soon, func(f findingView) bool { return f.VendorID == soon }},
		} {
			items := e.allFindings(q.query)
			if len(items) == 0 {
				t.Errorf("%s: no items", q.query)
			}
			for _, f := range items {
				if !q.check(f) {
					t.Errorf("%s: item %+v", q.query, f)
				}
			}
		}
		if n := len(e.allFindings("opened_after=" + url.QueryEscape(scanT0.Format(time.RFC3339)))); n != 0 {
			t.Errorf("opened_after=T0: %d items, want 0", n)
		}
		all := e.allFindings("")
		if n := len(e.allFindings("opened_after=" + url.QueryEscape(scanT0.Add(-time.Second).Format(time.RFC3339)))); n != len(all) {
			t.Errorf("opened_after=T0-1s: %d items, want %d", n, len(all))
		}
		var paged []string
		cursor := ""
		for {
			q := "/api/v1/findings?limit=3"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			res := e.do("GET", q, e.keys[domain.RoleAuditor], nil)
			mustStatus(t, res, 200)
			var page struct {
				Items      []findingView `json:"items"`
				NextCursor string        `json:"next_cursor"`
			}
			res.decode(t, &page)
			for _, f := range page.Items {
				paged = append(paged, f.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		slices.Sort(paged)
		if len(paged) != len(all) || len(slices.Compact(paged)) != len(all) {
			t.Errorf("paging by 3 gave %d ids, want %d distinct", len(paged), len(all))
		}
		for _, bad := range []string{"rule=nope", "severity=huge", "status=closed", "vendor_id=x", "opened_after=yesterday"} {
			mustStatus(t, e.do("GET", "/api/v1/findings?"+bad, e.keys[domain.RoleAuditor], nil), http.StatusBadRequest)
		}

		res = e.do("GET", "/api/v1/rules", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, 200)
		var rules struct{ Items []finding.Rule }
		res.decode(t, &rules)
		if len(rules.Items) != len(finding.Rules) {
			t.Errorf("%d rules listed", len(rules.Items))
		}
	})
}

func TestFindingDecisions(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		v := e.tieredVendor("Unreviewed Co", "low")
		e.runScan()
		f, ok := e.live()[finding.RuleReviewMissing+" "+v]
		if !ok {
			t.Fatal("no review.missing finding")
		}
		path := "/api/v1/findings/" + f.ID
		mgr := e.keys[domain.RoleVendorManager]

		for _, role := range []domain.Role{domain.RoleExecutive, domain.RoleAuditor} {
			mustStatus(t, e.do("PATCH", path, e.keys[role], map[string]any{"status": "acknowledged"}), http.StatusForbidden)
		}
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"status": "risk_accepted", "accepted_until": "2026-12-01"}, "reason"},
			{map[string]any{"status": "risk_accepted", "reason": "compensating control"}, "accepted_until"},
			{map[string]any{"status": "risk_accepted", "reason": "r", "accepted_until": "2026-11-23"}, "accepted_until"},
			{map[string]any{"status": "resolved"}, "status"},
		} {
			res := e.do("PATCH", path, mgr, tc.body)
			mustStatus(t, res, http.StatusUnprocessableEntity)
			if !slices.Contains(res.fields(t), tc.field) {
				t.Errorf("%v: fields %v, want %s", tc.body, res.fields(t), tc.field)
			}
		}
		res := e.do("PATCH", path, e.keys[domain.RoleLegal], map[string]any{"status": "acknowledged"}, "If-Match", `"1"`)
		mustStatus(t, res, 200)
		if res.Header.Get("ETag") != `"2"` {
			t.Errorf("ETag %s", res.Header.Get("ETag"))
		}
		mustStatus(t, e.do("PATCH", path, mgr, map[string]any{"status": "open"}, "If-Match", `"1"`), http.StatusPreconditionFailed)
		res = e.do("PATCH", path, mgr, map[string]any{"status": "risk_accepted", "reason": "vendor is being offboarded",
			"accepted_until": "2026-12-01"}, "If-Match", `"2"`)
		mustStatus(t, res, 200)
		var got findingView
		res.decode(t, &got)
		if got.Status != "risk_accepted" || got.AcceptedBy != e.keyIDs[domain.RoleVendorManager] {
			t.Errorf("accepted %+v", got)
		}

		// Still accepted on the last day; reopened the day after.
		e.clock.set(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
		if r := e.runScan(); r.Reopened != 0 || e.live()[finding.RuleReviewMissing+" "+v].Status != "risk_accepted" {
			t.Errorf("scan on the last accepted day: %+v", r)
		}
		e.clock.set(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
		r := e.runScan()
		if r.Reopened != 1 || r.ByRule[finding.RuleReviewMissing].Reopened != 1 {
			t.Errorf("scan after the acceptance: %+v", r)
		}
		if g := e.live()[finding.RuleReviewMissing+" "+v]; g.ID != f.ID || g.Status != "open" {
			t.Errorf("after expiry %+v", g)
		}
		mustStatus(t, e.do("GET", "/api/v1/findings/"+domain.NewID(), mgr, nil), http.StatusNotFound)
	})
}

// TestFindingLiveIndex checks that the database itself refuses a second
// live finding for a key, and accepts one once the first is resolved.
func TestFindingLiveIndex(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		v := e.tieredVendor("Index Co", "low")
		ph := func(n int) string {
			if db.Dialect() == repository.Postgres {
				return fmt.Sprintf("$%d", n)
			}
			return "?"
		}
		insert := fmt.Sprintf(`INSERT INTO findings (id, rule_id, severity, vendor_id, subject_type, subject_id, facts, status,
			first_seen_at, last_seen_at, last_seen_run, version, updated_at)
			VALUES (%s, 'review.missing', 'medium', %s, 'vendor', %s, '{}', 'open', %s, %s, 'raw', 1, %s)`,
			ph(1), ph(2), ph(3), ph(4), ph(5), ph(6))
		now := time.Now().UTC()
		if _, err := db.SQL().Exec(insert, domain.NewID(), v, v, now, now, now); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(insert, domain.NewID(), v, v, now, now, now); err == nil {
			t.Fatal("a second live finding for the same key was accepted")
		}
		if _, err := db.SQL().Exec(fmt.Sprintf("UPDATE findings SET status = 'resolved', resolved_at = %s", ph(1)), now); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(insert, domain.NewID(), v, v, now, now, now); err != nil {
			t.Errorf("a live finding after the resolved one: %v", err)
		}
	})
}

// TestScanConcurrentRun checks that a second run while one holds the scan
// fails cleanly.
func TestScanConcurrentRun(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		store := repository.NewFindings(db)
		if err := store.BeginRun(context.Background(), domain.NewID(), scanT0.Add(-time.Minute), scanT0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.scan.Run(context.Background()); err != finding.ErrScanRunning {
			t.Errorf("second run: %v, want ErrScanRunning", err)
		}
		// A run older than the lease is taken over.
		e.clock.set(scanT0.Add(2 * time.Hour))
		e.runScan()
	})
}

// recordingSink keeps the events published to it.
type recordingSink struct{ events []domain.Event }

func (r *recordingSink) Publish(_ context.Context, events ...domain.Event) error {
	r.events = append(r.events, events...)
	return nil
}

func (r *recordingSink) count(typ string) int {
	n := 0
	for _, e := range r.events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// TestScanEvents checks what a scan publishes: finding.opened for each new
// finding, incident.notice_late, finding.escalated when a live finding's
// severity rises, finding.resolved when its condition clears.
func TestScanEvents(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		sink := &recordingSink{}
		svc := services.New(db.Stores(t.TempDir()), services.Settings{Clock: e.clock, Events: sink})
		e.build24x7()
		v := e.tieredVendor("Opinion Co", "low")
		a := e.createAttestation(map[string]any{"vendor_id": v, "kind": "iso27001", "issued_on": "2026-01-01",
			"expires_on": "2028-01-01", "opinion": "qualified"})["id"].(string)

		res, err := svc.Scan.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if sink.count(domain.EventFindingOpened) != res.Opened || sink.count(domain.EventNoticeLate) != 1 || res.EventsFailed != 0 {
			t.Errorf("first scan opened %d; events: %d opened, %d notice_late", res.Opened,
				sink.count(domain.EventFindingOpened), sink.count(domain.EventNoticeLate))
		}
		sink.events = nil
		mgr := e.keys[domain.RoleVendorManager]
		mustStatus(t, e.do("PATCH", "/api/v1/attestations/"+a, mgr, map[string]any{"opinion": "adverse"}), 200)
		if res, err = svc.Scan.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if res.Opened != 0 || res.Escalated != 1 || sink.count(domain.EventFindingEscalated) != 1 || sink.count(domain.EventFindingOpened) != 0 {
			t.Errorf("after adverse opinion: %+v, %d escalated events", res, sink.count(domain.EventFindingEscalated))
		}
		sink.events = nil
		mustStatus(t, e.do("PATCH", "/api/v1/attestations/"+a, mgr, map[string]any{"review_status": "accepted"}), 200)
		if res, err = svc.Scan.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if res.Resolved != 1 || sink.count(domain.EventFindingResolved) != 1 {
			t.Errorf("after accepting the report: %+v, %d resolved events", res, sink.count(domain.EventFindingResolved))
		}
	})
}
