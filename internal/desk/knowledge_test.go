package desk_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func TestKnowledge(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *fixture, w *watcher)
		}{
			{"editors write, agents read published articles", testKnowledgeRoles},
			{"an article's life: drafts, publication, revisions, restore, audit", testArticleLife},
			{"validation reports every field and changes nothing", testArticleValidation},
			{"slugs: Hebrew, made from titles, unique per language", testSlugs},
			{"translations link the two languages", testTranslations},
			{"categories and sections", testCategories},
			{"images are sniffed, bounded and stored once", testImages},
			{"the help centre shows only public published articles", testHelpVisibility},
			{"feedback counts once per visitor", testHelpFeedback},
			{"the contact form opens a web conversation", testHelpContact},
			{"deflection: sessions that end without a conversation", testDeflection},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f, w := liveFixture(t, open(t))
				tc.run(t, f, w)
			})
		}
	})
}

// kbSection makes a category with one section as the lead and returns the
// section.
func kbSection(t *testing.T, f *fixture) *kesher.ArticleSection {
	t.Helper()
	c, err := f.desk.SaveArticleCategory(f.asLead, "", desk.CategoryInput{Name: kesher.Names{He: "החזרות וזיכויים", En: "Returns and refunds"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.desk.SaveArticleSection(f.asLead, "", desk.CategoryInput{CategoryID: c.ID, Name: kesher.Names{He: "מדיניות", En: "Policy"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// publicArticle creates a public, published Hebrew article in section as
// the lead.
func publicArticle(t *testing.T, f *fixture, section, title, body string) *kesher.Article {
	t.Helper()
	a, err := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: title, Body: body, SectionID: section,
		Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// kbEvents returns the types of the published events that are about
// articles, in order.
func kbEvents(w *watcher) []string {
	var types []string
	for _, b := range w.published() {
		for _, typ := range b {
			if strings.HasPrefix(typ, "article.") {
				types = append(types, typ)
			}
		}
	}
	return types
}

func testKnowledgeRoles(t *testing.T, f *fixture, w *watcher) {
	_, err := f.desk.SaveArticleCategory(f.asAgent, "", desk.CategoryInput{Name: kesher.Names{He: "משלוחים"}})
	wantCode(t, err, kesher.ECodeForbidden)
	s := kbSection(t, f)
	_, err = f.desk.CreateArticle(f.asAgent, desk.ArticleInput{Language: "he", Title: "נוהל זיכוי"})
	wantCode(t, err, kesher.ECodeForbidden)
	policy, err := f.desk.CreateArticle(f.asAdmin, desk.ArticleInput{Language: "he", Title: "נוהל זיכוי ללקוח עסקי",
		Body: "זיכוי מעל 500 ₪ באישור ראש צוות.", State: kesher.ArticlePublished})
	if err != nil || policy.Visibility != kesher.VisibilityInternal {
		t.Fatalf("an internal policy: %+v, %v", policy, err)
	}
	draft, err := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "טיוטה של מדיניות", SectionID: s.ID})
	if err != nil || draft.State != kesher.ArticleDraft {
		t.Fatalf("a draft: %+v, %v", draft, err)
	}

	// Agents read the published internal article; drafts do not exist for them.
	if got, err := f.desk.Article(f.asAgent, policy.ID); err != nil || got.Body != policy.Body {
		t.Errorf("an agent reading a published internal article: %v, %v", got, err)
	}
	_, err = f.desk.Article(f.asAgent, draft.ID)
	wantCode(t, err, kesher.ECodeNotFound)
	list, _, err := f.desk.Articles(f.asAgent, kesher.ArticleFilter{})
	if err != nil || len(list) != 1 || list[0].ID != policy.ID {
		t.Errorf("an agent's list: %d articles, %v; want the published one", len(list), err)
	}
	_, _, err = f.desk.Articles(f.asAgent, kesher.ArticleFilter{State: kesher.ArticleDraft})
	wantCode(t, err, kesher.ECodeForbidden)
	if list, _, err := f.desk.Articles(f.asLead, kesher.ArticleFilter{}); err != nil || len(list) != 2 {
		t.Errorf("a lead's list: %d articles, %v; want both", len(list), err)
	}

	// Writing, history, previews and images are the editors'.
	_, err = f.desk.UpdateArticle(f.asAgent, policy.ID, desk.ArticleUpdate{Title: ptr("x")})
	wantCode(t, err, kesher.ECodeForbidden)
	err = f.desk.DeleteArticle(f.asAgent, policy.ID)
	wantCode(t, err, kesher.ECodeForbidden)
	_, _, err = f.desk.ArticleRevisions(f.asAgent, policy.ID, kesher.Page{})
	wantCode(t, err, kesher.ECodeForbidden)
	_, err = f.desk.RestoreArticleRevision(f.asAgent, policy.ID, 1)
	wantCode(t, err, kesher.ECodeForbidden)
	_, err = f.desk.PreviewArticle(f.asAgent, "# x")
	wantCode(t, err, kesher.ECodeForbidden)
	_, err = f.desk.UploadArticleImage(f.asAgent, "x.png", []byte("\x89PNG\r\n\x1a\nxx"))
	wantCode(t, err, kesher.ECodeForbidden)
	_, err = f.desk.HelpStats(f.asAgent, time.Time{}, time.Time{})
	wantCode(t, err, kesher.ECodeForbidden)
	if got, err := f.desk.Article(f.asAgent, policy.ID); err != nil || got.Title != policy.Title {
		t.Errorf("the refused update changed the article: %v, %v", got, err)
	}
}

func testArticleLife(t *testing.T, f *fixture, w *watcher) {
	s := kbSection(t, f)
	a, err := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "  איך מחזירים מוצר  ", Body: "אפשר **להחזיר מוצר** תוך 14 יום.",
		SectionID: s.ID, Visibility: kesher.VisibilityPublic})
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "איך מחזירים מוצר" || a.Slug != "איך-מחזירים-מוצר" || a.Revision != 1 || a.GroupID != a.ID || a.CreatedBy != f.lead.ID ||
		a.CategoryID != s.CategoryID || !strings.Contains(a.BodyHTML, "<strong>להחזיר מוצר</strong>") || !a.PublishedAt.IsZero() {
		t.Errorf("created %+v", a)
	}

	// Publishing is a change of state: an event, no new revision.
	f.clock.Advance(time.Minute)
	a, err = f.desk.UpdateArticle(f.asLead, a.ID, desk.ArticleUpdate{State: ptr(kesher.ArticlePublished)})
	if err != nil || a.Revision != 1 || !a.PublishedAt.Equal(f.clock.Now()) {
		t.Fatalf("publish: %+v, %v", a, err)
	}
	// A change of body keeps a revision, by whoever saved it.
	f.clock.Advance(time.Minute)
	a, err = f.desk.UpdateArticle(f.asAdmin, a.ID, desk.ArticleUpdate{Body: ptr("אפשר להחזיר מוצר תוך **30** יום."), Summary: ptr("החזרות עד 30 יום")})
	if err != nil || a.Revision != 2 || a.UpdatedBy != f.admin.ID || !strings.Contains(a.BodyHTML, "<strong>30</strong>") {
		t.Fatalf("edit: %+v, %v", a, err)
	}
	// Saving what is there already changes nothing.
	if same, err := f.desk.UpdateArticle(f.asLead, a.ID, desk.ArticleUpdate{Body: ptr(a.Body), Title: ptr(a.Title)}); err != nil || same.Revision != 2 || !same.UpdatedAt.Equal(a.UpdatedAt) {
		t.Errorf("an empty save: %+v, %v", same, err)
	}

	revs, _, err := f.desk.ArticleRevisions(f.asLead, a.ID, kesher.Page{})
	if err != nil || len(revs) != 2 || revs[0].Number != 2 || revs[0].AuthorID != f.admin.ID || revs[1].AuthorID != f.lead.ID ||
		!strings.Contains(revs[1].Body, "14 יום") || revs[0].Summary != "החזרות עד 30 יום" {
		t.Fatalf("revisions %+v, %v", revs, err)
	}
	// Restoring the first makes a third, which says where it came from.
	f.clock.Advance(time.Minute)
	a, err = f.desk.RestoreArticleRevision(f.asLead, a.ID, 1)
	if err != nil || a.Revision != 3 || !strings.Contains(a.Body, "14 יום") || a.Summary != "" || !strings.Contains(a.BodyHTML, "<strong>להחזיר מוצר</strong>") {
		t.Fatalf("restore: %+v, %v", a, err)
	}
	r3, err := f.desk.ArticleRevision(f.asLead, a.ID, 3)
	if err != nil || r3.RestoredFrom != 1 || r3.Body != a.Body || r3.AuthorID != f.lead.ID {
		t.Errorf("the restoring revision %+v, %v", r3, err)
	}
	_, err = f.desk.RestoreArticleRevision(f.asLead, a.ID, 9)
	wantCode(t, err, kesher.ECodeNotFound)

	a, err = f.desk.UpdateArticle(f.asLead, a.ID, desk.ArticleUpdate{State: ptr(kesher.ArticleDraft)})
	if err != nil || a.State != kesher.ArticleDraft {
		t.Fatalf("unpublish: %+v, %v", a, err)
	}
	if err := f.desk.DeleteArticle(f.asLead, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.desk.Article(f.asLead, a.ID)
	wantCode(t, err, kesher.ECodeNotFound)
	want := []string{desk.EventArticleCreated, desk.EventArticleUpdated, desk.EventArticlePublished, desk.EventArticleUpdated,
		desk.EventArticleUpdated, desk.EventArticleUpdated, desk.EventArticleUnpublished, desk.EventArticleDeleted}
	if got := kbEvents(w); !slices.Equal(got, want) {
		t.Errorf("audit events %v, want %v", got, want)
	}
}

func testArticleValidation(t *testing.T, f *fixture, w *watcher) {
	s := kbSection(t, f)
	_, err := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "fr", Title: strings.Repeat("א", 301), Slug: "Bad Slug!",
		Summary: strings.Repeat("x", 501), Visibility: "everyone", State: "maybe", Position: -1, SectionID: "nowhere"})
	wantCode(t, err, kesher.ECodeValidation)
	fields := err.(*kesher.Error).Fields
	for _, name := range []string{"language", "title", "slug", "summary", "visibility", "state", "position"} {
		if fields[name] == "" {
			t.Errorf("validation does not name %q: %v", name, fields)
		}
	}
	_, err = f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "מדור שאינו קיים", SectionID: "nowhere"})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["section_id"] != "unknown" {
		t.Errorf("an unknown section: %v", err)
	}
	// A public published article needs a section and a body.
	_, err = f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "ריק", Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["section_id"] != "required" || e.Fields["body"] != "required" {
		t.Errorf("a public article without section or body: %v", err)
	}
	_, err = f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "ארוך", Body: strings.Repeat("x", desk.MaxArticleBody+1)})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["body"] != "too_long" {
		t.Errorf("a body over the limit: %v", err)
	}
	if list, _, err := f.desk.Articles(f.asLead, kesher.ArticleFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("refused articles were created: %d, %v", len(list), err)
	}
	a := publicArticle(t, f, s.ID, "משלוח חינם", "משלוח חינם מעל 300 ₪.")
	_, err = f.desk.UpdateArticle(f.asLead, a.ID, desk.ArticleUpdate{Title: ptr(" "), SectionID: ptr(""), Body: ptr("אחר")})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["title"] != "required" || e.Fields["section_id"] != "required" {
		t.Errorf("an update that empties title and section of a public article: %v", err)
	}
	got, _ := f.desk.Article(f.asLead, a.ID)
	if got.Title != a.Title || got.Body != a.Body || got.Revision != 1 {
		t.Errorf("a refused update changed the article: %+v", got)
	}
	revs, _, _ := f.desk.ArticleRevisions(f.asLead, a.ID, kesher.Page{})
	if len(revs) != 1 {
		t.Errorf("a refused update left %d revisions, want 1", len(revs))
	}
	_, _, err = f.desk.Articles(f.asAgent, kesher.ArticleFilter{Language: "de"})
	wantCode(t, err, kesher.ECodeValidation)
}

