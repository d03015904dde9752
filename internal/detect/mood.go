package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Signal is what a cue in a message is evidence of.
type Signal uint8

// Signals.
const (
	Anger Signal = iota + 1
	Distress
	Abuse
	Positive
)

func (s Signal) String() string {
	switch s {
	case Anger:
		return "anger"
	case Distress:
		return "distress"
	case Abuse:
		return "abuse"
	case Positive:
		return "positive"
	}
	return "none"
}

// Cue is one piece of evidence for a mood: the rule and the phrase that
// fired, what it is evidence of, and its weight after negation,
// intensifiers and emphasis. Its rule names the language and the kind of
// evidence: "he.anger", "en.negated" (a negated positive, "not happy"),
// "he.threat" (to leave, sue or go to a regulator), "en.sarcasm", "en.shout"
// (a run of capitals), "he.reported" (an insult the customer quotes or
// reports), "he.abuse", "en.distress", "he.positive".
type Cue struct {
	Match
	Signal Signal
	Weight float64
}

// Threshold is the score from which a message counts as angry or
// distressed; a score of twice as much is strong. One clear word ("furious",
// "נמאס"), a threat or a negated "happy" reaches it; a milder word
// ("disappointed", "bad") needs an intensifier, emphasis or company.
const Threshold = 1.0

// Mood is what ReadMood found in a message: scores for anger, distress and
// positive feeling (sums of their cues' weights, 0 when none), whether it
// insults or swears at a person, whether it threatens to leave, sue or
// complain outside, and every cue, in the order of the text, so that an
// agent or a manager can see why a message was flagged.
type Mood struct {
	Anger, Distress, Positive float64
	Abusive, Threat           bool
	Cues                      []Cue
}

// Angry reports an anger score at the threshold or above. Abuse counts
// towards anger.
func (m Mood) Angry() bool { return m.Anger >= Threshold }

// Distressed reports a distress score at the threshold or above.
func (m Mood) Distressed() bool { return m.Distress >= Threshold }

// Why returns the cues for s, to show beside a flag.
func (m Mood) Why(s Signal) []Cue {
	var cues []Cue
	for _, c := range m.Cues {
		if c.Signal == s {
			cues = append(cues, c)
		}
	}
	return cues
}

// ReadMood reads a customer's message for anger, distress, abuse and
// positive feeling, in Hebrew and English, by a lexicon of words and
// phrases written for the desk and a few rules around it:
//
//   - A negation just before a word turns it ("לא מרוצה", "not happy" are
//     anger; "לא רע", "not bad" are positive; "לא דחוף", "not urgent" are
//     nothing). Up to two linking words may stand between ("I was not very
//     happy").
//   - An intensifier ("ממש", "מאוד", "כל כך", "very", "so", "extremely")
//     before a word, or "בכלל" and "at all" after it, multiply its weight by
//     1.5; a stretched word ("נוראאאא", "sooooo") by 1.3.
//   - Emphasis strengthens anger and distress, never creates them: "!" ends
//     the clause (×1.2), "!!" or "?!" (×1.4), the word is in capitals (×1.3).
//     "תודה!!!" stays positive. Three or more words in capitals in a message
//     with nothing positive are shouting, which is anger by itself.
//   - A positive word in quotation marks is sarcasm ("השירות ה"מעולה""), and
//     so are a few fixed phrases ("thanks for nothing", "תודה על כלום").
//   - Swearing at someone ("fuck you", "תסתום") is abuse; an insult
//     ("idiot", "מטומטם") is abuse when it is aimed at a person ("you", "יא",
//     "הנציג") and anger otherwise ("this stupid website"). An insult in
//     quotation marks, or after "called me" or "אמר לי", is the customer
//     reporting one, which is a complaint, not abuse.
//
// Hebrew words are found with their prefixes ("ומאוכזבת", "כשהשירות").
// The detector is a reader of words, not of meaning: see the README for
// what it was measured on and what it misses.
func ReadMood(text string) Mood {
	r := moodReader{text: text, toks: tokenize(text), quotes: quotedSpans(text)}
	r.read()
	return r.mood
}

// kind is what a lexicon entry is, which decides how negation and emphasis
// act on it.
type kind uint8

