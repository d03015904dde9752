// Package analyze turns message and article text into search terms, the
// same way for every index and every query. It is Hebrew-first: niqqud and
// cantillation are dropped, final letters folded, geresh and gershayim read
// however they were typed. English words are reduced to their Snowball
// stem, and emails, phone numbers and order numbers are kept whole so they
// can be found exactly.
//
// A Hebrew word is found under its base form: without the one-letter
// prefixes (ו ה ב כ ל מ ש), without plural, construct and possessive
// endings, and in the lexicon's spelling, so that "וכשההזמנות", "הזמנתך"
// and "הזמנה" meet, and so do "תכנית" and "תוכנית". Each reduction is
// checked against a lexicon, because a prefix letter or an ending is often
// part of a word: "ברק" is not ב+"רק", "שבת" is no construct form of
// "שבה". See Analyzer.Terms for the rules.
//
// The lexicon is hebrew.txt, a vocabulary written for this project: the
// words of a service desk and of everyday Hebrew, names and places. It is
// embedded and fixed, because indexes keep the terms it made; a change to
// it is a change of Version. No third-party word list is used. hspell and
// hunspell-he, whose data are AGPL-3.0, are neither embedded nor read.
//
// Stop words are not dropped: ranking gives them little weight, and a query
// such as "לא הגיע" needs its "לא".
package analyze

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"

	"kesher/internal/hebrew"
)

// Version names the analyzer's behaviour and its lexicon. Indexes keep the
// terms it made, so any change to what Terms returns for a text must change
// Version: the search index is then rebuilt.
const Version = "2"

// Kind says what a term is, so that callers can match exact kinds (an
// email, a phone number) exactly and words loosely.
type Kind uint8

const (
	Word   Kind = iota
	Number      // digits, with "." and ":" kept inside: "4471", "12.5", "15:00"
	Email       // lower-cased, whole
	Phone       // digits only, international form: "972501234567"
	Code        // an order or ticket number: "#4471" as "4471", "A-1234" as "a-1234"
)

func (k Kind) String() string {
	switch k {
	case Word:
		return "word"
	case Number:
		return "number"
	case Email:
		return "email"
	case Phone:
		return "phone"
	case Code:
		return "code"
	}
	return "kind?"
}

// Term is one word of a text as the search index keeps it: the form it was
// written in and the forms under which it is found.
type Term struct {
	// Exact is the word as written, normalised: lower-cased, niqqud
	// dropped, final letters folded; emails, phones and codes in the forms
	// Kind describes.
	Exact string
	// Base is the form searches match: a Hebrew word's base form (see
	// Analyzer.Terms), an English word's stem, Exact when nothing applies.
	// A query word and a text word meet when their Bases are equal.
	Base string
	// Loose is a second key for a Hebrew word the lexicon does not know,
	// under which it still meets the same word written with prefixes (see
	// Analyzer.Terms); Base for every other word.
	Loose      string
	Start, End int // byte offsets in the text
	Kind       Kind
}

// Analyzer makes the terms of texts. It is safe for concurrent use.
type Analyzer struct {
	lex   *lexicon
	stems *stemCache
}

//go:embed hebrew.txt
var vocabulary string

var builtIn = sync.OnceValue(func() *Analyzer { return &Analyzer{lex: newLexicon(vocabulary), stems: &stemCache{}} })

// Default returns the analyzer the desk uses, with the built-in lexicon.
// Every index and every query must use it, since terms made with another
// lexicon would not meet.
func Default() *Analyzer { return builtIn() }

// Terms returns the words of text in order, each once, with its forms.
//
// A Hebrew word's Base is the first of these forms that the lexicon knows,
// or the word as written when it knows none. The word itself comes first:
// a word the lexicon knows is taken whole, so "ברק" (a name) stays "ברק"
// and "שבת" stays "שבת". Then the word without a plural, construct or
// possessive ending (see inflections and possessives): "מוצרים" → "מוצר",
// "הזמנת" → "הזמנה", "הזמנותיי" → "הזמנה". Then the same for what is left
// after each legal prefix, shortest prefix first, while two letters or more
// are left: "בבקשה" is a word and stays, "בקשות" is "בקשה" rather than
// ב+"קשות", "וכשההזמנה" is וכשה+"הזמנה". Only when none of these is known
// are the same forms, without possessive endings, looked up in other
// spellings: a word of five letters or more that is a known word with some
// of its inner ו and י left out, or with a final א for its ה, is that word
// when only one group has such a word ("תכנית" → "תוכנית", "סיסמא" →
// "סיסמה").
//
// A form the lexicon lists maps to the base of its group there, so "ערים"
// is found as "עיר" and "להזמין" as "הזמנה".
//
// A Hebrew word the lexicon does not know at all gets, as its Loose key,
// what is left without its longest legal prefix when that keeps at least
// three letters: "בגלקסי" has the key "גלקסי", so it meets "גלקסי", which
// the lexicon does not know either.
func (a *Analyzer) Terms(text string) []Term {
	s := scanner{text: text, terms: make([]Term, 0, len(text)/6+1), lex: a.lex, stems: a.stems}
	s.run()
	return s.terms
}

