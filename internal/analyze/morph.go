package analyze

import (
	"strings"
	"unicode/utf8"
)

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

// ending is a suffix that search reads through, with what may stand in its
// place in the base form, tried in order.
type ending struct {
	suffix string
	bases  []string
}

// inflections are the plural and construct endings of nouns: masculine
// ים ("מוצרים" → "מוצר"; "מילים" → "מילה"), feminine ות ("הזמנות" →
// "הזמנה", "מלונות" → "מלון", "חשבוניות" → "חשבונית", "חנויות" →
// "חנות", "פניות" → "פנייה") and the construct ת of a noun in ה
// ("הזמנת" → "הזמנה"). The past tense of verbs shares them: "ביקשת" →
// "ביקשה".
var inflections = folded([]ending{
	{"ויות", []string{"ות"}},
	{"יות", []string{"ית", "ייה", "יה", ""}},
	{"ות", []string{"ה", ""}},
	{"ים", []string{"", "ה"}},
	{"ת", []string{"ה"}},
})

// possessives are the endings of "my", "your", "his", "our" and their
// plural forms, and the construct י of a masculine plural ("מוצרי" →
// "מוצרים"). What is left may still carry an inflection: "הזמנתי" is
// "הזמנת" + י, and "הזמנת" is the construct of "הזמנה". The same endings
// close verbs in the past ("שלחנו", "שלחו"), which then meet their
// lexicon group. The singular "her" (ה) and "their" (ם, ן) are left out:
// too many words end in those letters.
var possessives = folded([]ending{
	{"ותיהם", []string{"ות"}}, {"ותיהן", []string{"ות"}}, {"ותיכם", []string{"ות"}},
	{"ותינו", []string{"ות"}}, {"ותיו", []string{"ות"}}, {"ותיה", []string{"ות"}},
	{"ותיך", []string{"ות"}}, {"ותיי", []string{"ות"}},
	{"יהם", []string{"ים"}}, {"יהן", []string{"ים"}}, {"יכם", []string{"ים"}},
	{"ינו", []string{"ים"}}, {"יו", []string{"ים"}}, {"יך", []string{"ים"}}, {"יי", []string{"ים"}},
	{"נו", []string{""}}, {"כם", []string{""}},
	{"י", []string{"ים", ""}},
	{"ך", []string{""}}, {"ו", []string{""}},
})

// folded writes the endings with final letters folded, as words are.
func folded(es []ending) []ending {
	fold := func(s string) string { return strings.Map(foldFinal, s) }
	for i := range es {
		es[i].suffix = fold(es[i].suffix)
		for j := range es[i].bases {
			es[i].bases[j] = fold(es[i].bases[j])
		}
	}
	return es
}

// maxWord is the longest word, in bytes, that is looked through: longer
// ones are taken whole.
const maxWord = 64

// analyse fills in the base and loose forms of the Hebrew word t, by the
// rules of Analyzer.Terms.
func (l *lexicon) analyse(t *Term) {
	if b, ok := l.base(t.Exact); ok {
		t.Base, t.Loose = b, b
		return
	}
	t.Loose = t.Exact
	for i, n := 0, 0; i < len(t.Exact) && n < maxPrefix; n++ {
		_, size := utf8.DecodeRuneInString(t.Exact[i:])
		i += size
		stem := t.Exact[i:]
		if first, _ := utf8.DecodeRuneInString(stem); prefixes[t.Exact[:i]] && isHebrewLetter(first) && letters(stem) >= 3 {
			t.Loose = stem
		}
	}
}

// base returns the base of the first form of w the lexicon knows, in the
// order of Analyzer.Terms: exact spellings first, then other spellings.
func (l *lexicon) base(w string) (string, bool) {
	if b, ok := l.words[w]; ok {
		return b, true
	}
	if len(w) > maxWord {
		return "", false
	}
	r := reducer{lex: l}
	if b, ok := r.word(w); ok {
		return b, true
	}
	r.spell = true
	return r.word(w)
}

// reducer looks for the forms of one word in the lexicon, building the
// candidates in buffers of its own so that looking allocates nothing.
type reducer struct {
	lex   *lexicon
	spell bool // look candidates up by lexicon.respelled instead of exactly
	stem  [maxWord]byte
	cand  [maxWord + 8]byte
	cand2 [maxWord + 16]byte
}

// word tries w and its stems without each legal prefix, shortest prefix
// first, each as it is and then without an ending.
func (r *reducer) word(w string) (string, bool) {
	for i, n := 0, 0; i < len(w) && n <= maxPrefix; n++ {
		if i == 0 || prefixes[w[:i]] {
			stem := append(r.stem[:0], w[i:]...)
			first, _ := utf8.DecodeRune(stem)
			// A geresh cannot start a word, and one letter left after a
			// prefix is no word.
			if isHebrewLetter(first) && (i == 0 || letters(w[i:]) >= 2) {
				if b, ok := r.find(stem); ok {
					return b, true
				}
				if b, ok := r.unsuffix(stem); ok {
					return b, true
				}
			}
		}
		_, size := utf8.DecodeRuneInString(w[i:])
		i += size
	}
	return "", false
}

// unsuffix tries s without an inflection, then without a possessive
// ending and maybe an inflection after it. Other spellings are looked for
// only without inflections: "גיליתי" is not a possessive of "גלית".
func (r *reducer) unsuffix(s []byte) (string, bool) {
	if b, ok := r.ending(s, inflections, r.cand[:0]); ok || r.spell {
		return b, ok
	}
	for _, e := range possessives {
		stem, ok := cut(s, e.suffix)
		// A possessive leaves at least three letters: "דרך" is no
		// possessive of "דר".
		if !ok || letters(stem) < 3 {
			continue
		}
		for _, with := range e.bases {
			c := append(append(r.cand[:0], stem...), with...)
			if b, ok := r.find(c); ok {
				return b, true
			}
			if b, ok := r.ending(c, inflections, r.cand2[:0]); ok {
				return b, true
			}
		}
	}
	return "", false
}

// ending tries s with each of es in place of its suffix, building the
// candidates in buf.
func (r *reducer) ending(s []byte, es []ending, buf []byte) (string, bool) {
	for _, e := range es {
		stem, ok := cut(s, e.suffix)
		if !ok {
			continue
		}
		for _, with := range e.bases {
			if b, ok := r.find(append(append(buf[:0], stem...), with...)); ok {
				return b, true
			}
		}
	}
	return "", false
}

func (r *reducer) find(w []byte) (string, bool) {
	if r.spell {
		return r.lex.respelled(w)
	}
	b, ok := r.lex.words[string(w)]
	return b, ok
}

// cut returns s without suffix when s ends with it and keeps at least two
// letters.
func cut(s []byte, suffix string) ([]byte, bool) {
	if len(s) < len(suffix) || string(s[len(s)-len(suffix):]) != suffix {
		return nil, false
	}
	stem := s[:len(s)-len(suffix)]
	return stem, letters(stem) >= 2
}

// letters counts the letters of a normalised Hebrew word or stem. Such a
// word holds only Hebrew letters, two bytes each in UTF-8, and the one-byte
// geresh "'", so its bytes are enough; this runs for every candidate form.
func letters[T string | []byte](w T) int {
	apostrophes := 0
	for i := 0; i < len(w); i++ {
		if w[i] == '\'' {
			apostrophes++
		}
	}
	return (len(w) - apostrophes) / 2
}
