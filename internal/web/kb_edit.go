package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"kesher"
	"kesher/internal/api"
	"kesher/internal/desk"
	"kesher/internal/markdown"
)

// The editor: one form for a new article and for a change, with a live
// preview that the page's script fetches from the server as the author
// types (the same rendering the article gets), and without the script a
// Preview button that shows it beside the form. Images upload on their
// own and the editor inserts their Markdown where the cursor is.

// kbUploadBytes bounds a post of the image form: the image and the
// multipart framing around it.
const kbUploadBytes = desk.MaxImageBytes + 64<<10

// kbForm is the editor's data: what the form shows, what the desk
// refused, and the preview.
type kbForm struct {
	kbChoices
	// ID is the article's, "" for a new one.
	ID            string
	Article       *kesher.Article
	Language      string
	Title         string
	Slug          string
	Summary       string
	Body          string
	SectionID     string
	Visibility    string
	State         string
	Position      string
	TranslationOf string
	Errors        map[string]string
	Preview       template.HTML
	Tree          *kbTree
	// Candidates are the articles of the other language the article may
	// be the translation of.
	Candidates  []*kesher.Article
	MaxImageMiB int
	// stored says the form shows the article as stored, so its
	// translation is read from its group.
	stored bool
}

// Dir is the direction the article's own text is written in.
func (f *kbForm) Dir() string { return languageDir(f.Language) }

func formOfArticle(a *kesher.Article) *kbForm {
	f := &kbForm{ID: a.ID, Article: a, Language: a.Language, Title: a.Title, Slug: a.Slug, Summary: a.Summary, Body: a.Body,
		SectionID: a.SectionID, Visibility: string(a.Visibility), State: string(a.State), Position: strconv.Itoa(a.Position), stored: true}
	return f
}

// showEditor renders the editor with f, its choices read for it.
func (w *Web) showEditor(rw http.ResponseWriter, r *http.Request, p *page, status int, f *kbForm) error {
	ctx := r.Context()
	var err error
	if f.Tree, err = w.kbTree(ctx); err != nil {
		return err
	}
	// The candidates of a translation are the other language's articles;
	// a group is named by its first article, which is what the form sends.
	cands, _, err := w.desk.Articles(ctx, kesher.ArticleFilter{Language: otherLanguage(f.Language), Page: kesher.Page{Limit: kesher.MaxPageLimit}})
	if err != nil {
		return err
	}
	f.Candidates, f.MaxImageMiB = cands, desk.MaxImageBytes>>20
	if f.stored {
		// The form names a translation by the other version's id.
		for _, c := range cands {
			if c.GroupID == f.Article.GroupID {
				f.TranslationOf = c.ID
			}
		}
	}
	p.Nav, p.Data = "kb", f
	p.Title = p.L.T("kb.new")
	if f.Article != nil {
		p.Title = p.L.T("kb.edit_title", "title", f.Article.Title)
	}
	w.render(rw, status, "kb_edit", p)
	return nil
}

// kbNew is the editor for a new article: in the user's language, or the
// other language of the article it translates (?translation_of=), in that
// article's section.
func (w *Web) kbNew(rw http.ResponseWriter, r *http.Request, p *page) error {
	f := &kbForm{Language: p.L.Lang(), Visibility: string(kesher.VisibilityInternal), State: string(kesher.ArticleDraft), Position: "0"}
	if id := r.URL.Query().Get("translation_of"); id != "" {
		a, err := w.desk.Article(r.Context(), id)
		if err != nil {
			return err
		}
		f.Language, f.TranslationOf, f.SectionID, f.Visibility = otherLanguage(a.Language), a.ID, a.SectionID, string(a.Visibility)
	}
	if l := r.URL.Query().Get("language"); l == "he" || l == "en" {
		f.Language = l
	}
	return w.showEditor(rw, r, p, http.StatusOK, f)
}

