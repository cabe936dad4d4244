package api_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// clausePortfolio adds to the console portfolio a second vendor (EU
// health data, low tier) with an active contract that has no clause, a
// draft and a terminated contract: the audit shows only active ones.
type clausePortfolio struct {
	consolePortfolio
	msa, health, healthID, draft string
}

func (e *testEnv) clausePortfolio() clausePortfolio {
	e.t.Helper()
	p := clausePortfolio{consolePortfolio: e.consolePortfolio()}
	for _, c := range e.allContracts("vendor_id=" + p.chat) {
		p.msa = c
	}
	p.healthID = e.vendorWithData("Mediclinic Data", []string{"DE"}, "health_phi")
	mustStatus(e.t, e.do("PATCH", "/api/v1/vendors/"+p.healthID, e.keys[domain.RoleVendorManager], map[string]any{
		"tier_override": "low", "tier_override_reason": "test"}), http.StatusOK)
	p.health = e.createContract(map[string]any{"vendor_id": p.healthID, "title": "Records hosting agreement",
		"status": "active", "effective_on": "2025-01-01", "expires_on": "2027-12-31", "renewal_notice_days": 90, "dpa": true,
		"annual_value": map[string]any{"amount_minor": 12_000_000, "currency": "USD"}})["id"].(string)
	p.draft = e.createContract(map[string]any{"vendor_id": p.healthID, "title": "Draft renewal", "effective_on": "2026-01-01"})["id"].(string)
	e.createContract(map[string]any{"vendor_id": p.healthID, "title": "Old terminated deal", "status": "terminated",
		"effective_on": "2020-01-01"})
	return p
}

// allContracts lists the ids of the contracts the API lists for query.
func (e *testEnv) allContracts(query string) []string {
	e.t.Helper()
	var page struct{ Items []struct{ ID string } }
	e.do("GET", "/api/v1/contracts?"+query, e.keys[domain.RoleAuditor], nil).decode(e.t, &page)
	out := make([]string, len(page.Items))
	for i, c := range page.Items {
		out[i] = c.ID
	}
	return out
}

// auditLine matches a line of the clause audit: contract, requirement
// title, verdict.
var auditLine = regexp.MustCompile(`<th scope="row"><a href="/contracts/([0-9a-f-]{36})">[^<]*</a>(?:<span class="sub">[^<]*</span>)?</th>\s*<td>([^<]*)<span class="sub">[^<]*</span></td>\s*<td><span class="badge [a-z-]+">([a-z ]+)</span></td>`)

// auditLines are the lines of a clause audit page as "contract|title|verdict".
func auditLines(p page) []string {
	var out []string
	for _, m := range auditLine.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1]+"|"+html.UnescapeString(m[2])+"|"+m[3])
	}
	return out
}

