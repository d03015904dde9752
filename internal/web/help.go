package web

import (
	"encoding/xml"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
	"kesher/internal/markdown"
)

// The public help centre (P6) at /help: server-rendered pages in the
// language of the URL (/help/he/… right to left, /help/en/… left to
// right) that anyone may read without signing in. Only public, published
// articles ever appear; the desk holds that rule, and anything else is the
// same 404 as a page that never existed. Each page carries what search
// engines read (title, description, canonical URL, hreflang alternates)
// and /help/sitemap.xml lists every article. Each visitor gets an
// anonymous first-party cookie id, so that the desk can tell whether a
// visit ended without a conversation (deflection).

// visitorCookie holds the help centre's anonymous visitor id: a random
// number, nothing about the person. It lives a year on /help only.
const visitorCookie = "kesher_visitor"

// Limits of the help centre's public forms, per hour. Feedback counts once
// per visitor and article anyway; these stop a flood of fresh visitor ids.
const (
	helpLimitWindow      = time.Hour
	contactPerAddress    = 5
	contactPerEmail      = 3
	feedbackPerVisitor   = 20
	feedbackPerAddress   = 60
	topArticlesOnHome    = 5
	topArticlesOnSection = 10
	// maxContactBytes bounds a post of the contact form: its message is at
	// most 10,000 characters (up to four bytes each).
	maxContactBytes = 64 << 10
	// viewWindow is how long a visitor's second view of an article counts
	// as the same view (a reload).
	viewWindow = 30 * time.Minute
)

// helpHead is what the help layout's <head> says about a page.
type helpHead struct {
	Description string
	// Canonical is the page's one absolute URL; Alternates are its
	// versions in each language, for hreflang.
	Canonical  string
	Alternates []alternate
	// Other is the page in the other language for the switcher, "" when
	// there is none (an article not translated yet).
	Other, OtherLang string
}

type alternate struct{ Lang, URL string }

// helpData is the part every help page's data shares.
type helpData struct {
	Lang   string
	Head   helpHead
	Crumbs []crumb
	// Query is what the search box shows: the search on its results page.
	Query string
}

type crumb struct{ Name, URL string }

// base is the site's root for absolute URLs: --public-url when given, else
// the address the request came to.
func (w *Web) base(r *http.Request) string {
	if w.publicURL != "" {
		return strings.TrimRight(w.publicURL, "/")
	}
	return requestOrigin(r)
}

// helpPath returns the path of a help page in lang: rest is "" for the
// home, or "categories/ID", "sections/ID", "contact".
func helpPath(lang, rest string) string {
	if rest == "" {
		return "/help/" + lang
	}
	return "/help/" + lang + "/" + rest
}

// helpArticlePath is where the help centre shows an article; a Hebrew
// slug is percent-encoded.
func helpArticlePath(a *kesher.Article) string {
	return helpPath(a.Language, "articles/"+url.PathEscape(a.Slug))
}

// helpStart prepares a help page: the language of the URL (any other is
// not found), the visitor's id, and the head of a page that exists in both
// languages at path rest.
func (w *Web) helpStart(rw http.ResponseWriter, r *http.Request, p *page, rest string) (helpData, kesher.VisitorID, error) {
	lang := r.PathValue("lang")
	if !i18n.Valid(lang) {
		return helpData{}, 0, kesher.Errorf(kesher.ECodeNotFound, "the help centre speaks he and en, not %q", lang)
	}
	p.L = i18n.New(lang, nil)
	visitor := w.visitor(rw, r)
	base := w.base(r)
	other := otherLanguage(lang)
	d := helpData{Lang: lang, Head: helpHead{Canonical: base + helpPath(lang, rest), Other: helpPath(other, rest), OtherLang: other,
		Alternates: []alternate{{"he", base + helpPath("he", rest)}, {"en", base + helpPath("en", rest)}}}}
	d.Crumbs = []crumb{{p.L.T("help.name"), helpPath(lang, "")}}
	return d, visitor, nil
}

// visitor returns the request's visitor id, giving a new visitor one.
func (w *Web) visitor(rw http.ResponseWriter, r *http.Request) kesher.VisitorID {
	if c, err := r.Cookie(visitorCookie); err == nil {
		if v, ok := kesher.ParseVisitorID(c.Value); ok {
			return v
		}
	}
	v := kesher.NewVisitorID()
	http.SetCookie(rw, &http.Cookie{Name: visitorCookie, Value: v.String(), Path: "/help", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: w.secureFor(r), SameSite: http.SameSiteLaxMode})
	return v
}

