package auditlog

import (
	"bytes"
	"encoding/json"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
)

// LeafData is the record the log holds for e: the canonical JSON of its
// content (seq, id, time at microsecond precision in UTC, actor, action,
// entity, request id, before and after compacted). Its leaf hash is
// tlog.RecordHash(LeafData(e)) = SHA-256(0x00 || LeafData(e)). The leaf
// index is not part of it: the position in the tree is.
func LeafData(e domain.AuditEvent) []byte {
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
	return b
}

// LeafHash is the tree's hash of e's leaf.
func LeafHash(e domain.AuditEvent) tlog.Hash { return tlog.RecordHash(LeafData(e)) }

// compactJSON removes insignificant whitespace, so that the stored form
// of a snapshot (PostgreSQL json keeps the text, SQLite too) does not
// change its hash; a value that is not JSON is hashed as a JSON string.
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
