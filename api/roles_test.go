package api_test

import (
	"context"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestRoleMatrix walks every route of the route table with every role, no
// key, a malformed header, a revoked key and an expired key.
func TestRoleMatrix(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		revoked, revokedPlain, err := e.keySvc.Create(ctx, access.NewKey{Name: "revoked", Role: domain.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.keySvc.Revoke(ctx, revoked.ID); err != nil {
			t.Fatal(err)
		}
		soon := time.Now().Add(50 * time.Millisecond)
		_, expiredPlain, err := e.keySvc.Create(ctx, access.NewKey{Name: "expiring", Role: domain.RoleAdmin, ExpiresAt: &soon})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(60 * time.Millisecond)

		// Ids that exist nowhere: allowed callers get 404 or 422, never a
		// side effect.
		fill := strings.NewReplacer(":id", domain.NewID(), ":category", "ssn")
		for _, rt := range api.Routes() {
			path := fill.Replace(rt.Path)
			var body any
			if rt.Method == "POST" || rt.Method == "PATCH" {
				body = map[string]any{}
			}
			name := rt.Method + " " + rt.Path
			if rt.Roles == nil {
				res := e.do(rt.Method, path, "", body)
				if res.Code == 401 || res.Code == 403 {
					t.Errorf("%s is public but answered %d", name, res.Code)
				}
				continue
			}
			for _, bad := range []struct{ label, header string }{
				{"no key", ""},
				{"malformed header", "Basic dXNlcjpwYXNz"},
				{"bearer garbage", "Bearer not-a-key"},
				{"unknown key", "Bearer vw_000000000000_" + strings.Repeat("A", 43)},
				{"revoked key", "Bearer " + revokedPlain},
				{"expired key", "Bearer " + expiredPlain},
			} {
				var hdr []string
				if bad.header != "" {
					hdr = []string{"Authorization", bad.header}
				}
				res := e.do(rt.Method, path, "", body, hdr...)
				if res.Code != http.StatusUnauthorized {
					t.Errorf("%s with %s: %d, want 401", name, bad.label, res.Code)
				}
				if res.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s with %s: no WWW-Authenticate header", name, bad.label)
				}
			}
			for _, role := range domain.Roles {
				res := e.do(rt.Method, path, e.keys[role], body)
				allowed := slices.Contains(rt.Roles, role)
				switch {
				case allowed && (res.Code == 401 || res.Code == 403):
					t.Errorf("%s as %s: %d, want access", name, role, res.Code)
				case !allowed && res.Code != http.StatusForbidden:
					t.Errorf("%s as %s: %d, want 403", name, role, res.Code)
				}
			}
		}
	})
}

func TestAPIKeys(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		admin := e.keys[domain.RoleAdmin]

		res := e.do("POST", "/api/v1/api-keys", admin, map[string]any{"name": "ci robot", "role": "auditor"})
		mustStatus(t, res, http.StatusCreated)
		created := res.object(t)
		plain := created["key"].(string)
		if !strings.HasPrefix(plain, "vw_") || created["role"] != "auditor" {
			t.Fatalf("created key = %v", created)
		}
		// The secret is stored hashed: neither the plaintext nor its secret
		// part is in the database.
		var stored string
		if err := db.SQL().QueryRow("SELECT hash FROM api_keys WHERE id = '" + created["id"].(string) + "'").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plain, stored) || strings.Contains(stored, plain[16:]) || len(stored) != 64 {
			t.Errorf("stored hash %q looks like the key", stored)
		}
		// The new key works and is an auditor: reads yes, writes no.
		mustStatus(t, e.do("GET", "/api/v1/vendors", plain, nil), 200)
		mustStatus(t, e.do("POST", "/api/v1/vendors", plain, map[string]any{"name": "x"}), 403)

		// Listing never shows secrets.
		res = e.do("GET", "/api/v1/api-keys?limit=2", admin, nil)
		mustStatus(t, res, 200)
		if strings.Contains(string(res.Body), plain) || strings.Contains(string(res.Body), `"hash"`) || strings.Contains(string(res.Body), `"key"`) {
			t.Errorf("key list leaks secrets: %s", res.Body)
		}
		page := res.object(t)
		if len(page["items"].([]any)) != 2 || page["next_cursor"] == nil {
			t.Errorf("first page of keys = %v", page)
		}

		// Revoke: the key stops working at once.
		id := created["id"].(string)
		mustStatus(t, e.do("DELETE", "/api/v1/api-keys/"+id, admin, nil), http.StatusNoContent)
		mustStatus(t, e.do("GET", "/api/v1/vendors", plain, nil), http.StatusUnauthorized)
		got := e.do("GET", "/api/v1/api-keys/"+id, admin, nil).object(t)
		if got["revoked_at"] == nil {
			t.Errorf("revoked key shows revoked_at = nil")
		}

		// The last admin key cannot be revoked.
		mustStatus(t, e.do("DELETE", "/api/v1/api-keys/"+e.keyIDs[domain.RoleAdmin], admin, nil), http.StatusConflict)

		for _, tc := range []struct {
			body  map[string]any
			code  int
			field string
		}{
			{map[string]any{"name": "x", "role": "root"}, 422, "role"},
			{map[string]any{"role": "admin"}, 422, "name"},
			{map[string]any{"name": "x", "role": "admin", "expires_at": "2001-01-01T00:00:00Z"}, 422, "expires_at"},
			{map[string]any{"name": "x", "role": "admin", "expires_at": "tomorrow"}, 400, "expires_at"},
		} {
			res := e.do("POST", "/api/v1/api-keys", admin, tc.body)
			mustStatus(t, res, tc.code)
			if !slices.Contains(res.fields(t), tc.field) {
				t.Errorf("%v: fields %v, want %s", tc.body, res.fields(t), tc.field)
			}
		}
	})
}