// PrefixStems returns what is left of a normalised Hebrew word without
// each legal prefix, shortest prefix first, keeping stems of at least two
// letters, by the prefix rules alone: for words still being typed, whose
// stems the lexicon cannot judge yet.
func PrefixStems(word string) []string {
	var stems []string
	for i, n := 0, 0; i < len(word) && n < maxPrefix; n++ {
		_, size := utf8.DecodeRuneInString(word[i:])
		i += size
		if prefixes[word[:i]] && letters(word[i:]) >= 2 {
			stems = append(stems, word[i:])
		}
	}
	return stems
}

// scanner walks a text once, from left to right, and appends terms.
type scanner struct {
	text  string
	terms []Term
	buf   []byte   // the term being built, reused between words
	lex   *lexicon // nil: Hebrew words keep their written form as Base
	stems *stemCache
}

func (s *scanner) run() {
	text := s.text
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		var end int
		switch {
		case isHebrewLetter(r) || isHebrewForm(r):
			end = s.hebrew(i)
			t := &s.terms[len(s.terms)-1]
			if isPrefixLetter(t.Exact) && s.gluedToNonHebrew(end) {
				// "ה-iPhone", "ל-15:00", "ב15": the letter is a prefix of
				// what follows, not a word.
				s.terms = s.terms[:len(s.terms)-1]
			} else if s.lex != nil {
				s.lex.analyse(t)
			}
		case r == '+' || isDigit(r):
			if end = s.email(i); end > 0 {
				break
			}
			if end = s.phone(i); end > 0 {
				break
			}
			if r == '+' {
				end = i + 1
				break
			}
			end = s.number(i, Number)
		case r == '#' && i+1 < len(text) && isDigit(rune(text[i+1])):
			end = s.number(i+1, Code)
			s.terms[len(s.terms)-1].Start = i
		case unicode.IsLetter(r):
			if end = s.email(i); end > 0 {
				break
			}
			if end = s.code(i); end > 0 {
				break
			}
			end = s.latin(i)
		default:
			end = i + size
		}
		i = end
	}
}

// hebrew reads a Hebrew word from i and returns where it ends. Niqqud and
// cantillation are dropped, final letters folded, and a geresh between
// letters ("צ'יפס") kept as "'"; gershayim between letters ("דו"ח") are
// dropped, so an acronym matches however it was typed. A quote that does
// not stand between two letters is not part of the word.
func (s *scanner) hebrew(i int) int {
	text, start := s.text, i
	s.buf = s.buf[:0]
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case isHebrewLetter(r):
			s.buf = utf8.AppendRune(s.buf, foldFinal(r))
		case isHebrewForm(r):
			// Presentation forms such as "שׁ" (U+FB2A) carry their points
			// inside; their compatibility decomposition has the letter.
			for _, d := range norm.NFKD.String(string(r)) {
				if isHebrewLetter(d) {
					s.buf = utf8.AppendRune(s.buf, foldFinal(d))
				}
			}
		case hebrew.IsPoint(r):
		case hebrew.IsGeresh(r) || hebrew.IsGershayim(r):
			// Two apostrophes are gershayim typed on a keyboard without it.
			n := size
			if hebrew.IsGeresh(r) {
				if r2, size2 := utf8.DecodeRuneInString(text[i+size:]); hebrew.IsGeresh(r2) {
					r, n = '"', size+size2
				}
			}
			next, _ := utf8.DecodeRuneInString(text[i+n:])
			if !isHebrewLetter(next) {
				return s.emit(start, i, Word)
			}
			if hebrew.IsGeresh(r) {
				s.buf = append(s.buf, '\'')
			}
			size = n
		default:
			return s.emit(start, i, Word)
		}
		i += size
	}
	return s.emit(start, i, Word)
}

