package mail

import "testing"

func TestNormalizeSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Order 55817 arrived damaged", "order 55817 arrived damaged"},
		{"Re: Order 55817", "order 55817"},
		{"RE: RE: Fwd: Order 55817", "order 55817"},
		{"RE:RE:FW:Order 55817", "order 55817"},
		{"Re[2]: Order 55817", "order 55817"},
		{"Re (3): Order 55817", "order 55817"},
		{"AW: SV: Order", "order"},
		{"Fw : Order", "order"},
		{"Re: [#1042] Order 55817", "order 55817"},
		{"[#1042] Re: Order 55817", "order 55817"},
		{"Re: Order 55817 [#1042]", "order 55817"},
		{"השב: [#1045] החלפת מזרן", "החלפת מזרן"},
		{"תשובה: השב: הועבר: חשבונית", "חשבונית"},
		{"העבר:חשבונית  מס   88213", "חשבונית מס 88213"},
		{"Re: השב: Order ORDER order", "order order order"},
		{"  \tRe:   spaced\t out  ", "spaced out"},
		{"Re:", ""},
		// Words that merely start like a prefix stay.
		{"Reorder of 55817", "reorder of 55817"},
		{"Review: the new sofa", "review: the new sofa"},
		{"העברה בנקאית", "העברה בנקאית"},
		// Only the exact token is removed.
		{"Re: [# 1042] Order", "[# 1042] order"},
		{"ÉCOLE Ünïcode", "école ünïcode"},
	}
	for _, tt := range tests {
		if got := NormalizeSubject(tt.in); got != tt.want {
			t.Errorf("NormalizeSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTicketNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"Re: [#1042] Order", 1042, true},
		{"Order [#7]", 7, true},
		{"[#0012] leading zeros", 12, true},
		{"[#0] then [#55]", 55, true},
		{"השב: [#1045] החלפת מזרן", 1045, true},
		{"[# 1042] spaced", 0, false},
		{"[#1042 ] spaced", 0, false},
		{"#1042 without brackets", 0, false},
		{"[#12a]", 0, false},
		{"[#]", 0, false},
		{"[#9223372036854775807999] too long", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := TicketNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("TicketNumber(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTicketToken(t *testing.T) {
	for _, n := range []int64{1, 1042, 999999999} {
		tok := TicketToken(n)
		if got, ok := TicketNumber("Re: " + tok + " subject"); !ok || got != n {
			t.Errorf("TicketNumber(TicketToken(%d) = %q) = %d, %v", n, tok, got, ok)
		}
	}
	if got := TicketToken(1234); got != "[#1234]" {
		t.Errorf("TicketToken(1234) = %q", got)
	}
}

func TestForwardSubject(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Fwd: invoice", true},
		{"FW: invoice", true},
		{"הועבר: חשבונית", true},
		{"[#12] Fwd: invoice", true},
		{"Re: Fwd: invoice", false},
		{"invoice Fwd:", false},
	}
	for _, tt := range tests {
		if got := forwardSubject(tt.in); got != tt.want {
			t.Errorf("forwardSubject(%q) = %v", tt.in, got)
		}
	}
}
