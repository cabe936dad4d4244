package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// AuditEvent records one write: who did what to which entity, with the
// state before and after. Events form a hash chain: each Hash covers the
// previous event's hash and this event's canonical content, so editing or
// deleting a stored event breaks every later link.
type AuditEvent struct {
	Seq       int64           `json:"seq"`
	ID        string          `json:"id"`
	At        time.Time       `json:"at"`
	ActorID   string          `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	Action    string          `json:"action"` // e.g. vendor.create
	Entity    string          `json:"entity"` // e.g. vendor
	EntityID  string          `json:"entity_id"`
	RequestID string          `json:"request_id"`
	Before    json.RawMessage `json:"before"` // null for creates
	After     json.RawMessage `json:"after"`  // null for deletes
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

// GenesisHash is the PrevHash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ChainHash computes the hash of e given the previous event's hash:
// sha256(prev || canonical JSON of e without its hashes). The timestamp is
// taken at microsecond precision in UTC, the precision both databases keep.
func ChainHash(prev string, e AuditEvent) string {
	canon := struct {
		Seq       int64           `json:"seq"`
		ID        string          `json:"id"`
		At        string          `json:"at"`
		ActorID   string          `json:"actor_id"`
		ActorName string          `json:"actor_name"`
		Action    string          `json:"action"`
		Entity    string          `json:"entity"`
		EntityID  string          `json:"entity_id"`
		RequestID string          `json:"request_id"`
		Before    json.RawMessage `json:"before"`
		After     json.RawMessage `json:"after"`
	}{e.Seq, e.ID, e.At.UTC().Format("2006-01-02T15:04:05.000000Z"), e.ActorID, e.ActorName, e.Action,
		e.Entity, e.EntityID, e.RequestID, compactJSON(e.Before), compactJSON(e.After)}
	b, _ := json.Marshal(canon) // only strings, numbers and valid raw JSON
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func compactJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return json.RawMessage(strconv.Quote(string(raw)))
	}
	return buf.Bytes()
}

// Snapshot marshals an entity for the audit trail.
func Snapshot(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// AuditFilter selects audit events.
type AuditFilter struct {
	Entity   string
	EntityID string
}