// TestVendorManagerDraftContracts: a vendor manager records and edits a
// contract as a draft (dates, value, renewal terms, flags, the proposed
// clause); only legal or an admin activates it, and then only they change
// it or amend its clause.
func TestVendorManagerDraftContracts(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		vm, legal := e.keys[domain.RoleVendorManager], e.keys[domain.RoleLegal]
		vid := e.createVendor(map[string]any{"name": "Onboarding Co"})["id"].(string)
		forbiddenOn := func(res response, field string) {
			t.Helper()
			mustStatus(t, res, http.StatusForbidden)
			if f := res.fields(t); !slices.Equal(f, []string{field}) {
				t.Errorf("403 names %v, want %s: %s", f, field, res.Body)
			}
		}

		// Active from the start: not for a vendor manager; nothing is written.
		before := e.countRows("contracts")
		forbiddenOn(e.do("POST", "/api/v1/contracts", vm, map[string]any{"vendor_id": vid, "title": "MSA", "status": "active",
			"effective_on": "2026-01-01"}), "status")
		if e.countRows("contracts") != before {
			t.Fatal("a refused create wrote a contract")
		}

		res := e.do("POST", "/api/v1/contracts", vm, map[string]any{"vendor_id": vid, "title": "MSA", "effective_on": "2026-01-01",
			"annual_value": map[string]any{"amount_minor": 1_200_000, "currency": "USD"}, "renewal_notice_days": 60,
			"breach_notification": map[string]any{"window": map[string]any{"value": 72, "unit": "hours"}, "trigger": "discovery"}})
		mustStatus(t, res, http.StatusCreated)
		c := res.object(t)
		path := "/api/v1/contracts/" + c["id"].(string)
		if c["status"] != "draft" {
			t.Errorf("vendor manager's contract has status %v", c["status"])
		}
		// Edit the draft: dates, value, renewal terms, flags and the clause as proposed.
		res = e.do("PATCH", path, vm, map[string]any{"expires_on": "2028-12-31", "auto_renew": true, "dpa": true,
			"annual_value":        map[string]any{"amount_minor": 1_500_000, "currency": "USD"},
			"breach_notification": map[string]any{"window": map[string]any{"value": 24, "unit": "hours"}, "trigger": "discovery"}})
		mustStatus(t, res, http.StatusOK)
		if got := res.object(t); got["expires_on"] != "2028-12-31" || got["breach_notification"].(map[string]any)["window_text"] != "24 hours" {
			t.Errorf("edited draft %v", got)
		}
		// Activating is legal's.
		forbiddenOn(e.do("PATCH", path, vm, map[string]any{"status": "active"}), "status")
		mustStatus(t, e.do("POST", path+"/amendments", vm, map[string]any{"effective_from": "2026-06-01", "reason": "x",
			"breach_notification": nil}), http.StatusForbidden) // amendments are legal's (the route table)
		mustStatus(t, e.do("PATCH", path, legal, map[string]any{"status": "active"}), http.StatusOK)

		// Out of draft, the vendor manager may no longer change or delete it.
		forbiddenOn(e.do("PATCH", path, vm, map[string]any{"notes": "renegotiating"}), "status")
		forbiddenOn(e.do("PATCH", path, vm, map[string]any{"breach_notification": map[string]any{
			"window": map[string]any{"value": 48, "unit": "hours"}, "trigger": "discovery"}}), "status")
		forbiddenOn(e.do("DELETE", path, vm, nil), "status")
		mustStatus(t, e.do("POST", path+"/amendments", legal, map[string]any{"effective_from": "2026-06-01",
			"reason": "Amendment 1", "breach_notification": map[string]any{"window": map[string]any{"value": 24, "unit": "hours"},
				"trigger": "discovery"}}), http.StatusOK)

		// A draft the vendor manager no longer wants goes away.
		draft := e.do("POST", "/api/v1/contracts", vm, map[string]any{"vendor_id": vid, "title": "Pilot", "effective_on": "2026-02-01"}).object(t)
		mustStatus(t, e.do("DELETE", "/api/v1/contracts/"+draft["id"].(string), vm, nil), http.StatusNoContent)

		// Imports follow the same rule, row by row.
		file := xlsxFile(t, [][]any{{"Vendor", "Title", "Status", "Effective on"},
			{"Onboarding Co", "Support SLA", "draft", "2026-03-01"},
			{"Onboarding Co", "Hosting", "active", "2026-03-01"},
			{"Onboarding Co", "MSA", "draft", "2026-01-01"}})
		r := decodeImport(t, e.importFile(vm, "kind=contracts&mode=dry_run", "c.xlsx", file))
		if got := rowStatuses(r); !slices.Equal(got, []string{"create", "error", "error"}) {
			t.Fatalf("vendor manager's contract import: %v %+v", got, r.Rows)
		}
		for _, row := range r.Rows[1:] {
			if len(row.Errors) != 1 || row.Errors[0].Column != "status" || row.Errors[0].Letter != "C" {
				t.Errorf("row %d errors %+v, want one on status (column C)", row.Row, row.Errors)
			}
		}
	})
}

