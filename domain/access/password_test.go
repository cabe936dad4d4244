package access_test

import (
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

func TestPasswordHash(t *testing.T) {
	h := access.DefaultArgon2.HashPassword("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q", h)
	}
	if h == access.DefaultArgon2.HashPassword("correct horse battery") {
		t.Error("two hashes of one password are equal: no salt")
	}
	if !access.PasswordMatches("correct horse battery", h) || access.PasswordMatches("correct horse batterx", h) {
		t.Error("PasswordMatches is wrong")
	}
	// Hashes made with other parameters still verify.
	cheap := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 16, SaltLen: 8}
	if !access.PasswordMatches("pw", cheap.HashPassword("pw")) {
		t.Error("a hash with other parameters does not verify")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$AAAA$AAAA", strings.Replace(h, "m=19456", "m=99999999", 1),
		strings.Replace(h, "t=2", "t=0", 1), h[:len(h)-5]} {
		if access.PasswordMatches("correct horse battery", bad) {
			t.Errorf("matched malformed hash %q", bad)
		}
	}
	for pw, ok := range map[string]bool{"elevenchars": false, "twelve chars": true, "ééééééééééé": false,
		"éééééééééééé": true, strings.Repeat("x", 257): false, "bad\xffutf8 password": false} {
		var fe domain.FieldErrors
		access.CheckPassword(&fe, "password", pw)
		if (len(fe) == 0) != ok {
			t.Errorf("CheckPassword(%q) = %v", pw, fe)
		}
	}
	if p := access.GeneratePassword(); len(p) != 24 || strings.ToLower(p) != p || p == access.GeneratePassword() {
		t.Errorf("generated %q", p)
	}
}

func TestCSRFToken(t *testing.T) {
	a, b := access.NewSessionToken(), access.NewSessionToken()
	if len(a) != 43 || a == b {
		t.Fatalf("tokens %q %q", a, b)
	}
	if !access.CSRFMatches(a, access.CSRFToken(a)) || access.CSRFMatches(a, access.CSRFToken(b)) || access.CSRFMatches(a, "") {
		t.Error("CSRFMatches is wrong")
	}
	if access.CSRFToken(a) == a || access.HashSessionToken(a) == access.CSRFToken(a) {
		t.Error("the CSRF token reveals the session token or its stored hash")
	}
}
