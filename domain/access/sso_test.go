package access_test

import (
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/access"
)

// TestRoleMapping: the first rule whose value the claim holds wins; a
// claim may be one string or a list; no rule, no role.
func TestRoleMapping(t *testing.T) {
	m, err := access.ParseRoleMapping("groups", " vw-admins=admin , risk=vendor_manager,team=a=b=legal")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		claim any
		want  domain.Role
		ok    bool
	}{
		{[]any{"risk", "vw-admins"}, domain.RoleAdmin, true},
		{[]any{"staff", "risk"}, domain.RoleVendorManager, true},
		{"risk", domain.RoleVendorManager, true},
		{[]any{"team=a=b"}, domain.RoleLegal, true},
		{[]any{"staff", 7}, "", false},
		{nil, "", false},
	} {
		got, ok := m.RoleFor(map[string]any{"groups": tc.claim})
		if got != tc.want || ok != tc.ok {
			t.Errorf("claim %v: %q, %v; want %q, %v", tc.claim, got, ok, tc.want, tc.ok)
		}
	}
	for _, bad := range []string{"", " , ", "risk=", "=admin", "risk=root"} {
		if _, err := access.ParseRoleMapping("groups", bad); err == nil {
			t.Errorf("mapping %q accepted", bad)
		}
	}
	if _, err := access.ParseRoleMapping(" ", "risk=admin"); err == nil {
		t.Error("an empty claim name accepted")
	}
}
