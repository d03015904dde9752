package promise

import (
	"strconv"
	"strings"
	"time"
)

// dayKind says how a time expression names the day.
type dayKind uint8

const (
	noDay       dayKind = iota
	offsetDay           // n days after today: "today", "tomorrow", "in 3 days"
	businessDay         // n working days (Sunday to Thursday) after today
	weekday             // the next such weekday: "on Thursday", "ביום ה'"
	dateDay             // a calendar date: "5/12", "December 5"
	monthDay            // a day of the month: "on the 5th", "ב-5 לחודש"
	endOfWeek           // Thursday of this week (n=0) or of next week (n=1)
	nextWeek            // Sunday of next week
)

// part is a part of the day named without a clock time.
type part uint8

const (
	noPart part = iota
	morning
	afternoon
	evening
	endOfDay
)

// when is what the time expressions of one promise say, before it is
// resolved against the reply's time. The first expression of each kind
// wins: "tomorrow, or Sunday at the latest" is due tomorrow.
type when struct {
	day         dayKind
	n           int // days for offsetDay and businessDay, the weekday, or the end-of-week choice
	year, month int // for dateDay (year 0: the next such date)
	mday        int // day of month for dateDay and monthDay

	clock     bool // a clock time was said
	hour, min int
	ambiguous bool // the hour was said without am/pm and could be morning or afternoon

	part part
	dur  time.Duration // a delay in minutes or hours: "in two hours"
}

// found reports whether any time was said at all.
func (w when) found() bool {
	return w.day != noDay || w.clock || w.part != noPart || w.dur != 0
}

func (w *when) setDay(k dayKind, n int) {
	if w.day == noDay && w.dur == 0 {
		w.day, w.n = k, n
	}
}

func (w *when) setClock(h, m int, ambiguous bool) {
	if !w.clock && w.dur == 0 {
		w.clock, w.hour, w.min, w.ambiguous = true, h, m, ambiguous
	}
}

func (w *when) setPart(p part) {
	if w.part == noPart {
		w.part = p
	}
}

// scan reads the time expressions among a run of tokens.
type scan struct {
	t []token
	w when
}

// run reads the tokens from lo up to the end of s.t and returns how many of
// them belong to a time expression.
func (s *scan) run(lo int) int {
	used := 0
	for i := lo; i < len(s.t); {
		n := s.at(i)
		if n == 0 {
			i++
			continue
		}
		used += n
		i += n
	}
	return used
}

// at tries each kind of expression at token i and returns how many tokens
// the one that matched took. Longer and more specific expressions come
// first, so that "אחר הצהריים" is read before "הצהריים", "in two hours"
// before "at 2", and "end of next week" before "next week".
func (s *scan) at(i int) int {
	for _, f := range []func(int) int{s.skip, s.duration, s.date, s.day, s.partOfDay, s.clockTime} {
		if n := f(i); n > 0 {
			return n
		}
	}
	return 0
}

// Prefixes. A Hebrew time word may carry "and", "in", "the", "to", "that"
// and their combinations ("ומחר", "ובשעה", "שבשבוע"); a verb only "and",
// "that" and "when" ("ואחזור", "שאחזור", "כשאבדוק").
var (
	timePrefixes = []string{"", "ו", "ב", "ה", "ל", "ש", "כש", "וב", "וה", "ול", "וש", "שב", "שה"}
	conjPrefixes = []string{"", "ו", "ש", "כש", "וכש", "וש"}
)

// word reports whether token k is one of the alternatives in pat, which are
// separated by "|". A Hebrew alternative may carry any time prefix, unless
// it starts with "=", in which case it may carry only "and" or "that": the
// "ה" of "הערב" (this evening) is part of the word and must not be taken for
// the article of "ערב" (evening).
func (s *scan) word(k int, pat string) bool {
	if k < 0 || k >= len(s.t) {
		return false
	}
	f := s.t[k].form
	for alt := range strings.SplitSeq(pat, "|") {
		prefixes := timePrefixes
		if strings.HasPrefix(alt, "=") {
			alt, prefixes = alt[1:], conjPrefixes
		}
		alt = key(alt)
		if s.t[k].script != hebrew {
			if f == alt {
				return true
			}
			continue
		}
		for _, p := range prefixes {
			if len(f) == len(p)+len(alt) && strings.HasPrefix(f, p) && f[len(p):] == alt {
				return true
			}
		}
	}
	return false
}

