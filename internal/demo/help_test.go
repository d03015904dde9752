package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// TestFillHelpCentre checks the demo's knowledge base: a bilingual help
// centre of at least 25 public articles in both languages, the agents'
// internal procedures, a draft, and a month of visitors whose sessions
// mostly end without a conversation.
func TestFillHelpCentre(t *testing.T) {
	db := open(t)
	sum := fill(t, db, 1)
	ctx := context.Background()
	d := desk.New(desk.Config{Store: db, Clock: fixedClock{now}})
	count := func(f kesher.ArticleFilter) int {
		n, err := db.CountArticles(ctx, f, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	public := kesher.ArticleFilter{Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished}
	public.Language = "he"
	he := count(public)
	public.Language = "en"
	en := count(public)
	internal := count(kesher.ArticleFilter{Visibility: kesher.VisibilityInternal})
	drafts := count(kesher.ArticleFilter{State: kesher.ArticleDraft})
	if he < 25 || en < 25 || internal < 4 || drafts < 1 || sum.Articles != he+en+internal+drafts {
		t.Errorf("articles: %d Hebrew and %d English public ones, %d internal, %d drafts, summary %d", he, en, internal, drafts, sum.Articles)
	}
	cats, err := d.HelpCategories(ctx, "he", 5)
	if err != nil || len(cats) < 5 {
		t.Fatalf("the Hebrew help centre has %d categories, %v; want at least 5", len(cats), err)
	}
	for _, c := range cats {
		if c.Name.He == "" || c.Name.En == "" || len(c.Sections) == 0 {
			t.Errorf("category %+v lacks a name in a language or sections", c.ArticleCategory)
		}
	}
	// The return policy speaks of returning a product in every form a
	// customer searches for, and its English version is linked to it.
	p, err := d.HelpArticle(ctx, "he", "מדיניות-החזרות")
	if err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{"החזרה", "החזרות", "להחזיר מוצר"} {
		if !strings.Contains(p.Article.Title+p.Article.Body, word) {
			t.Errorf("the return policy does not say %q", word)
		}
	}
	if len(p.Translations) != 1 || p.Translations[0].Slug != "return-policy" || p.Article.Revision < 2 {
		t.Errorf("the return policy: translations %v, revision %d", p.Translations, p.Article.Revision)
	}
	if _, err := d.HelpArticle(ctx, "he", "נוהל-זיכוי-ופיצוי"); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("an internal procedure is in the help centre: %v", err)
	}
	st, err := d.HelpStats(ctx, now.Add(-30*24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Views < st.Sessions || st.Sessions < 80 || st.Contacts < 1 || st.DeflectionRate < 0.5 || st.DeflectionRate > 0.99 || len(st.Articles) < 10 {
		t.Errorf("help centre statistics %+v", st)
	}
	t.Logf("help centre: %d he, %d en, %d internal, %d drafts; %d sessions, %d views, %d contacts, deflection %.2f",
		he, en, internal, drafts, st.Sessions, st.Views, st.Contacts, st.DeflectionRate)
}

// fixedClock stands still at the demo's now.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
