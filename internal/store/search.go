package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"kesher"
	"kesher/internal/search"
)

// docidSlots is how many documents of one microsecond docids tell apart;
// more move on to the next microsecond (see search_docs).
const docidSlots = 16

// kindMarker is the term every document of a kind carries among its loose
// terms, so that a search of one kind intersects term lists instead of
// filtering rows. U+F8F0 never starts a term the analyzer makes.
func kindMarker(k kesher.SearchKind) string { return "\uF8F0" + string(k) }

// Search returns the newest f.Limit documents f selects, newest first.
func (q *queries) Search(ctx context.Context, f kesher.SearchFilter) ([]*kesher.SearchCandidate, error) {
	if f.Match == nil || f.Limit < 1 {
		return nil, kesher.Errorf(kesher.ECodeValidation, "a search needs a match and a limit")
	}
	kinds := f.Kinds
	onConversation := len(f.Statuses) > 0 || len(f.Channels) > 0 || f.OwnerID != "" || f.Unowned
	if onConversation {
		kinds = slices.DeleteFunc(slices.Clone(orAll(kinds)), func(k kesher.SearchKind) bool {
			return k != kesher.SearchConversation && k != kesher.SearchMessage
		})
		if len(kinds) == 0 {
			return nil, nil
		}
	}
	var a args
	var where []string
	if q.d == &postgresDialect {
		tsq := f.Match.TSQuery()
		if len(kinds) > 0 && len(kinds) < len(allKinds) {
			tsq = "(" + tsq + ") & (" + markers(kinds, " | ", "'", "'") + ")"
		}
		where = append(where, "d.terms @@ "+a.add(tsq)+"::tsquery")
	} else {
		expr := f.Match.FTS5()
		if len(kinds) > 0 && len(kinds) < len(allKinds) {
			expr = "(" + expr + ") AND (" + markers(kinds, " OR ", `"`, `"`) + ")"
		}
		where = append(where, "search_fts MATCH "+a.add(expr))
	}
	docid := "d.docid"
	if q.d == &sqliteDialect {
		docid = "f.rowid" // FTS5 walks and bounds its own rowids
	}
	if f.Audience != "" {
		where = append(where, "(d.kind <> 'article' OR d.audience = "+a.add(f.Audience)+")")
	}
	if f.Language != "" {
		where = append(where, "(d.kind <> 'article' OR d.language = "+a.add(f.Language)+")")
	}
	from := "search_docs d"
	if q.d == &sqliteDialect {
		from = "search_fts f JOIN search_docs d ON d.docid = f.rowid"
	}
	if onConversation {
		from += " JOIN conversations c ON c.id = d.conversation_id"
		if len(f.Statuses) > 0 {
			where = append(where, "c.status IN "+in(&a, f.Statuses))
		}
		if len(f.Channels) > 0 {
			where = append(where, "c.channel IN "+in(&a, f.Channels))
		}
		if f.OwnerID != "" && f.Unowned {
			where = append(where, "(c.owner_id = "+a.add(f.OwnerID)+" OR c.owner_id IS NULL)")
		} else if f.OwnerID != "" {
			where = append(where, "c.owner_id = "+a.add(f.OwnerID))
		} else if f.Unowned {
			where = append(where, "c.owner_id IS NULL")
		}
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !f.From.IsZero() {
		lo = micros(f.From) * docidSlots
	}
	if !f.To.IsZero() {
		hi = micros(f.To) * docidSlots
	}
	var found []docKey
	var err error
	if q.d == &postgresDialect {
		found, err = q.matchPostgres(ctx, from, strings.Join(where, " AND "), a, lo, hi, f.Limit)
	} else {
		where = append(where, docid+" >= "+a.add(lo), docid+" < "+a.add(hi))
		found, err = q.match(ctx, "SELECT "+docid+", d.kind, d.ref_id FROM "+from+" WHERE "+strings.Join(where, " AND ")+
			" ORDER BY "+docid+" DESC LIMIT "+a.add(f.Limit), a, nil)
	}
	if err != nil {
		return nil, err
	}
	sources, err := q.sources(ctx, found)
	if err != nil {
		return nil, err
	}
	out := make([]*kesher.SearchCandidate, 0, len(found))
	for _, k := range found {
		s := sources[k]
		if s == nil || s.Gone {
			continue // changed since it was indexed; the indexer catches up
		}
		// An article's visibility or language may have changed since too:
		// what it is now decides.
		if s.Kind == kesher.SearchArticle && (f.Audience != "" && s.Audience != f.Audience || f.Language != "" && s.Language != f.Language) {
			continue
		}
		out = append(out, &kesher.SearchCandidate{Kind: s.Kind, ID: s.ID, ConversationID: s.ConversationID,
			CreatedAt: s.CreatedAt, Title: s.Title, Body: s.Body, Audience: s.Audience, Language: s.Language})
	}
	return out, nil
}

// match runs a search query, appending what it finds to found.
func (q *queries) match(ctx context.Context, query string, a args, found []docKey) ([]docKey, error) {
	rows, err := q.q.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, q.dbErr(err, "search")
	}
	defer rows.Close()
	for rows.Next() {
		var docid int64
		var k docKey
		if err := rows.Scan(&docid, &k.kind, &k.id); err != nil {
			return nil, err
		}
		found = append(found, k)
	}
	return found, rows.Err()
}