// seq matches a sequence of words starting at token k and returns how many
// tokens it took, or 0. A pattern ending in "?" is optional.
func (s *scan) seq(k int, pats ...string) int {
	j := k
	for _, p := range pats {
		optional := strings.HasSuffix(p, "?")
		p = strings.TrimSuffix(p, "?")
		if s.word(j, p) {
			j++
		} else if !optional {
			return 0
		}
	}
	return j - k
}

// form returns the form of token k, or "" past either end.
func (s *scan) form(k int) string {
	if k < 0 || k >= len(s.t) {
		return ""
	}
	return s.t[k].form
}

// integer returns the value of token k when it is a plain number.
func (s *scan) integer(k int) (int, bool) {
	if k < 0 || k >= len(s.t) || s.t[k].script != digits || strings.ContainsAny(s.t[k].form, ":./") {
		return 0, false
	}
	n, err := strconv.Atoi(s.t[k].form)
	return n, err == nil && len(s.t[k].form) <= 4
}

// skip takes phrases that look like times but promise none: greetings
// ("good morning", "בוקר טוב"), past days ("last Thursday", "ביום חמישי
// שעבר") and vague spans ("a few days", "בימים הקרובים"). Reading them here
// keeps their words from being read as times further on.
func (s *scan) skip(i int) int {
	if n := s.seq(i, "good", "morning|afternoon|evening|night|day|weekend|week"); n > 0 {
		return n
	}
	if n := s.seq(i, "בוקר|ערב|צהריים|צהרים|לילה|שבוע|=שבת", "טוב|טובים|שלום"); n > 0 {
		return n
	}
	if n := s.seq(i, "סופ\"ש|סוף", "שבוע?", "נעים|טוב|שקט|מהנה"); n > 0 {
		return n
	}
	if s.word(i, "last|since|from|past|previous") {
		if s.weekday(i+1) >= 0 || s.word(i+1, "week|night|month|year|time") {
			return 2
		}
	}
	if n := s.seq(i, "in|over|within", "the", "coming|next|following", "few?", "days|weeks|hours"); n > 0 {
		return n
	}
	if n := s.seq(i, "a?", "few|several|couple", "days|hours|minutes|weeks"); n > 0 {
		return n
	}
	if n := s.seq(i, "ימים|שעות|דקות", "הקרובים|הקרובות"); n > 0 {
		return n
	}
	if n := s.seq(i, "כמה|מספר", "ימים|שעות|דקות|שבועות", "הקרובים|הקרובות?"); n > 0 {
		return n
	}
	return 0
}

// Days, working days and weeks are counted on the calendar, not as
// durations (a day across a clock change is not 24 hours), so the unit
// tables mark them with these negative values. Minutes and hours are real
// durations, added to the reply's time.
const (
	unitDay      = -1
	unitBusiness = -2
	unitWeek     = -3
)

var englishUnits = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute, "min": time.Minute, "mins": time.Minute,
	"hour": time.Hour, "hours": time.Hour, "hr": time.Hour, "hrs": time.Hour, "h": time.Hour,
	"day": unitDay, "days": unitDay, "week": unitWeek, "weeks": unitWeek,
}

var hebrewUnits = map[string]time.Duration{
	key("דקה"): time.Minute, key("דקות"): time.Minute, key("דק'"): time.Minute,
	key("שעה"): time.Hour, key("שעות"): time.Hour,
	key("יום"): unitDay, key("ימים"): unitDay,
	key("שבוע"): unitWeek, key("שבועות"): unitWeek,
}

// hebrewCounted are the Hebrew words that hold their own number: "שעתיים"
// is two hours.
var hebrewCounted = map[string]struct {
	n    int
	unit time.Duration
}{
	key("דקה"): {1, time.Minute}, key("שעה"): {1, time.Hour}, key("שעתיים"): {2, time.Hour},
	key("יום"): {1, unitDay}, key("יומיים"): {2, unitDay},
	key("שבוע"): {1, unitWeek}, key("שבועיים"): {2, unitWeek},
}

var englishNumbers = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
	"thirty": 30, "forty": 40, "ninety": 90,
}

var hebrewNumbers = map[string]int{
	key("אחד"): 1, key("אחת"): 1, key("שניים"): 2, key("שתיים"): 2, key("שתים"): 2, key("שני"): 2, key("שתי"): 2,
	key("שלוש"): 3, key("שלושה"): 3, key("ארבע"): 4, key("ארבעה"): 4, key("חמש"): 5, key("חמישה"): 5,
	key("שש"): 6, key("שישה"): 6, key("שבע"): 7, key("שבעה"): 7, key("שמונה"): 8, key("תשע"): 9, key("תשעה"): 9,
	key("עשר"): 10, key("עשרה"): 10, key("עשרים"): 20, key("שלושים"): 30, key("ארבעים"): 40,
}

