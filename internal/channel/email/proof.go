package email

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
	"kesher/internal/mail"
)

// proofEmails says, for each purpose of email proofs, which page of the
// desk takes its link (under the public URL) and under which catalogue
// prefix its email's words are (subject, greeting, greeting_anonymous,
// intro, button, expiry, ignore, closing).
var proofEmails = map[string]struct{ page, words string }{
	desk.ProofPortal: {page: "/portal/link", words: "portal.email."},
	desk.ProofChat:   {page: "/chat/verify", words: "chat.email."},
}

// sendProof runs a JobEmailProof job: it has the desk issue the proof's
// link (a fresh secret each time it runs, so only the latest email's link
// works), words the email in the customer's language and sends it. The
// secret is in the email only: errors and logs never carry it.
func (s *Sender) sendProof(ctx context.Context, job *kesher.Job) error {
	var p desk.EmailProofJob
	if err := s.linkJob(job, "email proof", &p); err != nil {
		return err
	}
	out, err := s.desk.IssueEmailProof(ctx, p.ProofID)
	// Used, expired or no longer the customer's address by the time the
	// job ran: there is nothing to send.
	if s.unneeded(job, err, "a link") {
		return nil
	}
	if err != nil {
		return failure("", err)
	}
	kind, ok := proofEmails[out.Proof.Purpose]
	if !ok {
		return failure("", fatalError{fmt.Errorf("email proof %s: no page takes links of purpose %q", out.Proof.ID, out.Proof.Purpose)})
	}
	link := s.publicURL + kind.page + "?" + url.Values{"token": {out.Token}}.Encode()
	raw, err := mail.Build(s.proofEmail(out, kind.words, link))
	if err != nil {
		return failure("", fatalError{errors.New("building the email of a link failed")})
	}
	return failure("", s.transmit(ctx, out.Mailbox.Relay, out.Mailbox.Address, []string{out.Proof.Email}, raw))
}

// proofEmail words the email of a link in the customer's language (Hebrew
// when it is not known), with the words of its purpose (catalogue keys
// under words), as text and as HTML: who it is for, the link, until when
// it works, and that it may be ignored by whoever did not ask for it. It
// is marked as sent automatically, so that auto-responders do not answer
// it.
func (s *Sender) proofEmail(out *desk.ProofEmail, words, link string) mail.Outgoing {
	l := i18n.New(i18n.Negotiate(out.Customer.Language), nil)
	t := func(key string, args ...any) string { return l.T(words+key, args...) }
	greeting := greet(l, words+"greeting", words+"greeting_anonymous", out.Customer.Name)
	now := s.clock.Now()
	until := l.Time(out.Proof.ExpiresAt)
	if out.Proof.ExpiresAt.Sub(now) > 12*time.Hour {
		until = l.DateTime(out.Proof.ExpiresAt)
	}
	intro, expiry, ignore := t("intro"), t("expiry", "time", until), t("ignore")
	signed := signature(out.Mailbox)
	closing := strings.TrimSpace(t("closing") + "\n" + signed)
	text := strings.Join([]string{greeting, intro + "\n" + link, expiry, ignore, closing}, "\n\n") + "\n"

	body := para(greeting) + para(intro) +
		fmt.Sprintf("<p><a href=\"%s\"><strong>%s</strong></a></p>\n", html.EscapeString(link), html.EscapeString(t("button"))) +
		fmt.Sprintf("<p dir=\"ltr\"><small>%s</small></p>\n", html.EscapeString(link)) +
		para(expiry) + para(ignore) + para(closing)

	return mail.Outgoing{
		From: mail.Address{Name: out.Mailbox.Name, Email: out.Mailbox.Address}, To: []mail.Address{{Name: out.Customer.Name, Email: out.Proof.Email}},
		Subject: t("subject", "name", signed), Text: text, HTML: htmlEmail(l, body), Date: now,
		// RFC 3834: generated, not a reply; the second header keeps
		// Exchange's out-of-office replies from answering.
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
	}
}

// greet is the greeting of an email to a customer: by name (message key
// named), unless the name is missing or only an address (key anonymous).
func greet(l *i18n.Locale, named, anonymous, name string) string {
	if name = strings.TrimSpace(name); name != "" && !strings.Contains(name, "@") {
		return l.T(named, "name", name)
	}
	return l.T(anonymous)
}

// signature is how the desk's generated emails are signed: the mailbox's
// name, else its address.
func signature(mb *kesher.Mailbox) string {
	if mb.Name != "" {
		return mb.Name
	}
	return mb.Address
}

// para is a paragraph of text in an HTML email, its lines kept.
func para(s string) string {
	return "<p>" + strings.ReplaceAll(html.EscapeString(s), "\n", "<br>\n") + "</p>\n"
}

// htmlEmail is the HTML document of a generated email with body, in the
// direction of its language.
func htmlEmail(l *i18n.Locale, body string) string {
	return fmt.Sprintf("<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\"><head><meta charset=\"utf-8\"></head><body dir=\"%s\">\n", l.Lang(), l.Dir(), l.Dir()) +
		body + "</body></html>\n"
}

// linkJob reads into p the payload of a job that mails a link, and checks
// that the desk's public URL, which links are built on, is set.
func (s *Sender) linkJob(job *kesher.Job, what string, p any) error {
	if err := json.Unmarshal(job.Payload, p); err != nil {
		return failure("", fatalError{fmt.Errorf("%s job payload: %w", what, err)})
	}
	if s.publicURL == "" {
		return failure("", fatalError{errors.New("a link to the desk needs its public URL (--public-url)")})
	}
	return nil
}

// unneeded reports whether err, from issuing a job's link, says that the
// link is no longer needed (ECodeConflict), and logs that it is not sent.
func (s *Sender) unneeded(job *kesher.Job, err error, what string) bool {
	if kesher.ErrorCode(err) != kesher.ECodeConflict {
		return false
	}
	s.log.Info("email: "+what+" is no longer needed", "job", job.ID, "reason", err.Error())
	return true
}