// renderHelp writes a help page in the help centre's layout.
func (w *Web) renderHelp(rw http.ResponseWriter, status int, name string, p *page) {
	w.execute(rw, status, name, "help_layout", p)
}

// helpRoot sends /help to the visitor's language: the language cookie,
// else the browser's, else Hebrew.
func (w *Web) helpRoot(rw http.ResponseWriter, r *http.Request, p *page) error {
	http.Redirect(rw, r, helpPath(localeFor(nil, r).Lang(), ""), http.StatusFound)
	return nil
}

// helpSlash sends /help/he/ to /help/he, the one URL of the home.
func (w *Web) helpSlash(rw http.ResponseWriter, r *http.Request, p *page) error {
	if !i18n.Valid(r.PathValue("lang")) {
		return kesher.Errorf(kesher.ECodeNotFound, "no such page")
	}
	http.Redirect(rw, r, helpPath(r.PathValue("lang"), ""), http.StatusMovedPermanently)
	return nil
}

// helpHomeData is the home: the categories with their sections and each
// section's first articles.
type helpHomeData struct {
	helpData
	Categories []*desk.HelpCategory
}

func (w *Web) helpHome(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, _, err := w.helpStart(rw, r, p, "")
	if err != nil {
		return err
	}
	cats, err := w.desk.HelpCategories(r.Context(), d.Lang, topArticlesOnHome)
	if err != nil {
		return err
	}
	d.Head.Description = p.L.T("help.home.description")
	d.Crumbs = nil
	p.Title, p.Data = p.L.T("help.home.title"), &helpHomeData{helpData: d, Categories: cats}
	w.renderHelp(rw, http.StatusOK, "help_home", p)
	return nil
}

// helpCategoryData is a category's page.
type helpCategoryData struct {
	helpData
	Category *desk.HelpCategory
}

func (w *Web) helpCategory(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	d, _, err := w.helpStart(rw, r, p, "categories/"+url.PathEscape(id))
	if err != nil {
		return err
	}
	c, err := w.desk.HelpCategory(r.Context(), d.Lang, id, topArticlesOnSection)
	if err != nil {
		return err
	}
	name := c.Name.In(d.Lang)
	d.Head.Description = orText(c.Description.In(d.Lang), p.L.T("help.category.description", "name", name))
	p.Title, p.Data = name, &helpCategoryData{helpData: d, Category: c}
	w.renderHelp(rw, http.StatusOK, "help_category", p)
	return nil
}

// helpSectionData is a section's page: all its articles.
type helpSectionData struct {
	helpData
	Section  *desk.HelpSection
	Category *kesher.ArticleCategory
}

func (w *Web) helpSection(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	d, _, err := w.helpStart(rw, r, p, "sections/"+url.PathEscape(id))
	if err != nil {
		return err
	}
	s, c, err := w.desk.HelpSection(r.Context(), d.Lang, id)
	if err != nil {
		return err
	}
	name := s.Name.In(d.Lang)
	d.Head.Description = orText(s.Description.In(d.Lang), p.L.T("help.section.description", "name", name))
	d.Crumbs = append(d.Crumbs, crumb{c.Name.In(d.Lang), helpPath(d.Lang, "categories/"+url.PathEscape(c.ID))})
	p.Title, p.Data = name, &helpSectionData{helpData: d, Section: s, Category: c}
	w.renderHelp(rw, http.StatusOK, "help_section", p)
	return nil
}

// helpArticleData is an article's page with the visitor's answer to "did
// this help?", if they gave one.
type helpArticleData struct {
	helpData
	Page *desk.HelpArticlePage
	Body template.HTML
	// Answered and Helpful are the visitor's answer; Problem is a
	// catalogue key shown in the feedback box (too many answers).
	Answered, Helpful bool
	Problem           string
	// FeedbackURL is where the answer is posted.
	FeedbackURL string
}

