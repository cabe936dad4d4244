package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
	"github.com/vendorwatch/vendorwatch/repository/repotest"
)

// testEvidenceLimit is the evidence upload limit of the test router: small,
// so the 413 path is cheap to reach.
const testEvidenceLimit = 1 << 10

// attToday is the date the attestation tests pin the clock to.
var attToday = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// attDay returns attToday moved by months and days, as YYYY-MM-DD.
func attDay(months, days int) string {
	return domain.DateOf(attToday).AddMonths(months).AddDays(days).String()
}

// createAttestation posts an attestation as the vendor manager and returns
// its JSON.
func (e *testEnv) createAttestation(body map[string]any) map[string]any {
	e.t.Helper()
	res := e.do("POST", "/api/v1/attestations", e.keys[domain.RoleVendorManager], body)
	mustStatus(e.t, res, http.StatusCreated)
	return res.object(e.t)
}

// evidencePart is one part of a multipart upload.
type evidencePart struct {
	field, filename, contentType string
	content                      []byte
}

// upload posts a multipart/form-data body to an attestation's evidence.
func (e *testEnv) upload(id, key string, parts []evidencePart, hdr ...string) response {
	e.t.Helper()
	return e.uploadTo("/api/v1/attestations/"+id+"/evidence", key, parts, hdr...)
}

// uploadTo posts a multipart/form-data body to path.
func (e *testEnv) uploadTo(path, key string, parts []evidencePart, hdr ...string) response {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": p.field, "filename": p.filename}))
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			e.t.Fatal(err)
		}
		_, _ = pw.Write(p.content)
	}
	if err := w.Close(); err != nil {
		e.t.Fatal(err)
	}
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	res := response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	e.validate(req, res)
	return res
}