const (
	kAnger    kind = iota + 1 // anger; negated, it is nothing
	kBad                      // anger that negated is praise: "לא רע", "not bad"
	kThreat                   // anger that threatens to leave, sue or go public
	kDistress                 // distress; negated ("not urgent"), nothing
	kGood                     // positive; negated, anger ("not happy")
	kFair                     // nothing by itself; negated, anger ("not acceptable")
	kInsult                   // abuse when aimed at a person, else anger
	kSwear                    // abuse
	kSarcasm                  // anger dressed as praise
)

type entry struct {
	kind   kind
	weight float64
}

// lexicon holds the mood words of one language.
type lexicon struct {
	lang         string
	words        phrases[entry]
	negations    map[string]bool
	intensifiers map[string]bool
	// linkers may stand between a negation and its word: "not very happy",
	// "לא הייתי מרוצה".
	linkers map[string]bool
	// afterIntensifiers strengthen the word before them: "not happy at all".
	afterIntensifiers phrases[bool]
	// polite requests soften a negated positive: "לא מרוצה מהגוון, אפשר
	// להחליף?" asks for an exchange rather than complains.
	polite phrases[bool]
	// aim words before an insult make it aimed at a person.
	aim map[string]bool
	// reporters before an insult make it reported speech.
	reporters map[string]bool
}

func (l *lexicon) group(k kind, weight float64, list string) {
	l.words.add(list, entry{k, weight})
}

var hebrewMood, englishMood = newHebrewMood(), newEnglishMood()

