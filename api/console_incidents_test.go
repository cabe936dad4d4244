package api_test

import (
	"bytes"
	"errors"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// incidentWriterRoles may record incidents, notices and evidence.
var incidentWriterRoles = []domain.Role{domain.RoleAdmin, domain.RoleVendorManager, domain.RoleLegal}

var incidentLink = regexp.MustCompile(`<a href="/incidents/([0-9a-f-]{36})">([^<]*)</a>`)

// incidentTitles are the incident titles of a list page, in order.
func incidentTitles(p page) []string {
	var out []string
	for _, m := range incidentLink.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, html.UnescapeString(m[2]))
	}
	return out
}

// overdueIncident records, at a vendor with a 72-hour clause, an incident
// discovered on 2026-10-01 of which the vendor has not told us.
func (e *testEnv) overdueIncident() (vendor, id string) {
	e.t.Helper()
	vendor = e.vendorWithData("Quiet Cloud", []string{"US"}, "chat_transcripts")
	e.createContract(map[string]any{"vendor_id": vendor, "title": "Cloud MSA", "status": "active", "effective_on": "2025-01-01",
		"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
	inc := e.createIncident(map[string]any{"vendor_id": vendor, "title": "Storage bucket left open",
		"vendor_discovered_at": "2026-10-01T00:00:00Z", "we_learned_at": "2026-10-20T00:00:00Z", "learned_via": "press"})
	return vendor, inc["id"].(string)
}

// TestConsoleIncidentList: every role reads the list, each incident
// linking to its page with its notice verdict in words; the filters
// (status, vendor, notice verdict) and keyset pages are the API's; only
// the roles that may record see the link to the form.
func TestConsoleIncidentList(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.consolePortfolio()
		quiet, overdue := e.overdueIncident()
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			l := b.get("/incidents")
			mustPage(t, l, 200)
			mustShow(t, l, "<h1>Incidents</h1>", `href="/incidents/`+p.incident+`"`, `href="/incidents/`+overdue+`"`,
				`<span class="badge b-bad">late</span><span class="sub">by 164 days</span>`,
				`<span class="badge b-bad">overdue</span>`, "[24]7.ai", "Quiet Cloud",
				`<a href="/incidents" aria-current="page">Incidents</a>`)
			if slices.Contains(incidentWriterRoles, role) {
				mustShow(t, l, `href="/incidents/new"`)
			} else {
				mustNotShow(t, l, `href="/incidents/new"`, "Record an incident")
			}
		}
		b := e.signedIn(domain.RoleExecutive)
		for query, want := range map[string][]string{
			"notice=late":                  {"Chat widget malware"},
			"notice=overdue":               {"Storage bucket left open"},
			"notice=late,overdue":          {"Storage bucket left open", "Chat widget malware"},
			"notice=on_time":               nil,
			"status=closed":                nil,
			"status=open&notice=late":      {"Chat widget malware"},
			"vendor_id=" + quiet:           {"Storage bucket left open"},
			"vendor_id=" + p.chat + "&x=1": {"Chat widget malware"},
		} {
			l := b.get("/incidents?" + query)
			mustPage(t, l, 200)
			if got := incidentTitles(l); !slices.Equal(got, want) {
				t.Errorf("?%s: %q, want %q", query, got, want)
			}
			if want == nil && !strings.Contains(l.Body, "No incident matches the filters.") {
				t.Errorf("?%s: the empty list does not say so", query)
			}
		}
		mustShow(t, b.get("/incidents?vendor_id="+p.chat), "<h1>Incidents of [24]7.ai</h1>")
		// The filters keep their values.
		mustShow(t, b.get("/incidents?notice=late,overdue"), `<option value="late,overdue" selected>late or overdue</option>`)

		// Keyset pages: one per page, newest first, then the first page.
		first := b.get("/incidents?limit=1")
		if got := incidentTitles(first); !slices.Equal(got, []string{"Storage bucket left open"}) {
			t.Fatalf("first page %q", got)
		}
		m := nextLink.FindStringSubmatch(first.Body)
		if m == nil {
			t.Fatal("no next page link")
		}
		second := b.get(html.UnescapeString(m[1]))
		if got := incidentTitles(second); !slices.Equal(got, []string{"Chat widget malware"}) {
			t.Errorf("second page %q", got)
		}
		mustShow(t, second, ">First page</a>")

		// Bad filters are refused and name the parameter.
		for _, q := range []string{"notice=late,never", "status=lost", "vendor_id=nope", "cursor=!!"} {
			l := b.get("/incidents?" + q)
			mustPage(t, l, http.StatusBadRequest)
			mustShow(t, l, "<code>"+strings.Split(q, "=")[0]+"</code>")
		}

		// The vendor page links to its incidents.
		v := b.get("/vendors/" + p.chat)
		mustShow(t, v, `href="/incidents/`+p.incident+`"`, `href="/incidents?vendor_id=`+p.chat+`"`)

		// The API's list takes the same notice filter.
		res := e.do("GET", "/api/v1/incidents?notice=overdue", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, 200)
		var list struct{ Items []struct{ ID string } }
		res.decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != overdue {
			t.Errorf("API ?notice=overdue: %+v", list.Items)
		}
		mustStatus(t, e.do("GET", "/api/v1/incidents?notice=soon", e.keys[domain.RoleAuditor], nil), http.StatusBadRequest)
	})
}

