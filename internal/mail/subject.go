package mail

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// subjectPrefix matches one reply or forward prefix as English, German,
// Scandinavian and Hebrew mail clients write them, with an optional counter
// ("Re[2]:") and with or without spaces around the colon.
var subjectPrefix = regexp.MustCompile(`^\s*((?i:re|fwd|fw|aw|sv)|תשובה|השב|הועבר|העבר)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]`)

// forwardPrefixes are the subjectPrefix words that mean "forwarded".
var forwardPrefixes = map[string]bool{"fwd": true, "fw": true, "הועבר": true, "העבר": true}

var ticketToken = regexp.MustCompile(`\[#(\d{1,18})\]`)

// NormalizeSubject reduces a subject to what threading compares: reply and
// forward prefixes (any number, nested) and the ticket token are stripped,
// white space is collapsed and Latin letters are lower-cased.
func NormalizeSubject(s string) string {
	s = ticketToken.ReplaceAllString(s, " ")
	for {
		loc := subjectPrefix.FindStringIndex(s)
		if loc == nil {
			break
		}
		s = s[loc[1]:]
	}
	s = strings.Join(strings.Fields(s), " ")
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Latin, r) {
			return unicode.ToLower(r)
		}
		return r
	}, s)
}

// forwardSubject reports whether the outermost prefix of a subject says it
// was forwarded; "Re: Fwd:" is a reply to a forward, not a forward.
func forwardSubject(s string) bool {
	s = ticketToken.ReplaceAllString(s, " ")
	m := subjectPrefix.FindStringSubmatch(s)
	return m != nil && forwardPrefixes[strings.ToLower(m[1])]
}

// TicketNumber finds the ticket token "[#1234]" anywhere in a subject.
func TicketNumber(subject string) (int64, bool) {
	for _, m := range ticketToken.FindAllStringSubmatch(subject, -1) {
		if n, err := strconv.ParseInt(m[1], 10, 64); err == nil && n > 0 {
			return n, true
		}
	}
	return 0, false
}

// TicketToken is the subject token for ticket n, e.g. "[#1234]".
func TicketToken(n int64) string { return "[#" + strconv.FormatInt(n, 10) + "]" }
