package api

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/finding"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The hot responses (a vendor, a finding, and pages of either) are
// appended field by field instead of through encoding/json's reflection,
// which took a fifth of a list request's CPU. The output is byte for byte
// what encoding/json's Encoder writes with HTML escaping off, trailing
// newline included (jsonenc_test.go checks that, and fuzzes it). A value
// the appenders do not handle (a time outside years 0-9999, a non-finite
// float, an unexpected type in finding facts) falls back to encoding/json.

// bufPool recycles response buffers, so a response is encoded into
// memory and written once.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuf keeps unusually large buffers (an export, a huge page) out
// of the pool.
const maxPooledBuf = 1 << 20

// encodeJSON writes v compactly with HTML escaping off (this is an API,
// not a page), in one write with its Content-Length.
func encodeJSON(w http.ResponseWriter, v any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuf {
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	buf.Reset()
	b, ok := appendFast(buf.AvailableBuffer(), v)
	if ok {
		buf.Write(append(b, '\n'))
	} else {
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err := w.Write(buf.Bytes())
	return err
}

// appendFast appends the JSON of the response types it knows; false for
// any other value or one it cannot encode exactly.
func appendFast(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case vendorJSON:
		return appendVendor(b, &v)
	case listResponse[vendorJSON]:
		return appendList(b, v, appendVendor)
	case finding.Finding:
		return appendFinding(b, &v)
	case listResponse[finding.Finding]:
		return appendList(b, v, appendFinding)
	}
	return b, false
}

// appendList appends the list envelope with each item appended by item.
func appendList[T any](b []byte, l listResponse[T], item func([]byte, *T) ([]byte, bool)) ([]byte, bool) {
	b = append(b, `{"items":`...)
	if l.Items == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range l.Items {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = item(b, &l.Items[i]); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	if l.NextCursor != "" {
		b = append(b, `,"next_cursor":`...)
		b = appendString(b, l.NextCursor)
	}
	return append(b, '}'), true
}

// appendVendor appends vendorJSON's fields in declaration order.
func appendVendor(b []byte, v *vendorJSON) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = appendString(b, v.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, v.Name)
	b = append(b, `,"legal_name":`...)
	b = appendOptString(b, v.LegalName)
	b = append(b, `,"website":`...)
	b = appendOptString(b, v.Website)
	b = append(b, `,"service":`...)
	b = appendOptString(b, v.Service)
	b = append(b, `,"owner_email":`...)
	b = appendOptString(b, v.OwnerEmail)
	b = append(b, `,"status":`...)
	b = appendString(b, string(v.Status))
	b = append(b, `,"criticality":`...)
	b = appendString(b, string(v.Criticality))
	b = append(b, `,"country":`...)
	b = appendOptString(b, v.Country)
	b = append(b, `,"parent_vendor_id":`...)
	b = appendOptString(b, v.ParentVendorID)
	b = append(b, `,"external_ref":`...)
	b = appendOptString(b, v.ExternalRef)
	b = append(b, `,"tier":`...)
	b = appendString(b, string(v.Tier))
	b = append(b, `,"risk":`...)
	b = appendRisk(b, &v.Risk)
	b = append(b, `,"tier_override":`...)
	b = appendOptString(b, v.TierOverride)
	b = append(b, `,"tier_override_reason":`...)
	b = appendOptString(b, v.TierOverrideReason)
	b = append(b, `,"last_review_on":`...)
	b = appendDatePtr(b, v.LastReviewOn)
	b = append(b, `,"next_review_due":`...)
	b = appendDatePtr(b, v.NextReviewDue)
	b = append(b, `,"review_overdue":`...)
	b = strconv.AppendBool(b, v.ReviewOverdue)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, v.Version, 10)
	var ok1, ok2 bool
	b = append(b, `,"created_at":`...)
	b, ok1 = appendTime(b, v.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b, ok2 = appendTime(b, v.UpdatedAt)
	return append(b, '}'), ok1 && ok2
}

// appendRisk appends register.InherentRisk.
func appendRisk(b []byte, r *register.InherentRisk) []byte {
	b = append(b, `{"score":`...)
	b = strconv.AppendInt(b, int64(r.Score), 10)
	b = append(b, `,"tier":`...)
	b = appendString(b, string(r.Tier))
	b = append(b, `,"factors":`...)
	if r.Factors == nil {
		return append(b, "null}"...)
	}
	b = append(b, '[')
	for i, f := range r.Factors {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"factor":`...)
		b = appendString(b, f.Factor)
		b = append(b, `,"value":`...)
		b = appendString(b, f.Value)
		b = append(b, `,"points":`...)
		b = strconv.AppendInt(b, int64(f.Points), 10)
		b = append(b, `,"max_points":`...)
		b = strconv.AppendInt(b, int64(f.MaxPoints), 10)
		b = append(b, `,"explanation":`...)
		b = appendString(b, f.Explanation)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendFinding appends finding.Finding's fields in declaration order.
func appendFinding(b []byte, f *finding.Finding) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = appendString(b, f.ID)
	b = append(b, `,"rule_id":`...)
	b = appendString(b, f.RuleID)
	b = append(b, `,"severity":`...)
	b = appendString(b, string(f.Severity))
	b = append(b, `,"vendor_id":`...)
	b = appendString(b, f.VendorID)
	b = append(b, `,"subject_type":`...)
	b = appendString(b, f.SubjectType)
	b = append(b, `,"subject_id":`...)
	b = appendString(b, f.SubjectID)
	b = append(b, `,"facts":`...)
	b, ok := appendAny(b, f.Facts)
	if !ok {
		return b, false
	}
	b = append(b, `,"status":`...)
	b = appendString(b, string(f.Status))
	b = append(b, `,"first_seen_at":`...)
	b, ok1 := appendTime(b, f.FirstSeenAt)
	b = append(b, `,"last_seen_at":`...)
	b, ok2 := appendTime(b, f.LastSeenAt)
	b = append(b, `,"last_seen_run":`...)
	b = appendString(b, f.LastSeenRun)
	b = append(b, `,"resolved_at":`...)
	ok3 := true
	if f.ResolvedAt == nil {
		b = append(b, "null"...)
	} else {
		b, ok3 = appendTime(b, *f.ResolvedAt)
	}
	b = append(b, `,"accepted_reason":`...)
	b = appendString(b, f.AcceptedReason)
	b = append(b, `,"accepted_until":`...)
	b = appendDatePtr(b, f.AcceptedUntil)
	b = append(b, `,"accepted_by":`...)
	b = appendString(b, f.AcceptedBy)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, f.Version, 10)
	b = append(b, `,"updated_at":`...)
	b, ok4 := appendTime(b, f.UpdatedAt)
	return append(b, '}'), ok1 && ok2 && ok3 && ok4
}

// appendAny appends the values encoding/json decodes into an any
// (objects, arrays, strings, float64, bools, null); false for others.
func appendAny(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendString(b, v), true
	case bool:
		return strconv.AppendBool(b, v), true
	case float64:
		return appendFloat(b, v)
	case map[string]any:
		if v == nil {
			return append(b, "null"...), true
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var ok bool
			if b, ok = appendAny(b, v[k]); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	case []any:
		if v == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendAny(b, e); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	}
	return b, false
}

// appendFloat formats like encoding/json's float64 encoder; false for
// NaN and infinities, which encoding/json rejects.
func appendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// appendTime appends t as time.Time.MarshalJSON does (RFC 3339 with
// nanoseconds); false outside the years 0-9999, which it rejects.
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

// appendDatePtr appends a *domain.Date (its MarshalText form) or null.
func appendDatePtr(b []byte, d *domain.Date) []byte {
	if d == nil {
		return append(b, "null"...)
	}
	return appendString(b, d.String())
}

func appendOptString(b []byte, s optString) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, string(s))
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does with
// HTML escaping off: quote, backslash and control characters escaped,
// invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