// TestConsoleIncidentPage: every role reads the incident page: the clock
// drawn with its words, the clause that governs and why, our deadlines
// with citations and countdowns, the blast radius and the timeline. Only
// the roles that may record see the forms.
func TestConsoleIncidentPage(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.consolePortfolio()
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/incidents/" + p.incident)
			mustPage(t, pg, 200)
			mustShow(t, pg, "<h1>Chat widget malware</h1>", `<title>Chat widget malware · Vendorwatch</title>`,
				// The clock: a picture with a title and description, every
				// mark and span named in words.
				`role="img" aria-labelledby="clock-title clock-desc"`, `<title id="clock-title">Notice late by 164 days</title>`,
				">Vendor discovered<", ">Notice due (72 hours)<", ">Vendor notified us<", "2017-10-12 00:00 UTC", "2017-10-15 00:00 UTC",
				"2018-03-28 00:00 UTC", "late by 164 days", "window: 72 hours",
				`<dd id="late-by">164 days</dd>`, "Lag (notice after discovery)", "167 days",
				// Why this clause: the explanation the API computes.
				"The 72-hour clause of the Chat MSA (version 1, in force 2016-06-01 to 2017-11-01) governs",
				"The 24-hour amendment of 2017-11-01 came later and does not apply.", "not yet in force",
				// Our deadlines, with citations and countdowns.
				`id="obligations"`, "Cal. Civ. Code", " days ago<",
				// Blast radius and timeline.
				"Blast radius", "cardholder data", "50,000", "US-CA", "Chat MSA", "<td>72 hours</td>",
				"incident recorded", `href="/vendors/`+p.chat+`"`)
			writer := slices.Contains(incidentWriterRoles, role)
			for _, form := range []string{`action="/incidents/` + p.incident + `/notice"`,
				`action="/incidents/` + p.incident + `/notice-evidence"`} {
				if strings.Contains(pg.Body, form) != writer {
					t.Errorf("%s: form %s shown = %v", role, form, !writer)
				}
			}
		}
		b := e.signedIn(domain.RoleAuditor)
		mustPage(t, b.get("/incidents/01234567-89ab-7def-8123-456789abcdef"), http.StatusNotFound)
		mustPage(t, b.get("/incidents/nope"), http.StatusNotFound)
		// A reader cannot open the form, nor post it.
		mustPage(t, b.get("/incidents/new"), http.StatusForbidden)
	})
}

