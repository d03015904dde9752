package desk

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/auth"
	"kesher/internal/i18n"
)

// Surveys (P8): when a conversation is solved, its customer is invited to
// say how the service was, on the six expectations customers have of it
// unless an admin chose other questions for the team or channel. The
// invitation is made in the Write that solves the conversation; an email
// customer gets it by email (a JobSurveyInvite job), anyone else through
// SurveyInvitation, which a channel calls to send the link its own way.
//
// The link's secret is made when the invitation is sent and only its
// SHA-256 is stored, as with email proofs; it is good for one response,
// until it expires, and may be used again to change the answers.

// SurveyLinkPrefix starts every survey link secret, so a survey link is
// never taken for a portal link, a session or an API token.
const SurveyLinkPrefix = "ksv_"

// JobSurveyInvite mails the invitation of a survey response
// (SurveyInviteJob).
const JobSurveyInvite = "email.survey"

// SurveyInviteJob is the payload of a JobSurveyInvite job. It names the
// response only: the link's secret is made when the job runs.
type SurveyInviteJob struct {
	ResponseID string `json:"response_id"`
}

// Events of surveys, on the conversation's log.
const (
	// EventSurveyInvited records that a customer was invited to answer a
	// survey about the conversation.
	EventSurveyInvited = "survey.invited"
	// EventSurveyAnswered records that the customer answered (or changed
	// answers), by the customer.
	EventSurveyAnswered = "survey.answered"
)

// SurveyConfig tunes survey invitations and results.
type SurveyConfig struct {
	// Every is the least time between two invitations of one customer, so
	// that a customer with many requests is not asked about each one.
	// Default 30 days.
	Every time.Duration
	// LinkLifetime is how long an invitation's link works. Default 14
	// days.
	LinkLifetime time.Duration
	// MinAnswers is the fewest answers a result is shown for: below it a
	// mean says more about chance than about the service. Default 10.
	MinAnswers int
}

func (c SurveyConfig) withDefaults() SurveyConfig {
	c.Every = orDefault(c.Every, 30*24*time.Hour)
	c.LinkLifetime = orDefault(c.LinkLifetime, 14*24*time.Hour)
	c.MinAnswers = orDefault(c.MinAnswers, 10)
	return c
}

// SurveyEvery is the least time between two invitations of one customer.
func (d *Desk) SurveyEvery() time.Duration { return d.surveyCfg.Every }

// Expectations are the keys of the default survey's scale questions: the
// six expectations customers have of a service, in the order it asks them.
var Expectations = []string{"welcoming", "reach", "quality", "speed", "cost", "continuity"}

// CommentQuestion is the key of the default survey's open question.
const CommentQuestion = "comment"

// DefaultSurvey is the built-in survey, worded from the catalogues: the six
// expectations on a 1–5 scale, then an open question.
func DefaultSurvey() *kesher.Survey {
	he, en := i18n.New(i18n.Hebrew, nil), i18n.New(i18n.English, nil)
	word := func(key string) kesher.Wording {
		return kesher.Wording{He: he.T("survey.question." + key), En: en.T("survey.question." + key)}
	}
	s := &kesher.Survey{ID: kesher.DefaultSurveyID, Name: he.T("survey.default_name")}
	for _, k := range Expectations {
		s.Questions = append(s.Questions, kesher.SurveyQuestion{Key: k, Kind: kesher.QuestionScale, Text: word(k)})
	}
	s.Questions = append(s.Questions, kesher.SurveyQuestion{Key: CommentQuestion, Kind: kesher.QuestionText, Text: word(CommentQuestion)})
	return s
}

// Surveys lists every survey, the default first (the built-in one unless
// an admin has saved it). Admins only.
func (d *Desk) Surveys(ctx context.Context) ([]*kesher.Survey, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	return d.allSurveys(ctx, d.store)
}

