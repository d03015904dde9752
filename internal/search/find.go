package search

// Find asks match, an engine, for the candidates of q (newest first) and
// ranks them. When q matches nothing and has several groups, it asks again
// for documents with any of them (Query.Widen), so a long question still
// finds its best partial answers. It returns the query that found the
// candidates, for snippets.
func Find(q Query, match func(Query) ([]Candidate, error)) (Query, []Candidate, []Ranked, error) {
	if q.Empty() {
		return q, nil, nil, nil
	}
	cands, err := match(q)
	if err != nil {
		return q, nil, nil, err
	}
	if len(cands) == 0 {
		if wide, ok := q.Widen(); ok {
			q = wide
			if cands, err = match(q); err != nil {
				return q, nil, nil, err
			}
		}
	}
	return q, cands, q.Rank(cands), nil
}

// Memory is an index held in memory that matches as the engines do: the
// reference for tests and for the judged evaluation, which need no
// database.
type Memory struct {
	ids  []string
	docs []Candidate
}

// Add indexes a document; later documents count as newer.
func (m *Memory) Add(id string, c Candidate) {
	m.ids = append(m.ids, id)
	m.docs = append(m.docs, c)
}

// Match returns the ids and candidates of the newest limit documents q
// matches, newest first, as a store does.
func (m *Memory) Match(q Query, limit int) ([]string, []Candidate) {
	var ids []string
	var cands []Candidate
	for i := len(m.docs) - 1; i >= 0 && len(cands) < limit; i-- {
		if q.Matches(m.docs[i].Doc) {
			ids = append(ids, m.ids[i])
			cands = append(cands, m.docs[i])
		}
	}
	return ids, cands
}

// Search runs q through Find on m and returns the ids of the best n
// documents among the newest limit matches.
func (m *Memory) Search(q Query, limit, n int) []string {
	var ids []string
	_, _, ranked, _ := Find(q, func(q Query) ([]Candidate, error) {
		var cands []Candidate
		ids, cands = m.Match(q, limit)
		return cands, nil
	})
	out := make([]string, 0, min(n, len(ranked)))
	for _, r := range ranked[:min(n, len(ranked))] {
		out = append(out, ids[r.Index])
	}
	return out
}