// duration reads a delay: "in two hours", "within 2 business days",
// "בעוד חצי שעה", "תוך 3 ימים", "בשעה הקרובה".
func (s *scan) duration(i int) int {
	if s.word(i, "in|within|inside") {
		j := i + 1
		article := false
		for s.word(j, "the|next|coming|following") && j < i+3 {
			article = true
			j++
		}
		n, unit, k := s.englishAmount(j, article)
		if k == 0 {
			return 0
		}
		s.record(n, unit)
		return j + k - i
	}
	if s.word(i, "=בעוד|=עוד|=תוך|=בתוך|=במהלך|=במשך|=ב") {
		n, unit, k := s.hebrewAmount(i+1, s.form(i+1), false)
		if k == 0 {
			return 0
		}
		s.record(n, unit)
		return 1 + k
	}
	// The "in" is a prefix: "בשעתיים", "ביומיים הקרובים", "בשעה הקרובה".
	if s.t[i].script == hebrew {
		for _, p := range []string{"ב", "וב"} {
			if rest, ok := strings.CutPrefix(s.form(i), p); ok && rest != "" {
				n, unit, k := s.hebrewAmount(i, rest, true)
				if k == 0 {
					return 0
				}
				s.record(n, unit)
				return k
			}
		}
	}
	return 0
}

// englishAmount reads "two hours", "an hour", "half an hour", "2 business
// days", or, after "the" or "next", a bare unit ("within the hour"). It
// returns the tokens taken, 0 when there is no amount.
func (s *scan) englishAmount(j int, article bool) (int, time.Duration, int) {
	start := j
	n := 0
	switch v, ok := s.integer(j); {
	case ok:
		n = v
		j++
	case s.seq(j, "half", "an|a?", "hour") > 0:
		return 30, time.Minute, s.seq(j, "half", "an|a?", "hour")
	case s.seq(j, "a?", "couple", "of") > 0:
		n = 2
		j += s.seq(j, "a?", "couple", "of")
	case englishNumbers[s.form(j)] > 0:
		n = englishNumbers[s.form(j)]
		j++
	case article:
		n = 1
	default:
		return 0, 0, 0
	}
	unit := englishUnits[s.form(j)]
	if s.word(j, "business|working|work") && s.word(j+1, "day|days") {
		unit = unitBusiness
		j++
	}
	if unit == 0 {
		return 0, 0, 0
	}
	return n, unit, j + 1 - start
}

// hebrewAmount reads an amount at token j whose form (without any prefix
// already taken) is first: "שעה", "שעתיים", "חצי שעה", "3 ימים", "חמש
// דקות", "2 ימי עסקים", followed by "וחצי" or "הקרובה" when present. When
// the amount was only a prefix away from a time of day ("בשעה" is also "at
// the hour of"), a lone unit counts only with "הקרוב" after it.
func (s *scan) hebrewAmount(j int, first string, prefixed bool) (int, time.Duration, int) {
	start := j
	n, unit := 0, time.Duration(0)
	lone := false
	if c, ok := hebrewCounted[strings.TrimPrefix(first, "ה")]; ok {
		n, unit, lone = c.n, c.unit, c.n == 1
		j++
	} else if first == key("חצי") || first == key("רבע") {
		if !s.word(j+1, "שעה") {
			return 0, 0, 0
		}
		n, unit = 30, time.Minute
		if first == key("רבע") {
			n = 15
		}
		j += 2
	} else {
		v, ok := s.integer(j)
		if !ok && j < len(s.t) && s.t[j].script == hebrew {
			v, ok = hebrewNumbers[first], hebrewNumbers[first] > 0
		}
		if !ok {
			return 0, 0, 0
		}
		n = v
		j++
		switch {
		case s.word(j, "ימי") && s.word(j+1, "עסקים|עבודה"):
			unit = unitBusiness
			j += 2
		case hebrewUnits[strings.TrimPrefix(s.form(j), "ה")] != 0 && s.t[j].script == hebrew:
			unit = hebrewUnits[strings.TrimPrefix(s.form(j), "ה")]
			j++
		default:
			return 0, 0, 0
		}
	}
	if unit == time.Hour && s.word(j, "=וחצי") {
		n, unit = n*60+30, time.Minute
		j++
	}
	near := s.word(j, "הקרובה|הקרוב|הקרובות|הקרובים")
	if near {
		j++
	}
	if prefixed && lone && !near {
		return 0, 0, 0
	}
	return n, unit, j - start
}

