package detect

import "strings"

// ManagerRequest reports whether a customer's message asks for a manager or
// for the case to be escalated, and returns the first phrase that does. The
// desk opens an escalation when it does.
//
// A manager word alone is not enough: "my manager asked me to write to you",
// "the store manager was very helpful" and a signature such as "Dana Cohen,
// Account Manager" mention one without asking for one. The rules need a
// request before the word ("I want to speak to", "put me through to", "תן
// לי את", "תעבירו אותי ל", "מי") with nothing but linking words between,
// and no negation before it in the same clause ("I don't need a manager",
// "לא צריך מנהל"). The customer's own manager ("המנהל שלי"), a trade
// ("מנהל חשבונות", "account manager") and "I am a manager" ("אני מנהל") do
// not count.
//
// The rules are "en.manager" and "he.manager" for a manager, supervisor,
// boss or someone in charge, and "en.escalate" and "he.escalate" for asking
// to escalate.
func ManagerRequest(text string) (Match, bool) {
	toks := tokenize(text)
	for i := range toks {
		var lo, hi int
		var rule string
		if toks[i].hebrew {
			lo, hi, rule = hebrewManager(toks, i)
		} else {
			lo, hi, rule = englishManager(toks, i)
		}
		if rule != "" {
			start, end := toks[lo].start, toks[hi-1].end
			return Match{Rule: rule, Text: text[start:end], Start: start, End: end}, true
		}
	}
	return Match{}, false
}

// request looks back from token i (the manager word) for a request: a
// trigger reached through linking words only, in the same clause, no more
// than seven words away. It returns the trigger's index, or -1.
func request(toks []token, i int, triggers, linkers map[string]bool, prefixes []string) int {
	for k := i - 1; k >= 0 && k >= i-7 && toks[k].clause == toks[i].clause; k-- {
		f := toks[k].form
		if triggers[f] || stem(f, prefixes, triggers) != "" {
			return k
		}
		if !linkers[f] {
			return -1
		}
	}
	return -1
}

// negatedBefore reports a negation just before the request at token i, in
// its clause: "I don't need", "I do not want", "לא צריך", "לא באמת רוצה".
// A negation further back belongs to something else: "אני לא מרוצה ואני
// רוצה לדבר עם מנהל" still asks for one.
func negatedBefore(toks []token, i int, negations map[string]bool) bool {
	for k := i - 1; k >= 0 && k >= i-2 && toks[k].clause == toks[i].clause; k-- {
		if negations[toks[k].form] || strings.HasSuffix(toks[k].form, "n't") {
			return true
		}
	}
	return false
}

var (
	englishManagers = set("manager", "managers", "supervisor", "supervisors", "boss", "superior", "superiors",
		"director")
	// englishOwners make the manager someone else's, or a trade: "my
	// manager", "Account Manager".
	englishOwners = set("my", "our", "his", "her", "their", "account", "project", "product", "property",
		"relationship", "portfolio", "program", "programme", "community", "office's")
	// englishSomeone make "in charge" and "senior" a person.
	englishSomeone = set("someone", "somebody", "person", "whoever", "anyone", "anybody", "one", "who",
		"who's", "is")
	englishTriggers = set("want", "wants", "wanna", "like", "need", "needs", "demand", "demanding", "insist", "insisting",
		"request", "requesting", "ask", "asking", "let", "can", "could", "may", "get", "give", "put",
		"transfer", "connect", "bring", "fetch", "call", "where", "where's", "who", "who's", "escalate")
	// englishLinkers may stand between the request and the manager. Anything
	// else breaks the link, which is what keeps "please pass my thanks to
	// your manager" from asking for one.
	englishLinkers = set("to", "with", "a", "an", "the", "your", "some", "someone", "somebody", "person",
		"one", "of", "me", "us", "this", "it", "through", "over", "speak", "talk", "chat", "directly",
		"straight", "right", "now", "please", "immediately", "actual", "real", "senior", "higher", "up",
		"store", "shift", "duty", "floor", "general", "customer", "service", "support", "team", "i", "is",
		"are", "call", "complaint", "case", "ticket", "matter", "just", "only", "speaking", "talking",
		"be", "transferred", "escalated", "whoever", "anyone", "in", "charge", "my", "here", "there")
	englishNegations = set("not", "never", "no", "without")
)

