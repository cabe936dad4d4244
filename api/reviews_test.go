package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// reviewToday is the fixed "now" of the review tests: 2026-03-14 UTC.
var reviewToday = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

// postReview records a review through the API as the vendor manager.
func postReview(e *testEnv, body map[string]any) map[string]any {
	e.t.Helper()
	res := e.do("POST", "/api/v1/reviews", e.keys[domain.RoleVendorManager], body)
	mustStatus(e.t, res, http.StatusCreated)
	return res.object(e.t)
}

// reviewBody is a valid review of vendorID performed on the given date.
func reviewBody(vendorID, performedOn string) map[string]any {
	return map[string]any{"vendor_id": vendorID, "performed_on": performedOn, "reviewer": "Dana Reyes",
		"outcome": "approved", "residual_risk": "low"}
}

// reviewStatus returns a vendor's last_review_on, next_review_due (""
// for null) and review_overdue, and its ETag.
func reviewStatus(e *testEnv, vendorID string) (last, next string, overdue bool, etag string) {
	e.t.Helper()
	res := e.do("GET", "/api/v1/vendors/"+vendorID, e.keys[domain.RoleAuditor], nil)
	mustStatus(e.t, res, http.StatusOK)
	v := res.object(e.t)
	str := func(x any) string {
		if x == nil {
			return ""
		}
		return x.(string)
	}
	return str(v["last_review_on"]), str(v["next_review_due"]), v["review_overdue"].(bool), res.Header.Get("ETag")
}