func testSlugs(t *testing.T, f *fixture, w *watcher) {
	mk := func(lang, title, slug string) (*kesher.Article, error) {
		return f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: lang, Title: title, Slug: slug})
	}
	for _, tt := range []struct{ lang, title, slug, want string }{
		{"he", "מְדִינִיּוּת הַחְזָרוֹת", "", "מדיניות-החזרות"},
		{"he", "מדיניות החזרות", "", "מדיניות-החזרות-2"},
		{"he", "מדיניות: החזרות!", "", "מדיניות-החזרות-3"},
		{"en", "Return Policy (2026)", "", "return-policy-2026"},
		{"en", "Another", "  Return-Policy-Old ", "return-policy-old"},
		{"en", "מדיניות החזרות", "", "מדיניות-החזרות"},
	} {
		a, err := mk(tt.lang, tt.title, tt.slug)
		if err != nil || a.Slug != tt.want {
			t.Errorf("%s %q slug %q: %v, %v; want %q", tt.lang, tt.title, tt.slug, a, err, tt.want)
		}
	}
	_, err := mk("en", "Taken", "return-policy-2026")
	if e, ok := err.(*kesher.Error); !ok || e.Fields["slug"] != "taken" {
		t.Errorf("a taken explicit slug: %v", err)
	}
	for _, bad := range []string{"two--hyphens", "-start", "space here", "slash/x"} {
		if _, err := mk("en", "x", bad); kesher.ErrorCode(err) != kesher.ECodeValidation {
			t.Errorf("slug %q: %v, want validation", bad, err)
		}
	}
	if _, err := mk("he", "?!", ""); err == nil || err.(*kesher.Error).Fields["slug"] != "required" {
		t.Errorf("a title without letters gives no slug: %v", err)
	}
	long, err := mk("en", strings.Repeat("word ", 40), "")
	if err != nil || len([]rune(long.Slug)) > 80 || strings.HasSuffix(long.Slug, "-") {
		t.Errorf("a slug made of a long title: %q, %v", long.Slug, err)
	}
}

