package desk_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// fixture is a desk on a real database with a fake clock and one user of
// each role.
type fixture struct {
	desk               *desk.Desk
	store              kesher.Store
	clock              *testkit.Clock
	admin, lead, agent *kesher.User
	agent2             *kesher.User
	asAdmin, asLead    context.Context
	asAgent, asAgent2  context.Context
}

func newFixture(t *testing.T, st kesher.Store) *fixture {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	d := desk.New(desk.Config{Store: st, Clock: clock})
	f := &fixture{desk: d, store: st, clock: clock}
	ctx := context.Background()
	mk := func(email, name string, role kesher.Role) *kesher.User {
		u, err := d.CreateUser(ctx, desk.NewUser{Email: email, Name: name, Role: role})
		if err != nil {
			t.Fatalf("CreateUser(%s): %v", email, err)
		}
		return u
	}
	f.admin = mk("admin@example.com", "מנהלת", kesher.RoleAdmin)
	f.lead = mk("lead@example.com", "ראש צוות", kesher.RoleLead)
	f.agent = mk("agent@example.com", "נציג", kesher.RoleAgent)
	f.agent2 = mk("agent2@example.com", "Second Agent", kesher.RoleAgent)
	f.asAdmin = kesher.WithActor(ctx, f.admin)
	f.asLead = kesher.WithActor(ctx, f.lead)
	f.asAgent = kesher.WithActor(ctx, f.agent)
	f.asAgent2 = kesher.WithActor(ctx, f.agent2)
	return f
}

func (f *fixture) open(t *testing.T, ref desk.CustomerRef, ch kesher.Channel, body string) *kesher.Conversation {
	t.Helper()
	c, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{Customer: ref, Channel: ch, Message: desk.NewMessage{BodyText: body}})
	if err != nil {
		t.Fatalf("CreateConversation: %v", err)
	}
	return c
}

func eventTypes(t *testing.T, f *fixture, convID string) []string {
	t.Helper()
	evs, _, err := f.desk.Events(f.asAgent, convID, kesher.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	return types
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := kesher.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func TestDesk(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *fixture)
		}{
			{"intake finds the customer by any identity", testIntakeIdentities},
			{"intake validates and changes nothing", testIntakeValidation},
			{"hand-off needs a briefing", testHandoff},
			{"who may change the owner", testOwnerRights},
			{"messages move status and ownership", testMessages},
			{"merge joins the customer's story", testMerge},
			{"backdating is for admins", testBackdating},
			{"concurrent intake makes one customer", testConcurrentIntake},
			{"admin operations", testAdmin},
			{"remembered tokens follow user changes", testTokenCache},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newFixture(t, open(t))) })
		}
	})
}

func testIntakeIdentities(t *testing.T, f *fixture) {
	c1 := f.open(t, desk.CustomerRef{Email: "Dana.Cohen@Example.com", Name: "דנה כהן"}, kesher.ChannelEmail, "ההזמנה שלי לא הגיעה")
	if c1.Number < 1 || c1.Status != kesher.StatusOpen || c1.Subject != "ההזמנה שלי לא הגיעה" {
		t.Fatalf("new conversation = %+v", c1)
	}
	// Same person, other case, now also giving an Israeli phone in local form.
	c2 := f.open(t, desk.CustomerRef{Email: "dana.cohen@example.com", Phone: "050-123-4567"}, kesher.ChannelPhone, "מתקשרת שוב")
	if c2.CustomerID != c1.CustomerID {
		t.Fatalf("second conversation went to customer %s, want %s", c2.CustomerID, c1.CustomerID)
	}
	if c2.Number != c1.Number+1 {
		t.Errorf("numbers %d then %d, want consecutive", c1.Number, c2.Number)
	}
	// The phone was added to her, so the E.164 form finds her too.
	c3 := f.open(t, desk.CustomerRef{WhatsApp: "+972501234567"}, kesher.ChannelWhatsApp, "hi")
	cust, err := f.store.CustomerByIdentity(context.Background(), kesher.IdentityPhone, "+972501234567")
	if err != nil || cust.ID != c1.CustomerID {
		t.Fatalf("lookup by normalised phone = %v, %v", cust, err)
	}
	if c3.CustomerID == c1.CustomerID {
		t.Error("a WhatsApp identity matched a phone identity; they are separate kinds until a channel links them")
	}
	want := []string{kesher.EventConversationCreated, kesher.EventMessageAdded}
	if got := eventTypes(t, f, c2.ID); !slices.Equal(got, want) {
		t.Errorf("events of the second conversation = %v, want %v", got, want)
	}
}

