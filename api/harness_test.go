package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/auditlog"
	"github.com/vendorwatch/vendorwatch/domain/calendar"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
	"github.com/vendorwatch/vendorwatch/services"
)

// testEnv is a real router on a real database, with one key per role.
type testEnv struct {
	t         *testing.T
	db        *repository.DB
	router    http.Handler
	keys      map[domain.Role]string
	keyIDs    map[domain.Role]string
	vendors   *register.VendorService
	keySvc    *access.KeyService
	users     *access.UserService
	contracts *contract.ContractService
	incidents *incident.IncidentService
	reviews   *review.ReviewService
	clock     *testClock
	audit     *repository.Audit
	auditKeys auditlog.Keys // sign the audit log; the router serves the public key

	attestations *attestation.AttestationService
	evidenceDir  string // root of the evidence store, under t.TempDir()

	scan *finding.ScanService // the compliance scan (findings_test.go)
	jobs *jobrun.JobService   // jobs_test.go sets its Runner
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// openAPIRouter loads the embedded OpenAPI document once.
func openAPIRouter(t *testing.T) routers.Router {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPIYAML)
		if err != nil {
			specErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = err
			return
		}
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	if specErr != nil {
		t.Fatalf("openapi.yaml: %v", specErr)
	}
	return specRouter
}

func newEnv(t *testing.T, db *repository.DB) *testEnv {
	t.Helper()
	clock := &testClock{}
	evidenceDir := filepath.Join(t.TempDir(), "evidence")
	svc := services.New(db.Stores(evidenceDir), services.Settings{Clock: clock, Calendar: calendar.USFederal(),
		KeyPepper: "test-pepper", MaxEvidenceBytes: testEvidenceLimit})
	e := &testEnv{t: t, db: db, audit: repository.NewAudit(db), clock: clock, evidenceDir: evidenceDir,
		keys: map[domain.Role]string{}, keyIDs: map[domain.Role]string{},
		vendors: svc.Vendors, keySvc: svc.Keys, contracts: svc.Contracts, reviews: svc.Reviews,
		attestations: svc.Attestations, incidents: svc.Incidents}
	e.auditKeys = repotest.AuditKeys(t)
	router, err := api.New(api.Deps{Services: svc, DB: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Reports: newReportService(db, clock, evidenceDir), AuditPublicKey: e.auditKeys.Public})
	if err != nil {
		t.Fatal(err)
	}
	e.router = router
	e.scan = svc.Scan
	e.users = svc.Users
	e.jobs = svc.Jobs
	for _, r := range domain.Roles {
		k, plain, err := e.keySvc.Create(context.Background(), access.NewKey{Name: "test " + string(r), Role: r})
		if err != nil {
			t.Fatal(err)
		}
		e.keys[r], e.keyIDs[r] = plain, k.ID
	}
	return e
}

// testClock is the system clock until a test pins it with set.
type testClock struct {
	mu    sync.Mutex
	fixed time.Time
}

// Now implements domain.Clock.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fixed.IsZero() {
		return domain.SystemClock{}.Now()
	}
	return c.fixed
}

// set pins the clock at t.
func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed = t.UTC()
}

// response is a recorded response.
type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// decode unmarshals the body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// object returns the body as a JSON object.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// fieldErrors returns the problem's field names.
func (r response) fields(t *testing.T) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	r.decode(t, &p)
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Field
	}
	return out
}

// fieldError is one entry of a problem's errors.
type fieldError struct{ Field, Message string }

// problemErrors returns the problem's field errors.
func problemErrors(t *testing.T, r response) []fieldError {
	t.Helper()
	var p struct {
		Errors []fieldError `json:"errors"`
	}
	r.decode(t, &p)
	return p.Errors
}

// do sends a request through the real router and validates the response
// against the OpenAPI document. body may be nil, a string (sent as is) or
// a value marshalled as JSON. hdr is alternating header names and values.
func (e *testEnv) do(method, path, key string, body any, hdr ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	res := response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	e.validate(req, res)
	return res
}

// validate checks a response against the OpenAPI document. Requests to
// paths the document does not have (deliberate 404 tests) are skipped.
func (e *testEnv) validate(req *http.Request, res response) {
	e.t.Helper()
	router := openAPIRouter(e.t)
	vreq := req.Clone(context.Background())
	vreq.URL.Host, vreq.URL.Scheme = "", ""
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		if res.Code != http.StatusNotFound && res.Code != http.StatusMethodNotAllowed {
			e.t.Errorf("%s %s: route not in openapi.yaml: %v", req.Method, req.URL.Path, err)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: vreq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: res.Code, Header: res.Header, Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		e.t.Errorf("%s %s -> %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, res.Code, err, res.Body)
	}
}

// mustStatus fails the test unless the response has the status.
func mustStatus(t *testing.T, res response, want int) {
	t.Helper()
	if res.Code != want {
		t.Fatalf("status %d, want %d; body: %s", res.Code, want, res.Body)
	}
}

// createVendor creates a vendor through the API and returns its JSON.
func (e *testEnv) createVendor(body map[string]any) map[string]any {
	e.t.Helper()
	res := e.do("POST", "/api/v1/vendors", e.keys[domain.RoleVendorManager], body)
	mustStatus(e.t, res, http.StatusCreated)
	return res.object(e.t)
}

// countRows counts a table's rows directly in the database.
func (e *testEnv) countRows(table string) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}