// englishManager matches at token i and returns the matched tokens lo..hi
// and the rule, or "" for no match.
func englishManager(toks []token, i int) (lo, hi int, rule string) {
	f := toks[i].form
	next := func(k int) string {
		if k < len(toks) {
			return toks[k].form
		}
		return ""
	}
	prev := func(k int) string {
		if k >= 0 {
			return toks[k].form
		}
		return ""
	}
	if strings.HasPrefix(f, "escalat") {
		return englishEscalate(toks, i)
	}
	n := 0
	switch {
	case englishManagers[f]:
		n = 1
		if englishOwners[prev(i-1)] {
			return 0, 0, ""
		}
	case f == "in" && next(i+1) == "charge" && englishSomeone[prev(i-1)]:
		n = 2
	case f == "senior" && englishSomeone[prev(i-1)] && prev(i-1) != "is":
		n = 1
	case f == "higher" && (next(i+1) == "up" || next(i+1) == "ups"):
		n = 2
	case f == "team" && (next(i+1) == "leader" || next(i+1) == "lead"):
		n = 2
		if englishOwners[prev(i-1)] {
			return 0, 0, ""
		}
	default:
		return 0, 0, ""
	}
	k := request(toks, i, englishTriggers, englishLinkers, nil)
	if k < 0 {
		// "Manager, please." and "supervisor please" ask without a verb.
		if next(i+n) == "please" && (i == 0 || toks[i-1].clause != toks[i].clause || englishLinkers[prev(i-1)]) {
			return i, i + n + 1, "en.manager"
		}
		return 0, 0, ""
	}
	if negatedBefore(toks, k, englishNegations) {
		return 0, 0, ""
	}
	return k, i + n, "en.manager"
}

// englishEscalate matches "escalate this", "please escalate", "I want an
// escalation", "I want this escalated". "Escalate" asks by itself; the
// other forms need a request before them.
func englishEscalate(toks []token, i int) (lo, hi int, rule string) {
	lo, hi = i, i+1
	switch toks[i].form {
	case "escalate":
		if k := request(toks, i, englishTriggers, englishLinkers, nil); k >= 0 {
			lo = k
		}
		if hi < len(toks) && toks[hi].clause == toks[i].clause {
			switch toks[hi].form {
			case "this", "it", "that", "me":
				hi++
			case "my", "the", "your":
				if hi+1 < len(toks) && toks[hi+1].clause == toks[i].clause {
					hi += 2
				}
			}
		}
	case "escalation", "escalated":
		k := request(toks, i, englishTriggers, set("an", "a", "for", "to", "this", "it", "my", "case",
			"complaint", "ticket", "matter", "issue", "be", "immediate", "urgent", "the", "get", "have"), nil)
		if k < 0 {
			return 0, 0, ""
		}
		lo = k
	default:
		return 0, 0, ""
	}
	if negatedBefore(toks, lo, englishNegations) {
		return 0, 0, ""
	}
	return lo, hi, "en.escalate"
}

var (
	hebrewManagers = set("מנהל", "מנהלת", "מנהלים", "אחראי", "אחראית", "ממונה", "ממונים", "מפקח",
		"מפקחת", "בוס", "בוסית", "סופרוויזר")
	// hebrewNounPrefixes are "to", "and", "the", "that" and "from" joined to
	// the word: "למנהל", "ולמנהל", "האחראי", "שהמנהל".
	hebrewNounPrefixes = []string{"", "ל", "ול", "ה", "וה", "שה", "ש", "ו", "מה", "לה"}
	// hebrewVerbPrefixes are "and" and "that" joined to a verb: "ותעבירו",
	// "שתעבירו".
	hebrewVerbPrefixes = []string{"", "ו", "ש"}
	// hebrewOwners after the word make the manager the customer's own.
	hebrewOwners = set("שלי", "שלנו", "שלו", "שלה", "שלהם", "שלהן")
	// hebrewTrades after "מנהל" make it a trade, not a person at the desk:
	// "מנהל חשבונות" is a bookkeeper.
	hebrewTrades = set("חשבונות", "החשבונות", "חשבון", "החשבון", "תיק", "התיק", "תיקים", "תיקי", "פרויקט",
		"פרויקטים", "מוצר", "מערכת", "מערכות", "רשת", "אתר", "כספים", "הכספים", "לקוח", "קשרי", "משק",
		"אירועים", "עבודה", "תוכן", "שיווק", "ספרים")
	// hebrewPronouns before the word make it a verb or a job: "אני מנהל".
	hebrewPronouns = set("אני", "אתה", "הוא", "היא", "אנחנו", "אתם", "אתן", "הם", "הן", "ואני")
	// hebrewRoles may follow the word as part of the title: "מנהל המשמרת".
	hebrewRoles = set("משמרת", "המשמרת", "הסניף", "סניף", "תורן", "התורן", "המחלקה", "מחלקה", "צוות",
		"הצוות", "השירות", "שירות", "תורנית", "התורנית", "המוקד", "מוקד")
	hebrewTriggers = set("רוצה", "רוצים", "רציתי", "מבקש", "מבקשת", "מבקשים", "ביקשתי", "דורש", "דורשת",
		"דורשים", "צריך", "צריכה", "צריכים", "מעוניין", "מעוניינת", "מעוניינים", "אבקש", "נבקש", "אשמח",
		"תעביר", "תעבירי", "תעבירו", "העבר", "העבירו", "תן", "תני", "תנו", "תביא", "תביאי", "תביאו",
		"תחבר", "תחברי", "תחברו", "תקשר", "תקשרי", "תקשרו", "אפשר", "ניתן", "מי", "איפה", "נא", "תזמין",
		"תזמינו", "תקרא", "תקראי", "תקראו", "הביאו")
	hebrewLinkers = set("לדבר", "לשוחח", "עם", "את", "אותי", "אותנו", "לי", "לנו", "זה", "השיחה", "הפנייה",
		"הפניה", "התלונה", "הבקשה", "הטיפול", "מיד", "עכשיו", "כבר", "ישר", "ישירות", "בבקשה", "אל",
		"לפנות", "להעביר", "להגיע", "לקבל", "פה", "כאן", "איזה", "איזשהו", "שיחה", "רק", "שלי", "שלנו",
		"מישהו", "מישהי", "שם", "לפה", "לכאן", "בדחיפות", "דחוף", "טלפונית", "בטלפון")
	hebrewNegations = set("לא", "ולא", "אין", "בלי", "אל", "אינני", "איני")
	// hebrewEscalations ask to escalate by themselves; the infinitive and
	// the noun need a request ("אני רוצה להסלים", "מבקש הסלמה").
	hebrewEscalations   = set("תסלים", "תסלימי", "תסלימו", "הסלימו", "אסלים")
	hebrewToEscalate    = set("להסלים", "הסלמה", "להעלות")
	hebrewHigherLevel   = set("דרג", "לדרג")
	hebrewLevelAdjs     = set("גבוה", "בכיר", "הבא", "ניהולי", "מעל", "יותר", "הבכיר", "הניהולי")
	hebrewSeniorPersons = set("מישהו", "מישהי", "גורם", "לגורם", "נציג", "לנציג", "נציגה", "לנציגה")
)