func testIntakeValidation(t *testing.T, f *fixture) {
	_, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{
		Customer: desk.CustomerRef{Email: "not-an-email", Phone: "12"}, Channel: "fax", Priority: "whenever",
		Message: desk.NewMessage{BodyText: " "},
	})
	wantCode(t, err, kesher.ECodeValidation)
	fields := err.(*kesher.Error).Fields
	for _, f := range []string{"customer.email", "customer.phone", "customer", "channel", "priority", "message.body_text"} {
		if fields[f] == "" {
			t.Errorf("validation error does not name %q: %v", f, fields)
		}
	}
	_, _, err = f.desk.CreateConversation(f.asAgent, desk.NewConversation{
		Customer: desk.CustomerRef{Email: "ok@example.com"}, Channel: kesher.ChannelEmail, OwnerID: "nobody", Reason: "no_such_reason",
		Message: desk.NewMessage{BodyText: "x"},
	})
	wantCode(t, err, kesher.ECodeValidation)
	if _, err := f.store.CustomerByIdentity(context.Background(), kesher.IdentityEmail, "ok@example.com"); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("a refused conversation left its customer behind: %v", err)
	}
}

func testHandoff(t *testing.T, f *fixture) {
	c := f.open(t, desk.CustomerRef{Email: "a@example.com"}, kesher.ChannelEmail, "help")
	c, err := f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{OwnerID: ptr(f.agent.ID)})
	if err != nil || c.OwnerID != f.agent.ID || c.HandoffCount != 0 {
		t.Fatalf("taking an unowned conversation: %+v, %v", c, err)
	}
	before := eventTypes(t, f, c.ID)
	_, err = f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{OwnerID: ptr(f.agent2.ID), Priority: ptr(kesher.PriorityHigh)})
	wantCode(t, err, kesher.ECodeValidation)
	if err.(*kesher.Error).Fields["briefing"] != "required" {
		t.Errorf("fields = %v, want briefing required", err.(*kesher.Error).Fields)
	}
	got, _ := f.store.Conversation(context.Background(), c.ID)
	if got.OwnerID != f.agent.ID || got.Priority != kesher.PriorityNormal || len(eventTypes(t, f, c.ID)) != len(before) {
		t.Fatalf("a refused hand-off changed the conversation: %+v", got)
	}
	for i, to := range []*kesher.User{f.agent2, f.agent, f.agent2} {
		actor := kesher.WithActor(context.Background(), map[bool]*kesher.User{true: f.agent, false: f.agent2}[i%2 == 0])
		got, err = f.desk.UpdateConversation(actor, c.ID, kesher.ConversationUpdate{OwnerID: ptr(to.ID), Briefing: "הלקוחה מחכה להחזר על חיוב כפול; הבטחתי תשובה עד מחר"})
		if err != nil {
			t.Fatalf("hand-off %d: %v", i+1, err)
		}
		if got.HandoffCount != i+1 || got.OwnerID != to.ID {
			t.Fatalf("after hand-off %d: owner %s count %d", i+1, got.OwnerID, got.HandoffCount)
		}
	}
	// A solved conversation changes hands without a briefing and is no hand-off.
	solved := kesher.StatusSolved
	if _, err := f.desk.UpdateConversation(f.asLead, c.ID, kesher.ConversationUpdate{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	got, err = f.desk.UpdateConversation(f.asLead, c.ID, kesher.ConversationUpdate{OwnerID: ptr(f.lead.ID)})
	if err != nil || got.HandoffCount != 3 || got.SolvedAt.IsZero() {
		t.Fatalf("reassigning a solved conversation: %+v, %v", got, err)
	}
}

func testOwnerRights(t *testing.T, f *fixture) {
	c := f.open(t, desk.CustomerRef{Email: "b@example.com"}, kesher.ChannelChat, "hello")
	if _, err := f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{OwnerID: ptr(f.agent2.ID)}); kesher.ErrorCode(err) != kesher.ECodeForbidden {
		t.Errorf("an agent assigned an unowned conversation to someone else: %v", err)
	}
	if _, err := f.desk.UpdateConversation(f.asAgent2, c.ID, kesher.ConversationUpdate{OwnerID: ptr(f.agent2.ID)}); err != nil {
		t.Fatalf("an agent could not take an unowned conversation: %v", err)
	}
	_, err := f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{OwnerID: ptr(f.agent.ID), Briefing: "taking it"})
	wantCode(t, err, kesher.ECodeForbidden)
	got, err := f.desk.UpdateConversation(f.asLead, c.ID, kesher.ConversationUpdate{OwnerID: ptr(f.agent.ID), Briefing: "נועה בחופשה, דני ממשיך"})
	if err != nil || got.OwnerID != f.agent.ID || got.HandoffCount != 1 {
		t.Fatalf("a lead's reassignment: %+v, %v", got, err)
	}
}