// The documents PostgreSQL reads in order before it turns to the index
// (see matchPostgres).
const (
	firstSearchWindow = 2_000
	maxSearchWindow   = 64_000
)

// matchPostgres finds the newest limit documents in [lo, hi) that match
// where, which refers to the documents as d and to what from joins them
// with; a holds where's arguments.
//
// PostgreSQL's GIN index finds every match and leaves them to be sorted,
// which for a word in every tenth message costs tens of milliseconds, and
// its planner cannot tell words that come together ("password reset
// email", a phrase) from words that do not, so left to choose it once
// read and sorted twenty thousand matches for a second. So the newest
// documents are read in order and tested, window by window, each window
// as large as the matches seen so far say is needed, at most
// maxSearchWindow; when matches are too rare for that, the index finds
// the rest. The result is the same as one query's.
func (q *queries) matchPostgres(ctx context.Context, from, where string, a args, lo, hi int64, limit int) ([]docKey, error) {
	joins := strings.TrimPrefix(from, "search_docs d")
	var found []docKey
	window, scanned, hits := firstSearchWindow, 0, 0
	for top := hi; len(found) < limit && top > lo; {
		n := len(a)
		p := func(i int) string { return "$" + strconv.Itoa(n+i) }
		need := limit - len(found)
		// Each query is planned for its own words and range: a prepared
		// statement's generic plan, which PostgreSQL turns to after five
		// runs, knows neither.
		if window == 0 {
			query := "SELECT d.docid, d.kind, d.ref_id FROM " + from + " WHERE " + where + " AND d.docid >= " + p(1) + " AND d.docid < " + p(2) +
				" ORDER BY d.docid DESC LIMIT " + p(3)
			return q.match(ctx, query, append(append(args{pgx.QueryExecModeExec}, a...), lo, top, need), found)
		}
		query := "SELECT d.docid, d.kind, d.ref_id FROM (SELECT docid, kind, ref_id, conversation_id, audience, language, terms FROM search_docs" +
			" WHERE docid >= " + p(1) + " AND docid < " + p(2) + " ORDER BY docid DESC LIMIT " + p(3) + ") d" + joins +
			" WHERE " + where + " ORDER BY d.docid DESC LIMIT " + p(4)
		before := len(found)
		var err error
		if found, err = q.match(ctx, query, append(append(args{pgx.QueryExecModeExec}, a...), lo, top, window, need), found); err != nil {
			return nil, err
		}
		if len(found) == limit {
			break
		}
		var bottom sql.NullInt64
		if err := q.q.QueryRowContext(ctx, "SELECT MIN(docid) FROM (SELECT docid FROM search_docs WHERE docid >= $1 AND docid < $2 ORDER BY docid DESC LIMIT $3) w",
			lo, top, window).Scan(&bottom); err != nil {
			return nil, q.dbErr(err, "search")
		}
		if !bottom.Valid {
			break // nothing older
		}
		top = bottom.Int64
		scanned, hits = scanned+window, hits+len(found)-before
		// Enough documents for the matches still wanted at the rate seen,
		// with a margin; the index when that is too many to read.
		window = 0
		if hits > 0 {
			if want := (limit - len(found)) * scanned / hits * 3 / 2; want <= maxSearchWindow {
				window = max(want, firstSearchWindow)
			}
		}
	}
	return found, nil
}

var allKinds = []kesher.SearchKind{kesher.SearchConversation, kesher.SearchMessage, kesher.SearchCustomer, kesher.SearchArticle}

func orAll(kinds []kesher.SearchKind) []kesher.SearchKind {
	if len(kinds) == 0 {
		return allKinds
	}
	return kinds
}

