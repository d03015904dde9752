package search

import (
	"strings"
	"testing"
	"time"

	"kesher/internal/analyze"
)

var s = New(analyze.Default())

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		query, doc string
		want       bool
	}{
		{"הזמנה", "וכשההזמנה הגיעה, הכל היה בסדר", true},
		{"ההזמנה", "הזמנה מספר 12", true},
		{"רק", "ברק כתב לנו", false},
		{"רק", "רק שאלה קטנה", true},
		{"refund", "I want my refunds back", true},
		{"refunded", "refund please", true},
		{`"ההזמנה שלי"`, "איפה ההזמנה שלי?", true},
		{`"ההזמנה שלי"`, "שלי ההזמנה", false},
		{"הזמנה -ביטול", "ביטול הזמנה", false},
		{"הזמנה -ביטול", "הזמנה חדשה", true},
		{"dana@example.com", "write to Dana@Example.com today", true},
		{"dana", "write to dana@example.com", false},
		{"050-1234567", "התקשרו אליי ל-+972 50 123 4567", true},
		{"#4471", "order 4471 is late", true},
		{"תוכנית", "תכנית החיסכון", true},
		{"החזרות", "איך מחזירים מוצר?", true},
		{"הזמנותיי", "ההזמנה שלי", true},
		{"שבת", "הבת שלי", false},
		{"גלקסי", "קניתי בגלקסי", true},
		{"בגלקסי", "גלקסי חדש", true},
		{"הזמנה משלוח", "הזמנה בלבד", false},
	} {
		q, err := s.Parse(c.query, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Matches(s.Document("", c.doc)); got != c.want {
			t.Errorf("%q in %q = %v, want %v (doc %+v)", c.query, c.doc, got, c.want, s.Document("", c.doc))
		}
	}
}

func TestTyping(t *testing.T) {
	q, err := s.Parse("משלוח להזמ", true)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Matches(s.Document("", "המשלוח של ההזמנה")) {
		t.Error("an unfinished word did not match the word it begins")
	}
	q, _ = s.Parse("משלוח להזמ ", true)
	if q.Matches(s.Document("", "המשלוח של ההזמנה")) {
		t.Error("a word followed by a space is finished, not a beginning")
	}
}

func TestRender(t *testing.T) {
	q, err := s.Parse(`וההזמנה "צ'יפס חם" -בגלקסי`, false)
	if err != nil {
		t.Fatal(err)
	}
	apos := Encode("'")
	if got, want := q.FTS5(), `(("הזמנה") AND {base} : "צ`+apos+`יפס חמ") NOT (("בגלקסי" OR "גלקסי"))`; got != want {
		t.Errorf("FTS5 = %s\nwant   %s", got, want)
	}
	if got, want := q.TSQuery(), `(('הזמנה') & ('צ`+apos+`יפס' <-> 'חמ')) & !(('בגלקסי' | 'גלקסי'))`; got != want {
		t.Errorf("TSQuery = %s\nwant      %s", got, want)
	}
	d := s.Document("תכנית", "תוכנית בגלקסי")
	if got, want := d.TSVector(), `'תוכנית':1,2 'בגלקסי':3 'גלקסי'`; got != want {
		t.Errorf("TSVector = %s, want %s", got, want)
	}
}

func TestParseLimits(t *testing.T) {
	if _, err := s.Parse(strings.Repeat("א", MaxQueryLength), false); err == nil {
		t.Error("an over-long query was accepted")
	}
	if _, err := s.Parse(strings.Repeat("מילה ", 40), false); err == nil {
		t.Error("a query of 40 words was accepted")
	}
	q, err := s.Parse(`  "" - `, false)
	if err != nil || !q.Empty() {
		t.Errorf("a query of signs = %+v, %v; want empty", q, err)
	}
}

func TestRank(t *testing.T) {
	var m Memory
	day := 24 * time.Hour
	m.Add("old-title", Candidate{Doc: s.Document("החזרת מוצר", "מדיניות"), Age: 300 * day})
	m.Add("body-once", Candidate{Doc: s.Document("שאלה", "רציתי להחזיר מוצר שקניתי, אפשר?"), Age: day})
	m.Add("unrelated", Candidate{Doc: s.Document("משלוח", "מתי מגיע המשלוח"), Age: 0})
	m.Add("exact-twice", Candidate{Doc: s.Document("", "מוצר מוצר פגום"), Age: day})
	q, _ := s.Parse("מוצר", false)
	got := m.Search(q, 100, 10)
	if want := "exact-twice body-once old-title"; strings.Join(got, " ") != want {
		t.Errorf("ranking = %v, want %s", got, want)
	}
	// A question with a word no document has still finds partial answers.
	q, _ = s.Parse("להחזיר מוצר בבקשה עכשיו", false)
	if got := m.Search(q, 100, 1); len(got) != 1 || got[0] != "body-once" {
		t.Errorf("widened search = %v, want body-once first", got)
	}
}

func TestSnippet(t *testing.T) {
	q, _ := s.Parse("הזמנה", false)
	text := strings.Repeat("מילים אחרות בהתחלה. ", 20) + "ורציתי לשאול מתי וכשההזמנה <תגיע> אליי" + strings.Repeat(" ועוד טקסט", 30)
	got := s.Snippet(text, q, 80)
	if !strings.Contains(got, "<mark>וכשההזמנה</mark>") || !strings.HasPrefix(got, "…") || !strings.Contains(got, "&lt;תגיע&gt;") {
		t.Errorf("Snippet = %q", got)
	}
	if n := len([]rune(got)); n > 110 {
		t.Errorf("snippet of %d characters", n)
	}
	if got := s.Snippet("קצר", q, 80); got != "קצר" {
		t.Errorf("a short text without a match = %q", got)
	}
}

func TestPlain(t *testing.T) {
	p := NewPlain()
	for _, c := range []struct {
		query, doc string
		want       bool
	}{
		{"הזמנה", "הזמנה מספר 12", true},
		{"הזמנה", "ההזמנה שלי", false},
		{"Refund", "REFUND please", true},
		{"refund", "refunds", false},
		{"דו\"ח", "דו ח", true}, // gershayim split a word like any sign
	} {
		q, err := p.Parse(c.query, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Matches(p.Document("", c.doc)); got != c.want {
			t.Errorf("plain: %q in %q = %v, want %v", c.query, c.doc, got, c.want)
		}
	}
}

func TestAbout(t *testing.T) {
	var m Memory
	m.Add("returns", Candidate{Doc: s.Document("מדיניות החזרות", "אפשר להחזיר מוצר תוך 14 יום מיום הקנייה, באריזה המקורית"), Evergreen: true})
	m.Add("delivery", Candidate{Doc: s.Document("זמני משלוח", "משלוח רגיל מגיע תוך 3 ימי עסקים"), Evergreen: true})
	m.Add("password", Candidate{Doc: s.Document("איפוס סיסמה", "כך מאפסים את הסיסמה לחשבון"), Evergreen: true})
	q := s.About("שלום, קיבלתי את המוצר שבור ואני רוצה להחזיר אותו. מה עושים עם המשלוח?", 24)
	if !q.Any || len(q.Must) < 5 {
		t.Fatalf("query %+v", q)
	}
	for _, g := range q.Must {
		if g.Stop {
			t.Errorf("a common word in the query: %+v", g.Terms)
		}
	}
	if got := m.Search(q, 100, 3); len(got) != 2 || got[0] != "returns" {
		t.Errorf("articles about the message: %v, want returns first, then delivery", got)
	}
	if q := s.About("", 24); !q.Empty() {
		t.Errorf("an empty text gives %+v", q)
	}
}