func testMessages(t *testing.T, f *fixture) {
	c := f.open(t, desk.CustomerRef{Phone: "03-6123456"}, kesher.ChannelPhone, "שיחה נכנסת")
	f.clock.Advance(time.Minute)
	m, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{BodyText: "Thanks, we're on it", BodyHTML: `<p onclick="x()">Thanks<script>alert(1)</script></p>`})
	if err != nil {
		t.Fatal(err)
	}
	if m.Direction != kesher.Outbound || m.AuthorType != kesher.AuthorAgent || m.AuthorID != f.agent.ID || m.BodyHTML != "<p>Thanks</p>" {
		t.Errorf("reply = %+v", m)
	}
	got, _ := f.store.Conversation(context.Background(), c.ID)
	if got.OwnerID != f.agent.ID || got.MessageCount != 2 || got.Excerpt != "Thanks, we're on it" {
		t.Errorf("after the first reply: owner %q count %d excerpt %q", got.OwnerID, got.MessageCount, got.Excerpt)
	}
	if _, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Direction: kesher.Note, BodyText: "פנימי"}); err != nil {
		t.Fatal(err)
	}
	solved := kesher.StatusSolved
	if _, err := f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Direction: kesher.Inbound, BodyText: "זה עדיין לא עובד"}); err != nil {
		t.Fatal(err)
	}
	got, _ = f.store.Conversation(context.Background(), c.ID)
	if got.Status != kesher.StatusOpen || !got.SolvedAt.IsZero() || got.Excerpt != "זה עדיין לא עובד" {
		t.Errorf("a customer message did not reopen the conversation: %+v", got)
	}
	msgs, _, err := f.desk.Messages(f.asAgent, c.ID, kesher.Page{})
	if err != nil || len(msgs) != 4 || msgs[2].Direction != kesher.Note {
		t.Fatalf("thread = %d messages, %v", len(msgs), err)
	}
	closed := kesher.StatusClosed
	if _, err := f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{Status: &closed}); err != nil {
		t.Fatal(err)
	}
	_, err = f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{BodyText: "late reply"})
	wantCode(t, err, kesher.ECodeConflict)
}

