package analyze

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// show writes tokens compactly: a word as its term, anything else as
// kind:term, space separated.
func show(toks []Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t.Kind != Word {
			b.WriteString(t.Kind.String() + ":")
		}
		b.WriteString(t.Term)
	}
	return b.String()
}

type tcase struct{ in, want string }

func runCases(t *testing.T, a *Analyzer, cases []tcase) {
	t.Helper()
	for _, c := range cases {
		if got := show(a.Tokens(c.in)); got != c.want {
			t.Errorf("Tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalise(t *testing.T) {
	runCases(t, seeded, []tcase{
		{"שָׁלוֹם", "שלומ"},                        // niqqud and the shin dot go
		{"בְּרֵאשִׁ֖ית", "בראשית"},                 // cantillation (tipcha) too
		{"שׁלום", "שלומ"},                          // presentation form U+FB2A
		{"מחשב\u05BDים", "מחשבימ"},                 // meteg
		{"ארץ כנף דרך עם גן", "ארצ כנפ דרכ עמ גנ"}, // final letters folded
		{"עצם עצמ", "עצמ עצמ"},
		{"מילה־מילה", "מילה מילה"}, // maqaf separates
		{"Refund REFUNDS", "refund refund"},
		{"Café Cafe\u0301", "café café"}, // composed either way
		{"ＡＢＣ ﬁle", "abc file"},          // full-width and ligatures
		{"Shipping shipped", "ship ship"},
		{"don't", "don't"},
	})
}

func TestQuotes(t *testing.T) {
	runCases(t, seeded, []tcase{
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
	runCases(t, seeded, []tcase{
		{"הזמנה#4471", "הזמנה code:4471"},
		{"ה-iPhone", "iphon"},
		{"ל-15:00", "number:15:00"},
		{"ב15 ו-Apple", "number:15 appl"},
		{"iPhoneהחדש", "iphon החדש חדש"},
		{"מספר12", "מספר number:12"},
		{"ה 5", "ה number:5"}, // a free-standing letter stays
		{"1,200 ש\"ח 12.5", "number:1200 שח number:12.5"},
		{"1,2", "number:1 number:2"},
	})
}

func TestExact(t *testing.T) {
	runCases(t, seeded, []tcase{
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

// seeded is an analyzer with the built-in seed and nothing else.
var seeded = New(LexiconFrom())

func TestPrefixes(t *testing.T) {
	// With a lexicon: a stem is kept only if it is a known word and the
	// whole word is not.
	runCases(t, seeded, []tcase{
		{"וכשההזמנה", "וכשההזמנה הזמנה"},
		{"בהזמנה", "בהזמנה הזמנה"},
		{"למשלוח", "למשלוח משלוח"},
		{"שהחשבונית", "שהחשבונית חשבונית"},
		{"והחזרות", "והחזרות החזרות"},
		{"ולקוחות", "ולקוחות לקוחות"},
		{"מהמחסן", "מהמחסנ מחסנ"},
		{"לכשיגיע", "לכשיגיע יגיע"},
		{"לכשיתקבל", "לכשיתקבל"}, // "יתקבל" is not in the seed
		{"בצ'אט", "בצ'אט צ'אט"},
		{"ברק", "ברק"}, // precision guards: a known word is taken whole
		{"משה", "משה"},
		{"שלום", "שלומ"},
		{"בלה", "בלה"},
		{"כלב", "כלב"},
		{"כהן", "כהנ"}, // not כ+"הן"
		{"כמה", "כמה"},
		{"בבקשה", "בבקשה"},
		{"ברקים", "ברקימ"}, // unknown, and "רקים" is no word
		{"ובבקשה", "ובבקשה בבקשה בקשה"},
	})
	// Without one, every stem of three letters or more.
	runCases(t, New(nil), []tcase{
		{"וכשההזמנה", "וכשההזמנה כשההזמנה שההזמנה ההזמנה הזמנה"},
		{"בהזמנה", "בהזמנה הזמנה"},
		{"ברק", "ברק"}, // "רק" is too short
		{"משה", "משה"},
		{"שלום", "שלומ לומ"}, // ש+"לום": three letters, so kept; the price of no lexicon
		{"כלב", "כלב"},
		{"שהחשבונית", "שהחשבונית החשבונית חשבונית"},
		{"ה", "ה"},
	})
}

func TestNilWordsIsNoLexicon(t *testing.T) {
	var ws Words
	if got, want := show(New(ws).Tokens("בהזמנה")), show(New(nil).Tokens("בהזמנה")); got != want {
		t.Errorf("New(Words(nil)) gives %q, want the rules-only %q", got, want)
	}
}

func TestOffsets(t *testing.T) {
	text := "שלום, וכשההזמנה #4471 A-1234 dana@x.io ל-15:00"
	want := []string{"שלום", "וכשההזמנה", "וכשההזמנה", "#4471", "A-1234", "dana@x.io", "15:00"}
	toks := seeded.Tokens(text)
	if len(toks) != len(want) {
		t.Fatalf("Tokens(%q) = %q, want %d tokens", text, show(toks), len(want))
	}
	for i, tok := range toks {
		if got := text[tok.Start:tok.End]; got != want[i] {
			t.Errorf("token %d %q covers %q, want %q", i, tok.Term, got, want[i])
		}
	}
	if toks[1].Start != toks[2].Start || toks[1].End != toks[2].End {
		t.Errorf("stem %v does not share its word's offsets %v", toks[2], toks[1])
	}
}

func TestLexiconFrom(t *testing.T) {
	lex := LexiconFrom("ההזמנה הגיעה, ובהזמנה היה חסר מוצר. כלב", "לב הזהב והזהב")
	for _, c := range []struct {
		word string
		want bool
	}{
		{"הגיעה", true},
		{"זהב", false},     // only seen with the article
		{"הזהב", true},     // so taken whole, and then...
		{"והזהב", false},   // ...this is ו+"הזהב"
		{"ובהזמנה", false}, // ו+"בהזמנה"? no: וב+"הזמנה" from the seed
		{"הזמנה", true},    // seed
		{"כלב", true},      // seed wins over כ+"לב"
		{"שלומ", true},     // seed, folded
		{"רבקה", true},
	} {
		if got := lex.Has(c.word); got != c.want {
			t.Errorf("Has(%q) = %v, want %v", c.word, got, c.want)
		}
	}
	// The corpus lexicon lets a stem seen only in the corpus be stripped.
	runCases(t, New(lex), []tcase{
		{"בהזהב", "בהזהב הזהב"}, // ב+"הזהב"; ב takes no ה, so no "זהב"
		{"שהזהב", "שהזהב הזהב"},
		{"ההזמנה", "ההזמנה הזמנה"},
	})
}

func TestQueryMatchesTokens(t *testing.T) {
	// A query word and the indexed word meet on a shared term.
	for _, c := range []struct{ doc, query string }{
		{"וכשההזמנה הגיעה", "הזמנה"},
		{"ההזמנה", "בהזמנה"},
		{"Refunds were issued", "refunded"},
		{"טלפון 050-1234567", "+972 50 123 4567"},
		{"הזמנה #4471", "4471"},
		{"דו\"ח חודשי", "דו״ח"},
	} {
		terms := map[string]bool{}
		for _, tok := range seeded.Tokens(c.doc) {
			terms[tok.Term] = true
		}
		found := false
		for _, tok := range seeded.Query(c.query) {
			found = found || terms[tok.Term]
		}
		if !found {
			t.Errorf("Query(%q) = %q shares no term with Tokens(%q) = %q",
				c.query, show(seeded.Query(c.query)), c.doc, show(seeded.Tokens(c.doc)))
		}
	}
}

func TestGolden(t *testing.T) {
	text, err := os.ReadFile("testdata/paragraph.txt")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, tok := range seeded.Tokens(string(text)) {
		fmt.Fprintf(&b, "%d-%d\t%s\t%s\t%s\n", tok.Start, tok.End, tok.Kind, tok.Term, text[tok.Start:tok.End])
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
		t.Errorf("tokens differ from %s; run go test -update and review the diff:\n%s", golden, got)
	}
}

func BenchmarkTokens(b *testing.B) {
	text, err := os.ReadFile("testdata/paragraph.txt")
	if err != nil {
		b.Fatal(err)
	}
	s := string(text[:1024])
	for !strings.HasSuffix(s, " ") { // cut on a word, not inside a letter
		s = s[:len(s)-1]
	}
	a := seeded
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		a.Tokens(s)
	}
}