// TestOpenAPIRolesMatchRouteTable: the "Roles:" sentence of every
// operation in openapi.yaml names exactly the roles of its route in the
// route table.
func TestOpenAPIRolesMatchRouteTable(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:(\w+)`)
	for _, rt := range api.Routes() {
		if rt.Roles == nil {
			continue
		}
		op := doc.Paths.Find(param.ReplaceAllString(rt.Path, "{$1}")).GetOperation(rt.Method)
		_, text, ok := strings.Cut(op.Description, "Roles:")
		if !ok {
			t.Errorf("%s %s: the description does not say which roles may call it", rt.Method, rt.Path)
			continue
		}
		text, _, _ = strings.Cut(text, ".")
		var said []domain.Role
		if strings.HasPrefix(strings.TrimSpace(text), "all") || strings.Contains(text, "any authenticated role") {
			said = domain.Roles
		} else {
			for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
				if r := domain.Role(w); r.Valid() && !slices.Contains(said, r) {
					said = append(said, r)
				}
			}
		}
		want := slices.Clone(rt.Roles)
		slices.Sort(said)
		slices.Sort(want)
		if !slices.Equal(said, want) {
			t.Errorf("%s %s: openapi.yaml says roles %v, the route table %v", rt.Method, rt.Path, said, want)
		}
	}
}

// readmeRoleRows maps each row of the README's Roles table to a route
// that the row describes.
var readmeRoleRows = map[string][2]string{
	"read vendors, contracts":                 {"GET", "/api/v1/vendors"},
	"write vendors, data handling":            {"POST", "/api/v1/vendors"},
	"create, edit and delete draft contracts": {"POST", "/api/v1/contracts"},
	"activate a contract":                     {"POST", "/api/v1/contracts/:id/amendments"},
	"record incidents":                        {"POST", "/api/v1/incidents"},
	"mark obligations":                        {"PATCH", "/api/v1/obligations/:id"},
	"acknowledge findings":                    {"PATCH", "/api/v1/findings/:id"},
	"import spreadsheets":                     {"POST", "/api/v1/imports"},
	"read import runs":                        {"GET", "/api/v1/imports/:id"},
	"generate and download reports":           {"POST", "/api/v1/reports"},
	"read job runs":                           {"GET", "/api/v1/jobs/runs"},
	"run jobs now":                            {"POST", "/api/v1/jobs/:name/run"},
	"record the DORA register's facts":        {"PUT", "/api/v1/contracts/:id/dora"},
	"read them, check the DORA register":      {"GET", "/api/v1/dora/register"},
}

// TestREADMERolesMatchRouteTable: every row of the README's Roles table
// admits ("yes", or a restriction in parentheses) exactly the roles its
// route admits in the route table, which the OpenAPI document matches too.
func TestREADMERolesMatchRouteTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(readme), "\n### Roles\n")
	table, _, _ = strings.Cut(table, "\n\n###")
	var header []domain.Role
	seen := map[string]bool{}
	for line := range strings.SplitSeq(table, "\n") {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if cells[0] == "" {
			for _, c := range cells[1:] {
				header = append(header, domain.Role(c))
			}
			continue
		}
		var route [2]string
		for prefix, r := range readmeRoleRows {
			if strings.HasPrefix(cells[0], prefix) {
				route = r
				seen[prefix] = true
			}
		}
		if route[0] == "" {
			t.Errorf("README Roles row %q: no route mapped in readmeRoleRows", cells[0])
			continue
		}
		var said []domain.Role
		for i, c := range cells[1:] {
			if c == "yes" || strings.HasPrefix(c, "(") {
				said = append(said, header[i])
			}
		}
		var want []domain.Role
		for _, rt := range api.Routes() {
			if rt.Method == route[0] && rt.Path == route[1] {
				want = slices.Clone(rt.Roles)
			}
		}
		slices.Sort(said)
		slices.Sort(want)
		if !slices.Equal(said, want) {
			t.Errorf("README row %q says %v; %s %s admits %v", cells[0], said, route[0], route[1], want)
		}
	}
	for prefix := range readmeRoleRows {
		if !seen[prefix] {
			t.Errorf("the README's Roles table has no row %q", prefix)
		}
	}
}