func testMerge(t *testing.T, f *fixture) {
	a := f.open(t, desk.CustomerRef{Email: "yossi@example.com", Name: "יוסי"}, kesher.ChannelEmail, "email first")
	b := f.open(t, desk.CustomerRef{Telegram: "@YossiL"}, kesher.ChannelTelegram, "telegram later")
	merged, err := f.desk.MergeCustomers(f.asAgent, b.CustomerID, a.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID != a.CustomerID || len(merged.Identities) != 2 {
		t.Fatalf("merged customer = %+v", merged)
	}
	// The old id leads to the survivor, and the survivor's timeline holds both stories.
	if c, err := f.desk.Customer(f.asAgent, b.CustomerID); err != nil || c.ID != a.CustomerID {
		t.Errorf("Customer(old id) = %v, %v", c, err)
	}
	tl, _, err := f.desk.Timeline(f.asAgent, a.CustomerID, kesher.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	convs := map[string]bool{}
	var merges, messages int
	for _, e := range tl {
		if e.ConversationID != "" {
			convs[e.ConversationID] = true
		}
		switch e.Type {
		case kesher.EventCustomerMerged:
			merges++
		case kesher.EventMessageAdded:
			if e.Message == nil {
				t.Errorf("message.added event %s without its message", e.ID)
			} else {
				messages++
			}
		}
	}
	if !convs[a.ID] || !convs[b.ID] || merges != 1 || messages != 2 {
		t.Errorf("timeline: conversations %v, %d merge events, %d messages", convs, merges, messages)
	}
	_, err = f.desk.MergeCustomers(f.asAgent, b.CustomerID, a.CustomerID)
	wantCode(t, err, kesher.ECodeConflict)
}

func testBackdating(t *testing.T, f *fixture) {
	past := f.clock.Now().Add(-30 * 24 * time.Hour)
	in := desk.NewConversation{Customer: desk.CustomerRef{Email: "old@example.com"}, Channel: kesher.ChannelAPI, CreatedAt: past, Message: desk.NewMessage{BodyText: "imported", CreatedAt: past}}
	_, _, err := f.desk.CreateConversation(f.asAgent, in)
	wantCode(t, err, kesher.ECodeValidation)
	c, m, err := f.desk.CreateConversation(f.asAdmin, in)
	if err != nil || !c.CreatedAt.Equal(past) || !m.CreatedAt.Equal(past) || !c.UpdatedAt.Equal(past) {
		t.Fatalf("admin import: %+v %+v %v", c, m, err)
	}
}

func testConcurrentIntake(t *testing.T, f *fixture) {
	const n = 20
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			c, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{
				Customer: desk.CustomerRef{Email: "rush@example.com"}, Channel: kesher.ChannelWeb, Message: desk.NewMessage{BodyText: "שלום"},
			})
			errs[i] = err
			if err == nil {
				ids[i] = c.CustomerID
			}
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("concurrent requests made customers %s and %s for one email", ids[0], ids[i])
		}
	}
}

