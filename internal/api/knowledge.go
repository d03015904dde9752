package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// The knowledge base: articles with their revisions, categories, sections
// and images, and the help centre's statistics.

// articleBody is an article as one article's answer gives it: with its
// versions in the other language that the caller may read.
type articleBody struct {
	*kesher.Article
	Translations []articleRef `json:"translations"`
}

// articleRef names another version of an article.
type articleRef struct {
	ID       string              `json:"id"`
	Language string              `json:"language"`
	Title    string              `json:"title"`
	Slug     string              `json:"slug"`
	State    kesher.ArticleState `json:"state"`
}

// writeArticle answers with a and its translations.
func (a *api) writeArticle(w http.ResponseWriter, r *http.Request, status int, art *kesher.Article) error {
	others, err := a.desk.Translations(r.Context(), art)
	if err != nil {
		return err
	}
	body := articleBody{Article: art, Translations: make([]articleRef, 0, len(others))}
	for _, o := range others {
		body.Translations = append(body.Translations, articleRef{ID: o.ID, Language: o.Language, Title: o.Title, Slug: o.Slug, State: o.State})
	}
	return writeJSON(w, status, body)
}

// listArticles lists articles with the filters category, section,
// language, visibility, state and translation_group.
func (a *api) listArticles(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, next, err := a.desk.Articles(r.Context(), kesher.ArticleFilter{
		CategoryID: q.Get("category"), SectionID: q.Get("section"), Language: q.Get("language"),
		Visibility: kesher.ArticleVisibility(q.Get("visibility")), State: kesher.ArticleState(q.Get("state")),
		GroupID: q.Get("translation_group"), Page: p,
	})
	return writeList(w, items, next, err)
}