func (d *Desk) allSurveys(ctx context.Context, q kesher.Queries) ([]*kesher.Survey, error) {
	stored, err := q.StoredSurveys(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(stored, func(s *kesher.Survey) bool { return s.ID == kesher.DefaultSurveyID })
	if i < 0 {
		return append([]*kesher.Survey{DefaultSurvey()}, stored...), nil
	}
	def := stored[i]
	return append([]*kesher.Survey{def}, slices.Delete(stored, i, i+1)...), nil
}

// Survey returns one survey; the default one by DefaultSurveyID. Admins
// only. Errors: ECodeNotFound.
func (d *Desk) Survey(ctx context.Context, id string) (*kesher.Survey, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	return d.survey(ctx, d.store, id)
}

func (d *Desk) survey(ctx context.Context, q kesher.Queries, id string) (*kesher.Survey, error) {
	s, err := q.Survey(ctx, id)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound && id == kesher.DefaultSurveyID {
		return DefaultSurvey(), nil
	}
	return s, err
}

// SurveyInput is a survey as an admin writes it.
type SurveyInput struct {
	Name      string
	TeamID    string
	Channel   kesher.Channel
	Questions []kesher.SurveyQuestion
}

// SaveSurvey creates a survey (id "") or replaces one; the default survey
// is saved by DefaultSurveyID and keeps no team or channel. Keys name
// answers in results, so they are short words of their own; questions
// need both wordings. Admins only.
//
// Errors: ECodeValidation on name, team_id, channel or questions
// (questions.N.key, .kind, .text); ECodeConflict when another survey has
// the same team and channel; ECodeNotFound for an unknown survey.
func (d *Desk) SaveSurvey(ctx context.Context, id string, in SurveyInput) (*kesher.Survey, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var v kesher.Validation
	v.Check(in.Name != "" && utf8.RuneCountInString(in.Name) <= 200, "name", "invalid")
	v.Check(in.Channel == "" || in.Channel.Valid(), "channel", "invalid")
	if id == kesher.DefaultSurveyID {
		v.Check(in.TeamID == "" && in.Channel == "", "team_id", "default_applies_everywhere")
	} else {
		v.Check(in.TeamID != "" || in.Channel != "", "team_id", "required")
	}
	v.Check(len(in.Questions) > 0 && len(in.Questions) <= kesher.MaxSurveyQuestions, "questions", "invalid")
	seen := map[string]bool{}
	for i, q := range in.Questions {
		field := "questions." + strconv.Itoa(i) + "."
		q.Key = strings.TrimSpace(q.Key)
		q.Text.He, q.Text.En = strings.TrimSpace(q.Text.He), strings.TrimSpace(q.Text.En)
		v.Check(keyPattern(q.Key) && !seen[q.Key], field+"key", "invalid")
		v.Check(q.Kind.Valid(), field+"kind", "invalid")
		v.Check(q.Text.He != "" && q.Text.En != "", field+"text", "required")
		v.Check(utf8.RuneCountInString(q.Text.He) <= kesher.MaxQuestionText && utf8.RuneCountInString(q.Text.En) <= kesher.MaxQuestionText,
			field+"text", "too_long")
		seen[q.Key] = true
		in.Questions[i] = q
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *kesher.Survey
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		now := d.clock.Now()
		s := &kesher.Survey{ID: kesher.NewID(now), CreatedAt: now}
		if id != "" {
			old, err := d.survey(ctx, tx, id)
			if err != nil {
				return err
			}
			s.ID, s.CreatedAt = old.ID, orDefault(old.CreatedAt, now)
		}
		if in.TeamID != "" {
			if _, err := tx.Team(ctx, in.TeamID); kesher.ErrorCode(err) == kesher.ECodeNotFound {
				return kesher.FieldError("team_id", "unknown", "there is no team %s", in.TeamID)
			} else if err != nil {
				return err
			}
		}
		s.Name, s.TeamID, s.Channel, s.Questions, s.UpdatedAt = in.Name, in.TeamID, in.Channel, in.Questions, now
		out = s
		return tx.SaveSurvey(ctx, s)
	})
	return out, err
}

// keyPattern reports whether k is a question key: 1–40 lower-case ASCII
// letters, digits and underscores, starting with a letter.
func keyPattern(k string) bool {
	if k == "" || len(k) > 40 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	return strings.Trim(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

// DeleteSurvey deletes a survey; deleting the saved default brings back
// the built-in one. Responses stay. Admins only. Errors: ECodeNotFound.
func (d *Desk) DeleteSurvey(ctx context.Context, id string) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteSurvey(ctx, id) })
}

