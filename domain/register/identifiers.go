package register

import (
	"errors"
	"strings"
)

// ValidLEI checks an ISO 17442 Legal Entity Identifier: 20 characters,
// upper-case letters and digits, the last two digits being the ISO 7064
// MOD 97-10 check digits over the whole identifier (letters count as
// A=10 ... Z=35; the number the 20 characters spell is 1 modulo 97). The
// error says what is wrong, for a message next to the field "lei".
func ValidLEI(s string) error {
	if len(s) != 20 {
		return errors.New("must be 20 characters (ISO 17442)")
	}
	rem := 0
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z' && i < 18:
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			if i >= 18 {
				return errors.New("must end in two check digits (ISO 17442)")
			}
			return errors.New("must be upper-case letters and digits (ISO 17442)")
		}
	}
	if rem != 1 {
		return errors.New("has check digits that do not match (ISO 17442, MOD 97-10)")
	}
	return nil
}

// NormalizeDomain is the form a provider's domain is stored and matched
// in: lower case, without scheme, "www.", path or trailing dot.
func NormalizeDomain(s string) string {
	d := strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"https://", "http://"} {
		d = strings.TrimPrefix(d, p)
	}
	d = strings.TrimPrefix(d, "www.")
	if i := strings.IndexAny(d, "/?#"); i >= 0 {
		d = d[:i]
	}
	return strings.TrimSuffix(d, ".")
}

// validDomain reports whether d (normalised) is a host name with at least
// two labels of letters, digits and hyphens.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

// MatchKey is the normalised name a provider is matched on when importing
// and when looking for duplicates: the name key without punctuation and
// without a trailing legal form ("Acme Cloud, Inc." and "acme cloud"
// match).
func MatchKey(name string) string {
	var b strings.Builder
	for _, r := range NameKey(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 127:
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	words := strings.Fields(b.String())
	for len(words) > 1 && legalForms[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

// legalForms are company-form suffixes dropped by MatchKey.
var legalForms = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "ltd": true, "limited": true, "plc": true, "corp": true,
	"corporation": true, "co": true, "gmbh": true, "ag": true, "sa": true, "sas": true, "sarl": true, "bv": true,
	"nv": true, "srl": true, "spa": true, "ab": true, "as": true, "oy": true, "pty": true, "lp": true, "llp": true,
}