func testTranslations(t *testing.T, f *fixture, w *watcher) {
	s := kbSection(t, f)
	he := publicArticle(t, f, s.ID, "מדיניות החזרות", "אפשר להחזיר מוצר תוך 14 יום.")
	en, err := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "en", Title: "Return policy", Body: "Return within 14 days.",
		SectionID: s.ID, Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished, TranslationOf: he.ID})
	if err != nil || en.GroupID != he.GroupID {
		t.Fatalf("the English version: %+v, %v", en, err)
	}
	if tr, err := f.desk.Translations(f.asAgent, he); err != nil || len(tr) != 1 || tr[0].ID != en.ID {
		t.Errorf("Translations of the Hebrew version: %v, %v", tr, err)
	}
	_, err = f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "en", Title: "Second English", TranslationOf: he.ID})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["translation_of"] != "taken" {
		t.Errorf("a second English version: %v", err)
	}
	_, err = f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "עוד עברית", TranslationOf: he.ID})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["translation_of"] != "same_language" {
		t.Errorf("a second Hebrew version: %v", err)
	}
	_, err = f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "en", Title: "Orphan", TranslationOf: "nothing"})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["translation_of"] != "unknown" {
		t.Errorf("an unknown translation: %v", err)
	}
	// Unlinking the Hebrew version, whose id names the group, leaves the
	// English one alone in the old group and the Hebrew one in a new one.
	he, err = f.desk.UpdateArticle(f.asLead, he.ID, desk.ArticleUpdate{TranslationOf: ptr("")})
	if err != nil || he.GroupID == en.GroupID {
		t.Fatalf("unlink: %+v, %v", he, err)
	}
	if tr, _ := f.desk.Translations(f.asLead, en); len(tr) != 0 {
		t.Errorf("after unlinking the English version has translations %v", tr)
	}
	he, err = f.desk.UpdateArticle(f.asLead, he.ID, desk.ArticleUpdate{TranslationOf: ptr(en.ID)})
	if err != nil || he.GroupID != en.GroupID {
		t.Errorf("link again: %+v, %v", he, err)
	}
}