// SurveyFor returns the survey that applies to a conversation of team on
// channel: the most specific wins (team and channel, team, channel, the
// default). Any signed-in user, so an agent can see what will be asked.
func (d *Desk) SurveyFor(ctx context.Context, teamID string, ch kesher.Channel) (*kesher.Survey, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.surveyFor(ctx, d.store, teamID, ch)
}

func (d *Desk) surveyFor(ctx context.Context, q kesher.Queries, teamID string, ch kesher.Channel) (*kesher.Survey, error) {
	all, err := d.allSurveys(ctx, q)
	if err != nil {
		return nil, err
	}
	best, rank := all[0], 0
	for _, s := range all[1:] {
		r := 0
		switch {
		case s.TeamID != "" && s.TeamID == teamID && s.Channel == ch:
			r = 3
		case s.TeamID != "" && s.TeamID == teamID && s.Channel == "":
			r = 2
		case s.TeamID == "" && s.Channel != "" && s.Channel == ch:
			r = 1
		}
		if r > rank {
			best, rank = s, r
		}
	}
	return best, nil
}

// inviteToSurvey invites the customer of c, just solved, to answer its
// survey, in the caller's Write: unless the customer was invited within
// the configured period, or the desk replays a history. An email customer
// gets the invitation by email; for others it waits for their channel to
// ask for it (SurveyInvitation).
func (d *Desk) inviteToSurvey(ctx context.Context, tx kesher.Tx, c *kesher.Conversation) error {
	if d.history {
		return nil
	}
	now := d.clock.Now()
	last, err := tx.LastSurveySent(ctx, c.CustomerID)
	if err != nil || !last.IsZero() && now.Sub(last) < d.surveyCfg.Every {
		return err
	}
	cust, err := d.liveCustomer(ctx, tx, c.CustomerID)
	if err != nil {
		return err
	}
	s, err := d.surveyFor(ctx, tx, c.TeamID, c.Channel)
	if err != nil {
		return err
	}
	r := &kesher.SurveyResponse{
		ID: kesher.NewID(now), SurveyID: s.ID, ConversationID: c.ID, CustomerID: cust.ID, AgentID: c.OwnerID, TeamID: c.TeamID,
		Channel: c.Channel, Reason: c.Reason, Language: customerLanguage(cust), SentAt: now, ExpiresAt: now.Add(d.surveyCfg.LinkLifetime),
		UpdatedAt: now, Answers: []kesher.SurveyAnswer{},
	}
	if err := tx.CreateSurveyResponse(ctx, r); err != nil {
		return err
	}
	byEmail := slices.ContainsFunc(cust.Identities, func(id kesher.Identity) bool { return id.Kind == kesher.IdentityEmail })
	e := d.systemEvent(EventSurveyInvited, map[string]any{"response_id": r.ID, "survey_id": s.ID, "by_email": byEmail})
	e.ConversationID, e.CustomerID = c.ID, cust.ID
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	if !byEmail {
		return nil
	}
	return d.enqueue(ctx, tx, JobSurveyInvite, "survey:"+r.ID, SurveyInviteJob{ResponseID: r.ID})
}

// customerLanguage is the language a customer is written to in: theirs
// when the desk speaks it, else Hebrew, the desk's first language.
func customerLanguage(c *kesher.Customer) string {
	if i18n.Valid(c.Language) {
		return c.Language
	}
	return i18n.Hebrew
}

// SurveyInvite is what a channel needs to send an invitation.
type SurveyInvite struct {
	Response     *kesher.SurveyResponse
	Survey       *kesher.Survey
	Conversation *kesher.Conversation
	Customer     *kesher.Customer
	// Email is where an emailed invitation goes; Mailbox sends it.
	Email   string
	Mailbox *kesher.Mailbox
	// Token is the link's secret, for the link only: never a log or a job.
	Token string
}

