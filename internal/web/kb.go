package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"

	"kesher"
)

// The knowledge base in the agent desk (P5): every agent reads the
// published articles, internal and public; leads and admins, the editors,
// also see drafts, write, publish, restore revisions, manage categories
// and see how the help centre does. The desk decides each of these again;
// the pages only leave out what a role cannot use.

// kbPerPage is the length of a page of the article list.
const kbPerPage = 50

// kbTree is the knowledge base's categories and sections, which every
// page of the section names.
type kbTree struct {
	Categories []*kesher.ArticleCategory
	Sections   []*kesher.ArticleSection
	sections   map[string]*kesher.ArticleSection
	categories map[string]*kesher.ArticleCategory
}

func (w *Web) kbTree(ctx context.Context) (*kbTree, error) {
	t := &kbTree{sections: map[string]*kesher.ArticleSection{}, categories: map[string]*kesher.ArticleCategory{}}
	var err error
	if t.Categories, err = w.desk.ArticleCategories(ctx); err != nil {
		return nil, err
	}
	if t.Sections, err = w.desk.ArticleSections(ctx, ""); err != nil {
		return nil, err
	}
	for _, c := range t.Categories {
		t.categories[c.ID] = c
	}
	for _, s := range t.Sections {
		t.sections[s.ID] = s
	}
	return t, nil
}

// SectionsOf lists a category's sections in order.
func (t *kbTree) SectionsOf(categoryID string) []*kesher.ArticleSection {
	var out []*kesher.ArticleSection
	for _, s := range t.Sections {
		if s.CategoryID == categoryID {
			out = append(out, s)
		}
	}
	return out
}

// Place names where an article sits, "category › section" in lang, or ""
// for an article without a section.
func (t *kbTree) Place(sectionID, lang string) string {
	s, ok := t.sections[sectionID]
	if !ok {
		return ""
	}
	if c, ok := t.categories[s.CategoryID]; ok {
		sep := " › "
		if languageDir(lang) == "rtl" {
			sep = " ‹ "
		}
		return c.Name.In(lang) + sep + s.Name.In(lang)
	}
	return s.Name.In(lang)
}

// kbFilter is the list's filters as the query string gives them.
type kbFilter struct {
	Category, Section, Language, Visibility, State string
}

func (f kbFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"category": f.Category, "section": f.Section, "language": f.Language,
		"visibility": f.Visibility, "state": f.State} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Any reports whether a filter is set.
func (f kbFilter) Any() bool { return len(f.values()) > 0 }

// kbChoices are the values the knowledge base's selects offer.
type kbChoices struct{}

func (kbChoices) Languages() []string    { return []string{"he", "en"} }
func (kbChoices) Visibilities() []string { return []string{"internal", "public"} }
func (kbChoices) States() []string       { return []string{"draft", "published"} }

// kbListData is the article list.
type kbListData struct {
	kbChoices
	Tree     *kbTree
	Articles []*kesher.Article
	Filter   kbFilter
	NextURL  string
	Editor   bool
	// Deleted says an article was just deleted.
	Deleted bool
}

// kbList lists the articles the user may read, newest change first, with
// the filters of the query string.
func (w *Web) kbList(rw http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	f := kbFilter{Category: q.Get("category"), Section: q.Get("section"), Language: q.Get("language"),
		Visibility: q.Get("visibility"), State: q.Get("state")}
	editor := p.User.Role.AtLeast(kesher.RoleLead)
	if !editor {
		f.State = "" // agents read the published articles only
	}
	tree, err := w.kbTree(r.Context())
	if err != nil {
		return err
	}
	articles, next, err := w.desk.Articles(r.Context(), kesher.ArticleFilter{CategoryID: f.Category, SectionID: f.Section, Language: f.Language,
		Visibility: kesher.ArticleVisibility(f.Visibility), State: kesher.ArticleState(f.State),
		Page: kesher.Page{Limit: kbPerPage, Cursor: q.Get("cursor")}})
	if kesher.ErrorCode(err) == kesher.ECodeValidation {
		// A filter no form offers (a hand-edited URL) lists nothing rather
		// than failing the page.
		articles, next, err = nil, "", nil
	}
	if err != nil {
		return err
	}
	d := &kbListData{Tree: tree, Articles: articles, Filter: f, Editor: editor, Deleted: q.Has("deleted")}
	if next != "" {
		v := f.values()
		v.Set("cursor", next)
		d.NextURL = "/kb?" + v.Encode()
	}
	p.Title, p.Nav, p.Data = p.L.T("kb.title"), "kb", d
	w.render(rw, http.StatusOK, "kb", p)
	return nil
}

// kbArticleData is one article's page.
type kbArticleData struct {
	Tree         *kbTree
	Article      *kesher.Article
	Body         template.HTML
	Translations []*kesher.Article
	// Missing is the language the article has no version in yet, for the
	// editors' link that writes it.
	Missing  string
	Editor   bool
	Feedback kesher.Feedback
	Author   string
	Updater  string
	// HelpURL is where the help centre shows the article, when it does.
	HelpURL string
	// Saved and Restored say what was just done: saved, or revision
	// Restored restored.
	Saved    bool
	Restored string
}

// kbArticle shows one article as agents read it: rendered, in its own
// language and direction, with its other language versions.
func (w *Web) kbArticle(rw http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	a, err := w.desk.Article(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	tree, err := w.kbTree(ctx)
	if err != nil {
		return err
	}
	translations, err := w.desk.Translations(ctx, a)
	if err != nil {
		return err
	}
	dir, err := w.loadDirectory(ctx)
	if err != nil {
		return err
	}
	// The body was sanitised when it was saved (internal/markdown).
	d := &kbArticleData{Tree: tree, Article: a, Body: template.HTML(a.BodyHTML), Translations: translations,
		Editor: p.User.Role.AtLeast(kesher.RoleLead), Author: dir.UserName(a.CreatedBy), Updater: dir.UserName(a.UpdatedBy),
		Saved: r.URL.Query().Has("saved"), Restored: r.URL.Query().Get("restored")}
	if len(translations) == 0 {
		d.Missing = otherLanguage(a.Language)
	}
	if a.Public() {
		d.HelpURL = helpArticlePath(a)
	}
	if d.Editor {
		if d.Feedback, err = w.desk.ArticleFeedback(ctx, a.ID); err != nil {
			return err
		}
	}
	p.Title, p.Nav, p.Data = a.Title, "kb", d
	w.render(rw, http.StatusOK, "kb_article", p)
	return nil
}

// otherLanguage is the help centre's other language.
func otherLanguage(lang string) string {
	if lang == "en" {
		return "he"
	}
	return "en"
}

// languageDir is the direction of text in lang.
func languageDir(lang string) string {
	if lang == "he" {
		return "rtl"
	}
	return "ltr"
}
