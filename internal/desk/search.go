package desk

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"time"

	"kesher"
	"kesher/internal/analyze"
	"kesher/internal/markdown"
	"kesher/internal/search"
)

// Search limits. A search ranks the newest maxCandidates documents that
// match, so a query that matches more than that ranks only the recent
// ones: a desk's searches are mostly for recent work, and the cap keeps
// every search fast however common its words.
const (
	maxCandidates   = 200
	maxSearchPage   = 50
	snippetSize     = 200 // characters
	indexBatch      = 2000
	indexIdlePoll   = 250 * time.Millisecond
	indexErrorPause = 5 * time.Second
	// tuneAfter is how many documents the indexer indexes before it tunes
	// the index (store.TuneIndex) the next time the queue runs dry.
	tuneAfter = 20_000
)

// SearchRequest is a search by an agent (or, with Audience "public", for
// the help centre).
type SearchRequest struct {
	Query string
	// Typing treats the last word as unfinished (search as you type).
	Typing bool
	Kinds  []kesher.SearchKind
	// Statuses, Channels and the owner hold to conversations and
	// messages; Owner is a user id, "me" or "none".
	Statuses []kesher.Status
	Channels []kesher.Channel
	Owner    string
	From, To time.Time
	// Audience "public" finds only public articles; Language limits
	// articles to one language.
	Audience, Language string
	Limit              int
	Cursor             string
}

// SearchHit is one result.
type SearchHit struct {
	Kind           kesher.SearchKind `json:"type"`
	ID             string            `json:"id"`
	ConversationID string            `json:"conversation_id,omitempty"`
	Title          string            `json:"title"`
	// Snippet is HTML: the text around the matches, escaped, the matching
	// words in <mark>.
	Snippet   string    `json:"snippet"`
	Score     float64   `json:"score"`
	CreatedAt time.Time `json:"created_at"`
}

// Search finds conversations, messages, customers and articles. Query is
// read by search.Searcher.Parse; an empty query finds nothing.
//
// Errors: ECodeValidation on fields q, type, owner, cursor or limit.
func (d *Desk) Search(ctx context.Context, r SearchRequest) ([]*SearchHit, string, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, "", err
	}
	var v kesher.Validation
	for _, k := range r.Kinds {
		v.Check(k.Valid(), "type", "invalid")
	}
	for _, s := range r.Statuses {
		v.Check(s.Valid(), "status", "invalid")
	}
	for _, c := range r.Channels {
		v.Check(c.Valid(), "channel", "invalid")
	}
	v.Check(r.Limit >= 0 && r.Limit <= maxSearchPage, "limit", "invalid")
	offset, cerr := strconv.Atoi(orDefault(r.Cursor, "0"))
	v.Check(cerr == nil && offset >= 0 && offset < maxCandidates, "cursor", "invalid")
	f := kesher.SearchFilter{Kinds: r.Kinds, Statuses: r.Statuses, Channels: r.Channels, From: r.From, To: r.To,
		Audience: r.Audience, Language: r.Language, Limit: maxCandidates}
	switch r.Owner {
	case "":
	case "none":
		f.Unowned = true
	case "me":
		v.Check(actor != nil, "owner", "invalid")
		if actor != nil {
			f.OwnerID = actor.ID
		}
	default:
		f.OwnerID = r.Owner
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	q, err := d.searcher.Parse(r.Query, r.Typing)
	if err != nil {
		return nil, "", err
	}
	return d.find(ctx, q, f, offset, orDefault(r.Limit, 20))
}

// find runs q through search.Find on the documents f selects and returns
// the ranked hits from offset, at most limit of them, and the cursor of
// the next page.
func (d *Desk) find(ctx context.Context, q search.Query, f kesher.SearchFilter, offset, limit int) ([]*SearchHit, string, error) {
	// found holds the documents behind the candidates of Find's last
	// match, in the same order.
	var found []*kesher.SearchCandidate
	used, _, ranked, err := search.Find(q, func(q search.Query) ([]search.Candidate, error) {
		f.Match = q
		var err error
		if found, err = d.store.Search(ctx, f); err != nil {
			return nil, err
		}
		return d.candidates(found), nil
	})
	if err != nil {
		return nil, "", err
	}
	if offset >= len(ranked) {
		return []*SearchHit{}, "", nil
	}
	end := min(offset+limit, len(ranked))
	hits := make([]*SearchHit, 0, end-offset)
	for _, rk := range ranked[offset:end] {
		c := found[rk.Index]
		hits = append(hits, &SearchHit{Kind: c.Kind, ID: c.ID, ConversationID: c.ConversationID, Title: c.Title,
			Snippet: d.snippet(c, used), Score: rk.Score, CreatedAt: c.CreatedAt})
	}
	next := ""
	if end < len(ranked) {
		next = strconv.Itoa(end)
	}
	return hits, next, nil
}