func testAdmin(t *testing.T, f *fixture) {
	_, err := f.desk.CreateUser(f.asAgent, desk.NewUser{Email: "x@example.com", Name: "X", Role: kesher.RoleAgent})
	wantCode(t, err, kesher.ECodeForbidden)
	_, err = f.desk.CreateUser(f.asAdmin, desk.NewUser{Email: "AGENT@example.com", Name: "Dup", Role: kesher.RoleAgent})
	wantCode(t, err, kesher.ECodeValidation)
	_, err = f.desk.SaveReason(f.asLead, true, desk.ReasonInput{Code: "double_charge", Name: "חיוב כפול", Source: kesher.SourceBilling})
	wantCode(t, err, kesher.ECodeForbidden)
	r, err := f.desk.SaveReason(f.asAdmin, true, desk.ReasonInput{Code: "double_charge", Name: "חיוב כפול", Source: kesher.SourceBilling})
	if err != nil || !r.Active {
		t.Fatalf("SaveReason: %+v, %v", r, err)
	}
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "חיובים", MemberIDs: []string{f.agent.ID, f.agent.ID}})
	if err != nil || len(team.MemberIDs) != 1 {
		t.Fatalf("SaveTeam: %+v, %v", team, err)
	}
	// An agent changes their own availability but not their role.
	online, admin := kesher.Online, kesher.RoleAdmin
	if u, err := f.desk.UpdateUser(f.asAgent, f.agent.ID, desk.UserUpdate{Availability: &online}); err != nil || u.Availability != kesher.Online {
		t.Fatalf("own availability: %+v, %v", u, err)
	}
	_, err = f.desk.UpdateUser(f.asAgent, f.agent.ID, desk.UserUpdate{Role: &admin})
	wantCode(t, err, kesher.ECodeForbidden)
	// Tokens authenticate until their user is deactivated.
	secret, _, err := f.desk.CreateToken(f.asAgent, f.agent.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := f.desk.Authenticate(context.Background(), secret); err != nil || u.ID != f.agent.ID {
		t.Fatalf("Authenticate = %v, %v", u, err)
	}
	off := false
	if _, err := f.desk.UpdateUser(f.asAdmin, f.agent.ID, desk.UserUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	_, err = f.desk.Authenticate(context.Background(), secret)
	wantCode(t, err, kesher.ECodeUnauthorized)
	_, err = f.desk.Authenticate(context.Background(), "ksr_forged")
	wantCode(t, err, kesher.ECodeUnauthorized)
}

// testTokenCache: a checked token is remembered, yet a change to its user
// or the user's teams shows on the next request on this node, and on
// another node sharing the database within the cache's few seconds.
func testTokenCache(t *testing.T, f *fixture) {
	secret, _, err := f.desk.CreateToken(f.asAdmin, f.agent.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	other := desk.New(desk.Config{Store: f.store, Clock: f.clock}) // a second node
	for _, d := range []*desk.Desk{f.desk, other} {
		if u, err := d.Authenticate(context.Background(), secret); err != nil || u.Role != kesher.RoleAgent {
			t.Fatalf("Authenticate = %+v, %v", u, err)
		}
	}
	// The caller may change what it gets without changing the cache.
	u, _ := f.desk.Authenticate(context.Background(), secret)
	u.Role = kesher.RoleAdmin
	if again, _ := f.desk.Authenticate(context.Background(), secret); again.Role != kesher.RoleAgent {
		t.Fatalf("a caller's change reached the cache: role %s", again.Role)
	}

	lead := kesher.RoleLead
	if _, err := f.desk.UpdateUser(f.asAdmin, f.agent.ID, desk.UserUpdate{Role: &lead}); err != nil {
		t.Fatal(err)
	}
	if u, err := f.desk.Authenticate(context.Background(), secret); err != nil || u.Role != kesher.RoleLead {
		t.Fatalf("after the role change, this node sees %+v, %v", u, err)
	}
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "משלוחים", MemberIDs: []string{f.agent.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := f.desk.Authenticate(context.Background(), secret); err != nil || !slices.Contains(u.TeamIDs, team.ID) {
		t.Fatalf("after joining a team, this node sees %+v, %v", u, err)
	}

	off := false
	if _, err := f.desk.UpdateUser(f.asAdmin, f.agent.ID, desk.UserUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	_, err = f.desk.Authenticate(context.Background(), secret)
	wantCode(t, err, kesher.ECodeUnauthorized)
	// The other node still has the agent from before, for a few seconds.
	if u, err := other.Authenticate(context.Background(), secret); err != nil || u.Role != kesher.RoleAgent {
		t.Fatalf("the other node within the cache's time = %+v, %v", u, err)
	}
	f.clock.Advance(6 * time.Second)
	_, err = other.Authenticate(context.Background(), secret)
	wantCode(t, err, kesher.ECodeUnauthorized)
}

func ptr[T any](v T) *T { return &v }