// blobCount counts the files in the evidence store.
func (e *testEnv) blobCount() int {
	e.t.Helper()
	n := 0
	err := filepath.WalkDir(e.evidenceDir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil && !strings.Contains(err.Error(), "no such file") {
		e.t.Fatal(err)
	}
	return n
}

// tamperBlob overwrites a read-only blob file, as an attacker with disk
// access would.
func tamperBlob(path string, b []byte) error {
	if err := os.Chmod(path, 0o600); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestAttestationLifecycle(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(attToday)
		mgr := e.keys[domain.RoleVendorManager]
		v := e.createVendor(map[string]any{"name": "Ledger Cloud"})
		vid := v["id"].(string)

		res := e.do("POST", "/api/v1/attestations", mgr, map[string]any{
			"vendor_id": vid, "kind": "soc2_type2", "issuer": " Big Four LLP ", "scope": "Ledger SaaS",
			"period_start": "2025-01-01", "period_end": "2025-12-31", "issued_on": "2026-02-10",
			"opinion": "qualified", "exceptions_count": 2})
		mustStatus(t, res, http.StatusCreated)
		a := res.object(t)
		id := a["id"].(string)
		if res.Header.Get("ETag") != `"1"` || res.Header.Get("Location") != "/api/v1/attestations/"+id {
			t.Errorf("headers = %v", res.Header)
		}
		if a["expires_on"] != "2026-12-31" || a["expires_on_source"] != "catalogue" || a["issuer"] != "Big Four LLP" ||
			a["review_status"] != "received" || a["reviewer"] != nil || a["reviewed_at"] != nil || a["evidence_sha256"] != nil {
			t.Errorf("created = %v", a)
		}

		res = e.do("GET", "/api/v1/attestations/"+id, e.keys[domain.RoleExecutive], nil)
		mustStatus(t, res, http.StatusOK)
		if res.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag = %q", res.Header.Get("ETag"))
		}

		// Accepting records the reviewer (the key's name) and the time.
		res = e.do("PATCH", "/api/v1/attestations/"+id, mgr, map[string]any{"review_status": "accepted"}, "If-Match", `"1"`)
		mustStatus(t, res, http.StatusOK)
		a = res.object(t)
		if a["reviewer"] != "test vendor_manager" || a["reviewed_at"] != attToday.Format(time.RFC3339) || a["version"] != float64(2) {
			t.Errorf("accepted = %v", a)
		}
		mustStatus(t, e.do("PATCH", "/api/v1/attestations/"+id, mgr, map[string]any{"scope": "x"}, "If-Match", `"1"`),
			http.StatusPreconditionFailed)

		// An explicit expiry wins; null returns to the catalogue. A named
		// reviewer is kept.
		res = e.do("PATCH", "/api/v1/attestations/"+id, mgr, map[string]any{"expires_on": "2027-03-31", "reviewer": "Grace"})
		mustStatus(t, res, http.StatusOK)
		if a = res.object(t); a["expires_on"] != "2027-03-31" || a["expires_on_source"] != "explicit" || a["reviewer"] != "Grace" {
			t.Errorf("explicit = %v", a)
		}
		res = e.do("PATCH", "/api/v1/attestations/"+id, mgr, map[string]any{"expires_on": nil, "period_end": "2026-01-31",
			"opinion": nil, "review_status": "rejected"})
		mustStatus(t, res, http.StatusOK)
		if a = res.object(t); a["expires_on"] != "2027-01-31" || a["expires_on_source"] != "catalogue" || a["opinion"] != nil ||
			a["reviewer"] != "test vendor_manager" {
			t.Errorf("back to catalogue = %v", a)
		}
		res = e.do("PATCH", "/api/v1/attestations/"+id, mgr, map[string]any{"review_status": "under_review"})
		if a = res.object(t); a["reviewed_at"] != nil || a["reviewer"] != "test vendor_manager" {
			t.Errorf("back under review = %v", a)
		}

		// The vendor cannot go while it has attestations.
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+vid, mgr, nil), http.StatusConflict)

		mustStatus(t, e.do("DELETE", "/api/v1/attestations/"+id, mgr, nil, "If-Match", `"2"`), http.StatusPreconditionFailed)
		mustStatus(t, e.do("DELETE", "/api/v1/attestations/"+id, mgr, nil, "If-Match", fmt.Sprintf(`"%v"`, a["version"])), http.StatusNoContent)
		mustStatus(t, e.do("GET", "/api/v1/attestations/"+id, mgr, nil), http.StatusNotFound)
		mustStatus(t, e.do("DELETE", "/api/v1/vendors/"+vid, mgr, nil), http.StatusNoContent)

		res = e.do("GET", "/api/v1/audit-events?entity=attestation&entity_id="+id, e.keys[domain.RoleAuditor], nil)
		var events struct{ Items []struct{ Action string } }
		res.decode(t, &events)
		var actions []string
		for _, ev := range events.Items {
			actions = append(actions, ev.Action)
		}
		want := []string{"attestation.delete", "attestation.update", "attestation.update", "attestation.update",
			"attestation.update", "attestation.create"}
		if !slices.Equal(actions, want) {
			t.Errorf("audit = %v, want %v", actions, want)
		}
	})
}

