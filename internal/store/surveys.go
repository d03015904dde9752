package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"kesher"
)

const surveyColumns = "id, name, team_id, channel, questions, created_at, updated_at"

func scanSurvey(s scanner) (*kesher.Survey, error) {
	var sv kesher.Survey
	var questions string
	var created, updated int64
	if err := s.Scan(&sv.ID, &sv.Name, &sv.TeamID, &sv.Channel, &questions, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(questions), &sv.Questions); err != nil {
		return nil, err
	}
	sv.Questions = orEmpty(sv.Questions)
	sv.CreatedAt, sv.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &sv, nil
}

// Survey returns a stored survey.
func (q *queries) Survey(ctx context.Context, id string) (*kesher.Survey, error) {
	s, err := scanSurvey(q.q.QueryRowContext(ctx, "SELECT "+surveyColumns+" FROM surveys WHERE id = $1", id))
	return s, q.dbErr(err, "survey "+id)
}

// StoredSurveys lists every stored survey; there are a handful.
func (q *queries) StoredSurveys(ctx context.Context) ([]*kesher.Survey, error) {
	ss, _, err := list(ctx, q, "surveys", "SELECT "+surveyColumns+" FROM surveys ORDER BY name, id", nil, 0, scanSurvey)
	return orEmpty(ss), err
}

// SaveSurvey inserts or replaces a survey. A second survey of a scope
// violates surveys_scope, which the upsert (by id) does not handle: that
// is ECodeConflict, and on PostgreSQL it aborts the transaction, so the
// caller returns the error.
func (t *tx) SaveSurvey(ctx context.Context, s *kesher.Survey) error {
	questions, err := json.Marshal(orEmpty(s.Questions))
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, "INSERT INTO surveys ("+surveyColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)"+
		" ON CONFLICT (id) DO UPDATE SET name = excluded.name, team_id = excluded.team_id, channel = excluded.channel,"+
		" questions = excluded.questions, updated_at = excluded.updated_at",
		s.ID, s.Name, s.TeamID, string(s.Channel), string(questions), micros(s.CreatedAt), micros(s.UpdatedAt))
	return t.dbErr(err, "survey for team "+s.TeamID+" and channel "+string(s.Channel))
}

// DeleteSurvey deletes a stored survey.
func (t *tx) DeleteSurvey(ctx context.Context, id string) error {
	return t.exec(ctx, "survey "+id, "DELETE FROM surveys WHERE id = $1", id)
}

const surveyResponseColumns = "id, survey_id, conversation_id, customer_id, agent_id, team_id, channel, reason, language," +
	" token_hash, sent_at, expires_at, answered_at, updated_at"

func scanSurveyResponse(s scanner) (*kesher.SurveyResponse, error) {
	var r kesher.SurveyResponse
	var sent, expires, answered, updated int64
	if err := s.Scan(&r.ID, &r.SurveyID, &r.ConversationID, &r.CustomerID, &r.AgentID, &r.TeamID, &r.Channel, &r.Reason,
		&r.Language, &r.TokenHash, &sent, &expires, &answered, &updated); err != nil {
		return nil, err
	}
	if len(r.TokenHash) == 0 {
		r.TokenHash = nil
	}
	r.SentAt, r.ExpiresAt, r.AnsweredAt, r.UpdatedAt = fromMicros(sent), fromMicros(expires), fromMicros(answered), fromMicros(updated)
	r.Answers = []kesher.SurveyAnswer{}
	return &r, nil
}

// SurveyResponse returns a response with its answers.
func (q *queries) SurveyResponse(ctx context.Context, id string) (*kesher.SurveyResponse, error) {
	return q.surveyResponse(ctx, "survey response "+id, "id = $1", id)
}

// SurveyResponseByHash finds a response by its link's hash, which stays
// out of the error message: it is as good as the secret for a lookup.
func (q *queries) SurveyResponseByHash(ctx context.Context, hash []byte) (*kesher.SurveyResponse, error) {
	if len(hash) == 0 {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "survey response not found")
	}
	return q.surveyResponse(ctx, "survey response", "token_hash = $1", hash)
}

func (q *queries) surveyResponse(ctx context.Context, what, where string, key any) (*kesher.SurveyResponse, error) {
	r, err := scanSurveyResponse(q.q.QueryRowContext(ctx, "SELECT "+surveyResponseColumns+" FROM survey_responses WHERE "+where, key))
	if err != nil {
		return nil, q.dbErr(err, what)
	}
	return r, q.withAnswers(ctx, []*kesher.SurveyResponse{r})
}

// withAnswers reads the answers of rs, in one query, by question.
func (q *queries) withAnswers(ctx context.Context, rs []*kesher.SurveyResponse) error {
	if len(rs) == 0 {
		return nil
	}
	byID := make(map[string]*kesher.SurveyResponse, len(rs))
	ids := make([]string, len(rs))
	for i, r := range rs {
		byID[r.ID], ids[i] = r, r.ID
	}
	var a args
	type answer struct {
		response string
		kesher.SurveyAnswer
	}
	as, _, err := list(ctx, q, "survey answers", "SELECT response_id, question, score, text, source, answered_at FROM survey_answers"+
		" WHERE response_id IN "+in(&a, ids)+" ORDER BY response_id, question", a, 0, func(s scanner) (answer, error) {
		var an answer
		var at int64
		err := s.Scan(&an.response, &an.Question, &an.Score, &an.Text, &an.Source, &at)
		an.AnsweredAt = fromMicros(at)
		return an, err
	})
	for _, an := range as {
		r := byID[an.response]
		r.Answers = append(r.Answers, an.SurveyAnswer)
	}
	return err
}

