package promise

import "strings"

// englishActions are the verbs that make "I'll ..." a promise to the
// customer. The list is closed on purpose: "I'll be out of the office
// tomorrow", "we'll be closed on Friday" and "I'll need your order number"
// say something about time without promising anything.
var englishActions = set(
	"call", "ring", "phone", "return", "get", "come", "circle", "revert", "reply", "respond", "answer",
	"write", "email", "text", "message", "ping", "contact", "reach", "update", "inform", "notify", "tell",
	"check", "double", "recheck", "re", "look", "investigate", "review", "verify", "confirm", "find",
	"follow", "chase", "send", "resend", "forward", "pass", "escalate", "raise", "ask", "talk", "speak",
	"arrange", "book", "schedule", "reschedule", "organise", "organize", "order", "ship", "deliver",
	"dispatch", "replace", "refund", "credit", "issue", "process", "cancel", "fix", "resolve", "sort",
	"handle", "deal", "take", "make", "ensure", "keep", "prepare", "open", "reopen", "drop", "give",
	"shoot", "dig", "provide", "share", "submit", "file", "push", "transfer", "connect", "set", "put",
	"monitor", "track", "test", "install", "repair", "visit", "bring", "collect", "pick", "post",
	"chat", "discuss", "consult", "coordinate", "liaise",
)

// englishReturns are the verbs that, joined by "and" to an earlier
// commitment, promise to come back to the customer: "let me check and get
// back to you", "I'll try to fix it and call you tomorrow".
var englishReturns = set("get", "come", "circle", "call", "ring", "update", "let", "reply", "respond",
	"follow", "send", "email", "write", "contact", "confirm", "revert", "text", "inform", "notify")

// englishAdverbs may stand between "I'll" and its verb without changing the
// promise; englishHedges may too, but make it vague.
var (
	englishAdverbs = set("also", "then", "definitely", "certainly", "surely", "personally", "just", "gladly",
		"happily", "immediately", "quickly", "promptly", "right", "first", "still", "of", "course", "absolutely",
		"directly", "now", "again", "be")
	englishHedges = set("probably", "hopefully", "maybe", "perhaps", "possibly")
)

// englishCommitment reports whether token i starts an English commitment,
// and whether it is hedged. after says whether the sentence already holds
// one, which is what lets "and get back to you" stand on its own.
func englishCommitment(t []token, i int, after bool) (hedged, ok bool) {
	w := func(k int) string {
		if k < len(t) {
			return t[k].form
		}
		return ""
	}
	j := -1
	switch w(i) {
	case "i'll", "we'll":
		j = i + 1
	case "i", "we":
		switch w(i + 1) {
		case "will", "shall":
			j = i + 2
		case "am", "are":
			if w(i+2) == "going" && w(i+3) == "to" {
				j = i + 4
			}
		case "promise":
			if w(i+2) == "to" {
				j = i + 3
			}
		}
	case "i'm", "we're":
		switch {
		case w(i+1) == "going" && w(i+2) == "to":
			j = i + 3
		case w(i+1) == "gonna":
			j = i + 2
		}
	case "will", "shall":
		// A dropped subject, as in terse replies: "Will call you tomorrow."
		// Only at the start of a sentence, or after "and" once "I" or "we"
		// has been said ("we checked and will call you tomorrow"); "Will
		// you call us?" fails on its verb.
		if i == 0 || (w(i-1) == "and" || w(i-1) == "then") && saidFirstPerson(t, i) {
			j = i + 1
		}
	case "let", "let's":
		// "Let me check and get back to you": a promise only with the
		// return in it, since "let me check" alone happens in the chat.
		k := i + 1
		if w(i) == "let" {
			if w(k) != "me" && w(k) != "us" {
				return false, false
			}
			k++
		}
		for ; k+1 < len(t) && t[k].clause == t[i].clause; k++ {
			if w(k) == "and" && joinedReturn(t, k+1) {
				return false, true
			}
		}
		return false, false
	case "and":
		if after && joinedReturn(t, i+1) {
			return false, true
		}
		return false, false
	case "you'll", "you":
		// "You'll hear from us tomorrow", "you will get an update from me".
		k := i + 1
		if w(i) == "you" {
			if w(k) != "will" && w(k) != "should" && w(k) != "can" {
				return false, false
			}
			k++
		}
		if w(k) == "hear" || w(k) == "get" || w(k) == "receive" || w(k) == "have" || w(k) == "expect" {
			return false, fromUs(t, k+1)
		}
		return false, false
	case "expect":
		// "Expect a call from me tomorrow."
		if i == 0 || w(i-1) == "please" || w(i-1) == "can" {
			return false, fromUs(t, i+1)
		}
		return false, false
	}
	if j < 0 {
		return false, false
	}
	return englishVerb(t, j, false)
}

