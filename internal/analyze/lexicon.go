package analyze

import (
	"unicode/utf8"
)

// Words is a set of normalised Hebrew words; it is a Lexicon.
type Words map[string]struct{}

// Has reports whether w is in the set.
func (ws Words) Has(w string) bool {
	_, ok := ws[w]
	return ok
}

// LexiconFrom builds a lexicon from the desk's own text, its articles and
// messages, so no third-party word list (and no licence question) is
// involved. It holds the built-in seed words and every Hebrew word form in
// texts except those that read as a legal prefix plus another form seen:
// with "הזמנה" in the texts, "בהזמנה" is taken as ב+"הזמנה", not as a word
// of its own, so Tokens still strips it. Which is right cannot be known from
// text alone; a word that really starts with a prefix letter and whose rest
// is a word too ("כלב", "ברק") is protected by the seed list, which counts
// as standalone whatever the texts hold.
func LexiconFrom(texts ...string) Words {
	seen := Words{}
	for _, t := range texts {
		for _, w := range hebrewWords(t) {
			seen[w] = struct{}{}
		}
	}
	ws := make(Words, len(seed)+len(seen))
	for w := range seed {
		ws[w] = struct{}{}
	}
	for w := range seen {
		if !seed.Has(w) && !prefixed(w, seen) {
			ws[w] = struct{}{}
		}
	}
	return ws
}

// prefixed reports whether w is a legal prefix followed by a stem of at
// least two letters that is in seen or in the seed.
func prefixed(w string, seen Words) bool {
	for i, n := 0, 0; i < len(w) && n < maxPrefix; n++ {
		_, size := utf8.DecodeRuneInString(w[i:])
		i += size
		stem := w[i:]
		if prefixes[w[:i]] && utf8.RuneCountInString(stem) >= 2 && (seen.Has(stem) || seed.Has(stem)) {
			return true
		}
	}
	return false
}

// hebrewWords returns the normalised Hebrew words of text, without stems.
func hebrewWords(text string) []string {
	s := scanner{text: text}
	s.run(nil)
	var ws []string
	for _, t := range s.toks {
		if r, _ := utf8.DecodeRuneInString(t.Term); t.Kind == Word && isHebrewLetter(r) {
			ws = append(ws, t.Term)
		}
	}
	return ws
}

// seed is a small list of common service-desk words and first names,
// written for this package. The names are here so that a name that starts
// with a prefix letter ("ברק", "משה", "בלה") is never split.
var seed = func() Words {
	ws := Words{}
	for _, w := range hebrewWords(seedText) {
		ws[w] = struct{}{}
	}
	return ws
}()

const seedText = `
הזמנה הזמנות משלוח משלוחים החזר החזרים החזרה החזרות
חשבונית חשבוניות קבלה קבלות מוצר מוצרים לקוח לקוחות
שירות תשלום תשלומים כרטיס אשראי כסף זיכוי ביטול ביטולים מחיר מחירים
הנחה קופון מבצע אריזה חבילה חבילות שליח דואר מסירה כתובת עיר רחוב
מספר טלפון נייד מייל אימייל הודעה הודעות שאלה שאלות תשובה תשובות בקשה
בקשות תלונה תלונות בעיה בעיות תקלה תקלות פנייה פניות נציג נציגה מנהל
מנהלת צוות סניף חנות אתר אפליקציה חשבון סיסמה משתמש כניסה הרשמה
פרטים מידע עדכון סטטוס מעקב איחור עיכוב זמן יום ימים שבוע שבועות חודש
שעה שעות בוקר ערב לילה היום מחר אתמול עכשיו מיד דחוף חשוב תודה שלום
בבקשה סליחה כן לא אולי עוד רק גם כבר עדיין מתי איפה למה כמה מי מה איך
אחרי לפני בין עם בלי על אל של זה זאת זו אני אתה את הוא היא אנחנו
הם הן לב רק שה לה לו לי לך לנו כל כלב כלבה ברק משה שרה לאה רחל רבקה
בלה דוד יוסף דני דנה נועה מיכל יעל אורי תמר רונית אבי שמעון מרים
בתיה בני ליאור הילה שירה כרמל כהן לוי אחריות תיקון החלפה מלאי זמין זמינות
ספק אספקה מחסן איסוף נקודה תאריך שגוי פגום שבור חסר נכון טעות
מבוטל מאושר אישור נשלח התקבל הגיע יגיע מחכה חיכיתי ממתין סגור פתוח
טופס מסמך צילום תמונה קובץ מצורף קישור שיחה צ'אט וואטסאפ סמס קוד
אימות מנוי חידוש מידה צבע גודל כמות יחידה סך סכום מע"מ שקל שקלים
דמי מדיניות תנאים פרטיות הסכם חוזה גבייה חיוב חיובים כפול ישן חדש
`
