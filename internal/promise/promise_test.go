package promise

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone must not depend on the machine's zoneinfo

	"github.com/google/go-cmp/cmp"
)

var jlm = mustLoad("Asia/Jerusalem")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// The replies' times, all in Jerusalem, in the first week of December 2025.
var (
	tue      = time.Date(2025, 12, 2, 14, 0, 0, 0, jlm)  // Tuesday afternoon
	thu      = time.Date(2025, 12, 4, 10, 0, 0, 0, jlm)  // Thursday morning
	thuEve   = time.Date(2025, 12, 4, 18, 30, 0, 0, jlm) // Thursday, after the business day
	fri      = time.Date(2025, 12, 5, 11, 0, 0, 0, jlm)  // Friday
	satNight = time.Date(2025, 12, 6, 21, 30, 0, 0, jlm) // Saturday night, after the Sabbath
)

func TestFind(t *testing.T) {
	tests := []struct {
		in    string
		now   time.Time
		kind  Kind   // "" when the reply promises nothing
		due   string // "2006-01-02 15:04" in Jerusalem, for Definite
		given bool   // TimeGiven
	}{
		// English, definite.
		{"I'll call you back tomorrow.", thu, Definite, "2025-12-05 17:00", false},
		{"I'll get back to you by 3pm.", thu, Definite, "2025-12-04 15:00", true},
		{"I'll get back to you by 3pm.", thuEve, Definite, "2025-12-05 15:00", true},
		{"We'll send the replacement on Sunday.", fri, Definite, "2025-12-07 17:00", false},
		{"I'll update you by Thursday 12:00.", thu, Definite, "2025-12-04 12:00", true},
		{"I'll update you by Thursday 12:00.", fri, Definite, "2025-12-11 12:00", true},
		{"I'll update you by Thursday.", thu, Definite, "2025-12-11 17:00", false},
		{"I will check with the warehouse and get back to you by end of day.", thu, Definite, "2025-12-04 17:00", false},
		{"I'll get back to you by end of day.", thuEve, Definite, "2025-12-04 23:59", false},
		{"I'm going to send you the invoice tonight.", thu, Definite, "2025-12-04 19:00", true},
		{"Let me check with the courier and get back to you tomorrow morning.", fri, Definite, "2025-12-06 09:00", true},
		{"I'll call you in two hours.", thu, Definite, "2025-12-04 12:00", true},
		{"I'll send it in 30 minutes", satNight, Definite, "2025-12-06 22:00", true},
		{"I'll reply within 2 days.", thu, Definite, "2025-12-06 17:00", false},
		{"I'll get back to you within 3 business days.", thu, Definite, "2025-12-09 17:00", false},
		{"We'll have an answer for you by the end of the week.", thu, Definite, "2025-12-04 17:00", false},
		{"We'll have an answer for you by the end of the week.", fri, Definite, "2025-12-11 17:00", false},
		{"I'll follow up next week.", thu, Definite, "2025-12-07 17:00", false},
		{"I'll follow up next week.", satNight, Definite, "2025-12-07 17:00", false},
		{"I will email you on 5/12.", tue, Definite, "2025-12-05 17:00", false},
		{"I'll confirm the delivery slot on December 5.", satNight, Definite, "2026-12-05 17:00", false},
		{"I'll ring you at noon.", thu, Definite, "2025-12-04 12:00", true},
		{"I'll call you at 3:30pm tomorrow.", thu, Definite, "2025-12-05 15:30", true},
		{"You'll hear from us by Thu.", satNight, Definite, "2025-12-11 17:00", false},
		{"We'll process the refund the day after tomorrow.", thu, Definite, "2025-12-06 17:00", false},
		{"I'll call you this afternoon.", thu, Definite, "2025-12-04 15:00", true},
		{"I'll call you at 9", thu, Definite, "2025-12-05 09:00", true},
		{"I'll call you at 5", thu, Definite, "2025-12-04 17:00", true},
		{"Will call you tomorrow afternoon.", satNight, Definite, "2025-12-07 15:00", true},
		{"I'll call you on Monday at 3.", fri, Definite, "2025-12-08 15:00", true},
		{"Expect a call from me tomorrow at 10am.", thu, Definite, "2025-12-05 10:00", true},
		{"Tomorrow, I'll call you.", thu, Definite, "2025-12-05 17:00", false},
		{"I’ll definitely get back to you by 4 p.m. today.", thu, Definite, "2025-12-04 16:00", true},
		{"We checked and will call you tomorrow.", thu, Definite, "2025-12-05 17:00", false},
		{"I'll have someone call you later today.", thuEve, Definite, "2025-12-04 23:59", false},
		{"I'll call you tomorrow, ok?", thu, Definite, "2025-12-05 17:00", false},
		{"No problem, I'll make sure someone calls you on the 10th.", thu, Definite, "2025-12-10 17:00", false},

		// English, vague.
		{"I'll see what I can do.", thu, Vague, "", false},
		{"I'll look into it.", thu, Vague, "", false},
		{"I'll get back to you as soon as possible.", thu, Vague, "", false},
		{"We'll update you soon!", thu, Vague, "", false},
		{"I'll try to call you tomorrow.", thu, Vague, "", false},
		{"I'll get back to you at some point.", thu, Vague, "", false},
		{"I'll check and get back to you in a bit.", thu, Vague, "", false},
		{"I'll do my best to have it fixed by Thursday.", thu, Vague, "", false},
		{"We will look into it over the next few days.", thu, Vague, "", false},
		{"Since your order was placed on Sunday, I'll look into it.", thu, Vague, "", false},

		// English, no promise.
		{"I checked yesterday.", thu, "", "", false},
		{"Will you call us tomorrow?", thu, "", "", false},
		{"He will call you tomorrow.", thu, "", "", false},
		{"I won't be able to call tomorrow.", thu, "", "", false},
		{"I don't think I'll be able to call you tomorrow.", thu, "", "", false},
		{"If you need anything, call us.", thu, "", "", false},
		{"If the part arrives, I'll install it on Sunday.", thu, "", "", false},
		{"Our office is open tomorrow at 9.", thu, "", "", false},
		{"Call us back tomorrow.", thu, "", "", false},
		{"Have a good weekend!", fri, "", "", false},
		{"We'll be closed on Friday.", thu, "", "", false},
		{"You said you'd send the photos tomorrow.", thu, "", "", false},
		{"The technician will arrive tomorrow at 10.", thu, "", "", false},
		{"I'll need your order number.", thu, "", "", false},
		{`You wrote: "I will pay the balance tomorrow."`, thu, "", "", false},
		{"Shall I call you tomorrow at 3?", thu, "", "", false},
		{"Good morning! I called you yesterday at 3pm.", thu, "", "", false},
		{"> I'll call you tomorrow\nThanks for the update.", thu, "", "", false},

		// Hebrew, definite.
		{"אחזור אליך מחר.", thu, Definite, "2025-12-05 17:00", false},
		{"אבדוק ואעדכן ביום חמישי.", tue, Definite, "2025-12-04 17:00", false},
		{"אבדוק ואעדכן ביום חמישי.", thu, Definite, "2025-12-11 17:00", false},
		{"אחזור אלייך ביום ה' בשעה 12:00", thu, Definite, "2025-12-04 12:00", true},
		{"אחזור אלייך ביום ה׳ בשעה 12:00", fri, Definite, "2025-12-11 12:00", true},
		{"אני אחזור אליך מחר בבוקר", fri, Definite, "2025-12-06 09:00", true},
		{"אתקשר אליך מחר אחר הצהריים", thu, Definite, "2025-12-05 15:00", true},
		{"נחזור אליכם הערב", thu, Definite, "2025-12-04 19:00", true},
		{"אעדכן עד סוף היום", thu, Definite, "2025-12-04 17:00", false},
		{"אעדכן עד סוף היום", thuEve, Definite, "2025-12-04 23:59", false},
		{"נעדכן אותך עד סוף השבוע", fri, Definite, "2025-12-11 17:00", false},
		{"נשלח את החשבונית בשבוע הבא", thu, Definite, "2025-12-07 17:00", false},
		{"אחזור אליך בעוד שעתיים", thu, Definite, "2025-12-04 12:00", true},
		{"אחזור אליך בעוד שעה", satNight, Definite, "2025-12-06 22:30", true},
		{"נחזור אליך בעוד חצי שעה", thu, Definite, "2025-12-04 10:30", true},
		{"אשלח לך את הטופס בעוד 3 ימים", thu, Definite, "2025-12-07 17:00", false},
		{"אתקשר בשלוש", thu, Definite, "2025-12-04 15:00", true},
		{"אתקשר מחר בשלוש", thu, Definite, "2025-12-05 15:00", true},
		{"אתקשר בתשע", thu, Definite, "2025-12-05 09:00", true},
		{"אחזור אליך ב-15:00", thuEve, Definite, "2025-12-05 15:00", true},
		{"אחזור אליך עד 12", thu, Definite, "2025-12-04 12:00", true},
		{"אעדכן אותך ב-5 בדצמבר", tue, Definite, "2025-12-05 17:00", false},
		{"אעדכן אותך ב-5.12", tue, Definite, "2025-12-05 17:00", false},
		{"אחזור אליך ביום ראשון", satNight, Definite, "2025-12-07 17:00", false},
		{"ואחזור אלייך מחרתיים", fri, Definite, "2025-12-07 17:00", false},
		{"כשאבדוק, אחזור אליך בצהריים", thu, Definite, "2025-12-04 12:00", true},
		{"אדאג לעדכן אותך מחר", thu, Definite, "2025-12-05 17:00", false},
		{"אטפל בזה היום", thu, Definite, "2025-12-04 17:00", false},
		{"אני הולכת לבדוק את זה ולחזור אלייך בחמישי", tue, Definite, "2025-12-04 17:00", false},
		{"ומחר בבוקר נתקשר אליך", thu, Definite, "2025-12-05 09:00", true},
		{"תקבל מאיתנו תשובה עד יום שלישי", thu, Definite, "2025-12-09 17:00", false},
		{"אחזור אליך לגבי ההזמנה ביום ב'", fri, Definite, "2025-12-08 17:00", false},
		{"נחזיר לך את הכסף תוך 3 ימי עסקים", thu, Definite, "2025-12-09 17:00", false},
		{"אֶחְזוֹר אֵלֶיךָ מָחָר", thu, Definite, "2025-12-05 17:00", false},
		{`אחזור אליך במוצ"ש`, thu, Definite, "2025-12-06 20:00", true},
		{"אשלח את זה ב-08:30", thu, Definite, "2025-12-05 08:30", true},
		{"אשלח לך את ה-invoice ב-14:30", thu, Definite, "2025-12-04 14:30", true},
		{"נעדכן אותך ב-WhatsApp מחר ב-\u200e10:00", satNight, Definite, "2025-12-07 10:00", true},
		{"שאחזור אליך מחר בשעה 16:00, בסדר?", thu, Definite, "2025-12-05 16:00", true},

		// Hebrew, vague.
		{"נבדוק ונחזור אליך", thu, Vague, "", false},
		{"אני אראה מה אפשר לעשות", thu, Vague, "", false},
		{"אנסה לבדוק מחר", thu, Vague, "", false},
		{"ננסה לבדוק", thu, Vague, "", false},
		{"נחזור אליך בהקדם", thu, Vague, "", false},
		{"אעדכן אותך בקרוב", thu, Vague, "", false},
		{"אבדוק את זה ואחזור אליך בימים הקרובים", thu, Vague, "", false},
		{"נעשה כמיטב יכולתנו", thu, Vague, "", false},
		{"אבדוק את ההזמנה מיום ראשון", thu, Vague, "", false},

		// Hebrew, no promise.
		{"בדקתי אתמול", thu, "", "", false},
		{"חזרתי אליך אתמול אבל לא ענית", thu, "", "", false},
		{"תוכל לחזור אלינו מחר?", thu, "", "", false},
		{"הוא יחזור אליך מחר", thu, "", "", false},
		{"לא אוכל לחזור אליך מחר", thu, "", "", false},
		{"אני לא אחזור אליך היום", thu, "", "", false},
		{"אם תצטרך משהו, תתקשר", thu, "", "", false},
		{"אם יהיה עיכוב, אעדכן אותך מחר", thu, "", "", false},
		{"המשרד פתוח מחר ב-9", thu, "", "", false},
		{"חזור אלינו מחר", thu, "", "", false},
		{"שבוע טוב", satNight, "", "", false},
		{"שבת שלום ותודה על הסבלנות", fri, "", "", false},
		{"המייל נשלח אליך אתמול", thu, "", "", false},
		{"שאחזור אליך מחר?", thu, "", "", false},
		{"הטכנאי יגיע מחר בשמונה", thu, "", "", false},
		{`כתבת לנו: "אחזור אליכם מחר עם המסמכים"`, thu, "", "", false},
	}
	for _, tt := range tests {
		got := Find(tt.in, Options{Now: tt.now})
		checkOffsets(t, tt.in, got)
		if tt.kind == "" {
			if got != nil {
				t.Errorf("Find(%q) = %+v, want nil", tt.in, got)
			}
			continue
		}
		if len(got) != 1 {
			t.Errorf("Find(%q) = %+v, want one %s promise", tt.in, got, tt.kind)
			continue
		}
		p := got[0]
		var due time.Time
		if tt.due != "" {
			due = at(tt.due)
		}
		lang := "en"
		if strings.ContainsFunc(tt.in, func(r rune) bool { return r >= 'א' && r <= 'ת' }) {
			lang = "he"
		}
		if p.Kind != tt.kind || !p.Due.Equal(due) || p.TimeGiven != tt.given || p.Language != lang {
			t.Errorf("Find(%q) on %s = %s %s due %s given %v; want %s %s due %s given %v",
				tt.in, tt.now.Format("Mon 15:04"), p.Kind, p.Language, show(p.Due), p.TimeGiven,
				tt.kind, lang, show(due), tt.given)
		}
		if !p.Due.IsZero() && p.Due.Location().String() != "Asia/Jerusalem" {
			t.Errorf("Find(%q): due in %v, want Asia/Jerusalem", tt.in, p.Due.Location())
		}
	}
}