// IssueSurveyInvite makes a new link for a response's invitation (a
// JobSurveyInvite job) and returns what the email needs. Each call
// replaces the link, so when a job runs again only the latest email's link
// works. Channels (no user) and admins only.
//
// Errors: ECodeNotFound for an unknown response, or when the customer has
// no email address or no mailbox can send; ECodeConflict for a response
// that needs no invitation any more (expired, or answered).
func (d *Desk) IssueSurveyInvite(ctx context.Context, responseID string) (*SurveyInvite, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	var out *SurveyInvite
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		inv, err := d.issueSurveyLink(ctx, tx, responseID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(inv.Customer.Identities, func(id kesher.Identity) bool { return id.Kind == kesher.IdentityEmail })
		if i < 0 {
			return kesher.Errorf(kesher.ECodeNotFound, "customer %s has no email address", inv.Customer.ID)
		}
		inv.Email = inv.Customer.Identities[i].Value
		if inv.Mailbox, err = d.proofMailbox(ctx, tx, inv.Customer.ID); err != nil {
			return err
		}
		out = inv
		return nil
	})
	return out, err
}

func (d *Desk) issueSurveyLink(ctx context.Context, tx kesher.Tx, responseID string) (*SurveyInvite, error) {
	r, err := tx.SurveyResponse(ctx, responseID)
	if err != nil {
		return nil, err
	}
	switch {
	case !d.clock.Now().Before(r.ExpiresAt):
		return nil, kesher.Errorf(kesher.ECodeConflict, "survey response %s has expired", r.ID)
	case !r.AnsweredAt.IsZero():
		return nil, kesher.Errorf(kesher.ECodeConflict, "survey response %s is answered already", r.ID)
	}
	s, err := d.survey(ctx, tx, r.SurveyID)
	if err != nil {
		return nil, err
	}
	conv, err := tx.Conversation(ctx, r.ConversationID)
	if err != nil {
		return nil, err
	}
	cust, err := d.liveCustomer(ctx, tx, r.CustomerID)
	if err != nil {
		return nil, err
	}
	token := SurveyLinkPrefix + randomString()
	if err := tx.IssueSurveyLink(ctx, r.ID, auth.HashToken(token)); err != nil {
		return nil, err
	}
	return &SurveyInvite{Response: r, Survey: s, Conversation: conv, Customer: cust, Token: token}, nil
}

// SurveyInvitation returns the invitation of a conversation's latest
// unanswered, unexpired survey response with a fresh link, for a channel
// other than email (chat, WhatsApp, Telegram) to send in its own way: the
// link's path (under the desk's public URL) and the invitation's text in
// the customer's language, to send followed by the full link. A new
// link voids the one before, so a channel asks once per invitation.
// Channels (no user) and admins only.
//
// Errors: ECodeNotFound when the conversation has no invitation to send.
func (d *Desk) SurveyInvitation(ctx context.Context, conversationID string) (path, text string, err error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return "", "", err
	}
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		rs, err := tx.ConversationSurveyResponses(ctx, conversationID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rs, func(r *kesher.SurveyResponse) bool { return r.AnsweredAt.IsZero() && d.clock.Now().Before(r.ExpiresAt) })
		if i < 0 {
			return kesher.Errorf(kesher.ECodeNotFound, "conversation %s has no survey invitation to send", conversationID)
		}
		inv, err := d.issueSurveyLink(ctx, tx, rs[i].ID)
		if err != nil {
			return err
		}
		path = SurveyPath(inv.Token)
		text = i18n.New(inv.Response.Language, nil).T("survey.invite.text")
		return nil
	})
	return path, text, err
}

// SurveyPath is the path of a survey link's page.
func SurveyPath(token string) string { return "/survey/" + token }

// errInvalidSurveyLink is the one answer to every survey link that does
// not work, so the answer does not tell which check it failed.
var errInvalidSurveyLink = kesher.Errorf(kesher.ECodeNotFound, "the survey link is not valid: it may have expired")

// SurveyForm is what the survey's page shows: the questions, in the
// customer's language, and the answers given so far.
type SurveyForm struct {
	Response *kesher.SurveyResponse
	Survey   *kesher.Survey
}

