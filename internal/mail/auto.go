package mail

import (
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// classify decides whether a machine sent the message. Headers are the
// reliable signals; the subject is a last resort and is matched narrowly,
// because calling a customer's mail automatic means nobody answers it.
func classify(h textproto.MIMEHeader, m *Message) AutoKind {
	report := reportType(h)
	if report == "delivery-status" || m.Bounce != nil || daemon(m.From.Email) {
		return Bounce
	}
	if v := headerWord(h, "Auto-Submitted"); v != "" && v != "no" {
		return AutoReply
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond"} {
		if v := headerWord(h, k); v != "" && v != "no" {
			return AutoReply
		}
	}
	switch headerWord(h, "Precedence") {
	case "auto_reply":
		return AutoReply
	case "bulk", "list", "junk":
		return Bulk
	}
	if report == "disposition-notification" || outOfOfficeSubject(m.Subject) {
		return AutoReply
	}
	if h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "" {
		return Bulk
	}
	return Human
}

// headerWord is a header's value up to any ";" parameters, trimmed and
// lower-cased.
func headerWord(h textproto.MIMEHeader, key string) string {
	v, _, _ := strings.Cut(h.Get(key), ";")
	return strings.ToLower(strings.TrimSpace(v))
}

// reportType is the report-type of a top-level multipart/report.
func reportType(h textproto.MIMEHeader) string {
	mtype, params, _, err := parseMediaType(h.Get("Content-Type"))
	if err != nil || mtype != "multipart/report" {
		return ""
	}
	return strings.ToLower(params["report-type"])
}

// daemon reports whether an address is a mail system's own.
func daemon(email string) bool {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	return local == "mailer-daemon" || local == "postmaster"
}

// outOfOfficePhrases open the subjects of out-of-office replies in Outlook,
// Gmail and Exchange, in English and Hebrew.
var outOfOfficePhrases = []string{
	"out of office autoreply", "out of office", "automatic reply", "auto reply", "autoreply",
	"מחוץ למשרד", "אני לא במשרד", "תשובה אוטומטית", "מענה אוטומטי",
}

// outOfOfficeSubject matches a subject that is an out-of-office phrase alone
// or followed by a separator ("Automatic reply: <subject>", "מחוץ למשרד -
// חוזרת ב-10.3"), but not "Out of office hours support?".
func outOfOfficeSubject(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range outOfOfficePhrases {
		rest, ok := strings.CutPrefix(s, p)
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if rest == "" {
			return true
		}
		r, _ := utf8.DecodeRuneInString(rest)
		if strings.ContainsRune(":-–—|(", r) {
			return true
		}
	}
	return false
}