func markers(kinds []kesher.SearchKind, join, open, close string) string {
	ms := make([]string, len(kinds))
	for i, k := range kinds {
		ms[i] = open + kindMarker(k) + close
	}
	return strings.Join(ms, join)
}

// IndexQueue returns up to limit documents waiting to be indexed, in the
// order their sources changed.
func (q *queries) IndexQueue(ctx context.Context, limit int) ([]kesher.IndexTask, error) {
	rows, err := q.q.QueryContext(ctx, "SELECT seq, kind, ref_id FROM search_queue ORDER BY seq LIMIT $1", limit)
	if err != nil {
		return nil, q.dbErr(err, "search queue")
	}
	defer rows.Close()
	var tasks []kesher.IndexTask
	for rows.Next() {
		var t kesher.IndexTask
		if err := rows.Scan(&t.Seq, &t.Kind, &t.ID); err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	return tasks, rows.Err()
}

// CountIndexQueue counts the documents waiting to be indexed.
func (q *queries) CountIndexQueue(ctx context.Context) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM search_queue").Scan(&n)
	return n, q.dbErr(err, "search queue")
}

// IndexSources reads the current text of the tasks' documents, each once,
// in the order first named.
func (q *queries) IndexSources(ctx context.Context, tasks []kesher.IndexTask) ([]*kesher.IndexSource, error) {
	keys := make([]docKey, len(tasks))
	for i, t := range tasks {
		keys[i] = docKey{t.Kind, t.ID}
	}
	found, err := q.sources(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]*kesher.IndexSource, 0, len(found))
	seen := map[docKey]bool{}
	for _, t := range tasks {
		k := docKey{t.Kind, t.ID}
		if seen[k] {
			continue
		}
		seen[k] = true
		s := found[k]
		if s == nil {
			s = &kesher.IndexSource{Kind: t.Kind, ID: t.ID, Gone: true}
		}
		out = append(out, s)
	}
	return out, nil
}

