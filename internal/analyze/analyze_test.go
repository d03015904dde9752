package analyze

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// show writes one form of each term compactly, space separated: a word as
// the form, anything else as kind:form.
func show(terms []Term, form func(Term) string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t.Kind != Word {
			b.WriteString(t.Kind.String() + ":")
		}
		b.WriteString(form(t))
	}
	return b.String()
}

func exact(t Term) string { return t.Exact }
func base(t Term) string  { return t.Base }
func loose(t Term) string { return t.Loose }

type tcase struct{ in, want string }

// runCases checks one form of the terms of each input.
func runCases(t *testing.T, form func(Term) string, cases []tcase) {
	t.Helper()
	for _, c := range cases {
		if got := show(Default().Terms(c.in), form); got != c.want {
			t.Errorf("Terms(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalise(t *testing.T) {
	runCases(t, exact, []tcase{
		{"שָׁלוֹם", "שלומ"},                        // niqqud and the shin dot go
		{"בְּרֵאשִׁ֖ית", "בראשית"},                 // cantillation (tipcha) too
		{"שׁלום", "שלומ"},                          // presentation form U+FB2A
		{"מחשב\u05BDים", "מחשבימ"},                 // meteg
		{"ארץ כנף דרך עם גן", "ארצ כנפ דרכ עמ גנ"}, // final letters folded
		{"עצם עצמ", "עצמ עצמ"},
		{"מילה־מילה", "מילה מילה"}, // maqaf separates
		{"Refund REFUNDS", "refund refunds"},
		{"Café Cafe\u0301", "café café"}, // composed either way
		{"ＡＢＣ ﬁle", "abc file"},          // full-width and ligatures
		{"don't", "don't"},
	})
	runCases(t, base, []tcase{
		{"Refund REFUNDS refunded", "refund refund refund"},
		{"Shipping shipped", "ship ship"},
		{"Café", "café"},
	})
}

func TestQuotes(t *testing.T) {
	runCases(t, exact, []tcase{
		{"צ'יפס", "צ'יפס"},
		{"צ׳יפס", "צ'יפס"},   // geresh U+05F3
		{"צ’יפס", "צ'יפס"},   // typographic apostrophe
		{"דו\"ח", "דוח"},     // ASCII gershayim
		{"דו״ח", "דוח"},      // U+05F4
		{"דו''ח", "דוח"},     // two apostrophes
		{"מע\"מ", "מעמ"},     // and the final letter folds
		{"\"שלום\"", "שלומ"}, // quotes around a word
		{"'שלום'", "שלומ"},
		{"״הזמנה״ ‘order’", "הזמנה order"},
		{"ג'", "ג"}, // a trailing geresh is not kept
	})
}

func TestMixedScripts(t *testing.T) {
	runCases(t, base, []tcase{
		{"הזמנה#4471", "הזמנה code:4471"},
		{"ה-iPhone", "iphon"},
		{"ל-15:00", "number:15:00"},
		{"ב15 ו-Apple", "number:15 appl"},
		{"iPhoneהחדש", "iphon חדש"},
		{"מספר12", "מספר number:12"},
		{"ה 5", "ה number:5"}, // a free-standing letter stays
		{"1,200 ש\"ח 12.5", "number:1200 שקל number:12.5"},
		{"1,2", "number:1 number:2"},
	})
}

func TestExact(t *testing.T) {
	runCases(t, base, []tcase{
		{"Dana.Levi+orders@Example.co.il.", "email:dana.levi+orders@example.co.il"},
		{"מייל:dana@shop.com,", "מייל email:dana@shop.com"},
		{"dana@localhost", "dana localhost"}, // no dot, no address
		{"050-1234567", "phone:972501234567"},
		{"0501234567", "phone:972501234567"},
		{"+972-50-123-4567", "phone:972501234567"},
		{"+972 50 123 4567", "phone:972501234567"},
		{"050 123 4567 3", "phone:972501234567 number:3"},
		{"03-1234567", "phone:97231234567"},
		{"טל: 054-7654321.", "טל phone:972547654321"},
		{"#4471", "code:4471"},
		{"4471", "number:4471"},
		{"A-1234 ab1234", "code:a-1234 code:ab-1234"},
		{"COVID-19", "covid number:19"},
		{"A-12", "a number:12"},
		{"+", ""},
	})
}

func TestPrefixes(t *testing.T) {
	// A stem is taken only when the lexicon knows it and does not know the
	// whole word; the shortest prefix that leaves a known word wins.
	runCases(t, base, []tcase{
		{"וכשההזמנה", "הזמנה"},
		{"בהזמנה", "הזמנה"},
		{"ההזמנה", "הזמנה"},
		{"למשלוח", "משלוח"},
		{"שהחשבונית", "חשבונית"},
		{"מהמחסן", "מחסנ"},
		{"בצ'אט", "צ'אט"},
		{"כשהשליח", "שליח"},
		{"ובסניף", "סניפ"},
		{"לכשיגיע", "הגעה"}, // a form of the group of "הגעה"
		{"שתגיע", "הגעה"},
		{"לכשיתבהר", "לכשיתבהר"}, // "יתבהר" is not in the lexicon
		{"ובבקשה", "בבקשה"},      // ו+"בבקשה", not וב+"בקשה"
		{"מבלי", "בלי"},
	})
}

func TestEndings(t *testing.T) {
	runCases(t, base, []tcase{
		// Plurals in ים and ות, listed or by rule.
		{"מוצרים", "מוצר"},
		{"הזמנות", "הזמנה"},
		{"כרטיסים", "כרטיס"},
		{"שעונים", "שעונ"},
		{"מדפים", "מדפ"},
		{"ברקים", "ברק"}, // ברק+ים, not ב+"רקים"
		{"נציגות", "נציג"},
		// Construct forms: ת for ה, and the י of a masculine plural.
		{"הזמנת", "הזמנה"},
		{"עבודת", "עבודה"},
		{"מוצרי", "מוצר"},
		{"פרטי", "פרט"},
		{"שירותי", "שירות"},
		{"ימי", "יומ"},
		// Possessives, alone and after a plural or construct form.
		{"הזמנתי", "הזמנה"},
		{"הזמנתך", "הזמנה"},
		{"הזמנתו", "הזמנה"},
		{"הזמנתנו", "הזמנה"},
		{"הזמנתכם", "הזמנה"},
		{"הזמנותיי", "הזמנה"},
		{"הזמנותיכם", "הזמנה"},
		{"פנייתך", "פנייה"},
		{"חשבונך", "חשבונ"},
		{"חשבוני", "חשבונ"},
		{"מוצריך", "מוצר"},
		{"פרטיו", "פרט"},
		{"לקוחותינו", "לקוח"},
		{"צוותנו", "צוות"},
		// Verbs in the past meet their group through the same endings.
		{"שילמתי", "תשלומ"},
		{"ביקשתי", "בקשה"},
		{"חייבתם", "חייבתמ"}, // "their" (ם) is not read through
		// With prefixes.
		{"וההזמנות", "הזמנה"},
		{"בהזמנותיי", "הזמנה"},
		{"מהמוצרים", "מוצר"},
		{"לפרטי", "פרט"},
		{"שבהזמנתך", "הזמנה"},
		// Irregular plurals come from the lexicon.
		{"ערים", "עיר"},
		{"בתים", "בית"},
		{"ימים", "יומ"},
		{"אנשים", "אדמ"},
		{"נשים", "אישה"},
		{"שנים", "שנה"},
		{"בנות", "בת"},
		{"חנויות", "חנות"},
		// A word the lexicon knows is not reduced.
		{"שבת", "שבת"},
		{"בית", "בית"},
		{"עת", "עת"},
		{"כתובת", "כתובת"},
		{"חנות", "חנות"},
		{"שירות", "שירות"},
		{"עלות", "עלות"},
		{"כמות", "כמות"},
		{"מדיניות", "מדיניות"},
		{"אחריות", "אחריות"},
		{"זמינות", "זמינות"},
		{"שירה", "שירה"},
		{"חנה", "חנה"},
		{"מעלות", "מעלות"},
		{"חיים", "חיימ"},
		{"כלים", "כלי"},
		{"מים", "מימ"},
	})
}

func TestSpelling(t *testing.T) {
	runCases(t, base, []tcase{
		{"תכנית", "תוכנית"}, // listed
		{"שרות", "שירות"},
		{"סיסמא", "סיסמה"},
		{"בקורת", "ביקורת"}, // a ו or י fewer, by rule
		{"תקונים", "תיקונ"},
		{"בטולים", "ביטול"},
		{"ובקורת", "ביקורת"},
		{"תכניותיכם", "תוכנית"},
		{"עידכון", "עדכונ"},  // a י too many: only as listed
		{"מידפסת", "מידפסת"}, // not by rule
		{"בטוח", "בטוח"},     // a word in its own right, not "ביטוח"
		{"מלון", "מלונ"},     // not "מילון"

	})
}

func TestLoose(t *testing.T) {
	// A word the lexicon does not know keeps its written form as Base, and
	// its longest legal prefix is taken off for Loose.
	runCases(t, loose, []tcase{
		{"בגלקסי", "גלקסי"},
		{"מהדייסון", "דייסונ"},
		{"וכשהדייסון", "דייסונ"},
		{"דייסון", "דייסונ"},
		{"ולקס", "לקס"}, // "קס" would be fewer than three letters
		{"בהזמנה", "הזמנה"},
		{"refunds", "refund"},
	})
	runCases(t, base, []tcase{
		{"בגלקסי", "בגלקסי"},
	})
}

func TestGuards(t *testing.T) {
	// A word whose first letters could be a prefix, or whose last could be
	// an ending, must not meet the shorter word.
	for _, c := range []struct{ long, short string }{
		{"ברק", "רק"}, {"בקשה", "קשה"}, {"שבת", "בת"}, {"כלב", "לב"},
		{"מספר", "ספר"}, {"משקל", "שקל"}, {"מסך", "סך"}, {"מטען", "טען"},
		{"מעלות", "עלות"}, {"לירון", "ירון"}, {"שרון", "רון"}, {"שמיכה", "מיכה"},
		{"ברז", "רז"}, {"לבד", "בד"}, {"מדף", "דף"}, {"בגד", "גד"},
		{"שירות", "שירה"}, {"חנות", "חנה"}, {"כלים", "כל"}, {"ביטוח", "בטוח"},
		{"מילון", "מלון"}, {"ביטוח", "בטח"}, {"שמתי", "מתי"}, {"ברכה", "רכה"},
		{"כמות", "כמה"}, {"אחות", "אח"}, {"מקום", "קום"}, {"מערכת", "ערכה"},
	} {
		l, s := Default().Terms(c.long), Default().Terms(c.short)
		if l[0].Base == s[0].Base || l[0].Base == s[0].Loose || l[0].Loose == s[0].Base {
			t.Errorf("%q (%+v) meets %q (%+v)", c.long, l[0], c.short, s[0])
		}
	}
}

func TestVocabulary(t *testing.T) {
	seen := map[string]int{}
	words := 0
	for i, line := range strings.Split(vocabulary, "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		for _, field := range strings.Fields(strings.ReplaceAll(line, ":", " ")) {
			ws := hebrewWords(field)
			if len(ws) != 1 || ws[0] == "" {
				t.Errorf("hebrew.txt:%d: %q is not one Hebrew word (%q)", i+1, field, ws)
				continue
			}
			if at, dup := seen[ws[0]]; dup {
				t.Errorf("hebrew.txt:%d: %q is listed already on line %d", i+1, field, at)
			}
			seen[ws[0]] = i + 1
			words++
		}
	}
	if len(seen) < 5000 {
		t.Errorf("the vocabulary has %d words, fewer than the 5,000 it is meant to have", len(seen))
	}
	t.Logf("the vocabulary has %d words", words)
}

func TestOffsets(t *testing.T) {
	text := "שלום, וכשההזמנה #4471 A-1234 dana@x.io ל-15:00"
	want := []string{"שלום", "וכשההזמנה", "#4471", "A-1234", "dana@x.io", "15:00"}
	terms := Default().Terms(text)
	if len(terms) != len(want) {
		t.Fatalf("Terms(%q) = %q, want %d terms", text, show(terms, exact), len(want))
	}
	for i, term := range terms {
		if got := text[term.Start:term.End]; got != want[i] {
			t.Errorf("term %d %q covers %q, want %q", i, term.Exact, got, want[i])
		}
	}
}

func TestGolden(t *testing.T) {
	text, err := os.ReadFile("testdata/paragraph.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, term := range Default().Terms(string(text)) {
		fmt.Fprintf(&b, "%d-%d\t%s\t%s\t%s\t%s\t%s\n", term.Start, term.End, term.Kind, term.Exact, term.Base, term.Loose, text[term.Start:term.End])
	}
	got := b.String()
	const golden = "testdata/paragraph.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("terms differ from %s; run go test -update and review the diff:\n%s", golden, got)
	}
}

// BenchmarkTerms analyses a mixed Hebrew and English message of about 1 KB.
func BenchmarkTerms(b *testing.B) {
	text, err := os.ReadFile("testdata/paragraph.txt")
	if err != nil {
		b.Fatal(err)
	}
	s := string(text[:1024])
	for !strings.HasSuffix(s, " ") { // cut on a word, not inside a letter
		s = s[:len(s)-1]
	}
	a := Default()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		a.Terms(s)
	}
}
