package repository

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeFacts reads a finding's facts (a JSON object written by finding.Finding.Encode)
// into the map that json.Unmarshal would produce. Decoding facts with
// encoding/json took a quarter of a finding page's CPU, so the common shape
// (objects, arrays, numbers, literals, strings without escapes) is parsed
// here directly; anything else (an escape sequence, invalid input) goes to
// json.Unmarshal, so the result is always the same.
func decodeFacts(s string) map[string]any {
	p := factsParser{s: s}
	p.space()
	if m, ok := p.object(); ok {
		if p.space(); p.i == len(s) {
			return m
		}
	}
	m := map[string]any{}
	_ = json.Unmarshal([]byte(s), &m) // written by finding.Finding.Encode
	return m
}

// factsParser is a recursive-descent JSON parser over s that gives up
// (ok false) on anything it does not handle exactly like encoding/json.
type factsParser struct {
	s     string
	i     int
	depth int
}

// maxFactsDepth bounds nesting (encoding/json allows 10000; facts are
// shallow).
const maxFactsDepth = 100

func (p *factsParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *factsParser) value() (any, bool) {
	p.space()
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		m, ok := p.object()
		return m, ok
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for _, lit := range [...]struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(p.s)-p.i >= len(lit.text) && p.s[p.i:p.i+len(lit.text)] == lit.text {
			p.i += len(lit.text)
			return lit.v, true
		}
	}
	return nil, false
}

func (p *factsParser) object() (map[string]any, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '{' || p.depth >= maxFactsDepth {
		return nil, false
	}
	p.i++
	p.depth++
	defer func() { p.depth-- }()
	m := map[string]any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		if more, ok := p.sep('}'); !ok {
			return nil, false
		} else if !more {
			return m, true
		}
	}
}

func (p *factsParser) array() (any, bool) {
	if p.depth >= maxFactsDepth {
		return nil, false
	}
	p.i++ // [
	p.depth++
	defer func() { p.depth-- }()
	a := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if more, ok := p.sep(']'); !ok {
			return nil, false
		} else if !more {
			return a, true
		}
	}
}

// sep reads what follows an element: a comma (more true) or the closing
// bracket.
func (p *factsParser) sep(closing byte) (more, ok bool) {
	p.space()
	if p.i >= len(p.s) {
		return false, false
	}
	switch p.s[p.i] {
	case ',':
		p.i++
		return true, true
	case closing:
		p.i++
		return false, true
	}
	return false, false
}

// str reads a string without escapes or control characters, in valid
// UTF-8 (the cases where its text is its value).
func (p *factsParser) str() (string, bool) {
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '"':
			v := p.s[start:j]
			if !utf8.ValidString(v) {
				return "", false
			}
			p.i = j + 1
			return v, true
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// number reads a number in JSON's grammar as a float64.
func (p *factsParser) number() (any, bool) {
	s, i := p.s, p.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(s, i)
	default:
		return nil, false
	}
	if i < len(s) && s[i] == '.' {
		if j := digits(s, i+1); j > i+1 {
			i = j
		} else {
			return nil, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return nil, false
		}
		i = j
	}
	f, err := strconv.ParseFloat(s[p.i:i], 64)
	if err != nil {
		return nil, false
	}
	p.i = i
	return f, true
}

func digits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