func newHebrewMood() *lexicon {
	l := &lexicon{lang: "he",
		negations:    set("לא", "ולא", "שלא", "אין", "בלי", "אינו", "אינה", "אינני", "איני", "אף"),
		intensifiers: set("ממש", "מאוד", "מאד", "כך", "נורא", "לגמרי", "הכי", "פשוט", "באמת", "ביותר", "סופר", "מדי", "כלכך"),
		linkers:      set("הייתי", "היה", "הייתה", "היתה", "זה", "זאת", "הם", "היו", "ממש", "מאוד", "כל", "כך", "הכי", "כזה", "כזאת", "כל־כך"),
		aim: set("אתה", "את", "אתם", "אתן", "יא", "נציג", "נציגה", "הנציג", "הנציגה", "שלכם", "שלך", "חבורה",
			"חבורת", "של", "הזה", "הזאת", "תהיה", "תהיי", "כזה", "כזאת", "השליח", "שליח", "בן", "בת"),
		reporters: set("קרא", "קראה", "קראו", "אמר", "אמרה", "אמרו", "כינה", "כינתה", "לי", "אותי"),
	}
	l.polite.add("אפשר|אשמח|תוכלו|תוכל|ניתן", true)
	l.afterIntensifiers.add("בכלל|לגמרי|ביותר|ברמות|בטירוף|מאוד|מאד", true)
	l.group(kAnger, 1, "כועס|כועסת|כועסים|עצבני|עצבנית|עצבניים|זועם|זועמת|נמאס|נמאס לי|חוצפה|חצוף|חצופים|"+
		"שערורייה|שערוריה|מזעזע|מזעזעת|ביזיון|בזיון|בושה|מחפיר|לא ייאמן|לא יאמן|לא יעלה על הדעת|עד מתי|"+
		"רמאים|רמאות|נוכלים|גנבים|גניבה|שקרנים|שקרנית|שקרן|עושק|זלזול|מזלזלים|מזלזל|מזלזלת|מגעיל|מגעילה|"+
		"לא רציני|לא רצינית|בדיחה|אין מילים|אין לי מילים|דורש הסבר|דורשת הסבר|דורש התנצלות|דורשת התנצלות|"+
		"דורשים הסבר|בזבוז זמן|מסובבים אותי|בלתי מקובל|בלתי נסבל|לא נסבל|מעצבן|מעצבנת|מטריף|מקומם|מקוממת|בלגן")
	l.group(kAnger, 0.7, "מאוכזב|מאוכזבת|מאוכזבים|אכזבה|מאכזב")
	l.group(kAnger, 0.6, "לשווא|ניתקו|ניתק לי|"+
		"אף אחד לא חוזר|אף אחד לא חזר|אף אחד לא עונה|אף אחד לא ענה|אף אחד לא עוזר|"+
		"אף אחד לא עזר|אף אחד לא הגיע|לא ככה מתייחסים|לא ככה מתנהגים")
	l.group(kAnger, 0.75, "הפעם השלישית|הפעם הרביעית|פעם שלישית|פעם רביעית|הפעם החמישית")
	l.group(kBad, 1, "גרוע|גרועה|גרועים|נוראי|נוראית|איום|איומה|זוועה|זוועתי")
	l.group(kBad, 0.8, "רע|נורא")
	l.group(kThreat, 1, "עוזב אתכם|עוזבת אתכם|עוזבים אתכם|אני עוזב|אני עוזבת|עורך דין|עורכת דין|עו ד|"+
		"תביעה|תביעות קטנות|אתבע|אתבע אתכם|תובע אתכם|תובעת אתכם|הגנת הצרכן|להגנת הצרכן|לא אקנה|לא אזמין|"+
		"לא אקנה שוב|לא אקנה יותר|לא אזמין יותר|אפרסם|ברשתות החברתיות|בפייסבוק|מבטל את המנוי|מבטלת את המנוי|"+
		"אבטל את המנוי|פניתי להגנת הצרכן")
	l.group(kDistress, 1, "לא יודע מה לעשות|לא יודעת מה לעשות|לא יודעים מה לעשות|מיואש|מיואשת|מייאש|נואש|נואשת|"+
		"בוכה|בוכים|אין לי למי לפנות|לא יכולה יותר|לא יכול יותר|אין לי כוח|בלחץ|לחוץ|לחוצה|מפחד|מפחדת|"+
		"חייב עזרה|חייבת עזרה|המצב שלי קשה|מצב קשה|אין לי כסף|אין לי יותר כסף|קשישה|קשיש")
	l.group(kDistress, 0.6, "דחוף|בדחיפות")
	l.group(kDistress, 0.5, "תעזרו לי|עזרו לי|בית חולים|בבית חולים|תרופות|התרופות|תינוק|ילדים קטנים|"+
		"לבד|שכר דירה|משכורת|למשכורת")
	l.group(kGood, 1, "מרוצה|מרוצים|מרוצות|מעולה|מעולים|מצוין|מצוינת|מצויינת|מושלם|מושלמת|נהדר|נהדרת|מקסים|מקסימה|"+
		"אלוף|אלופה|אלופים|ממליץ|ממליצה|אהבתי|שאפו|כל הכבוד|תודה רבה|אדיב|אדיבה|כיף|הצלתם|מקצועי|מקצועית")
	l.group(kGood, 0.5, "תודה|טוב|טובה|יופי|אחלה|שמח|שמחה|סבלני|סבלנית|מהיר|מהירה")
	l.group(kFair, 0, "מקובל|מקובלת|בסדר|הוגן|הוגנת|סביר|סבירה|תקין|מכבד")
	l.group(kInsult, 1, "מטומטם|מטומטמת|מטומטמים|אידיוט|אידיוטית|אידיוטים|דביל|דבילית|דבילים|טמבל|טמבלית|"+
		"מפגר|מפגרת|מפגרים|טיפש|טיפשה|טיפשים|חתיכת|אפס|אפסים|זבל")
	l.group(kSwear, 1, "תזדיין|תזדייני|תזדיינו|לך תזדיין|לכו תזדיינו|תסתום|תסתמי|תסתמו|סתום כבר|סתמי כבר|סתמו כבר|"+
		"סתום את הפה|סתמי את הפה|סתמו את הפה|בן זונה|יא זבל")
	l.group(kSarcasm, 1, "תודה על כלום|יופי של שירות|ממש תודה על")
	return l
}

