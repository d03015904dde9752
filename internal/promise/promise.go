// Package promise finds the promises in an agent's reply, so that the desk
// can propose a commitment with its due time ("אחזור אליך מחר", "I'll get
// back to you by 3pm") and flag the vague ones ("נבדוק ונחזור אליך", "I'll
// look into it") with a suggestion to name a time.
//
// It is a rule-based parser with no learned model: every promise it reports
// can be explained by a verb from a short list and a time expression it
// read, and every rule is written down here. It reads Hebrew and English and
// mixtures of the two.
//
// A promise is a first-person commitment to act later: "I'll", "we will",
// "I'm going to", "let me check and get back to you", "you'll hear from us",
// and Hebrew first-person future verbs (אחזור, אבדוק, נעדכן, ...) with the
// prefixes ו, ש and כש. With a time it is Definite; without one, or with
// only a vague one ("soon", "בהקדם"), or hedged ("I'll try", "אנסה", "אני
// אראה מה אפשר לעשות"), it is Vague. Not promises: the past ("בדקתי"),
// questions, other people's promises ("הוא יחזור אליך"), negations ("לא
// אוכל לחזור"), anything said under a condition ("if you need anything"),
// plain facts about time ("we are open tomorrow"), requests to the customer
// ("call us back tomorrow") and greetings.
//
// Time expressions are resolved in the agent's zone. A day without a clock
// time is due at Options.DefaultHour. A weekday is its next occurrence after
// today, unless a clock time still ahead today was given. A clock time alone
// is today if still ahead, else tomorrow. The business week ends on Thursday
// and starts on Sunday, as in Israel, but weekends are not skipped:
// "tomorrow" said on Thursday is Friday.
package promise

import (
	"strings"
	"sync"
	"time"
)

// Kind says whether a promise names when it will be kept.
type Kind string

const (
	// Definite promises name a time, so the desk can hold the agent to it.
	Definite Kind = "definite"
	// Vague promises name none, so the desk suggests naming one.
	Vague Kind = "vague"
)

// Promise is one promise found in a reply.
type Promise struct {
	Kind     Kind
	Language string // "he" or "en"
	// Text is the sentence (or, when a sentence holds two promises with a
	// time each, the clause) that holds the promise, trimmed, as written.
	Text       string
	Start, End int // byte offsets of Text in the input
	// Due is when a Definite promise is due, in the Options' location; it is
	// zero for a Vague one.
	Due time.Time
	// TimeGiven reports that the hour of Due was said ("12:00", "3pm",
	// "בשלוש", "noon", "tomorrow morning", "in two hours") rather than
	// filled in with Options.DefaultHour.
	TimeGiven bool
}

// Options are the circumstances of the reply.
type Options struct {
	Now      time.Time      // the reply's time
	Location *time.Location // the agent's zone; nil means Asia/Jerusalem
	// DefaultHour is the hour of day used when only a day is named; 0 means
	// 17, the end of the business day.
	DefaultHour int
	// Weekend days are not skipped: "tomorrow" said on Thursday is Friday.
	// Keep it literal.
}

// jerusalem is the desk's home zone. Programs that embed time/tzdata always
// find it; a machine without zone data falls back to Israel Standard Time,
// which is wrong by an hour in summer but keeps the parser usable.
var jerusalem = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		return time.FixedZone("IST", 2*60*60)
	}
	return loc
})

// Find returns every promise in text, in order of appearance, or nil when
// there is none.
func Find(text string, opt Options) []Promise {
	loc := opt.Location
	if loc == nil {
		loc = jerusalem()
	}
	hour := opt.DefaultHour
	if hour <= 0 || hour > 23 {
		hour = 17
	}
	f := finder{text: text, now: opt.Now.In(loc), defaultHour: hour, quoted: quotedRanges(text)}
	var out []Promise
	for _, s := range sentences(text) {
		out = f.sentence(s, out)
	}
	return out
}

// finder holds what every sentence of one reply is read against.
type finder struct {
	text        string
	now         time.Time
	defaultHour int
	quoted      [][2]int
}

func (f *finder) inQuotes(pos int) bool {
	for _, q := range f.quoted {
		if pos > q[0] && pos < q[1] {
			return true
		}
	}
	return false
}