// SurveyResponses lists answered responses, a range of
// survey_responses_answered.
func (q *queries) SurveyResponses(ctx context.Context, f kesher.SurveyResponseFilter) ([]*kesher.SurveyResponse, string, error) {
	limit := pageLimit(f.Page)
	key, id, after, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	where := []string{"answered_at > 0"}
	if after {
		where = append(where, "(answered_at, id) < ("+a.add(key)+", "+a.add(id)+")")
	}
	for _, eq := range []struct{ column, value string }{
		{"survey_id", f.SurveyID}, {"conversation_id", f.ConversationID}, {"customer_id", f.CustomerID},
		{"agent_id", f.AgentID}, {"team_id", f.TeamID}, {"channel", string(f.Channel)}, {"reason", f.Reason},
	} {
		if eq.value != "" {
			where = append(where, eq.column+" = "+a.add(eq.value))
		}
	}
	if !f.From.IsZero() {
		where = append(where, "answered_at >= "+a.add(micros(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "answered_at < "+a.add(micros(f.To)))
	}
	query := "SELECT " + surveyResponseColumns + " FROM survey_responses WHERE " + strings.Join(where, " AND ") +
		" ORDER BY answered_at DESC, id DESC LIMIT " + a.add(limit+1)
	rs, more, err := list(ctx, q, "survey responses", query, a, limit, scanSurveyResponse)
	if err == nil {
		err = q.withAnswers(ctx, rs)
	}
	if err != nil || !more {
		return orEmpty(rs), "", err
	}
	last := rs[len(rs)-1]
	return rs, encodeCursor(micros(last.AnsweredAt), last.ID), nil
}

// ConversationSurveyResponses reads a range of
// survey_responses_conversation; a conversation has a few.
func (q *queries) ConversationSurveyResponses(ctx context.Context, conversationID string) ([]*kesher.SurveyResponse, error) {
	rs, _, err := list(ctx, q, "survey responses", "SELECT "+surveyResponseColumns+" FROM survey_responses WHERE conversation_id = $1"+
		" ORDER BY sent_at DESC, id DESC", args{conversationID}, 0, scanSurveyResponse)
	if err == nil {
		err = q.withAnswers(ctx, rs)
	}
	return orEmpty(rs), err
}

// LastSurveySent reads the end of the customer's range of
// survey_responses_customer.
func (q *queries) LastSurveySent(ctx context.Context, customerID string) (time.Time, error) {
	var at int64
	err := q.q.QueryRowContext(ctx, "SELECT COALESCE(MAX(sent_at), 0) FROM survey_responses WHERE customer_id = $1", customerID).Scan(&at)
	return fromMicros(at), q.dbErr(err, "survey invitations of customer "+customerID)
}

// CreateSurveyResponse inserts an invitation.
func (t *tx) CreateSurveyResponse(ctx context.Context, r *kesher.SurveyResponse) error {
	return t.insert(ctx, "survey response "+r.ID, "INSERT INTO survey_responses ("+surveyResponseColumns+") VALUES ($1, $2, $3,"+
		" $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", args{r.ID, r.SurveyID, r.ConversationID, r.CustomerID, r.AgentID, r.TeamID,
		string(r.Channel), r.Reason, r.Language, nullableBytes(r.TokenHash), micros(r.SentAt), micros(r.ExpiresAt), micros(r.AnsweredAt),
		micros(r.UpdatedAt)})
}

// nullableBytes stores a hash not issued yet as NULL, which the unique
// index lets many rows have.
func nullableBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// IssueSurveyLink replaces a response's link hash.
func (t *tx) IssueSurveyLink(ctx context.Context, id string, hash []byte) error {
	var taken int
	err := t.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM survey_responses WHERE token_hash = $1 AND id <> $2", hash, id).Scan(&taken)
	if err != nil {
		return t.dbErr(err, "survey response "+id)
	}
	if taken > 0 {
		// Checked first: on PostgreSQL a failed UPDATE would abort the
		// caller's transaction.
		return kesher.Errorf(kesher.ECodeConflict, "the link of survey response %s is taken", id)
	}
	return t.exec(ctx, "survey response "+id, "UPDATE survey_responses SET token_hash = $1 WHERE id = $2", hash, id)
}

// SaveSurveyAnswers upserts answers by (response, question).
func (t *tx) SaveSurveyAnswers(ctx context.Context, id string, answers []kesher.SurveyAnswer, at time.Time) error {
	if err := t.exec(ctx, "survey response "+id, "UPDATE survey_responses SET updated_at = $1,"+
		" answered_at = CASE WHEN answered_at = 0 THEN $1 ELSE answered_at END WHERE id = $2", micros(at), id); err != nil {
		return err
	}
	for _, an := range answers {
		_, err := t.q.ExecContext(ctx, "INSERT INTO survey_answers (response_id, question, score, text, source, answered_at)"+
			" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (response_id, question) DO UPDATE SET score = excluded.score,"+
			" text = excluded.text, source = excluded.source, answered_at = excluded.answered_at",
			id, an.Question, an.Score, an.Text, an.Source, micros(an.AnsweredAt))
		if err != nil {
			return t.dbErr(err, "answer to "+an.Question+" of survey response "+id)
		}
	}
	return nil
}
