package finding

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
)

func TestLiveIndex(t *testing.T) {
	var x liveIndex
	keys := make([]FindingKey, 500)
	ids := make([]uuid.UUID, len(keys))
	for i := range keys {
		keys[i] = FindingKey{RuleID: RuleAttestationExpired, SubjectType: SubjectAttestation, SubjectID: fmt.Sprintf("s-%d", i)}
		ids[i] = uuid.New()
		x.add(keys[i], LiveFinding{ID: ids[i], Fingerprint: Fingerprint{byte(i)}})
	}
	x.sort()
	for i, k := range keys {
		e := x.find(k)
		if e == nil || e.id != ids[i] || e.fp != (Fingerprint{byte(i)}) {
			t.Fatalf("find %v: %+v", k, e)
		}
		if i%2 == 0 {
			e.seen = true
		}
	}
	// The same subject under another rule or subject type is another key.
	if e := x.find(FindingKey{RuleID: RuleAttestationExpiring, SubjectType: SubjectAttestation, SubjectID: "s-1"}); e != nil {
		t.Fatalf("found a key never added: %+v", e)
	}
	unseen := x.unseen()
	if len(unseen) != len(keys)/2 {
		t.Fatalf("%d unseen, want %d", len(unseen), len(keys)/2)
	}
	want := map[uuid.UUID]bool{}
	for i := 1; i < len(ids); i += 2 {
		want[ids[i]] = true
	}
	for _, id := range unseen {
		if !want[id] {
			t.Fatalf("unseen %s was seen", id)
		}
	}
}

// Equal judgements have equal fingerprints whatever the facts' map order;
// a change of severity, vendor or any fact changes it.
func TestFingerprint(t *testing.T) {
	f := Finding{RuleID: RuleIncidentNoticeLate, Severity: SeverityHigh, VendorID: "v1", SubjectType: SubjectIncident,
		SubjectID: "i1", Facts: map[string]any{"lag": map[string]any{"days": 167}, "window": "72 hours"}}
	a, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	g := f
	g.Facts = map[string]any{"window": "72 hours", "lag": map[string]any{"days": 167}}
	if b, _ := g.Encode(); b.Fingerprint != a.Fingerprint || b.FactsJSON != a.FactsJSON {
		t.Fatalf("same judgement, different encodings: %s %s", a.FactsJSON, b.FactsJSON)
	}
	for name, change := range map[string]func(*Finding){
		"severity": func(f *Finding) { f.Severity = SeverityCritical },
		"vendor":   func(f *Finding) { f.VendorID = "v2" },
		"facts":    func(f *Finding) { f.Facts = map[string]any{"lag": map[string]any{"days": 168}, "window": "72 hours"} },
	} {
		g := f
		change(&g)
		if b, _ := g.Encode(); b.Fingerprint == a.Fingerprint {
			t.Errorf("a change of %s keeps the fingerprint", name)
		}
	}
	if e, _ := (Finding{}).Encode(); e.FactsJSON != "{}" {
		t.Errorf("nil facts encode as %s", e.FactsJSON)
	}
}
