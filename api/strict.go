package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Input is refused rather than silently changed: text that is not UTF-8
// or holds a NUL (which PostgreSQL cannot store, and SQLite would keep) is
// 400 in a query parameter, a path segment or a JSON string; a JSON
// object that names a field twice, or names it in another case, is 400;
// a date or instant outside the plausible range is 422. The same answer
// on both databases, checked before any handler runs.

// Plausible dates: every date and instant in a request lies in
// [EarliestDate, LatestDate). The [24]7 incident of 2017 is well inside;
// 0001-01-01 (a zero time) and year 1000 are not.
var (
	EarliestDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestDate   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// textProblem says what is wrong with text s, or "".
func textProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "must be UTF-8 text (it has bytes that are not UTF-8)"
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain a NUL character (U+0000)"
	}
	return ""
}

// dateField reports whether a field or parameter of this name holds a
// date or an instant.
func dateField(name string) bool {
	switch name {
	case "at", "as_of", "from", "to", "effective_from", "effective_to", "exposure_start", "exposure_end",
		"period_start", "period_end":
		return true
	}
	for _, suffix := range []string{"_at", "_on", "_before", "_after", "_until"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// implausibleDate refuses a date or instant (RFC 3339 or YYYY-MM-DD)
// outside the plausible range; text that is neither is left to the
// handler, which says what it expects.
func implausibleDate(field, s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d, derr := domain.ParseDate(s)
		if derr != nil {
			return nil //nolint:nilerr // not a date: the handler's decoder says what it expects
		}
		t = d.Time()
	}
	if t.Before(EarliestDate) || !t.Before(LatestDate) {
		return domain.Invalid(field, "must be between %s and %s (this is %s)", EarliestDate.Format(time.DateOnly),
			LatestDate.AddDate(0, 0, -1).Format(time.DateOnly), s)
	}
	return nil
}

// strictRequest checks the query parameters and the path parameters of
// every request.
func strictRequest(c *gin.Context) {
	for _, p := range c.Params {
		if msg := textProblem(p.Value); msg != "" {
			writeError(c, &badRequest{Field: p.Key, Message: msg})
			return
		}
	}
	for name, values := range c.Request.URL.Query() {
		if msg := textProblem(name); msg != "" {
			writeError(c, &badRequest{Field: strings.ToValidUTF8(name, "\uFFFD"), Message: "parameter name " + msg})
			return
		}
		for _, v := range values {
			if msg := textProblem(v); msg != "" {
				writeError(c, &badRequest{Field: name, Message: msg})
				return
			}
			if dateField(name) {
				if err := implausibleDate(name, v); err != nil {
					writeError(c, err)
					return
				}
			}
		}
	}
	c.Next()
}

// checkJSON walks body, a JSON value to be decoded into a value of type
// t, and refuses what encoding/json would accept by changing it: invalid
// UTF-8 and unpaired surrogates (it substitutes U+FFFD), NUL characters,
// a field named twice in one object (the last would win), a field named
// in another case than its own (encoding/json matches names
// case-insensitively), and implausible dates. Malformed JSON is left to
// the decoder, which says where.
func checkJSON(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*jsonFrame
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil //nolint:nilerr // io.EOF, or a syntax error the handler's decoder reports
		}
		raw := body[start:dec.InputOffset()]
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '}' || d == ']' {
				stack = stack[:len(stack)-1]
				continue
			}
			path, typ := top.value(t)
			stack = append(stack, &jsonFrame{object: d == '{', path: path, typ: opaque(typ), keys: map[string]bool{}})
			continue
		}
		if top != nil && top.object && !top.valueNext {
			if err := top.key(tok.(string), raw); err != nil {
				return err
			}
			continue
		}
		path, _ := top.value(t)
		if s, ok := tok.(string); ok {
			if msg := rawStringProblem(raw); msg != "" {
				return &badRequest{Field: orBody(path), Message: msg}
			}
			if dateField(path[strings.LastIndexAny(path, ".]")+1:]) {
				if err := implausibleDate(path, s); err != nil {
					return err
				}
			}
		}
	}
}

// orBody names the whole body when path is the top level.
func orBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// jsonFrame is an object or array being walked.
type jsonFrame struct {
	object    bool
	path      string
	typ       reflect.Type // of the container; nil when unknown
	keys      map[string]bool
	valueNext bool         // an object's next token is a value
	name      string       // the key of that value
	fieldType reflect.Type // its type; nil when unknown
	index     int          // an array's next element
}