func TestReviewLifecycle(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(reviewToday)
		mgr := e.keys[domain.RoleVendorManager]
		vendor := e.createVendor(map[string]any{"name": "Acme Chat"}) // tier low: 36 months
		vid := vendor["id"].(string)
		if vendor["last_review_on"] != nil || vendor["next_review_due"] != nil || vendor["review_overdue"] != false {
			t.Errorf("new vendor review status = %v %v %v", vendor["last_review_on"], vendor["next_review_due"], vendor["review_overdue"])
		}

		// Record a review: 201 with ETag, Location and next_due.
		res := e.do("POST", "/api/v1/reviews", mgr, reviewBody(vid, "2026-01-31"))
		mustStatus(t, res, http.StatusCreated)
		first := res.object(t)
		id := first["id"].(string)
		if res.Header.Get("ETag") != `"1"` || res.Header.Get("Location") != "/api/v1/reviews/"+id {
			t.Errorf("ETag %q, Location %q", res.Header.Get("ETag"), res.Header.Get("Location"))
		}
		if first["next_due"] != "2029-01-31" || first["created_by"] != e.keyIDs[domain.RoleVendorManager] ||
			first["notes"] != nil || first["version"] != float64(1) || first["outcome"] != "approved" {
			t.Errorf("created review = %v", first)
		}
		// The vendor shows it; its ETag does not move (derived field).
		if last, next, od, etag := reviewStatus(e, vid); last != "2026-01-31" || next != "2029-01-31" || od || etag != `"1"` {
			t.Errorf("vendor after first review: %s %s %v ETag %s", last, next, od, etag)
		}

		// next_due follows the vendor's current effective tier.
		res = e.do("PATCH", "/api/v1/vendors/"+vid, mgr, map[string]any{"tier_override": "critical", "tier_override_reason": "payments"}, "If-Match", `"1"`)
		mustStatus(t, res, http.StatusOK)
		if got := res.object(t); got["next_review_due"] != "2027-01-31" || got["last_review_on"] != "2026-01-31" {
			t.Errorf("vendor after tier change: %v %v", got["last_review_on"], got["next_review_due"])
		}
		res = e.do("GET", "/api/v1/reviews/"+id, e.keys[domain.RoleLegal], nil)
		mustStatus(t, res, http.StatusOK)
		if got := res.object(t); got["next_due"] != "2027-01-31" || res.Header.Get("ETag") != `"1"` {
			t.Errorf("review after tier change: next_due %v, ETag %s", got["next_due"], res.Header.Get("ETag"))
		}

		// An older review does not change last_review_on.
		older := postReview(e, reviewBody(vid, "2025-06-30"))
		if last, _, _, _ := reviewStatus(e, vid); last != "2026-01-31" {
			t.Errorf("after an older review: last_review_on %s", last)
		}
		// Moving the newest review back: the older one becomes the latest.
		res = e.do("PATCH", "/api/v1/reviews/"+id, mgr, map[string]any{"performed_on": "2024-02-29", "notes": "re-dated"}, "If-Match", `"1"`)
		mustStatus(t, res, http.StatusOK)
		if got := res.object(t); got["performed_on"] != "2024-02-29" || got["next_due"] != "2025-02-28" || got["notes"] != "re-dated" ||
			res.Header.Get("ETag") != `"2"` {
			t.Errorf("patched review = %v, ETag %s", got, res.Header.Get("ETag"))
		}
		if last, next, od, _ := reviewStatus(e, vid); last != "2025-06-30" || next != "2026-06-30" || od {
			t.Errorf("after re-dating: %s %s %v", last, next, od)
		}
		mustStatus(t, e.do("PATCH", "/api/v1/reviews/"+id, mgr, map[string]any{"reviewer": "X"}, "If-Match", `"1"`), http.StatusPreconditionFailed)
		mustStatus(t, e.do("DELETE", "/api/v1/reviews/"+older["id"].(string), mgr, nil, "If-Match", `"7"`), http.StatusPreconditionFailed)

		// Deleting the latest falls back to the previous review, whose next
		// due date (critical: 12 months, clamped) has passed.
		mustStatus(t, e.do("DELETE", "/api/v1/reviews/"+older["id"].(string), mgr, nil, "If-Match", `"1"`), http.StatusNoContent)
		mustStatus(t, e.do("GET", "/api/v1/reviews/"+older["id"].(string), mgr, nil), http.StatusNotFound)
		if last, next, od, _ := reviewStatus(e, vid); last != "2024-02-29" || next != "2025-02-28" || !od {
			t.Errorf("after deleting the latest: %s %s overdue %v, want 2024-02-29 2025-02-28 true", last, next, od)
		}

		// Overdue flips the day after the due date; the list filter agrees.
		never := e.createVendor(map[string]any{"name": "Never Reviewed"})
		listed := func(query string) []string {
			t.Helper()
			res := e.do("GET", "/api/v1/vendors?review_overdue="+query, e.keys[domain.RoleExecutive], nil)
			mustStatus(t, res, http.StatusOK)
			var page struct{ Items []struct{ Name string } }
			res.decode(t, &page)
			var names []string
			for _, it := range page.Items {
				names = append(names, it.Name)
			}
			return names
		}
		for _, tc := range []struct {
			now     time.Time
			overdue bool
		}{
			{time.Date(2025, 2, 28, 23, 59, 59, 0, time.UTC), false},
			{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), true},
		} {
			e.clock.set(tc.now)
			if _, _, od, _ := reviewStatus(e, vid); od != tc.overdue {
				t.Errorf("at %s: review_overdue %v, want %v", tc.now, od, tc.overdue)
			}
			wantOver, wantNot := "[]", "[Acme Chat Never Reviewed]"
			if tc.overdue {
				wantOver, wantNot = "[Acme Chat]", "[Never Reviewed]"
			}
			if got := fmt.Sprint(listed("true")); got != wantOver {
				t.Errorf("at %s: review_overdue=true lists %s, want %s", tc.now, got, wantOver)
			}
			if got := fmt.Sprint(listed("false")); got != wantNot {
				t.Errorf("at %s: review_overdue=false lists %s, want %s", tc.now, got, wantNot)
			}
		}
		if _, next, od, _ := reviewStatus(e, never["id"].(string)); next != "" || od {
			t.Errorf("never reviewed: next %q overdue %v", next, od)
		}
		e.clock.set(reviewToday)

		// A vendor with reviews cannot be deleted.
		res = e.do("DELETE", "/api/v1/vendors/"+vid, mgr, nil)
		mustStatus(t, res, http.StatusConflict)
		mustStatus(t, e.do("DELETE", "/api/v1/reviews/"+id, mgr, nil), http.StatusNoContent)
		if last, next, od, _ := reviewStatus(e, vid); last != "" || next != "" || od {
			t.Errorf("after deleting every review: %q %q %v", last, next, od)
		}
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+vid, mgr, nil), http.StatusNoContent)

		// Every review write is audited, by the caller's key.
		res = e.do("GET", "/api/v1/audit-events?entity=review&entity_id="+id, e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, http.StatusOK)
		var events struct {
			Items []struct {
				Action  string
				ActorID string `json:"actor_id"`
				Before  map[string]any
				After   map[string]any
			}
		}
		res.decode(t, &events)
		var actions []string
		for _, ev := range events.Items {
			actions = append(actions, ev.Action)
			if ev.ActorID != e.keyIDs[domain.RoleVendorManager] {
				t.Errorf("%s by %s", ev.Action, ev.ActorID)
			}
		}
		if want := []string{"review.delete", "review.update", "review.create"}; !slices.Equal(actions, want) {
			t.Errorf("audit actions = %v, want %v", actions, want)
		} else if events.Items[1].Before["performed_on"] != "2026-01-31" || events.Items[1].After["performed_on"] != "2024-02-29" {
			t.Errorf("update event before/after = %v / %v", events.Items[1].Before, events.Items[1].After)
		}
	})
}

