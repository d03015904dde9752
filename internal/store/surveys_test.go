package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/store"
)

func testSurveys(t *testing.T, db *store.DB) {
	sv := &kesher.Survey{ID: newID(), Name: "סקר חיוב", TeamID: "team-billing", Channel: kesher.ChannelEmail, CreatedAt: t0, UpdatedAt: t0,
		Questions: []kesher.SurveyQuestion{
			{Key: "speed", Kind: kesher.QuestionScale, Text: kesher.Wording{He: "כמה מהר טיפלנו בפנייתך?", En: "How fast did we handle it?"}},
			{Key: "comment", Kind: kesher.QuestionText, Text: kesher.Wording{He: "משהו נוסף?", En: "Anything else?"}},
		}}
	write(t, db, func(tx kesher.Tx) error { return tx.SaveSurvey(ctx, sv) })
	sv.Name, sv.UpdatedAt = "סקר חיוב מעודכן", at(5)
	write(t, db, func(tx kesher.Tx) error { return tx.SaveSurvey(ctx, sv) })
	got, err := db.Survey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sv, got); diff != "" {
		t.Errorf("Survey (-want +got):\n%s", diff)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.SaveSurvey(ctx, &kesher.Survey{ID: newID(), Name: "שני", TeamID: "team-billing", Channel: kesher.ChannelEmail})
	})
	wantCode(t, "a second survey of the same scope", err, kesher.ECodeConflict)
	other := &kesher.Survey{ID: newID(), Name: "א סקר", Channel: kesher.ChannelChat, Questions: []kesher.SurveyQuestion{}, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.SaveSurvey(ctx, other) })
	all, err := db.StoredSurveys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{other.ID, sv.ID}, ids(all, func(s *kesher.Survey) string { return s.ID })); diff != "" {
		t.Errorf("StoredSurveys by name (-want +got):\n%s", diff)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteSurvey(ctx, other.ID) })
	_, err = db.Survey(ctx, other.ID)
	wantCode(t, "a deleted survey", err, kesher.ECodeNotFound)
	wantCode(t, "deleting it again", db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteSurvey(ctx, other.ID) }), kesher.ECodeNotFound)
}