func newEnglishMood() *lexicon {
	l := &lexicon{lang: "en",
		negations:    set("not", "no", "never", "hardly", "nothing", "nobody", "none"),
		intensifiers: set("very", "so", "really", "extremely", "totally", "absolutely", "utterly", "incredibly", "super", "completely", "seriously", "truly", "beyond", "most", "too"),
		linkers:      set("very", "so", "really", "at", "all", "that", "too", "i", "am", "was", "is", "be", "been", "it", "this", "a", "an", "the", "feel", "feeling", "exactly"),
		aim:          set("you", "you're", "youre", "your", "ur", "u", "are", "agent", "agents", "rep", "representative", "woman", "man", "guy", "guys", "people", "bunch", "of", "such", "is", "a", "an", "total", "complete", "she's", "he's", "listen"),
		reporters:    set("called", "calls", "call", "me", "told", "said", "a", "an"),
	}
	l.polite.add("can i|could i|could you|can you|would you|is it possible", true)
	l.afterIntensifiers.add("at all|whatsoever", true)
	l.group(kAnger, 1, "angry|furious|unacceptable|outraged|outrageous|livid|fed up|sick of|sick and tired|unbelievable|ridiculous|"+
		"disgusting|disgraceful|shameful|shame on you|scam|scammers|scammer|thieves|thief|crooks|liars|lied to me|"+
		"joke|a joke|pathetic|worst|demand|i demand|annoyed|annoying|infuriating|waste of time|wasting my time|"+
		"how long do i have to wait|how long must i wait|fucking|bullshit|damn|hung up on me|runaround")
	l.group(kAnger, 0.7, "disappointed|disappointing|disappointment|frustrated|frustrating")
	l.group(kAnger, 0.6, "again|nobody got back|nobody replied|nobody called|nobody came|no one got back|no one replied|no one called|"+
		"you just don't care|don't care")
	l.group(kAnger, 0.75, "third time|fourth time|fifth time")
	l.group(kBad, 1, "terrible|awful|horrible|horrendous|dreadful|appalling")
	l.group(kBad, 0.8, "bad|poor|useless")
	l.group(kThreat, 1, "lawyer|attorney|legal action|sue|sue you|small claims|consumer protection|"+
		"trading standards|chargeback|dispute the charge|disputing the charge|never order from you again|"+
		"never buy from you again|won't order from you again|never shop with you again|i'll cancel|i will cancel|"+
		"cancelling my subscription|canceling my subscription|i'm leaving you|leaving you for|posting reviews|"+
		"tell everyone|reporting you|report you|filed a complaint")
	l.group(kDistress, 1, "desperate|i don't know what to do|at my wits' end|at my wits end|panicking|panic|"+
		"terrified|scared|afraid|in tears|crying|helpless|no one to turn to|nowhere to turn|can't take this anymore|"+
		"can't cope|stressed|so stressed|can't afford|nothing left|begging you|emergency")
	l.group(kDistress, 0.6, "urgent|urgently")
	l.group(kDistress, 0.5, "please help|help me|need help|worried|medication|hospital|newborn|"+
		"baby|small kids|elderly|alone|rent|salary")
	l.group(kGood, 1, "happy|pleased|satisfied|great|excellent|amazing|awesome|wonderful|fantastic|brilliant|perfect|"+
		"love|love it|thank you|thanks a lot|appreciate|helpful|professional|impressed|saved")
	l.group(kGood, 0.5, "thanks|good|nice|fine|kind|patient|quick|fast|comfy")
	l.group(kFair, 0, "acceptable|ok|okay|fair|right|reasonable")
	l.group(kInsult, 1, "idiot|idiots|idiotic|moron|morons|stupid|dumb|imbecile|clown|clowns|incompetent|loser|losers")
	l.group(kSwear, 1, "fuck you|fuck off|f off|f you|screw you|shut up|go to hell|piss off|asshole|assholes|bitch|"+
		"son of a bitch")
	l.group(kSarcasm, 1, "thanks for nothing|just great|yeah right|so much for|great job not")
	return l
}

// moodReader reads one message.
type moodReader struct {
	text   string
	toks   []token
	quotes [][2]int
	mood   Mood
}

func (r *moodReader) read() {
	for i := 0; i < len(r.toks); {
		lex := englishMood
		if r.toks[i].hebrew {
			lex = hebrewMood
		}
		e, n := lex.words.at(r.toks, i)
		if n == 0 {
			i++
			continue
		}
		r.cue(lex, e, i, i+n)
		i += n
	}
	r.shouting()
	for _, c := range r.mood.Cues {
		switch c.Signal {
		case Anger, Abuse:
			r.mood.Anger += c.Weight
		case Distress:
			r.mood.Distress += c.Weight
		case Positive:
			r.mood.Positive += c.Weight
		}
		if c.Signal == Abuse {
			r.mood.Abusive = true
		}
	}
}

