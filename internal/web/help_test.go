package web

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
	"kesher/internal/testkit"
)

// helpPathOf is the escaped path of an article in the help centre.
func helpPathOf(a *kesher.Article) string {
	return "/help/" + a.Language + "/articles/" + url.PathEscape(a.Slug)
}

// conversations counts every conversation, as the system.
func (f *fixture) conversations(t *testing.T) []*kesher.Conversation {
	t.Helper()
	list, _, err := f.desk.Conversations(context.Background(), kesher.ConversationFilter{Page: kesher.Page{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestHelpCentrePages(t *testing.T) {
	f := newKBFixture(t)
	he, en := i18n.New("he", nil), i18n.New("en", nil)
	lead := kesher.WithActor(context.Background(), f.lead)
	_, err := f.desk.CreateArticle(lead, desk.ArticleInput{Language: "en", Title: "Return policy", Slug: "return-policy",
		Body: "You can **return a product** within 14 days.", SectionID: f.section.ID, Visibility: kesher.VisibilityPublic,
		State: kesher.ArticlePublished, TranslationOf: f.public.ID})
	if err != nil {
		t.Fatal(err)
	}
	v := f.client(t)
	v.lang = "en-GB,en;q=0.8"
	if res, _ := v.get("/help"); res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/help/en" {
		t.Errorf("/help in an English browser: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := v.get("/help/he/"); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/help/he" {
		t.Errorf("/help/he/: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	// The home, in Hebrew right to left and in English left to right, each
	// with the other as its alternate. No sign-in needed.
	res, body := v.get("/help/he")
	base := f.srv.URL
	for _, want := range []string{`<html lang="he" dir="rtl">`, "<title>" + he.T("help.home.title") + " · " + he.T("help.name") + "</title>",
		`<meta name="description" content="` + he.T("help.home.description") + `">`, `<link rel="canonical" href="` + base + `/help/he">`,
		`<link rel="alternate" hreflang="en" href="` + base + `/help/en">`, `href="` + helpPathOf(f.public) + `"`, `action="/help/he/search"`,
		`<a href="/help/en" lang="en" hreflang="en" data-lang-switch>English</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the Hebrew home (status %d) lacks %s", res.StatusCode, want)
		}
	}
	for _, hidden := range []*kesher.Article{f.internal, f.draft} {
		if strings.Contains(body, hidden.Title) {
			t.Errorf("the home shows %q, which is not public and published", hidden.Title)
		}
	}
	if strings.Contains(body, `class="nav"`) || strings.Contains(body, "/inbox") {
		t.Errorf("the help centre shows the agent desk's navigation")
	}
	var visitor *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == visitorCookie {
			visitor = c
		}
	}
	if visitor == nil || !visitor.HttpOnly || visitor.Path != "/help" || visitor.MaxAge < 300*24*3600 {
		t.Errorf("visitor cookie %+v: want an HttpOnly cookie on /help for a year", visitor)
	}
	_, body = v.get("/help/en")
	if !strings.Contains(body, `<html lang="en" dir="ltr">`) || !strings.Contains(body, `href="/help/en/articles/return-policy"`) ||
		!strings.Contains(body, "<h1>"+en.T("help.home.heading")+"</h1>") || strings.Contains(body, f.public.Title) {
		t.Errorf("the English home is not English, LTR, listing only the English article")
	}

	// The article: head for search engines, the other language offered.
	res, body = v.get(helpPathOf(f.public))
	for _, want := range []string{`<title>מדיניות החזרות · ` + he.T("help.name") + `</title>`,
		`<meta name="description" content="איך מחזירים מוצר ומתי מקבלים זיכוי">`,
		`<link rel="canonical" href="` + base + helpPathOf(f.public) + `">`,
		`<link rel="alternate" hreflang="en" href="` + base + "/help/en/articles/return-policy" + `">`,
		`<a href="/help/en/articles/return-policy" lang="en" hreflang="en" data-lang-switch>`,
		"<h2>החזרה בדואר</h2>", `<section id="feedback"`, `<li><a href="/help/he/categories/`} {
		if !strings.Contains(body, want) {
			t.Errorf("the article page (status %d) lacks %s", res.StatusCode, want)
		}
	}
	_, body = v.get("/help/en/articles/return-policy")
	if !strings.Contains(body, `<meta name="description" content="You can return a product within 14 days.">`) {
		t.Errorf("an article without a summary is described by its first paragraph")
	}
	res, body = v.get("/help/he/sections/" + f.section.ID)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "מדיניות החזרות") || strings.Contains(body, f.draft.Title) {
		t.Errorf("the section page: status %d", res.StatusCode)
	}
	res, body = v.get("/help/en/categories/" + f.section.CategoryID)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Returns and refunds</h1>") || !strings.Contains(body, "Return policy") {
		t.Errorf("the English category page: status %d", res.StatusCode)
	}

	// Drafts and internal articles do not exist here, signed in or not; nor
	// does a language the centre does not speak. The 404 is the help
	// centre's own page.
	agent := f.signedIn(t, f.admin)
	for _, c := range []*client{v, agent} {
		for _, path := range []string{helpPathOf(f.internal), helpPathOf(f.draft), "/help/he/articles/" + url.PathEscape("אין-כזה"),
			"/help/en/articles/" + url.PathEscape(f.public.Slug), "/help/fr", "/help/fr/contact", "/help/he/sections/nothing"} {
			res, body := c.get(path)
			if res.StatusCode != http.StatusNotFound || !strings.Contains(body, `<body class="help">`) || strings.Contains(body, "נוהל זיכוי") {
				t.Errorf("%s: status %d, want the help centre's 404", path, res.StatusCode)
			}
		}
	}
	// Publishing makes the draft appear; withdrawing hides it again.
	published := kesher.ArticlePublished
	if _, err := f.desk.UpdateArticle(lead, f.draft.ID, desk.ArticleUpdate{State: &published}); err != nil {
		t.Fatal(err)
	}
	if res, _ := v.get(helpPathOf(f.draft)); res.StatusCode != http.StatusOK {
		t.Errorf("the draft once published: status %d", res.StatusCode)
	}
	internal := kesher.VisibilityInternal
	if _, err := f.desk.UpdateArticle(lead, f.draft.ID, desk.ArticleUpdate{Visibility: &internal}); err != nil {
		t.Fatal(err)
	}
	if res, _ := v.get(helpPathOf(f.draft)); res.StatusCode != http.StatusNotFound {
		t.Errorf("an article made internal: status %d, want 404", res.StatusCode)
	}

	// The sitemap lists the public articles with their alternates, and
	// robots.txt points to it and keeps crawlers out of the desk.
	res, body = v.get("/help/sitemap.xml")
	var sm struct {
		URLs []struct {
			Loc   string `xml:"loc"`
			Links []struct {
				HrefLang string `xml:"hreflang,attr"`
				Href     string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(body), &sm); err != nil || res.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Fatalf("sitemap: %v, type %q", err, res.Header.Get("Content-Type"))
	}
	locs := map[string]int{}
	for _, u := range sm.URLs {
		locs[u.Loc] = len(u.Links)
	}
	if len(sm.URLs) != 4 || locs[base+helpPathOf(f.public)] != 2 || locs[base+"/help/en/articles/return-policy"] != 2 || locs[base+"/help/he"] != 2 {
		t.Errorf("sitemap URLs %v", locs)
	}
	if strings.Contains(body, url.PathEscape(f.internal.Slug)) || strings.Contains(body, url.PathEscape(f.draft.Slug)) {
		t.Errorf("the sitemap lists an article that is not public")
	}
	_, body = v.get("/robots.txt")
	if !strings.Contains(body, "Allow: /help/") || !strings.Contains(body, "Disallow: /\n") || !strings.Contains(body, "Sitemap: "+base+"/help/sitemap.xml") {
		t.Errorf("robots.txt:\n%s", body)
	}
}

func TestHelpCentrePublicURL(t *testing.T) {
	f := newKBFixture(t)
	w, err := New(Config{Desk: f.desk, PublicURL: "https://help.noga.co.il/"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = newServer(t, w)
	_, body := f.client(t).get(helpPathOf(f.public))
	if !strings.Contains(body, `<link rel="canonical" href="https://help.noga.co.il`+helpPathOf(f.public)+`">`) {
		t.Errorf("with --public-url the canonical link is not on the public address")
	}
}

func TestHelpCentreViewsAndFeedback(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	f := &kbFixture{fixture: newFixtureAt(t, clock)}
	lead := kesher.WithActor(context.Background(), f.lead)
	c, _ := f.desk.SaveArticleCategory(lead, "", desk.CategoryInput{Name: kesher.Names{He: "משלוחים", En: "Delivery"}})
	s, _ := f.desk.SaveArticleSection(lead, "", desk.CategoryInput{CategoryID: c.ID, Name: kesher.Names{He: "זמני משלוח"}})
	a, err := f.desk.CreateArticle(lead, desk.ArticleInput{Language: "he", Title: "זמני משלוח", Body: "עד 3 ימי עסקים.", SectionID: s.ID,
		Visibility: kesher.VisibilityPublic, State: kesher.ArticlePublished})
	if err != nil {
		t.Fatal(err)
	}
	path := helpPathOf(a)
	stats := func() *kesher.HelpStats {
		t.Helper()
		st, err := f.desk.HelpStats(lead, clock.Now().Add(-time.Hour), clock.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	v := f.client(t)
	v.get(path)
	v.get(path) // a reload is the same view
	if st := stats(); st.Views != 1 || st.Sessions != 1 {
		t.Errorf("after a view and a reload: %d views, %d sessions; want 1 and 1", st.Views, st.Sessions)
	}
	clock.Advance(viewWindow + time.Minute)
	v.get(path)
	if st := stats(); st.Views != 2 {
		t.Errorf("a view after the window: %d views, want 2", st.Views)
	}
	// Agents reading the help centre and crawlers are not visitors.
	f.signedIn(t, f.agent).get(path)
	bot := f.client(t)
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1)")
	bot.do(req)
	if st := stats(); st.Views != 2 || st.Sessions != 2 {
		t.Errorf("after an agent's and a crawler's views: %d views, %d sessions; want the visitor's 2 and 2 (half an hour apart)", st.Views, st.Sessions)
	}

	// "Did this help?": once per visitor, a second answer replaces the first.
	res, body := v.fragment(path+"/feedback", url.Values{"helpful": {"no"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, `<section id="feedback"`) || !strings.Contains(body, "data-feedback-thanks") ||
		!strings.Contains(body, `value="no" aria-pressed="true"`) {
		t.Errorf("the feedback fragment: status %d, %s", res.StatusCode, body)
	}
	res, _ = v.post(path+"/feedback", url.Values{"helpful": {"yes"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"#feedback" {
		t.Errorf("feedback without the script: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = v.get(path)
	if !strings.Contains(body, `value="yes" aria-pressed="true"`) || !strings.Contains(body, i18n.New("he", nil).T("help.feedback.thanks_yes")) {
		t.Errorf("the article does not show the visitor's answer")
	}
	other := f.client(t)
	other.get(path)
	other.post(path+"/feedback", url.Values{"helpful": {"yes"}})
	if fb, _ := f.desk.ArticleFeedback(lead, a.ID); fb != (kesher.Feedback{Helpful: 2}) {
		t.Errorf("feedback counts %+v; want two visitors who found it helpful", fb)
	}
	if res, _ := other.post(path+"/feedback", url.Values{"helpful": {"maybe"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an answer that is neither yes nor no: status %d", res.StatusCode)
	}
	if res, _ := other.post(path+"/feedback", url.Values{"helpful": {"yes"}, "csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("feedback with a forged token: status %d", res.StatusCode)
	}
	// A visitor who keeps answering is limited.
	var last int
	for range feedbackPerVisitor + 1 {
		res, _ := v.fragment(path+"/feedback", url.Values{"helpful": {"yes"}})
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("answer %d of a visitor in an hour: status %d, want 429", feedbackPerVisitor+1, last)
	}
}

func TestHelpCentreContact(t *testing.T) {
	f := newKBFixture(t)
	he := i18n.New("he", nil)
	v := f.client(t)
	res, body := v.get("/help/he/contact")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="website"`) || !strings.Contains(body, `class="trap" aria-hidden="true"`) ||
		!strings.Contains(body, `<input type="hidden" name="csrf"`) {
		t.Fatalf("the contact page: status %d, or no trap field or token", res.StatusCode)
	}
	good := url.Values{"name": {"נועה ברק"}, "email": {"Noa@Example.com"}, "subject": {"החזרת מעיל"}, "message": {"קניתי מעיל בהזמנה 4471 ואני רוצה להחזיר אותו."}}

	// Bad input: the reasons beside the fields, what was typed kept, and
	// nothing created.
	res, body = v.post("/help/he/contact", url.Values{"name": {""}, "email": {"noa-at-example"}, "subject": {"החזרה"}, "message": {"  "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<div class="error" id="name-error">`+he.T("field.required")) ||
		!strings.Contains(body, `<div class="error" id="email-error">`+he.T("field.invalid")) || !strings.Contains(body, `id="message-error"`) ||
		!strings.Contains(body, `value="noa-at-example"`) || strings.Contains(body, `id="subject-error"`) {
		t.Errorf("bad contact input: status %d, or the errors are not beside the fields", res.StatusCode)
	}
	if n := len(f.conversations(t)); n != 0 {
		t.Fatalf("bad input created %d conversations", n)
	}
	// A bot that fills the trap gets the usual answer and creates nothing.
	trapped := url.Values{"website": {"https://spam.example"}}
	for k, vs := range good {
		trapped[k] = vs
	}
	res, _ = v.post("/help/he/contact", trapped)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/help/he/contact?sent=1" {
		t.Errorf("the trap: status %d to %q, want the normal answer", res.StatusCode, res.Header.Get("Location"))
	}
	if n := len(f.conversations(t)); n != 0 {
		t.Fatalf("the trap created %d conversations", n)
	}
	// Without the form's token nothing is created either.
	forged := url.Values{"csrf": {"forged"}}
	for k, vs := range good {
		forged[k] = vs
	}
	if res, body := f.client(t).post("/help/he/contact", forged); res.StatusCode != http.StatusForbidden || !strings.Contains(body, `<body class="help">`) {
		t.Errorf("a post without the form's token: status %d, want the help centre's 403", res.StatusCode)
	}

	res, _ = v.post("/help/he/contact", good)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/help/he/contact?sent=1" {
		t.Fatalf("contact: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = v.get("/help/he/contact?sent=1")
	if !strings.Contains(body, he.T("help.contact.sent")) {
		t.Errorf("the sent page does not thank the visitor")
	}
	convs := f.conversations(t)
	if len(convs) != 1 || convs[0].Channel != kesher.ChannelWeb || convs[0].Subject != "החזרת מעיל" {
		t.Fatalf("conversations %+v", convs)
	}
	cust, err := f.desk.Customer(kesher.WithActor(context.Background(), f.agent), convs[0].CustomerID)
	if err != nil || cust.Name != "נועה ברק" || cust.Identities[0].Value != "noa@example.com" {
		t.Errorf("customer %+v, %v", cust, err)
	}
	// The same email twice more is fine; a fourth time in the hour is not.
	for i := range 2 {
		good.Set("subject", "עוד שאלה "+string(rune('א'+i)))
		if res, _ := v.post("/help/he/contact", good); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("contact %d: status %d", i+2, res.StatusCode)
		}
	}
	res, body = v.post("/help/he/contact", good)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, he.T("help.contact.rate_limited")) {
		t.Errorf("a fourth message from one email: status %d, want 429", res.StatusCode)
	}
	// Other emails from the same address: its limit (five posts, the
	// trap's among them) holds too.
	good.Set("email", "other@example.com")
	if res, _ := v.post("/help/he/contact", good); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a fifth post from one address: status %d, want 303", res.StatusCode)
	}
	good.Set("email", "third@example.com")
	if res, _ := v.post("/help/he/contact", good); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a sixth post from one address: status %d, want 429", res.StatusCode)
	}
	if n := len(f.conversations(t)); n != 4 {
		t.Errorf("conversations after the limits: %d, want 4", n)
	}

	// A body over the form's limit is refused before anything is read.
	big := url.Values{"name": {"x"}, "email": {"big@example.com"}, "subject": {"x"}, "message": {strings.Repeat("א", maxContactBytes)}}
	if res, body := f.client(t).post("/help/en/contact", big); res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `<html lang="en" dir="ltr">`) {
		t.Errorf("an oversized post: status %d, want the English help centre's 413", res.StatusCode)
	}
}