func testSurveyResponses(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("רחל אברהם", t0, email("rachel@example.com")))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, Subject: "חשבונית כפולה", UpdatedAt: t0})
	if last, err := db.LastSurveySent(ctx, cust.ID); err != nil || !last.IsZero() {
		t.Errorf("LastSurveySent before any = %v, %v; want zero", last, err)
	}
	newResponse := func(sent time.Time, agent string) *kesher.SurveyResponse {
		return &kesher.SurveyResponse{ID: newID(), SurveyID: kesher.DefaultSurveyID, ConversationID: conv.ID, CustomerID: cust.ID,
			AgentID: agent, TeamID: "team-a", Channel: kesher.ChannelEmail, Reason: "billing", Language: "he", SentAt: sent,
			ExpiresAt: sent.Add(14 * 24 * time.Hour), UpdatedAt: sent, Answers: []kesher.SurveyAnswer{}}
	}
	r1, r2, r3 := newResponse(at(0), "agent-1"), newResponse(at(10), "agent-2"), newResponse(at(20), "agent-1")
	write(t, db, func(tx kesher.Tx) error {
		for _, r := range []*kesher.SurveyResponse{r1, r2, r3} {
			if err := tx.CreateSurveyResponse(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if last, err := db.LastSurveySent(ctx, cust.ID); err != nil || !last.Equal(at(20)) {
		t.Errorf("LastSurveySent = %v, %v; want %v", last, err, at(20))
	}

	// A merge moves the responses to the surviving customer.
	survivor := createCustomer(t, db, newCustomer("רחל אברהם-כהן", t0))
	write(t, db, func(tx kesher.Tx) error { return tx.MoveCustomerData(ctx, cust.ID, survivor.ID) })
	if last, err := db.LastSurveySent(ctx, survivor.ID); err != nil || !last.Equal(at(20)) {
		t.Errorf("LastSurveySent of the survivor = %v, %v; want %v", last, err, at(20))
	}
	for _, r := range []*kesher.SurveyResponse{r1, r2, r3} {
		r.CustomerID = survivor.ID
	}
	cust = survivor

	// Links: only the latest hash finds the response; a taken one is a
	// conflict.
	write(t, db, func(tx kesher.Tx) error { return tx.IssueSurveyLink(ctx, r1.ID, []byte("hash-one")) })
	write(t, db, func(tx kesher.Tx) error { return tx.IssueSurveyLink(ctx, r1.ID, []byte("hash-two")) })
	if _, err := db.SurveyResponseByHash(ctx, []byte("hash-one")); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("a replaced link: %v, want not found", err)
	}
	byHash, err := db.SurveyResponseByHash(ctx, []byte("hash-two"))
	if err != nil || byHash.ID != r1.ID {
		t.Fatalf("SurveyResponseByHash = %+v, %v", byHash, err)
	}
	wantCode(t, "a taken link", db.Write(ctx, func(tx kesher.Tx) error { return tx.IssueSurveyLink(ctx, r2.ID, []byte("hash-two")) }), kesher.ECodeConflict)
	wantCode(t, "an unknown response's link", db.Write(ctx, func(tx kesher.Tx) error { return tx.IssueSurveyLink(ctx, "nope", []byte("h")) }), kesher.ECodeNotFound)

	// Answers: the first sets answered_at, a second submission replaces
	// answers rather than adding them.
	first := kesher.SurveyAnswer{Question: "speed", Score: 4, Source: kesher.AnswerFromLink, AnsweredAt: at(100)}
	write(t, db, func(tx kesher.Tx) error {
		return tx.SaveSurveyAnswers(ctx, r1.ID, []kesher.SurveyAnswer{first}, at(100))
	})
	changed := kesher.SurveyAnswer{Question: "speed", Score: 2, Source: kesher.AnswerFromPage, AnsweredAt: at(200)}
	comment := kesher.SurveyAnswer{Question: "comment", Text: "השירות היה מצוין, תודה", Source: kesher.AnswerFromPage, AnsweredAt: at(200)}
	write(t, db, func(tx kesher.Tx) error {
		return tx.SaveSurveyAnswers(ctx, r1.ID, []kesher.SurveyAnswer{changed, comment}, at(200))
	})
	got, err := db.SurveyResponse(ctx, r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *r1
	want.TokenHash, want.AnsweredAt, want.UpdatedAt = []byte("hash-two"), at(100), at(200)
	want.Answers = []kesher.SurveyAnswer{comment, changed}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("SurveyResponse (-want +got):\n%s", diff)
	}
	wantCode(t, "answers to an unknown response", db.Write(ctx, func(tx kesher.Tx) error {
		return tx.SaveSurveyAnswers(ctx, "nope", []kesher.SurveyAnswer{first}, at(1))
	}), kesher.ECodeNotFound)

	byConv, err := db.ConversationSurveyResponses(ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{r3.ID, r2.ID, r1.ID}, ids(byConv, func(r *kesher.SurveyResponse) string { return r.ID })); diff != "" {
		t.Errorf("ConversationSurveyResponses, latest first (-want +got):\n%s", diff)
	}
	if len(byConv[2].Answers) != 2 {
		t.Errorf("ConversationSurveyResponses: answers %+v, want both", byConv[2].Answers)
	}

	// Lists hold answered responses only, newest answer first, filtered
	// and paged.
	write(t, db, func(tx kesher.Tx) error {
		return tx.SaveSurveyAnswers(ctx, r3.ID, []kesher.SurveyAnswer{{Question: "speed", Score: 5, Source: kesher.AnswerFromLink, AnsweredAt: at(300)}}, at(300))
	})
	for _, tc := range []struct {
		name string
		f    kesher.SurveyResponseFilter
		want []string
	}{
		{"all", kesher.SurveyResponseFilter{}, []string{r3.ID, r1.ID}},
		{"agent", kesher.SurveyResponseFilter{AgentID: "agent-2"}, []string{}},
		{"team and reason", kesher.SurveyResponseFilter{TeamID: "team-a", Reason: "billing", Channel: kesher.ChannelEmail}, []string{r3.ID, r1.ID}},
		{"other channel", kesher.SurveyResponseFilter{Channel: kesher.ChannelChat}, []string{}},
		{"period", kesher.SurveyResponseFilter{From: at(100), To: at(300)}, []string{r1.ID}},
		{"customer and conversation", kesher.SurveyResponseFilter{CustomerID: cust.ID, ConversationID: conv.ID, SurveyID: kesher.DefaultSurveyID}, []string{r3.ID, r1.ID}},
	} {
		got := allPages(t, 1, func(p kesher.Page) ([]*kesher.SurveyResponse, string, error) {
			tc.f.Page = p
			return db.SurveyResponses(ctx, tc.f)
		})
		if diff := cmp.Diff(tc.want, ids(got, func(r *kesher.SurveyResponse) string { return r.ID })); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