// englishVerb reads what follows "I'll": a verb from englishActions, perhaps
// after adverbs, "make sure to", "be able to", "have to" or "be" with an
// -ing form, or a hedge ("try", "see what I can do", "do my best").
func englishVerb(t []token, j int, hedged bool) (bool, bool) {
	w := func(k int) string {
		if k < len(t) {
			return t[k].form
		}
		return ""
	}
	for ; j < len(t); j++ {
		f := t[j].form
		switch {
		case f == "not" || f == "never" || strings.HasSuffix(f, "n't"):
			return false, false
		case englishHedges[f]:
			hedged = true
		case f == "be" && englishActions[ingStem(w(j+1))]:
			return hedged, true
		case f == "be" && (w(j+1) == "back" && (w(j+2) == "to" || w(j+2) == "with") || w(j+1) == "in" && w(j+2) == "touch"):
			// "I'll be back to you", "I'll be in touch"; but "I'll be back
			// in the office on Sunday" tells the customer when the agent is
			// away, not what the agent will do.
			return hedged, true
		case f == "be" && (w(j+1) == "able" || w(j+1) == "happy" || w(j+1) == "glad") && w(j+2) == "to":
			j += 2
		case f == "make" && w(j+1) == "sure":
			// "I'll make sure to call" names the act; "I'll make sure
			// someone calls you" is the act.
			if w(j+2) != "to" {
				return hedged, true
			}
			j += 2
		case !englishAdverbs[f]:
			return englishVerbAt(t, j, hedged)
		}
	}
	return false, false
}

func englishVerbAt(t []token, j int, hedged bool) (bool, bool) {
	w := func(k int) string {
		if k < len(t) {
			return t[k].form
		}
		return ""
	}
	switch w(j) {
	case "try", "attempt", "aim":
		return true, true
	case "see":
		switch w(j + 1) {
		case "what", "if", "whether", "how", "about":
			return true, true
		case "to":
			return hedged, true
		}
		return false, false
	case "do":
		switch w(j + 1) {
		case "my", "our", "what", "everything", "all", "whatever":
			return true, true
		}
		return hedged, true
	case "have", "need":
		if w(j+1) == "to" {
			return englishVerb(t, j+2, hedged)
		}
		return hedged, w(j) == "have"
	case "let":
		switch w(j + 1) {
		case "you", "u", "them":
			return hedged, true
		}
		return false, false
	}
	return hedged, englishActions[w(j)]
}

// ingStem returns the verb of an -ing form: "calling" is "call", "writing"
// is "write", "getting" is "get"; or "" when there is none in the list.
func ingStem(f string) string {
	base, ok := strings.CutSuffix(f, "ing")
	if !ok || base == "" {
		return ""
	}
	for _, c := range []string{base, base + "e", base[:len(base)-1]} {
		if englishActions[c] {
			return c
		}
	}
	return ""
}

// joinedReturn reports a return verb at token k, perhaps after "then" or an
// adverb: the "get back to you" of "let me check and get back to you".
func joinedReturn(t []token, k int) bool {
	for k < len(t) && (englishAdverbs[t[k].form] || t[k].form == "i'll" || t[k].form == "we'll") {
		k++
	}
	if k >= len(t) {
		return false
	}
	if t[k].form == "let" {
		return k+1 < len(t) && (t[k+1].form == "you" || t[k+1].form == "u")
	}
	return englishReturns[t[k].form]
}

// fromUs reports "from me" or "from us" at or after token k in the same
// clause, which makes what the customer will receive the agent's promise.
func fromUs(t []token, k int) bool {
	for ; k+1 < len(t) && t[k].clause == t[k-1].clause; k++ {
		if t[k].form == "from" && (t[k+1].form == "me" || t[k+1].form == "us") {
			return true
		}
	}
	return false
}

// saidFirstPerson reports "I" or "we" before token i.
func saidFirstPerson(t []token, i int) bool {
	for k := range i {
		switch t[k].form {
		case "i", "we", "i've", "we've":
			return true
		}
	}
	return false
}

