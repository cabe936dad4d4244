package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// referenceJSON is what encoding/json writes for v with HTML escaping off.
func referenceJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return buf.Bytes()
}

// checkSameJSON encodes v with encodeJSON and with encoding/json and
// requires the same bytes.
func checkSameJSON(t *testing.T, v any) {
	t.Helper()
	want := referenceJSON(t, v)
	rec := httptest.NewRecorder()
	if err := encodeJSON(rec, v); err != nil {
		t.Fatal(err)
	}
	if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("encodeJSON differs from encoding/json:\n got %s\nwant %s", got, want)
	}
	if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(want)) {
		t.Errorf("Content-Length %s for %d bytes", cl, len(want))
	}
}

var trickyStrings = []string{
	"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "héllo wörld ✓ 𝄞", "line\u2028sep\u2029para", "bad \xff\xfe utf8 \xc3", "\xed\xa0\x80 surrogate",
}

func sampleVendor(s string) vendorJSON {
	d := mustDate("2026-03-04")
	v := toVendorJSON(register.Vendor{
		ID: domain.NewID(), Name: "Acme " + s, LegalName: s, Website: "https://acme.example/?a=1&b=<2>", Country: "DE",
		Status: register.StatusActive, Criticality: register.CriticalityHigh, ExternalRef: s, TierOverride: register.TierCritical,
		TierOverrideReason: s, LastReviewOn: d, Version: 7,
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC), UpdatedAt: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC),
		Risk: register.ComputeInherentRisk(register.RiskInputs{MaxSensitivity: 4, MaxRecords: 2_000_000, Criticality: register.CriticalityHigh}),
	})
	next := d.AddDays(365)
	v.NextReviewDue, v.ReviewOverdue = &next, true
	return v
}

func sampleFinding(s string) finding.Finding {
	resolved := time.Date(2026, 5, 6, 7, 8, 9, 123, time.UTC)
	until := mustDate("2027-01-01")
	return finding.Finding{
		ID: domain.NewID(), RuleID: "notice.late", Severity: "high", VendorID: domain.NewID(), SubjectType: "incident",
		SubjectID: s, Status: finding.FindingRiskAccepted, FirstSeenAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		LastSeenAt: time.Date(2026, 11, 1, 12, 0, 0, 5, time.UTC), LastSeenRun: "run-1", ResolvedAt: &resolved,
		AcceptedReason: s, AcceptedUntil: &until, AcceptedBy: "key-1", Version: 3, UpdatedAt: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
		Facts: map[string]any{
			"window": "72h", s: s, "lag": 167.0, "late_by": map[string]any{"days": 164.5, "hours": 3948.0},
			"tiny": 1e-7, "huge": 1e21, "neg": -0.000001, "int": 123456789012.0, "ok": true, "none": nil,
			"list": []any{"a", 1.5, false, nil, map[string]any{}}, "empty": []any{},
		},
	}
}

func TestEncodeJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range trickyStrings {
		v, f := sampleVendor(s), sampleFinding(s)
		checkSameJSON(t, v)
		checkSameJSON(t, f)
		checkSameJSON(t, listResponse[vendorJSON]{Items: []vendorJSON{v, sampleVendor("x")}, NextCursor: s})
		checkSameJSON(t, listResponse[finding.Finding]{Items: []finding.Finding{f, {}}, NextCursor: "abc"})
	}
	bare := toVendorJSON(register.Vendor{})
	checkSameJSON(t, bare) // zero times, null pointers, null factors
	checkSameJSON(t, listResponse[vendorJSON]{})
	checkSameJSON(t, listResponse[vendorJSON]{Items: []vendorJSON{}})
	checkSameJSON(t, finding.Finding{Facts: map[string]any{}})
	checkSameJSON(t, problem{Type: "about:blank", Title: "Bad <request>", Status: 422, Detail: trickyStrings[3],
		Errors: []domain.FieldError{{Field: "name", Message: "is required"}}})
	checkSameJSON(t, problem{Title: "Not found", Status: 404}) // omitted empty fields
}

func TestEncodeJSONUnusualValues(t *testing.T) {
	far := sampleVendor("far")
	far.CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := httptest.NewRecorder()
	if err := encodeJSON(rec, far); err == nil {
		t.Error("a year past 9999 encoded without error")
	}
	odd := sampleFinding("odd")
	odd.Facts["count"] = 3 // an int, as a scan builds facts in memory
	checkSameJSON(t, odd)
	checkSameJSON(t, anyMap{"status": "ok"})
	nan := sampleFinding("nan")
	nan.Facts["x"] = math.NaN()
	if err := encodeJSON(httptest.NewRecorder(), nan); err == nil {
		t.Error("NaN encoded without error")
	}
}

func mustDate(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// anyMap stands in for an arbitrary response type.
type anyMap map[string]any

func FuzzEncodeJSONString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, 1.5)
	}
	f.Add("x", 1e-7)
	f.Add("y", -1e22)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		fi := sampleFinding(s)
		fi.Facts["x"] = x
		checkSameJSON(t, fi)
		checkSameJSON(t, sampleVendor(s))
	})
}

// BenchmarkEncodeJSON encodes the hot responses with encodeJSON and, for
// comparison, with encoding/json.
func BenchmarkEncodeJSON(b *testing.B) {
	var vendors []vendorJSON
	var findings []finding.Finding
	for i := range 50 {
		v := sampleVendor("plain")
		v.ExternalRef = nil
		vendors = append(vendors, v)
		f := sampleFinding(strconv.Itoa(i))
		f.Facts = map[string]any{"due_at": "2026-01-13T00:19:20Z", "regime": "Visa WTDIC",
			"overdue_by": map[string]any{"days": 314.78, "hours": 7554.68}, "vendor_name": "Bright Telecom 099168"}
		findings = append(findings, f)
	}
	for _, c := range []struct {
		name string
		v    any
	}{
		{"vendor", vendors[0]},
		{"vendors50", listResponse[vendorJSON]{Items: vendors, NextCursor: "abc"}},
		{"findings50", listResponse[finding.Finding]{Items: findings, NextCursor: "abc"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			rec := httptest.NewRecorder()
			for b.Loop() {
				rec.Body.Reset()
				if err := encodeJSON(rec, c.v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/encoding_json", func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(c.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