func TestAttestationKindsAndDefaultExpiry(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		res := e.do("GET", "/api/v1/attestation-kinds", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, http.StatusOK)
		var kinds struct {
			Items []struct {
				Code           string
				ValidityMonths *int `json:"validity_months"`
				Anchor         string
				Source         domain.Source
			}
		}
		res.decode(t, &kinds)
		if len(kinds.Items) != 11 {
			t.Fatalf("%d kinds", len(kinds.Items))
		}
		for _, k := range kinds.Items {
			if (k.Code == "soc2_type1") != (k.ValidityMonths == nil) || k.Source.Status == "" {
				t.Errorf("kind %+v", k)
			}
		}

		vid := e.createVendor(map[string]any{"name": "Expiry Co"})["id"].(string)
		for _, tc := range []struct {
			body       map[string]any
			wantExpiry string
		}{
			{map[string]any{"kind": "soc2_type2", "period_end": "2025-08-31"}, "2026-08-31"},
			{map[string]any{"kind": "soc1_type2", "period_end": "2024-02-29"}, "2025-02-28"},
			{map[string]any{"kind": "bridge_letter", "period_end": "2025-11-30", "issued_on": "2026-01-05"}, "2026-02-28"},
			{map[string]any{"kind": "pci_dss_aoc", "issued_on": "2025-05-31"}, "2026-05-31"},
			{map[string]any{"kind": "iso27001", "issued_on": "2024-02-29"}, "2027-02-28"},
			{map[string]any{"kind": "hitrust_r2", "issued_on": "2025-01-31"}, "2027-01-31"},
			{map[string]any{"kind": "pentest", "issued_on": "2025-10-15"}, "2026-10-15"},
			{map[string]any{"kind": "sig", "issued_on": "2025-12-31"}, "2026-12-31"},
			{map[string]any{"kind": "caiq", "issued_on": "2025-07-01"}, "2026-07-01"},
			{map[string]any{"kind": "insurance_certificate", "issued_on": "2025-09-30"}, "2026-09-30"},
		} {
			tc.body["vendor_id"] = vid
			a := e.createAttestation(tc.body)
			if a["expires_on"] != tc.wantExpiry || a["expires_on_source"] != "catalogue" {
				t.Errorf("%v: expires_on %v (%v), want %s", tc.body, a["expires_on"], a["expires_on_source"], tc.wantExpiry)
			}
		}
		// An explicit expiry overrides the catalogue and says so.
		a := e.createAttestation(map[string]any{"vendor_id": vid, "kind": "pci_dss_aoc", "issued_on": "2025-05-31",
			"expires_on": "2026-03-31"})
		if a["expires_on"] != "2026-03-31" || a["expires_on_source"] != "explicit" {
			t.Errorf("explicit = %v", a)
		}
		// SOC 2 Type I: no figure, so the expiry is required.
		res = e.do("POST", "/api/v1/attestations", e.keys[domain.RoleAdmin],
			map[string]any{"vendor_id": vid, "kind": "soc2_type1", "period_end": "2025-12-31"})
		mustStatus(t, res, http.StatusUnprocessableEntity)
		if !slices.Equal(res.fields(t), []string{"expires_on"}) {
			t.Errorf("soc2_type1 without expiry: fields %v", res.fields(t))
		}
		a = e.createAttestation(map[string]any{"vendor_id": vid, "kind": "soc2_type1", "period_end": "2025-12-31",
			"expires_on": "2026-12-31"})
		if a["expires_on_source"] != "explicit" {
			t.Errorf("soc2_type1 = %v", a)
		}
	})
}