// gluedToNonHebrew reports whether the text at i continues, directly or
// after a hyphen or maqaf, with a letter, digit or sign that is not Hebrew.
func (s *scanner) gluedToNonHebrew(i int) bool {
	r, size := utf8.DecodeRuneInString(s.text[i:])
	if r == '-' || r == '־' {
		r, _ = utf8.DecodeRuneInString(s.text[i+size:])
	}
	return r == '#' || r == '+' || isDigit(r) || unicode.IsLetter(r) && !isHebrewLetter(r)
}

// latin reads a word in any non-Hebrew script: lower-cased, composed
// (NFKC, so "ﬁ" and full-width letters read as typed), and for plain English
// words found under their Snowball stem, so "refunds" and "refunded" meet at
// "refund".
func (s *scanner) latin(i int) int {
	text, start := s.text, i
	ascii := true
	s.buf = s.buf[:0]
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if hebrew.IsGeresh(r) && len(s.buf) > 0 {
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			if !unicode.IsLetter(next) || isHebrewLetter(next) {
				break
			}
			s.buf = append(s.buf, '\'') // "don't", "customer’s"
			i += size
			continue
		}
		if isHebrewLetter(r) || hebrew.IsPoint(r) || !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
			break
		}
		if r >= utf8.RuneSelf {
			ascii = false
		}
		s.buf = utf8.AppendRune(s.buf, unicode.ToLower(r))
		i += size
	}
	exact := string(s.buf)
	base := exact
	if ascii {
		base = s.stems.stem(exact)
	} else {
		exact = strings.ToLower(norm.NFKC.String(exact))
		base = exact
	}
	s.terms = append(s.terms, Term{Exact: exact, Base: base, Loose: base, Start: start, End: i, Kind: Word})
	return i
}

// number reads digits from i, joined by "." or ":" ("12.5", "15:00") and by
// a thousands comma ("1,200" as "1200").
func (s *scanner) number(i int, kind Kind) int {
	text, start := s.text, i
	s.buf = s.buf[:0]
	for i < len(text) {
		c := text[i]
		switch {
		case isDigit(rune(c)):
			s.buf = append(s.buf, c)
		case (c == '.' || c == ':') && i+1 < len(text) && isDigit(rune(text[i+1])) && kind == Number:
			s.buf = append(s.buf, c)
		case c == ',' && kind == Number && digitsAt(text, i+1) == 3:
		default:
			return s.emit(start, i, kind)
		}
		i++
	}
	return s.emit(start, i, kind)
}

// code reads an order number written as one to three Latin letters, an
// optional hyphen and at least three digits ("A-1234", "AB1234"), as
// "a-1234". It returns 0 when the text at i is not one.
func (s *scanner) code(i int) int {
	text, start := s.text, i
	for i < len(text) && i-start < 3 && isASCIILetter(text[i]) {
		i++
	}
	letters := i
	if letters == start || letters < len(text) && isASCIILetter(text[letters]) {
		return 0
	}
	if i < len(text) && text[i] == '-' {
		i++
	}
	n := digitsAt(text, i)
	end := i + n
	if n < 3 || end < len(text) && isWordByte(text[end]) {
		return 0
	}
	s.add(strings.ToLower(text[start:letters])+"-"+text[i:end], start, end, Code)
	return end
}

// email reads an address such as "Dana.Levi+orders@Example.co.il", lower
// cased and whole. It returns 0 when the text at i is not one.
func (s *scanner) email(i int) int {
	text := s.text
	at := i
	for at < len(text) && isLocalByte(text[at]) {
		at++
	}
	if at == i || at >= len(text) || text[at] != '@' {
		return 0
	}
	end := at + 1
	for end < len(text) && (isASCIILetter(text[end]) || isDigit(rune(text[end])) || text[end] == '.' || text[end] == '-') {
		end++
	}
	for end > at+1 && (text[end-1] == '.' || text[end-1] == '-') {
		end-- // the full stop that ends a sentence
	}
	domain := text[at+1 : end]
	if dot := strings.LastIndexByte(domain, '.'); dot <= 0 || dot == len(domain)-1 {
		return 0
	}
	s.add(strings.ToLower(text[i:end]), i, end, Email)
	return end
}

