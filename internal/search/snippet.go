package search

import (
	"html"
	"strings"
	"unicode/utf8"

	"kesher/internal/analyze"
)

// Snippet returns the part of text around q's matches, of at most about
// size characters, as HTML: the text escaped and each matching word in
// <mark>, with "…" where text was cut. Without a match in text it is the
// start of text.
func (s *Searcher) Snippet(text string, q Query, size int) string {
	terms := s.terms(text)
	marked := make([]int, len(terms)) // group index + 1, 0 for none
	for i, t := range terms {
		w := Term{Exact: Encode(t.Exact), Base: Encode(t.Base), Loose: Encode(t.Loose)}
		for g, grp := range q.Must {
			if grp.Phrase {
				if phraseFrom(terms[i:], grp) {
					for j := range grp.Terms {
						marked[i+j] = g + 1
					}
				}
				continue
			}
			if grp.matchesTerm(w) && marked[i] == 0 {
				marked[i] = g + 1
			}
		}
	}
	start, end := window(text, terms, marked, size)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	pos := start
	for i, t := range terms {
		if marked[i] == 0 || t.Start < start || t.End > end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:t.Start]))
		b.WriteString("<mark>" + html.EscapeString(text[t.Start:t.End]) + "</mark>")
		pos = t.End
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	if end < len(text) {
		b.WriteString("…")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func phraseFrom(terms []analyze.Term, g Group) bool {
	if len(terms) < len(g.Terms) {
		return false
	}
	for j, t := range g.Terms {
		if Encode(terms[j].Base) != t.Base {
			return false
		}
	}
	return true
}

// matchesTerm reports whether one word of a text, in its forms w, meets
// the one-word group g.
func (g Group) matchesTerm(w Term) bool {
	t := g.Terms[0]
	return w.Base == t.Base || w.Base == t.Loose || w.Loose == t.Base || w.Loose == t.Loose ||
		g.prefixOf(w.Base) || g.prefixOf(w.Loose)
}

// window picks the byte range of text, about size characters long and
// on word boundaries, that holds the most distinct matched groups, then
// the most matches, earliest first.
func window(text string, terms []analyze.Term, marked []int, size int) (int, int) {
	if utf8.RuneCountInString(text) <= size {
		return 0, len(text)
	}
	bestStart, bestScore := 0, -1
	for i := range terms {
		if marked[i] == 0 && i > 0 {
			continue
		}
		seen := map[int]bool{}
		hits := 0
		for j := i; j < len(terms) && utf8.RuneCountInString(text[terms[i].Start:terms[j].End]) <= size; j++ {
			if marked[j] > 0 {
				seen[marked[j]] = true
				hits++
			}
		}
		if score := len(seen)*1000 + hits; score > bestScore {
			bestStart, bestScore = i, score
		}
	}
	// A few words before the first match give it context.
	first := bestStart
	for first > 0 && bestStart-first < 4 {
		first--
	}
	start := 0
	if len(terms) > 0 {
		start = terms[first].Start
	}
	if first == 0 {
		start = 0
	}
	end := start
	for j := first; j < len(terms) && utf8.RuneCountInString(text[start:terms[j].End]) <= size; j++ {
		end = terms[j].End
	}
	if end == start {
		end = min(len(text), start+size)
		for end > start && !utf8.RuneStart(text[end-1]) {
			end--
		}
	}
	return start, end
}