// TestConsoleClauseAudit: every role reads the portfolio clause audit,
// which judges each active contract (never a draft or a terminated one)
// as the API's clause audit of that contract does; its filters and
// keyset pages; bad filters are 400 naming the parameter.
func TestConsoleClauseAudit(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.clausePortfolio()
		// What the API says of each active contract.
		var want []string
		for _, id := range []string{p.msa, p.health} {
			var audit struct {
				Findings []struct{ Title, Status string }
			}
			e.do("GET", "/api/v1/contracts/"+id+"/clause-audit", e.keys[domain.RoleAuditor], nil).decode(t, &audit)
			for _, f := range audit.Findings {
				want = append(want, id+"|"+f.Title+"|"+strings.ReplaceAll(f.Status, "_", " "))
			}
		}
		if len(want) < 5 {
			t.Fatalf("the API judges %d lines: %v", len(want), want)
		}
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/contracts")
			mustPage(t, pg, 200)
			mustShow(t, pg, "<h1>Clause audit</h1>", `<a href="/contracts" aria-current="page">Contracts</a>`,
				`<label for="f-outcome">Verdict</label>`, `<label for="f-requirement">Requirement</label>`,
				`<label for="f-kind">Clause kind</label>`, `<label for="f-tier">Vendor tier</label>`,
				`<a href="/vendors/`+p.chat+`">[24]7.ai</a>`, `<span class="badge b-bad">missing</span>`,
				`<span class="badge b-ok">met</span>`)
			mustNotShow(t, pg, "Draft renewal", "Old terminated deal")
			got := auditLines(pg)
			if g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)); !slices.Equal(g, w) {
				t.Errorf("%s: lines\n%v\nwant\n%v", role, g, w)
			}
		}
		b := e.signedIn(domain.RoleLegal)

		// Vendors in name order: [24]7.ai before Mediclinic.
		got := auditLines(b.get("/contracts"))
		if !strings.HasPrefix(got[0], p.msa) || !strings.HasPrefix(got[len(got)-1], p.health) {
			t.Errorf("order: %v", got)
		}
		// Each filter keeps only its lines, and its choice.
		for query, keep := range map[string]func(string) bool{
			"outcome=missing": func(l string) bool { return strings.HasSuffix(l, "|missing") },
			"outcome=met":     func(l string) bool { return strings.HasSuffix(l, "|met") },
			"requirement=pci-security-standard": func(l string) bool {
				return strings.Contains(l, "|PCI DSS named as the security standard for card data|")
			},
			"kind=breach_notification_window": func(l string) bool { return strings.Contains(l, "|Breach notification within") },
			"tier=low":                        func(l string) bool { return strings.HasPrefix(l, p.health) },
			"vendor_id=" + p.chat:             func(l string) bool { return strings.HasPrefix(l, p.msa) },
		} {
			pg := b.get("/contracts?" + query)
			mustPage(t, pg, 200)
			got := auditLines(pg)
			var wantLines []string
			for _, l := range want {
				if keep(l) {
					wantLines = append(wantLines, l)
				}
			}
			sort.Strings(got)
			sort.Strings(wantLines)
			if len(wantLines) == 0 || !slices.Equal(got, wantLines) {
				t.Errorf("%s: %v, want %v", query, got, wantLines)
			}
			k, v, _ := strings.Cut(query, "=")
			if k != "vendor_id" {
				mustShow(t, pg, `<option value="`+v+`" selected>`)
			}
		}
		mustShow(t, b.get("/contracts?vendor_id="+p.healthID), "<h1>Clause audit of Mediclinic Data</h1>")
		mustShow(t, b.get("/contracts?tier=high&outcome=too_weak"), "No line matches the filters.")

		// Keyset pages of two lines, the filters kept, cover the whole audit.
		var all []string
		next := "/contracts?limit=2&tier=critical"
		for range 10 {
			pg := b.get(next)
			mustPage(t, pg, 200)
			all = append(all, auditLines(pg)...)
			m := nextLink.FindStringSubmatch(pg.Body)
			if m == nil {
				break
			}
			next = html.UnescapeString(m[1])
			if !strings.Contains(next, "tier=critical") || !strings.Contains(next, "limit=2") {
				t.Errorf("next page %s lost the query", next)
			}
		}
		var critical []string
		for _, l := range want {
			if strings.HasPrefix(l, p.msa) {
				critical = append(critical, l)
			}
		}
		if len(all) != len(critical) || !slices.Equal(slices.Sorted(slices.Values(all)), slices.Sorted(slices.Values(critical))) {
			t.Errorf("pages: %v, want %v", all, critical)
		}

		// Bad filters: 400 naming the parameter.
		for query, field := range map[string]string{"outcome=bad": "outcome", "requirement=nope": "requirement",
			"kind=nope": "kind", "tier=extreme": "tier", "vendor_id=42": "vendor_id", "cursor=!!": "cursor",
			"cursor=" + url.QueryEscape("bm90IGEgY3Vyc29y"): "cursor", "limit=0": "limit"} {
			pg := b.get("/contracts?" + query)
			mustPage(t, pg, http.StatusBadRequest)
			mustShow(t, pg, "<code>"+field+"</code>")
		}
	})
}

// TestConsoleAmendRoles: the console's amendment post admits exactly the
// roles of the API's POST /contracts/{id}/amendments.
func TestConsoleAmendRoles(t *testing.T) {
	var console, amend []domain.Role
	for _, r := range api.ConsoleRoutes() {
		if r.Method == "POST" && r.Path == "/contracts/:id/amendments" {
			console = r.Roles
		}
	}
	for _, r := range api.Routes() {
		if r.Method == "POST" && r.Path == "/api/v1/contracts/:id/amendments" {
			amend = r.Roles
		}
	}
	if len(console) == 0 || !slices.Equal(console, amend) {
		t.Errorf("console amendment roles %v, API %v", console, amend)
	}
}

// contractState reads a contract's version and its clause versions'
// windows through the API.
func (e *testEnv) contractState(id string) (int64, []string) {
	e.t.Helper()
	var c struct{ Version int64 }
	e.do("GET", "/api/v1/contracts/"+id, e.keys[domain.RoleAuditor], nil).decode(e.t, &c)
	var vs struct {
		Items []struct {
			WindowText string `json:"window_text"`
		}
	}
	e.do("GET", "/api/v1/contracts/"+id+"/clause-versions", e.keys[domain.RoleAuditor], nil).decode(e.t, &vs)
	var windows []string
	for _, v := range vs.Items {
		windows = append(windows, v.WindowText)
	}
	return c.Version, windows
}