// cue turns the entry found at tokens lo..hi into a cue.
func (r *moodReader) cue(lex *lexicon, e entry, lo, hi int) {
	negated := r.negated(lex, lo)
	quoted := r.quoted(lo)
	var sig Signal
	rule := "anger"
	switch e.kind {
	case kAnger, kThreat:
		if negated {
			return
		}
		sig = Anger
		if e.kind == kThreat {
			rule = "threat"
			r.mood.Threat = true
		}
	case kBad:
		sig = Anger
		if negated {
			sig, rule, e.weight = Positive, "positive", 0.5
		}
	case kDistress:
		if negated {
			return
		}
		sig, rule = Distress, "distress"
	case kGood, kFair:
		switch {
		case quoted:
			sig, rule, e.weight = Anger, "sarcasm", 1
		case negated:
			sig, rule, e.weight = Anger, "negated", 1
			if r.polite(lex) {
				e.weight = 0.8
			}
		case e.kind == kFair:
			return
		default:
			sig, rule = Positive, "positive"
		}
	case kInsult, kSwear:
		switch {
		case quoted || r.reported(lex, lo):
			sig, rule, e.weight = Anger, "reported", 0.5
		case e.kind == kSwear || r.aimed(lex, lo):
			sig, rule = Abuse, "abuse"
		default:
			sig = Anger
		}
	case kSarcasm:
		sig, rule = Anger, "sarcasm"
	}
	w := e.weight * r.intensity(lex, lo, hi)
	if sig == Anger || sig == Distress {
		w *= r.emphasis(lo, hi)
	}
	start, end := r.toks[lo].start, r.toks[hi-1].end
	r.mood.Cues = append(r.mood.Cues, Cue{
		Match:  Match{Rule: lex.lang + "." + rule, Text: r.text[start:end], Start: start, End: end},
		Signal: sig,
		Weight: round(w),
	})
}

// negated reports a negation before token i in its clause, with at most
// two linking words between.
func (r *moodReader) negated(lex *lexicon, i int) bool {
	for k := i - 1; k >= 0 && k >= i-3 && r.toks[k].clause == r.toks[i].clause; k-- {
		f := r.toks[k].form
		if lex.negations[f] || strings.HasSuffix(f, "n't") || f == "cannot" {
			return true
		}
		if !lex.linkers[f] {
			return false
		}
	}
	return false
}

// intensity multiplies by 1.5 for an intensifier just before the phrase
// (one word of its clause back, or two for "כל כך" and "so very") or an
// after-intensifier just after it, and by 1.3 for a stretched word.
func (r *moodReader) intensity(lex *lexicon, lo, hi int) float64 {
	m := 1.0
	for k := lo - 1; k >= 0 && k >= lo-2 && r.toks[k].clause == r.toks[lo].clause; k-- {
		intense := lex.intensifiers[r.toks[k].form] || stretched(r.toks[k]) && reads(r.toks[k], "so")
		if !intense && !lex.negations[r.toks[k].form] {
			break
		}
		if intense {
			m *= 1.5
			if stretched(r.toks[k]) {
				m *= 1.3
			}
			break
		}
	}
	if hi < len(r.toks) && r.toks[hi].clause == r.toks[lo].clause {
		if _, n := lex.afterIntensifiers.at(r.toks, hi); n > 0 {
			m *= 1.5
		}
	}
	for k := lo; k < hi; k++ {
		if stretched(r.toks[k]) {
			m *= 1.3
			break
		}
	}
	return m
}

// emphasis reads the punctuation that ends the clause of tokens lo..hi and
// the capitals of its words.
func (r *moodReader) emphasis(lo, hi int) float64 {
	m := 1.0
	last := hi - 1
	for last+1 < len(r.toks) && r.toks[last+1].clause == r.toks[lo].clause {
		last++
	}
	bangs, asks := 0, 0
	for _, c := range r.text[r.toks[last].end:] {
		if isWordRune(c) {
			break
		}
		switch c {
		case '!':
			bangs++
		case '?':
			asks++
		}
	}
	switch {
	case bangs >= 2 || bangs >= 1 && asks >= 1:
		m *= 1.4
	case bangs == 1:
		m *= 1.2
	}
	for k := lo; k < hi; k++ {
		if r.capitals(k) {
			m *= 1.3
			break
		}
	}
	return m
}