// hebrewManager matches at token i and returns the matched tokens lo..hi
// and the rule, or "" for no match.
func hebrewManager(toks []token, i int) (lo, hi int, rule string) {
	f := toks[i].form
	next := func(k int) string {
		if k < len(toks) && toks[k].clause == toks[i].clause {
			return toks[k].form
		}
		return ""
	}
	if v := stem(f, hebrewVerbPrefixes, hebrewEscalations); v != "" {
		if negatedBefore(toks, i, hebrewNegations) {
			return 0, 0, ""
		}
		return i, objectEnd(toks, i), "he.escalate"
	}
	if stem(f, hebrewVerbPrefixes, hebrewToEscalate) != "" {
		// "להעלות" is an escalation only to a higher level ("להעלות את זה
		// לדרג גבוה יותר"), which the level rule below catches.
		if f == "להעלות" {
			return 0, 0, ""
		}
		k := request(toks, i, hebrewTriggers, hebrewLinkers, hebrewVerbPrefixes)
		if k < 0 || negatedBefore(toks, k, hebrewNegations) {
			return 0, 0, ""
		}
		return k, objectEnd(toks, i), "he.escalate"
	}
	n := 0
	switch {
	case stem(f, hebrewNounPrefixes, hebrewManagers) != "":
		n = 1
		if hebrewOwners[next(i+1)] || hebrewTrades[next(i+1)] || i > 0 && hebrewPronouns[toks[i-1].form] {
			return 0, 0, ""
		}
		if hebrewRoles[next(i+1)] {
			n = 2
		}
	case stem(f, hebrewNounPrefixes, set("ראש")) != "" && (next(i+1) == "צוות" || next(i+1) == "הצוות" || next(i+1) == "המשמרת"):
		n = 2
	case hebrewHigherLevel[f] && hebrewLevelAdjs[next(i+1)]:
		n = 2
		if next(i+2) == "יותר" {
			n = 3
		}
	case (f == "בכיר" || f == "בכירה") && i > 0 && hebrewSeniorPersons[toks[i-1].form]:
		n = 1
	default:
		return 0, 0, ""
	}
	k := request(toks, i, hebrewTriggers, hebrewLinkers, hebrewVerbPrefixes)
	if k < 0 && n == 1 && (f == "בכיר" || f == "בכירה") {
		k = request(toks, i-1, hebrewTriggers, hebrewLinkers, hebrewVerbPrefixes)
	}
	if k < 0 {
		// "מנהל בבקשה" asks without a verb.
		if next(i+n) == "בבקשה" && (i == 0 || toks[i-1].clause != toks[i].clause) {
			return i, i + n + 1, "he.manager"
		}
		return 0, 0, ""
	}
	if negatedBefore(toks, k, hebrewNegations) {
		return 0, 0, ""
	}
	rule = "he.manager"
	if hebrewHigherLevel[f] {
		rule = "he.escalate"
	}
	return k, i + n, rule
}

// objectEnd returns the end of a verb at i and its object: "להסלים את
// הפנייה", "תסלימו את זה".
func objectEnd(toks []token, i int) int {
	if i+2 < len(toks) && toks[i+1].form == "את" && toks[i+2].clause == toks[i].clause {
		return i + 3
	}
	return i + 1
}