// record keeps a delay of n units.
func (s *scan) record(n int, unit time.Duration) {
	switch unit {
	case unitDay:
		s.w.setDay(offsetDay, n)
	case unitWeek:
		s.w.setDay(offsetDay, 7*n)
	case unitBusiness:
		s.w.setDay(businessDay, n)
	default:
		if s.w.day == noDay && !s.w.clock && s.w.dur == 0 {
			s.w.dur = time.Duration(n) * unit
		}
	}
}

var englishMonths = map[string]int{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

var hebrewMonths = map[string]int{
	key("ינואר"): 1, key("פברואר"): 2, key("מרץ"): 3, key("מרס"): 3, key("אפריל"): 4, key("מאי"): 5,
	key("יוני"): 6, key("יולי"): 7, key("אוגוסט"): 8, key("ספטמבר"): 9, key("אוקטובר"): 10,
	key("נובמבר"): 11, key("דצמבר"): 12,
}

// month returns the month named by token k, with or without a Hebrew
// prefix ("בדצמבר", "לדצמבר"), or 0.
func (s *scan) month(k int) int {
	f := s.form(k)
	if f == "" {
		return 0
	}
	if s.t[k].script == latin {
		return englishMonths[f]
	}
	for _, p := range timePrefixes {
		if m, ok := hebrewMonths[strings.TrimPrefix(f, p)]; ok && strings.HasPrefix(f, p) {
			return m
		}
	}
	return 0
}

// ordinal skips an English ordinal suffix ("5th") after token k.
func (s *scan) ordinal(k int) int {
	if s.word(k, "st|nd|rd|th") {
		return 1
	}
	return 0
}

// date reads a calendar date. Numbers are day first, as Israelis write them:
// "5/12" and "5.12" are the 5th of December.
func (s *scan) date(i int) int {
	f := s.form(i)
	if s.t[i].script == digits && strings.ContainsAny(f, "/.") && !strings.Contains(f, ":") {
		d, m, y, ok := numericDate(f)
		if !ok {
			return 0
		}
		s.setDate(y, m, d)
		return 1
	}
	// "December 5", "Dec 5th, 2025"
	if m := s.month(i); m > 0 && s.t[i].script == latin {
		d, ok := s.integer(i + 1)
		if !ok || !validDate(0, m, d) {
			return 0
		}
		n := 2 + s.ordinal(i+2)
		y := 0
		if v, ok := s.integer(i + n); ok && v >= 2000 && v < 2100 {
			y = v
			n++
		}
		s.setDate(y, m, d)
		return n
	}
	// "5 December", "5th of December", "5 בדצמבר", "ה-5 לחודש"
	if d, ok := s.integer(i); ok && d >= 1 && d <= 31 {
		n := 1 + s.ordinal(i+1)
		if s.word(i+n, "of") {
			n++
		}
		if m := s.month(i + n); m > 0 && validDate(0, m, d) {
			s.setDate(0, m, d)
			return n + 1
		}
		// "ה-5 לחודש", "on the 5th"
		if s.word(i+1, "לחודש|בחודש") || s.word(i-1, "the") && s.ordinal(i+1) == 1 {
			if s.w.day == noDay && s.w.dur == 0 {
				s.w.day, s.w.mday = monthDay, d
			}
			return 2
		}
	}
	return 0
}

func (s *scan) setDate(y, m, d int) {
	if s.w.day == noDay && s.w.dur == 0 {
		s.w.day, s.w.year, s.w.month, s.w.mday = dateDay, y, m, d
	}
}

// numericDate reads "5/12", "5/12/2025", "5.12.25" and "5.12". A dotted pair
// whose second half is 00, 15, 30 or 45 is read as a time ("14.30") rather
// than a date.
func numericDate(f string) (d, m, y int, ok bool) {
	sep := "/"
	if strings.Contains(f, ".") {
		sep = "."
	}
	parts := strings.Split(f, sep)
	if len(parts) < 2 || len(parts) > 3 || strings.Contains(f, "/") && strings.Contains(f, ".") {
		return 0, 0, 0, false
	}
	if sep == "." && len(parts) == 2 {
		switch parts[1] {
		case "00", "15", "30", "45":
			return 0, 0, 0, false
		}
	}
	d, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return 0, 0, 0, false
	}
	if len(parts) == 3 {
		var err error
		if y, err = strconv.Atoi(parts[2]); err != nil {
			return 0, 0, 0, false
		}
		if y < 100 {
			y += 2000
		}
	}
	return d, m, y, validDate(y, m, d)
}

