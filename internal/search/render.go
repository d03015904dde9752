package search

import (
	"strconv"
	"strings"
)

// FTS5 returns q as an FTS5 MATCH expression over a table whose columns
// are named base and loose (see Doc). An empty query gives "".
func (q Query) FTS5() string {
	if q.Empty() {
		return ""
	}
	join := " AND "
	if q.Any {
		join = " OR "
	}
	must := make([]string, len(q.Must))
	for i, g := range q.Must {
		must[i] = g.fts5()
	}
	expr := "(" + strings.Join(must, join) + ")"
	if len(q.Not) > 0 {
		not := make([]string, len(q.Not))
		for i, g := range q.Not {
			not[i] = g.fts5()
		}
		expr += " NOT (" + strings.Join(not, " OR ") + ")"
	}
	return expr
}

func (g Group) fts5() string {
	if g.Phrase {
		words := make([]string, len(g.Terms))
		for i, t := range g.Terms {
			words[i] = t.Base
		}
		return `{base} : "` + strings.Join(words, " ") + `"`
	}
	alts := g.alternatives()
	for i, a := range alts {
		alts[i] = `"` + a + `"`
	}
	for _, p := range g.Prefixes {
		alts = append(alts, `"`+p+`" *`)
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}

// TSQuery returns q as a PostgreSQL tsquery literal over the tsvector that
// TSVector builds. An empty query gives "".
func (q Query) TSQuery() string {
	if q.Empty() {
		return ""
	}
	join := " & "
	if q.Any {
		join = " | "
	}
	must := make([]string, len(q.Must))
	for i, g := range q.Must {
		must[i] = g.tsquery()
	}
	expr := "(" + strings.Join(must, join) + ")"
	if len(q.Not) > 0 {
		not := make([]string, len(q.Not))
		for i, g := range q.Not {
			not[i] = g.tsquery()
		}
		expr += " & !(" + strings.Join(not, " | ") + ")"
	}
	return expr
}

func (g Group) tsquery() string {
	if g.Phrase {
		words := make([]string, len(g.Terms))
		for i, t := range g.Terms {
			words[i] = "'" + t.Base + "'"
		}
		return "(" + strings.Join(words, " <-> ") + ")"
	}
	alts := g.alternatives()
	for i, a := range alts {
		alts[i] = "'" + a + "'"
	}
	for _, p := range g.Prefixes {
		alts = append(alts, "'"+p+"':*")
	}
	return "(" + strings.Join(alts, " | ") + ")"
}

// alternatives are the forms a one-word group matches in a document's
// base words or loose keys: its base form and its loose key.
func (g Group) alternatives() []string {
	t := g.Terms[0]
	if t.Loose != "" && t.Loose != t.Base {
		return []string{t.Base, t.Loose}
	}
	return []string{t.Base}
}

// TSVector returns d as a PostgreSQL tsvector literal: each base word at
// its position (from 1), and the loose keys without positions, so phrases
// meet base words only, as in FTS5's base column.
func (d Doc) TSVector() string {
	positions := map[string][]int{}
	var order []string
	for i, w := range strings.Fields(d.Base) {
		if _, ok := positions[w]; !ok {
			order = append(order, w)
		}
		positions[w] = append(positions[w], i+1)
	}
	var b strings.Builder
	for _, w := range order {
		b.WriteString("'" + w + "':")
		for i, p := range positions[w] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
		b.WriteByte(' ')
	}
	for _, w := range strings.Fields(d.Loose) {
		if _, ok := positions[w]; !ok {
			positions[w] = nil
			b.WriteString("'" + w + "' ")
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}
