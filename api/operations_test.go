package api_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// TestOpenAPICoversRoutes fails when a route of the router is missing from
// openapi.yaml, or the document describes a route the router lacks.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:(\w+)`)
	inRouter := map[string]bool{}
	for _, r := range api.Routes() {
		key := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		inRouter[key] = true
		item := doc.Paths.Find(param.ReplaceAllString(r.Path, "{$1}"))
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s is not in openapi.yaml", key)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !inRouter[method+" "+path] {
				t.Errorf("openapi.yaml describes %s %s, which the router does not serve", method, path)
			}
		}
	}
}

func TestOperationalEndpoints(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)

		res := e.do("GET", "/healthz", "", nil)
		mustStatus(t, res, 200)
		mustStatus(t, e.do("GET", "/readyz", "", nil), 200)

		res = e.do("GET", "/api/v1/openapi.json", "", nil)
		mustStatus(t, res, 200)
		if res.object(t)["openapi"] == nil {
			t.Errorf("openapi.json has no openapi field")
		}

		e.do("GET", "/api/v1/vendors", e.keys[domain.RoleAuditor], nil)
		res = e.do("GET", "/metrics", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, 200)
		if !strings.Contains(string(res.Body), `vendorwatch_http_requests_total{method="GET",route="/api/v1/vendors",status="200"}`) {
			t.Errorf("metrics lack the route-labelled request counter:\n%.2000s", res.Body)
		}

		// Unknown routes and methods are problem+json; no trailing-slash redirect.
		for _, tc := range []struct {
			method, path string
			code         int
		}{
			{"GET", "/api/v1/nothing", 404},
			{"POST", "/api/v1/vendors/", 404},
			{"PUT", "/api/v1/vendors", 405},
		} {
			res := e.do(tc.method, tc.path, e.keys[domain.RoleAdmin], nil)
			mustStatus(t, res, tc.code)
			if res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s %s: Content-Type %q", tc.method, tc.path, res.Header.Get("Content-Type"))
			}
		}

		// Request ids: a sane one is echoed, a hostile one replaced.
		res = e.do("GET", "/healthz", "", nil, "X-Request-ID", "abc-123")
		if res.Header.Get("X-Request-ID") != "abc-123" {
			t.Errorf("request id not echoed: %q", res.Header.Get("X-Request-ID"))
		}
		res = e.do("GET", "/healthz", "", nil, "X-Request-ID", "bad id\r\nx")
		if got := res.Header.Get("X-Request-ID"); !domain.ValidID(got) {
			t.Errorf("hostile request id kept: %q", got)
		}
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Cache-Control"} {
			if res.Header.Get(h) == "" {
				t.Errorf("security header %s missing", h)
			}
		}

		// The data category catalogue.
		res = e.do("GET", "/api/v1/data-categories", e.keys[domain.RoleLegal], nil)
		mustStatus(t, res, 200)
		var cats struct{ Items []register.DataCategory }
		res.decode(t, &cats)
		var codes []string
		for _, c := range cats.Items {
			codes = append(codes, c.Code)
			if c.Sensitivity < 1 || c.Sensitivity > 4 {
				t.Errorf("%s sensitivity %d", c.Code, c.Sensitivity)
			}
		}
		for _, want := range []string{"cardholder_data", "sensitive_auth_data", "ssn", "drivers_license", "financial_account",
			"health_phi", "credentials", "biometric", "contact_pii", "chat_transcripts", "employee_records"} {
			if !slices.Contains(codes, want) {
				t.Errorf("catalogue lacks %s", want)
			}
		}

		// When the database is gone, readiness fails with 503 and requests
		// get 503, not 500.
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		res = e.do("GET", "/readyz", "", nil)
		mustStatus(t, res, http.StatusServiceUnavailable)
		res = e.do("GET", "/api/v1/vendors", e.keys[domain.RoleAdmin], nil)
		mustStatus(t, res, http.StatusServiceUnavailable)
	})
}
