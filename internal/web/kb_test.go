package web

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// kbFixture adds to the fixture a category with one section and three
// Hebrew articles made by the lead: a public published one, an internal
// published policy and a public draft.
type kbFixture struct {
	*fixture
	section                 *kesher.ArticleSection
	public, internal, draft *kesher.Article
}

func newKBFixture(t *testing.T) *kbFixture {
	t.Helper()
	f := &kbFixture{fixture: newFixture(t)}
	lead := kesher.WithActor(context.Background(), f.lead)
	c, err := f.desk.SaveArticleCategory(lead, "", desk.CategoryInput{Name: kesher.Names{He: "החזרות וזיכויים", En: "Returns and refunds"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.section, err = f.desk.SaveArticleSection(lead, "", desk.CategoryInput{CategoryID: c.ID, Name: kesher.Names{He: "מדיניות", En: "Policy"}}); err != nil {
		t.Fatal(err)
	}
	mk := func(in desk.ArticleInput) *kesher.Article {
		in.SectionID = f.section.ID
		a, err := f.desk.CreateArticle(lead, in)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	f.public = mk(desk.ArticleInput{Language: "he", Title: "מדיניות החזרות", Summary: "איך מחזירים מוצר ומתי מקבלים זיכוי",
		Body: "אפשר **להחזיר מוצר** תוך 14 יום מיום המסירה.\n\n## החזרה בדואר\n\nשולחים את המוצר באריזה המקורית.", Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished})
	f.internal = mk(desk.ArticleInput{Language: "he", Title: "נוהל זיכוי ללקוח עסקי", Body: "זיכוי מעל 500 ₪ באישור ראש צוות.", State: kesher.ArticlePublished})
	f.draft = mk(desk.ArticleInput{Language: "he", Title: "טיוטת מדיניות משלוחים", Body: "בקרוב", Visibility: kesher.VisibilityPublic})
	return f
}

func TestKnowledgeBaseAgent(t *testing.T) {
	f := newKBFixture(t)
	he := i18n.New("he", nil)
	dana := f.signedIn(t, f.agent)
	_, body := dana.get("/inbox")
	if !strings.Contains(body, `<a href="/kb">`+he.T("nav.kb")+`</a>`) {
		t.Errorf("the navigation has no knowledge base link")
	}
	res, body := dana.get("/kb")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `aria-current="page">`+he.T("nav.kb")) {
		t.Fatalf("/kb: status %d", res.StatusCode)
	}
	for _, a := range []*kesher.Article{f.public, f.internal} {
		if !strings.Contains(body, `href="/kb/articles/`+a.ID+`"`) {
			t.Errorf("an agent's list lacks the published article %q", a.Title)
		}
	}
	if strings.Contains(body, f.draft.ID) || strings.Contains(body, `href="/kb/new"`) || strings.Contains(body, `name="state"`) {
		t.Errorf("an agent's list shows a draft, the new-article button or the state filter")
	}
	_, body = dana.get("/kb?visibility=internal")
	if !strings.Contains(body, f.internal.ID) || strings.Contains(body, `href="/kb/articles/`+f.public.ID+`"`) {
		t.Errorf("the visibility filter does not keep only the internal article")
	}
	res, body = dana.get("/kb/articles/" + f.public.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<article class="article-body card" lang="he" dir="rtl"><p>אפשר <strong>להחזיר מוצר</strong>`) ||
		!strings.Contains(body, `href="/help/he/articles/`+url.PathEscape(f.public.Slug)+`"`) {
		t.Errorf("the article page: status %d, or no rendered body and help-centre link", res.StatusCode)
	}
	if strings.Contains(body, "/edit") || strings.Contains(body, "data-feedback") {
		t.Errorf("an agent sees the editor's links or the feedback counts")
	}
	for _, path := range []string{"/kb/articles/" + f.draft.ID, "/kb/articles/nothing"} {
		if res, _ := dana.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s as an agent: status %d, want 404", path, res.StatusCode)
		}
	}
	for _, path := range []string{"/kb/new", "/kb/stats", "/kb/categories", "/kb/articles/" + f.public.ID + "/edit", "/kb/articles/" + f.public.ID + "/revisions"} {
		if res, _ := dana.get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s as an agent: status %d, want 403", path, res.StatusCode)
		}
	}
	if res, _ := dana.post("/kb", url.Values{"language": {"he"}, "title": {"ניסיון"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an agent creating an article: status %d, want 403", res.StatusCode)
	}

	// In English the list is left to right and the Hebrew titles keep theirs.
	if _, err := f.desk.SetPreferences(kesher.WithActor(context.Background(), f.agent), "en", f.agent.TimeZone); err != nil {
		t.Fatal(err)
	}
	_, body = dana.get("/kb")
	if !strings.Contains(body, `<html lang="en" dir="ltr">`) || !strings.Contains(body, `lang="he" dir="rtl">מדיניות החזרות</a>`) ||
		!strings.Contains(body, "<h1>"+i18n.New("en", nil).T("kb.title")+"</h1>") {
		t.Errorf("the English list is not LTR with RTL Hebrew titles")
	}
}

func TestKnowledgeBaseEditor(t *testing.T) {
	f := newKBFixture(t)
	he := i18n.New("he", nil)
	ronit := f.signedIn(t, f.lead)
	res, body := ronit.get("/kb/new")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-preview="#preview"`) || !strings.Contains(body, `data-kb-upload="#body"`) ||
		!strings.Contains(body, `<option value="`+f.section.ID+`">מדיניות</option>`) {
		t.Fatalf("/kb/new: status %d, or no preview, upload or section choice", res.StatusCode)
	}

	// A refused article comes back with the reasons beside the fields and
	// what was typed; nothing is created.
	res, body = ronit.post("/kb", url.Values{"language": {"he"}, "title": {""}, "body": {"טקסט שנשמר בטופס"}, "visibility": {"public"}, "state": {"published"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<div class="error" id="title-error">`+he.T("field.required")) ||
		!strings.Contains(body, `id="section_id-error"`) || !strings.Contains(body, "טקסט שנשמר בטופס") {
		t.Errorf("a refused article: status %d, or no errors beside title and section", res.StatusCode)
	}
	if list, _, _ := f.desk.Articles(kesher.WithActor(context.Background(), f.lead), kesher.ArticleFilter{}); len(list) != 3 {
		t.Errorf("a refused article was created: %d articles", len(list))
	}
	// Preview without the script: the form again, rendered, nothing saved.
	res, body = ronit.post("/kb", url.Values{"action": {"preview"}, "language": {"he"}, "title": {"תצוגה"}, "body": {"## כותרת\n\n<script>alert(1)</script>טקסט"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<h2>כותרת</h2>") || strings.Contains(body, "<script>alert") {
		t.Errorf("the preview button: status %d, or the preview is missing or unsafe", res.StatusCode)
	}

	res, _ = ronit.post("/kb", url.Values{"language": {"he"}, "title": {"זמני משלוח"}, "body": {"משלוח עד **3 ימי עסקים**."},
		"section_id": {f.section.ID}, "visibility": {"public"}, "state": {"published"}, "position": {"2"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/kb/articles/") {
		t.Fatalf("create: status %d to %q", res.StatusCode, loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/kb/articles/"), "?saved=1")
	_, body = ronit.get(loc)
	if !strings.Contains(body, he.T("kb.saved")) || !strings.Contains(body, "<strong>3 ימי עסקים</strong>") || !strings.Contains(body, "data-feedback") {
		t.Errorf("the new article's page lacks the notice, the body or the feedback counts")
	}
	a, err := f.desk.Article(kesher.WithActor(context.Background(), f.lead), id)
	if err != nil || a.Slug != "זמני-משלוח" || a.Position != 2 || a.State != kesher.ArticlePublished {
		t.Fatalf("created %+v, %v", a, err)
	}
	// The editor shows the stored article; a change of body is revision 2.
	_, body = ronit.get("/kb/articles/" + id + "/edit")
	if !strings.Contains(body, `value="זמני משלוח"`) || !strings.Contains(body, "משלוח עד **3 ימי עסקים**.</textarea>") {
		t.Errorf("the editor does not show the stored article")
	}
	form := url.Values{"title": {"זמני משלוח"}, "slug": {a.Slug}, "body": {"משלוח עד **4 ימי עסקים**.\r\n\r\nבאילת עד שבוע."}, "section_id": {f.section.ID},
		"visibility": {"public"}, "state": {"published"}, "position": {"2"}, "translation_of": {""}}
	if res, _ := ronit.post("/kb/articles/"+id, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: status %d", res.StatusCode)
	}
	if a, _ = f.desk.Article(kesher.WithActor(context.Background(), f.lead), id); a.Revision != 2 || strings.Contains(a.Body, "\r") {
		t.Errorf("after saving: revision %d, body %q", a.Revision, a.Body)
	}
	_, body = ronit.get("/kb/articles/" + id + "/revisions")
	if !strings.Contains(body, `data-revision="2" class="current"`) || !strings.Contains(body, `/kb/articles/`+id+`/revisions/1/restore`) {
		t.Errorf("the revisions page does not list both with a restore for the first")
	}
	_, body = ronit.get("/kb/articles/" + id + "/revisions/1")
	if !strings.Contains(body, "<strong>3 ימי עסקים</strong>") {
		t.Errorf("revision 1 does not show its body")
	}
	res, _ = ronit.post("/kb/articles/"+id+"/revisions/1/restore", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: status %d", res.StatusCode)
	}
	if a, _ = f.desk.Article(kesher.WithActor(context.Background(), f.lead), id); a.Revision != 3 || !strings.Contains(a.Body, "3 ימי עסקים") {
		t.Errorf("after restoring: %+v", a)
	}

	// The English version: the link from the Hebrew one fills the editor.
	_, body = ronit.get("/kb/new?translation_of=" + id)
	if !strings.Contains(body, `<option value="en" selected lang="en">`) || !strings.Contains(body, `<option value="`+id+`" selected lang="he" dir="rtl">זמני משלוח</option>`) {
		t.Errorf("the translation's editor is not in English, linked to the Hebrew version")
	}
	res, _ = ronit.post("/kb", url.Values{"language": {"en"}, "title": {"Delivery times"}, "body": {"Up to 3 business days."}, "section_id": {f.section.ID},
		"visibility": {"public"}, "state": {"published"}, "translation_of": {id}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the English version: status %d", res.StatusCode)
	}
	_, body = ronit.get("/kb/articles/" + id)
	if !strings.Contains(body, he.T("kb.read_in.en")) {
		t.Errorf("the Hebrew version does not link its English one")
	}

	if res, _ := ronit.post("/kb/articles/"+id+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: status %d", res.StatusCode)
	}
	if _, err := f.desk.Article(kesher.WithActor(context.Background(), f.lead), id); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("the deleted article: %v", err)
	}
}

func TestKnowledgeBasePreviewAndImages(t *testing.T) {
	f := newKBFixture(t)
	ronit := f.signedIn(t, f.lead)
	res, body := ronit.fragment("/kb/preview", url.Values{"body": {"## החזרה\n\n<img src=x onerror=alert(1)> **מהר**"}, "language": {"he"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, `<div id="preview" class="article-body kb-preview" lang="he" dir="rtl"`) ||
		!strings.Contains(body, "<h2>החזרה</h2>") || !strings.Contains(body, "<strong>מהר</strong>") || strings.Contains(body, "onerror") {
		t.Errorf("the preview fragment: status %d, %s", res.StatusCode, body)
	}
	if res, _ := f.signedIn(t, f.agent).fragment("/kb/preview", url.Values{"body": {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an agent's preview: status %d, want 403", res.StatusCode)
	}

	upload := func(c *client, name string, data []byte, script bool) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("csrf", c.csrf)
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/kb/images", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if script {
			req.Header.Set("X-Fragment", "1")
		}
		return c.do(req)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...)
	res, body = upload(ronit, "תרשים החזרה.png", png, true)
	var out struct{ Markdown, URL, Error string }
	if err := json.Unmarshal([]byte(body), &out); err != nil || res.StatusCode != http.StatusOK || out.Markdown != "![תרשים החזרה]("+out.URL+")" ||
		!strings.HasPrefix(out.URL, kesher.ImagePathPrefix) {
		t.Fatalf("upload: status %d, %s", res.StatusCode, body)
	}
	// Anyone fetches it, for a year, as the type its bytes say.
	anon := f.client(t)
	res, got := anon.get(out.URL)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || got != string(png) ||
		res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the image: status %d, type %q, cache %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	if res, _ := anon.get(kesher.ImagePathPrefix + strings.Repeat("ab", 32)); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown image: status %d", res.StatusCode)
	}
	res, body = upload(ronit, "evil.png", []byte("<svg onload=alert(1)>"), true)
	if json.Unmarshal([]byte(body), &out); res.StatusCode != http.StatusUnprocessableEntity || out.Error != i18n.New("he", nil).T("field.not_an_image") {
		t.Errorf("an SVG named .png: status %d, %s", res.StatusCode, body)
	}
	// Without the script the answer is a page with the Markdown to copy.
	res, body = upload(ronit, "photo.gif", []byte("GIF89a...."), false)
	if res.StatusCode != http.StatusCreated || !strings.Contains(body, `<code dir="ltr" class="copyable">![photo](`+kesher.ImagePathPrefix) {
		t.Errorf("an upload without the script: status %d", res.StatusCode)
	}
	res, _ = upload(ronit, "big.png", append(png, make([]byte, desk.MaxImageBytes)...), true)
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an image over the limit: status %d, want 413", res.StatusCode)
	}
	if res, _ := upload(f.signedIn(t, f.agent), "a.png", png, true); res.StatusCode != http.StatusForbidden {
		t.Errorf("an agent's upload: status %d, want 403", res.StatusCode)
	}
}

func TestKnowledgeBaseCategoriesAndStats(t *testing.T) {
	f := newKBFixture(t)
	he := i18n.New("he", nil)
	ronit := f.signedIn(t, f.lead)
	_, body := ronit.get("/kb/categories")
	if !strings.Contains(body, "החזרות וזיכויים") || !strings.Contains(body, `data-section="`+f.section.ID+`"`) {
		t.Errorf("the categories page does not list the category and its section")
	}
	res, body := ronit.post("/kb/categories", url.Values{"name.he": {" "}, "name.en": {""}, "position": {"1"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<div class="error" id="name-error">`+he.T("field.required")) {
		t.Errorf("a nameless category: status %d", res.StatusCode)
	}
	if res, _ := ronit.post("/kb/categories", url.Values{"name.he": {"משלוחים"}, "name.en": {"Delivery"}, "position": {"0"}}); res.Header.Get("Location") != "/kb/categories?saved=1" {
		t.Errorf("a new category: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	cats, _ := f.desk.ArticleCategories(kesher.WithActor(context.Background(), f.lead))
	if len(cats) != 2 || cats[1].Name.He != "משלוחים" || cats[1].Name.En != "Delivery" {
		t.Fatalf("categories after adding one: %d, the new one %+v", len(cats), cats[len(cats)-1])
	}
	cats = cats[1:]
	if res, _ := ronit.post("/kb/sections", url.Values{"category_id": {cats[0].ID}, "name.he": {"זמני משלוח"}, "name.en": {"Delivery times"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a new section: status %d", res.StatusCode)
	}
	// A category with sections stays, and the page says why.
	res, body = ronit.post("/kb/categories/"+cats[0].ID+"/delete", nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `<div class="alert error" role="alert" data-problem>`+he.T("kb.categories.delete_hint")) {
		t.Errorf("deleting a category with sections: status %d, want 409 with the reason", res.StatusCode)
	}

	// The statistics count what visitors did.
	anon := context.Background()
	if err := f.desk.RecordHelpView(anon, 7, f.public.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.desk.HelpFeedback(anon, 7, f.public.ID, true); err != nil {
		t.Fatal(err)
	}
	res, body = ronit.get("/kb/stats")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-stat="views">1<`) || !strings.Contains(body, `data-stat="sessions">1<`) ||
		!strings.Contains(body, `data-article="`+f.public.ID+`"`) {
		t.Errorf("the statistics page: status %d, or it does not count the view", res.StatusCode)
	}
	if res, body := ronit.get("/kb/stats?from=yesterday"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="from-error"`) {
		t.Errorf("a bad date: status %d", res.StatusCode)
	}
}
