// Package analyze turns message and article text into search terms. It is
// Hebrew-first: niqqud is dropped, final letters are folded, and the
// one-letter prefixes (ו ה ב כ ל מ ש) are stripped so that "וכשההזמנה"
// meets "הזמנה". English words are reduced to their Snowball stem, and
// emails, phone numbers and order numbers are kept whole so they can be
// found exactly.
//
// Stop words are not dropped: ranking gives them little weight, and a query
// such as "לא הגיע" needs its "לא". Hebrew plural and construct forms
// ("הזמנות", "הזמנת") are not folded into their singular; that needs a
// morphological dictionary this package does not have.
package analyze

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"

	"kesher/internal/hebrew"
)

// Kind says what a token is, so that callers can match exact kinds
// (an email, a phone number) exactly and words loosely.
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

// Token is one term of a text, with where it was found.
type Token struct {
	Term       string // the normalised term to index or match
	Start, End int    // byte offsets in the input
	Kind       Kind
}

// Lexicon knows which Hebrew words exist on their own. It is asked about
// normalised forms (no niqqud, final letters folded).
type Lexicon interface {
	Has(word string) bool
}

// Analyzer tokenises text. Its lexicon decides which prefix-stripped stems
// are real words; see Analyzer.Tokens for the rule.
type Analyzer struct {
	lex Lexicon
}

// New returns an analyzer using lex, which may be nil: prefixes are then
// stripped by rule alone.
func New(lex Lexicon) *Analyzer {
	// A nil Words inside a non-nil interface would know no word at all and
	// so suppress every stem; it plainly means "no lexicon".
	if w, ok := lex.(Words); ok && w == nil {
		lex = nil
	}
	return &Analyzer{lex: lex}
}

// Tokens returns the terms to index for text, in order. A Hebrew word that
// may carry prefixes gives the whole word and then each candidate stem,
// all with the word's offsets. A stem is kept when it has at least two
// letters and:
//
//   - with a lexicon: the lexicon knows the stem and does not know the
//     whole word. A known word is taken at its word: "ברק" is a name, not
//     ב+"רק", and "כלב" is a dog even though "לב" is a word too.
//   - without a lexicon: the stem has at least three letters, since most
//     two-letter stems of real words are accidents ("משה" → "שה").
func (a *Analyzer) Tokens(text string) []Token {
	return a.analyze(text)
}

// Query returns the terms of a search query. It applies the same rules as
// Tokens, so query and index terms meet; tokens that share offsets are
// alternatives for one query word and are meant to be OR-ed.
func (a *Analyzer) Query(text string) []Token {
	return a.analyze(text)
}

func (a *Analyzer) analyze(text string) []Token {
	s := scanner{text: text, toks: make([]Token, 0, len(text)/6+1)}
	s.run(a.hebrewStems)
	return s.toks
}

// hebrewStems adds the stems of the Hebrew word tok, by the rule described
// on Tokens.
func (a *Analyzer) hebrewStems(toks []Token, tok Token) []Token {
	word := tok.Term
	if a.lex != nil && a.lex.Has(word) {
		return toks
	}
	for i, n := 0, 0; i < len(word) && n < maxPrefix; n++ {
		_, size := utf8.DecodeRuneInString(word[i:])
		i += size
		if !prefixes[word[:i]] {
			continue
		}
		stem := word[i:]
		first, _ := utf8.DecodeRuneInString(stem)
		if !isHebrewLetter(first) {
			continue // a geresh cannot start a word
		}
		letters := utf8.RuneCountInString(stem) - strings.Count(stem, "'")
		if a.lex != nil && (letters < 2 || !a.lex.Has(stem)) ||
			a.lex == nil && letters < 3 {
			continue
		}
		tok.Term = stem
		toks = append(toks, tok)
	}
	return toks
}

// prefixes holds every legal prefix string: an optional ו, then an
// optional ש, כש or לכש ("when", "that"), then an optional ה, ב, כ, ל, מ
// or מה. ב, כ and ל swallow the article in writing (ב+הבית is written
// "בבית"), so no ה follows them; an ה after them belongs to the word
// ("בהזמנה" is ב+"הזמנה").
var prefixes, maxPrefix = func() (map[string]bool, int) {
	m := map[string]bool{}
	longest := 0
	for _, and := range []string{"", "ו"} {
		for _, that := range []string{"", "ש", "כש", "לכש"} {
			for _, prep := range []string{"", "ה", "ב", "כ", "ל", "מ", "מה"} {
				if p := and + that + prep; p != "" {
					m[p] = true
					longest = max(longest, utf8.RuneCountInString(p))
				}
			}
		}
	}
	return m, longest
}()