func TestAttestationValidation(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		mgr := e.keys[domain.RoleVendorManager]
		vid := e.createVendor(map[string]any{"name": "Valid Co"})["id"].(string)
		existing := e.createAttestation(map[string]any{"vendor_id": vid, "kind": "pentest", "issued_on": "2026-01-10"})
		attBefore, auditBefore := e.countRows("attestations"), e.countRows("audit_events")

		ok := func(mods map[string]any) map[string]any {
			b := map[string]any{"vendor_id": vid, "kind": "soc2_type2", "period_start": "2025-01-01",
				"period_end": "2025-12-31", "issued_on": "2026-02-01"}
			for k, v := range mods {
				if v == nil {
					delete(b, k)
				} else {
					b[k] = v
				}
			}
			return b
		}
		for _, tc := range []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"unknown kind", ok(map[string]any{"kind": "soc3"}), 422, "kind"},
			{"missing kind", ok(map[string]any{"kind": nil}), 422, "kind"},
			{"period end before start", ok(map[string]any{"period_end": "2024-12-31"}), 422, "period_end"},
			{"expires before issued", ok(map[string]any{"expires_on": "2026-01-31"}), 422, "expires_on"},
			{"negative exceptions", ok(map[string]any{"exceptions_count": -1}), 422, "exceptions_count"},
			{"unknown opinion", ok(map[string]any{"opinion": "clean"}), 422, "opinion"},
			{"unknown review status", ok(map[string]any{"review_status": "approved"}), 422, "review_status"},
			{"unknown vendor", ok(map[string]any{"vendor_id": domain.NewID()}), 422, "vendor_id"},
			{"vendor not a uuid", ok(map[string]any{"vendor_id": "acme"}), 422, "vendor_id"},
			{"missing vendor", ok(map[string]any{"vendor_id": nil}), 422, "vendor_id"},
			{"soc report without period end", ok(map[string]any{"period_start": nil, "period_end": nil}), 422, "period_end"},
			{"aoc without issued_on", ok(map[string]any{"kind": "pci_dss_aoc", "issued_on": nil}), 422, "issued_on"},
			{"unknown field", ok(map[string]any{"auditor": "x"}), 400, "auditor"},
			{"exceptions not a number", ok(map[string]any{"exceptions_count": "two"}), 400, "exceptions_count"},
			{"exceptions fractional", ok(map[string]any{"exceptions_count": 1.5}), 400, "exceptions_count"},
			{"kind not a string", ok(map[string]any{"kind": 7}), 400, "kind"},
			{"malformed date", ok(map[string]any{"issued_on": "2026-02-30"}), 400, "issued_on"},
			{"date with time", ok(map[string]any{"period_end": "2025-12-31T00:00:00Z"}), 400, "period_end"},
			{"malformed JSON", `{"kind": "sig"`, 400, "body"},
			{"empty body", "", 400, "body"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := e.do("POST", "/api/v1/attestations", mgr, tc.body)
				mustStatus(t, res, tc.status)
				if !slices.Contains(res.fields(t), tc.field) {
					t.Errorf("fields %v, want %s; body %s", res.fields(t), tc.field, res.Body)
				}
			})
		}
		// PATCH: the same rules, plus nulls that are not allowed.
		id := existing["id"].(string)
		for _, tc := range []struct {
			body   map[string]any
			status int
			field  string
		}{
			{map[string]any{"kind": nil}, 422, "kind"},
			{map[string]any{"review_status": nil}, 422, "review_status"},
			{map[string]any{"vendor_id": domain.NewID()}, 422, "vendor_id"},
			{map[string]any{"kind": "soc2_type1"}, 422, "expires_on"},
			{map[string]any{"expires_on": "2025-01-01"}, 422, "expires_on"},
			{map[string]any{"issued_on": nil}, 422, "issued_on"},
			{map[string]any{"exceptions_count": -3}, 422, "exceptions_count"},
			{map[string]any{"issued_on": "yesterday"}, 400, "issued_on"},
			{map[string]any{"colour": "red"}, 400, "colour"},
		} {
			res := e.do("PATCH", "/api/v1/attestations/"+id, mgr, tc.body)
			mustStatus(t, res, tc.status)
			if !slices.Contains(res.fields(t), tc.field) {
				t.Errorf("PATCH %v: fields %v, want %s", tc.body, res.fields(t), tc.field)
			}
		}
		mustStatus(t, e.do("PATCH", "/api/v1/attestations/"+domain.NewID(), mgr, map[string]any{"scope": "x"}), 404)
		mustStatus(t, e.do("GET", "/api/v1/attestations/not-a-uuid", mgr, nil), 404)
		mustStatus(t, e.do("POST", "/api/v1/attestations", e.keys[domain.RoleLegal], ok(nil)), 403)

		if a, au := e.countRows("attestations"), e.countRows("audit_events"); a != attBefore || au != auditBefore {
			t.Errorf("bad input wrote rows: attestations %d->%d, audit %d->%d", attBefore, a, auditBefore, au)
		}
		if got := e.do("GET", "/api/v1/attestations/"+id, mgr, nil).object(t); got["version"] != float64(1) {
			t.Errorf("bad patches changed the attestation: %v", got)
		}
	})
}