// validDate reports whether d/m exists (in year y, or in a leap year when
// the year is not given).
func validDate(y, m, d int) bool {
	if y == 0 {
		y = 2024
	}
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC).Day() == d
}

var englishWeekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// englishShortWeekdays are read only after a preposition ("by Thu"), since
// "sat", "sun" and "wed" are also ordinary words.
var englishShortWeekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday,
}

// hebrewWeekdays are the day names after "יום". The ordinal names double as
// ordinary words ("שני" is also "second"), so only "יום" makes them days,
// apart from the ones in hebrewBareWeekdays.
var hebrewWeekdays = map[string]time.Weekday{
	key("ראשון"): time.Sunday, key("שני"): time.Monday, key("שלישי"): time.Tuesday,
	key("רביעי"): time.Wednesday, key("חמישי"): time.Thursday, key("שישי"): time.Friday,
	key("שבת"): time.Saturday,
	key("א'"):  time.Sunday, key("ב'"): time.Monday, key("ג'"): time.Tuesday, key("ד'"): time.Wednesday,
	key("ה'"): time.Thursday, key("ו'"): time.Friday, key("ש'"): time.Saturday,
	key("א"): time.Sunday, key("ב"): time.Monday, key("ג"): time.Tuesday, key("ד"): time.Wednesday,
	key("ה"): time.Thursday, key("ו"): time.Friday, key("ש"): time.Saturday,
}

// hebrewBareWeekdays are read as days without "יום" when they carry "ב" or
// follow "עד": "בחמישי", "עד שבת". "ראשון" and "שני" are left out, since
// "בשני המקרים" is "in both cases".
var hebrewBareWeekdays = map[string]time.Weekday{
	key("שלישי"): time.Tuesday, key("רביעי"): time.Wednesday, key("חמישי"): time.Thursday,
	key("שישי"): time.Friday, key("שבת"): time.Saturday,
}

// weekday returns the weekday named by token k, or -1. Hebrew needs "יום"
// before the name, or "ב"/"עד" for the names in hebrewBareWeekdays.
func (s *scan) weekday(k int) time.Weekday {
	f := s.form(k)
	if f == "" {
		return -1
	}
	if s.t[k].script == latin {
		if d, ok := englishWeekdays[f]; ok {
			return d
		}
		if d, ok := englishShortWeekdays[f]; ok && s.word(k-1, "on|by|until|till|before|this|next|from|since|last") {
			return d
		}
		return -1
	}
	for _, p := range []string{"ב", "וב", "שב"} {
		if d, ok := hebrewBareWeekdays[strings.TrimPrefix(f, p)]; ok && strings.HasPrefix(f, p) {
			return d
		}
	}
	if d, ok := hebrewBareWeekdays[f]; ok && s.word(k-1, "=עד") {
		return d
	}
	return -1
}