// IndexVersion returns the analyzer version of the index, "" before the
// first build.
func (q *queries) IndexVersion(ctx context.Context) (string, error) {
	var v string
	err := q.q.QueryRowContext(ctx, "SELECT value FROM search_state WHERE name = 'analyzer'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, q.dbErr(err, "search state")
}

type docKey struct {
	kind kesher.SearchKind
	id   string
}

// sources loads the documents named by keys, by kind. Documents that do
// not exist are missing from the map; a merged customer is Gone.
func (q *queries) sources(ctx context.Context, keys []docKey) (map[docKey]*kesher.IndexSource, error) {
	byKind := map[kesher.SearchKind][]string{}
	for _, k := range keys {
		byKind[k.kind] = append(byKind[k.kind], k.id)
	}
	out := make(map[docKey]*kesher.IndexSource, len(keys))
	for kind, ids := range byKind {
		ids = uniq(ids)
		var err error
		switch kind {
		case kesher.SearchConversation:
			err = q.eachSource(ctx, out, kind, "SELECT id, id, created_at, subject, '' FROM conversations WHERE id IN ", ids)
		case kesher.SearchMessage:
			err = q.eachSource(ctx, out, kind, "SELECT id, conversation_id, created_at, '', body_text FROM messages WHERE id IN ", ids)
		case kesher.SearchCustomer:
			err = q.customerSources(ctx, out, ids)
		case kesher.SearchArticle:
			err = q.articleSources(ctx, out, ids)
		default:
			err = kesher.Errorf(kesher.ECodeValidation, "no documents of kind %q", kind)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func uniq(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// eachSource runs query (columns id, conversation id, created_at, title,
// body; ending in "IN ") over ids in chunks and adds what it finds.
func (q *queries) eachSource(ctx context.Context, out map[docKey]*kesher.IndexSource, kind kesher.SearchKind, query string, ids []string) error {
	for chunk := range slices.Chunk(ids, 500) {
		var a args
		rows, err := q.q.QueryContext(ctx, query+in(&a, chunk), a...)
		if err != nil {
			return q.dbErr(err, string(kind)+" sources")
		}
		for rows.Next() {
			s := &kesher.IndexSource{Kind: kind}
			var created int64
			if err := rows.Scan(&s.ID, &s.ConversationID, &created, &s.Title, &s.Body); err != nil {
				rows.Close()
				return err
			}
			s.CreatedAt = fromMicros(created)
			out[docKey{kind, s.ID}] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// customerSources loads customers with their identities as the body; a
// merged customer is Gone, since searches find the one it went into.
func (q *queries) customerSources(ctx context.Context, out map[docKey]*kesher.IndexSource, ids []string) error {
	for chunk := range slices.Chunk(ids, 500) {
		var a args
		list := in(&a, chunk)
		rows, err := q.q.QueryContext(ctx, "SELECT id, name, merged_into IS NOT NULL, created_at FROM customers WHERE id IN "+list, a...)
		if err != nil {
			return q.dbErr(err, "customer sources")
		}
		for rows.Next() {
			s := &kesher.IndexSource{Kind: kesher.SearchCustomer}
			var created int64
			if err := rows.Scan(&s.ID, &s.Title, &s.Gone, &created); err != nil {
				rows.Close()
				return err
			}
			s.CreatedAt = fromMicros(created)
			out[docKey{kesher.SearchCustomer, s.ID}] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = q.q.QueryContext(ctx, "SELECT customer_id, value FROM identities WHERE customer_id IN "+list+" ORDER BY customer_id, created_at, id", a...)
		if err != nil {
			return q.dbErr(err, "customer identities")
		}
		for rows.Next() {
			var id, value string
			if err := rows.Scan(&id, &value); err != nil {
				rows.Close()
				return err
			}
			if s := out[docKey{kesher.SearchCustomer, id}]; s != nil {
				s.Body = strings.TrimSpace(s.Body + " " + value)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// articleSources loads articles: title, and summary and Markdown body as
// the body; a draft is Gone, since searches find published articles only.
func (q *queries) articleSources(ctx context.Context, out map[docKey]*kesher.IndexSource, ids []string) error {
	for chunk := range slices.Chunk(ids, 500) {
		var a args
		rows, err := q.q.QueryContext(ctx, "SELECT id, created_at, title, summary, body, visibility, language, state FROM articles WHERE id IN "+in(&a, chunk), a...)
		if err != nil {
			return q.dbErr(err, "article sources")
		}
		for rows.Next() {
			s := &kesher.IndexSource{Kind: kesher.SearchArticle}
			var created int64
			var summary, body, state string
			if err := rows.Scan(&s.ID, &created, &s.Title, &summary, &body, &s.Audience, &s.Language, &state); err != nil {
				rows.Close()
				return err
			}
			s.CreatedAt, s.Body = fromMicros(created), strings.TrimSpace(summary+"\n\n"+body)
			s.Gone = state != string(kesher.ArticlePublished)
			out[docKey{kesher.SearchArticle, s.ID}] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// SaveIndex removes the done tasks from the queue and stores the index
// entries, removing those of gone documents. A document keeps its docid
// when it is indexed again.
func (t *tx) SaveIndex(ctx context.Context, entries []*kesher.IndexEntry, done []int64) error {
	// Taking the tasks off the queue first settles a race between nodes
	// indexing the same batch: the second one's delete waits for the first
	// to commit, then finds nothing left to do.
	var removed int64
	for chunk := range slices.Chunk(done, 500) {
		var a args
		res, err := t.q.ExecContext(ctx, "DELETE FROM search_queue WHERE seq IN "+in(&a, chunk), a...)
		if err != nil {
			return t.dbErr(err, "search queue")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		removed += n
	}
	if removed == 0 && len(done) > 0 {
		return nil
	}
	existing, err := t.docids(ctx, entries)
	if err != nil {
		return err
	}
	var added []*kesher.IndexEntry
	for _, e := range entries {
		docid, exists := existing[docKey{e.Kind, e.ID}]
		switch {
		case e.Gone && exists:
			if err := t.dropDoc(ctx, docid); err != nil {
				return err
			}
		case e.Gone: // never indexed: nothing to drop
		case exists:
			if err := t.updateDoc(ctx, docid, e); err != nil {
				return err
			}
		default:
			added = append(added, e)
		}
	}
	if len(added) == 0 {
		return nil
	}
	docids, err := t.freeDocids(ctx, added)
	if err != nil {
		return err
	}
	return t.insertDocs(ctx, added, docids)
}

// looseTerms are the entry's loose terms with its kind's marker.
func looseTerms(e *kesher.IndexEntry) string {
	return strings.TrimSpace(e.Loose + " " + kindMarker(e.Kind))
}

// docids returns the docids of the entries' documents that are indexed
// already, in one query per chunk.
func (t *tx) docids(ctx context.Context, entries []*kesher.IndexEntry) (map[docKey]int64, error) {
	out := make(map[docKey]int64, len(entries))
	for chunk := range slices.Chunk(entries, 400) {
		var a args
		pairs := make([]string, len(chunk))
		for i, e := range chunk {
			pairs[i] = "(" + a.add(e.Kind) + ", " + a.add(e.ID) + ")"
		}
		rows, err := t.q.QueryContext(ctx, "SELECT kind, ref_id, docid FROM search_docs WHERE (kind, ref_id) IN (VALUES "+strings.Join(pairs, ", ")+")", a...)
		if err != nil {
			return nil, t.dbErr(err, "search documents")
		}
		for rows.Next() {
			var k docKey
			var docid int64
			if err := rows.Scan(&k.kind, &k.id, &docid); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = docid
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// freeDocids gives each new entry the first docid of its microsecond (or
// a later one) that no document holds, reading the docids taken in one
// query on PostgreSQL, where every query is a round trip, and one per
// entry on SQLite, where a prepared point query costs less than building
// a new statement.
func (t *tx) freeDocids(ctx context.Context, entries []*kesher.IndexEntry) ([]int64, error) {
	used := map[int64]bool{}
	read := map[int64]bool{} // microseconds whose slots are in used
	if t.d == &postgresDialect {
		bases := make([]int64, len(entries))
		for i, e := range entries {
			bases[i] = micros(e.CreatedAt) * docidSlots
			read[bases[i]] = true
		}
		if err := t.collectDocids(ctx, used, "SELECT s.docid FROM unnest($1::bigint[]) AS b(base) JOIN search_docs s ON s.docid >= b.base AND s.docid < b.base + $2",
			bases, int64(docidSlots)); err != nil {
			return nil, err
		}
	}
	out := make([]int64, len(entries))
	for i, e := range entries {
		for docid := micros(e.CreatedAt) * docidSlots; ; docid++ {
			if base := docid - docid%docidSlots; !read[base] {
				if err := t.collectDocids(ctx, used, "SELECT docid FROM search_docs WHERE docid >= $1 AND docid < $2", base, base+docidSlots); err != nil {
					return nil, err
				}
				read[base] = true
			}
			if !used[docid] {
				out[i], used[docid] = docid, true
				break
			}
		}
	}
	return out, nil
}

// collectDocids adds the docids query returns to used.
func (t *tx) collectDocids(ctx context.Context, used map[int64]bool, query string, a ...any) error {
	rows, err := t.q.QueryContext(ctx, query, a...)
	if err != nil {
		return t.dbErr(err, "search documents")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		used[id] = true
	}
	return rows.Err()
}

// insertDocs stores new documents under their docids: on PostgreSQL in
// one statement of arrays, on SQLite row by row through prepared
// statements.
func (t *tx) insertDocs(ctx context.Context, entries []*kesher.IndexEntry, docids []int64) error {
	if t.d == &postgresDialect {
		n := len(entries)
		kinds, refs, convs, audiences, langs, terms := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i, e := range entries {
			kinds[i], refs[i], convs[i], audiences[i], langs[i] = string(e.Kind), e.ID, e.ConversationID, e.Audience, e.Language
			terms[i] = search.Doc{Base: e.Base, Loose: looseTerms(e)}.TSVector()
		}
		_, err := t.q.ExecContext(ctx, `INSERT INTO search_docs (docid, kind, ref_id, conversation_id, audience, language, terms)
			SELECT docid, kind, ref_id, conversation_id, audience, language, terms::tsvector
			FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
				AS u(docid, kind, ref_id, conversation_id, audience, language, terms)`,
			docids, kinds, refs, convs, audiences, langs, terms)
		return t.dbErr(err, "search documents")
	}
	for i, e := range entries {
		if _, err := t.q.ExecContext(ctx, "INSERT INTO search_docs (docid, kind, ref_id, conversation_id, audience, language) VALUES ($1, $2, $3, $4, $5, $6)",
			docids[i], e.Kind, e.ID, e.ConversationID, e.Audience, e.Language); err != nil {
			return t.dbErr(err, "search document")
		}
		if _, err := t.q.ExecContext(ctx, "INSERT INTO search_fts (rowid, base, loose) VALUES ($1, $2, $3)", docids[i], e.Base, looseTerms(e)); err != nil {
			return t.dbErr(err, "search terms")
		}
	}
	return nil
}

// updateDoc stores an indexed document's new terms under its docid.
func (t *tx) updateDoc(ctx context.Context, docid int64, e *kesher.IndexEntry) error {
	if t.d == &postgresDialect {
		_, err := t.q.ExecContext(ctx, "UPDATE search_docs SET conversation_id = $1, audience = $2, language = $3, terms = $4::tsvector WHERE docid = $5",
			e.ConversationID, e.Audience, e.Language, search.Doc{Base: e.Base, Loose: looseTerms(e)}.TSVector(), docid)
		return t.dbErr(err, "search document")
	}
	if _, err := t.q.ExecContext(ctx, "DELETE FROM search_fts WHERE rowid = $1", docid); err != nil {
		return t.dbErr(err, "search terms")
	}
	if _, err := t.q.ExecContext(ctx, "UPDATE search_docs SET conversation_id = $1, audience = $2, language = $3 WHERE docid = $4",
		e.ConversationID, e.Audience, e.Language, docid); err != nil {
		return t.dbErr(err, "search document")
	}
	_, err := t.q.ExecContext(ctx, "INSERT INTO search_fts (rowid, base, loose) VALUES ($1, $2, $3)", docid, e.Base, looseTerms(e))
	return t.dbErr(err, "search terms")
}

func (t *tx) dropDoc(ctx context.Context, docid int64) error {
	if t.d == &sqliteDialect {
		if _, err := t.q.ExecContext(ctx, "DELETE FROM search_fts WHERE rowid = $1", docid); err != nil {
			return t.dbErr(err, "search terms")
		}
	}
	_, err := t.q.ExecContext(ctx, "DELETE FROM search_docs WHERE docid = $1", docid)
	return t.dbErr(err, "search document")
}

// RebuildIndex queues every document to be indexed again, newest first,
// and records the analyzer version the index is being built with. Until
// the indexer is through, searches find what the old index holds.
func (t *tx) RebuildIndex(ctx context.Context, version string) error {
	for _, query := range []string{
		// Everything queued is queued again below.
		"DELETE FROM search_queue",
		"INSERT INTO search_queue (kind, ref_id) SELECT 'message', id FROM messages ORDER BY created_at DESC",
		"INSERT INTO search_queue (kind, ref_id) SELECT 'conversation', id FROM conversations ORDER BY created_at DESC",
		"INSERT INTO search_queue (kind, ref_id) SELECT 'customer', id FROM customers WHERE merged_into IS NULL ORDER BY created_at DESC",
		"INSERT INTO search_queue (kind, ref_id) SELECT 'article', id FROM articles WHERE state = 'published'",
	} {
		if _, err := t.q.ExecContext(ctx, query); err != nil {
			return t.dbErr(err, "search index rebuild")
		}
	}
	_, err := t.q.ExecContext(ctx, "INSERT INTO search_state (name, value) VALUES ('analyzer', $1)"+
		" ON CONFLICT (name) DO UPDATE SET value = excluded.value", version)
	return t.dbErr(err, "search state")
}

// TuneIndex merges PostgreSQL's pending GIN entries and refreshes its
// statistics of the search tables. SQLite's FTS5 merges its segments as
// it goes, and its planner needs no statistics for the index's queries.
func (db *DB) TuneIndex(ctx context.Context) error {
	if db.d != &postgresDialect {
		return nil
	}
	// VACUUM cannot run in a transaction, so not through the writer.
	_, err := db.reader.ExecContext(ctx, "VACUUM (ANALYZE) search_docs, search_queue")
	return db.dbErr(err, "search index upkeep")
}

// SearchSizes returns the bytes the search index takes on disk (its
// tables and indexes) and the bytes of the text it indexes (messages,
// subjects, customers' names and identities), for benchmarks and
// operators sizing a desk.
func (db *DB) SearchSizes(ctx context.Context) (index, text int64, err error) {
	sizeQuery := "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'search%'"
	if db.d == &postgresDialect {
		sizeQuery = "SELECT pg_total_relation_size('search_docs') + pg_total_relation_size('search_queue')"
	}
	if err := db.reader.QueryRowContext(ctx, sizeQuery).Scan(&index); err != nil {
		return 0, 0, err
	}
	err = db.reader.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(SUM(octet_length(body_text)), 0) FROM messages) +
		(SELECT COALESCE(SUM(octet_length(subject)), 0) FROM conversations) +
		(SELECT COALESCE(SUM(octet_length(name)), 0) FROM customers WHERE merged_into IS NULL) +
		(SELECT COALESCE(SUM(octet_length(value)), 0) FROM identities)`).Scan(&text)
	return index, text, err
}