func TestAttestationEvidence(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		mgr := e.keys[domain.RoleVendorManager]
		vid := e.createVendor(map[string]any{"name": "Evidence Co"})["id"].(string)
		id := e.createAttestation(map[string]any{"vendor_id": vid, "kind": "pci_dss_aoc", "issued_on": "2026-01-10"})["id"].(string)

		// No file yet.
		mustStatus(t, e.do("GET", "/api/v1/attestations/"+id+"/evidence", mgr, nil), http.StatusNotFound)

		pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		res := e.upload(id, mgr, []evidencePart{{"file", `..\AOC 2026 "signed".pdf`, "application/pdf", pdf}})
		mustStatus(t, res, http.StatusCreated)
		a := res.object(t)
		sum := sha256Hex(pdf)
		if a["evidence_sha256"] != sum || a["evidence_size"] != float64(len(pdf)) || a["evidence_media_type"] != "application/pdf" ||
			a["evidence_name"] != "AOC 2026 'signed'.pdf" || a["evidence_uploaded_by"] != e.keyIDs[domain.RoleVendorManager] ||
			a["evidence_uploaded_at"] == nil || a["version"] != float64(2) {
			t.Errorf("after upload = %v", a)
		}
		if res.Header.Get("ETag") != `"2"` || res.Header.Get("Location") != "/api/v1/attestations/"+id+"/evidence" {
			t.Errorf("upload headers = %v", res.Header)
		}
		if n := e.blobCount(); n != 1 {
			t.Errorf("%d blobs after one upload", n)
		}

		// Download: the same bytes, typed and named, with their hash.
		res = e.do("GET", "/api/v1/attestations/"+id+"/evidence", e.keys[domain.RoleAuditor], nil)
		mustStatus(t, res, http.StatusOK)
		if !bytes.Equal(res.Body, pdf) {
			t.Errorf("downloaded %q", res.Body)
		}
		raw := sha256.Sum256(pdf)
		_, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
		if res.Header.Get("Content-Type") != "application/pdf" || err != nil || params["filename"] != "AOC 2026 'signed'.pdf" ||
			res.Header.Get("Content-Disposition") != `attachment; filename="AOC 2026 'signed'.pdf"` ||
			res.Header.Get("X-Content-SHA256") != sum || res.Header.Get("Digest") != "sha-256="+base64.StdEncoding.EncodeToString(raw[:]) ||
			res.Header.Get("Content-Length") != fmt.Sprint(len(pdf)) {
			t.Errorf("download headers = %v (%v)", res.Header, err)
		}

		// Bytes that are not what they claim, or not accepted at all: 415,
		// nothing stored.
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 64)...)
		for _, tc := range []struct {
			name string
			part evidencePart
		}{
			{"png declared as pdf", evidencePart{"file", "aoc.pdf", "application/pdf", png}},
			{"executable declared as pdf", evidencePart{"file", "aoc.pdf", "application/pdf", exe}},
			{"executable undeclared", evidencePart{"file", "setup.exe", "", exe}},
			{"html as text", evidencePart{"file", "x.txt", "text/plain", []byte("<html><script>alert(1)</script></html>")}},
		} {
			res := e.upload(id, mgr, []evidencePart{tc.part})
			mustStatus(t, res, http.StatusUnsupportedMediaType)
			if !slices.Equal(res.fields(t), []string{"file"}) || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: fields %v, content type %s", tc.name, res.fields(t), res.Header.Get("Content-Type"))
			}
		}

		// Over the limit: 413, no blob, no metadata.
		big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), testEvidenceLimit)...)
		res = e.upload(id, mgr, []evidencePart{{"file", "big.pdf", "application/pdf", big}})
		mustStatus(t, res, http.StatusRequestEntityTooLarge)
		if !slices.Equal(res.fields(t), []string{"file"}) {
			t.Errorf("413 fields %v", res.fields(t))
		}
		if n := e.blobCount(); n != 1 {
			t.Errorf("%d blobs after rejected uploads, want 1", n)
		}
		if got := e.do("GET", "/api/v1/attestations/"+id, mgr, nil).object(t); got["version"] != float64(2) || got["evidence_sha256"] != sum {
			t.Errorf("rejected uploads changed the attestation: %v", got)
		}

		// Malformed requests.
		mustStatus(t, e.do("POST", "/api/v1/attestations/"+id+"/evidence", mgr, map[string]any{}), http.StatusUnsupportedMediaType)
		mustStatus(t, e.upload(id, mgr, nil), http.StatusBadRequest)
		res = e.upload(id, mgr, []evidencePart{{"comment", "", "", []byte("hi")}, {"file", "a.pdf", "", pdf}})
		mustStatus(t, res, http.StatusBadRequest)
		if !slices.Equal(res.fields(t), []string{"comment"}) {
			t.Errorf("extra field: fields %v", res.fields(t))
		}
		res = e.upload(id, mgr, []evidencePart{{"file", "empty.pdf", "application/pdf", nil}})
		mustStatus(t, res, http.StatusUnprocessableEntity)
		mustStatus(t, e.upload(domain.NewID(), mgr, []evidencePart{{"file", "a.pdf", "", pdf}}), http.StatusNotFound)
		mustStatus(t, e.upload(id, mgr, []evidencePart{{"file", "a.pdf", "", pdf}}, "If-Match", `"1"`), http.StatusPreconditionFailed)
		mustStatus(t, e.upload(id, e.keys[domain.RoleExecutive], []evidencePart{{"file", "a.pdf", "", pdf}}), http.StatusForbidden)
		if n := e.blobCount(); n != 1 {
			t.Errorf("%d blobs after malformed uploads, want 1", n)
		}

		// A replacement: 200, the new hash; the old blob stays; the audit
		// trail has both hashes.
		text := []byte("Bridge letter: no material changes to controls since the period end.\n")
		res = e.upload(id, mgr, []evidencePart{{"file", "Brückenbrief été.txt", "text/plain; charset=utf-8", text}}, "If-Match", `"2"`)
		mustStatus(t, res, http.StatusOK)
		if a = res.object(t); a["evidence_sha256"] != sha256Hex(text) || a["evidence_media_type"] != "text/plain; charset=utf-8" {
			t.Errorf("replaced = %v", a)
		}
		if n := e.blobCount(); n != 2 {
			t.Errorf("%d blobs after a replacement, want 2", n)
		}
		res = e.do("GET", "/api/v1/attestations/"+id+"/evidence", mgr, nil)
		mustStatus(t, res, http.StatusOK)
		if !bytes.Equal(res.Body, text) || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("download after replace: %q %s", res.Body, res.Header.Get("Content-Type"))
		}
		// A non-ASCII name: an ASCII fallback and the exact name in filename*.
		cd := res.Header.Get("Content-Disposition")
		_, params, err = mime.ParseMediaType(cd)
		if err != nil || params["filename"] != "Brückenbrief été.txt" ||
			!strings.HasPrefix(cd, `attachment; filename="Br_ckenbrief _t_.txt"; filename*=UTF-8''Br%C3%BCckenbrief%20%C3%A9t%C3%A9.txt`) {
			t.Errorf("Content-Disposition %q parses to %v (%v)", cd, params, err)
		}

		res = e.do("GET", "/api/v1/audit-events?entity=attestation&entity_id="+id, e.keys[domain.RoleAuditor], nil)
		var events struct {
			Items []struct {
				Action string
				Before map[string]any
				After  map[string]any
			}
		}
		res.decode(t, &events)
		var hashes []string
		for _, ev := range events.Items {
			if ev.Action == "attestation.evidence_upload" {
				hashes = append(hashes, fmt.Sprint(ev.After["evidence_sha256"]))
				if ev.Before["evidence_sha256"] == ev.After["evidence_sha256"] {
					t.Errorf("upload event without a change of hash: %v", ev.After)
				}
			}
		}
		if !slices.Equal(hashes, []string{sha256Hex(text), sum}) {
			t.Errorf("audited hashes = %v", hashes)
		}

		// A blob altered on disk is never served.
		path := filepath.Join(e.evidenceDir, "sha256", sha256Hex(text)[:2], sha256Hex(text))
		if err := tamperBlob(path, []byte("tampered")); err != nil {
			t.Fatal(err)
		}
		mustStatus(t, e.do("GET", "/api/v1/attestations/"+id+"/evidence", mgr, nil), http.StatusInternalServerError)
	})
}