// TestConsoleRecordIncident: the vendor is found by name; the form's
// errors are shown next to their fields with what was typed, nothing is
// written; a valid incident opens its page with its clock; a reader's
// post and a post without the CSRF token are refused.
func TestConsoleRecordIncident(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		chat := e.vendorWithData("[24]7.ai", []string{"US", "US-CA"}, "cardholder_data", "chat_transcripts")
		e.createContract(map[string]any{"vendor_id": chat, "title": "Chat MSA", "status": "active", "effective_on": "2016-06-01",
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
		b := e.signedIn(domain.RoleVendorManager)
		s := b.get("/incidents/new?q=24")
		mustPage(t, s, 200)
		mustShow(t, s, `<a href="/incidents/new?vendor_id=`+chat+`">[24]7.ai</a>`)
		mustShow(t, b.get("/incidents/new?q=nothing"), "No vendor’s name contains")
		f := b.get("/incidents/new?vendor_id=" + chat)
		mustPage(t, f, 200)
		mustShow(t, f, "<h1>Record an incident at [24]7.ai</h1>", `<label for="title">`, `<label for="discovered_date">`,
			`<label for="learned_via">`, `<label for="notice_date">`, `<label for="records_affected">`)

		incidents, audit := e.count("SELECT count(*) FROM incidents"), e.count("SELECT count(*) FROM audit_events")
		bad := url.Values{"vendor_id": {chat}, "title": {"Chat widget malware"}, "discovered_date": {"2017-10-12"},
			"learned_date": {"2018-03-28"}, "learned_via": {"vendor_notice"}, "notice_date": {"2017-10-01"},
			"exposure_start": {"2017-13-01"}, "records_affected": {"lots"}}
		r := b.post("/incidents", bad)
		mustPage(t, r, http.StatusUnprocessableEntity)
		mustShow(t, r, `id="vendor_notified_us_at-error">must not be before vendor_discovered_at`,
			`id="exposure_start-error">must be a date in the form YYYY-MM-DD`,
			`id="records_affected-error">must be a whole number`, `value="Chat widget malware"`, `value="2017-10-01"`,
			`value="lots"`, `value="2017-13-01"`, `aria-invalid="true" aria-describedby="records_affected-error"`,
			"Nothing was saved: 3 fields need correcting")
		// Missing required fields, each named.
		r = b.post("/incidents", url.Values{"vendor_id": {chat}, "learned_via": {"vendor_notice"}})
		mustPage(t, r, http.StatusUnprocessableEntity)
		mustShow(t, r, `id="title-error">is required`, `id="vendor_discovered_at-error">is required`,
			`id="we_learned_at-error">is required`, `id="vendor_notified_us_at-error">is required when we learned of the incident by the vendor’s notice (learned_via vendor_notice)`)
		if n := e.count("SELECT count(*) FROM incidents"); n != incidents {
			t.Errorf("invalid forms wrote %d incidents", n-incidents)
		}
		if n := e.count("SELECT count(*) FROM audit_events"); n != audit {
			t.Errorf("invalid forms wrote %d audit events", n-audit)
		}

		good := url.Values{"vendor_id": {chat}, "title": {"Chat widget malware"}, "discovered_date": {"2017-10-12"},
			"learned_date": {"2018-03-28"}, "learned_via": {"vendor_notice"}, "notice_date": {"2018-03-28"},
			"notice_time": {"09:30"}, "exposure_start": {"2017-09-26"}, "exposure_end": {"2017-10-12"}}
		// Without the CSRF token, or as a reader: refused, nothing written.
		form := clone(good)
		form.Set("csrf", "")
		mustPage(t, b.do("POST", "/incidents", form), http.StatusForbidden)
		reader := e.signedIn(domain.RoleExecutive)
		reader.get("/incidents")
		mustPage(t, reader.post("/incidents", clone(good)), http.StatusForbidden)
		if n := e.count("SELECT count(*) FROM incidents"); n != incidents {
			t.Errorf("refused posts wrote %d incidents", n-incidents)
		}

		r = b.post("/incidents", good)
		if r.Code != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "?saved=incident") {
			t.Fatalf("record: %d to %q\n%s", r.Code, r.Header.Get("Location"), r.Body)
		}
		pg := b.get(r.Header.Get("Location"))
		mustPage(t, pg, 200)
		mustShow(t, pg, `id="saved">Saved: the incident is recorded`, "Notice late by 164 days", "2018-03-28 09:30 UTC",
			"by vendor_manager-0@example.com")
	})
}

