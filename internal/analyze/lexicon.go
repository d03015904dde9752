package analyze

import (
	"strings"
	"unicode/utf8"
)

// lexicon is the Hebrew vocabulary of hebrew.txt. A line "base: forms" is a
// group of words that search treats as one: its base and the forms after
// the colon (plurals, construct forms, verb forms, spelling variants),
// which are found as the base. On a line without a colon each word is a
// word in its own right. "#" starts a comment. Every word listed is known
// whole: it is never cut into a prefix and a stem, and never reduced by an
// ending.
type lexicon struct {
	words map[string]string // every listed word, normalised → its group's base
	// spellings holds the known words of five letters or more under their
	// skeleton, for lexicon.respelled.
	spellings map[string][]string
}

func newLexicon(text string) *lexicon {
	l := &lexicon{words: map[string]string{}, spellings: map[string][]string{}}
	for line := range strings.Lines(text) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		base, forms, grouped := strings.Cut(line, ":")
		if !grouped {
			for _, w := range hebrewWords(line) {
				l.add(w, w)
			}
			continue
		}
		if bs := hebrewWords(base); len(bs) == 1 {
			l.add(bs[0], bs[0])
			for _, w := range hebrewWords(forms) {
				l.add(w, bs[0])
			}
		}
	}
	return l
}

// add lists w as a form of base, unless an earlier line listed it: the
// vocabulary's test makes sure none does.
func (l *lexicon) add(w, base string) {
	if _, dup := l.words[w]; dup {
		return
	}
	l.words[w] = base
	if letters(w) >= 5 {
		var buf [maxWord]byte
		k := string(skeleton(buf[:0], []byte(w)))
		l.spellings[k] = append(l.spellings[k], w)
	}
}

// hebrewWords returns the normalised Hebrew words of text, as written.
func hebrewWords(text string) []string {
	s := scanner{text: text}
	s.run()
	var ws []string
	for _, t := range s.terms {
		if r, _ := utf8.DecodeRuneInString(t.Exact); t.Kind == Word && isHebrewLetter(r) {
			ws = append(ws, t.Exact)
		}
	}
	return ws
}

// respelled returns the base of the one group with a known word that w,
// of at least five letters, is a defective spelling of: the known word
// with some of the vowel letters ו and י inside it left out ("תכנית" for
// "תוכנית", "בקורת" for "ביקורת"), or with a final א for its ה ("סיסמא").
// Shorter words are left alone: among them too many different words
// differ only so ("בטוח", "ביטוח"). A word with a letter too many
// ("עידכון") is not looked for: taking out a letter turns too many words
// into others; the common ones are listed instead.
func (l *lexicon) respelled(w []byte) (string, bool) {
	if letters(w) < 5 {
		return "", false
	}
	var buf [maxWord]byte
	base := ""
	for _, k := range l.spellings[string(skeleton(buf[:0], w))] {
		if !dropsVowels(k, w) {
			continue
		}
		if b := l.words[k]; base == "" {
			base = b
		} else if b != base {
			return "", false
		}
	}
	return base, base != ""
}

// skeleton appends to dst the letters of w that spelling does not vary:
// all but the ו and י after the first letter, with a final א written ה.
func skeleton(dst, w []byte) []byte {
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRune(w[i:])
		switch {
		case i > 0 && (r == 'ו' || r == 'י'):
		case i+size == len(w) && r == 'א':
			dst = utf8.AppendRune(dst, 'ה')
		default:
			dst = append(dst, w[i:i+size]...)
		}
		i += size
	}
	return dst
}

// dropsVowels reports whether short is long with some of its ו and י left
// out, never its first or last letter; a final א and a final ה count as
// one letter.
func dropsVowels(long string, short []byte) bool {
	i, j := 0, 0
	for i < len(long) {
		rl, sl := utf8.DecodeRuneInString(long[i:])
		if j < len(short) {
			rs, ss := utf8.DecodeRune(short[j:])
			last := i+sl == len(long) && j+ss == len(short)
			if rl == rs || last && (rl == 'א' || rl == 'ה') && (rs == 'א' || rs == 'ה') {
				i, j = i+sl, j+ss
				continue
			}
		}
		if i == 0 || i+sl == len(long) || rl != 'ו' && rl != 'י' {
			return false
		}
		i += sl
	}
	return j == len(short)
}
