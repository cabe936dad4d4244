package access_test

import (
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain/access"
)

func TestKeys(t *testing.T) {
	plain, prefix, secret := access.GenerateKey()
	p, s, ok := access.ParseKey(plain)
	if !ok || p != prefix || s != secret {
		t.Fatalf("ParseKey(%q) = %q %q %v", plain, p, s, ok)
	}
	for _, bad := range []string{"", "vw_", "vw_abc_def", "xx_" + plain[3:], plain + "x", strings.Replace(plain, "_", "-", 2)} {
		if _, _, ok := access.ParseKey(bad); ok {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	h1, h2 := access.NewKeyHasher(""), access.NewKeyHasher("pepper")
	if h1.Hash(secret) == h2.Hash(secret) {
		t.Error("the pepper does not change the hash")
	}
	if !h2.Matches(secret, h2.Hash(secret)) || h2.Matches(secret+"x", h2.Hash(secret)) {
		t.Error("Matches is wrong")
	}
}

func FuzzParseKey(f *testing.F) {
	plain, _, _ := access.GenerateKey()
	f.Add(plain)
	f.Add("vw_")
	f.Add("vw_0123456789ab_" + strings.Repeat("A", 43))
	f.Fuzz(func(t *testing.T, s string) {
		prefix, secret, ok := access.ParseKey(s)
		if ok && access.KeyPrefix+prefix+"_"+secret != s {
			t.Errorf("ParseKey(%q) = %q %q", s, prefix, secret)
		}
	})
}