func testCategories(t *testing.T, f *fixture, w *watcher) {
	_, err := f.desk.SaveArticleCategory(f.asLead, "", desk.CategoryInput{Name: kesher.Names{He: " "}, Position: -3})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["name"] != "required" || e.Fields["position"] != "invalid" {
		t.Errorf("a category without a name: %v", err)
	}
	later, _ := f.desk.SaveArticleCategory(f.asLead, "", desk.CategoryInput{Name: kesher.Names{He: "חשבון", En: "Account"}, Position: 5})
	first, _ := f.desk.SaveArticleCategory(f.asAdmin, "", desk.CategoryInput{Name: kesher.Names{En: "Ordering"}, Position: 1})
	cats, err := f.desk.ArticleCategories(f.asAgent)
	if err != nil || len(cats) != 2 || cats[0].ID != first.ID || cats[0].Name.In("he") != "Ordering" {
		t.Errorf("categories by position %+v, %v", cats, err)
	}
	_, err = f.desk.SaveArticleSection(f.asLead, "", desk.CategoryInput{CategoryID: "nothing", Name: kesher.Names{He: "x"}})
	if e, ok := err.(*kesher.Error); !ok || e.Fields["category_id"] != "unknown" {
		t.Errorf("a section of an unknown category: %v", err)
	}
	sec, err := f.desk.SaveArticleSection(f.asLead, "", desk.CategoryInput{CategoryID: later.ID, Name: kesher.Names{He: "סיסמה", En: "Password"}})
	if err != nil {
		t.Fatal(err)
	}
	// Moving a section moves its articles' category.
	a, _ := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "איפוס סיסמה", SectionID: sec.ID})
	if _, err := f.desk.SaveArticleSection(f.asLead, sec.ID, desk.CategoryInput{CategoryID: first.ID, Name: sec.Name}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.desk.Article(f.asLead, a.ID); got.CategoryID != first.ID {
		t.Errorf("after moving its section the article is in category %s, want %s", got.CategoryID, first.ID)
	}
	wantCode(t, f.desk.DeleteArticleCategory(f.asLead, first.ID), kesher.ECodeConflict)
	wantCode(t, f.desk.DeleteArticleSection(f.asLead, sec.ID), kesher.ECodeConflict)
	wantCode(t, f.desk.DeleteArticleSection(f.asAgent, sec.ID), kesher.ECodeForbidden)
	if err := f.desk.DeleteArticle(f.asLead, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.DeleteArticleSection(f.asLead, sec.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.DeleteArticleCategory(f.asLead, first.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.desk.DeleteArticleCategory(f.asLead, first.ID), kesher.ECodeNotFound)
}

func testImages(t *testing.T, f *fixture, w *watcher) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	webp := append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), make([]byte, 20)...)
	for _, tt := range []struct {
		name string
		data []byte
		typ  string
	}{
		{"תרשים.png", png, "image/png"},
		{"photo.jpg", []byte("\xff\xd8\xff\xe0JFIF"), "image/jpeg"},
		{"a.gif", []byte("GIF89a......"), "image/gif"},
		{"b.webp", webp, "image/webp"},
	} {
		img, err := f.desk.UploadArticleImage(f.asLead, tt.name, tt.data)
		if err != nil || img.ContentType != tt.typ || img.Size != len(tt.data) || len(img.SHA256) != 64 {
			t.Errorf("upload %s: %+v, %v", tt.name, img, err)
			continue
		}
		got, data, err := f.desk.ArticleImage(context.Background(), img.SHA256)
		if err != nil || got.ContentType != tt.typ || string(data) != string(tt.data) {
			t.Errorf("read back %s: %+v, %d bytes, %v", tt.name, got, len(data), err)
		}
	}
	// The name the client gives says nothing: a script named .png is refused.
	for _, bad := range [][]byte{[]byte("<svg onload=alert(1)>"), []byte("<html><script>"), nil} {
		_, err := f.desk.UploadArticleImage(f.asLead, "evil.png", bad)
		wantCode(t, err, kesher.ECodeValidation)
	}
	_, err := f.desk.UploadArticleImage(f.asLead, "big.png", append(png, make([]byte, desk.MaxImageBytes)...))
	wantCode(t, err, kesher.ECodeTooLarge)
	// Only article images are served: a blob of mail is not one.
	_, _, err = f.desk.ArticleImage(context.Background(), strings.Repeat("0", 64))
	wantCode(t, err, kesher.ECodeNotFound)
}