func (a *api) getArticle(w http.ResponseWriter, r *http.Request) error {
	art, err := a.desk.Article(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeArticle(w, r, http.StatusOK, art)
}

func (a *api) createArticle(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Language      string                   `json:"language"`
		Title         string                   `json:"title"`
		Slug          string                   `json:"slug"`
		Summary       string                   `json:"summary"`
		Body          string                   `json:"body"`
		SectionID     string                   `json:"section_id"`
		Visibility    kesher.ArticleVisibility `json:"visibility"`
		State         kesher.ArticleState      `json:"state"`
		Position      int                      `json:"position"`
		TranslationOf string                   `json:"translation_of"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	art, err := a.desk.CreateArticle(r.Context(), desk.ArticleInput{
		Language: in.Language, Title: in.Title, Slug: in.Slug, Summary: in.Summary, Body: in.Body, SectionID: in.SectionID,
		Visibility: in.Visibility, State: in.State, Position: in.Position, TranslationOf: in.TranslationOf,
	})
	if err != nil {
		return err
	}
	return a.writeArticle(w, r, http.StatusCreated, art)
}

// updateArticle changes the fields given; section_id and translation_of
// null or "" take the article out of its section or translation group.
func (a *api) updateArticle(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Title         *string                   `json:"title"`
		Slug          *string                   `json:"slug"`
		Summary       clearable                 `json:"summary"`
		Body          clearable                 `json:"body"`
		SectionID     clearable                 `json:"section_id"`
		Visibility    *kesher.ArticleVisibility `json:"visibility"`
		State         *kesher.ArticleState      `json:"state"`
		Position      *int                      `json:"position"`
		TranslationOf clearable                 `json:"translation_of"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	art, err := a.desk.UpdateArticle(r.Context(), r.PathValue("id"), desk.ArticleUpdate{
		Title: in.Title, Slug: in.Slug, Summary: in.Summary.ptr(), Body: in.Body.ptr(), SectionID: in.SectionID.ptr(),
		Visibility: in.Visibility, State: in.State, Position: in.Position, TranslationOf: in.TranslationOf.ptr(),
	})
	if err != nil {
		return err
	}
	return a.writeArticle(w, r, http.StatusOK, art)
}

func (a *api) deleteArticle(w http.ResponseWriter, r *http.Request) error {
	if err := a.desk.DeleteArticle(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) listRevisions(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.ArticleRevisions(r.Context(), r.PathValue("id"), p)
	return writeList(w, items, next, err)
}

// revisionNumber reads the {number} of a revision's path; anything but a
// positive number names no revision.
func revisionNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n < 1 {
		return 0, kesher.Errorf(kesher.ECodeNotFound, "no revision %q", r.PathValue("number"))
	}
	return n, nil
}

func (a *api) getRevision(w http.ResponseWriter, r *http.Request) error {
	n, err := revisionNumber(r)
	if err != nil {
		return err
	}
	rev, err := a.desk.ArticleRevision(r.Context(), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rev)
}

// restoreRevision makes a revision's content the article's again, as a
// new revision. The body may be empty or {}.
func (a *api) restoreRevision(w http.ResponseWriter, r *http.Request) error {
	if err := decodeEmpty(r); err != nil {
		return err
	}
	n, err := revisionNumber(r)
	if err != nil {
		return err
	}
	art, err := a.desk.RestoreArticleRevision(r.Context(), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	return a.writeArticle(w, r, http.StatusOK, art)
}

// decodeEmpty accepts an empty body or an empty JSON object, for actions
// that take no input.
func decodeEmpty(r *http.Request) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var none struct{}
	return decodeError(dec.Decode(&none))
}

// namesIn is a name in both languages in a request; a language left out
// keeps its text on an update.
type namesIn struct {
	He *string `json:"he"`
	En *string `json:"en"`
}

func (n *namesIn) apply(dst *kesher.Names) {
	if n == nil {
		return
	}
	setIf(&dst.He, n.He)
	setIf(&dst.En, n.En)
}

// categoryIn is a category's or a section's fields in a request.
type categoryIn struct {
	CategoryID  *string  `json:"category_id"`
	Name        *namesIn `json:"name"`
	Description *namesIn `json:"description"`
	Position    *int     `json:"position"`
}

func (in categoryIn) input(cur desk.CategoryInput) desk.CategoryInput {
	setIf(&cur.CategoryID, in.CategoryID)
	in.Name.apply(&cur.Name)
	in.Description.apply(&cur.Description)
	setIf(&cur.Position, in.Position)
	return cur
}

// decodeCategory reads a category's fields; sections take category_id
// too, categories refuse it.
func decodeCategory(r *http.Request, section bool) (categoryIn, error) {
	var in categoryIn
	if err := decode(r, &in); err != nil {
		return in, err
	}
	if !section && in.CategoryID != nil {
		return in, &kesher.Error{Code: kesher.ECodeInvalidJSON, Message: "unknown field category_id", Fields: map[string]string{"category_id": "unknown"}}
	}
	return in, nil
}

func (a *api) listCategories(w http.ResponseWriter, r *http.Request) error {
	items, err := a.desk.ArticleCategories(r.Context())
	return writeList(w, items, "", err)
}

func (a *api) getCategory(w http.ResponseWriter, r *http.Request) error {
	c, err := a.desk.ArticleCategory(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *api) createCategory(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeCategory(r, false)
	if err != nil {
		return err
	}
	c, err := a.desk.SaveArticleCategory(r.Context(), "", in.input(desk.CategoryInput{}))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

// updateCategory changes the fields given; the current category fills in
// the rest, a name's languages one by one.
func (a *api) updateCategory(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeCategory(r, false)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	cur, err := a.desk.ArticleCategory(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := a.desk.SaveArticleCategory(r.Context(), id, in.input(desk.CategoryInput{Name: cur.Name, Description: cur.Description, Position: cur.Position}))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *api) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	if err := a.desk.DeleteArticleCategory(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listSections lists the sections of ?category=, or all of them.
func (a *api) listSections(w http.ResponseWriter, r *http.Request) error {
	items, err := a.desk.ArticleSections(r.Context(), r.URL.Query().Get("category"))
	return writeList(w, items, "", err)
}

func (a *api) getSection(w http.ResponseWriter, r *http.Request) error {
	s, err := a.desk.ArticleSection(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

func (a *api) createSection(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeCategory(r, true)
	if err != nil {
		return err
	}
	s, err := a.desk.SaveArticleSection(r.Context(), "", in.input(desk.CategoryInput{}))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, s)
}

func (a *api) updateSection(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeCategory(r, true)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	cur, err := a.desk.ArticleSection(r.Context(), id)
	if err != nil {
		return err
	}
	s, err := a.desk.SaveArticleSection(r.Context(), id, in.input(desk.CategoryInput{CategoryID: cur.CategoryID, Name: cur.Name,
		Description: cur.Description, Position: cur.Position}))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

func (a *api) deleteSection(w http.ResponseWriter, r *http.Request) error {
	if err := a.desk.DeleteArticleSection(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// imageBody is an uploaded image with where it is served and the Markdown
// that shows it.
type imageBody struct {
	*kesher.ArticleImage
	URL      string `json:"url"`
	Markdown string `json:"markdown"`
}

// uploadImage takes an image as the raw request body (any Content-Type:
// the desk reads the type from the bytes), named by ?name=.
func (a *api) uploadImage(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	name := r.URL.Query().Get("name")
	img, err := a.desk.UploadArticleImage(r.Context(), name, data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, imageBody{ArticleImage: img, URL: img.Path(), Markdown: img.Markdown()})
}

// helpStats answers the help centre's statistics for ?from=&to=, each an
// RFC 3339 time or a date (midnight UTC).
func (a *api) helpStats(w http.ResponseWriter, r *http.Request) error {
	var v kesher.Validation
	from, ok := parseWhen(r.URL.Query().Get("from"))
	v.Check(ok, "from", "invalid")
	to, ok := parseWhen(r.URL.Query().Get("to"))
	v.Check(ok, "to", "invalid")
	if err := v.Err(); err != nil {
		return err
	}
	st, err := a.desk.HelpStats(r.Context(), from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

// parseWhen reads an RFC 3339 time or a YYYY-MM-DD date; "" is the zero
// time (the default).
func parseWhen(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}