func TestReviewValidation(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(reviewToday)
		mgr := e.keys[domain.RoleVendorManager]
		vid := e.createVendor(map[string]any{"name": "Acme"})["id"].(string)
		existing := postReview(e, reviewBody(vid, "2026-01-31"))
		rid := existing["id"].(string)
		reviewsBefore, auditBefore := e.countRows("reviews"), e.countRows("audit_events")

		with := func(k string, v any) map[string]any {
			b := reviewBody(vid, "2026-03-01")
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
			return b
		}
		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"performed tomorrow", with("performed_on", "2026-03-15"), 422, "performed_on"},
			{"performed before 1900", with("performed_on", "1899-12-31"), 422, "performed_on"},
			{"no such day", with("performed_on", "2026-02-30"), 400, "performed_on"},
			{"not a date", with("performed_on", "14/03/2026"), 400, "performed_on"},
			{"date as a number", with("performed_on", 20260301), 400, "performed_on"},
			{"missing performed_on", with("performed_on", nil), 422, "performed_on"},
			{"unknown outcome", with("outcome", "passed"), 422, "outcome"},
			{"outcome as a number", with("outcome", 1), 400, "outcome"},
			{"unknown residual risk", with("residual_risk", "severe"), 422, "residual_risk"},
			{"missing residual risk", with("residual_risk", nil), 422, "residual_risk"},
			{"missing reviewer", with("reviewer", nil), 422, "reviewer"},
			{"blank reviewer", with("reviewer", "   "), 422, "reviewer"},
			{"reviewer as a number", with("reviewer", 42), 400, "reviewer"},
			{"notes too long", with("notes", strings.Repeat("n", 10001)), 422, "notes"},
			{"unknown vendor", with("vendor_id", domain.NewID()), 422, "vendor_id"},
			{"vendor not a uuid", with("vendor_id", "acme"), 422, "vendor_id"},
			{"missing vendor", with("vendor_id", nil), 422, "vendor_id"},
			{"unknown field", with("score", 3), 400, "score"},
			{"malformed JSON", `{"vendor_id": "x"`, 400, "body"},
			{"empty body", "", 400, "body"},
			{"array body", `[]`, 400, "body"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do("POST", "/api/v1/reviews", mgr, tc.body)
				mustStatus(t, res, tc.status)
				if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type = %q", ct)
				}
				if !slices.Contains(res.fields(t), tc.field) {
					t.Errorf("fields = %v, want %q among them; body %s", res.fields(t), tc.field, res.Body)
				}
			})
		}

		patches := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"null reviewer", map[string]any{"reviewer": nil}, 422, "reviewer"},
			{"null outcome", map[string]any{"outcome": nil}, 422, "outcome"},
			{"null performed_on", map[string]any{"performed_on": nil}, 422, "performed_on"},
			{"move to another vendor", map[string]any{"vendor_id": domain.NewID()}, 422, "vendor_id"},
			{"performed in the future", map[string]any{"performed_on": "2027-01-01"}, 422, "performed_on"},
			{"bad residual risk", map[string]any{"residual_risk": "none"}, 422, "residual_risk"},
			{"notes too long", map[string]any{"notes": strings.Repeat("n", 10001)}, 422, "notes"},
			{"unknown field", map[string]any{"grade": "A"}, 400, "grade"},
			{"wrong type", map[string]any{"notes": 5}, 400, "notes"},
		}
		for _, tc := range patches {
			t.Run("patch "+tc.name, func(t *testing.T) {
				res := e.do("PATCH", "/api/v1/reviews/"+rid, mgr, tc.body)
				mustStatus(t, res, tc.status)
				if !slices.Contains(res.fields(t), tc.field) {
					t.Errorf("fields = %v, want %q; body %s", res.fields(t), tc.field, res.Body)
				}
			})
		}
		if r, a := e.countRows("reviews"), e.countRows("audit_events"); r != reviewsBefore || a != auditBefore {
			t.Errorf("bad input wrote rows: reviews %d->%d, audit %d->%d", reviewsBefore, r, auditBefore, a)
		}
		got := e.do("GET", "/api/v1/reviews/"+rid, mgr, nil).object(t)
		if got["version"] != float64(1) || got["reviewer"] != "Dana Reyes" {
			t.Errorf("bad patches changed the review: %v", got)
		}
		if last, _, _, _ := reviewStatus(e, vid); last != "2026-01-31" {
			t.Errorf("bad input changed last_review_on: %s", last)
		}

		// Same vendor_id is accepted; null notes clears them; performed
		// today is fine.
		res := e.do("PATCH", "/api/v1/reviews/"+rid, mgr, map[string]any{"vendor_id": vid, "notes": nil, "performed_on": "2026-03-14"})
		mustStatus(t, res, http.StatusOK)
		if got := res.object(t); got["notes"] != nil || got["performed_on"] != "2026-03-14" {
			t.Errorf("patched = %v", got)
		}
		for _, path := range []string{"/api/v1/reviews/" + domain.NewID(), "/api/v1/reviews/not-a-uuid"} {
			mustStatus(t, e.do("GET", path, mgr, nil), http.StatusNotFound)
			mustStatus(t, e.do("PATCH", path, mgr, map[string]any{"reviewer": "x"}), http.StatusNotFound)
			mustStatus(t, e.do("DELETE", path, mgr, nil), http.StatusNotFound)
		}
		// Read-only roles cannot write.
		mustStatus(t, e.do("POST", "/api/v1/reviews", e.keys[domain.RoleAuditor], reviewBody(vid, "2026-03-01")), http.StatusForbidden)
		mustStatus(t, e.do("DELETE", "/api/v1/reviews/"+rid, e.keys[domain.RoleLegal], nil), http.StatusForbidden)
	})
}

