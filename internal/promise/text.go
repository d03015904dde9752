package promise

import (
	"strings"
	"unicode"
	"unicode/utf8"

	heb "kesher/internal/hebrew"
)

// script tells what a token is made of. A token never mixes scripts: "ב15:00"
// is the prefix "ב" and the time "15:00", and "3pm" is "3" and "pm", so each
// rule can look at a word or a number on its own, however the agent typed it.
type script uint8

const (
	other script = iota
	latin
	hebrew
	digits
	// mark is niqqud or another combining mark. It belongs to the word it
	// sits on but is dropped from the word's form, so pointed and unpointed
	// spellings compare equal.
	mark
)

func scriptOf(r rune) script {
	switch {
	case r >= 'א' && r <= 'ת':
		return hebrew
	case r >= '0' && r <= '9':
		return digits
	case isMark(r):
		return mark
	case unicode.IsLetter(r):
		return latin
	}
	return other
}

// isMark reports niqqud and cantillation, and the combining marks of other
// scripts.
func isMark(r rune) bool {
	return heb.IsPoint(r) || unicode.Is(unicode.Mn, r)
}

// isHyphen covers the hyphen and the Hebrew maqaf, which join a one-letter
// prefix to a number as in "ב-15:00".
func isHyphen(r rune) bool { return r == '-' || r == '־' }

// fold gives the form a letter is compared in: lower case, and Hebrew final
// letters as their ordinary shapes, so that a word matches whether or not a
// prefix or a typo moved its last letter.
func fold(r rune) rune {
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
	return unicode.ToLower(r)
}

// key folds a word from one of the package's word lists the way tokens are
// folded, so the lists can be written in ordinary spelling.
func key(w string) string {
	var b strings.Builder
	for _, r := range w {
		switch {
		case heb.IsGeresh(r):
			b.WriteByte('\'')
		case heb.IsGershayim(r):
			b.WriteByte('"')
		case scriptOf(r) == mark:
		default:
			b.WriteRune(fold(r))
		}
	}
	return b.String()
}

// set builds a word list keyed by folded form.
func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[key(w)] = true
	}
	return m
}

// token is one word or number of a sentence.
type token struct {
	start, end int    // byte offsets in the text
	form       string // the folded form the rules compare
	script     script
	hyphen     bool // directly followed by a hyphen or maqaf, as the "ב" of "ב-15:00"
	clause     int  // which comma-separated part of the sentence holds it
}

// tokenize splits text[lo:hi] into tokens and numbers the clauses between
// commas, semicolons, dashes and brackets.
func tokenize(text string, lo, hi int) []token {
	var toks []token
	clause := 0
	for i := lo; i < hi; {
		r, size := utf8.DecodeRuneInString(text[i:hi])
		sc := scriptOf(r)
		if sc == other || sc == mark {
			if breaksClause(text, lo, i, r) {
				clause++
			}
			i += size
			continue
		}
		t := readWord(text, i, hi, sc)
		t.clause = clause
		toks = append(toks, t)
		i = t.end
		if i < hi {
			if r, _ := utf8.DecodeRuneInString(text[i:hi]); isHyphen(r) {
				toks[len(toks)-1].hyphen = true
			}
		}
	}
	return toks
}

// readWord reads the token of script sc that starts at i.
//
// Some punctuation belongs inside a token: ":", "." and "/" between digits
// ("12:00", "5.12", "5/12"), an apostrophe between Latin letters ("I'll"),
// a geresh or gershayim between Hebrew letters ("אחה"צ"), and a geresh after
// a lone Hebrew letter, which is how days are written by letter ("יום ה'").
func readWord(text string, i, hi int, sc script) token {
	var b strings.Builder
	start, letters := i, 0
loop:
	for i < hi {
		r, size := utf8.DecodeRuneInString(text[i:hi])
		s := scriptOf(r)
		switch {
		case s == mark:
			i += size
			continue
		case s == sc:
			b.WriteRune(fold(r))
			letters++
			i += size
			continue
		case s != other:
			break loop
		}
		next, _ := utf8.DecodeRuneInString(text[i+size : hi])
		ns := scriptOf(next)
		switch {
		case sc == digits && (r == ':' || r == '.' || r == '/') && ns == digits:
			b.WriteRune(r)
		case sc == latin && heb.IsGeresh(r) && ns == latin:
			b.WriteByte('\'')
		case sc == hebrew && heb.IsGeresh(r) && ns == hebrew:
			b.WriteByte('\'')
		case sc == hebrew && heb.IsGershayim(r) && ns == hebrew:
			b.WriteByte('"')
		case sc == hebrew && heb.IsGeresh(r) && letters == 1 && ns != hebrew && ns != latin && ns != digits:
			b.WriteByte('\'')
			i += size
			break loop
		default:
			break loop
		}
		i += size
	}
	return token{start: start, end: i, form: b.String(), script: sc}
}

