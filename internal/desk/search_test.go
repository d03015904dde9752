package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/analyze"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func TestSearch(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		f := newFixture(t, open(t))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); f.desk.RunIndexer(ctx) }()
		defer func() { cancel(); <-done }()

		mine := f.open(t, desk.CustomerRef{Email: "dana@example.com", Name: "דנה"}, kesher.ChannelEmail, "שלום, ההזמנה שלי לא הגיעה עד היום")
		if _, err := f.desk.UpdateConversation(f.asAgent, mine.ID, kesher.ConversationUpdate{OwnerID: ptr(f.agent.ID)}); err != nil {
			t.Fatal(err)
		}
		other := f.open(t, desk.CustomerRef{Email: "yossi@example.com"}, kesher.ChannelWhatsApp, "מתי תגיע ההזמנה?")
		// The indexer runs in the background: the first start builds the
		// index for this analyzer, then it follows new documents.
		var hits []*desk.SearchHit
		deadline := time.Now().Add(10 * time.Second)
		for len(hits) < 2 && time.Now().Before(deadline) {
			var err error
			if hits, _, err = f.desk.Search(f.asAgent, desk.SearchRequest{Query: "הזמנה", Kinds: []kesher.SearchKind{kesher.SearchMessage}}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if len(hits) != 2 {
			t.Fatalf("the indexer did not catch up: %+v", hits)
		}
		if v, err := f.store.IndexVersion(context.Background()); err != nil || v != analyze.Version {
			t.Errorf("index version %q, %v; want %q", v, err, analyze.Version)
		}
		for _, tc := range []struct {
			name string
			req  desk.SearchRequest
			want []string // conversation ids, best first
		}{
			{"mine", desk.SearchRequest{Query: "הזמנה", Owner: "me", Kinds: []kesher.SearchKind{kesher.SearchMessage}}, []string{mine.ID}},
			{"unowned", desk.SearchRequest{Query: "הזמנה", Owner: "none", Kinds: []kesher.SearchKind{kesher.SearchMessage}}, []string{other.ID}},
			// The subject (taken from the first message) and the message.
			{"by channel", desk.SearchRequest{Query: "הזמנה", Channels: []kesher.Channel{kesher.ChannelWhatsApp}}, []string{other.ID, other.ID}},
			{"as you type", desk.SearchRequest{Query: "ההזמנה של", Typing: true}, []string{mine.ID, mine.ID}},
			// The shorter message ranks first: the same match in fewer words.
			{"a word no message has widens to the others", desk.SearchRequest{Query: "הזמנה מקלדת", Kinds: []kesher.SearchKind{kesher.SearchMessage}},
				[]string{other.ID, mine.ID}},
		} {
			hits, _, err := f.desk.Search(f.asAgent, tc.req)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.ConversationID)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("%s: conversations %v, want %v", tc.name, got, tc.want)
			}
		}
		_, _, err := f.desk.Search(context.Background(), desk.SearchRequest{Query: "הזמנה", Owner: "me"})
		wantCode(t, err, kesher.ECodeValidation)
		_, _, err = f.desk.Search(f.asAgent, desk.SearchRequest{Query: "הזמנה", Cursor: "-3"})
		wantCode(t, err, kesher.ECodeValidation)
	})
}
