package auth

import (
	"bytes"
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	for _, pw := range []string{"correct horse battery", "סיסמה-ארוכה-מאוד", "x"} {
		h := HashPassword(pw)
		if !strings.HasPrefix(h, "$argon2id$v=19$") {
			t.Fatalf("hash %q is not an argon2id PHC string", h)
		}
		if ok, err := CheckPassword(h, pw); !ok || err != nil {
			t.Errorf("CheckPassword(right password) = %v, %v", ok, err)
		}
		if ok, err := CheckPassword(h, pw+"!"); ok || err != nil {
			t.Errorf("CheckPassword(wrong password) = %v, %v", ok, err)
		}
	}
	if h1, h2 := HashPassword("same"), HashPassword("same"); h1 == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2id$v=19$m=1,t=1,p=1$$", "$bcrypt$v=19$m=1,t=1,p=1$AAAA$AAAA"} {
		if _, err := CheckPassword(h, "pw"); err != ErrMalformedHash {
			t.Errorf("CheckPassword(%q) error = %v, want ErrMalformedHash", h, err)
		}
	}
}

func TestNewToken(t *testing.T) {
	s1, h1 := NewToken()
	s2, _ := NewToken()
	if !strings.HasPrefix(s1, TokenPrefix) || s1 == s2 {
		t.Fatalf("tokens %q and %q: want distinct %q-prefixed secrets", s1, s2, TokenPrefix)
	}
	if !bytes.Equal(HashToken(s1), h1) || len(h1) != 32 {
		t.Error("HashToken does not reproduce the hash NewToken returned")
	}
}
