package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// kbCategoriesData is the page that manages categories and sections: a
// form per row and a form that creates, and after a refusal the refused
// form again with its errors, as the admin pages do.
type kbCategoriesData struct {
	Tree  *kbTree
	Form  adminForm
	Saved bool
	// Empty fills the create forms.
	Empty *kesher.ArticleCategory
	// Problem is a catalogue key shown above the page: why a delete was
	// refused.
	Problem string
}

func (w *Web) kbCategories(rw http.ResponseWriter, r *http.Request, p *page) error {
	return w.showCategories(rw, r, p, http.StatusOK, adminForm{}, "")
}

func (w *Web) showCategories(rw http.ResponseWriter, r *http.Request, p *page, status int, form adminForm, problem string) error {
	tree, err := w.kbTree(r.Context())
	if err != nil {
		return err
	}
	p.Title, p.Nav = p.L.T("kb.categories.title"), "kb"
	p.Data = &kbCategoriesData{Tree: tree, Form: form, Saved: r.URL.Query().Has("saved"), Empty: &kesher.ArticleCategory{}, Problem: problem}
	w.render(rw, status, "kb_categories", p)
	return nil
}

// categoryInput reads a category's or a section's form.
func categoryInput(r *http.Request) (desk.CategoryInput, error) {
	in := desk.CategoryInput{CategoryID: r.PostFormValue("category_id"),
		Name:        kesher.Names{He: r.PostFormValue("name.he"), En: r.PostFormValue("name.en")},
		Description: kesher.Names{He: r.PostFormValue("description.he"), En: r.PostFormValue("description.en")}}
	if s := strings.TrimSpace(r.PostFormValue("position")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return in, kesher.FieldError("position", "invalid", "a position is a number")
		}
		in.Position = n
	}
	return in, nil
}

// afterCategoryChange goes back to the page, or shows the refused form
// (row "" is a create form: "category" or "section") with its errors.
func (w *Web) afterCategoryChange(rw http.ResponseWriter, r *http.Request, p *page, row string, err error) error {
	if err == nil {
		redirect(rw, r, "/kb/categories?saved=1")
		return nil
	}
	fields := validationFields(err)
	if fields == nil {
		return err
	}
	return w.showCategories(rw, r, p, http.StatusUnprocessableEntity, adminForm{Row: row, Errors: fields, Values: url.Values(typed(r))}, "")
}

// afterDelete goes back to the page, or says why the delete was refused:
// a category with sections or a section with articles stays.
func (w *Web) afterDelete(rw http.ResponseWriter, r *http.Request, p *page, problem string, err error) error {
	if kesher.ErrorCode(err) == kesher.ECodeConflict {
		return w.showCategories(rw, r, p, http.StatusConflict, adminForm{}, problem)
	}
	return w.afterCategoryChange(rw, r, p, "", err)
}

func (w *Web) kbSaveCategory(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	in, err := categoryInput(r)
	if err == nil {
		_, err = w.desk.SaveArticleCategory(r.Context(), id, in)
	}
	return w.afterCategoryChange(rw, r, p, orNew(id, "category"), err)
}

func (w *Web) kbDeleteCategory(rw http.ResponseWriter, r *http.Request, p *page) error {
	return w.afterDelete(rw, r, p, "kb.categories.delete_hint", w.desk.DeleteArticleCategory(r.Context(), r.PathValue("id")))
}

func (w *Web) kbSaveSection(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	in, err := categoryInput(r)
	if err == nil {
		_, err = w.desk.SaveArticleSection(r.Context(), id, in)
	}
	return w.afterCategoryChange(rw, r, p, orNew(id, "section"), err)
}

func (w *Web) kbDeleteSection(rw http.ResponseWriter, r *http.Request, p *page) error {
	return w.afterDelete(rw, r, p, "kb.sections.delete_hint", w.desk.DeleteArticleSection(r.Context(), r.PathValue("id")))
}

// orNew names a create form's row: the kind of thing it creates.
func orNew(id, kind string) string {
	if id == "" {
		return "new-" + kind
	}
	return id
}

// kbStatsData is the help centre's statistics page.
type kbStatsData struct {
	Stats    *kesher.HelpStats
	From, To string
	Errors   map[string]string
	// Rate is the deflection rate in whole percent.
	Rate int
	// Window is the deflection window.
	Window time.Duration
}

// kbStats shows leads and admins what the help centre did over a period
// of days (?from=&to=, dates in the user's time zone; the last 30 days by
// default).
func (w *Web) kbStats(rw http.ResponseWriter, r *http.Request, p *page) error {
	loc := p.L.Location()
	today := w.now().In(loc)
	d := &kbStatsData{From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to"), Errors: map[string]string{}}
	day := func(s string, def time.Time, field string) time.Time {
		if s == "" {
			return def
		}
		t, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			d.Errors[field] = "invalid"
			return def
		}
		return t
	}
	midnight := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	to := day(d.To, midnight, "to").AddDate(0, 0, 1) // the day "to" included
	from := day(d.From, midnight.AddDate(0, 0, -29), "from")
	d.From, d.To = from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly)
	status := http.StatusOK
	if len(d.Errors) == 0 {
		st, err := w.desk.HelpStats(r.Context(), from, to)
		if fields := validationFields(err); fields != nil {
			d.Errors, status = fields, http.StatusUnprocessableEntity
		} else if err != nil {
			return err
		}
		d.Stats = st
		if st != nil {
			d.Rate, d.Window = int(st.DeflectionRate*100+0.5), time.Duration(st.Window)
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	p.Title, p.Nav, p.Data = p.L.T("kb.stats.title"), "kb", d
	w.render(rw, status, "kb_stats", p)
	return nil
}