func testHelpVisibility(t *testing.T, f *fixture, w *watcher) {
	s := kbSection(t, f)
	public := publicArticle(t, f, s.ID, "מדיניות החזרות", "אפשר להחזיר מוצר תוך 14 יום.")
	internal, _ := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "נוהל פנימי", Body: "רק לנציגים", SectionID: s.ID,
		State: kesher.ArticlePublished})
	draft, _ := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "he", Title: "טיוטה ציבורית", Body: "עוד לא", SectionID: s.ID,
		Visibility: kesher.VisibilityPublic})
	en, _ := f.desk.CreateArticle(f.asLead, desk.ArticleInput{Language: "en", Title: "Return policy draft", Body: "Not yet", SectionID: s.ID,
		Visibility: kesher.VisibilityPublic, TranslationOf: public.ID})
	anon := context.Background()

	if p, err := f.desk.HelpArticle(anon, "he", public.Slug); err != nil || p.Article.ID != public.ID || p.Section.ID != s.ID || p.Category == nil || len(p.Translations) != 0 {
		t.Errorf("the public article: %+v, %v (its English draft is no translation yet)", p, err)
	}
	for _, a := range []*kesher.Article{internal, draft, en} {
		// Signed in or not, the help centre never shows them.
		for _, ctx := range []context.Context{anon, f.asAdmin} {
			_, err := f.desk.HelpArticle(ctx, a.Language, a.Slug)
			wantCode(t, err, kesher.ECodeNotFound)
		}
	}
	_, err := f.desk.HelpArticle(anon, "en", public.Slug)
	wantCode(t, err, kesher.ECodeNotFound)
	cats, err := f.desk.HelpCategories(anon, "he", 5)
	if err != nil || len(cats) != 1 || len(cats[0].Sections) != 1 || cats[0].Sections[0].Count != 1 || cats[0].Sections[0].Articles[0].ID != public.ID {
		t.Fatalf("the Hebrew home: %+v, %v", cats, err)
	}
	if cats, err := f.desk.HelpCategories(anon, "en", 5); err != nil || len(cats) != 0 {
		t.Errorf("the English home lists %d categories, want none (nothing is public in English)", len(cats))
	}
	sec, cat, err := f.desk.HelpSection(anon, "he", s.ID)
	if err != nil || cat.ID != s.CategoryID || sec.Count != 1 {
		t.Errorf("the section page: %+v, %v", sec, err)
	}
	if err := f.desk.HelpFeedback(anon, 42, draft.ID, true); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("feedback on a draft: %v, want not found", err)
	}
	// Published, the English version is public and a translation.
	if _, err := f.desk.UpdateArticle(f.asLead, en.ID, desk.ArticleUpdate{State: ptr(kesher.ArticlePublished)}); err != nil {
		t.Fatal(err)
	}
	if p, err := f.desk.HelpArticle(anon, "he", public.Slug); err != nil || len(p.Translations) != 1 || p.Translations[0].ID != en.ID {
		t.Errorf("after publishing the English version: %+v, %v", p, err)
	}
	if all, err := f.desk.HelpSitemap(anon, 100); err != nil || len(all) != 2 {
		t.Errorf("the sitemap lists %d articles, %v; want the two public versions", len(all), err)
	}
}