// TestConsoleContractPage: every role reads a contract's page: its terms,
// its clause versions on the timeline and in a table, its clause audit;
// only legal and admins see the amendment form. Unknown contracts are 404.
func TestConsoleContractPage(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.clausePortfolio()
		version, _ := e.contractState(p.msa)
		for _, role := range domain.Roles {
			b := e.signedIn(role)
			pg := b.get("/contracts/" + p.msa)
			mustPage(t, pg, 200)
			mustShow(t, pg, "<h1>Chat MSA</h1>", `<a href="/contracts" aria-current="page">Contracts</a>`,
				`<a href="/vendors/`+p.chat+`">[24]7.ai</a>`, `<strong id="clause-now">24 hours from discovery</strong>`,
				// The timeline: a lane per version, labelled in words.
				`<svg class="tl"`, `role="img" aria-labelledby="tl-title tl-desc"`,
				">Version 1: 72 hours from discovery</text>", ">Version 2: 24 hours from discovery (in force)</text>",
				">2016-06-01 to 2017-11-01 · initial terms</text>", ">2017-11-01 onwards · Amendment No. 1</text>",
				">today 2026-11-23</text>", "2 versions, oldest first",
				// The clause audit of the contract, as the API's.
				`<h2 id="audit-h">Clause audit</h2>`, "PCI DSS named as the security standard for card data",
				`<span class="badge b-bad">missing</span>`)
			mayAmend := role == domain.RoleAdmin || role == domain.RoleLegal
			if mayAmend {
				mustShow(t, pg, `<h2 id="amend-h">Amend the clause</h2>`, `action="/contracts/`+p.msa+`/amendments"`,
					`<input type="hidden" name="version" value="`+itoa(version)+`">`,
					`<label for="effective_from">Effective from (required)</label>`, `<label for="reason">`,
					`<label for="window_value">Window</label>`, `<label for="trigger">Clock starts at</label>`,
					// The form starts from the clause in force.
					`id="window_value" name="window_value" type="number" min="1" step="1" inputmode="numeric" value="24"`)
			} else {
				mustNotShow(t, pg, "Amend the clause", `/amendments"`, `name="window_value"`)
			}
		}
		b := e.signedIn(domain.RoleAuditor)
		pg := b.get("/contracts/" + p.health)
		mustPage(t, pg, 200)
		mustShow(t, pg, "<h1>Records hosting agreement</h1>", "The contract has no breach-notification clause.",
			`<strong id="clause-now">none in force</strong>`, "Business associate agreement for health data",
			"<dt>Annual value</dt><dd>120,000.00 USD</dd>", "<dt>Expires</dt><dd>2027-12-31 (in 403 days)</dd>",
			"<dt>Renewal notice by</dt><dd>2027-10-02 (90 days before expiry)</dd>",
			"<dt>Data processing agreement (DPA)</dt><dd>yes</dd>")
		mustNotShow(t, pg, "<svg")
		// The vendor page links its contracts here and to its audit lines.
		vp := b.get("/vendors/" + p.chat)
		mustShow(t, vp, `<th scope="row"><a href="/contracts/`+p.msa+`">Chat MSA</a>`,
			`<td><a href="/contracts/`+p.msa+`">Chat MSA</a></td>`, `<a href="/contracts?vendor_id=`+p.chat+`">`)
		mustPage(t, b.get("/contracts/00000000-0000-0000-0000-000000000000"), http.StatusNotFound)
		mustPage(t, b.get("/contracts/not-an-id"), http.StatusNotFound)
	})
}