// phone reads an Israeli phone number, local ("050-1234567", "03 1234567")
// or international ("+972-50-123-4567"), as its international digits
// "972501234567". Groups of digits may be separated by one hyphen or
// space. It returns 0 when the text at i is not one.
func (s *scanner) phone(i int) int {
	text, start := s.text, i
	if text[i] == '+' {
		i++
	}
	s.buf = s.buf[:0]
	end := 0
	for {
		n := digitsAt(text, i)
		if n == 0 {
			break
		}
		s.buf = append(s.buf, text[i:i+n]...)
		i += n
		if isPhone(s.buf) && (i == len(text) || !isWordByte(text[i])) {
			end = i // the longest run of groups that is a number wins
		}
		if len(s.buf) > 12 || i+1 >= len(text) || (text[i] != '-' && text[i] != ' ') {
			break
		}
		i++
	}
	if end == 0 {
		return 0
	}
	digits := string(s.buf[:digitsIn(text[start:end])])
	if digits[0] == '0' {
		digits = "972" + digits[1:]
	}
	s.add(digits, start, end, Phone)
	return end
}

// isPhone reports whether d has the digits of an Israeli number: 0 and an
// area or mobile code then 7 digits, or 972 and the same without the 0.
func isPhone(d []byte) bool {
	switch {
	case len(d) >= 9 && len(d) <= 10 && d[0] == '0' && d[1] != '0':
		return true
	case (len(d) == 11 || len(d) == 12) && string(d[:3]) == "972" && d[3] != '0':
		return true
	}
	return false
}

// emit adds the term built in buf and returns end.
func (s *scanner) emit(start, end int, kind Kind) int {
	s.add(string(s.buf), start, end, kind)
	return end
}

// add appends a term that is found as it is written.
func (s *scanner) add(term string, start, end int, kind Kind) {
	s.terms = append(s.terms, Term{Exact: term, Base: term, Loose: term, Start: start, End: end, Kind: kind})
}

func digitsAt(text string, i int) int {
	n := 0
	for i+n < len(text) && isDigit(rune(text[i+n])) {
		n++
	}
	return n
}

func digitsIn(text string) int {
	n := 0
	for i := 0; i < len(text); i++ {
		if isDigit(rune(text[i])) {
			n++
		}
	}
	return n
}

func isDigit(r rune) bool        { return r >= '0' && r <= '9' }
func isASCIILetter(c byte) bool  { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isWordByte(c byte) bool     { return isDigit(rune(c)) || isASCIILetter(c) || c >= utf8.RuneSelf }
func isHebrewLetter(r rune) bool { return r >= 'א' && r <= 'ת' }

// isHebrewForm reports the presentation forms with a Hebrew letter in them
// (U+FB1D–FB4F); U+FB29 is a plus sign.
func isHebrewForm(r rune) bool { return r >= 0xFB1D && r <= 0xFB4F && r != 0xFB29 }

func isLocalByte(c byte) bool {
	return isASCIILetter(c) || isDigit(rune(c)) || strings.IndexByte("._%+-", c) >= 0
}

// isPrefixLetter reports a term that is a single prefix letter.
func isPrefixLetter(term string) bool {
	r, size := utf8.DecodeRuneInString(term)
	return size == len(term) && strings.ContainsRune("והבכלמש", r)
}

// foldFinal gives a final letter its ordinary shape, so a word matches
// whether or not a suffix or a typo moved its last letter.
func foldFinal(r rune) rune {
	switch r {
	case 'ך':
		return 'כ'
	case 'ם':
		return 'מ'
	case 'ן':
		return 'נ'
	case 'ף':
		return 'פ'
	case 'ץ':
		return 'צ'
	}
	return r
}

// stemCache remembers English stems: the Snowball stemmer was the largest
// part of analysing English text, and a desk's English vocabulary is small.
// It holds at most maxStems words and starts again empty when full, so
// text made of endless distinct words cannot grow it. A nil cache stems
// every word afresh.
type stemCache struct {
	mu    sync.RWMutex
	stems map[string]string
}

const maxStems = 100_000

func (c *stemCache) stem(word string) string {
	if c == nil {
		return english.Stem(word, true)
	}
	c.mu.RLock()
	st, ok := c.stems[word]
	c.mu.RUnlock()
	if ok {
		return st
	}
	st = english.Stem(word, true)
	c.mu.Lock()
	if c.stems == nil || len(c.stems) >= maxStems {
		c.stems = make(map[string]string)
	}
	c.stems[word] = st
	c.mu.Unlock()
	return st
}
