package kesher

import "testing"

func TestNormalizeIdentity(t *testing.T) {
	for _, tc := range []struct {
		kind    IdentityKind
		in      string
		want    string
		wantErr bool
	}{
		{IdentityEmail, "Dana.Cohen@Example.COM", "dana.cohen@example.com", false},
		{IdentityEmail, " dana@example.com ", "dana@example.com", false},
		{IdentityEmail, "Dana <dana@example.com>", "", true},
		{IdentityEmail, "dana@localhost", "", true},
		{IdentityEmail, "not an email", "", true},
		{IdentityPhone, "050-1234567", "+972501234567", false},
		{IdentityPhone, "050 123 4567", "+972501234567", false},
		{IdentityPhone, "03-6123456", "+97236123456", false},
		{IdentityPhone, "+972-50-123-4567", "+972501234567", false},
		{IdentityPhone, "+972 (0)50 123 4567", "+972501234567", false},
		{IdentityPhone, "00972501234567", "+972501234567", false},
		{IdentityPhone, "972501234567", "+972501234567", false},
		{IdentityPhone, "+1 (415) 555-0100", "+14155550100", false},
		{IdentityPhone, "1234", "", true},
		{IdentityPhone, "050-CALL-NOW", "", true},
		{IdentityPhone, "+1234567890123456", "", true},
		{IdentityWhatsApp, "052.765.4321", "+972527654321", false},
		{IdentityTelegram, "@YossiL", "yossil", false},
		{IdentityTelegram, "yossi l", "", true},
		{IdentityChat, "visitor-8f2a", "visitor-8f2a", false},
		{IdentityExternal, "", "", true},
		{"fax", "123", "", true},
	} {
		got, err := NormalizeIdentity(tc.kind, tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("NormalizeIdentity(%s, %q) = %q, %v; want %q, error %v", tc.kind, tc.in, got, err, tc.want, tc.wantErr)
		}
		if err != nil && ErrorCode(err) != ECodeValidation {
			t.Errorf("NormalizeIdentity(%s, %q) error code = %q, want %q", tc.kind, tc.in, ErrorCode(err), ECodeValidation)
		}
	}
}

func TestRoleAtLeast(t *testing.T) {
	for _, tc := range []struct {
		r, min Role
		want   bool
	}{
		{RoleAdmin, RoleLead, true}, {RoleLead, RoleLead, true}, {RoleAgent, RoleLead, false},
		{RoleLead, RoleAdmin, false}, {"", RoleAgent, false},
	} {
		if got := tc.r.AtLeast(tc.min); got != tc.want {
			t.Errorf("%q.AtLeast(%q) = %v, want %v", tc.r, tc.min, got, tc.want)
		}
	}
}
