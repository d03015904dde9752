package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// pngImage is the start of a PNG file: enough for the desk to know one.
const pngImage = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"

// withKnowledge makes, as the system, a category {kbcategory} with a
// section {kbsection} and a published public Hebrew article {article}.
func withKnowledge(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	c, err := f.desk.SaveArticleCategory(ctx, "", desk.CategoryInput{Name: kesher.Names{He: "החזרות וזיכויים", En: "Returns and refunds"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.desk.SaveArticleSection(ctx, "", desk.CategoryInput{CategoryID: c.ID, Name: kesher.Names{He: "מדיניות", En: "Policy"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.desk.CreateArticle(ctx, desk.ArticleInput{Language: "he", Title: "מדיניות החזרות", Body: "אפשר **להחזיר מוצר** תוך 14 יום.",
		SectionID: s.ID, Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished})
	if err != nil {
		t.Fatal(err)
	}
	f.vars["kbcategory"], f.vars["kbsection"], f.vars["article"] = c.ID, s.ID, a.ID
}

// systemArticle creates an internal draft as the system.
func (f *fixture) systemArticle(t *testing.T, title string) *kesher.Article {
	t.Helper()
	a, err := f.desk.CreateArticle(context.Background(), desk.ArticleInput{Language: "he", Title: title})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// article is an article answer as the tests read it.
type article struct {
	kesher.Article
	Translations []struct {
		ID, Language, Slug string
	} `json:"translations"`
}

func (f *fixture) countArticles() int {
	f.t.Helper()
	n, err := f.store.CountArticles(context.Background(), kesher.ArticleFilter{}, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func wantArticleCount(n int) func(t *testing.T, f *fixture, res response) {
	return func(t *testing.T, f *fixture, res response) {
		if got := f.countArticles(); got != n {
			t.Errorf("articles = %d, want %d", got, n)
		}
	}
}

func TestKnowledgeScenarios(t *testing.T) {
	const articles = "/api/v1/articles"
	draft := func(t *testing.T, f *fixture) {
		withKnowledge(t, f)
		a, err := f.desk.CreateArticle(context.Background(), desk.ArticleInput{Language: "he", Title: "טיוטת מדיניות משלוחים", Body: "בקרוב"})
		if err != nil {
			t.Fatal(err)
		}
		f.vars["draft"] = a.ID
	}
	scenarios := []scenario{
		{
			name:   "create a Hebrew article: the body is rendered safely, the slug made from the title",
			setup:  withKnowledge,
			req:    request{method: "POST", path: articles, as: "lead", body: `{"language": "he", "title": "איך מחזירים מוצר?", "body": "## החזרה\n\nממלאים טופס <script>alert(1)</script> ושולחים.", "section_id": "{kbsection}", "visibility": "public", "state": "published"}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var a article
				res.decode(t, &a)
				if a.Slug != "איך-מחזירים-מוצר" || a.Revision != 1 || a.CategoryID != f.vars["kbcategory"] || a.Translations == nil ||
					!strings.Contains(a.BodyHTML, "<h2>החזרה</h2>") || strings.Contains(a.BodyHTML, "<script") {
					t.Errorf("created %+v", a)
				}
				var got article
				f.must(request{method: "GET", path: articles + "/" + a.ID, as: "agent"}, http.StatusOK, &got)
				if got.Title != "איך מחזירים מוצר?" || got.Body != a.Body {
					t.Errorf("read back %+v", got)
				}
			},
		},
		{
			name:   "bad input names every field and creates nothing",
			setup:  withKnowledge,
			req:    request{method: "POST", path: articles, as: "lead", body: `{"language": "fr", "title": "", "visibility": "everyone", "state": "soon", "section_id": "nowhere"}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"language", "title", "visibility", "state"},
			check: wantArticleCount(1),
		},
		{
			name:   "an unknown field is invalid JSON",
			req:    request{method: "POST", path: articles, as: "lead", body: `{"language": "he", "title": "x", "tags": ["a"]}`},
			status: http.StatusBadRequest, code: kesher.ECodeInvalidJSON,
			check: wantArticleCount(0),
		},
		{
			name:   "a wrong type names its field",
			req:    request{method: "POST", path: articles, as: "lead", body: `{"language": "he", "title": "x", "position": "first"}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"position"},
		},
		{
			name:   "agents do not write articles",
			setup:  withKnowledge,
			req:    request{method: "POST", path: articles, as: "agent", body: `{"language": "he", "title": "נוהל"}`},
			status: http.StatusForbidden, code: kesher.ECodeForbidden,
			check: wantArticleCount(1),
		},
		{
			name:   "publishing a public article without a section is refused and changes nothing",
			setup:  draft,
			req:    request{method: "PATCH", path: articles + "/{draft}", as: "lead", body: `{"visibility": "public", "state": "published", "title": "מדיניות משלוחים"}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"section_id"},
			check: func(t *testing.T, f *fixture, res response) {
				a, err := f.store.Article(context.Background(), f.vars["draft"])
				if err != nil || a.State != kesher.ArticleDraft || a.Title != "טיוטת מדיניות משלוחים" || a.Revision != 1 {
					t.Errorf("after a refused update: %+v, %v", a, err)
				}
			},
		},
		{
			name:   "a draft does not exist for agents",
			setup:  draft,
			req:    request{method: "GET", path: articles + "/{draft}", as: "agent"},
			status: http.StatusNotFound, code: kesher.ECodeNotFound,
			check: func(t *testing.T, f *fixture, res response) {
				items, _ := list[kesher.Article](f, "agent", articles)
				if len(items) != 1 || items[0].ID != f.vars["article"] {
					t.Errorf("an agent's list has %d articles, want only the published one", len(items))
				}
				items, _ = list[kesher.Article](f, "lead", articles+"?state=draft")
				if len(items) != 1 || items[0].ID != f.vars["draft"] {
					t.Errorf("a lead's drafts: %d", len(items))
				}
				wantError(t, f.do(request{method: "GET", path: articles + "?state=draft", as: "agent"}), http.StatusForbidden, kesher.ECodeForbidden)
				wantError(t, f.do(request{method: "GET", path: articles + "?visibility=everyone", as: "agent"}), http.StatusUnprocessableEntity, kesher.ECodeValidation)
			},
		},
		{
			name:   "list filters: language, visibility, category",
			setup:  draft,
			req:    request{method: "GET", path: articles + "?visibility=public&category={kbcategory}&language=he", as: "lead"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []kesher.Article }
				res.decode(t, &page)
				if len(page.Items) != 1 || page.Items[0].ID != f.vars["article"] {
					t.Errorf("filtered list %+v", page.Items)
				}
				if items, _ := list[kesher.Article](f, "lead", articles+"?language=en"); len(items) != 0 {
					t.Errorf("English articles: %d, want none", len(items))
				}
			},
		},
		{
			name:   "edits keep revisions; restoring one is a new revision",
			setup:  withKnowledge,
			req:    request{method: "PATCH", path: articles + "/{article}", as: "admin", body: `{"body": "אפשר להחזיר מוצר תוך **30** יום.", "summary": "עד 30 יום"}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var a article
				if res.decode(t, &a); a.Revision != 2 || !strings.Contains(a.BodyHTML, "<strong>30</strong>") {
					t.Errorf("after the edit %+v", a)
				}
				revs, next := list[kesher.ArticleRevision](f, "lead", articles+"/{article}/revisions?limit=1")
				if len(revs) != 1 || revs[0].Number != 2 || revs[0].AuthorID != f.users["admin"].ID || next == "" {
					t.Errorf("first page of revisions %+v, next %q", revs, next)
				}
				var r1 kesher.ArticleRevision
				f.must(request{method: "GET", path: articles + "/{article}/revisions/1", as: "lead"}, http.StatusOK, &r1)
				if !strings.Contains(r1.Body, "14 יום") {
					t.Errorf("revision 1 %+v", r1)
				}
				f.must(request{method: "POST", path: articles + "/{article}/revisions/1/restore", as: "lead"}, http.StatusOK, &a)
				if a.Revision != 3 || a.Body != r1.Body || a.Summary != "" {
					t.Errorf("after restoring revision 1 %+v", a.Article)
				}
				wantError(t, f.do(request{method: "GET", path: articles + "/{article}/revisions/abc", as: "lead"}), http.StatusNotFound, kesher.ECodeNotFound)
				wantError(t, f.do(request{method: "POST", path: articles + "/{article}/revisions/2/restore", as: "lead", body: `{"x": 1}`}), http.StatusBadRequest, kesher.ECodeInvalidJSON)
				wantError(t, f.do(request{method: "GET", path: articles + "/{article}/revisions", as: "agent"}), http.StatusForbidden, kesher.ECodeForbidden)
			},
		},
		{
			name:   "a retried POST with its Idempotency-Key creates one article",
			setup:  withKnowledge,
			req:    request{method: "POST", path: articles, as: "lead", body: `{"language": "en", "title": "Delivery times"}`, header: map[string]string{"Idempotency-Key": "kb-1"}},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				again := f.do(request{method: "POST", path: articles, as: "lead", body: `{"language": "en", "title": "Delivery times"}`, header: map[string]string{"Idempotency-Key": "kb-1"}})
				if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(res.body) {
					t.Errorf("retry: %d %s", again.status, again.body)
				}
				wantArticleCount(2)(t, f, res)
			},
		},
		{
			name:   "the English version joins the Hebrew one's translation group",
			setup:  withKnowledge,
			req:    request{method: "POST", path: articles, as: "lead", body: `{"language": "en", "title": "Return policy", "slug": "return-policy", "translation_of": "{article}"}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var en article
				res.decode(t, &en)
				if len(en.Translations) != 1 || en.Translations[0].ID != f.vars["article"] || en.Translations[0].Language != "he" {
					t.Errorf("translations of the English version %+v", en.Translations)
				}
				res = f.do(request{method: "POST", path: articles, as: "lead", body: `{"language": "en", "title": "Returns again", "translation_of": "{article}"}`})
				if e := wantError(t, res, http.StatusUnprocessableEntity, kesher.ECodeValidation); e.Error.Fields["translation_of"] != "taken" {
					t.Errorf("a second English version: %+v", e.Error)
				}
				res = f.do(request{method: "POST", path: articles, as: "lead", body: `{"language": "en", "title": "Other", "slug": "return-policy"}`})
				if e := wantError(t, res, http.StatusUnprocessableEntity, kesher.ECodeValidation); e.Error.Fields["slug"] != "taken" {
					t.Errorf("a taken slug: %+v", e.Error)
				}
				f.must(request{method: "PATCH", path: articles + "/" + en.ID, as: "lead", body: `{"translation_of": null}`}, http.StatusOK, &en)
				if len(en.Translations) != 0 {
					t.Errorf("after unlinking: %+v", en.Translations)
				}
			},
		},
		{
			name:   "categories: partial names, and a category with sections stays",
			setup:  withKnowledge,
			req:    request{method: "PATCH", path: "/api/v1/article-categories/{kbcategory}", as: "lead", body: `{"name": {"en": "Returns"}, "position": 4}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var c kesher.ArticleCategory
				if res.decode(t, &c); c.Name.He != "החזרות וזיכויים" || c.Name.En != "Returns" || c.Position != 4 {
					t.Errorf("after PATCH %+v", c)
				}
				wantError(t, f.do(request{method: "DELETE", path: "/api/v1/article-categories/{kbcategory}", as: "lead"}), http.StatusConflict, kesher.ECodeConflict)
				res = f.do(request{method: "POST", path: "/api/v1/article-categories", as: "lead", body: `{"name": {"he": " "}, "category_id": "x"}`})
				wantError(t, res, http.StatusBadRequest, kesher.ECodeInvalidJSON)
				res = f.do(request{method: "POST", path: "/api/v1/article-categories", as: "lead", body: `{"name": {"he": " "}}`})
				if e := wantError(t, res, http.StatusUnprocessableEntity, kesher.ECodeValidation); e.Error.Fields["name"] != "required" {
					t.Errorf("a nameless category: %+v", e.Error)
				}
				res = f.do(request{method: "POST", path: "/api/v1/article-sections", as: "lead", body: `{"category_id": "nothing", "name": {"he": "x"}}`})
				if e := wantError(t, res, http.StatusUnprocessableEntity, kesher.ECodeValidation); e.Error.Fields["category_id"] != "unknown" {
					t.Errorf("a section of no category: %+v", e.Error)
				}
				items, next := list[kesher.ArticleSection](f, "agent", "/api/v1/article-sections?category={kbcategory}")
				if len(items) != 1 || next != "" {
					t.Errorf("sections %+v", items)
				}
			},
		},
		{
			name:   "an uploaded image is sniffed and served by hash",
			req:    request{method: "POST", path: "/api/v1/article-images?name=" + "%D7%AA%D7%A8%D7%A9%D7%99%D7%9D.png", as: "lead", body: pngImage},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var img struct {
					kesher.ArticleImage
					URL, Markdown string
				}
				res.decode(t, &img)
				if img.ContentType != "image/png" || img.Name != "תרשים.png" || img.URL != "/kb/images/"+img.SHA256 || img.Markdown != "![תרשים]("+img.URL+")" {
					t.Errorf("uploaded %+v", img)
				}
				res = f.do(request{method: "POST", path: "/api/v1/article-images?name=x.png", as: "lead", body: "<svg onload=alert(1)></svg>"})
				if e := wantError(t, res, http.StatusUnprocessableEntity, kesher.ECodeValidation); e.Error.Fields["file"] != "not_an_image" {
					t.Errorf("an SVG named .png: %+v", e.Error)
				}
				big := pngImage + strings.Repeat("x", desk.MaxImageBytes)
				wantError(t, f.do(request{method: "POST", path: "/api/v1/article-images", as: "lead", body: big}), http.StatusRequestEntityTooLarge, kesher.ECodeTooLarge)
			},
		},
		{
			name:   "help centre statistics take dates and refuse a bad period",
			req:    request{method: "GET", path: "/api/v1/help/stats?from=yesterday&to=2026-03-01", as: "lead"},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"from"},
			check: func(t *testing.T, f *fixture, res response) {
				var st kesher.HelpStats
				f.must(request{method: "GET", path: "/api/v1/help/stats?from=2026-02-01&to=2026-03-01T00:00:00Z", as: "admin"}, http.StatusOK, &st)
				if st.Sessions != 0 || st.Articles == nil || !st.From.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("stats %+v", st)
				}
				raw := f.must(request{method: "GET", path: "/api/v1/help/stats", as: "lead"}, http.StatusOK, nil)
				if !strings.Contains(string(raw.body), `"window_seconds":86400`) || !strings.Contains(string(raw.body), `"deflection_rate":0`) {
					t.Errorf("stats JSON %s", raw.body)
				}
				wantError(t, f.do(request{method: "GET", path: "/api/v1/help/stats?from=2026-03-02&to=2026-03-01", as: "lead"}),
					http.StatusUnprocessableEntity, kesher.ECodeValidation)
			},
		},
		{
			name: "deleting an article deletes its revisions",
			setup: func(t *testing.T, f *fixture) {
				withKnowledge(t, f)
				f.must(request{method: "PATCH", path: articles + "/{article}", as: "lead", body: `{"title": "מדיניות החזרות 2026"}`}, http.StatusOK, nil)
			},
			req:    request{method: "DELETE", path: articles + "/{article}", as: "lead"},
			status: http.StatusNoContent,
			check: func(t *testing.T, f *fixture, res response) {
				wantError(t, f.do(request{method: "GET", path: articles + "/{article}", as: "lead"}), http.StatusNotFound, kesher.ECodeNotFound)
				revs, _, err := f.store.ArticleRevisions(context.Background(), f.vars["article"], kesher.Page{})
				if err != nil || len(revs) != 0 {
					t.Errorf("revisions left: %d, %v", len(revs), err)
				}
				wantArticleCount(0)(t, f, res)
			},
		},
	}
	runScenarios(t, scenarios)
}
