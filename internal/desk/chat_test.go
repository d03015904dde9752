package desk_test

import (
	"context"
	"fmt"
	"testing"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func TestChat(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *portalFixture)
		}{
			{"a visitor is a chat identity and comes back by their secret", testChatVisitor},
			{"a message sent again is stored once", testChatDedupe},
			{"an address of another customer's joins only once proved", testChatVerifiedJoin},
			{"replies go by email when the visitor asked", testChatEmailReplies},
			{"assignment keeps to the chat limit", testChatLimit},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newPortalFixture(t, open(t))) })
		}
	})
}

func visit(t *testing.T, f *portalFixture) (string, *kesher.ChatVisitor) {
	t.Helper()
	token, v, err := f.desk.Visit(f.system, desk.ChatVisit{Language: "he"})
	if err != nil || token == "" {
		t.Fatalf("Visit = %q, %v", token, err)
	}
	return token, v
}

func chatSend(t *testing.T, f *portalFixture, visitorID, clientID, text string) *kesher.Message {
	t.Helper()
	m, err := f.desk.ChatSend(f.system, visitorID, desk.ChatMessage{ClientID: clientID, Text: text})
	if err != nil {
		t.Fatalf("ChatSend(%s): %v", text, err)
	}
	return m
}

func historyTexts(t *testing.T, f *portalFixture, visitorID, after string) []string {
	t.Helper()
	ms, err := f.desk.ChatHistory(f.system, visitorID, after)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, string(m.Direction)+":"+m.BodyText)
	}
	return out
}

