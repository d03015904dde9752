package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// TestCallPages: a phone conversation shows its call (direction, times,
// answer time against the target, recording), and the caller's page has
// the call on the timeline.
func TestCallPages(t *testing.T) {
	f := newFixture(t)
	at := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	var call *kesher.Call
	for _, r := range []desk.CallReport{
		{Type: kesher.CallRinging, At: at},
		{Type: kesher.CallAnswered, At: at.Add(27 * time.Second), AgentID: f.agent.ID},
		{Type: kesher.CallEnded, At: at.Add(4 * time.Minute), RecordingURL: "https://pbx.example.co.il/rec/77.mp3"},
	} {
		r.CallID, r.From, r.To, r.Queue = "pbx-77", "054-765-4321", "03-1234567", "מכירות"
		var err error
		if call, err = f.desk.RecordCallEvent(f.system, r); err != nil {
			t.Fatal(err)
		}
	}
	he := i18n.New("he", nil)
	c := f.signedIn(t, f.agent)
	res, body := c.get("/conversations/" + call.ConversationID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("conversation page: %d", res.StatusCode)
	}
	for _, want := range []string{`data-call-state="completed"`, `data-answer-seconds="27"`, he.T("call.card.late"), he.N("call.card.target", 20),
		`href="https://pbx.example.co.il/rec/77.mp3"`, "972547654321", "דנה כהן", he.T("call.direction.inbound")} {
		if !strings.Contains(body, want) {
			t.Errorf("conversation page lacks %q", want)
		}
	}
	conv, err := f.desk.Conversation(f.system, call.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	res, body = c.get("/customers/" + conv.CustomerID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("customer page: %d", res.StatusCode)
	}
	for _, want := range []string{he.T("event.call.answered"), he.T("event.call.ended"), "972547654321"} {
		if !strings.Contains(body, want) {
			t.Errorf("customer page lacks %q", want)
		}
	}
}