// day reads expressions that name a day, and the few that also name a part
// of it ("tonight", "הערב").
func (s *scan) day(i int) int {
	type rule struct {
		pats []string
		kind dayKind
		n    int
		part part
	}
	rules := []rule{
		{[]string{"the?", "day", "after", "tomorrow|tmrw"}, offsetDay, 2, noPart},
		{[]string{"מחרתיים"}, offsetDay, 2, noPart},
		{[]string{"tomorrow|tmrw|tmr|tomorow|2morrow"}, offsetDay, 1, noPart},
		{[]string{"מחר"}, offsetDay, 1, noPart},
		{[]string{"end|close", "of", "today"}, offsetDay, 0, endOfDay},
		{[]string{"end|close", "of", "the?", "business|working|work?", "day"}, noDay, 0, endOfDay},
		{[]string{"close|end", "of", "business|play"}, noDay, 0, endOfDay},
		{[]string{"eod|cob|eob"}, noDay, 0, endOfDay},
		{[]string{"סוף", "=היום|יום", "העבודה|העסקים?"}, noDay, 0, endOfDay},
		{[]string{"later?", "today"}, offsetDay, 0, noPart},
		{[]string{"tonight|tonite"}, offsetDay, 0, evening},
		{[]string{"this", "morning"}, offsetDay, 0, morning},
		{[]string{"this", "afternoon"}, offsetDay, 0, afternoon},
		{[]string{"this", "evening"}, offsetDay, 0, evening},
		{[]string{"=היום"}, offsetDay, 0, noPart},
		{[]string{"=הערב|=הלילה"}, offsetDay, 0, evening},
		{[]string{"=הבוקר"}, offsetDay, 0, morning},
		{[]string{"end", "of", "next", "week"}, endOfWeek, 1, noPart},
		{[]string{"end", "of", "the|this?", "week"}, endOfWeek, 0, noPart},
		{[]string{"eow"}, endOfWeek, 0, noPart},
		{[]string{"later?", "this", "week"}, endOfWeek, 0, noPart},
		{[]string{"סוף", "השבוע", "הבא"}, endOfWeek, 1, noPart},
		{[]string{"סוף", "השבוע"}, endOfWeek, 0, noPart},
		{[]string{"early?", "next", "week"}, nextWeek, 0, noPart},
		{[]string{"שבוע", "הבא"}, nextWeek, 0, noPart},
		{[]string{"=השבוע"}, endOfWeek, 0, noPart},
	}
	for _, r := range rules {
		if n := s.seq(i, r.pats...); n > 0 {
			if r.kind != noDay {
				s.w.setDay(r.kind, r.n)
			}
			if r.part != noPart {
				s.w.setPart(r.part)
			}
			return n
		}
	}
	// Saturday night, after the Sabbath: "במוצאי שבת", "במוצ"ש".
	if n := s.seq(i, "מוצאי", "שבת"); n > 0 || s.word(i, "מוצ\"ש|מוצש") {
		if n == 0 {
			n = 1
		}
		s.w.setDay(weekday, int(time.Saturday))
		s.w.setClock(20, 0, false)
		return n
	}
	// "ביום חמישי", "יום ה'", "עד יום שלישי הבא"
	if s.word(i, "יום") && s.t[i].script == hebrew {
		f := s.form(i + 1)
		d, ok := hebrewWeekdays[f]
		// A lone letter is a day only when nothing joins it to a number,
		// since "ה-15" is "the 15th".
		if ok && len([]rune(f)) == 1 && s.t[i+1].hyphen {
			ok = false
		}
		if !ok {
			return 0
		}
		return s.weekdayAt(i, 2, d)
	}
	if d := s.weekday(i); d >= 0 {
		return s.weekdayAt(i, 1, d)
	}
	return 0
}

// weekdayAt records weekday d named by the n tokens at i, unless a word
// after them puts it in the past ("last Thursday" is taken by skip).
func (s *scan) weekdayAt(i, n int, d time.Weekday) int {
	if s.word(i+n, "שעבר|הקודם") {
		return n + 1
	}
	if s.word(i+n, "הבא|הקרוב|הזה") {
		n++
	}
	s.w.setDay(weekday, int(d))
	return n
}

// partOfDay reads a part of the day: "in the morning", "afternoon", "בערב",
// "אחר הצהריים". Noon is a clock time.
func (s *scan) partOfDay(i int) int {
	switch {
	case s.seq(i, "אחר|אחרי", "הצהריים|הצהרים") > 0:
		s.w.setPart(afternoon)
		return 2
	case s.word(i, "אחה\"צ|אחהצ"):
		s.w.setPart(afternoon)
		return 1
	case s.seq(i, "לפני", "הצהריים|הצהרים") > 0:
		s.w.setClock(12, 0, false)
		return 2
	case s.word(i, "לפנה\"צ|לפנהצ"):
		s.w.setClock(12, 0, false)
		return 1
	case s.word(i, "צהריים|צהרים|noon|midday|lunchtime"):
		s.w.setClock(12, 0, false)
		return 1
	case s.word(i, "בוקר|morning"):
		s.w.setPart(morning)
		return 1
	case s.word(i, "afternoon"):
		s.w.setPart(afternoon)
		return 1
	case s.word(i, "ערב|לילה|evening|night"):
		s.w.setPart(evening)
		return 1
	}
	return 0
}

// clockTriggers are the words after which a bare number is an hour: "at 3",
// "by 5", "עד 12", "בשעה 4", "ב-3".
const clockTriggers = "at|by|around|about|before|until|till|=בשעה|=שעה|=השעה|=עד|=לפני|=בסביבות|=סביבות|=ב|=לקראת"

var countedNouns = set("שנים", "שנה", "חודשים", "חודש", "פעמים", "שקלים", "ימי", "אנשים", "מוצרים", "פריטים")

