package finding

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// controlsIndex holds the residual controls the policy family computed
// for the vendors it judged, for the risk family of the same run, so that
// the risk family reads neither data handling, contracts nor attestations
// again. One 20-byte entry per vendor (the digest of its id and the
// position of its controls in a table of the distinct ones, which are few:
// the requirements and gaps are drawn from the policy's short lists),
// sorted by digest.
type controlsIndex struct {
	entries []controlsEntry
	table   []ResidualControls
	known   map[string]uint32 // position in table by controlsKey
	key     []byte            // controlsKey's buffer
}

type controlsEntry struct {
	id [16]byte // idDigest of the vendor id
	at uint32   // position in table
}

// idDigest is a vendor id's key in the index: its 16 bytes when it is a
// canonical UUID (domain.NewID's ids), else the first 16 bytes of its
// SHA-256.
func idDigest(id string) [16]byte {
	if len(id) == 36 && strings.ToLower(id) == id {
		if u, err := uuid.Parse(id); err == nil {
			return u
		}
	}
	sum := sha256.Sum256([]byte(id))
	return [16]byte(sum[:16])
}

// add records a vendor's controls.
func (x *controlsIndex) add(vendorID string, c ResidualControls) {
	b := strconv.AppendInt(x.key[:0], int64(c.EvidenceRequired), 10)
	for _, g := range c.EvidenceGaps {
		b = append(append(b, 0), g...)
	}
	b = strconv.AppendInt(append(b, 1), int64(c.ClauseRequired), 10)
	for _, g := range c.ClauseGaps {
		b = append(append(b, 0), g...)
	}
	x.key = b
	at, ok := x.known[string(b)]
	if !ok {
		if x.known == nil {
			x.known = map[string]uint32{}
		}
		at = uint32(len(x.table))
		c.EvidenceGaps, c.ClauseGaps = slices.Clip(c.EvidenceGaps), slices.Clip(c.ClauseGaps)
		x.table = append(x.table, c)
		x.known[string(b)] = at
	}
	x.entries = append(x.entries, controlsEntry{id: idDigest(vendorID), at: at})
}

// sort readies the index for find.
func (x *controlsIndex) sort() {
	slices.SortFunc(x.entries, func(a, b controlsEntry) int { return bytes.Compare(a.id[:], b.id[:]) })
}

// find returns a vendor's controls, and whether the index holds them. The
// controls' slices are shared between vendors: read them only.
func (x *controlsIndex) find(vendorID string) (ResidualControls, bool) {
	d := idDigest(vendorID)
	i, ok := slices.BinarySearchFunc(x.entries, d, func(e controlsEntry, d [16]byte) int { return bytes.Compare(e.id[:], d[:]) })
	if !ok {
		return ResidualControls{}, false
	}
	return x.table[x.entries[i].at], true
}