// kbEdit is the editor of an article.
func (w *Web) kbEdit(rw http.ResponseWriter, r *http.Request, p *page) error {
	a, err := w.desk.Article(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return w.showEditor(rw, r, p, http.StatusOK, formOfArticle(a))
}

// postedForm reads the editor's form over f.
func postedForm(r *http.Request, f *kbForm) {
	f.Title, f.Slug, f.Summary, f.Body = r.PostFormValue("title"), r.PostFormValue("slug"), r.PostFormValue("summary"), r.PostFormValue("body")
	f.SectionID, f.Visibility, f.State = r.PostFormValue("section_id"), r.PostFormValue("visibility"), r.PostFormValue("state")
	f.Position, f.TranslationOf = r.PostFormValue("position"), r.PostFormValue("translation_of")
	if f.ID == "" {
		f.Language = r.PostFormValue("language")
	}
	// Browsers send a textarea's line ends as CRLF; the article keeps LF.
	f.Body = strings.ReplaceAll(f.Body, "\r\n", "\n")
}

// position reads the form's position; "" is 0.
func (f *kbForm) position() (int, bool) {
	s := strings.TrimSpace(f.Position)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// kbCreate saves a new article, or with the Preview button shows the
// form again with the preview.
func (w *Web) kbCreate(rw http.ResponseWriter, r *http.Request, p *page) error {
	f := &kbForm{}
	postedForm(r, f)
	if r.PostFormValue("action") == "preview" {
		return w.previewForm(rw, r, p, f)
	}
	pos, ok := f.position()
	if !ok {
		return w.refuseForm(rw, r, p, f, kesher.FieldError("position", "invalid", "a position is a number"))
	}
	a, err := w.desk.CreateArticle(r.Context(), desk.ArticleInput{Language: f.Language, Title: f.Title, Slug: f.Slug, Summary: f.Summary,
		Body: f.Body, SectionID: f.SectionID, Visibility: kesher.ArticleVisibility(f.Visibility), State: kesher.ArticleState(f.State),
		Position: pos, TranslationOf: f.TranslationOf})
	if err != nil {
		return w.refuseForm(rw, r, p, f, err)
	}
	redirect(rw, r, "/kb/articles/"+a.ID+"?saved=1")
	return nil
}

// kbSave saves the editor's form over an article.
func (w *Web) kbSave(rw http.ResponseWriter, r *http.Request, p *page) error {
	a, err := w.desk.Article(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	f := formOfArticle(a)
	f.stored = false
	postedForm(r, f)
	if r.PostFormValue("action") == "preview" {
		return w.previewForm(rw, r, p, f)
	}
	pos, ok := f.position()
	if !ok {
		return w.refuseForm(rw, r, p, f, kesher.FieldError("position", "invalid", "a position is a number"))
	}
	vis, state := kesher.ArticleVisibility(f.Visibility), kesher.ArticleState(f.State)
	_, err = w.desk.UpdateArticle(r.Context(), a.ID, desk.ArticleUpdate{Title: &f.Title, Slug: &f.Slug, Summary: &f.Summary, Body: &f.Body,
		SectionID: &f.SectionID, Visibility: &vis, State: &state, Position: &pos, TranslationOf: &f.TranslationOf})
	if err != nil {
		return w.refuseForm(rw, r, p, f, err)
	}
	redirect(rw, r, "/kb/articles/"+a.ID+"?saved=1")
	return nil
}

// refuseForm shows the form again with the desk's reasons beside the
// fields; any other error is the page's.
func (w *Web) refuseForm(rw http.ResponseWriter, r *http.Request, p *page, f *kbForm, err error) error {
	fields := validationFields(err)
	if fields == nil {
		return err
	}
	f.Errors = fields
	return w.showEditor(rw, r, p, http.StatusUnprocessableEntity, f)
}

// previewForm shows the form as posted with its preview, saving nothing.
func (w *Web) previewForm(rw http.ResponseWriter, r *http.Request, p *page, f *kbForm) error {
	html, err := w.desk.PreviewArticle(r.Context(), f.Body)
	if err != nil {
		return w.refuseForm(rw, r, p, f, err)
	}
	f.Preview = template.HTML(html) // sanitised by internal/markdown
	return w.showEditor(rw, r, p, http.StatusOK, f)
}

// kbPreview answers the editor's script with the rendered body, the
// fragment that fills the preview pane.
func (w *Web) kbPreview(rw http.ResponseWriter, r *http.Request, p *page) error {
	html, err := w.desk.PreviewArticle(r.Context(), strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n"))
	if err != nil {
		return err
	}
	p.Data = &kbForm{Preview: template.HTML(html), Language: r.PostFormValue("language")} // sanitised by internal/markdown
	w.renderFragment(rw, http.StatusOK, "kb_edit", "kb-preview", p)
	return nil
}

// kbImageData is what an upload answers: the image and its Markdown.
type kbImageData struct {
	Image    *kesher.ArticleImage
	Markdown string
	Error    string
}

// kbUpload stores an uploaded image (multipart field "file"). The editor's
// script gets JSON with the Markdown to insert; a browser without it a
// page that shows the Markdown to copy.
func (w *Web) kbUpload(rw http.ResponseWriter, r *http.Request, p *page) error {
	file, header, err := r.FormFile("file")
	var data []byte
	name := ""
	switch {
	case err == nil:
		defer file.Close()
		name = header.Filename
		data, err = io.ReadAll(io.LimitReader(file, desk.MaxImageBytes+1))
		if err != nil {
			return err
		}
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
	default:
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return kesher.Errorf(kesher.ECodeTooLarge, "an image is at most %d bytes", desk.MaxImageBytes)
		}
		return kesher.FieldError("file", "invalid", "the upload could not be read: %v", err)
	}
	img, err := w.desk.UploadArticleImage(r.Context(), name, data)
	if p.fragment {
		rw.Header().Set("Content-Type", "application/json; charset=utf-8")
		rw.Header().Set("Cache-Control", "no-store")
		if err != nil {
			reason := "error." + kesher.ErrorCode(err)
			if fields := validationFields(err); len(fields) > 0 {
				reason = "field." + fields["file"]
			}
			status := api.StatusOf(kesher.ErrorCode(err))
			if status == http.StatusInternalServerError {
				w.log.Error("web: image upload failed", "err", err)
				reason = "error.internal"
			}
			rw.WriteHeader(status)
			return json.NewEncoder(rw).Encode(map[string]string{"error": p.L.T(reason)})
		}
		return json.NewEncoder(rw).Encode(map[string]string{"markdown": img.Markdown(), "url": img.Path()})
	}
	if fields := validationFields(err); fields != nil {
		p.Title, p.Nav, p.Data = p.L.T("kb.image.title"), "kb", &kbImageData{Error: "field." + fields["file"]}
		w.render(rw, http.StatusUnprocessableEntity, "kb_image", p)
		return nil
	}
	if err != nil {
		return err
	}
	p.Title, p.Nav, p.Data = p.L.T("kb.image.title"), "kb", &kbImageData{Image: img, Markdown: img.Markdown()}
	w.render(rw, http.StatusCreated, "kb_image", p)
	return nil
}

// kbImage serves an uploaded image to anyone by its hash, for a year: the
// bytes under a hash never change. The type was sniffed at upload, and
// nosniff keeps the browser to it.
func (w *Web) kbImage(rw http.ResponseWriter, r *http.Request, p *page) error {
	img, data, err := w.desk.ArticleImage(r.Context(), r.PathValue("sha"))
	if err != nil {
		return err
	}
	h := rw.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("ETag", `"`+img.SHA256+`"`)
	if r.Header.Get("If-None-Match") == `"`+img.SHA256+`"` {
		rw.WriteHeader(http.StatusNotModified)
		return nil
	}
	if r.Method != http.MethodHead {
		_, _ = rw.Write(data)
	}
	return nil
}

// kbDelete deletes an article.
func (w *Web) kbDelete(rw http.ResponseWriter, r *http.Request, p *page) error {
	if err := w.desk.DeleteArticle(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	redirect(rw, r, "/kb?deleted=1")
	return nil
}

// kbRevisionsData is an article's history.
type kbRevisionsData struct {
	Article   *kesher.Article
	Revisions []*kesher.ArticleRevision
	Directory *directory
	// Revision is the one shown, with its rendered body.
	Revision *kesher.ArticleRevision
	Body     template.HTML
	NextURL  string
}

// kbRevisions lists an article's revisions, newest first.
func (w *Web) kbRevisions(rw http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	a, err := w.desk.Article(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	revs, next, err := w.desk.ArticleRevisions(ctx, a.ID, kesher.Page{Limit: kbPerPage, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	dir, err := w.loadDirectory(ctx)
	if err != nil {
		return err
	}
	d := &kbRevisionsData{Article: a, Revisions: revs, Directory: dir}
	if next != "" {
		d.NextURL = "/kb/articles/" + a.ID + "/revisions?cursor=" + next
	}
	p.Title, p.Nav, p.Data = p.L.T("kb.revisions.title", "title", a.Title), "kb", d
	w.render(rw, http.StatusOK, "kb_revisions", p)
	return nil
}

// kbRevision shows one revision as it read, rendered.
func (w *Web) kbRevision(rw http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	a, err := w.desk.Article(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return kesher.Errorf(kesher.ECodeNotFound, "no revision %q", r.PathValue("number"))
	}
	rev, err := w.desk.ArticleRevision(ctx, a.ID, n)
	if err != nil {
		return err
	}
	dir, err := w.loadDirectory(ctx)
	if err != nil {
		return err
	}
	d := &kbRevisionsData{Article: a, Revision: rev, Directory: dir, Body: template.HTML(markdown.HTML(rev.Body))} // sanitised there
	p.Title, p.Nav, p.Data = p.L.T("kb.revision.title", "n", strconv.Itoa(rev.Number), "title", rev.Title), "kb", d
	w.render(rw, http.StatusOK, "kb_revision", p)
	return nil
}

// kbRestore makes a revision the article's content again.
func (w *Web) kbRestore(rw http.ResponseWriter, r *http.Request, p *page) error {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return kesher.Errorf(kesher.ECodeNotFound, "no revision %q", r.PathValue("number"))
	}
	a, err := w.desk.RestoreArticleRevision(r.Context(), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	redirect(rw, r, "/kb/articles/"+a.ID+"?restored="+strconv.Itoa(n))
	return nil
}
