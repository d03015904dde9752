package detect

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestManagerRequest(t *testing.T) {
	tests := []struct {
		in   string
		rule string // "" when the message asks for no manager
		text string // the phrase that should be matched
	}{
		// English, asking.
		{"I want to speak to a manager.", "en.manager", "want to speak to a manager"},
		{"Let me talk to your supervisor", "en.manager", "Let me talk to your supervisor"},
		{"Please escalate this.", "en.escalate", "escalate this"},
		{"I demand to speak with someone in charge!", "en.manager", "demand to speak with someone in charge"},
		{"Put me through to your boss", "en.manager", "Put me through to your boss"},
		{"Can I speak to a manager please?", "en.manager", "Can I speak to a manager"},
		{"This is the third time I write. I'd like to talk to a supervisor.", "en.manager", "like to talk to a supervisor"},
		{"Get me a manager NOW", "en.manager", "Get me a manager"},
		{"Who is in charge here?", "en.manager", "Who is in charge"},
		{"Where's your manager?", "en.manager", "Where's your manager"},
		{"I want this escalated today.", "en.escalate", "want this escalated"},
		{"I'm not angry, but I need to talk to the store manager.", "en.manager", "need to talk to the store manager"},
		{"Manager, please.", "en.manager", "Manager, please"},
		{"I want to be transferred to someone senior", "en.manager", "want to be transferred to someone senior"},
		{"I’m requesting an escalation of my case", "en.escalate", "requesting an escalation"},

		// English, not asking.
		{"My manager asked me to write to you.", "", ""},
		{"The store manager was very helpful, thanks!", "", ""},
		{"Thanks,\nDana Cohen, Account Manager", "", ""},
		{"I don't need a manager, just fix it.", "", ""},
		{"Please pass my thanks to your manager.", "", ""},
		{"I spoke with a manager yesterday and she said it would arrive today.", "", ""},
		{"I manage a small shop in Haifa.", "", ""},
		{"I do not want to escalate this, just tell me when it ships.", "", ""},
		{"I need to ask my account manager first.", "", ""},

		// Hebrew, asking.
		{"אני רוצה לדבר עם מנהל", "he.manager", "רוצה לדבר עם מנהל"},
		{"תעביר אותי למנהל", "he.manager", "תעביר אותי למנהל"},
		{"תן לי את האחראי", "he.manager", "תן לי את האחראי"},
		{"אני דורש לדבר עם מנהל המשמרת!", "he.manager", "דורש לדבר עם מנהל המשמרת"},
		{"מי האחראי שם?", "he.manager", "מי האחראי"},
		{"אני רוצה להסלים את הפנייה", "he.escalate", "רוצה להסלים את הפנייה"},
		{"תעבירו אותי לממונה", "he.manager", "תעבירו אותי לממונה"},
		{"אפשר לדבר עם המנהלת?", "he.manager", "אפשר לדבר עם המנהלת"},
		{"תני לי את האחראית בבקשה", "he.manager", "תני לי את האחראית"},
		{"אני רוצה שהמנהל יתקשר אליי היום", "he.manager", "רוצה שהמנהל"},
		{"אני לא מרוצה ואני רוצה לדבר עם מנהל", "he.manager", "רוצה לדבר עם מנהל"},
		{"נמאס לי, תעבירו אותי כבר למנהל", "he.manager", "תעבירו אותי כבר למנהל"},
		{"תעבירו את זה לדרג גבוה יותר", "he.escalate", "תעבירו את זה לדרג גבוה יותר"},
		{"רציתי לדבר עם מישהו בכיר", "he.manager", "רציתי לדבר עם מישהו בכיר"},
		{"מנהל בבקשה", "he.manager", "מנהל בבקשה"},
		{"אֲנִי רוֹצֶה לְדַבֵּר עִם מְנַהֵל", "he.manager", "רוֹצֶה לְדַבֵּר עִם מְנַהֵל"},
		{"תסלימו את זה", "he.escalate", "תסלימו את זה"},

		// Hebrew, not asking.
		{"המנהל שלי ביקש שאפנה אליכם", "", ""},
		{"אני מנהל חשבונות ואני צריך חשבונית מס", "", ""},
		{"לא צריך מנהל, רק תתקנו", "", ""},
		{"המנהלת שלכם עזרה לי מאוד, תודה", "", ""},
		{"תמסרו תודה למנהל הסניף על השירות", "", ""},
		{"אתמול דיברתי עם מנהל והוא הבטיח החזר", "", ""},
		{"היא מנהלת את החשבון של החברה", "", ""},
		{"אני לא רוצה להסלים את זה, רק לקבל תשובה", "", ""},
		{"אתם אחראים לנזק שנגרם", "", ""},
		{"בברכה, דנה כהן, מנהלת תיקי לקוחות", "", ""},
		{"המצב הסלים מאז שפניתי", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		m, ok := ManagerRequest(tt.in)
		if ok != (tt.rule != "") {
			t.Errorf("ManagerRequest(%q) = %+v, %v; want a match: %v", tt.in, m, ok, tt.rule != "")
			continue
		}
		if !ok {
			continue
		}
		want := Match{Rule: tt.rule, Text: tt.text, Start: m.Start, End: m.End}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Errorf("ManagerRequest(%q) (-want +got):\n%s", tt.in, diff)
		}
		if tt.in[m.Start:m.End] != m.Text {
			t.Errorf("ManagerRequest(%q): text[%d:%d] = %q, not %q", tt.in, m.Start, m.End, tt.in[m.Start:m.End], m.Text)
		}
	}
}