// TestConsoleRecordNotice: the vendor's notice is recorded on the version
// read; a stale form is a conflict showing both, a bad date is shown next
// to its field; neither writes.
func TestConsoleRecordNotice(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		_, id := e.overdueIncident()
		b := e.signedIn(domain.RoleLegal)
		pg := b.get("/incidents/" + id)
		mustShow(t, pg, "Notice overdue by 51 days", "Now: no notice yet", `name="version" value="1"`)

		version := func() int {
			return e.count("SELECT version FROM incidents WHERE id = '" + id + "'")
		}
		r := b.post("/incidents/"+id+"/notice", url.Values{"version": {"1"}, "notice_date": {"2026-09-30"}})
		mustPage(t, r, http.StatusUnprocessableEntity)
		mustShow(t, r, `id="notice_date-error">must not be before vendor_discovered_at`, `value="2026-09-30"`)
		r = b.post("/incidents/"+id+"/notice", url.Values{"version": {"1"}, "notice_date": {"2026-10-30"}, "notice_time": {"25:00"}})
		mustPage(t, r, http.StatusUnprocessableEntity)
		mustShow(t, r, "the time must be in the form HH:MM", `value="25:00"`)
		r = b.post("/incidents/"+id+"/notice", url.Values{"version": {"1"}, "notice_date": {""}})
		mustPage(t, r, http.StatusUnprocessableEntity)
		mustShow(t, r, `id="notice_date-error">is required`)
		if v := version(); v != 1 {
			t.Fatalf("invalid notices moved the version to %d", v)
		}

		// Someone else records the notice through the API first.
		mustStatus(t, e.do("PATCH", "/api/v1/incidents/"+id, e.keys[domain.RoleVendorManager],
			map[string]any{"vendor_notified_us_at": "2026-10-02T00:00:00Z"}, "If-Match", `"1"`), 200)
		r = b.post("/incidents/"+id+"/notice", url.Values{"version": {"1"}, "notice_date": {"2026-10-30"}})
		mustPage(t, r, http.StatusConflict)
		mustShow(t, r, `id="conflict"`, "Yours was read at version 1; it is now at version 2", "2026-10-30 00:00 UTC",
			"2026-10-02 00:00 UTC", `name="version" value="2"`, `value="2026-10-30"`)
		if v := version(); v != 2 {
			t.Fatalf("a stale notice moved the version to %d", v)
		}

		r = b.post("/incidents/"+id+"/notice", url.Values{"version": {"2"}, "notice_date": {"2026-10-30"}, "notice_time": {"14:00"}})
		mustRedirect(t, r, "/incidents/"+id+"?saved=notice")
		pg = b.get("/incidents/" + id + "?saved=notice")
		mustShow(t, pg, "Saved: the vendor’s notice is recorded", "Notice late by 27 days", "2026-10-30 14:00 UTC")

		// A reader, and a post without the token, are refused.
		mustPage(t, b.do("POST", "/incidents/"+id+"/notice", url.Values{"version": {"3"}, "notice_date": {"2026-10-31"}}),
			http.StatusForbidden)
		a := e.signedIn(domain.RoleAuditor)
		a.get("/incidents/" + id)
		mustPage(t, a.post("/incidents/"+id+"/notice", url.Values{"version": {"3"}, "notice_date": {"2026-10-31"}}),
			http.StatusForbidden)
		if v := version(); v != 3 {
			t.Errorf("refused posts moved the version to %d", v)
		}
		// A bad version is a bad request.
		mustPage(t, b.post("/incidents/"+id+"/notice", url.Values{"version": {"x"}, "notice_date": {"2026-10-31"}}),
			http.StatusBadRequest)
	})
}

// clone copies form values.
func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// multipartPart is one part of a multipart form: a field, or the file
// when filename is set.
type multipartPart struct {
	name, value, filename, contentType string
}