func testChatVisitor(t *testing.T, f *portalFixture) {
	token, v := visit(t, f)
	again, same, err := f.desk.Visit(f.system, desk.ChatVisit{Token: token})
	if err != nil || again != "" || same.ID != v.ID {
		t.Fatalf("Visit(kept secret) = %q, %v, %v; want the same visitor", again, same, err)
	}
	if fresh, other, err := f.desk.Visit(f.system, desk.ChatVisit{Token: desk.ChatTokenPrefix + "forged"}); err != nil || fresh == "" || other.ID == v.ID {
		t.Fatalf("Visit(unknown secret) = %q, %v, %v; want a new visitor", fresh, other, err)
	}
	m := chatSend(t, f, v.ID, "c1", "שלום, יש לי שאלה על ההזמנה")
	conv, err := f.desk.Conversation(f.asAgent, m.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Channel != kesher.ChannelChat || m.Direction != kesher.Inbound {
		t.Fatalf("conversation on %s, message %s; want an inbound chat", conv.Channel, m.Direction)
	}
	cust := f.customer(t, conv.CustomerID)
	if len(cust.Identities) != 1 || cust.Identities[0].Kind != kesher.IdentityChat || cust.Identities[0].Value != v.ID {
		t.Fatalf("identities = %+v; want the visitor's chat identity", cust.Identities)
	}
	// The second message goes into the same chat; an agent's reply and a
	// note follow, and the visitor sees all but the note.
	chatSend(t, f, v.ID, "c2", "מספר הזמנה 4411")
	reply, err := f.desk.AddMessage(f.asAgent, conv.ID, desk.NewMessage{BodyText: "בודקת מיד"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.AddMessage(f.asAgent, conv.ID, desk.NewMessage{Direction: kesher.Note, BodyText: "לקוחה ותיקה"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"inbound:שלום, יש לי שאלה על ההזמנה", "inbound:מספר הזמנה 4411", "outbound:בודקת מיד"}
	if got := historyTexts(t, f, v.ID, ""); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("history = %q, want %q", got, want)
	}
	if got := historyTexts(t, f, v.ID, m.ID); fmt.Sprint(got) != fmt.Sprint(want[1:]) {
		t.Fatalf("history after the first = %q, want %q", got, want[1:])
	}
	if got, err := f.desk.VisitorMessage(f.system, v.ID, reply.ID); err != nil || got.BodyText != "בודקת מיד" {
		t.Fatalf("VisitorMessage(reply) = %v, %v", got, err)
	}
	// Another visitor reaches none of it.
	_, stranger := visit(t, f)
	if _, err := f.desk.VisitorMessage(f.system, stranger.ID, reply.ID); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Fatalf("a stranger's VisitorMessage: %v, want not_found", err)
	}
	if err := f.desk.SignalChat(f.system, stranger.ID, desk.ChatSignal{Type: kesher.EventChatTyping, ConversationID: conv.ID}); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Fatalf("a stranger's typing in another chat: %v, want not_found", err)
	}
	if got := historyTexts(t, f, stranger.ID, ""); len(got) != 0 {
		t.Fatalf("a stranger's history = %q, want none", got)
	}
}

func testChatDedupe(t *testing.T, f *portalFixture) {
	_, v := visit(t, f)
	first := chatSend(t, f, v.ID, "m-1", "האם יש משלוח לאילת?")
	// The widget lost the acknowledgement and sends the message again.
	again := chatSend(t, f, v.ID, "m-1", "האם יש משלוח לאילת?")
	if again.ID != first.ID {
		t.Fatalf("resent message stored as %s, want the first %s", again.ID, first.ID)
	}
	// Another visitor may use the same widget id.
	_, w := visit(t, f)
	if other := chatSend(t, f, w.ID, "m-1", "שאלה אחרת"); other.ID == first.ID {
		t.Fatal("another visitor's message was taken for the first visitor's")
	}
	if got := historyTexts(t, f, v.ID, ""); len(got) != 1 {
		t.Fatalf("history = %q, want one message", got)
	}
	for _, bad := range []desk.ChatMessage{{Text: "no id"}, {ClientID: "x"}, {ClientID: string(make([]byte, 65)), Text: "x"}} {
		if _, err := f.desk.ChatSend(f.system, v.ID, bad); kesher.ErrorCode(err) != kesher.ECodeValidation {
			t.Errorf("ChatSend(%+v): %v, want validation_failed", bad, err)
		}
	}
}

// chatLink issues the link of the newest pending proof, as its email job
// would.
func chatLink(t *testing.T, f *portalFixture) string {
	t.Helper()
	ids := f.proofJobs(t)
	if len(ids) == 0 {
		t.Fatal("no proof email was enqueued")
	}
	out, err := f.desk.IssueEmailProof(f.system, ids[len(ids)-1])
	if err != nil {
		t.Fatal(err)
	}
	return out.Token
}

func testChatVerifiedJoin(t *testing.T, f *portalFixture) {
	_, v := visit(t, f)
	m := chatSend(t, f, v.ID, "1", "אני נועה, מה עם החבילה?")
	proof, err := f.desk.ChatIdentify(f.system, v.ID, desk.ChatContact{Name: "נועה", Email: "NOA@example.com", Client: "192.0.2.9"})
	if err != nil || !proof {
		t.Fatalf("ChatIdentify(Noa's address) = %v, %v; want a proof", proof, err)
	}
	// Unproved, the visitor sees only their chat, and Noa's story does
	// not hold the visitor's chat.
	if got := historyTexts(t, f, v.ID, ""); len(got) != 1 || got[0] != "inbound:אני נועה, מה עם החבילה?" {
		t.Fatalf("unverified history = %q", got)
	}
	if _, err := f.desk.VisitorMessage(f.system, v.ID, f.noaConv.ID); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Fatalf("VisitorMessage(Noa's conversation id): %v", err)
	}
	conv, _ := f.desk.Conversation(f.asAgent, m.ConversationID)
	if conv.CustomerID == f.noa.ID {
		t.Fatal("the chat joined Noa before the address was proved")
	}
	if _, err := f.desk.ChatVerify(f.system, "kpl_forged"); kesher.ErrorCode(err) != kesher.ECodeUnauthorized {
		t.Fatalf("ChatVerify(forged): %v", err)
	}
	chatToken := chatLink(t, f)
	// A portal link does not join a chat.
	if _, err := f.desk.ChatVerify(f.system, f.link(t, "noa@example.com")); kesher.ErrorCode(err) != kesher.ECodeUnauthorized {
		t.Fatalf("ChatVerify(portal link): %v", err)
	}
	joined, err := f.desk.ChatVerify(f.system, chatToken)
	if err != nil || joined.ID != f.noa.ID {
		t.Fatalf("ChatVerify = %v, %v; want Noa", joined, err)
	}
	conv, _ = f.desk.Conversation(f.asAgent, m.ConversationID)
	if conv.CustomerID != f.noa.ID {
		t.Fatalf("the chat belongs to %s after the proof, want Noa", conv.CustomerID)
	}
	// The visitor still sees only the chat: joining gives the agent one
	// story, not the visitor the customer's history.
	if got := historyTexts(t, f, v.ID, ""); len(got) != 1 {
		t.Fatalf("verified history = %q", got)
	}
	// A new address of nobody's is the visitor's at once.
	_, w := visit(t, f)
	if proof, err := f.desk.ChatIdentify(f.system, w.ID, desk.ChatContact{Email: "new@example.com"}); err != nil || proof {
		t.Fatalf("ChatIdentify(new address) = %v, %v; want no proof", proof, err)
	}
	wm := chatSend(t, f, w.ID, "1", "hello")
	wc, _ := f.desk.Conversation(f.asAgent, wm.ConversationID)
	if c := f.customer(t, wc.CustomerID); len(c.Identities) != 2 {
		t.Fatalf("identities = %+v; want chat and email", c.Identities)
	}
}

