package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

//go:embed templates
var templatesFS embed.FS

// parsePages parses each page of templates/pages together with the layout
// and the partials, so every page has its own "content" block.
func parsePages(a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		// dict builds the argument of a partial that needs more than the page.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m, nil
		},
		"has":     func(list []string, v string) bool { return slices.Contains(list, v) },
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"isZero":  func(t time.Time) bool { return t.IsZero() },
		"initial": initial,
		// langdir is the direction of text in a language, for content whose
		// language is not the page's (an English article in the Hebrew UI).
		"langdir": languageDir,
		// helpArticle is an article's help-centre path, its slug
		// percent-encoded as in canonical links and the sitemap.
		"helpArticle": helpArticlePath,
		// dtlocal writes t for a datetime-local input, as a wall time in loc.
		"dtlocal": func(t time.Time, loc *time.Location) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format(dueLayout)
		},
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templatesFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templatesFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(files))
	for _, f := range files {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(templatesFS, f); err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return pages, nil
}

// initial is the first letter of a name, for an avatar.
func initial(name string) string {
	for _, r := range strings.TrimSpace(name) {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// render writes a whole page in the layout.
func (w *Web) render(rw http.ResponseWriter, status int, name string, p *page) {
	w.fillNav(p)
	w.execute(rw, status, name, "layout", p)
}

// renderFragment writes one named block of a page, for a fragment swap or a
// live refresh.
func (w *Web) renderFragment(rw http.ResponseWriter, status int, name, block string, p *page) {
	w.execute(rw, status, name, block, p)
}

func (w *Web) execute(rw http.ResponseWriter, status int, name, block string, p any) {
	t, ok := w.pages[name]
	if !ok {
		w.log.Error("web: no such page", "page", name)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	// Rendering into a buffer first means a template error never leaves
	// half a page behind a 200.
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, p); err != nil {
		w.log.Error("web: rendering failed", "page", name, "block", block, "err", err)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_, _ = rw.Write(buf.Bytes())
}

// redirect answers a successful form post: to a page for a full post, or
// the fresh fragment for a background one.
func redirect(rw http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(rw, r, to, http.StatusSeeOther)
}
