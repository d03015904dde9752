package email

import (
	"testing"

	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// TestProofWords holds every purpose's email to its words: a purpose
// without them would mail its catalogue keys.
func TestProofWords(t *testing.T) {
	if _, ok := proofEmails[desk.ProofPortal]; !ok {
		t.Fatalf("no email for purpose %q", desk.ProofPortal)
	}
	for purpose, kind := range proofEmails {
		for _, lang := range i18n.Languages() {
			l := i18n.New(lang, nil)
			for _, key := range []string{"subject", "greeting", "greeting_anonymous", "intro", "button", "expiry", "ignore", "closing"} {
				if !l.Has(kind.words + key) {
					t.Errorf("%s (%s): no %s%s in the catalogue", purpose, lang, kind.words, key)
				}
			}
		}
	}
}