func TestEvidenceStatus(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(attToday)
		mgr := e.keys[domain.RoleVendorManager]

		status := func(vendorID string) map[string]map[string]any {
			t.Helper()
			res := e.do("GET", "/api/v1/vendors/"+vendorID+"/evidence-status", e.keys[domain.RoleExecutive], nil)
			mustStatus(t, res, http.StatusOK)
			out := map[string]map[string]any{}
			body := res.object(t)
			if body["as_of"] != "2026-03-14" {
				t.Errorf("as_of = %v", body["as_of"])
			}
			for _, r := range body["requirements"].([]any) {
				r := r.(map[string]any)
				out[r["id"].(string)] = r
			}
			out["_buckets"] = map[string]any{"buckets": body["expiring_within"]}
			return out
		}
		bucketIDs := func(st map[string]map[string]any, days int) []string {
			var ids []string
			for _, b := range st["_buckets"]["buckets"].([]any) {
				b := b.(map[string]any)
				if b["within_days"] == float64(days) {
					for _, it := range b["items"].([]any) {
						ids = append(ids, it.(map[string]any)["id"].(string))
					}
				}
			}
			return ids
		}

		// A moderate-tier vendor (40 + 8 + 0 points) that stores card data
		// needs an AOC, and nothing else.
		card := e.createVendor(map[string]any{"name": "Card Vault", "criticality": "low"})["id"].(string)
		mustStatus(t, e.do("POST", "/api/v1/vendors/"+card+"/data-handling", mgr, map[string]any{
			"category": "cardholder_data", "access": []string{"stores"}, "record_count": 100}), http.StatusCreated)
		st := status(card)
		if st["pci-aoc"]["status"] != "missing" || st["pci-aoc"]["attestation"] != nil {
			t.Errorf("card vendor without AOC: %v", st["pci-aoc"])
		}
		if src := st["pci-aoc"]["source"].(map[string]any); src["status"] != "V" || !strings.Contains(src["citation"].(string), "12.8.4") {
			t.Errorf("pci-aoc source = %v", src)
		}
		// A rejected AOC does not count.
		rejected := e.createAttestation(map[string]any{"vendor_id": card, "kind": "pci_dss_aoc", "issued_on": attDay(-1, 0),
			"review_status": "rejected"})
		if st = status(card); st["pci-aoc"]["status"] != "missing" {
			t.Errorf("with a rejected AOC: %v", st["pci-aoc"])
		}
		mustStatus(t, e.do("DELETE", "/api/v1/attestations/"+rejected["id"].(string), mgr, nil), http.StatusNoContent)
		// An AOC issued a month ago is current (11 months left).
		aoc := e.createAttestation(map[string]any{"vendor_id": card, "kind": "pci_dss_aoc", "issued_on": attDay(-1, 0)})
		st = status(card)
		m, _ := st["pci-aoc"]["attestation"].(map[string]any)
		if st["pci-aoc"]["status"] != "current" || m == nil || m["id"] != aoc["id"] || m["expires_on"] != attDay(11, 0) ||
			m["review_status"] != "received" {
			t.Errorf("card vendor with a current AOC: %v", st["pci-aoc"])
		}
		for _, req := range []string{"assurance-report", "pentest"} {
			if _, applies := st[req]; applies {
				t.Errorf("%s applies to a moderate vendor", req)
			}
		}

		// An AOC that expires in 20 days: expiring, and in the 30-day bucket.
		soon := e.createVendor(map[string]any{"name": "Card Soon"})["id"].(string)
		mustStatus(t, e.do("POST", "/api/v1/vendors/"+soon+"/data-handling", mgr, map[string]any{
			"category": "sensitive_auth_data", "access": []string{"transmits"}}), http.StatusCreated)
		expiring := e.createAttestation(map[string]any{"vendor_id": soon, "kind": "pci_dss_aoc",
			"issued_on": attDay(-12, 20), "review_status": "accepted"})
		if expiring["expires_on"] != attDay(0, 20) {
			t.Fatalf("expiring AOC = %v", expiring)
		}
		st = status(soon)
		m, _ = st["pci-aoc"]["attestation"].(map[string]any)
		if st["pci-aoc"]["status"] != "expiring" || m == nil || m["days_left"] != float64(20) {
			t.Errorf("expiring AOC: %v", st["pci-aoc"])
		}
		if got := bucketIDs(st, 30); !slices.Equal(got, []string{expiring["id"].(string)}) {
			t.Errorf("30-day bucket = %v", got)
		}
		if got := append(bucketIDs(st, 60), bucketIDs(st, 90)...); len(got) != 0 {
			t.Errorf("60/90-day buckets = %v", got)
		}

		// A critical vendor: a 13-month-old pentest is expired even with a
		// later expires_on; a current ISO 27001 certificate satisfies the
		// assurance report.
		crit := e.createVendor(map[string]any{"name": "Core Banking", "tier_override": "critical",
			"tier_override_reason": "runs the ledger"})["id"].(string)
		st = status(crit)
		if st["assurance-report"]["status"] != "missing" || st["pentest"]["status"] != "missing" {
			t.Errorf("critical vendor with nothing: %v %v", st["assurance-report"], st["pentest"])
		}
		if _, applies := st["pci-aoc"]; applies {
			t.Errorf("pci-aoc applies to a vendor without card data")
		}
		e.createAttestation(map[string]any{"vendor_id": crit, "kind": "pentest", "issued_on": attDay(-13, 0),
			"expires_on": attDay(6, 0)})
		e.createAttestation(map[string]any{"vendor_id": crit, "kind": "iso27001", "issued_on": attDay(-6, 0)})
		st = status(crit)
		if st["pentest"]["status"] != "expired" || st["pentest"]["max_age_months"] != float64(12) {
			t.Errorf("13-month-old pentest: %v", st["pentest"])
		}
		if m, _ := st["pentest"]["attestation"].(map[string]any); m == nil || m["valid_until"] != attDay(-1, 0) || m["days_left"].(float64) >= 0 {
			t.Errorf("13-month-old pentest match: %v", st["pentest"]["attestation"])
		}
		if st["assurance-report"]["status"] != "current" {
			t.Errorf("with a current ISO 27001: %v", st["assurance-report"])
		}
		// The pentest's own expiry (6 months) puts nothing in the buckets;
		// the 30/60/90 buckets are by expires_on.
		if got := append(append(bucketIDs(st, 30), bucketIDs(st, 60)...), bucketIDs(st, 90)...); len(got) != 0 {
			t.Errorf("buckets of the critical vendor = %v", got)
		}

		mustStatus(t, e.do("GET", "/api/v1/vendors/"+domain.NewID()+"/evidence-status", mgr, nil), http.StatusNotFound)
	})
}