func testChatEmailReplies(t *testing.T, f *portalFixture) {
	_, v := visit(t, f)
	if _, err := f.desk.ChatIdentify(f.system, v.ID, desk.ChatContact{Name: "יוסי", Email: "yossi@example.com", EmailReplies: true}); err != nil {
		t.Fatal(err)
	}
	m := chatSend(t, f, v.ID, "1", "אין אף אחד? אשמח לתשובה במייל")
	reply, err := f.desk.AddMessage(f.asAgent, m.ConversationID, desk.NewMessage{BodyText: "שלום יוסי, ההזמנה נשלחה היום"})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Delivery != kesher.DeliveryQueued || reply.Email == nil || reply.Email.To[0].Email != "yossi@example.com" {
		t.Fatalf("reply delivery %q, email %+v; want queued to yossi@example.com", reply.Delivery, reply.Email)
	}
	// Without the request, a chat reply stays in the chat.
	_, w := visit(t, f)
	wm := chatSend(t, f, w.ID, "1", "שאלה")
	if r, err := f.desk.AddMessage(f.asAgent, wm.ConversationID, desk.NewMessage{BodyText: "תשובה"}); err != nil || r.Email != nil {
		t.Fatalf("plain chat reply = %+v, %v; want no email", r, err)
	}
}

func testChatLimit(t *testing.T, f *portalFixture) {
	f.desk = desk.New(desk.Config{Store: f.store, Clock: f.clock, Chat: desk.ChatConfig{Limit: 2}})
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "צ'אט", MemberIDs: []string{f.agent.ID}, LeadID: f.lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.SaveAssignmentRule(f.asAdmin, "", kesher.AssignmentRule{Name: "צ'אט", TeamID: team.ID,
		Strategy: kesher.LeastLoaded, Channels: []kesher.Channel{kesher.ChannelChat}, Active: true}); err != nil {
		t.Fatal(err)
	}
	f.online(t, f.agent)
	var owners []string
	for i := range 3 {
		_, v := visit(t, f)
		m := chatSend(t, f, v.ID, "1", fmt.Sprintf("שאלה %d", i))
		c, _ := f.desk.Conversation(f.asAgent, m.ConversationID)
		owners = append(owners, c.OwnerID)
	}
	want := []string{f.agent.ID, f.agent.ID, f.lead.ID}
	if fmt.Sprint(owners) != fmt.Sprint(want) {
		t.Fatalf("owners = %v, want the agent twice and then the lead (the queue)", owners)
	}
	online, err := f.desk.AgentsOnline(context.Background())
	if err != nil || !online {
		t.Fatalf("AgentsOnline = %v, %v", online, err)
	}
}
