package desk_test

import (
	"context"
	"slices"
	"testing"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func indexAll(t *testing.T, d *desk.Desk) {
	t.Helper()
	if err := d.PrepareIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	for {
		n, err := d.IndexPending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// TestKnowledgeSearch: the help centre finds public published articles in
// its language only, by the words a customer would type ("החזרות",
// "להחזיר מוצר"), and counts finished searches; an agent's conversation is
// offered the articles that answer it, internal ones too.
func TestKnowledgeSearch(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		f := newFixture(t, open(t))
		sec := kbSection(t, f)
		returns := publicArticle(t, f, sec.ID, "מדיניות החזרות", "אפשר **להחזיר מוצר** תוך 14 יום מיום הקנייה, באריזה המקורית ועם החשבונית.")
		delivery := publicArticle(t, f, sec.ID, "זמני משלוח", "משלוח רגיל מגיע תוך 3 ימי עסקים.")
		internal, err := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "נוהל זיכוי על מוצר פגום",
			Body: "לפני זיכוי על מוצר שהוחזר פגום, לבקש תמונה.", SectionID: sec.ID, Visibility: kesher.VisibilityInternal, State: kesher.ArticlePublished})
		if err != nil {
			t.Fatal(err)
		}
		draft, err := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "החזרות בחגים (טיוטה)", Body: "להחזיר מוצר בחגים", SectionID: sec.ID})
		if err != nil {
			t.Fatal(err)
		}
		english, err := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "en", Title: "Returns policy", Body: "You can return a product within 14 days.",
			SectionID: sec.ID, Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished, TranslationOf: returns.ID})
		if err != nil {
			t.Fatal(err)
		}
		conv := f.open(t, desk.CustomerRef{Email: "shira@example.com"}, kesher.ChannelEmail, "המוצר הגיע פגום ואני רוצה להחזיר אותו")
		indexAll(t, f.desk)

		ids := func(hits []desk.HelpHit) []string {
			var out []string
			for _, h := range hits {
				out = append(out, h.Article.ID)
			}
			return out
		}
		for _, tc := range []struct {
			lang, q string
			want    []string
		}{
			{"he", "החזרות", []string{returns.ID}},
			{"he", "להחזיר מוצר", []string{returns.ID}},
			{"he", "משלוח", []string{delivery.ID}},
			{"he", "זיכוי", nil}, // the internal article is not public
			{"en", "returning", []string{english.ID}},
			{"en", "החזרות", nil},
		} {
			hits, err := f.desk.HelpSearch(context.Background(), desk.HelpSearchRequest{Language: tc.lang, Query: tc.q, Visitor: 7})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(hits); !slices.Equal(got, tc.want) {
				t.Errorf("help centre %s %q = %v, want %v", tc.lang, tc.q, got, tc.want)
			}
		}
		hits, err := f.desk.HelpSearch(context.Background(), desk.HelpSearchRequest{Language: "he", Query: "להחז", Typing: true, Visitor: 7})
		if err != nil || len(hits) == 0 || hits[0].Article.ID != returns.ID {
			t.Errorf("as you type: %v, %v", ids(hits), err)
		}
		_, err = f.desk.HelpSearch(context.Background(), desk.HelpSearchRequest{Language: "he", Query: string(make([]byte, 600))})
		wantCode(t, err, kesher.ECodeValidation)

		stats, err := f.desk.HelpStats(f.asLead, f.clock.Now().AddDate(0, 0, -1), f.clock.Now().AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if stats.Searches != 6 {
			t.Errorf("recorded %d searches, want the 6 finished ones", stats.Searches)
		}

		got, err := f.desk.SuggestArticles(f.asAgent, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < 2 || !slices.Contains(ids(got), returns.ID) || !slices.Contains(ids(got), internal.ID) || slices.Contains(ids(got), draft.ID) {
			t.Errorf("suggested %v; want the returns policy and the internal procedure, no draft", ids(got))
		}
		_, err = f.desk.SuggestArticles(f.asAgent, "nope")
		wantCode(t, err, kesher.ECodeNotFound)
	})
}
