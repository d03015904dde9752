// Package search is the desk's full-text search, apart from any database:
// it turns texts into the index text that SQLite FTS5 and PostgreSQL
// tsvector both store, parses a query into the same match expression for
// either engine, and ranks and highlights what they find. Neither engine
// knows Hebrew, so neither analyses anything: both are given terms the
// analyzer made, and the match expressions name only such terms. So a
// query finds the same documents on both backends, and the ranking, done
// here, orders them the same way.
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"kesher/internal/analyze"
)

// Limits that keep a document's index text within what both engines take:
// PostgreSQL keeps word positions up to 16,383 and lexemes up to 2 KiB.
const (
	maxWords    = 16000
	maxTermSize = 100 // bytes; longer terms (pasted data, hashes) are not indexed
)

// Searcher analyses documents and queries with one analyzer, so the two
// meet.
type Searcher struct {
	terms func(text string) []analyze.Term
	// stems returns what an unfinished word may begin with besides its
	// own letters (see prefixesOf).
	stems func(word string) []string
}

// New returns a Searcher that analyses with a, which the desk takes from
// analyze.Default.
func New(a *analyze.Analyzer) *Searcher {
	return &Searcher{terms: a.Terms, stems: analyze.PrefixStems}
}

// NewPlain returns a Searcher that knows no language: it splits text at
// anything that is not a letter or a digit and lower-cases the pieces,
// nothing else. It is the baseline that the judged evaluation measures the
// analyzer against.
func NewPlain() *Searcher {
	return &Searcher{terms: plainTerms, stems: func(string) []string { return nil }}
}

// plainTerms returns the letter and digit runs of text, lower-cased, each
// its own exact, base and loose form.
func plainTerms(text string) []analyze.Term {
	var terms []analyze.Term
	start := -1
	for i, r := range text + " " {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			w := strings.ToLower(text[start:i])
			terms = append(terms, analyze.Term{Exact: w, Base: w, Loose: w, Start: start, End: i})
			start = -1
		}
	}
	return terms
}

// Doc is the index text of one document. Each field holds encoded terms
// separated by single spaces.
type Doc struct {
	// Exact and Base hold every word, in order, in its exact and its base
	// form: position i of one is position i of the other. Only Base is
	// matched (phrases too); Exact is kept for ranking.
	Exact, Base string
	// Loose holds the loose keys (analyze.Term.Loose) that differ from
	// their word's base, in order but without positions of their own: they
	// widen single-word matches and take no part in phrases.
	Loose string
	// TitleWords is how many leading words came from the title.
	TitleWords int
}

// Words returns the number of words in d.
func (d Doc) Words() int {
	if d.Base == "" {
		return 0
	}
	return strings.Count(d.Base, " ") + 1
}

// Document returns the index text of a document with this title and body
// (either may be empty).
func (s *Searcher) Document(title, body string) Doc {
	var exact, base, loose strings.Builder
	n := 0
	add := func(text string) {
		for _, t := range s.terms(text) {
			if n == maxWords {
				return
			}
			e, b, l := Encode(t.Exact), Encode(t.Base), Encode(t.Loose)
			if len(e) > maxTermSize || len(b) > maxTermSize || b == "" {
				continue
			}
			if n > 0 {
				exact.WriteByte(' ')
				base.WriteByte(' ')
			}
			exact.WriteString(e)
			base.WriteString(b)
			if l != b && l != "" && len(l) <= maxTermSize {
				if loose.Len() > 0 {
					loose.WriteByte(' ')
				}
				loose.WriteString(l)
			}
			n++
		}
	}
	add(title)
	titleWords := n
	add(body)
	return Doc{Exact: exact.String(), Base: base.String(), Loose: loose.String(), TitleWords: titleWords}
}

// privateUse is where Encode maps the signs that terms keep (an email's
// "@" and ".", a time's ":", a geresh): to private-use characters, which
// FTS5's unicode61 tokenizer takes as parts of a token and PostgreSQL's
// tsvector literals take as they are, so a term stays one token in both.
const privateUse = 0xE000

// Encode returns term with every character that is neither a letter nor a
// digit replaced by a private-use character of its own.
func Encode(term string) string {
	clean := true
	for _, r := range term {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			clean = false
			break
		}
	}
	if clean {
		return term
	}
	var b strings.Builder
	b.Grow(len(term) + 8)
	for _, r := range term {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r < utf8.RuneSelf:
			b.WriteRune(privateUse + r)
		default:
			// Other signs do not come out of the analyzer; should one,
			// it still must not split the term.
			b.WriteRune(privateUse + 0x80 + r%0x780)
		}
	}
	return b.String()
}
