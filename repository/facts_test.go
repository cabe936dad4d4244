package repository

import (
	"encoding/json"
	"reflect"
	"testing"

	gojson "github.com/goccy/go-json"
)

// factsSamples are facts as the rules write them, and edge cases.
var factsSamples = []string{
	`{}`, ` { } `, `{"a":1}`,
	`{"due_at": "2026-01-13T00:19:20Z", "regime": "Visa WTDIC", "overdue_by": {"days": 314.78, "hours": 7554.68}, "vendor_name": "Bright Telecom 099168"}`,
	`{"n":[1,-2.5e-7,0,1E21,-0.0,[],{}],"t":true,"f":false,"z":null,"s":"héllo ✓"}`,
	`{"a":1,"a":2}`, `{"esc":"quote \" here"}`, `{"u":"\u00e9"}`, "{\"bad\":\"\xff\"}", `{"x":01}`, `{"x":1.}`,
	`{"x":-}`, `{"x":1e}`, `{"x":+1}`, `{"x":.5}`, `{"x":1}x`, `[1]`, `null`, `"s"`, ``, `{"x":tru}`, `{"x":[1,]}`,
	`{"x":{"y":}}`, `{"x" 1}`, `{"x":1,}`, `{"big":1e400}`, "{\"c\":\"a\tb\"}",
}

// checkFacts requires decodeFacts to give what json.Unmarshal gives into
// an empty map, and go-json to accept exactly what encoding/json accepts
// (so encoding/json reads only input that both reject).
func checkFacts(t *testing.T, s string) {
	t.Helper()
	want := map[string]any{}
	stdErr := json.Unmarshal([]byte(s), &want)
	if got := decodeFacts(s); !reflect.DeepEqual(got, want) {
		t.Errorf("decodeFacts(%q) = %#v, want %#v", s, got, want)
	}
	if err := gojson.Unmarshal([]byte(s), &map[string]any{}); (err == nil) != (stdErr == nil) {
		t.Errorf("go-json on %q: error %v; encoding/json: error %v", s, err, stdErr)
	}
}

func TestDecodeFactsMatchesEncodingJSON(t *testing.T) {
	for _, s := range factsSamples {
		checkFacts(t, s)
	}
}

func FuzzDecodeFacts(f *testing.F) {
	for _, s := range factsSamples {
		f.Add(s)
	}
	f.Fuzz(checkFacts)
}

// BenchmarkDecodeFacts reads a rule's facts with decodeFacts and, for
// comparison, with encoding/json.
func BenchmarkDecodeFacts(b *testing.B) {
	s := factsSamples[3]
	b.Run("decodeFacts", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = decodeFacts(s)
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := map[string]any{}
			_ = json.Unmarshal([]byte(s), &m)
		}
	})
}