func testHelpFeedback(t *testing.T, f *fixture, w *watcher) {
	s := kbSection(t, f)
	a := publicArticle(t, f, s.ID, "זמני משלוח", "עד 3 ימי עסקים.")
	anon := context.Background()
	for _, fb := range []struct {
		v       kesher.VisitorID
		helpful bool
	}{{1, true}, {2, true}, {2, false}, {3, false}, {1, true}} {
		if err := f.desk.HelpFeedback(anon, fb.v, a.ID, fb.helpful); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := f.desk.ArticleFeedback(f.asLead, a.ID); err != nil || got != (kesher.Feedback{Helpful: 1, NotHelpful: 2}) {
		t.Errorf("feedback counts %+v, %v; want one helpful and two not", got, err)
	}
	_, err := f.desk.ArticleFeedback(f.asAgent, a.ID)
	wantCode(t, err, kesher.ECodeForbidden)
	wantCode(t, f.desk.HelpFeedback(anon, 0, a.ID, true), kesher.ECodeValidation)
}

func testHelpContact(t *testing.T, f *fixture, w *watcher) {
	anon := context.Background()
	_, err := f.desk.SubmitHelpContact(anon, desk.HelpContact{Language: "he", Email: "not an email", Message: strings.Repeat("א", desk.MaxContactMessage+1)})
	wantCode(t, err, kesher.ECodeValidation)
	fields := err.(*kesher.Error).Fields
	if fields["name"] != "required" || fields["email"] != "invalid" || fields["subject"] != "required" || fields["message"] != "too_long" {
		t.Errorf("validation fields %v", fields)
	}
	if list, _, _ := f.desk.Conversations(f.asAdmin, kesher.ConversationFilter{}); len(list) != 0 {
		t.Fatalf("a refused contact created %d conversations", len(list))
	}
	// Signed in or not, intake runs as the system: the customer wrote.
	for i, ctx := range []context.Context{anon, f.asAgent} {
		conv, err := f.desk.SubmitHelpContact(ctx, desk.HelpContact{Visitor: 99, Language: "he", Name: "נועה ברק", Email: "Noa@Example.com",
			Subject: "החזרת מוצר", Message: "קניתי מעיל ורוצה להחזיר אותו"})
		if err != nil {
			t.Fatal(err)
		}
		if conv.Channel != kesher.ChannelWeb || conv.Subject != "החזרת מוצר" || conv.Status != kesher.StatusOpen {
			t.Errorf("conversation %+v", conv)
		}
		cust, err := f.store.CustomerByIdentity(anon, kesher.IdentityEmail, "noa@example.com")
		if err != nil || cust.ID != conv.CustomerID || cust.Name != "נועה ברק" || cust.Language != "he" {
			t.Errorf("customer %+v, %v", cust, err)
		}
		msgs, _, _ := f.desk.Messages(f.asAdmin, conv.ID, kesher.Page{})
		if len(msgs) != 1 || msgs[0].Direction != kesher.Inbound || msgs[0].AuthorType != kesher.AuthorCustomer {
			t.Errorf("contact %d: messages %+v", i, msgs)
		}
	}
	st, err := f.desk.HelpStats(f.asLead, time.Time{}, f.clock.Now().Add(time.Second))
	if err != nil || st.Contacts != 2 {
		t.Errorf("contacts in the statistics: %+v, %v", st, err)
	}
}

func testDeflection(t *testing.T, f *fixture, w *watcher) {
	s := kbSection(t, f)
	ret := publicArticle(t, f, s.ID, "מדיניות החזרות", "אפשר להחזיר מוצר תוך 14 יום.")
	ship := publicArticle(t, f, s.ID, "זמני משלוח", "עד 3 ימי עסקים.")
	anon := context.Background()
	start := f.clock.Now()
	at := func(d time.Duration) { f.clock.Set(start.Add(d)) }
	view := func(v kesher.VisitorID, a *kesher.Article) {
		t.Helper()
		if err := f.desk.RecordHelpView(anon, v, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	contact := func(v kesher.VisitorID) {
		t.Helper()
		_, err := f.desk.SubmitHelpContact(anon, desk.HelpContact{Visitor: v, Language: "he", Name: "לקוח", Email: "c@example.com", Subject: "שאלה", Message: "עדיין לא הבנתי"})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Visitor 1 reads two articles and leaves: deflected.
	at(0)
	view(1, ret)
	at(5 * time.Minute)
	view(1, ship)
	// Visitor 2 searches, reads, and writes to us an hour later: not deflected.
	at(10 * time.Minute)
	if err := f.desk.RecordHelpSearch(anon, desk.HelpSearch{Visitor: 2, Query: "  איך   מחזירים ", Results: 0}); err != nil {
		t.Fatal(err)
	}
	view(2, ret)
	at(70 * time.Minute)
	contact(2)
	// Visitor 3 comes twice, a day apart; the second session is followed
	// by a contact two days later, outside the window: both deflected.
	at(2 * time.Hour)
	view(3, ret)
	at(26 * time.Hour)
	view(3, ret)
	at(74 * time.Hour)
	contact(3)
	// Visitor 4 reads just now: too recent to tell.
	at(100 * time.Hour)
	view(4, ship)
	wantCode(t, f.desk.RecordHelpSearch(anon, desk.HelpSearch{Visitor: 2, Query: "   "}), kesher.ECodeValidation)

	f.clock.Set(start.Add(101 * time.Hour))
	st, err := f.desk.HelpStats(f.asLead, start.Add(-time.Hour), start.Add(101*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.Views != 6 || st.Searches != 1 || st.SearchesWithoutResults != 1 || st.Contacts != 2 || st.Sessions != 5 ||
		st.DeflectedSessions != 3 || st.PendingSessions != 1 || st.DeflectionRate != 0.75 || st.Window != kesher.Seconds(24*time.Hour) {
		t.Errorf("stats %+v; want 6 views, 1 search without results, 2 contacts, 5 sessions: 3 deflected, 1 pending, rate 0.75", st)
	}
	byID := map[string]kesher.ArticleStats{}
	for _, a := range st.Articles {
		byID[a.ArticleID] = a
	}
	if r := byID[ret.ID]; r.Views != 4 || r.Sessions != 4 || r.Deflected != 3 || r.Title != ret.Title || st.Articles[0].ArticleID != ret.ID {
		t.Errorf("the return policy's stats %+v (first %s)", r, st.Articles[0].ArticleID)
	}
	// A period that starts in the middle of visitor 1's session does not
	// count it as a session of its own.
	st, err = f.desk.HelpStats(f.asLead, start.Add(3*time.Minute), start.Add(time.Hour))
	if err != nil || st.Sessions != 1 || st.Views != 2 {
		t.Errorf("from the middle of a session: %+v, %v; want only visitor 2's session", st, err)
	}
	_, err = f.desk.HelpStats(f.asLead, start, start.Add(-time.Hour))
	wantCode(t, err, kesher.ECodeValidation)
}
