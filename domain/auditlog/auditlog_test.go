package auditlog

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
)

// memHashes is tlog's stored-hash storage in memory.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= int64(len(m)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

func testKeys(t *testing.T) Keys {
	t.Helper()
	k, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The verifier's frontier gives the hashes tlog stores, in its order, and
// tlog's tree hash, for every size.
func TestFrontierMatchesTlog(t *testing.T) {
	var stored memHashes
	var f frontier
	for n := range int64(301) {
		want, err := tlog.TreeHash(n, stored)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.root(); got != want {
			t.Fatalf("root of %d leaves = %x, tlog says %x", n, got, want)
		}
		data := []byte(fmt.Sprintf("leaf %d", n))
		hs, err := tlog.StoredHashes(n, data, stored)
		if err != nil {
			t.Fatal(err)
		}
		got := f.append(tlog.RecordHash(data))
		if fmt.Sprint(got) != fmt.Sprint(hs) {
			t.Fatalf("leaf %d: frontier stores %d hashes %x, tlog %d %x", n, len(got), got, len(hs), hs)
		}
		stored = append(stored, hs...)
	}
}

func TestKeysSignAndOpen(t *testing.T) {
	for i := range 40 { // base64 key data often holds '+'
		keys := testKeys(t)
		if !strings.HasPrefix(keys.Public, Origin+"+") {
			t.Fatalf("public key %q is not named %s", keys.Public, Origin)
		}
		c := Checkpoint{Origin: Origin, Size: int64(1000 + i), Root: tlog.RecordHash([]byte{byte(i)})}
		s, err := Sign(c, keys.Signer)
		if err != nil {
			t.Fatal(err)
		}
		v, err := ParseVerifierKey(keys.Public)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(s.Note, v)
		if err != nil || got.Checkpoint != c {
			t.Fatalf("Open(%q) = %+v, %v; want %+v", s.Note, got.Checkpoint, err, c)
		}
		if !strings.HasPrefix(s.Note, c.Text()+"\n— "+Origin+" ") {
			t.Errorf("note %q is not the checkpoint text and its signature line", s.Note)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	keys, other := testKeys(t), testKeys(t)
	c := Checkpoint{Origin: Origin, Size: 7, Root: tlog.RecordHash([]byte("x"))}
	s, err := Sign(c, keys.Signer)
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(s.Note, "\n7\n", "\n8\n", 1)
	for name, tt := range map[string]struct {
		note string
		key  Keys
	}{
		"another key":      {s.Note, other},
		"an edited size":   {forged, keys},
		"no signature":     {c.Text(), keys},
		"a truncated note": {s.Note[:len(s.Note)-10], keys},
	} {
		if _, err := Open(tt.note, tt.key.Verifier); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Open = %v, want ErrBadSignature", name, err)
		}
	}
	for _, text := range []string{"", "o\n1\n", "o\n-1\nAAAA\n", "o\n01\n" + base64.StdEncoding.EncodeToString(c.Root[:]) + "\n", "o\n1\nnot base64\n"} {
		if _, err := ParseCheckpoint(text); err == nil {
			t.Errorf("ParseCheckpoint(%q) accepted", text)
		}
	}
}

func TestLeafDataIsCanonical(t *testing.T) {
	e := domain.AuditEvent{Seq: 1, ID: "id", At: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC), ActorID: "a",
		Action: "vendor.create", Entity: "vendor", EntityID: "v", After: json.RawMessage(`{"b": 1, "a": 2}`)}
	h := LeafHash(e)
	// Whitespace in stored JSON, sub-microsecond time, a zone, the
	// database's number and the leaf index do not change it.
	e2 := e
	e2.After = json.RawMessage(`{"b":1,"a":2}`)
	e2.At = e.At.Truncate(time.Microsecond).In(time.FixedZone("x", 3600))
	leaf := int64(9)
	e2.Leaf, e2.Seq = &leaf, 42
	if LeafHash(e2) != h {
		t.Errorf("leaf hash depends on formatting: %s vs %s", LeafData(e), LeafData(e2))
	}
	for name, edit := range map[string]func(*domain.AuditEvent){
		"action": func(e *domain.AuditEvent) { e.Action = "vendor.delete" },
		"id":     func(e *domain.AuditEvent) { e.ID = "other" },
		"time":   func(e *domain.AuditEvent) { e.At = e.At.Add(time.Microsecond) },
		"before": func(e *domain.AuditEvent) { e.Before = json.RawMessage(`{}`) },
		"actor":  func(e *domain.AuditEvent) { e.ActorName = "mallory" },
	} {
		e3 := e
		edit(&e3)
		if LeafHash(e3) == h {
			t.Errorf("leaf hash ignores the %s", name)
		}
	}
	if got := string(LeafData(e)); got != `{"id":"id","at":"2026-01-02T03:04:05.123456Z","actor_id":"a","actor_name":"",`+
		`"action":"vendor.create","entity":"vendor","entity_id":"v","request_id":"","before":null,"after":{"b":1,"a":2}}` {
		t.Errorf("LeafData = %s", got)
	}
}

// Leaf data is valid JSON that decodes to the event's strings, whatever
// they hold.
func TestLeafDataEscapes(t *testing.T) {
	odd := "q\"b\\s\x01\n\t<&>\u2028é😀 \xff end"
	e := domain.AuditEvent{ID: odd, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ActorName: odd, Action: "a",
		Before: json.RawMessage(`{"k": "<v>"}`), After: json.RawMessage("not json")}
	data := LeafData(e)
	var got struct {
		ID        string `json:"id"`
		ActorName string `json:"actor_name"`
		Before    map[string]string
		After     string
	}
	if err := json.Unmarshal(data, &got); err != nil || !json.Valid(data) {
		t.Fatalf("LeafData = %s: %v", data, err)
	}
	want := strings.ToValidUTF8(odd, "\uFFFD")
	if got.ID != want || got.ActorName != want || got.Before["k"] != "<v>" || got.After != "not json" {
		t.Errorf("decoded %+v from %s, want id %q", got, data, want)
	}
}

func TestCheckProof(t *testing.T) {
	keys := testKeys(t)
	var stored memHashes
	var leaves [][]byte
	for n := range int64(11) {
		data := []byte(fmt.Sprintf(`{"seq":%d}`, n))
		hs, err := tlog.StoredHashes(n, data, stored)
		if err != nil {
			t.Fatal(err)
		}
		stored, leaves = append(stored, hs...), append(leaves, data)
	}
	root, err := tlog.TreeHash(11, stored)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := Sign(Checkpoint{Origin: Origin, Size: 11, Root: root}, keys.Signer)
	if err != nil {
		t.Fatal(err)
	}
	proof := func(leaf int64) Proof {
		rp, err := tlog.ProveRecord(11, leaf, stored)
		if err != nil {
			t.Fatal(err)
		}
		p := Proof{LeafIndex: leaf, LeafData: string(leaves[leaf]), Checkpoint: cp.Note}
		for _, h := range rp {
			p.Hashes = append(p.Hashes, base64.StdEncoding.EncodeToString(h[:]))
		}
		return p
	}
	for leaf := range int64(11) {
		if got, err := CheckProof(proof(leaf), keys.Verifier); err != nil || got.Size != 11 {
			t.Errorf("leaf %d: CheckProof = %+v, %v", leaf, got, err)
		}
	}
	bad := map[string]func(*Proof){
		"edited leaf data": func(p *Proof) { p.LeafData = `{"seq":99}` },
		"another index":    func(p *Proof) { p.LeafIndex = 4 },
		"index too large":  func(p *Proof) { p.LeafIndex = 11 },
		"a dropped hash":   func(p *Proof) { p.Hashes = p.Hashes[1:] },
		"a bad hash":       func(p *Proof) { p.Hashes[0] = "AAAA" },
	}
	for name, edit := range bad {
		p := proof(3)
		edit(&p)
		if _, err := CheckProof(p, keys.Verifier); err == nil {
			t.Errorf("%s: CheckProof accepted it", name)
		}
	}
	if _, err := CheckProof(proof(3), testKeys(t).Verifier); !errors.Is(err, ErrBadSignature) {
		t.Errorf("another key: CheckProof = %v, want ErrBadSignature", err)
	}
}

func TestReadGiven(t *testing.T) {
	keys := testKeys(t)
	var file strings.Builder
	var notes []string
	for n := range int64(3) {
		s, err := Sign(Checkpoint{Origin: Origin, Size: n + 1, Root: tlog.RecordHash([]byte{byte(n)})}, keys.Signer)
		if err != nil {
			t.Fatal(err)
		}
		file.Write(FileLine(s, time.Date(2026, 12, 1, 0, 0, int(n), 0, time.UTC)))
		notes = append(notes, s.Note)
	}
	file.WriteString("\n")
	got, err := ReadGiven(strings.NewReader(file.String()), "cp.jsonl")
	if err != nil || len(got) != 3 {
		t.Fatalf("ReadGiven(file) = %v, %v", got, err)
	}
	for i, g := range got {
		if g.Note != notes[i] || g.Source != fmt.Sprintf("cp.jsonl:%d", i+1) {
			t.Errorf("entry %d = %+v", i, g)
		}
		if _, err := Open(g.Note, keys.Verifier); err != nil {
			t.Errorf("entry %d does not open: %v", i, err)
		}
	}
	// One note, as copied out of a workbook cell: trailing newline lost.
	one, err := ReadGiven(strings.NewReader("\n"+strings.TrimSpace(notes[1])), "note.txt")
	if err != nil || len(one) != 1 {
		t.Fatalf("ReadGiven(note) = %v, %v", one, err)
	}
	if s, err := Open(one[0].Note, keys.Verifier); err != nil || s.Size != 2 {
		t.Errorf("the single note opens as %+v, %v", s, err)
	}
	if _, err := ReadGiven(strings.NewReader(file.String()+"{not json\n"), "cp.jsonl"); err == nil || !strings.Contains(err.Error(), "cp.jsonl:5") {
		t.Errorf("a bad line: %v, want an error naming cp.jsonl:5", err)
	}
}

// BenchmarkLeafHash hashes an event with a vendor-sized snapshot, as every
// write does.
func BenchmarkLeafHash(b *testing.B) {
	after, _ := json.Marshal(map[string]any{"name": strings.Repeat("n", 40), "notes": strings.Repeat("x", 900), "n": 3})
	e := domain.AuditEvent{ID: "0190a9e4-7b4c-7c3a-9d7e-2f2d3c4b5a69", At: time.Now(), ActorID: "key", ActorName: "admin",
		Action: "vendor.create", Entity: "vendor", EntityID: "0190a9e4-7b4c-7c3a-9d7e-2f2d3c4b5a6a", After: after}
	b.ReportAllocs()
	for b.Loop() {
		LeafHash(e)
	}
}
