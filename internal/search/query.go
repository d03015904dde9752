package search

import (
	"strings"
	"unicode/utf8"

	"kesher"
)

// Query limits; beyond them a query is ECodeValidation on field "q".
const (
	MaxQueryLength = 500 // bytes
	maxGroups      = 32
)

// Query is a parsed search: the groups that must match and those that
// must not.
type Query struct {
	Must []Group
	Not  []Group
	// Any matches documents with at least one of Must instead of all; see
	// Query.Widen.
	Any bool
}

// Group is one condition: a word, a phrase or a word being typed.
type Group struct {
	// Terms are the group's words, encoded; one for a word, several for a
	// phrase.
	Terms []Term
	// Phrase requires Terms as consecutive words.
	Phrase bool
	// Prefixes, for the last word of a query typed as you go, are the
	// beginnings any word of a document may start with.
	Prefixes []string
	// Stop marks a group made of one very common word, left out when the
	// query is widened.
	Stop bool
}

// Term is one query word in its three forms, encoded.
type Term struct{ Exact, Base, Loose string }

// Empty reports whether q has nothing to match.
func (q Query) Empty() bool { return len(q.Must) == 0 }

// Widen returns q matching any of its groups instead of all, leaving out
// very common words unless nothing else is left; ok is false when that
// would match what q matches (one group or fewer).
func (q Query) Widen() (Query, bool) {
	if q.Any || len(q.Must) < 2 {
		return q, false
	}
	w := Query{Not: q.Not, Any: true}
	for _, g := range q.Must {
		if !g.Stop {
			w.Must = append(w.Must, g)
		}
	}
	if len(w.Must) == 0 {
		w.Must = q.Must
	}
	return w, true
}

// Parse reads a query: words, "quoted phrases", and -word or -"phrase"
// for what must not be there. With typing set, the last word may be
// unfinished and matches the words it begins (search as you type). A
// query with nothing to match gives an empty Query; one that is too long
// or has too many words is ECodeValidation on field "q".
func (s *Searcher) Parse(q string, typing bool) (Query, error) {
	if len(q) > MaxQueryLength {
		return Query{}, kesher.FieldError("q", "too_long", "a query has at most %d bytes", MaxQueryLength)
	}
	var out Query
	parts := split(q)
	for i, p := range parts {
		last := typing && i == len(parts)-1 && !p.quoted && !p.not && !strings.HasSuffix(q, " ")
		groups := s.groups(p, last)
		if p.not {
			out.Not = append(out.Not, groups...)
		} else {
			out.Must = append(out.Must, groups...)
		}
	}
	if len(out.Must)+len(out.Not) > maxGroups {
		return Query{}, kesher.FieldError("q", "too_many_words", "a query has at most %d words", maxGroups)
	}
	return out, nil
}

// part is a piece of a query as typed: a word or a quoted phrase, maybe
// negated.
type part struct {
	text        string
	quoted, not bool
}

// split cuts a query at spaces, keeping "quoted phrases" whole. An
// unclosed quote runs to the end.
func split(q string) []part {
	var parts []part
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			i += size
			continue
		}
		var p part
		if r == '-' && i+1 < len(q) && q[i+1] != ' ' {
			p.not = true
			i++
		}
		if i < len(q) && isQuote(q[i:]) {
			_, qs := utf8.DecodeRuneInString(q[i:])
			i += qs
			end := i
			for end < len(q) && !isQuote(q[end:]) {
				end++
			}
			p.text, p.quoted = q[i:end], true
			if end < len(q) {
				_, qs := utf8.DecodeRuneInString(q[end:])
				end += qs
			}
			i = end
		} else {
			end := i
			for end < len(q) && q[end] != ' ' && q[end] != '\t' && q[end] != '\n' && q[end] != '\r' {
				end++
			}
			p.text = q[i:end]
			i = end
		}
		parts = append(parts, p)
	}
	return parts
}

// isQuote reports a phrase quote at the start of s: an ASCII double quote
// or a typographic one. Hebrew gershayim (״) are part of words (דו״ח).
func isQuote(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '"' || r == '“' || r == '”' || r == '„'
}

// groups turns one part into its groups: a phrase is one group, a word
// the analyzer splits ("הזמנה#4471") one group per term.
func (s *Searcher) groups(p part, typing bool) []Group {
	terms := s.terms(p.text)
	var out []Group
	var phrase []Term
	for i, t := range terms {
		term := Term{Exact: Encode(t.Exact), Base: Encode(t.Base), Loose: Encode(t.Loose)}
		if term.Base == "" || len(term.Base) > maxTermSize {
			continue
		}
		if p.quoted {
			phrase = append(phrase, term)
			continue
		}
		g := Group{Terms: []Term{term}, Stop: stopWords[t.Exact]}
		if typing && i == len(terms)-1 {
			g.Prefixes = s.prefixesOf(t.Exact)
		}
		out = append(out, g)
	}
	switch {
	case len(phrase) == 1:
		out = append(out, Group{Terms: phrase})
	case len(phrase) > 1:
		out = append(out, Group{Terms: phrase, Phrase: true})
	}
	return out
}

// prefixesOf returns what an unfinished word may begin: the word as typed
// and, for Hebrew, the word without each prefix the rules allow, of at
// least two letters, since the stem cannot be checked against the lexicon
// before it is finished.
func (s *Searcher) prefixesOf(exact string) []string {
	out := []string{Encode(exact)}
	for _, stem := range s.stems(exact) {
		out = append(out, Encode(stem))
	}
	return out
}

// About returns a query for the documents about text, such as the
// articles that answer a customer's message: any of its distinct words,
// very common ones left out, at most max of them in the order they first
// appear. Ranking then prefers documents with more of them, and rarer
// ones.
func (s *Searcher) About(text string, max int) Query {
	q := Query{Any: true}
	seen := map[string]bool{}
	for _, t := range s.terms(text) {
		term := Term{Exact: Encode(t.Exact), Base: Encode(t.Base), Loose: Encode(t.Loose)}
		if len(q.Must) == max {
			break
		}
		if term.Base == "" || len(term.Base) > maxTermSize || stopWords[t.Exact] || seen[term.Base] || utf8.RuneCountInString(t.Base) < 2 {
			continue
		}
		seen[term.Base] = true
		q.Must = append(q.Must, Group{Terms: []Term{term}})
	}
	return q
}