// helpArticle shows a public, published article and records the view.
func (w *Web) helpArticle(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, visitor, pg, err := w.helpArticleStart(rw, r, p)
	if err != nil {
		return err
	}
	if p.User == nil && !isBot(r.UserAgent()) {
		// A reload within the view window is the same view.
		key := "view:" + visitor.String() + ":" + pg.Article.ID
		if ok, _ := w.helpViews.allowed(key, 1); ok {
			w.helpViews.record(key)
			if err := w.desk.RecordHelpView(r.Context(), visitor, pg.Article.ID); err != nil {
				w.log.Warn("web: recording a help-centre view failed", "err", err)
			}
		}
	}
	return w.showHelpArticle(rw, r, p, http.StatusOK, d, visitor, pg, "")
}

// helpArticleStart reads the article of the URL and the head of its page:
// its hreflang alternates are its public versions.
func (w *Web) helpArticleStart(rw http.ResponseWriter, r *http.Request, p *page) (helpData, kesher.VisitorID, *desk.HelpArticlePage, error) {
	slug := r.PathValue("slug")
	d, visitor, err := w.helpStart(rw, r, p, "articles/"+url.PathEscape(slug))
	if err != nil {
		return d, 0, nil, err
	}
	pg, err := w.desk.HelpArticle(r.Context(), d.Lang, slug)
	if err != nil {
		return d, 0, nil, err
	}
	a := pg.Article
	base := w.base(r)
	d.Head.Alternates = []alternate{{a.Language, base + helpArticlePath(a)}}
	d.Head.Other = ""
	for _, t := range pg.Translations {
		d.Head.Alternates = append(d.Head.Alternates, alternate{t.Language, base + helpArticlePath(t)})
		if t.Language == d.Head.OtherLang {
			d.Head.Other = helpArticlePath(t)
		}
	}
	d.Head.Description = orText(a.Summary, markdown.Summary(a.Body, 160))
	if pg.Category != nil {
		d.Crumbs = append(d.Crumbs, crumb{pg.Category.Name.In(d.Lang), helpPath(d.Lang, "categories/"+url.PathEscape(pg.Category.ID))})
	}
	if pg.Section != nil {
		d.Crumbs = append(d.Crumbs, crumb{pg.Section.Name.In(d.Lang), helpPath(d.Lang, "sections/"+url.PathEscape(pg.Section.ID))})
	}
	p.Title = a.Title
	return d, visitor, pg, nil
}

func (w *Web) showHelpArticle(rw http.ResponseWriter, r *http.Request, p *page, status int, d helpData, visitor kesher.VisitorID, pg *desk.HelpArticlePage, problem string) error {
	data := &helpArticleData{helpData: d, Page: pg, Body: template.HTML(pg.Article.BodyHTML), Problem: problem, // sanitised when saved
		FeedbackURL: helpArticlePath(pg.Article) + "/feedback"}
	fb, err := w.desk.VisitorFeedback(r.Context(), visitor, pg.Article.ID)
	switch kesher.ErrorCode(err) {
	case "":
		data.Answered, data.Helpful = true, fb.Helpful
	case kesher.ECodeNotFound:
	default:
		return err
	}
	p.Data = data
	if p.fragment {
		w.renderFragment(rw, status, "help_article", "help-feedback", p)
		return nil
	}
	w.renderHelp(rw, status, "help_article", p)
	return nil
}

// helpFeedback records the visitor's answer to "did this help?": once per
// visitor and article (a second answer replaces the first), and no more
// than a few an hour per visitor and per address.
func (w *Web) helpFeedback(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, visitor, pg, err := w.helpArticleStart(rw, r, p)
	if err != nil {
		return err
	}
	helpful := r.PostFormValue("helpful")
	if helpful != "yes" && helpful != "no" {
		return kesher.FieldError("helpful", "invalid", "helpful is yes or no")
	}
	visitorKey, addrKey := "feedback:"+visitor.String(), "feedback-addr:"+clientAddr(r)
	okVisitor, _ := w.helpLimits.allowed(visitorKey, feedbackPerVisitor)
	okAddr, _ := w.helpLimits.allowed(addrKey, feedbackPerAddress)
	if !okVisitor || !okAddr {
		return w.showHelpArticle(rw, r, p, http.StatusTooManyRequests, d, visitor, pg, "help.feedback.rate_limited")
	}
	w.helpLimits.record(visitorKey)
	w.helpLimits.record(addrKey)
	if err := w.desk.HelpFeedback(r.Context(), visitor, pg.Article.ID, helpful == "yes"); err != nil {
		return err
	}
	if p.fragment {
		return w.showHelpArticle(rw, r, p, http.StatusOK, d, visitor, pg, "")
	}
	redirect(rw, r, helpArticlePath(pg.Article)+"#feedback")
	return nil
}