// breaksClause reports whether the character at i, outside any token,
// separates two clauses of a sentence. A hyphen counts only with a space
// before it, since "ב-15:00" and "e-mail" are one phrase.
func breaksClause(text string, lo, i int, r rune) bool {
	switch r {
	case ',', ';', ':', '(', ')', '[', ']', '—', '–', '،':
		return true
	case '-':
		return i > lo && (text[i-1] == ' ' || text[i-1] == '\t')
	}
	return false
}

// sentence is a span of the text, trimmed, with its closing punctuation.
type sentence struct {
	start, end int
	question   bool // it ends with a question mark
}

// sentences splits text into sentences. A line break always ends one: replies
// written in the desk are not hard-wrapped, and a greeting or a signature on
// its own line should not join the promise below it. Lines quoted from an
// earlier email (starting with ">") are skipped, since what they say is not
// the agent's.
func sentences(text string) []sentence {
	var out []sentence
	for lineStart := 0; lineStart < len(text); {
		lineEnd := strings.IndexByte(text[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(text)
		} else {
			lineEnd += lineStart
		}
		if !strings.HasPrefix(strings.TrimLeft(text[lineStart:lineEnd], " \t\u200e\u200f"), ">") {
			out = splitLine(text, lineStart, lineEnd, out)
		}
		lineStart = lineEnd + 1
	}
	return out
}

// splitLine appends the sentences of text[lo:hi] to out.
func splitLine(text string, lo, hi int, out []sentence) []sentence {
	start := lo
	for i := lo; i < hi; {
		r, size := utf8.DecodeRuneInString(text[i:hi])
		if !endsSentence(text, lo, hi, i, r) {
			i += size
			continue
		}
		// Take the whole run of closing punctuation, as in "?!" or "...",
		// and a closing quote or bracket after it.
		question := false
		for i < hi {
			r, size := utf8.DecodeRuneInString(text[i:hi])
			if !strings.ContainsRune(".!?…؟\"”’')]", r) {
				break
			}
			question = question || r == '?' || r == '؟'
			i += size
		}
		out = appendSentence(text, start, i, question, out)
		start = i
	}
	return appendSentence(text, start, hi, false, out)
}

func appendSentence(text string, lo, hi int, question bool, out []sentence) []sentence {
	const space = " \t\r\u00a0\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
	s := text[lo:hi]
	trimmed := strings.TrimLeft(s, space)
	lo += len(s) - len(trimmed)
	hi = lo + len(strings.TrimRight(trimmed, space))
	if strings.IndexFunc(text[lo:hi], func(r rune) bool { return scriptOf(r) != other }) < 0 {
		return out
	}
	return append(out, sentence{start: lo, end: hi, question: question})
}

// endsSentence reports whether the character at i closes a sentence. A full
// stop does so only before a space or the end of the line, and not inside
// "5.12", "p.m." or "Dec. 5".
func endsSentence(text string, lo, hi, i int, r rune) bool {
	switch r {
	case '!', '?', '…', '؟':
		return true
	case '.':
	default:
		return false
	}
	next, _ := utf8.DecodeRuneInString(text[i+1 : hi])
	if i+1 < hi && !unicode.IsSpace(next) && !strings.ContainsRune("\"”’')]", next) {
		return false
	}
	// "p.m." and "e.g.": a letter with a full stop just before it.
	if i-2 >= lo && text[i-2] == '.' && unicode.IsLetter(rune(text[i-1])) {
		return false
	}
	// "Dec. 5" and "Thu. 12:00": an abbreviated month or day before a number.
	word := lastWord(text[lo:i])
	if abbreviations[strings.ToLower(word)] {
		rest := strings.TrimLeft(text[i+1:hi], " ")
		if rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return false
		}
	}
	return true
}

var abbreviations = set("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"sun", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat")

// lastWord returns the run of ASCII letters at the end of s.
func lastWord(s string) string {
	i := len(s)
	for i > 0 && (s[i-1]|0x20 >= 'a' && s[i-1]|0x20 <= 'z') {
		i--
	}
	return s[i:]
}

// quotedRanges returns the spans of text inside double quotation marks. A
// promise there is one the agent is quoting, usually the customer's own, and
// not one the agent makes. A quote mark between two Hebrew letters is
// gershayim, not a quotation mark. An unclosed quotation ends with its line.
func quotedRanges(text string) [][2]int {
	var out [][2]int
	open := -1
	prev := rune(0)
	for i, r := range text {
		if r == '\n' {
			if open >= 0 {
				out = append(out, [2]int{open, i})
				open = -1
			}
		} else if heb.IsGershayim(r) || r == '«' || r == '»' {
			next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
			if !(scriptOf(prev) == hebrew && scriptOf(next) == hebrew) {
				if open < 0 {
					open = i
				} else {
					out = append(out, [2]int{open, i})
					open = -1
				}
			}
		}
		prev = r
	}
	if open >= 0 {
		out = append(out, [2]int{open, len(text)})
	}
	return out
}