// capitals reports a word of two letters or more written in capitals.
func (r *moodReader) capitals(i int) bool {
	w := r.text[r.toks[i].start:r.toks[i].end]
	if utf8.RuneCountInString(w) < 2 {
		return false
	}
	for _, c := range w {
		if unicode.IsLetter(c) && !unicode.IsUpper(c) {
			return false
		}
	}
	return !r.toks[i].hebrew
}

// shouting adds a cue for three or more words in capitals in a row, in a
// message with nothing positive: "WHERE IS MY ORDER".
func (r *moodReader) shouting() {
	if len(r.mood.Why(Positive)) > 0 {
		return
	}
	for i := 0; i < len(r.toks); {
		j := i
		for j < len(r.toks) && r.capitals(j) {
			j++
		}
		if j-i >= 3 {
			start, end := r.toks[i].start, r.toks[j-1].end
			r.mood.Cues = append(r.mood.Cues, Cue{
				Match:  Match{Rule: "en.shout", Text: r.text[start:end], Start: start, End: end},
				Signal: Anger, Weight: 1,
			})
			return
		}
		i = j + 1
	}
}

// aimed reports an aim word ("you", "יא", "הנציג") up to four words before
// token i in its clause, or that the insult opens the message.
func (r *moodReader) aimed(lex *lexicon, i int) bool {
	if i == 0 {
		return true
	}
	for k := i - 1; k >= 0 && k >= i-4 && r.toks[k].clause == r.toks[i].clause; k-- {
		for _, f := range readings(r.toks[k]) {
			if lex.aim[f] {
				return true
			}
		}
	}
	return false
}

// reported reports "called me", "told me" or "אמר לי" up to three words
// before token i in its clause.
func (r *moodReader) reported(lex *lexicon, i int) bool {
	for k := i - 1; k >= 0 && k >= i-3 && r.toks[k].clause == r.toks[i].clause; k-- {
		f := r.toks[k].form
		if !lex.reporters[f] {
			return false
		}
		if f != "me" && f != "לי" && f != "אותי" && f != "a" && f != "an" {
			return true
		}
	}
	return false
}

// polite reports a polite request anywhere in the message.
func (r *moodReader) polite(lex *lexicon) bool {
	for i := range r.toks {
		if _, n := lex.polite.at(r.toks, i); n > 0 {
			return true
		}
	}
	return false
}

func (r *moodReader) quoted(i int) bool {
	for _, q := range r.quotes {
		if r.toks[i].start < q[1] && r.toks[i].end > q[0] {
			return true
		}
	}
	return false
}

// quotedSpans returns the byte ranges between quotation marks. A mark opens
// a quotation after a space or a Hebrew prefix letter ("ה"מעולה"") and
// before a letter, and closes it before anything but a letter; a mark
// inside a word is a gershayim or an apostrophe ("ש"ח", "don't"). An
// opening mark with no closing one is not a quotation.
func quotedSpans(text string) [][2]int {
	var spans [][2]int
	open := -1
	var prev rune = ' '
	word := 0 // letters since the last non-letter
	for i, c := range text {
		next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(c):])
		if isQuote(c) {
			switch {
			case open < 0 && unicode.IsLetter(next) && (!unicode.IsLetter(prev) || word == 1 && strings.ContainsRune("הובלשמכ", prev)):
				open = i + utf8.RuneLen(c)
			case open >= 0 && unicode.IsLetter(prev) && !unicode.IsLetter(next):
				spans = append(spans, [2]int{open, i})
				open = -1
			}
		}
		if unicode.IsLetter(c) {
			word++
		} else {
			word = 0
		}
		if c == '\n' {
			open = -1
		}
		prev = c
	}
	return spans
}

func isQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '״', '\'', '‘', '’', '׳':
		return true
	}
	return false
}

// round keeps two decimals, so that weights read well beside a flag.
func round(w float64) float64 { return float64(int(w*100+0.5)) / 100 }