// value returns the path and type of the value that comes next in f (the
// top level when f is nil), and advances f.
func (f *jsonFrame) value(t reflect.Type) (string, reflect.Type) {
	switch {
	case f == nil:
		return "", valueType(t)
	case f.object:
		f.valueNext = false
		return join(f.path, f.name), f.fieldType
	}
	path := fmt.Sprintf("%s[%d]", f.path, f.index)
	f.index++
	if f.typ != nil && (f.typ.Kind() == reflect.Slice || f.typ.Kind() == reflect.Array) {
		return path, valueType(f.typ.Elem())
	}
	return path, nil
}

// key checks an object's key (raw is its JSON text) and records it.
func (f *jsonFrame) key(k string, raw []byte) error {
	path := join(f.path, strings.ToValidUTF8(k, "\uFFFD"))
	if msg := rawStringProblem(raw); msg != "" {
		return &badRequest{Field: path, Message: "field name " + msg}
	}
	if f.keys[k] {
		return &badRequest{Field: path, Message: "appears twice in one object; send each field once"}
	}
	f.keys[k] = true
	f.valueNext, f.name, f.fieldType = true, k, nil
	switch {
	case f.typ == nil:
	case f.typ.Kind() == reflect.Map:
		f.fieldType = valueType(f.typ.Elem())
	case f.typ.Kind() == reflect.Struct:
		ft, name, found := exactField(f.typ, k)
		if found && name != k {
			return &badRequest{Field: path, Message: fmt.Sprintf("is not a known field; field names are case-sensitive: did you mean %q?", name)}
		}
		if found {
			f.fieldType = valueType(ft)
		}
	}
	return nil
}

// opaque hides the type of values that decode themselves (time.Time,
// domain.Date): their JSON has no fields to check.
func opaque(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	p := reflect.PointerTo(t)
	if p.Implements(reflect.TypeFor[json.Unmarshaler]()) || p.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return nil
	}
	return t
}

// exactField finds the field of struct t that encoding/json would fill
// from key: its type, its JSON name (which may differ from key in case
// only) and whether there is one.
func exactField(t reflect.Type, key string) (reflect.Type, string, bool) {
	var foldType reflect.Type
	var foldName string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if ft, name, ok := exactField(f.Type, key); ok {
				if name == key {
					return ft, name, true
				}
				foldType, foldName = ft, name
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == key {
			return f.Type, name, true
		}
		if foldType == nil && strings.EqualFold(name, key) {
			foldType, foldName = f.Type, name
		}
	}
	return foldType, foldName, foldType != nil
}

// rawStringProblem checks the JSON text of a string (raw holds it, after
// any separators): invalid UTF-8, \u0000 and unpaired surrogates, which
// encoding/json would turn into U+FFFD or keep as NUL.
func rawStringProblem(raw []byte) string {
	i := bytes.IndexByte(raw, '"')
	if i < 0 {
		return ""
	}
	s := raw[i+1:]
	for j := 0; j < len(s); {
		switch c := s[j]; {
		case c == '"':
			return ""
		case c == '\\' && j+1 < len(s) && s[j+1] == 'u':
			r, ok := hex4(s[j+2:])
			if !ok {
				return ""
			}
			j += 6
			switch {
			case r == 0:
				return "must not contain a NUL character (\\u0000)"
			case r >= 0xD800 && r < 0xDC00:
				if j+1 < len(s) && s[j] == '\\' && s[j+1] == 'u' {
					if r2, ok := hex4(s[j+2:]); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
						j += 6
						continue
					}
				}
				return "must be valid UTF-16 escapes (an unpaired surrogate \\u" + strconv.FormatInt(int64(r), 16) + ")"
			case r >= 0xDC00 && r < 0xE000:
				return "must be valid UTF-16 escapes (an unpaired surrogate \\u" + strconv.FormatInt(int64(r), 16) + ")"
			}
		case c == '\\':
			j += 2
		case c < utf8.RuneSelf:
			j++
		default:
			r, size := utf8.DecodeRune(s[j:])
			if r == utf8.RuneError && size == 1 {
				return "must be UTF-8 text (it has bytes that are not UTF-8)"
			}
			j += size
		}
	}
	return ""
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(n), err == nil
}
