package web

import (
	"html/template"
	"net/http"

	"kesher"
	"kesher/internal/markdown"
)

// excerptLength bounds the excerpt an agent inserts from an article.
const excerptLength = 400

// suggestion is an article offered beside a conversation (P5): what to
// read, and what one click puts into the reply.
type suggestion struct {
	*kesher.Article
	Snippet template.HTML
	// Link is the help centre's address of a public article, for the
	// customer; "" for an internal one, which stays with the agents.
	Link    string
	Excerpt string
}

// suggestedArticles answers the conversation page's suggestions fragment,
// which the page loads after it shows: finding them takes a search, and
// the thread should not wait for it.
func (w *Web) suggestedArticles(rw http.ResponseWriter, r *http.Request, p *page) error {
	conv := r.PathValue("id")
	hits, err := w.desk.SuggestArticles(r.Context(), conv)
	if err != nil {
		return err
	}
	d := struct {
		ConversationID string
		Suggestions    []suggestion
	}{ConversationID: conv}
	for _, h := range hits {
		s := suggestion{Article: h.Article, Snippet: template.HTML(h.Snippet), // the desk escapes all but <mark>
			Excerpt: markdown.Clip(markdown.Text(h.Article.Body), excerptLength)}
		if h.Article.Public() {
			s.Link = w.base(r) + helpArticlePath(h.Article)
		}
		d.Suggestions = append(d.Suggestions, s)
	}
	p.Data = &d
	w.renderFragment(rw, http.StatusOK, "conversation", "conv-articles", p)
	return nil
}