// isBot recognises the crawlers that announce themselves, whose visits are
// no customer's and must not count as sessions.
func isBot(userAgent string) bool {
	ua := strings.ToLower(userAgent)
	for _, s := range []string{"bot", "crawl", "spider", "slurp", "facebookexternalhit", "preview"} {
		if strings.Contains(ua, s) {
			return true
		}
	}
	return ua == ""
}

// helpErrorData is a help page that failed.
type helpErrorData struct {
	helpData
	Code   string
	Status int
}

// failHelp answers a help-centre request that failed with a page in the
// help centre's layout and language, never the agent desk's: a draft or
// an internal article is the same 404 as a page that never was.
func (w *Web) failHelp(rw http.ResponseWriter, r *http.Request, p *page, err error) {
	code, status := w.errorStatus(r, "web: help centre", r.URL.Path, err)
	lang := r.PathValue("lang")
	if !i18n.Valid(lang) {
		lang = localeFor(nil, r).Lang()
	}
	p.L = i18n.New(lang, nil)
	d := helpData{Lang: lang, Head: helpHead{Other: helpPath(otherLanguage(lang), ""), OtherLang: otherLanguage(lang)},
		Crumbs: []crumb{{p.L.T("help.name"), helpPath(lang, "")}}}
	p.Title = p.L.T("help.error." + code)
	if !p.L.Has("help.error." + code) {
		p.Title = p.L.T("error." + code)
	}
	p.Data = &helpErrorData{helpData: d, Code: code, Status: status}
	w.renderHelp(rw, status, "help_error", p)
}

// sitemap is /help/sitemap.xml: the homes and every public, published
// article, each with its other language versions.
type sitemap struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	XHTML   string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc        string        `xml:"loc"`
	LastMod    string        `xml:"lastmod,omitempty"`
	Alternates []sitemapLink `xml:"xhtml:link"`
}

