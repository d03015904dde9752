// Package detect holds explainable detectors that read a customer's message
// for something the desk should act on: a request for a manager
// (ManagerRequest), which opens an escalation; anger, distress and abuse
// (ReadMood), which a desk rule can flag to agents and managers; and a
// suggested contact reason for an untagged conversation (SuggestReason).
// Each detector is a set of written rules over Hebrew and English words,
// not a learned model, and reports the rule and the phrase that fired, so
// an agent can see why the desk did what it did.
//
// A desk rule uses them on a customer's message like this:
//
//	mood := detect.ReadMood(text)
//	if mood.Abusive || mood.Angry() || mood.Distressed() {
//		// flag the conversation; show mood.Why(detect.Anger) and the
//		// other cues' Rule and Text beside the flag
//	}
//	if code, why, ok := detect.SuggestReason(text, rules); ok {
//		// offer code as the reason, quoting why.Text
//	}
//
// The package is a leaf: it reads text only and imports nothing of the
// desk, so the rules for reasons come from the caller (DefaultReasonRules
// is a starting point). It keeps its own small list of Hebrew prefixes
// rather than the search analyzer's lexicon, whose base forms change with
// the index version and whose reductions a detector need not explain.
package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"kesher/internal/hebrew"
)

// Match is a phrase a detector found.
type Match struct {
	// Rule is a stable id for the rule that fired, such as "en.manager" or
	// "he.escalate", for metrics and for telling the agent why.
	Rule string
	// Text is the matched phrase as written, and Start and End its byte
	// offsets in the input.
	Text       string
	Start, End int
}

// token is one word of a message. Its form is lower case, without niqqud,
// with every kind of apostrophe or geresh as "'", so that the rules compare
// words however they were typed.
type token struct {
	start, end int
	form       string
	hebrew     bool
	clause     int // which part of the message between punctuation holds it
}

// tokenize splits text into words and numbers the clauses between commas,
// full stops and the like, since a negation or a request in one clause says
// nothing about the next ("I don't want a refund, I want a manager").
func tokenize(text string) []token {
	var toks []token
	clause := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			if strings.ContainsRune(",;:.!?()[]—–\n", r) {
				clause++
			}
			i += size
			continue
		}
		start := i
		var b strings.Builder
		for i < len(text) {
			r, size := utf8.DecodeRuneInString(text[i:])
			if isWordRune(r) {
				if !hebrew.IsPoint(r) {
					b.WriteRune(unicode.ToLower(r))
				}
				i += size
				continue
			}
			// An apostrophe inside a word, as in "who's" and "don't".
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			if hebrew.IsGeresh(r) && isWordRune(next) && b.Len() > 0 {
				b.WriteByte('\'')
				i += size
				continue
			}
			break
		}
		form := b.String()
		first, _ := utf8.DecodeRuneInString(form)
		toks = append(toks, token{start: start, end: i, form: form, hebrew: first >= 'א' && first <= 'ת', clause: clause})
	}
	return toks
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || hebrew.IsPoint(r)
}

// set builds a word list.
func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// stem returns w without the first of prefixes that leaves a word in list,
// or "" when none does. Hebrew joins "to", "and", "that" and "the" to the
// word: "למנהל", "ולמנהל", "שהמנהל".
func stem(w string, prefixes []string, list map[string]bool) string {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(w, p); ok && list[rest] {
			return rest
		}
	}
	return ""
}
