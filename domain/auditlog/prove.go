package auditlog

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Proof shows that one event is in the log under a signed checkpoint.
// Anyone with the log's public key can check it (CheckProof, or any RFC
// 6962 implementation): the leaf hash is SHA-256(0x00 || leaf_data), the
// proof's hashes lead from it at leaf_index to the checkpoint's root, and
// the checkpoint's note signature verifies with the public key.
type Proof struct {
	EventID    string   `json:"event_id"`
	LeafIndex  int64    `json:"leaf_index"`
	LeafData   string   `json:"leaf_data"`  // the event's canonical JSON, exactly as hashed
	Checkpoint string   `json:"checkpoint"` // the signed checkpoint (note)
	Hashes     []string `json:"proof"`      // base64 hashes of the RFC 6962 inclusion proof
	PublicKey  string   `json:"public_key"` // the key that signed it; check against your own copy
}

// ErrNotSealed: the event is stored but not sealed yet.
var ErrNotSealed = errors.New("the event is not sealed yet: no checkpoint covers it")

// Prove returns the inclusion proof of event id under the head's signed
// checkpoint, after checking it. Returns domain.ErrNotFound for an unknown
// event and ErrNotSealed for one not sealed yet.
func Prove(ctx context.Context, st Store, keys Keys, id string) (Proof, error) {
	e, err := st.Event(ctx, id)
	if err != nil {
		return Proof{}, err
	}
	if e.Leaf == nil {
		return Proof{}, fmt.Errorf("event %s: %w", id, ErrNotSealed)
	}
	head, err := st.Head(ctx)
	if err != nil {
		return Proof{}, err
	}
	cp, err := Open(head.Note, keys.Verifier)
	if err != nil {
		return Proof{}, fmt.Errorf("the audit log head's checkpoint: %w", err)
	}
	leaf := *e.Leaf
	if leaf >= cp.Size {
		return Proof{}, fmt.Errorf("event %s: leaf %d is beyond the signed checkpoint of %s: run audit verify", id, leaf, domain.Count(cp.Size, "leaf", "leaves"))
	}
	rp, err := tlog.ProveRecord(cp.Size, leaf, hashReader(ctx, st))
	if err != nil {
		return Proof{}, fmt.Errorf("inclusion proof of leaf %d: %w", leaf, err)
	}
	p := Proof{EventID: e.ID, LeafIndex: leaf, LeafData: string(LeafData(e)), Checkpoint: cp.Note, PublicKey: keys.Public}
	for _, h := range rp {
		p.Hashes = append(p.Hashes, base64.StdEncoding.EncodeToString(h[:]))
	}
	if _, err := CheckProof(p, keys.Verifier); err != nil {
		return Proof{}, fmt.Errorf("event %s: the stored log does not prove it under its own checkpoint (run audit verify): %w", id, err)
	}
	return p, nil
}

// CheckProof checks p with the log's public key alone, and returns the
// checkpoint it is proven under.
func CheckProof(p Proof, v note.Verifier) (Checkpoint, error) {
	cp, err := Open(p.Checkpoint, v)
	if err != nil {
		return Checkpoint{}, err
	}
	var rp tlog.RecordProof
	for i, s := range p.Hashes {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw) != tlog.HashSize {
			return Checkpoint{}, fmt.Errorf("proof hash %d is not a base64 SHA-256 hash", i)
		}
		rp = append(rp, tlog.Hash(raw))
	}
	if p.LeafIndex < 0 || p.LeafIndex >= cp.Size {
		return Checkpoint{}, fmt.Errorf("leaf %d is outside the checkpoint of %s", p.LeafIndex, domain.Count(cp.Size, "leaf", "leaves"))
	}
	if err := tlog.CheckRecord(rp, cp.Size, cp.Root, p.LeafIndex, tlog.RecordHash([]byte(p.LeafData))); err != nil {
		return Checkpoint{}, fmt.Errorf("the leaf is not in the tree of checkpoint %d: %w", cp.Size, err)
	}
	return cp.Checkpoint, nil
}
