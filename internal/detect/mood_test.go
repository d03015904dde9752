package detect

import (
	"strings"
	"testing"
)

func TestReadMood(t *testing.T) {
	tests := []struct {
		in                string
		angry, distressed bool
		abusive, threat   bool
		positive          bool
		rule              string // a rule that must fire, or ""
	}{
		{"לא מרוצה מהשירות", true, false, false, false, false, "he.negated"},
		{"לא רע בכלל", false, false, false, false, true, "he.positive"},
		{"not happy with the service", true, false, false, false, false, "en.negated"},
		{"not bad", false, false, false, false, true, "en.positive"},
		{"מאוכזבת", false, false, false, false, false, "he.anger"},
		{"מאוכזבת מאוד", true, false, false, false, false, "he.anger"},
		{"וכשהתקשרתי הייתי ממש מאוכזב", true, false, false, false, false, "he.anger"},
		{"disappointed", false, false, false, false, false, "en.anger"},
		{"extremely disappointed", true, false, false, false, false, "en.anger"},
		{"מעולהההה", false, false, false, false, true, "he.positive"},
		{"נורא", false, false, false, false, false, "he.anger"},
		{"נוראאאא", true, false, false, false, false, "he.anger"},
		{"sooooo disappointed", true, false, false, false, false, "en.anger"},
		{"Thank you!!!", false, false, false, false, true, "en.positive"},
		{"bad service", false, false, false, false, false, "en.anger"},
		{"bad service!!", true, false, false, false, false, "en.anger"},
		{"WHERE IS MY ORDER", true, false, false, false, false, "en.shout"},
		{"אני עוזב אתכם", true, false, false, true, false, "he.threat"},
		{"אפנה לעורך דין", true, false, false, true, false, "he.threat"},
		{"אתלונן ברשות להגנת הצרכן", true, false, false, true, false, "he.threat"},
		{"I'll cancel and go to consumer protection", true, false, false, true, false, "en.threat"},
		{"I want to cancel my order", false, false, false, false, false, ""},
		{"אני לא יודעת מה לעשות", false, true, false, false, false, "he.distress"},
		{"desperate, need urgent help", false, true, false, false, false, "en.distress"},
		{"לא דחוף", false, false, false, false, false, ""},
		{"not urgent", false, false, false, false, false, ""},
		{"אתה מטומטם", true, false, true, false, false, "he.abuse"},
		{"האתר המטומטם הזה לא עובד", true, false, false, false, false, "he.anger"},
		{"הוא אמר לי \"מטומטם\"", false, false, false, false, false, "he.reported"},
		{"you idiot", true, false, true, false, false, "en.abuse"},
		{"he called me an idiot", false, false, false, false, false, "en.reported"},
		{"השירות ה\"מעולה\" שלכם", true, false, false, false, false, "he.sarcasm"},
		{"thanks for nothing", true, false, false, false, false, "en.sarcasm"},
		{"עלה 100 ש\"ח", false, false, false, false, false, ""},
		{"הכיור סתום", false, false, false, false, false, ""},
		{"", false, false, false, false, false, ""},
	}
	for _, tt := range tests {
		m := ReadMood(tt.in)
		if m.Angry() != tt.angry || m.Distressed() != tt.distressed || m.Abusive != tt.abusive || m.Threat != tt.threat || (m.Positive > 0) != tt.positive {
			t.Errorf("ReadMood(%q) = angry %v, distressed %v, abusive %v, threat %v, positive %v; want %v, %v, %v, %v, %v; cues %v",
				tt.in, m.Angry(), m.Distressed(), m.Abusive, m.Threat, m.Positive > 0, tt.angry, tt.distressed, tt.abusive, tt.threat, tt.positive, rules(m))
		}
		if tt.rule != "" && !strings.Contains(strings.Join(rules(m), " "), tt.rule+" ") {
			t.Errorf("ReadMood(%q): no %s in %v", tt.in, tt.rule, rules(m))
		}
		for _, c := range m.Cues {
			if tt.in[c.Start:c.End] != c.Text {
				t.Errorf("ReadMood(%q): cue %q at %d:%d", tt.in, c.Text, c.Start, c.End)
			}
		}
	}
}
