package email

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
	"kesher/internal/mail"
)

// sendSurvey runs a JobSurveyInvite job: it has the desk issue the
// invitation's link (a fresh secret each time it runs, so only the latest
// email's links work), words the email in the customer's language and
// sends it. The secret is in the email only: errors and logs never carry
// it.
func (s *Sender) sendSurvey(ctx context.Context, job *kesher.Job) error {
	var p desk.SurveyInviteJob
	if err := s.linkJob(job, "survey", &p); err != nil {
		return err
	}
	inv, err := s.desk.IssueSurveyInvite(ctx, p.ResponseID)
	// Answered (through another channel's link) or expired by the time
	// the job ran: there is nothing to send.
	if s.unneeded(job, err, "a survey invitation") {
		return nil
	}
	if err != nil {
		return failure("", err)
	}
	raw, err := mail.Build(s.surveyEmail(inv))
	if err != nil {
		return failure("", fatalError{errors.New("building the email of a survey invitation failed")})
	}
	return failure("", s.transmit(ctx, inv.Mailbox.Relay, inv.Mailbox.Address, []string{inv.Email}, raw))
}

// SurveyChoiceLink is the link of one choice of a survey's first question:
// following it records the answer and opens the rest of the survey.
func SurveyChoiceLink(publicURL, token, question string, score int) string {
	return strings.TrimRight(publicURL, "/") + desk.SurveyPath(token) + "?" +
		url.Values{"q": {question}, "a": {strconv.Itoa(score)}}.Encode()
}

// surveyEmail words an invitation in the customer's language: the first
// scale question with its five choices as links, and a link to the whole
// survey. It is marked as sent automatically, so that auto-responders do
// not answer it.
func (s *Sender) surveyEmail(inv *desk.SurveyInvite) mail.Outgoing {
	l := i18n.New(inv.Response.Language, nil)
	greeting := greet(l, "survey.email.greeting", "survey.email.greeting_anonymous", inv.Customer.Name)
	page := strings.TrimRight(s.publicURL, "/") + desk.SurveyPath(inv.Token)
	intro := l.T("survey.email.intro", "subject", inv.Conversation.Subject)
	expiry := l.T("survey.email.expiry", "time", l.DateTime(inv.Response.ExpiresAt))
	closing := strings.TrimSpace(l.T("survey.email.closing") + "\n" + signature(inv.Mailbox))

	var first *kesher.SurveyQuestion
	for i, q := range inv.Survey.Questions {
		if q.Kind == kesher.QuestionScale {
			first = &inv.Survey.Questions[i]
			break
		}
	}
	text := []string{greeting, intro}
	var choices strings.Builder
	if first != nil {
		lines := []string{l.T("survey.email.choose"), first.Text.In(l.Lang())}
		fmt.Fprintf(&choices, "<p>%s</p>\n<p><strong>%s</strong></p>\n<p dir=\"ltr\">", html.EscapeString(lines[0]), html.EscapeString(lines[1]))
		for score := kesher.MinScore; score <= kesher.MaxScore; score++ {
			link := SurveyChoiceLink(s.publicURL, inv.Token, first.Key, score)
			lines = append(lines, strconv.Itoa(score)+": "+link)
			fmt.Fprintf(&choices, "<a href=\"%s\" style=\"display:inline-block;padding:8px 14px;margin:2px;border:1px solid #888;border-radius:4px;text-decoration:none\">%d</a>",
				html.EscapeString(link), score)
		}
		choices.WriteString("</p>\n")
		text = append(text, strings.Join(lines, "\n"))
	} else {
		text = append(text, page)
		fmt.Fprintf(&choices, "<p><a href=\"%s\">%s</a></p>\n", html.EscapeString(page), html.EscapeString(l.T("survey.page.title")))
	}
	text = append(text, expiry, closing)

	body := para(greeting) + para(intro) + choices.String() + para(expiry) + para(closing)
	return mail.Outgoing{
		From: mail.Address{Name: inv.Mailbox.Name, Email: inv.Mailbox.Address}, To: []mail.Address{{Name: inv.Customer.Name, Email: inv.Email}},
		Subject: l.T("survey.email.subject", "number", strconv.FormatInt(inv.Conversation.Number, 10)),
		Text:    strings.Join(text, "\n\n") + "\n", HTML: htmlEmail(l, body), Date: s.clock.Now(),
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
	}
}