// candidates analyses what the store found, as ranking needs it, on every
// core: analysing up to maxCandidates texts is most of a search's time.
func (d *Desk) candidates(found []*kesher.SearchCandidate) []search.Candidate {
	now := d.clock.Now()
	out := make([]search.Candidate, len(found))
	size := max(16, (len(found)+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for start := 0; start < len(found); start += size {
		wg.Go(func() {
			for i := start; i < min(start+size, len(found)); i++ {
				c := found[i]
				c.Body = searchText(c.Kind, c.Body)
				out[i] = search.Candidate{Doc: d.searcher.Document(c.Title, c.Body), Age: now.Sub(c.CreatedAt),
					Evergreen: c.Kind == kesher.SearchCustomer || c.Kind == kesher.SearchArticle}
			}
		})
	}
	wg.Wait()
	return out
}

// searchText is the text of a document as search reads it: an article's
// Markdown as the words a reader sees.
func searchText(kind kesher.SearchKind, body string) string {
	if kind == kesher.SearchArticle {
		return markdown.Text(body)
	}
	return body
}

// snippet shows where a hit matched: in its body, else in its title.
func (d *Desk) snippet(c *kesher.SearchCandidate, q search.Query) string {
	if c.Body != "" {
		if s := d.searcher.Snippet(c.Body, q, snippetSize); s != "" {
			return s
		}
	}
	return d.searcher.Snippet(c.Title, q, snippetSize)
}

// RunIndexer keeps the search index up to date until ctx ends: it
// rebuilds the index when the analyzer changed, then indexes the documents
// whose sources changed, polling when there are none.
func (d *Desk) RunIndexer(ctx context.Context) {
	for ctx.Err() == nil {
		err := d.PrepareIndex(ctx)
		if err == nil {
			break
		}
		d.log.Error("checking the search index", "err", err)
		sleep(ctx, indexErrorPause)
	}
	untuned := 0
	for ctx.Err() == nil {
		n, err := d.IndexPending(ctx)
		untuned += n
		switch {
		case err != nil && ctx.Err() == nil:
			d.log.Error("indexing for search", "err", err)
			sleep(ctx, indexErrorPause)
		case n == 0 && untuned >= tuneAfter:
			if err := d.store.TuneIndex(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("tuning the search index", "err", err)
			}
			untuned = 0
		case n == 0:
			sleep(ctx, indexIdlePoll)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// PrepareIndex queues every document again when the index was built by
// another analyzer (or never). RunIndexer calls it first.
func (d *Desk) PrepareIndex(ctx context.Context) error {
	v, err := d.store.IndexVersion(ctx)
	if err != nil || v == analyze.Version {
		return err
	}
	d.log.Info("rebuilding the search index", "from_version", v, "to_version", analyze.Version)
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		// Another node may have started the rebuild meanwhile.
		if v, err := tx.IndexVersion(ctx); err != nil || v == analyze.Version {
			return err
		}
		return tx.RebuildIndex(ctx, analyze.Version)
	})
}

// IndexPending indexes one batch of the documents waiting in the queue and
// returns how many tasks it took off the queue.
func (d *Desk) IndexPending(ctx context.Context) (int, error) {
	tasks, err := d.store.IndexQueue(ctx, indexBatch)
	if err != nil || len(tasks) == 0 {
		return 0, err
	}
	sources, err := d.store.IndexSources(ctx, tasks)
	if err != nil {
		return 0, err
	}
	entries := make([]*kesher.IndexEntry, len(sources))
	for i, s := range sources {
		e := &kesher.IndexEntry{IndexSource: *s}
		if !s.Gone {
			doc := d.searcher.Document(s.Title, searchText(s.Kind, s.Body))
			e.Base, e.Loose = doc.Base, doc.Loose
		}
		entries[i] = e
	}
	done := make([]int64, len(tasks))
	for i, t := range tasks {
		done[i] = t.Seq
	}
	err = d.store.Write(ctx, func(tx kesher.Tx) error { return tx.SaveIndex(ctx, entries, done) })
	if err != nil {
		return 0, err
	}
	return len(tasks), nil
}

// ParseQuery parses a query as Search does, for callers that match in the
// store directly (benchmarks); nil for a query with nothing to match.
func (d *Desk) ParseQuery(text string, typing bool) (kesher.SearchMatch, error) {
	q, err := d.searcher.Parse(text, typing)
	if err != nil || q.Empty() {
		return nil, err
	}
	return q, nil
}
