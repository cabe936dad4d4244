package api

import (
	"encoding/json"
	"testing"
)

// TestFactValueWords: facts as the scan stored them (JSON) read as words on
// the console, never as JSON.
func TestFactValueWords(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`"2026-03-01T00:00:00Z"`, "2026-03-01 00:00 UTC"},
		{`true`, "yes"},
		{`{"days": 3, "hours": 72}`, "3 days"},
		{`{"days": 1, "hours": 24}`, "24 hours"},
		{`[{"id": "soc2", "title": "SOC 2 Type II report", "status": "missing", "any_of": ["soc2_type2"]},
		   {"id": "pen", "title": "Penetration test", "status": "expired"}]`,
			"SOC 2 Type II report (missing), Penetration test (expired)"},
		{`{"title": "Chat MSA"}`, "Chat MSA"},
	} {
		var v any
		if err := json.Unmarshal([]byte(tc.json), &v); err != nil {
			t.Fatal(err)
		}
		if got := factValue(v); got != tc.want {
			t.Errorf("factValue(%s) = %q, want %q", tc.json, got, tc.want)
		}
	}
}