// upload posts a multipart form with the parts in order.
func (b *browser) upload(path string, parts ...multipartPart) page {
	b.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var err error
		if p.filename != "" {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", `form-data; name="`+p.name+`"; filename="`+p.filename+`"`)
			h.Set("Content-Type", p.contentType)
			pw, perr := w.CreatePart(h)
			if perr == nil {
				_, err = pw.Write([]byte(p.value))
			}
			err = errors.Join(perr, err)
		} else {
			err = w.WriteField(p.name, p.value)
		}
		if err != nil {
			b.t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.t.Fatal(err)
	}
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.RemoteAddr = b.addr + ":40000"
	for _, c := range b.cookies {
		if strings.HasPrefix(req.URL.Path, c.Path) {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	rec := httptest.NewRecorder()
	b.e.router.ServeHTTP(rec, req)
	return page{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

// TestConsoleNoticeEvidence: the notice evidence is uploaded with the
// API's limit and type checks, the csrf field first; a refused file is
// shown next to the file field and nothing is stored; the file is then
// downloadable from the page.
func TestConsoleNoticeEvidence(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(scanT0)
		_, id := e.overdueIncident()
		b := e.signedIn(domain.RoleVendorManager)
		pg := b.get("/incidents/" + id)
		mustShow(t, pg, `enctype="multipart/form-data"`, "at most 1 KiB", `<label for="file">`)
		csrf := multipartPart{name: "csrf", value: b.csrf}
		version := func(v string) multipartPart { return multipartPart{name: "version", value: v} }
		letter := "Dear customer, on 2026-10-01 we discovered that a storage bucket was left open.\n"
		file := func(content, ctype string) multipartPart {
			return multipartPart{name: "file", filename: "notice.txt", value: content, contentType: ctype}
		}
		stored := func() int { return e.count("SELECT count(*) FROM incidents WHERE notice_evidence IS NOT NULL") }

		for name, tc := range map[string]struct {
			parts  []multipartPart
			status int
			shows  string
		}{
			"no token":        {[]multipartPart{version("1"), file(letter, "text/plain")}, http.StatusForbidden, ""},
			"wrong token":     {[]multipartPart{{name: "csrf", value: "AAAA"}, version("1"), file(letter, "text/plain")}, http.StatusForbidden, ""},
			"token not first": {[]multipartPart{version("1"), csrf, file(letter, "text/plain")}, http.StatusForbidden, ""},
			"too large": {[]multipartPart{csrf, version("1"), file(strings.Repeat("x", 2000), "text/plain")},
				http.StatusRequestEntityTooLarge, `id="file-error">`},
			"a program": {[]multipartPart{csrf, version("1"), file("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "application/octet-stream")},
				http.StatusUnsupportedMediaType, `id="file-error">the content is application/octet-stream`},
			"declared otherwise": {[]multipartPart{csrf, version("1"), file(letter, "image/png")},
				http.StatusUnsupportedMediaType, `id="file-error">`},
			"no file":     {[]multipartPart{csrf, version("1")}, http.StatusUnprocessableEntity, `id="file-error">is required`},
			"future date": {[]multipartPart{csrf, version("1"), {name: "received_date", value: "2027-01-01"}, file(letter, "text/plain")}, http.StatusUnprocessableEntity, `id="received_date-error">must not be in the future`},
			"stale":       {[]multipartPart{csrf, version("7"), file(letter, "text/plain")}, http.StatusConflict, "Not stored: someone changed this incident"},
		} {
			r := b.upload("/incidents/"+id+"/notice-evidence", tc.parts...)
			if r.Code != tc.status || !strings.Contains(r.Body, tc.shows) {
				t.Errorf("%s: %d, want %d showing %q\n%s", name, r.Code, tc.status, tc.shows, r.Body)
			}
		}
		if n := stored(); n != 0 {
			t.Fatalf("refused uploads stored evidence on %d incidents", n)
		}
		// A reader may not upload.
		a := e.signedIn(domain.RoleExecutive)
		a.get("/incidents/" + id)
		r := a.upload("/incidents/"+id+"/notice-evidence", multipartPart{name: "csrf", value: a.csrf}, version("1"),
			file(letter, "text/plain"))
		mustPage(t, r, http.StatusForbidden)

		r = b.upload("/incidents/"+id+"/notice-evidence", csrf, version("1"), multipartPart{name: "received_date", value: "2026-10-30"},
			file(letter, "text/plain"))
		mustRedirect(t, r, "/incidents/"+id+"?saved=evidence")
		pg = b.get("/incidents/" + id + "?saved=evidence")
		mustShow(t, pg, "Saved: the notice evidence is stored", `href="/incidents/`+id+`/notice-evidence">notice.txt</a>`,
			"vendor notice evidence stored", "Notice late by 26 days")
		// Anyone signed in may read it.
		d := a.get("/incidents/" + id + "/notice-evidence")
		mustPage(t, d, 200)
		if d.Body != letter || !strings.Contains(d.Header.Get("Content-Disposition"), "notice.txt") {
			t.Errorf("download: %q, %q", d.Body, d.Header.Get("Content-Disposition"))
		}
	})
}