var hebrewHours = map[string]int{
	key("אחת"): 1, key("שתיים"): 2, key("שתים"): 2, key("שלוש"): 3, key("ארבע"): 4, key("חמש"): 5,
	key("שש"): 6, key("שבע"): 7, key("שמונה"): 8, key("תשע"): 9, key("עשר"): 10,
}

// clockTime reads "12:00", "3pm", "3:30 p.m.", "14.30", "at 3", "בשעה
// 14:00", "ב-15:00", "עד 12" and Hebrew hour words such as "בשלוש וחצי".
func (s *scan) clockTime(i int) int {
	f := s.form(i)
	if s.t[i].script == digits {
		h, m, n := 0, 0, 0
		explicit := false // written in a way that leaves no doubt about am or pm
		switch {
		case strings.Contains(f, ":"), strings.Contains(f, "."):
			sep := ":"
			if !strings.Contains(f, ":") {
				sep = "."
			}
			hs, ms, _ := strings.Cut(f, sep)
			var err1, err2 error
			h, err1 = strconv.Atoi(hs)
			m, err2 = strconv.Atoi(ms)
			if err1 != nil || err2 != nil || len(ms) != 2 || h > 23 || m > 59 {
				return 0
			}
			// "08:00" and "15:00" are 24-hour times; "9:00" and "3:30" may
			// be either.
			explicit = h == 0 || h > 12 || len(hs) == 2 && hs[0] == '0'
			n = 1
		default:
			v, ok := s.integer(i)
			if !ok || v > 23 {
				return 0
			}
			h, n, explicit = v, 1, v == 0 || v > 12
		}
		if k := s.meridiem(i + n); k != 0 {
			if h < 1 || h > 12 {
				return 0
			}
			if k > 0 && h != 12 {
				h += 12
			}
			if k < 0 && h == 12 {
				h = 0
			}
			s.w.setClock(h, m, false)
			return n + abs(k)
		}
		if n == 1 && !strings.ContainsAny(f, ":.") {
			// A bare number is an hour only after "at", "עד" and the like,
			// or before "o'clock"; otherwise it is a count or a price.
			switch {
			case s.word(i+1, "o'clock|oclock"):
				n++
			case s.word(i-1, clockTriggers):
			default:
				return 0
			}
		}
		s.w.setClock(h, m, !explicit)
		return n
	}
	if s.t[i].script != hebrew {
		return 0
	}
	// "בשלוש", "עד ארבע", "בשעה שתיים עשרה", "ב-שלוש וחצי"
	h, ok := 0, false
	for _, p := range []string{"ב", "וב"} {
		if v, found := hebrewHours[strings.TrimPrefix(f, p)]; found && strings.HasPrefix(f, p) {
			h, ok = v, true
		}
	}
	if v, found := hebrewHours[f]; found && s.word(i-1, clockTriggers) {
		h, ok = v, true
	}
	if !ok {
		return 0
	}
	n := 1
	if (h == 1 || h == 2) && s.word(i+1, "=עשרה") {
		h += 10
		n++
	}
	// "בחמש דקות" is a delay, and "בשלוש המערכות", "באחת מהסניפים" and
	// "לפני שלוש שנים" count things.
	if next := s.form(i + n); hebrewUnits[next] != 0 || countedNouns[next] ||
		i+n < len(s.t) && s.t[i+n].script == hebrew && (strings.HasPrefix(next, "ה") || strings.HasPrefix(next, "מ")) &&
			!s.word(i+n, "=הצהריים|=הצהרים|=מחר") {
		return 0
	}
	m := 0
	switch {
	case s.word(i+n, "=וחצי"):
		m = 30
		n++
	case s.word(i+n, "=ורבע"):
		m = 15
		n++
	}
	s.w.setClock(h, m, h != 12)
	return n
}

