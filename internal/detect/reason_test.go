package detect

import (
	"fmt"
	"path/filepath"
	"testing"

	"kesher/internal/testkit/report"
)

func TestSuggestReason(t *testing.T) {
	rules := DefaultReasonRules()
	tests := []struct{ in, code, why string }{
		{"חויבתי פעמיים על אותה הזמנה", "double_charge", "חויבתי פעמיים"},
		{"והחיוב הכפול עוד לא בוטל", "double_charge", "והחיוב הכפול"},
		{"I was charged twice", "double_charge", "charged twice"},
		{"כשהמשלוח יגיע?", "late_delivery", "כשהמשלוח"},
		{"My parcel hasn't arrived", "late_delivery", "hasn't arrived"},
		{"המכשיר הגיע שבורררר", "defective_product", "שבורררר"},
		{"Please send a tax invoice", "invoice_request", "tax invoice"},
		{"שלום, תודה רבה", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		code, why, ok := SuggestReason(tt.in, rules)
		if code != tt.code || ok != (tt.code != "") || why.Text != tt.why {
			t.Errorf("SuggestReason(%q) = %q, %q, %v; want %q, %q", tt.in, code, why.Text, ok, tt.code, tt.why)
		}
		if ok && (why.Rule != code || tt.in[why.Start:why.End] != why.Text) {
			t.Errorf("SuggestReason(%q): why %+v", tt.in, why)
		}
	}
}

// TestSuggestReasonEval measures the default rules on labelled sets of
// messages: labelled.txt was written before the rules but in view of them
// while they were written, holdout.txt after them and not tuned on. "-"
// means no reason should be suggested.
func TestSuggestReasonEval(t *testing.T) {
	rules := DefaultReasonRules()
	floors := map[string]float64{"labelled.txt": 0.95, "holdout.txt": 0.5}
	out := "# Contact reason suggestion\n\nThe default rules on testdata/reason:\n\n"
	for _, file := range []string{"labelled.txt", "holdout.txt"} {
		set := readLabelled(t, filepath.Join("testdata", "reason", file))
		right, suggested, wrongly := 0, 0, 0
		for _, m := range set {
			code, why, ok := SuggestReason(m.text, rules)
			if ok {
				suggested++
			} else {
				code = "-"
			}
			if ok && !m.labels[code] {
				wrongly++
			}
			if m.labels[code] {
				right++
			} else {
				out += fmt.Sprintf("- %s, wrong: %q suggested %s (%q)\n", file, m.text, code, why.Text)
			}
		}
		acc := ratio(right, len(set))
		out += fmt.Sprintf("- %s: %d of %d right, accuracy %.2f; %d suggestions, %d of them wrong\n",
			file, right, len(set), acc, suggested, wrongly)
		if acc < floors[file] {
			t.Errorf("%s: accuracy %.2f under the floor of %.2f", file, acc, floors[file])
		}
	}
	t.Log("\n" + out)
	report.Write(t, "reason-eval.md", out)
}