// TestFindSeveral checks replies with more than one promise, and the text
// and offsets of each.
func TestFindSeveral(t *testing.T) {
	tests := []struct {
		in   string
		now  time.Time
		want []Promise // Start and End are filled in from Text
	}{
		{
			"Hi Dana,\nI'll call you back tomorrow morning. Also, we'll send the invoice by Thursday 12:00!\nBest, Noa",
			thu,
			[]Promise{
				{Kind: Definite, Language: "en", Text: "I'll call you back tomorrow morning.", Due: at("2025-12-05 09:00"), TimeGiven: true},
				{Kind: Definite, Language: "en", Text: "Also, we'll send the invoice by Thursday 12:00!", Due: at("2025-12-04 12:00"), TimeGiven: true},
			},
		},
		{
			"I'll call you tomorrow and I'll send the form on Sunday.",
			thu,
			[]Promise{
				{Kind: Definite, Language: "en", Text: "I'll call you tomorrow", Due: at("2025-12-05 17:00")},
				{Kind: Definite, Language: "en", Text: "I'll send the form on Sunday.", Due: at("2025-12-07 17:00")},
			},
		},
		{
			"אחזור אליך מחר בבוקר ואשלח את החשבונית ביום ראשון.",
			thu,
			[]Promise{
				{Kind: Definite, Language: "he", Text: "אחזור אליך מחר בבוקר", Due: at("2025-12-05 09:00"), TimeGiven: true},
				{Kind: Definite, Language: "he", Text: "ואשלח את החשבונית ביום ראשון.", Due: at("2025-12-07 17:00")},
			},
		},
		{
			"I'll look into it. I'll call you tomorrow at 10.",
			thu,
			[]Promise{
				{Kind: Vague, Language: "en", Text: "I'll look into it."},
				{Kind: Definite, Language: "en", Text: "I'll call you tomorrow at 10.", Due: at("2025-12-05 10:00"), TimeGiven: true},
			},
		},
		{
			// Two commitments, one time: one promise.
			"Thanks for waiting! I checked with the warehouse yesterday. We'll ship it on Sunday and I'll text you the tracking number then.",
			fri,
			[]Promise{
				{Kind: Definite, Language: "en", Text: "We'll ship it on Sunday and I'll text you the tracking number then.", Due: at("2025-12-07 17:00")},
			},
		},
		{
			"שלום רב,\nאבדוק מול המחסן ואחזור אליך מחר. I'll also email you the invoice tonight.\nנבדוק גם את החיוב הכפול.",
			thu,
			[]Promise{
				{Kind: Definite, Language: "he", Text: "אבדוק מול המחסן ואחזור אליך מחר.", Due: at("2025-12-05 17:00")},
				{Kind: Definite, Language: "en", Text: "I'll also email you the invoice tonight.", Due: at("2025-12-04 19:00"), TimeGiven: true},
				{Kind: Vague, Language: "he", Text: "נבדוק גם את החיוב הכפול."},
			},
		},
		{
			"Thank you for your patience.",
			thu,
			nil,
		},
	}
	for _, tt := range tests {
		got := Find(tt.in, Options{Now: tt.now})
		checkOffsets(t, tt.in, got)
		var want []Promise
		from := 0
		for _, p := range tt.want {
			p.Start = from + strings.Index(tt.in[from:], p.Text)
			p.End = p.Start + len(p.Text)
			from = p.End
			want = append(want, p)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Find(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestFindOptions checks the zone and the default hour.
func TestFindOptions(t *testing.T) {
	london := mustLoad("Europe/London")
	tests := []struct {
		in   string
		opt  Options
		want time.Time
	}{
		{"I'll call you tomorrow.", Options{Now: thu, DefaultHour: 12}, at("2025-12-05 12:00")},
		// 10:00 in Jerusalem is 08:00 in London: "at 9" is still ahead.
		{"I'll call you at 9", Options{Now: thu, Location: london}, time.Date(2025, 12, 4, 9, 0, 0, 0, london)},
		{"I'll call you tomorrow.", Options{Now: thu.UTC()}, at("2025-12-05 17:00")},
	}
	for _, tt := range tests {
		got := Find(tt.in, tt.opt)
		if len(got) != 1 || !got[0].Due.Equal(tt.want) || got[0].Due.Location().String() != tt.want.Location().String() {
			t.Errorf("Find(%q, %+v) = %+v, want due %v", tt.in, tt.opt, got, tt.want)
		}
	}
}

// checkOffsets checks that each promise's Text is where its offsets say.
func checkOffsets(t *testing.T, in string, ps []Promise) {
	t.Helper()
	for _, p := range ps {
		if p.Start < 0 || p.End > len(in) || p.Start > p.End || in[p.Start:p.End] != p.Text {
			t.Errorf("Find(%q): Text %q is not text[%d:%d]", in, p.Text, p.Start, p.End)
		}
		if strings.TrimSpace(p.Text) != p.Text || p.Text == "" {
			t.Errorf("Find(%q): Text %q is not trimmed", in, p.Text)
		}
	}
}

// at parses a time in Jerusalem.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, jlm)
	if err != nil {
		panic(err)
	}
	return t
}

func show(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.Format("Mon 2006-01-02 15:04")
}
