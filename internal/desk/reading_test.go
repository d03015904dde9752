package desk_test

import (
	"testing"

	"kesher"
	"kesher/internal/desk"
)

func TestSuggestReason(t *testing.T) {
	reasons := []*kesher.Reason{
		{Code: "invoice_request", Name: "בקשת חשבונית", Source: kesher.SourceBilling, Active: true},
		{Code: "late_delivery", Name: "Late delivery", Source: kesher.SourceDelivery, Active: true},
		{Code: "return_policy", Name: "Returns", Source: kesher.SourceStore, Active: false},
	}
	inbound := func(text string) *kesher.Message { return &kesher.Message{Direction: kesher.Inbound, BodyText: text} }
	outbound := func(text string) *kesher.Message { return &kesher.Message{Direction: kesher.Outbound, BodyText: text} }
	for _, tc := range []struct {
		name       string
		conv       kesher.Conversation
		msgs       []*kesher.Message
		want, word string
	}{
		{"Hebrew, with a prefix", kesher.Conversation{Subject: "שאלה"}, []*kesher.Message{inbound("לא קיבלתי את החשבונית על ההזמנה")}, "invoice_request", "החשבונית"},
		{"from the subject", kesher.Conversation{Subject: "Where is my order? It is late"}, nil, "late_delivery", ""},
		{"a reason already set", kesher.Conversation{Subject: "חשבונית", Reason: "late_delivery"}, nil, "", ""},
		{"only the customer's words count", kesher.Conversation{Subject: "שלום"}, []*kesher.Message{outbound("שלחתי לך חשבונית")}, "", ""},
		{"an inactive reason is never suggested", kesher.Conversation{Subject: "I want to return it"}, []*kesher.Message{inbound("what is your return policy?")}, "", ""},
		{"nothing to go on", kesher.Conversation{Subject: "שלום"}, []*kesher.Message{inbound("תודה רבה")}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := desk.SuggestReason(&tc.conv, tc.msgs, reasons)
			switch {
			case tc.want == "" && got != nil:
				t.Fatalf("suggested %s (%q); want none", got.Reason.Code, got.Phrase)
			case tc.want == "":
			case got == nil:
				t.Fatalf("no suggestion; want %s", tc.want)
			case got.Reason.Code != tc.want || got.Phrase == "" || tc.word != "" && got.Phrase != tc.word:
				t.Fatalf("suggested %s because of %q; want %s because of %q", got.Reason.Code, got.Phrase, tc.want, tc.word)
			}
		})
	}
}

func TestCustomerMood(t *testing.T) {
	in := func(text string) *kesher.Message { return &kesher.Message{Direction: kesher.Inbound, BodyText: text} }
	out := func(text string) *kesher.Message { return &kesher.Message{Direction: kesher.Outbound, BodyText: text} }
	for _, tc := range []struct {
		name                      string
		msgs                      []*kesher.Message
		angry, distressed, threat bool
	}{
		{"calm", []*kesher.Message{in("שלום, רציתי לשאול על ההזמנה")}, false, false, false},
		{"angry, with a threat", []*kesher.Message{in("אני ממש לא מרוצה, אפנה לעורך דין")}, true, false, true},
		{"distressed", []*kesher.Message{in("I'm desperate, I don't know what to do, please help urgently")}, false, true, false},
		{"only the latest inbound counts", []*kesher.Message{in("I am furious!!"), out("Sorry, fixed it"), in("Thank you, all good now")}, false, false, false},
		{"an agent's words are not the customer's", []*kesher.Message{in("שלום"), out("אני לא מרוצה מהמצב")}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := desk.CustomerMood(tc.msgs)
			calm := !tc.angry && !tc.distressed && !tc.threat
			switch {
			case calm && got != nil:
				t.Fatalf("flagged %+v; want calm", *got)
			case calm:
			case got == nil:
				t.Fatal("not flagged")
			case got.Angry != tc.angry || got.Distressed != tc.distressed || got.Threat != tc.threat || len(got.Phrases) == 0:
				t.Fatalf("got %+v; want angry %v, distressed %v, threat %v, with phrases", *got, tc.angry, tc.distressed, tc.threat)
			}
		})
	}
}