// Hebrew commitments are first-person future verbs. The list is closed for
// the same reason as englishActions.
var (
	// hebrewActions promise to act.
	hebrewActions = set(
		"אחזור", "נחזור", "אתקשר", "נתקשר", "אעדכן", "נעדכן", "אבדוק", "נבדוק", "אשלח", "נשלח",
		"אענה", "נענה", "אחזיר", "נחזיר", "אטפל", "נטפל", "אדאג", "נדאג", "אברר", "נברר", "אוודא",
		"נוודא", "אעביר", "נעביר", "אסדר", "נסדר", "אתאם", "נתאם", "אעקוב", "נעקוב", "אודיע", "נודיע",
		"אשיב", "נשיב", "אכתוב", "נכתוב", "אזמין", "נזמין", "אוציא", "נוציא", "אצור", "ניצור", "נצור",
		"אדבר", "נדבר", "אסתכל", "נסתכל", "אבטל", "נבטל", "אפנה", "נפנה", "אטלפן", "נטלפן", "אזכה",
		"אתקן", "נתקן", "אחפש", "נחפש", "אשוחח", "נשוחח", "אסגור", "אעלה", "נעלה",
	)
	// hebrewHedges promise only to try.
	hebrewHedges = set("אנסה", "ננסה", "אשתדל", "נשתדל")
	// hebrewPassive are also past-tense passives: "המייל נשלח" is "the
	// email was sent".
	hebrewPassive = set("נשלח", "נענה")
	// hebrewInfinitives follow "אני הולך" and "אני מבטיח".
	hebrewInfinitives = set(
		"לחזור", "להתקשר", "לעדכן", "לבדוק", "לשלוח", "לענות", "לטפל", "להחזיר", "לברר", "לוודא",
		"להעביר", "לסדר", "לתאם", "לעקוב", "להודיע", "להשיב", "לכתוב", "לדבר", "להסתכל", "לדאוג",
	)
	hebrewGoing    = set("הולך", "הולכת", "הולכים", "הולכות", "מבטיח", "מבטיחה", "מבטיחים", "מבטיחות")
	hebrewFirst    = set("אני", "ואני", "אנחנו", "ואנחנו", "אנו")
	hebrewReceive  = set("תקבל", "תקבלי", "תקבלו", "תשמע", "תשמעי", "תשמעו")
	hebrewFromUs   = set("ממני", "מאיתנו", "מאתנו", "מצידי", "מצידנו", "מאיתי")
	hebrewSeeWhat  = set("מה", "אם", "איך", "האם")
	hebrewDoMost   = set("כל", "כמיטב", "מה", "הכל", "הכול", "ככל", "המקסימום", "המיטב")
	hebrewTimeWord = set("היום", "מחר", "הערב", "השבוע", "אתמול")
)

// verbOf returns the Hebrew word at token k without the prefixes a verb may
// take ("ואחזור", "שאבדוק", "כשנסיים"), as found in one of the lists, or "".
func verbOf(t []token, k int, lists ...map[string]bool) string {
	if k < 0 || k >= len(t) || t[k].script != hebrew {
		return ""
	}
	for _, p := range conjPrefixes {
		rest, ok := strings.CutPrefix(t[k].form, p)
		if !ok || rest == "" {
			continue
		}
		for _, l := range lists {
			if l[rest] {
				return rest
			}
		}
	}
	return ""
}

// hebrewCommitment reports whether token i is a Hebrew commitment, and
// whether it is hedged.
func hebrewCommitment(t []token, i int) (hedged, ok bool) {
	form := func(k int) string {
		if k < len(t) {
			return t[k].form
		}
		return ""
	}
	if v := verbOf(t, i, hebrewActions); v != "" {
		if hebrewPassive[v] && i > 0 && !hebrewFirst[form(i-1)] {
			// "המייל נשלח", "הוא כבר נשלח": a definite noun or "already"
			// before it makes it the past passive.
			p := form(i - 1)
			if p == "כבר" || strings.HasPrefix(p, "ה") && !hebrewTimeWord[p] || form(i+1) == "אתמול" {
				return false, false
			}
		}
		return false, true
	}
	if verbOf(t, i, hebrewHedges) != "" {
		return true, true
	}
	// "אני אראה מה אפשר לעשות", "נראה אם אפשר": without "what" or "if",
	// "נראה" is "it seems" and "אראה לך" is "I'll show you".
	if v := verbOf(t, i, set("אראה", "נראה")); v != "" {
		return true, hebrewSeeWhat[form(i+1)]
	}
	// "נעשה כמיטב יכולתנו" hedges; "אעשה את זה מחר" promises.
	if v := verbOf(t, i, set("אעשה", "נעשה")); v != "" {
		next := form(i + 1)
		if hebrewDoMost[next] || next == key("את") && hebrewDoMost[form(i+2)] {
			return true, true
		}
		return false, true
	}
	// "אני הולך לבדוק", "אנחנו מבטיחים לחזור אליך": present tense with an
	// infinitive, said in the first person.
	if hebrewGoing[form(i)] && i > 0 && hebrewFirst[form(i-1)] && hebrewInfinitives[form(i+1)] {
		return false, true
	}
	// "תקבל מאיתנו תשובה מחר": what the customer will receive from us.
	if verbOf(t, i, hebrewReceive) != "" {
		for k := i + 1; k < len(t) && t[k].clause == t[i].clause; k++ {
			if hebrewFromUs[t[k].form] {
				return false, true
			}
		}
	}
	return false, false
}