// scanner walks a text once, from left to right, and appends tokens.
type scanner struct {
	text string
	toks []Token
	buf  []byte // the term being built, reused between words
}

func (s *scanner) run(stems func([]Token, Token) []Token) {
	text := s.text
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		var end int
		switch {
		case isHebrewLetter(r) || isHebrewForm(r):
			end = s.hebrew(i)
			tok := s.toks[len(s.toks)-1]
			if isPrefixLetter(tok.Term) && s.gluedToNonHebrew(end) {
				// "ה-iPhone", "ל-15:00", "ב15": the letter is a prefix of
				// what follows, not a word.
				s.toks = s.toks[:len(s.toks)-1]
			} else if stems != nil {
				s.toks = stems(s.toks, tok)
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
			s.toks[len(s.toks)-1].Start = i
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
// words replaced by their Snowball stem. Only the stem is kept, in index and
// query alike, so "refunds" and "refunded" meet at "refund".
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
	term := string(s.buf)
	if ascii {
		term = english.Stem(term, true)
	} else {
		term = strings.ToLower(norm.NFKC.String(term))
	}
	s.toks = append(s.toks, Token{Term: term, Start: start, End: i, Kind: Word})
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
	term := strings.ToLower(text[start:letters]) + "-" + text[i:end]
	s.toks = append(s.toks, Token{Term: term, Start: start, End: end, Kind: Code})
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
	s.toks = append(s.toks, Token{Term: strings.ToLower(text[i:end]), Start: i, End: end, Kind: Email})
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
	s.toks = append(s.toks, Token{Term: digits, Start: start, End: end, Kind: Phone})
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

func (s *scanner) emit(start, end int, kind Kind) int {
	s.toks = append(s.toks, Token{Term: string(s.buf), Start: start, End: end, Kind: kind})
	return end
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

// Term is one word of a text as the search index keeps it: the form it was
// written in and the forms under which it is found.
type Term struct {
	// Exact is the word as written, normalised: lower-cased, niqqud
	// dropped, final letters folded; emails, phones and codes as Tokens
	// gives them.
	Exact string
	// Base is the form searches match: a Hebrew word without its
	// prefixes, an English word's stem, Exact when nothing applies. A
	// query word and a text word meet when their Bases are equal.
	Base string
	// Loose is a spelling key of Base under which plene and defective
	// spellings ("תוכנית", "תכנית") meet; Base when it has none.
	Loose      string
	Start, End int // byte offsets in the text
	Kind       Kind
}

// Terms returns the words of text in order, each once, with its forms. A
// Hebrew word whose prefixes may be stripped in several ways takes the
// stem with the longest prefix the rules accept.
func (a *Analyzer) Terms(text string) []Term {
	toks := a.analyze(text)
	words := make([]Term, 0, len(toks))
	for i := 0; i < len(toks); {
		t := toks[i]
		j := i + 1
		for j < len(toks) && toks[j].Start == t.Start && toks[j].End == t.End {
			j++
		}
		w := Term{Exact: t.Term, Base: toks[j-1].Term, Start: t.Start, End: t.End, Kind: t.Kind}
		if r, _ := utf8.DecodeRuneInString(t.Term); t.Kind == Word && !isHebrewLetter(r) {
			w.Exact = strings.ToLower(norm.NFKC.String(text[t.Start:t.End]))
		}
		w.Loose = looseKey(w.Base)
		words = append(words, w)
		i = j
	}
	return words
}

// looseKey drops the vowel letters ו and י after a Hebrew word's first
// letter, where plene spelling adds them and defective spelling leaves
// them out. Words of fewer than four letters keep their form: their few
// letters would meet too many other words.
func looseKey(base string) string {
	if utf8.RuneCountInString(base) < 4 {
		return base
	}
	first, size := utf8.DecodeRuneInString(base)
	if !isHebrewLetter(first) {
		return base
	}
	var b strings.Builder
	b.WriteString(base[:size])
	for _, r := range base[size:] {
		if r != 'ו' && r != 'י' {
			b.WriteRune(r)
		}
	}
	if utf8.RuneCountInString(b.String()) < 2 {
		return base
	}
	return b.String()
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
		if prefixes[word[:i]] && utf8.RuneCountInString(word[i:]) >= 2 {
			stems = append(stems, word[i:])
		}
	}
	return stems
}

// Version names the analyzer's behaviour. Indexes keep the terms it made,
// so any change to what Terms returns for a text must change Version: the
// search index is then rebuilt.
const Version = "1"
