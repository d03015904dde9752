package detect

import (
	"strings"
	"unicode/utf8"
)

// phrases finds words and fixed phrases in a tokenised message, the way
// the mood and reason detectors need them: a Hebrew word also when it
// carries prefixes ("וכשהמשלוח" holds "משלוח"), and any word also when it
// is stretched for emphasis ("נוראאאא", "sooooo").
type phrases[T any] struct {
	byFirst map[string][]phrase[T]
}

type phrase[T any] struct {
	words []string
	val   T
}

// add indexes each of list, which separates phrases with "|" and the words
// of a phrase with spaces, under val.
func (x *phrases[T]) add(list string, val T) {
	if x.byFirst == nil {
		x.byFirst = map[string][]phrase[T]{}
	}
	for _, p := range strings.Split(list, "|") {
		words := strings.Fields(p)
		if len(words) == 0 {
			continue
		}
		x.byFirst[words[0]] = append(x.byFirst[words[0]], phrase[T]{words, val})
	}
}

// at returns the longest phrase that starts at token i and stays in its
// clause, with the number of tokens it covers; n is 0 when none does.
func (x *phrases[T]) at(toks []token, i int) (val T, n int) {
	for _, first := range readings(toks[i]) {
		for _, p := range x.byFirst[first] {
			if len(p.words) > n && x.rest(toks, i, p.words) {
				val, n = p.val, len(p.words)
			}
		}
	}
	return val, n
}

// rest reports whether the words after the first of a phrase follow token
// i in its clause.
func (x *phrases[T]) rest(toks []token, i int, words []string) bool {
	if i+len(words) > len(toks) {
		return false
	}
	for k, w := range words[1:] {
		t := toks[i+1+k]
		if t.clause != toks[i].clause || !reads(t, w) {
			return false
		}
	}
	return true
}

func reads(t token, w string) bool {
	for _, r := range readings(t) {
		if r == w {
			return true
		}
	}
	return false
}

// moodPrefixes are the letters Hebrew joins to a word: and, the, in, to,
// that, when, from, as, in their usual combinations.
var moodPrefixes = []string{"ו", "ה", "ב", "ל", "ש", "מ", "כ", "כש", "וה", "וב", "ול", "וש", "ומ", "וכש",
	"שה", "שב", "של", "שמ", "בה", "לה", "מה", "כשה", "ושה"}

// readings returns the ways a token may be read: as written, without the
// stretching of a letter typed three times or more (to one letter and to
// two, since "sooo" is "so" and "goood" is "good"), and, for Hebrew, each
// of these without a prefix that leaves at least two letters. The first
// reading is the form as written.
func readings(t token) []string {
	forms := []string{t.form}
	if one, two, ok := unstretch(t.form); ok {
		forms = append(forms, one, two)
	}
	if !t.hebrew {
		return forms
	}
	for _, f := range forms[:len(forms):len(forms)] {
		for _, p := range moodPrefixes {
			// A quotation mark after the prefix reads as an apostrophe
			// inside the word: ה'מקצועי'.
			if rest, ok := strings.CutPrefix(f, p); ok && utf8.RuneCountInString(rest) >= 2 {
				rest = strings.TrimPrefix(rest, "'")
				forms = append(forms, rest)
			}
		}
	}
	return forms
}

// stretched reports whether a token repeats a letter for emphasis.
func stretched(t token) bool {
	_, _, ok := unstretch(t.form)
	return ok
}

// unstretch shortens every run of three or more equal letters to one and
// to two letters; ok is false when w has no such run.
func unstretch(w string) (one, two string, ok bool) {
	var b1, b2 strings.Builder
	rs := []rune(w)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 {
			ok = true
			n = 2
		}
		b1.WriteRune(rs[i])
		for k := 0; k < n; k++ {
			b2.WriteRune(rs[i])
		}
		if n == 2 && j-i == 2 {
			b1.WriteRune(rs[i])
		}
		i = j
	}
	return b1.String(), b2.String(), ok
}
