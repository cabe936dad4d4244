package finding

import (
	"bytes"
	"crypto/sha256"
	"slices"

	"github.com/google/uuid"
)

// liveIndex holds a rule family's live findings while the scan judges the
// family: one 49-byte entry per finding (the digest of its key, its id,
// its fingerprint and whether the run saw it), sorted by key digest. A map
// keyed by FindingKey takes three times the memory (the key's strings and
// the map's slots).
type liveIndex []liveEntry

type liveEntry struct {
	key  [16]byte // keyDigest of the finding's key
	id   uuid.UUID
	fp   Fingerprint
	seen bool
}

// keyDigest is the first 16 bytes of the SHA-256 of the key's parts.
func keyDigest(k FindingKey) [16]byte {
	var buf [160]byte
	b := append(buf[:0], k.RuleID...)
	b = append(b, 0)
	b = append(b, k.SubjectType...)
	b = append(b, 0)
	b = append(b, k.SubjectID...)
	sum := sha256.Sum256(b)
	return [16]byte(sum[:16])
}

func (x *liveIndex) add(k FindingKey, l LiveFinding) {
	*x = append(*x, liveEntry{key: keyDigest(k), id: l.ID, fp: l.Fingerprint})
}

// sort readies the index for find.
func (x liveIndex) sort() {
	slices.SortFunc(x, func(a, b liveEntry) int { return bytes.Compare(a.key[:], b.key[:]) })
}

// find returns the entry of k, or nil.
func (x liveIndex) find(k FindingKey) *liveEntry {
	d := keyDigest(k)
	i, ok := slices.BinarySearchFunc(x, d, func(e liveEntry, d [16]byte) int { return bytes.Compare(e.key[:], d[:]) })
	if !ok {
		return nil
	}
	return &x[i]
}

// unseen returns the ids of the entries the run did not see.
func (x liveIndex) unseen() []uuid.UUID {
	var ids []uuid.UUID
	for i := range x {
		if !x[i].seen {
			ids = append(ids, x[i].id)
		}
	}
	return ids
}
