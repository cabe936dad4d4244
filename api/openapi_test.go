package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// servedOpenAPIOut names the file TestServedOpenAPIDocument writes the served
// document to; .ci/run sets it and lints that file with Redocly CLI.
const servedOpenAPIOut = "VW_OPENAPI_OUT"

// TestServedOpenAPIDocument checks that /api/v1/openapi.json serves a valid
// OpenAPI document that says what openapi.yaml says: the served JSON and the
// YAML source, each read by kin-openapi's own loader, encode identically.
func TestServedOpenAPIDocument(t *testing.T) {
	e := newEnv(t, repotest.Open(t, repository.SQLite))
	res := e.do("GET", "/api/v1/openapi.json", "", nil)
	mustStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}

	served := loadOpenAPI(t, "served /api/v1/openapi.json", res.Body)
	source := loadOpenAPI(t, "openapi.yaml", api.OpenAPIYAML)
	if !bytes.Equal(served, source) {
		t.Errorf("the served document differs from openapi.yaml:\nserved: %.500s\nsource: %.500s", served, source)
	}

	if out := os.Getenv(servedOpenAPIOut); out != "" {
		if err := os.WriteFile(out, res.Body, 0o600); err != nil {
			t.Fatalf("%s: %v", servedOpenAPIOut, err)
		}
	}
}

// loadOpenAPI loads and validates an OpenAPI document (JSON or YAML) and
// returns it encoded as JSON.
func loadOpenAPI(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return js
}