func TestReviewListFiltersAndPaging(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(reviewToday)
		a := e.createVendor(map[string]any{"name": "Alpha"})["id"].(string)
		b := e.createVendor(map[string]any{"name": "Beta"})["id"].(string)
		var ids []string
		add := func(vendor, on, outcome string) {
			body := reviewBody(vendor, on)
			body["outcome"] = outcome
			ids = append(ids, postReview(e, body)["id"].(string))
		}
		add(a, "2024-01-15", "approved")                 // 0
		add(a, "2024-06-30", "rejected")                 // 1
		add(b, "2024-06-30", "approved")                 // 2
		add(b, "2025-01-01", "approved_with_conditions") // 3
		add(a, "2025-02-28", "approved")                 // 4

		key := e.keys[domain.RoleExecutive]
		list := func(query string) []int {
			t.Helper()
			res := e.do("GET", "/api/v1/reviews"+query, key, nil)
			mustStatus(t, res, http.StatusOK)
			var page struct{ Items []struct{ ID string } }
			res.decode(t, &page)
			out := []int{}
			for _, it := range page.Items {
				out = append(out, slices.Index(ids, it.ID))
			}
			return out
		}
		for query, want := range map[string]string{
			"":                             "[4 3 2 1 0]",
			"?vendor_id=" + a:              "[4 1 0]",
			"?outcome=approved":            "[4 2 0]",
			"?performed_after=2024-06-30":  "[4 3]",
			"?performed_before=2024-06-30": "[0]",
			"?performed_after=2024-01-15&performed_before=2025-01-02": "[3 2 1]",
			"?vendor_id=" + b + "&outcome=approved":                   "[2]",
			"?vendor_id=" + domain.NewID():                            "[]",
		} {
			if got := fmt.Sprint(list(query)); got != want {
				t.Errorf("GET /reviews%s = %s, want %s", query, got, want)
			}
		}

		// Pages of two, through next_cursor.
		var seen []int
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			path := "/api/v1/reviews?limit=2"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			res := e.do("GET", path, key, nil)
			mustStatus(t, res, http.StatusOK)
			var page struct {
				Items      []struct{ ID string }
				NextCursor string `json:"next_cursor"`
			}
			res.decode(t, &page)
			if len(page.Items) > 2 {
				t.Fatalf("page of %d items", len(page.Items))
			}
			for _, it := range page.Items {
				seen = append(seen, slices.Index(ids, it.ID))
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if fmt.Sprint(seen) != "[4 3 2 1 0]" {
			t.Errorf("paged = %v", seen)
		}

		for _, q := range []struct{ query, field string }{
			{"?vendor_id=acme", "vendor_id"}, {"?outcome=passed", "outcome"},
			{"?performed_after=yesterday", "performed_after"}, {"?performed_before=2025-13-01", "performed_before"},
			{"?limit=0", "limit"}, {"?cursor=***", "cursor"}, {"?cursor=bm90LWFuLWlk", "cursor"},
		} {
			res := e.do("GET", "/api/v1/reviews"+q.query, key, nil)
			if res.Code != 400 && res.Code != 422 {
				t.Errorf("%s: status %d, want 400 or 422", q.query, res.Code)
			}
			if !slices.Contains(res.fields(t), q.field) {
				t.Errorf("%s: fields = %v, want %s", q.query, res.fields(t), q.field)
			}
		}
		res := e.do("GET", "/api/v1/vendors?review_overdue=yes", key, nil)
		mustStatus(t, res, 400)
		if !slices.Contains(res.fields(t), "review_overdue") {
			t.Errorf("review_overdue=yes: fields %v", res.fields(t))
		}
	})
}

func TestReviewCadenceEndpoint(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		res := e.do("GET", "/api/v1/review-cadence", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, http.StatusOK)
		var got struct {
			Months map[string]int
			Source domain.Source
		}
		res.decode(t, &got)
		if fmt.Sprint(got.Months) != "map[critical:12 high:12 low:36 moderate:24]" {
			t.Errorf("months = %v", got.Months)
		}
		if got.Source.Status != "V" || !strings.HasPrefix(got.Source.Citation, "Venminder via Third Party ThinkTank (2024-09-04)") {
			t.Errorf("source = %+v", got.Source)
		}
	})
}
