package auditlog

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/vendorwatch/vendorwatch/domain"
)

// LeafData is the record the log holds for e: the canonical JSON of its
// content, the object
//
//	{"id", "at", "actor_id", "actor_name", "action", "entity", "entity_id", "request_id", "before", "after"}
//
// in that order, with the time at microsecond precision in UTC
// (2006-01-02T15:04:05.000000Z), strings escaped only where JSON requires
// it (quote, backslash, control characters as \u00XX; invalid UTF-8 as
// \ufffd), and before and after compacted (null when absent). Its leaf hash
// is tlog.RecordHash(LeafData(e)) = SHA-256(0x00 || LeafData(e)). Neither the
// database's number (seq, drawn on insert, after the writer has hashed the
// event) nor the leaf index is part of it: the event's id names it and its
// position in the tree orders it. The form is fixed: a log sealed under one
// form verifies only under the same.
func LeafData(e domain.AuditEvent) []byte {
	b := make([]byte, 0, 320+len(e.Before)+len(e.After))
	b = append(b, `{"id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"at":"`...)
	b = e.At.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000Z")
	for _, f := range []struct{ name, v string }{{`","actor_id":`, e.ActorID}, {`,"actor_name":`, e.ActorName},
		{`,"action":`, e.Action}, {`,"entity":`, e.Entity}, {`,"entity_id":`, e.EntityID}, {`,"request_id":`, e.RequestID}} {
		b = appendString(append(b, f.name...), f.v)
	}
	b = appendRaw(append(b, `,"before":`...), e.Before)
	b = appendRaw(append(b, `,"after":`...), e.After)
	return append(b, '}')
}

// LeafHash is the tree's hash of e's leaf.
func LeafHash(e domain.AuditEvent) tlog.Hash { return tlog.RecordHash(LeafData(e)) }

// appendRaw appends a snapshot compacted, so that the stored form
// (PostgreSQL json keeps the text, SQLite too) does not change its hash;
// a value that is not JSON is appended as a JSON string.
func appendRaw(b []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	buf := bytes.NewBuffer(b)
	if err := json.Compact(buf, raw); err != nil {
		return appendString(b, string(raw))
	}
	return buf.Bytes()
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	return append(b, '"')
}
