package finding

import (
	"reflect"
	"testing"
)

// TestControlsIndex: each vendor finds its own controls, vendors with the
// same controls share one table row, and an id the index does not hold
// (whatever its form) is not found.
func TestControlsIndex(t *testing.T) {
	a := ResidualControls{EvidenceRequired: 2, EvidenceGaps: []string{"pci-aoc"}, ClauseRequired: 1}
	b := ResidualControls{EvidenceRequired: 2, ClauseRequired: 1, ClauseGaps: []string{"pci-aoc"}}
	ids := []string{"0190f0a0-0000-7000-8000-000000000003", "0190f0a0-0000-7000-8000-000000000001", "not-a-uuid",
		"0190f0a0-0000-7000-8000-000000000002"}
	want := map[string]ResidualControls{ids[0]: a, ids[1]: b, ids[2]: a, ids[3]: {}}
	var x controlsIndex
	for _, id := range ids {
		x.add(id, want[id])
	}
	x.sort()
	if len(x.table) != 3 {
		t.Errorf("table has %d rows, want 3 (a, b, none)", len(x.table))
	}
	for id, c := range want {
		got, ok := x.find(id)
		if !ok || !reflect.DeepEqual(got.EvidenceGaps, c.EvidenceGaps) || !reflect.DeepEqual(got.ClauseGaps, c.ClauseGaps) ||
			got.EvidenceRequired != c.EvidenceRequired || got.ClauseRequired != c.ClauseRequired {
			t.Errorf("find(%s) = %+v, %v; want %+v", id, got, ok, c)
		}
	}
	for _, id := range []string{"0190F0A0-0000-7000-8000-000000000003", "0190f0a0-0000-7000-8000-000000000004", ""} {
		if _, ok := x.find(id); ok {
			t.Errorf("find(%q) found controls", id)
		}
	}
}