// OpenSurvey returns the survey of a link. Anyone: the link is the
// credential. Errors: ECodeNotFound for a link that is unknown, forged or
// expired.
func (d *Desk) OpenSurvey(ctx context.Context, token string) (*SurveyForm, error) {
	return d.openSurvey(ctx, d.store, token)
}

func (d *Desk) openSurvey(ctx context.Context, q kesher.Queries, token string) (*SurveyForm, error) {
	if !strings.HasPrefix(token, SurveyLinkPrefix) {
		return nil, errInvalidSurveyLink
	}
	r, err := q.SurveyResponseByHash(ctx, auth.HashToken(token))
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, errInvalidSurveyLink
	} else if err != nil {
		return nil, err
	}
	if !d.clock.Now().Before(r.ExpiresAt) {
		return nil, errInvalidSurveyLink
	}
	s, err := d.survey(ctx, q, r.SurveyID)
	if err != nil {
		return nil, err
	}
	return &SurveyForm{Response: r, Survey: s}, nil
}

// AnswerSurvey records answers given through a link, in one Write with
// the event that tells the conversation's log. Answers replace earlier
// answers to the same questions, so a second submission updates rather
// than duplicates, and an answer given again unchanged writes nothing.
// The Score of an answer counts for a scale question, its Text for an
// open one; an answer without either (a question left blank) is left out.
// source is kesher.AnswerFromLink for the choice in
// the email, kesher.AnswerFromPage for the page. Anyone with the link.
//
// Errors: ECodeNotFound as OpenSurvey; ECodeValidation on
// "answers.KEY" for an unknown question, a score outside the scale or a
// text too long.
func (d *Desk) AnswerSurvey(ctx context.Context, token, source string, answers []kesher.SurveyAnswer) (*SurveyForm, error) {
	var form *SurveyForm
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		f, err := d.openSurvey(ctx, tx, token)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		var v kesher.Validation
		var keep []kesher.SurveyAnswer
		for _, a := range answers {
			q, ok := f.Survey.Question(a.Question)
			field := "answers." + a.Question
			a.Text = strings.TrimSpace(a.Text)
			switch {
			case !ok:
				v.Add(field, "unknown")
			case q.Kind == kesher.QuestionScale && a.Score != 0 && (a.Score < kesher.MinScore || a.Score > kesher.MaxScore):
				v.Add(field, "invalid")
			case q.Kind == kesher.QuestionText && utf8.RuneCountInString(a.Text) > kesher.MaxAnswerText:
				v.Add(field, "too_long")
			case q.Kind == kesher.QuestionScale && a.Score != 0:
				keep = append(keep, kesher.SurveyAnswer{Question: q.Key, Score: a.Score, Source: source, AnsweredAt: now})
			case q.Kind == kesher.QuestionText && a.Text != "":
				keep = append(keep, kesher.SurveyAnswer{Question: q.Key, Text: a.Text, Source: source, AnsweredAt: now})
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		form = f
		// An answer given again unchanged (a link followed twice) changes
		// nothing, not even its time.
		keep = slices.DeleteFunc(keep, func(a kesher.SurveyAnswer) bool {
			old, ok := f.Response.Answer(a.Question)
			return ok && old.Score == a.Score && old.Text == a.Text
		})
		if len(keep) == 0 {
			return nil
		}
		if err := tx.SaveSurveyAnswers(ctx, f.Response.ID, keep, now); err != nil {
			return err
		}
		if f.Response, err = tx.SurveyResponse(ctx, f.Response.ID); err != nil {
			return err
		}
		e := d.customerEvent(ctx, f.Response.CustomerID, EventSurveyAnswered, map[string]any{"response_id": f.Response.ID, "source": source})
		e.ConversationID = f.Response.ConversationID
		return tx.AppendEvent(ctx, e)
	})
	return form, err
}

// SurveyResponses lists answered responses, newest first. Leads and
// admins.
func (d *Desk) SurveyResponses(ctx context.Context, f kesher.SurveyResponseFilter) ([]*kesher.SurveyResponse, string, error) {
	if _, err := require(ctx, kesher.RoleLead); err != nil {
		return nil, "", err
	}
	return d.store.SurveyResponses(ctx, f)
}
