package desk

import (
	"context"
	"strings"

	"kesher"
)

// Searches of the knowledge base: the help centre's, for visitors, and
// the articles suggested to an agent beside a conversation (P5, P6).

// helpSearchLimit bounds one page of help-centre results; as-you-type
// suggestions show fewer.
const helpSearchLimit = 20

// HelpSearchRequest is a visitor's search of the help centre.
type HelpSearchRequest struct {
	Language string
	Query    string
	// Typing asks for suggestions while the visitor types: the last word
	// may be unfinished, and the search is not recorded.
	Typing bool
	Limit  int
	// Visitor, when known, has the search counted for deflection.
	Visitor kesher.VisitorID
}

// HelpHit is an article the help centre found.
type HelpHit struct {
	Article *kesher.Article
	// Snippet is HTML, as SearchHit's.
	Snippet string
}

// HelpSearch finds the public, published articles of the help centre in
// one language. A finished search by a known visitor is recorded, with how
// many articles it found, for the deflection statistics.
//
// Errors: ECodeValidation on field q for a query search refuses.
func (d *Desk) HelpSearch(ctx context.Context, r HelpSearchRequest) ([]HelpHit, error) {
	q, err := d.searcher.Parse(r.Query, r.Typing)
	if err != nil {
		return nil, err
	}
	f := kesher.SearchFilter{Kinds: []kesher.SearchKind{kesher.SearchArticle}, Audience: string(kesher.VisibilityPublic),
		Language: r.Language, Limit: maxCandidates}
	hits, _, err := d.find(ctx, q, f, 0, min(orDefault(r.Limit, helpSearchLimit), helpSearchLimit))
	if err != nil {
		return nil, err
	}
	out, err := d.articlesOf(ctx, hits, func(a *kesher.Article) bool { return a.Public() && a.Language == r.Language })
	if err != nil {
		return nil, err
	}
	if !r.Typing && r.Visitor > 0 && strings.TrimSpace(r.Query) != "" {
		if err := d.RecordHelpSearch(ctx, HelpSearch{Visitor: r.Visitor, Query: r.Query, Results: len(out)}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// articlesOf reads the articles of hits, keeping those keep accepts as
// they are now (the index may lag a change by a moment).
func (d *Desk) articlesOf(ctx context.Context, hits []*SearchHit, keep func(*kesher.Article) bool) ([]HelpHit, error) {
	out := make([]HelpHit, 0, len(hits))
	for _, h := range hits {
		a, err := d.store.Article(ctx, h.ID)
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		if a.State == kesher.ArticlePublished && keep(a) {
			out = append(out, HelpHit{Article: a, Snippet: h.Snippet})
		}
	}
	return out, nil
}

// Agent assist: how many articles a conversation suggests, and how much of
// the customer's writing they are found from.
const (
	suggestedArticles = 3
	suggestMessages   = 3  // the customer's first messages and the latest
	suggestWords      = 24 // distinct words of them, in order
)

// SuggestArticles returns the published articles, internal or public,
// most relevant to what the customer wrote: the conversation's subject and
// the customer's latest messages, by any of their words, ranked by how
// many and how rare (P5).
//
// Errors: ECodeNotFound for an unknown conversation.
func (d *Desk) SuggestArticles(ctx context.Context, conversationID string) ([]HelpHit, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	conv, err := d.store.Conversation(ctx, conversationID)
	if err != nil {
		return nil, err
	}
	texts := []string{conv.Subject}
	msgs, err := d.customerWords(ctx, conv)
	if err != nil {
		return nil, err
	}
	texts = append(texts, msgs...)
	q := d.searcher.About(strings.Join(texts, "\n"), suggestWords)
	f := kesher.SearchFilter{Kinds: []kesher.SearchKind{kesher.SearchArticle}, Limit: maxCandidates}
	hits, _, err := d.find(ctx, q, f, 0, suggestedArticles)
	if err != nil {
		return nil, err
	}
	return d.articlesOf(ctx, hits, func(*kesher.Article) bool { return true })
}

// customerWords returns what the customer wrote that tells what the
// conversation is about: the first messages of the story and the latest
// one, without reading a long thread whole.
func (d *Desk) customerWords(ctx context.Context, conv *kesher.Conversation) ([]string, error) {
	first, _, err := d.store.Messages(ctx, conv.ID, kesher.Page{Limit: 10})
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range first {
		if m.Direction == kesher.Inbound && len(out) < suggestMessages-1 {
			out, seen[m.ID] = append(out, m.BodyText), true
		}
	}
	last, err := d.store.LatestMessage(ctx, conv.ID, conv.Channel, kesher.Inbound)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	if !seen[last.ID] {
		out = append(out, last.BodyText)
	}
	return out, nil
}