// commitment is a place in a sentence where the agent commits to act.
type commitment struct {
	at     int // index of its first token: the subject, or the verb
	hebrew bool
	hedged bool // "I'll try", "אנסה": a promise that does not commit
}

// sentence appends the promises of one sentence to out.
func (f *finder) sentence(s sentence, out []Promise) []Promise {
	toks := tokenize(f.text, s.start, s.end)
	if len(toks) == 0 {
		return out
	}
	asked := f.questionFrom(s, toks)
	var found []commitment
	for i := range toks {
		if i >= asked || f.inQuotes(toks[i].start) {
			continue
		}
		var c commitment
		var ok bool
		switch toks[i].script {
		case hebrew:
			c.hedged, ok = hebrewCommitment(toks, i)
			c.hebrew = true
		case latin:
			c.hedged, ok = englishCommitment(toks, i, len(found) > 0)
		}
		if !ok || negated(toks, i) {
			continue
		}
		from := 0
		if len(found) > 0 {
			from = found[len(found)-1].at + 1
		}
		if conditional(toks, from, i) {
			continue
		}
		c.at = i
		found = append(found, c)
	}
	if len(found) == 0 {
		return out
	}
	for _, g := range f.group(toks, found) {
		out = append(out, f.promise(s, toks, g))
	}
	return out
}

// questionFrom returns the index of the first token that belongs to a
// question, or len(toks) when the sentence asks nothing. A commitment asked
// about ("Will you call us tomorrow?", "שאחזור אליך מחר?") is no promise.
// A short tag after a comma ("I'll call you tomorrow, ok?", "..., בסדר?")
// asks only about itself.
func (f *finder) questionFrom(s sentence, toks []token) int {
	if !s.question {
		return len(toks)
	}
	last := toks[len(toks)-1].clause
	if last == 0 {
		return 0
	}
	first := len(toks)
	for first > 0 && toks[first-1].clause == last {
		first--
	}
	if len(toks)-first <= 3 {
		return first
	}
	return 0
}

// group splits the commitments of a sentence into promises. Commitments
// usually make one promise between them ("I'll check and I'll get back to
// you tomorrow", "אבדוק ואחזור אליך מחר"); the sentence splits only where
// both the part before and the part after name a time of their own ("I'll
// call you tomorrow and I'll send the form on Sunday").
func (f *finder) group(toks []token, cs []commitment) []promiseSpan {
	var out []promiseSpan
	first := 0 // the first commitment of the promise being built
	lo := 0    // and its first token
	for k := 1; k < len(cs); k++ {
		cut := cutBefore(toks, cs[k-1].at, cs[k].at)
		next := len(toks)
		if k+1 < len(cs) {
			next = cutBefore(toks, cs[k].at, cs[k+1].at)
		}
		before := promiseSpan{lo: lo, hi: cut, cs: cs[first:k]}
		after := promiseSpan{lo: cut, hi: next, cs: cs[k : k+1]}
		if f.times(toks, before, lo == 0).found() && f.times(toks, after, false).found() {
			out = append(out, before)
			first, lo = k, cut
		}
	}
	return append(out, promiseSpan{lo: lo, hi: len(toks), cs: cs[first:]})
}

// promiseSpan is the tokens lo..hi of a sentence that make one promise, and
// the commitments in them.
type promiseSpan struct {
	lo, hi int
	cs     []commitment
}

// conjunctions join two promises; they are left out of either's Text.
var conjunctions = set("and", "but", "then", "also", "plus", "אבל", "ואז", "אז", "וגם", "גם", "ובנוסף", "בנוסף")

// cutBefore returns where the part of a sentence that belongs to the
// commitment at b starts, given the commitment before it at a: after the
// last comma or conjunction between them, or at b itself.
func cutBefore(toks []token, a, b int) int {
	for k := b; k > a+1; k-- {
		if toks[k].clause != toks[k-1].clause || conjunctions[toks[k-1].form] {
			return k
		}
		if toks[k].script == hebrew && strings.HasPrefix(toks[k].form, "ו") && k < b {
			return k
		}
	}
	return b
}