// TestConsoleAmendClause: legal amends a clause through the form; errors
// are shown next to their fields with what was typed kept; a start that
// overlaps the latest version is refused on its field; a stale version is
// a conflict showing both; a post without the CSRF token, or by a role
// that may not amend, is 403. Nothing is written when a post is refused.
func TestConsoleAmendClause(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		p := e.clausePortfolio()
		path := "/contracts/" + p.msa
		version, windows := e.contractState(p.msa)
		b := e.signedIn(domain.RoleLegal)
		audit := func() int { return e.count("SELECT count(*) FROM audit_events") }
		unchanged := func(what string, events int) {
			t.Helper()
			if v, w := e.contractState(p.msa); v != version || !slices.Equal(w, windows) {
				t.Errorf("%s: contract v%d %v, want v%d %v", what, v, w, version, windows)
			}
			if n := audit(); n != events {
				t.Errorf("%s wrote %d audit events", what, n-events)
			}
		}
		form := func(kv ...string) url.Values {
			v := url.Values{"version": {itoa(version)}, "effective_from": {"2026-12-01"}, "reason": {"Amendment No. 2"},
				"window_value": {"12"}, "window_unit": {"hours"}, "trigger": {"discovery"}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		b.get(path)
		events := audit()

		// Errors next to their fields, what was typed kept.
		pg := b.post(path+"/amendments", form("reason", " ", "window_value", "twelve", "notify", "CISO ciso@example.com"))
		mustPage(t, pg, http.StatusUnprocessableEntity)
		mustShow(t, pg, `id="window_value-error">must be a whole number</span>`, `value="twelve"`,
			`id="notify-error">line 1 must be a role and an email separated by a comma</span>`,
			">CISO ciso@example.com</textarea>", `aria-invalid="true" aria-describedby="window_value-error"`)
		pg = b.post(path+"/amendments", form("reason", " ", "update_every_hours", "1000"))
		mustPage(t, pg, http.StatusUnprocessableEntity)
		mustShow(t, pg, `id="reason-error">is required</span>`, `id="update_every_hours-error">must be from 1 to 720`,
			`value="1000"`)
		pg = b.post(path+"/amendments", form("effective_from", "1 Dec"))
		mustPage(t, pg, http.StatusUnprocessableEntity)
		mustShow(t, pg, `id="effective_from-error">must be an RFC 3339 instant`, `value="1 Dec"`)
		pg = b.post(path+"/amendments", form("standard", "immediately", "window_value", "0"))
		mustPage(t, pg, http.StatusUnprocessableEntity)
		mustShow(t, pg, `id="standard-error">give either window or standard, not both</span>`,
			`<option value="immediately" selected>`)
		pg = b.post(path+"/amendments", form("effective_from", ""))
		mustPage(t, pg, http.StatusUnprocessableEntity)
		mustShow(t, pg, `id="effective_from-error">is required`)
		unchanged("invalid amendments", events)

		// A start before the latest version's: refused on its field.
		pg = b.post(path+"/amendments", form("effective_from", "2017-06-01"))
		mustPage(t, pg, http.StatusConflict)
		mustShow(t, pg, `id="effective_from-error">overlaps the clause version in force from 2017-11-01T00:00:00Z`,
			`value="2017-06-01"`)
		unchanged("an overlapping amendment", events)

		// Without the CSRF token, or with a forged one: 403.
		mustPage(t, b.post(path+"/amendments", form("csrf", "forged")), http.StatusForbidden)
		mustPage(t, b.do("POST", path+"/amendments", form()), http.StatusForbidden)
		unchanged("posts without the CSRF token", events)

		// Roles that may not amend, each with its own valid token: 403.
		for _, role := range []domain.Role{domain.RoleVendorManager, domain.RoleExecutive, domain.RoleAuditor} {
			other := e.signedIn(role)
			other.get(path)
			events = audit()
			pg := other.post(path+"/amendments", form())
			mustPage(t, pg, http.StatusForbidden)
			unchanged("a post by "+string(role), events)
		}

		// The amendment: saved, then on the timeline and in the table.
		mustRedirect(t, b.post(path+"/amendments", form("notify", "CISO, ciso@example.com\nDPO, dpo@example.com",
			"update_every_hours", "24")), path+"?saved=amendment")
		v3, w3 := e.contractState(p.msa)
		if v3 != version+1 || !slices.Equal(w3, append(slices.Clone(windows), "12 hours")) {
			t.Errorf("after the amendment: v%d %v", v3, w3)
		}
		pg = b.get(path + "?saved=amendment")
		mustShow(t, pg, `id="saved"`, ">Version 3: 12 hours from discovery (not yet in force)</text>", ">2026-12-01 onwards · Amendment No. 2</text>",
			">2017-11-01 to 2026-12-01 · Amendment No. 1</text>", "3 versions, oldest first",
			`<input type="hidden" name="version" value="`+itoa(v3)+`">`)

		// A stale version: the conflict shows both; nothing written.
		events = audit()
		version, windows = v3, w3
		pg = b.post(path+"/amendments", form("version", itoa(v3-1), "effective_from", "2027-01-01", "window_value", "6",
			"reason", "Amendment No. 3"))
		mustPage(t, pg, http.StatusConflict)
		mustShow(t, pg, `id="conflict"`, "Yours was read at version "+itoa(v3-1)+"; it is now at version "+itoa(v3)+".",
			"<dt>Your amendment</dt><dd>6 hours from discovery, from 2027-01-01: “Amendment No. 3”</dd>",
			"<dt>Now</dt><dd>version 3: 12 hours from discovery, from 2026-12-01: “Amendment No. 2”</dd>",
			`value="2027-01-01"`, `value="6"`, `<input type="hidden" name="version" value="`+itoa(v3)+`">`)
		unchanged("a stale amendment", events)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
