package domain

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

func quote(s string) string { return strconv.Quote(s) }

// IndexField names element i of a list field: "field[i]".
func IndexField(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// CheckText trims s and checks its length and characters. Required text
// must not be empty after trimming.
func CheckText(fe *FieldErrors, field, s string, required bool, maxLen int) string {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		fe.Add(field, "must be valid UTF-8")
	case required && s == "":
		fe.Add(field, "is required")
	case utf8.RuneCountInString(s) > maxLen:
		fe.Add(field, "must be at most %s", Count(maxLen, "character", "characters"))
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		fe.Add(field, "must not contain control characters")
	}
	return s
}

// CheckEmail validates an optional bare email address.
func CheckEmail(fe *FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		fe.Add(field, "must be a plain email address such as name@example.com")
	}
	return s
}

// CheckURL validates an optional absolute http or https URL.
func CheckURL(fe *FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2048 {
		fe.Add(field, "must be an absolute http or https URL of at most 2048 characters")
	}
	return s
}