// times reads the time expressions that belong to a span: those in the
// clause of its first commitment and after it. Earlier clauses count only
// when they hold nothing but a time, as in "מחר בבוקר, אחזור אליך" or
// "Tomorrow, I'll call you", and only for the first promise of a sentence:
// "Since your order was placed on Sunday, I'll look into it" is vague.
func (f *finder) times(toks []token, p promiseSpan, lead bool) when {
	start := p.cs[0].at
	for start > p.lo && toks[start-1].clause == toks[p.cs[0].at].clause {
		start--
	}
	s := scan{t: toks[:p.hi]}
	s.run(start)
	if !s.w.found() && lead {
		for lo := p.lo; lo < start; {
			hi := lo
			for hi < start && toks[hi].clause == toks[lo].clause {
				hi++
			}
			c := scan{t: toks[:hi]}
			used := c.run(lo)
			for k := lo; k < hi; k++ {
				if timeFillers[toks[k].form] {
					used++
				}
			}
			if used >= hi-lo && c.w.found() {
				return c.w
			}
			lo = hi
		}
	}
	return s.w
}

// timeFillers are the words that may stand around a time in a clause that
// holds nothing else: "by Thursday at the latest", "עד מחר לכל המאוחר".
var timeFillers = set("by", "at", "on", "until", "till", "the", "latest", "then", "so", "ok", "okay", "and",
	"עד", "לכל", "המאוחר", "היותר", "אז", "ב", "בשעה", "שעה", "השעה", "כבר", "ו")

// promise builds the Promise for one span of a sentence.
func (f *finder) promise(s sentence, toks []token, p promiseSpan) Promise {
	lo, hi := p.lo, p.hi
	for lo < hi-1 && conjunctions[toks[lo].form] {
		lo++
	}
	for hi > lo+1 && conjunctions[toks[hi-1].form] {
		hi--
	}
	start, end := toks[lo].start, toks[hi-1].end
	if p.lo == 0 {
		start = s.start
	}
	if p.hi == len(toks) {
		end = s.end
	}
	out := Promise{Kind: Vague, Language: "en", Text: f.text[start:end], Start: start, End: end}
	if p.cs[0].hebrew {
		out.Language = "he"
	}
	hedged := true
	for _, c := range p.cs {
		hedged = hedged && c.hedged
	}
	if w := f.times(toks, p, p.lo == 0); w.found() && !hedged {
		out.Kind = Definite
		out.Due, out.TimeGiven = w.resolve(f.now, f.defaultHour)
	}
	return out
}

// negated reports a negation shortly before token i in its clause: "I don't
// think I'll", "לא אחזור", "אני לא בטוח שאחזור". "No problem, I'll..." and
// "אין בעיה, אחזור..." negate nothing, and "אל" ("don't") only the word
// right after it: in "אל תדאג אחזור אליך" it is the customer who need not
// worry.
func negated(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-3 && toks[k].clause == toks[i].clause; k-- {
		f := toks[k].form
		if !negations[f] && !strings.HasSuffix(f, "n't") {
			continue
		}
		if notNegating[toks[k+1].form] || f == "אל" && k != i-1 {
			continue
		}
		return true
	}
	return false
}

var (
	negations   = set("not", "never", "cannot", "unable", "no", "לא", "ולא", "שלא", "אל", "אין", "אינני", "איני", "אינו", "בלי", "לעולם")
	notNegating = set("problem", "worries", "worry", "doubt", "בעיה", "ספק", "דאגה", "נדר")
)

// conditional reports "if" (or "unless", "אם", "במידה ו") between tokens
// from and i. A promise made under a condition, whether it is the
// customer's ("אם תשלח תמונה, אבדוק") or the world's ("if the part comes
// in"), is not one the desk can hold the agent to.
func conditional(toks []token, from, i int) bool {
	for k := from; k < i; k++ {
		f := toks[k].form
		for _, p := range conjPrefixes {
			if rest, ok := strings.CutPrefix(f, p); ok && conditions[rest] {
				return true
			}
		}
		if f == "case" && k > 0 && toks[k-1].form == "in" {
			return true
		}
	}
	return false
}

var conditions = set("if", "unless", "whenever", "אם", "במידה", "במקרה")
