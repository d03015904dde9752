package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"kesher"
	"kesher/internal/desk"
)

// suggestions is how many articles the help centre's box offers while the
// visitor types; searchesPerMinute bounds one client's searches, typing
// included (a keystroke's pause is a search), so the public box cannot be
// used to load the database.
const (
	suggestions       = 5
	searchesPerMinute = 120
)

// helpSearchData is the help centre's search page, and, for a visitor
// still typing, the suggestions under its box.
type helpSearchData struct {
	helpData
	Results []helpResult
	Invalid bool
	// Limited: the client searched too often.
	Limited bool
}

type helpResult struct {
	*kesher.Article
	Snippet template.HTML
}

// helpSearch answers /help/{lang}/search?q=: a finished search as a page
// (counted for deflection), or with typing=1 as the suggestions fragment.
func (w *Web) helpSearch(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, visitor, err := w.helpStart(rw, r, p, "search")
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	typing := r.URL.Query().Get("typing") == "1"
	d.Query = q
	sd := &helpSearchData{helpData: d}
	status := http.StatusOK
	key := "search-addr:" + clientAddr(r)
	if ok, _ := w.helpSearches.allowed(key, searchesPerMinute); q != "" && !ok {
		sd.Limited, status, q = true, http.StatusTooManyRequests, ""
	} else if q != "" {
		w.helpSearches.record(key)
	}
	if q != "" {
		req := desk.HelpSearchRequest{Language: d.Lang, Query: q, Typing: typing, Visitor: visitor}
		if typing {
			req.Limit = suggestions
		}
		if isBot(r.UserAgent()) {
			req.Visitor = 0 // crawlers' searches are not visitors'
		}
		hits, err := w.desk.HelpSearch(r.Context(), req)
		switch {
		case kesher.ErrorCode(err) == kesher.ECodeValidation:
			sd.Invalid = true
		case err != nil:
			return err
		}
		for _, h := range hits {
			sd.Results = append(sd.Results, helpResult{Article: h.Article, Snippet: template.HTML(h.Snippet)}) // the desk escapes all but <mark>
		}
	}
	// A results page is for the visitor, not for search engines: without a
	// canonical URL the layout marks it noindex.
	sd.Head.Canonical, sd.Head.Description = "", p.L.T("help.search.description")
	if q != "" {
		sd.Head.Other += "?q=" + url.QueryEscape(q)
	}
	p.Title, p.Data = p.L.T("help.search.title"), sd
	if typing {
		w.renderFragment(rw, status, "help_search", "help-suggest", p)
		return nil
	}
	w.renderHelp(rw, status, "help_search", p)
	return nil
}
