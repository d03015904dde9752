package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// searchPage is how many results one page of the search asks the desk for.
const searchPage = 50

// searchQuery is the search page's state in its URL.
type searchQuery struct {
	Q, Type, Status, Channel, Owner, From, To, Cursor string
}

func parseSearchQuery(q url.Values) searchQuery {
	return searchQuery{Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Status: q.Get("status"), Channel: q.Get("channel"),
		Owner: q.Get("owner"), From: q.Get("from"), To: q.Get("to"), Cursor: q.Get("cursor")}
}

func (sq searchQuery) encode() string {
	v := url.Values{}
	for k, val := range map[string]string{"q": sq.Q, "type": sq.Type, "status": sq.Status, "channel": sq.Channel,
		"owner": sq.Owner, "from": sq.From, "to": sq.To, "cursor": sq.Cursor} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v.Encode()
}

// searchData is the search page's data.
type searchData struct {
	Query         searchQuery
	Conversations []searchConversation
	Customers     []searchCustomer
	Articles      []helpResult
	// Invalid names what was wrong with the query, for the page to say.
	Invalid  bool
	Searched bool
	NextURL  string
	Statuses []kesher.Status
	Channels []kesher.Channel
	// Types and Owners are the choices of their filters ("" for any).
	Types, Owners []string
}

// searchConversation is a conversation a search found, by its subject or
// its messages, with the snippet of its best match.
type searchConversation struct {
	row
	Snippet template.HTML
	// More counts its other matches on this page.
	More int
}

type searchCustomer struct {
	*kesher.Customer
	Snippet template.HTML
}

func (w *Web) search(rw http.ResponseWriter, r *http.Request, p *page) error {
	sq := parseSearchQuery(r.URL.Query())
	d := &searchData{Query: sq, Statuses: kesher.Statuses, Channels: kesher.Channels,
		Types: []string{"", "conversations", "customers", "articles"}, Owners: []string{"", "me", "none"}}
	p.Title, p.Nav, p.Data = p.L.T("search.title"), "inbox", d
	if sq.Q == "" {
		w.render(rw, http.StatusOK, "search", p)
		return nil
	}
	req, ok := sq.request(p.L.Location())
	if !ok {
		d.Invalid = true
		w.render(rw, http.StatusOK, "search", p)
		return nil
	}
	hits, next, err := w.desk.Search(r.Context(), req)
	if kesher.ErrorCode(err) == kesher.ECodeValidation {
		d.Invalid = true
		w.render(rw, http.StatusOK, "search", p)
		return nil
	}
	if err != nil {
		return err
	}
	d.Searched = true
	dir, err := w.loadDirectory(r.Context())
	if err != nil {
		return err
	}
	seen := map[string]int{} // conversation id → index in d.Conversations
	var convs []*kesher.Conversation
	var snippets []template.HTML
	for _, h := range hits {
		switch h.Kind {
		case kesher.SearchConversation, kesher.SearchMessage:
			if i, ok := seen[h.ConversationID]; ok {
				d.Conversations[i].More++
				continue
			}
			c, err := w.desk.Conversation(r.Context(), h.ConversationID)
			if kesher.ErrorCode(err) == kesher.ECodeNotFound {
				continue
			} else if err != nil {
				return err
			}
			seen[h.ConversationID] = len(d.Conversations)
			d.Conversations = append(d.Conversations, searchConversation{})
			convs = append(convs, c)
			snippets = append(snippets, template.HTML(h.Snippet)) // the desk escapes everything but <mark>
		case kesher.SearchCustomer:
			c, err := w.desk.Customer(r.Context(), h.ID)
			if kesher.ErrorCode(err) == kesher.ECodeNotFound {
				continue
			} else if err != nil {
				return err
			}
			d.Customers = append(d.Customers, searchCustomer{Customer: c, Snippet: template.HTML(h.Snippet)})
		case kesher.SearchArticle:
			a, err := w.desk.Article(r.Context(), h.ID)
			if kesher.ErrorCode(err) == kesher.ECodeNotFound {
				continue
			} else if err != nil {
				return err
			}
			d.Articles = append(d.Articles, helpResult{Article: a, Snippet: template.HTML(h.Snippet)})
		}
	}
	rows, err := w.rows(r.Context(), convs, dir, p.Now)
	if err != nil {
		return err
	}
	for i := range rows {
		d.Conversations[i].row, d.Conversations[i].Snippet = rows[i], snippets[i]
	}
	if next != "" {
		nq := sq
		nq.Cursor = next
		d.NextURL = "/search?" + nq.encode()
	}
	w.render(rw, http.StatusOK, "search", p)
	return nil
}

// request turns the page's query into the desk's; dates are days in the
// user's time zone. ok is false when a value is not one the form offers.
func (sq searchQuery) request(loc *time.Location) (desk.SearchRequest, bool) {
	req := desk.SearchRequest{Query: sq.Q, Owner: sq.Owner, Cursor: sq.Cursor, Limit: searchPage}
	switch sq.Type {
	case "":
	case "conversations":
		req.Kinds = []kesher.SearchKind{kesher.SearchConversation, kesher.SearchMessage}
	case "customers":
		req.Kinds = []kesher.SearchKind{kesher.SearchCustomer}
	case "articles":
		req.Kinds = []kesher.SearchKind{kesher.SearchArticle}
	default:
		return req, false
	}
	if sq.Status != "" {
		req.Statuses = []kesher.Status{kesher.Status(sq.Status)}
	}
	if sq.Channel != "" {
		req.Channels = []kesher.Channel{kesher.Channel(sq.Channel)}
	}
	for _, day := range []struct {
		s    string
		t    *time.Time
		next bool
	}{{sq.From, &req.From, false}, {sq.To, &req.To, true}} {
		if day.s == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, day.s, loc)
		if err != nil {
			return req, false
		}
		if day.next { // "to" includes its whole day
			t = t.AddDate(0, 0, 1)
		}
		*day.t = t
	}
	return req, true
}
