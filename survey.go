package kesher

import (
	"context"
	"time"
)

// Surveys ask customers, after a conversation is solved, how they found
// the service (P8). A survey is a list of questions; each is either a
// 1–5 scale or an open question, worded in Hebrew and English.

// QuestionKind is what a question takes for an answer.
type QuestionKind string

// Kinds of questions.
const (
	// QuestionScale takes a score from MinScore to MaxScore.
	QuestionScale QuestionKind = "scale"
	// QuestionText takes free text.
	QuestionText QuestionKind = "text"
)

// QuestionKinds lists every kind of question.
var QuestionKinds = []QuestionKind{QuestionScale, QuestionText}

// Valid reports whether k is a known kind.
func (k QuestionKind) Valid() bool { return oneOf(k, QuestionKinds) }

// The scale of every scale question.
const (
	MinScore = 1
	MaxScore = 5
)

// Limits of a survey's contents.
const (
	MaxSurveyQuestions = 20
	MaxQuestionText    = 500
	MaxAnswerText      = 4000
)

// DefaultSurveyID names the survey that applies where no other does. Until
// an admin edits it, it is the desk's built-in survey of the six
// expectations and is not stored.
const DefaultSurveyID = "default"

// Wording is a text in each of the desk's languages.
type Wording struct {
	He string `json:"he"`
	En string `json:"en"`
}

// In returns the wording for a language ("he" or "en"), falling back to
// the other one when it is empty.
func (w Wording) In(lang string) string {
	if lang == "en" && w.En != "" || w.He == "" {
		return w.En
	}
	return w.He
}

// SurveyQuestion is one question of a survey. Key names it in answers and
// results (for the default survey, the expectation it measures), so it
// stays the same when the wording changes.
type SurveyQuestion struct {
	Key  string       `json:"key"`
	Kind QuestionKind `json:"kind"`
	Text Wording      `json:"text"`
}

// Survey is a list of questions and where it applies: conversations of
// TeamID ("" for any team) on Channel ("" for any channel). The most
// specific survey wins: team and channel, then team, then channel, then
// the default survey, which has neither.
type Survey struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	TeamID    string           `json:"team_id"`
	Channel   Channel          `json:"channel"`
	Questions []SurveyQuestion `json:"questions"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// Question returns the question with key, and whether there is one.
func (s *Survey) Question(key string) (SurveyQuestion, bool) {
	for _, q := range s.Questions {
		if q.Key == key {
			return q, true
		}
	}
	return SurveyQuestion{}, false
}

// SurveyResponse is one invitation to answer a survey about a solved
// conversation, and what the customer answered (nothing until AnsweredAt).
// It keeps what the conversation was when it was solved, so results stay
// attributed to the agent who owned it, its team, channel and reason,
// whatever happens to the conversation later.
type SurveyResponse struct {
	ID             string  `json:"id"`
	SurveyID       string  `json:"survey_id"`
	ConversationID string  `json:"conversation_id"`
	CustomerID     string  `json:"customer_id"`
	AgentID        string  `json:"agent_id"`
	TeamID         string  `json:"team_id"`
	Channel        Channel `json:"channel"`
	Reason         string  `json:"reason"`
	// Language is the customer's language when invited: the page's.
	Language string `json:"language"`
	// TokenHash is the SHA-256 of the secret of the invitation's link;
	// nil until a link is issued.
	TokenHash []byte    `json:"-"`
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// AnsweredAt is when the first answer came; zero while unanswered.
	AnsweredAt time.Time      `json:"answered_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	Answers    []SurveyAnswer `json:"answers"`
}

// Answer returns the answer to the question with key, and whether there
// is one.
func (r *SurveyResponse) Answer(key string) (SurveyAnswer, bool) {
	for _, a := range r.Answers {
		if a.Question == key {
			return a, true
		}
	}
	return SurveyAnswer{}, false
}

// SurveyAnswer is the answer to one question: a Score for a scale
// question, a Text for an open one.
type SurveyAnswer struct {
	Question string `json:"question"`
	Score    int    `json:"score,omitempty"`
	Text     string `json:"text,omitempty"`
	// Source is how the answer came: "link" (the choice in the email) or
	// "page" (the survey's page).
	Source     string    `json:"source"`
	AnsweredAt time.Time `json:"answered_at"`
}

// Sources of answers.
const (
	AnswerFromLink = "link"
	AnswerFromPage = "page"
)

// SurveyResponseFilter selects answered responses. From (inclusive) and To
// (exclusive) bound the first answer's time; the other fields, when set,
// match exactly.
type SurveyResponseFilter struct {
	SurveyID       string
	ConversationID string
	CustomerID     string
	AgentID        string
	TeamID         string
	Channel        Channel
	Reason         string
	From, To       time.Time
	Page           Page
}

// Surveys reads surveys and their responses.
type Surveys interface {
	// Survey returns a stored survey; ECodeNotFound for an unknown one
	// (the built-in default survey included, until it is saved).
	Survey(ctx context.Context, id string) (*Survey, error)
	// StoredSurveys lists the stored surveys by name, then id.
	StoredSurveys(ctx context.Context) ([]*Survey, error)
	SurveyResponse(ctx context.Context, id string) (*SurveyResponse, error)
	// SurveyResponseByHash finds a response by the SHA-256 of its link's
	// secret; ECodeNotFound when there is none.
	SurveyResponseByHash(ctx context.Context, hash []byte) (*SurveyResponse, error)
	// SurveyResponses lists the answered responses f selects, with their
	// answers, by the first answer, newest first.
	SurveyResponses(ctx context.Context, f SurveyResponseFilter) ([]*SurveyResponse, string, error)
	// ConversationSurveyResponses lists a conversation's responses, with
	// their answers, the latest invitation first.
	ConversationSurveyResponses(ctx context.Context, conversationID string) ([]*SurveyResponse, error)
	// LastSurveySent returns when the customer was last invited to a
	// survey, zero when never.
	LastSurveySent(ctx context.Context, customerID string) (time.Time, error)
}

// SurveysTx writes surveys and their responses.
type SurveysTx interface {
	// SaveSurvey inserts or replaces a survey; a second survey for the
	// same team and channel is ECodeConflict.
	SaveSurvey(ctx context.Context, s *Survey) error
	// DeleteSurvey deletes a stored survey; its responses stay.
	DeleteSurvey(ctx context.Context, id string) error
	// CreateSurveyResponse inserts an invitation, with no answers.
	CreateSurveyResponse(ctx context.Context, r *SurveyResponse) error
	// IssueSurveyLink sets the hash of the secret of a response's link,
	// replacing the one issued before. ECodeNotFound for an unknown
	// response, ECodeConflict for a taken hash.
	IssueSurveyLink(ctx context.Context, id string, hash []byte) error
	// SaveSurveyAnswers inserts or replaces the given answers of a
	// response, sets its AnsweredAt at the first answer and its
	// UpdatedAt to at. ECodeNotFound for an unknown response.
	SaveSurveyAnswers(ctx context.Context, id string, answers []SurveyAnswer, at time.Time) error
}