// meridiem reads "am", "pm", "a.m." or "p.m." at token k: it returns the
// tokens taken, negative for the morning and positive for the afternoon.
func (s *scan) meridiem(k int) int {
	switch {
	case s.word(k, "am"):
		return -1
	case s.word(k, "pm"):
		return 1
	case s.seq(k, "a", "m") == 2:
		return -2
	case s.seq(k, "p", "m") == 2:
		return 2
	}
	return 0
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// resolve turns what was said into a due time, given the reply's time in the
// agent's zone and the hour that stands for a day named without one. It
// reports whether the hour came from the text (a clock time, noon, a part
// of the day or a delay in hours) rather than from defaultHour.
func (w *when) resolve(now time.Time, defaultHour int) (time.Time, bool) {
	loc := now.Location()
	if w.dur != 0 {
		t := now.Add(w.dur)
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, loc), true
	}
	y, mo, d := now.Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	at := func(day time.Time, h, m int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
	}
	addDays := func(day time.Time, n int) time.Time { return day.AddDate(0, 0, n) }

	// The hour, when the text gives one.
	hour, minute, given := defaultHour, 0, false
	switch {
	case w.clock:
		hour, minute, given = w.hour, w.min, true
	case w.part == morning:
		hour, given = 9, true
	case w.part == afternoon:
		hour, given = 15, true
	case w.part == evening:
		hour, given = 19, true
	}
	if w.clock && w.ambiguous {
		switch {
		case w.part == afternoon || w.part == evening:
			if hour < 12 {
				hour += 12
			}
		case w.part == morning:
		case w.day != noDay && !(w.day == offsetDay && w.n == 0):
			// With a day, "בשלוש" is three in the afternoon: nobody
			// promises a call at three in the morning.
			if hour >= 1 && hour <= 7 {
				hour += 12
			}
		default:
			return nextBusinessHour(now, hour, minute), true
		}
	}

	var day time.Time
	switch w.day {
	case offsetDay:
		day = addDays(today, w.n)
	case businessDay:
		day = today
		for n := w.n; n > 0; {
			day = addDays(day, 1)
			if wd := day.Weekday(); wd != time.Friday && wd != time.Saturday {
				n--
			}
		}
	case weekday:
		ahead := (w.n - int(today.Weekday()) + 7) % 7
		if ahead == 0 && !(w.clock && at(today, hour, minute).After(now)) {
			ahead = 7
		}
		day = addDays(today, ahead)
	case dateDay:
		year := w.year
		if year == 0 {
			year = y
			if time.Date(year, time.Month(w.month), w.mday, 0, 0, 0, 0, loc).Before(today) {
				year++
			}
		}
		day = time.Date(year, time.Month(w.month), w.mday, 0, 0, 0, 0, loc)
	case monthDay:
		day = time.Date(y, mo, w.mday, 0, 0, 0, 0, loc)
		if day.Before(today) || day.Day() != w.mday {
			day = time.Date(y, mo+1, 1, 0, 0, 0, 0, loc)
			day = time.Date(day.Year(), day.Month(), w.mday, 0, 0, 0, 0, loc)
		}
	case endOfWeek:
		// The Israeli business week ends on Thursday.
		if w.n == 1 {
			day = addDays(nextSunday(today), 4)
			break
		}
		day = addDays(today, (int(time.Thursday)-int(today.Weekday())+7)%7)
		if !at(day, hour, minute).After(now) {
			day = addDays(day, 7)
		}
	case nextWeek:
		day = nextSunday(today)
	case noDay:
		// A time without a day is the next time it comes round: today if
		// it is still ahead, else tomorrow. End of day is today.
		day = today
		if given && !at(today, hour, minute).After(now) {
			day = addDays(today, 1)
		}
	}
	due := at(day, hour, minute)
	// A promise for today whose hour has gone by without a clock time ("I'll
	// get back to you today", said at eight in the evening) still means
	// today: it is due at the end of it.
	if !w.clock && day.Equal(today) && !due.After(now) {
		return at(today, 23, 59), false
	}
	return due, given
}

// nextSunday returns the first Sunday after day: the start of the next
// Israeli week.
func nextSunday(day time.Time) time.Time {
	ahead := (7 - int(day.Weekday())) % 7
	if ahead == 0 {
		ahead = 7
	}
	return day.AddDate(0, 0, ahead)
}

// nextBusinessHour resolves an hour said without am/pm and without a day,
// such as "עד 4" or "at 9": of the two readings (4:00 and 16:00), those
// inside the business day (08:00 to 18:00) are tried in order, today and
// then tomorrow, and the first still ahead is taken. An hour with no
// reading inside the business day (7) is taken in the evening.
func nextBusinessHour(now time.Time, h, m int) time.Time {
	var hours []int
	for _, c := range []int{h, h + 12} {
		if c < 24 && c*60+m >= 8*60 && c*60+m <= 18*60 {
			hours = append(hours, c)
		}
	}
	if len(hours) == 0 {
		if h <= 7 {
			h += 12
		}
		hours = []int{h}
	}
	loc := now.Location()
	y, mo, d := now.Date()
	for day := 0; ; day++ {
		for _, c := range hours {
			t := time.Date(y, mo, d+day, c, m, 0, 0, loc)
			if t.After(now) {
				return t
			}
		}
	}
}