func TestAttestationListFilters(t *testing.T) {
	repotest.Each(t, func(t *testing.T, db *repository.DB) {
		e := newEnv(t, db)
		e.clock.set(attToday)
		aud := e.keys[domain.RoleAuditor]
		v1 := e.createVendor(map[string]any{"name": "List One"})["id"].(string)
		v2 := e.createVendor(map[string]any{"name": "List Two"})["id"].(string)
		var all []string
		mk := func(vendor, kind, issued, status string) string {
			id := e.createAttestation(map[string]any{"vendor_id": vendor, "kind": kind, "issued_on": issued,
				"review_status": status})["id"].(string)
			all = append(all, id)
			return id
		}
		expired := mk(v1, "pci_dss_aoc", attDay(-13, 0), "accepted") // expired a month ago
		soon := mk(v1, "pentest", attDay(-12, 10), "received")       // expires in 10 days
		later := mk(v2, "sig", attDay(-1, 0), "accepted")            // expires in 11 months
		iso := mk(v2, "iso27001", attDay(-2, 0), "under_review")     // expires in 34 months

		ids := func(query string) []string {
			t.Helper()
			res := e.do("GET", "/api/v1/attestations"+query, aud, nil)
			mustStatus(t, res, http.StatusOK)
			var page struct {
				Items []struct{ ID string }
			}
			res.decode(t, &page)
			var out []string
			for _, it := range page.Items {
				out = append(out, it.ID)
			}
			return out
		}
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", all},
			{"?vendor_id=" + v2, []string{later, iso}},
			{"?kind=pentest", []string{soon}},
			{"?review_status=accepted", []string{expired, later}},
			{"?expired=true", []string{expired}},
			{"?expired=false", []string{soon, later, iso}},
			{"?expired=false&expiring_before=" + attDay(0, 30), []string{soon}},
			{"?expiring_before=" + attDay(12, 0), []string{expired, soon, later}},
			{"?vendor_id=" + v1 + "&review_status=received", []string{soon}},
			{"?vendor_id=" + domain.NewID(), nil},
		} {
			if got := ids(tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%q: %v, want %v", tc.query, got, tc.want)
			}
		}

		// Pages of one, following next_cursor, give every row once.
		var seen []string
		path := "/api/v1/attestations?limit=1"
		for range 10 {
			res := e.do("GET", path, aud, nil)
			mustStatus(t, res, http.StatusOK)
			var page struct {
				Items      []struct{ ID string }
				NextCursor string `json:"next_cursor"`
			}
			res.decode(t, &page)
			for _, it := range page.Items {
				seen = append(seen, it.ID)
			}
			if page.NextCursor == "" {
				break
			}
			path = "/api/v1/attestations?limit=1&cursor=" + page.NextCursor
		}
		if !slices.Equal(seen, all) {
			t.Errorf("paged = %v, want %v", seen, all)
		}

		for _, tc := range []struct{ query, field string }{
			{"?kind=soc3", "kind"},
			{"?review_status=done", "review_status"},
			{"?expired=yes", "expired"},
			{"?expiring_before=soon", "expiring_before"},
			{"?vendor_id=acme", "vendor_id"},
			{"?limit=0", "limit"},
			{"?cursor=!!", "cursor"},
		} {
			res := e.do("GET", "/api/v1/attestations"+tc.query, aud, nil)
			mustStatus(t, res, http.StatusBadRequest)
			if !slices.Equal(res.fields(t), []string{tc.field}) {
				t.Errorf("%s: fields %v", tc.query, res.fields(t))
			}
		}
	})
}
