package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// notice is the part of an incident the clock tests read.
type notice struct {
	Status     string
	WindowText string     `json:"window_text"`
	DueAt      *time.Time `json:"due_at"`
	Lag        *incident.Span
	LateBy     *incident.Span `json:"late_by"`
	LearnedVia string         `json:"learned_via"`
	ContractID string         `json:"contract_id"`
}

func incidentNotice(t *testing.T, res response) notice {
	t.Helper()
	var inc struct{ Notice notice }
	res.decode(t, &inc)
	return inc.Notice
}

func (e *testEnv) createIncident(body map[string]any) map[string]any {
	e.t.Helper()
	res := e.do("POST", "/api/v1/incidents", e.keys[domain.RoleVendorManager], body)
	mustStatus(e.t, res, http.StatusCreated)
	return res.object(e.t)
}

func TestNotificationClock(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		legal := e.keys[domain.RoleLegal]

		// [24]7: a 72-hour clause from discovery, amended to 24 hours only
		// after the breach was discovered.
		chat := e.vendorWithData("[24]7.ai", []string{"US", "US-CA"}, "cardholder_data", "chat_transcripts")
		c := e.createContract(map[string]any{"vendor_id": chat, "title": "Chat MSA", "status": "active", "effective_on": "2016-06-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
		mustStatus(t, e.do("POST", "/api/v1/contracts/"+c["id"].(string)+"/amendments", legal, map[string]any{
			"effective_from": "2017-11-01", "reason": "Amendment No. 1",
			"breach_notification": map[string]any{"window": map[string]any{"value": 24, "unit": "hours"}, "trigger": "discovery"}}), 200)
		inc := e.createIncident(map[string]any{"vendor_id": chat, "title": "Chat widget malware",
			"exposure_start": "2017-09-26T00:00:00Z", "exposure_end": "2017-10-12T00:00:00Z",
			"vendor_discovered_at": "2017-10-12T00:00:00Z", "vendor_notified_us_at": "2018-03-28T00:00:00Z",
			"we_learned_at": "2018-03-28T00:00:00Z", "learned_via": "vendor_notice"})
		n := incidentNotice(t, e.do("GET", "/api/v1/incidents/"+inc["id"].(string), e.keys[domain.RoleExecutive], nil))
		if n.Status != "late" || n.WindowText != "72 hours" || !n.DueAt.Equal(time.Date(2017, 10, 15, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("[24]7 clock = %+v", n)
		}
		if *n.Lag != (incident.Span{Hours: 4008, Days: 167}) || *n.LateBy != (incident.Span{Hours: 3936, Days: 164}) {
			t.Errorf("[24]7 lag %+v late by %+v, want 167 and 164 days", *n.Lag, *n.LateBy)
		}
		// Defaults from data handling.
		if strings.Join(toStrings(inc["categories"]), ",") != "cardholder_data,chat_transcripts" || inc["records_estimated"] != true {
			t.Errorf("defaults: categories %v, estimated %v", inc["categories"], inc["records_estimated"])
		}

		// Two business days across Thanksgiving and a weekend: discovered
		// Wednesday 25 Nov 2026 15:30, due Monday 30 Nov 15:30.
		hosting := e.vendorWithData("Hosting", []string{"US"}, "contact_pii")
		e.createContract(map[string]any{"vendor_id": hosting, "title": "Hosting", "status": "active", "effective_on": "2026-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 2, "unit": "business_days"}, "trigger": "discovery"}})
		e.clock.set(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
		for _, tc := range []struct {
			notified string
			status   string
		}{{"2026-11-30T15:30:00Z", "on_time"}, {"2026-11-30T15:30:01Z", "late"}} {
			inc := e.createIncident(map[string]any{"vendor_id": hosting, "title": "Outage " + tc.notified,
				"vendor_discovered_at": "2026-11-25T15:30:00Z", "vendor_notified_us_at": tc.notified,
				"we_learned_at": tc.notified, "learned_via": "vendor_notice"})
			n := incidentNotice(t, e.do("GET", "/api/v1/incidents/"+inc["id"].(string), legal, nil))
			if n.Status != tc.status || !n.DueAt.Equal(time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC)) {
				t.Errorf("business days, notified %s: %+v, want %s due 2026-11-30T15:30Z", tc.notified, n, tc.status)
			}
		}

		// A vendor that never told us; we read it in the press. Overdue,
		// and it says how we learned.
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		press := e.createIncident(map[string]any{"vendor_id": hosting, "title": "Reported by a newspaper",
			"vendor_discovered_at": "2026-11-20T12:00:00Z", "we_learned_at": "2026-11-23T08:00:00Z", "learned_via": "press"})
		n = incidentNotice(t, e.do("GET", "/api/v1/incidents/"+press["id"].(string), legal, nil))
		// Due Tuesday 24 Nov 12:00 (Fri 20 + Mon 23): pending as of Monday noon...
		if n.Status != "pending" || n.LearnedVia != "press" || n.Lag != nil {
			t.Errorf("press incident on Monday: %+v", n)
		}
		// ...overdue by a day on Wednesday noon.
		e.clock.set(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
		n = incidentNotice(t, e.do("GET", "/api/v1/incidents/"+press["id"].(string), legal, nil))
		if n.Status != "overdue" || n.LateBy == nil || n.LateBy.Days != 1 {
			t.Errorf("press incident on Wednesday: %+v", n)
		}

		// No clause in force: the vendor signed nothing.
		bare := e.vendorWithData("No Contract Co", []string{"US"}, "ssn")
		inc = e.createIncident(map[string]any{"vendor_id": bare, "title": "Unknown terms",
			"vendor_discovered_at": "2026-10-01T00:00:00Z", "we_learned_at": "2026-10-05T00:00:00Z", "learned_via": "customer"})
		if n := incidentNotice(t, e.do("GET", "/api/v1/incidents/"+inc["id"].(string), legal, nil)); n.Status != "no_clause" || n.DueAt != nil {
			t.Errorf("no clause: %+v", n)
		}

		// History and portfolio figures: the chat vendor was late once.
		res := e.do("GET", "/api/v1/vendors/"+chat+"/notification-history", e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, 200)
		var hist struct {
			Stats struct {
				Incidents, Late int
				OnTimeRate      *float64       `json:"on_time_rate"`
				WorstLag        *incident.Span `json:"worst_lag"`
			}
		}
		res.decode(t, &hist)
		if hist.Stats.Incidents != 1 || hist.Stats.Late != 1 || *hist.Stats.OnTimeRate != 0 || hist.Stats.WorstLag.Days != 167 {
			t.Errorf("history stats = %+v", hist.Stats)
		}
		res = e.do("GET", "/api/v1/metrics/notification-timeliness", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, 200)
		var st incident.TimelinessStats
		res.decode(t, &st)
		// As of 25 Nov: [24]7 late, the Thanksgiving pair one on time and one
		// late, the press incident overdue, the bare vendor without a clause.
		if st.Incidents != 5 || st.OnTime != 1 || st.Late != 2 || st.Overdue != 1 || st.NoClause != 1 || *st.OnTimeRate != 0.25 {
			t.Errorf("portfolio = %+v (rate %v)", st, *st.OnTimeRate)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestAmendmentRelocatesPastIncident: a later amendment that reaches back
// before a recorded discovery changes the clause that governs it.
func TestAmendmentRelocatesPastIncident(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		v := e.vendorWithData("Payroll", []string{"US-NY"}, "ssn")
		c := e.createContract(map[string]any{"vendor_id": v, "title": "Payroll", "status": "active", "effective_on": "2026-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 10, "unit": "calendar_days"}, "trigger": "discovery"}})
		inc := e.createIncident(map[string]any{"vendor_id": v, "title": "Payroll leak",
			"vendor_discovered_at": "2026-06-10T00:00:00Z", "vendor_notified_us_at": "2026-06-15T00:00:00Z",
			"we_learned_at": "2026-06-15T00:00:00Z", "learned_via": "vendor_notice"})
		id := inc["id"].(string)
		if n := incidentNotice(t, e.do("GET", "/api/v1/incidents/"+id, e.keys[domain.RoleLegal], nil)); n.Status != "on_time" {
			t.Fatalf("before the amendment: %+v", n)
		}
		mustStatus(t, e.do("POST", "/api/v1/contracts/"+c["id"].(string)+"/amendments", e.keys[domain.RoleLegal], map[string]any{
			"effective_from": "2026-06-01", "reason": "Retroactive amendment signed in July",
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}}), 200)
		n := incidentNotice(t, e.do("GET", "/api/v1/incidents/"+id, e.keys[domain.RoleLegal], nil))
		if n.Status != "late" || n.WindowText != "72 hours" || n.LateBy.Days != 2 {
			t.Errorf("after the amendment: %+v", n)
		}
		// The contract now governs an incident's clock: it cannot be deleted.
		mustStatus(t, e.do("DELETE", "/api/v1/contracts/"+c["id"].(string), e.keys[domain.RoleLegal], nil), http.StatusConflict)
	})
}

func TestIncidentValidationAndTimeline(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		mgr := e.keys[domain.RoleVendorManager]
		v := e.vendorWithData("V", []string{"US"}, "contact_pii")
		base := func(extra map[string]any) map[string]any {
			b := map[string]any{"vendor_id": v, "title": "T", "vendor_discovered_at": "2026-11-01T00:00:00Z",
				"we_learned_at": "2026-11-02T00:00:00Z", "learned_via": "monitoring"}
			for k, x := range extra {
				b[k] = x
			}
			return b
		}
		before := [3]int64{e.countRows("incidents"), e.countRows("incident_timeline"), e.countRows("audit_events")}
		for _, tc := range []struct {
			name  string
			body  map[string]any
			code  int
			field string
		}{
			{"notice before discovery", base(map[string]any{"vendor_notified_us_at": "2026-10-31T23:59:59Z"}), 422, "vendor_notified_us_at"},
			{"discovery before exposure", base(map[string]any{"exposure_start": "2026-11-05T00:00:00Z"}), 422, "vendor_discovered_at"},
			{"exposure ends before it starts", base(map[string]any{"exposure_start": "2026-10-05T00:00:00Z", "exposure_end": "2026-10-01T00:00:00Z"}), 422, "exposure_end"},
			{"discovery in the future", base(map[string]any{"vendor_discovered_at": "2026-11-23T12:06:00Z"}), 422, "vendor_discovered_at"},
			{"unknown category", base(map[string]any{"categories": []string{"dna"}}), 422, "categories[0]"},
			{"unknown jurisdiction", base(map[string]any{"jurisdictions": []string{"US", "Atlantis"}}), 422, "jurisdictions[1]"},
			{"bad resident count", base(map[string]any{"residents": map[string]any{"US-ZZ": 5}}), 422, "residents.US-ZZ"},
			{"vendor notice without its time", base(map[string]any{"learned_via": "vendor_notice"}), 422, "vendor_notified_us_at"},
			{"bad instant", base(map[string]any{"we_learned_at": "yesterday"}), 422, "we_learned_at"},
			{"missing discovery", map[string]any{"vendor_id": v, "title": "T", "we_learned_at": "2026-11-02T00:00:00Z"}, 422, "vendor_discovered_at"},
			{"unknown vendor", base(map[string]any{"vendor_id": domain.NewID()}), 422, "vendor_id"},
			{"negative records", base(map[string]any{"records_affected": -1}), 422, "records_affected"},
			{"bad learned_via", base(map[string]any{"learned_via": "rumour"}), 422, "learned_via"},
			{"unknown field", base(map[string]any{"severity": "high"}), 400, "severity"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do("POST", "/api/v1/incidents", mgr, tc.body)
				mustStatus(t, res, tc.code)
				if !slices.Contains(res.fields(t), tc.field) {
					t.Errorf("fields %v, want %s", res.fields(t), tc.field)
				}
			})
		}
		if after := [3]int64{e.countRows("incidents"), e.countRows("incident_timeline"), e.countRows("audit_events")}; after != before {
			t.Errorf("bad input wrote rows: %v -> %v", before, after)
		}

		inc := e.createIncident(base(nil))
		id := inc["id"].(string)
		// Timeline: entries in order; a time beyond the tolerance is refused.
		mustStatus(t, e.do("POST", "/api/v1/incidents/"+id+"/timeline", e.keys[domain.RoleLegal], map[string]any{
			"at": "2026-11-23T12:04:00Z", "actor": "Jane Roe (legal)", "action": "called the vendor's CISO", "text": "Asked for the forensic report."}), 201)
		res := e.do("POST", "/api/v1/incidents/"+id+"/timeline", e.keys[domain.RoleLegal], map[string]any{
			"at": "2026-11-23T12:06:00Z", "action": "future"})
		mustStatus(t, res, 422)
		if !slices.Contains(res.fields(t), "at") {
			t.Errorf("fields %v", res.fields(t))
		}
		mustStatus(t, e.do("POST", "/api/v1/incidents/"+id+"/timeline", e.keys[domain.RoleExecutive], map[string]any{"action": "x"}), 403)
		res = e.do("GET", "/api/v1/incidents/"+id+"/timeline", e.keys[domain.RoleAuditor], nil)
		var tl struct {
			Items []struct {
				Seq           int64
				Actor, Action string
				RecordedBy    string `json:"recorded_by"`
			}
		}
		res.decode(t, &tl)
		if len(tl.Items) != 2 || tl.Items[0].Action != "incident recorded" || tl.Items[1].Actor != "Jane Roe (legal)" ||
			tl.Items[1].Seq != 2 || tl.Items[1].RecordedBy != e.keyIDs[domain.RoleLegal] {
			t.Errorf("timeline = %+v", tl.Items)
		}
		// Append-only, enforced by the database itself.
		if _, err := db.SQL().Exec("UPDATE incident_timeline SET text = 'edited' WHERE incident_id = '" + id + "'"); err == nil {
			t.Error("a timeline entry was edited")
		}
		if _, err := db.SQL().Exec("DELETE FROM incident_timeline WHERE incident_id = '" + id + "'"); err == nil {
			t.Error("a timeline entry was deleted")
		}

		// Recording the vendor's notice later adds a timeline entry; a
		// stale ETag is refused.
		mustStatus(t, e.do("PATCH", "/api/v1/incidents/"+id, mgr, map[string]any{"status": "contained"}, "If-Match", `"7"`), 412)
		res = e.do("PATCH", "/api/v1/incidents/"+id, mgr, map[string]any{"vendor_notified_us_at": "2026-11-20T09:00:00Z"}, "If-Match", `"1"`)
		mustStatus(t, res, 200)
		if n := incidentNotice(t, res); n.Status != "no_clause" || n.Lag.Days != 19.38 {
			t.Errorf("after the notice: %+v", n)
		}
		res = e.do("GET", "/api/v1/incidents/"+id+"/timeline", e.keys[domain.RoleAuditor], nil)
		if !strings.Contains(string(res.Body), "vendor notice recorded") {
			t.Errorf("timeline lacks the notice: %s", res.Body)
		}
		mustStatus(t, e.do("PATCH", "/api/v1/incidents/"+id, mgr, map[string]any{"vendor_id": domain.NewID()}), 422)
		// An incident keeps its vendor from being deleted.
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+v, e.keys[domain.RoleAdmin], nil), 409)
	})
}

func TestNoticeEvidence(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		v := e.vendorWithData("Mailer", []string{"US"}, "contact_pii")
		e.createContract(map[string]any{"vendor_id": v, "title": "Mailer", "status": "active", "effective_on": "2026-01-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 48, "unit": "hours"}, "trigger": "discovery"}})
		inc := e.createIncident(map[string]any{"vendor_id": v, "title": "Mailing list exposed",
			"vendor_discovered_at": "2026-11-20T08:00:00Z", "we_learned_at": "2026-11-21T09:00:00Z", "learned_via": "press"})
		id := inc["id"].(string)
		noticeFile := []byte("From: security@mailer.example\r\nSubject: Security incident notification\r\n\r\nWe discovered...")
		path := "/api/v1/incidents/" + id + "/notice-evidence"

		// Too large: nothing is kept, the incident is unchanged.
		big := bytes.Repeat([]byte("x"), testEvidenceLimit+1)
		res := e.uploadTo(path, e.keys[domain.RoleLegal], []evidencePart{{"file", "notice.txt", "text/plain", big}})
		mustStatus(t, res, http.StatusRequestEntityTooLarge)
		mustStatus(t, e.uploadTo(path, e.keys[domain.RoleExecutive], []evidencePart{{"file", "n.txt", "text/plain", noticeFile}}), http.StatusForbidden)

		res = e.uploadTo(path+"?received_at=2026-11-22T10:00:00Z", e.keys[domain.RoleLegal],
			[]evidencePart{{"file", "notice.eml.txt", "text/plain", noticeFile}})
		mustStatus(t, res, http.StatusOK)
		var got struct {
			VendorNotifiedUsAt time.Time `json:"vendor_notified_us_at"`
			NoticeEvidence     struct {
				SHA256     string    `json:"sha256"`
				ReceivedAt time.Time `json:"received_at"`
			} `json:"notice_evidence"`
			Notice notice
		}
		res.decode(t, &got)
		want := sha256Hex(noticeFile)
		if got.NoticeEvidence.SHA256 != want || !got.VendorNotifiedUsAt.Equal(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("notice evidence = %+v, notified %s", got.NoticeEvidence, got.VendorNotifiedUsAt)
		}
		// Discovered 20 Nov 08:00, 48 hours: due 22 Nov 08:00; the notice came at 10:00.
		if got.Notice.Status != "late" || got.Notice.LateBy.Hours != 2 {
			t.Errorf("clock after the notice = %+v", got.Notice)
		}
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+e.keys[domain.RoleAuditor])
		rec := httptest.NewRecorder()
		e.router.ServeHTTP(rec, req)
		if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), noticeFile) || rec.Header().Get("X-Content-SHA256") != want {
			t.Errorf("download: %d %q %q", rec.Code, rec.Body.String(), rec.Header().Get("X-Content-SHA256"))
		}
		res = e.do("GET", "/api/v1/incidents/"+id+"/timeline", e.keys[domain.RoleAuditor], nil)
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("timeline lacks the evidence hash: %s", res.Body)
		}
		res = e.do("GET", "/api/v1/audit-events?entity=incident&entity_id="+id, e.keys[domain.RoleAuditor], nil)
		if !strings.Contains(string(res.Body), want) {
			t.Error("audit trail lacks the evidence hash")
		}
	})
}
