package kesher

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Customer is a person the business serves. All of a person's addresses,
// numbers and handles are identities of one customer (P1).
type Customer struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Language   string     `json:"language"`
	Note       string     `json:"note"`
	Identities []Identity `json:"identities"`
	// MergedInto is set on a customer that was merged into another one; such
	// a customer keeps no identities or conversations.
	MergedInto string    `json:"merged_into,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// IdentityKind names a kind of customer identity.
type IdentityKind string

// Identity kinds.
const (
	IdentityEmail    IdentityKind = "email"
	IdentityPhone    IdentityKind = "phone"
	IdentityWhatsApp IdentityKind = "whatsapp"
	IdentityTelegram IdentityKind = "telegram"
	IdentityChat     IdentityKind = "chat"
	IdentityExternal IdentityKind = "external"
)

// IdentityKinds lists every kind, in the order the API documents them.
var IdentityKinds = []IdentityKind{IdentityEmail, IdentityPhone, IdentityWhatsApp, IdentityTelegram, IdentityChat, IdentityExternal}

// Identity is one way to reach or recognise a customer. Value is normalised
// (see NormalizeIdentity), so equal identities compare equal.
type Identity struct {
	ID         string       `json:"id"`
	CustomerID string       `json:"customer_id"`
	Kind       IdentityKind `json:"kind"`
	Value      string       `json:"value"`
	CreatedAt  time.Time    `json:"created_at"`
}

// NormalizeIdentity returns the canonical form of value for kind: emails in
// lower case, phone and WhatsApp numbers in E.164, Telegram handles without
// "@" in lower case. It returns a validation error for the field "value" when
// the value cannot be an identity of that kind.
func NormalizeIdentity(kind IdentityKind, value string) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return "", FieldError("value", "required", "the identity value is empty")
	}
	switch kind {
	case IdentityEmail:
		return NormalizeEmail(value)
	case IdentityPhone, IdentityWhatsApp:
		return NormalizePhone(value)
	case IdentityTelegram:
		v := strings.ToLower(strings.TrimPrefix(value, "@"))
		if v == "" || strings.ContainsFunc(v, unicode.IsSpace) {
			return "", FieldError("value", "invalid", "%q is not a Telegram id or username", value)
		}
		return v, nil
	case IdentityChat, IdentityExternal:
		if len(value) > 200 {
			return "", FieldError("value", "too_long", "the identity value is longer than 200 characters")
		}
		return value, nil
	}
	return "", FieldError("kind", "invalid", "unknown identity kind %q", kind)
}

// NormalizeEmail lower-cases an address after checking that it is one.
// Mail systems treat the local part as case-sensitive in theory, but no
// customer expects Dana@ and dana@ to be two people.
func NormalizeEmail(value string) (string, error) {
	addr, err := mail.ParseAddress(value)
	if err != nil || addr.Address != value || !strings.Contains(value[strings.LastIndex(value, "@")+1:], ".") {
		return "", FieldError("email", "invalid", "%q is not an email address", value)
	}
	return strings.ToLower(value), nil
}

// NormalizePhone returns a phone number in E.164 (+ and 8 to 15 digits).
// Numbers without a country code are read as Israeli: 050-1234567 and
// 03-1234567 become +972501234567 and +97231234567. Separators (spaces,
// dashes, dots, parentheses) are ignored; a leading 00 means +.
func NormalizePhone(value string) (string, error) {
	var digits strings.Builder
	plus := false
	for i, r := range strings.TrimSpace(value) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", FieldError("phone", "invalid", "%q is not a phone number", value)
		}
	}
	d := digits.String()
	switch {
	case plus:
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "972"):
	case strings.HasPrefix(d, "0") && (len(d) == 9 || len(d) == 10):
		d = "972" + d[1:]
	default:
		return "", FieldError("phone", "invalid", "%q has no country code and is not an Israeli number", value)
	}
	if strings.HasPrefix(d, "9720") {
		d = "972" + d[4:] // +972 (0)50… written with the trunk zero
	}
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", FieldError("phone", "invalid", "%q is not a phone number", value)
	}
	return "+" + d, nil
}