type sitemapLink struct {
	Rel      string `xml:"rel,attr"`
	HrefLang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// maxSitemapURLs is the sitemap protocol's limit for one file.
const maxSitemapURLs = 50000

func (w *Web) helpSitemap(rw http.ResponseWriter, r *http.Request, p *page) error {
	articles, err := w.desk.HelpSitemap(r.Context(), maxSitemapURLs-2)
	if err != nil {
		return err
	}
	base := w.base(r)
	homes := []sitemapLink{{"alternate", "he", base + helpPath("he", "")}, {"alternate", "en", base + helpPath("en", "")}}
	sm := sitemap{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml",
		URLs: []sitemapURL{{Loc: homes[0].Href, Alternates: homes}, {Loc: homes[1].Href, Alternates: homes}}}
	groups := map[string][]*kesher.Article{}
	for _, a := range articles {
		groups[a.GroupID] = append(groups[a.GroupID], a)
	}
	for _, a := range articles {
		u := sitemapURL{Loc: base + helpArticlePath(a), LastMod: a.UpdatedAt.UTC().Format(time.DateOnly)}
		if versions := groups[a.GroupID]; len(versions) > 1 {
			for _, v := range versions {
				u.Alternates = append(u.Alternates, sitemapLink{"alternate", v.Language, base + helpArticlePath(v)})
			}
		}
		sm.URLs = append(sm.URLs, u)
	}
	out, err := xml.MarshalIndent(sm, "", " ")
	if err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
	rw.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = rw.Write([]byte(xml.Header))
	_, _ = rw.Write(out)
	return nil
}

// robots tells crawlers that the help centre (and its images and styles)
// is theirs to read and the desk is not, and where the sitemap is.
func (w *Web) robots(rw http.ResponseWriter, r *http.Request, p *page) error {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = rw.Write([]byte("User-agent: *\nAllow: /help/\nAllow: " + kesher.ImagePathPrefix + "\nAllow: /static/\nDisallow: /\n\nSitemap: " +
		w.base(r) + "/help/sitemap.xml\n"))
	return nil
}

// orText is s, or def when s is blank.
func orText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// contactForm is a contact form (the help centre's or the embeddable
// one): what was typed and what went wrong, or that it was sent.
type contactForm struct {
	Name, Email, Subject, Message string
	Errors                        map[string]string
	// Problem is a catalogue key shown above the form.
	Problem   string
	Sent      bool
	MaxLength int
}

// contactFormOf reads a contact form's post.
func contactFormOf(r *http.Request) contactForm {
	return contactForm{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Subject: r.PostFormValue("subject"),
		Message: r.PostFormValue("message"), Errors: map[string]string{}, MaxLength: desk.MaxContactMessage}
}

// helpContactData is the help centre's contact page.
type helpContactData struct {
	helpData
	contactForm
}

func (w *Web) helpContact(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, _, err := w.helpStart(rw, r, p, "contact")
	if err != nil {
		return err
	}
	d.Head.Description = p.L.T("help.contact.description")
	d.Crumbs = append(d.Crumbs, crumb{p.L.T("help.contact.title"), helpPath(d.Lang, "contact")})
	p.Title = p.L.T("help.contact.title")
	p.Data = &helpContactData{helpData: d, contactForm: contactForm{Sent: r.URL.Query().Get("sent") == "1", MaxLength: desk.MaxContactMessage, Errors: map[string]string{}}}
	w.renderHelp(rw, http.StatusOK, "help_contact", p)
	return nil
}

// honeypotField is the contact form's trap: a field people never see, that
// bots which fill every field fill. A post that fills it gets the same
// answer as a real one and creates nothing.
const honeypotField = "website"

// helpSubmitContact opens a conversation from the contact form. Bad fields
// are shown beside them with what was typed and nothing is created.
func (w *Web) helpSubmitContact(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, visitor, err := w.helpStart(rw, r, p, "contact")
	if err != nil {
		return err
	}
	d.Head.Description = p.L.T("help.contact.description")
	d.Crumbs = append(d.Crumbs, crumb{p.L.T("help.contact.title"), helpPath(d.Lang, "contact")})
	p.Title = p.L.T("help.contact.title")
	f := &helpContactData{helpData: d, contactForm: contactFormOf(r)}
	p.Data = f
	status, err := w.submitContact(r, "contact", &f.contactForm, visitor, d.Lang)
	if err != nil {
		return err
	}
	if status == http.StatusSeeOther {
		redirect(rw, r, helpPath(d.Lang, "contact")+"?sent=1")
		return nil
	}
	w.renderHelp(rw, status, "help_contact", p)
	return nil
}

// submitContact opens a conversation from a contact form's post f, in
// the visitor's language, through the desk's intake, and returns the
// status to answer with: 303 when it was sent, 429 when the client address
// (contactPerAddress an hour) or the email (contactPerEmail) posted too
// often, with f.Problem, and 422 with f.Errors for bad fields, when
// nothing was created. A post that fills the trap field is answered as a
// sent one and creates nothing. scope keeps each form's counts apart.
func (w *Web) submitContact(r *http.Request, scope string, f *contactForm, visitor kesher.VisitorID, lang string) (int, error) {
	addrKey, emailKey := scope+"-addr:"+clientAddr(r), scope+"-email:"+strings.ToLower(strings.TrimSpace(f.Email))
	okAddr, _ := w.helpLimits.allowed(addrKey, contactPerAddress)
	okEmail, _ := w.helpLimits.allowed(emailKey, contactPerEmail)
	if !okAddr || !okEmail {
		f.Problem = "help.contact.rate_limited"
		return http.StatusTooManyRequests, nil
	}
	if r.PostFormValue(honeypotField) != "" {
		w.helpLimits.record(addrKey)
		w.log.Info("web: contact form: the trap field was filled; nothing created", "form", scope, "addr", clientAddr(r))
		return http.StatusSeeOther, nil
	}
	_, err := w.desk.SubmitHelpContact(r.Context(), desk.HelpContact{Visitor: visitor, Language: lang, Name: f.Name, Email: f.Email,
		Subject: f.Subject, Message: strings.ReplaceAll(f.Message, "\r\n", "\n")})
	if fields := validationFields(err); fields != nil {
		f.Errors = fields
		return http.StatusUnprocessableEntity, nil
	}
	if err != nil {
		return 0, err
	}
	w.helpLimits.record(addrKey)
	w.helpLimits.record(emailKey)
	return http.StatusSeeOther, nil
}
