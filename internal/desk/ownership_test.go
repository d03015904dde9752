package desk_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/store"
	"kesher/internal/testkit"
)

func TestOwnership(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *fixture)
		}{
			{"calendar-time clocks warn, breach, stop and pause", testSLACalendarTime},
			{"business-hours clocks skip the weekend", testSLABusinessHours},
			{"a priority change retargets running clocks", testSLARetarget},
			{"commitments are reminded, then alerted when missed", testCommitments},
			{"a customer asking for a manager opens an escalation", testEscalation},
			{"assignment by rules, capacity and availability", testAssignment},
			{"hand-offs alert the lead and carry the commitments", testHandoffAlert},
			{"the watchdog counts what falls between chairs", testWatchdog},
			{"agent load", testAgentLoad},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newFixture(t, open(t))) })
		}
	})
}

// policy installs the default SLA policy with the given targets.
func (f *fixture) policy(t *testing.T, targets ...kesher.SLATarget) *kesher.SLAPolicy {
	t.Helper()
	ps, err := f.desk.SLAPolicies(f.asAdmin)
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, p := range ps {
		if p.TeamID == "" {
			id = p.ID
		}
	}
	p, err := f.desk.SaveSLAPolicy(f.asAdmin, id, kesher.SLAPolicy{Name: "ברירת מחדל", Targets: targets})
	if err != nil {
		t.Fatalf("SaveSLAPolicy: %v", err)
	}
	return p
}

// fire runs the due timers and returns how many fired.
func (f *fixture) fire(t *testing.T) int {
	t.Helper()
	n, err := f.desk.FireDueTimers(context.Background())
	if err != nil {
		t.Fatalf("FireDueTimers: %v", err)
	}
	return n
}

func (f *fixture) conv(t *testing.T, id string) *kesher.Conversation {
	t.Helper()
	c, err := f.store.Conversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) say(t *testing.T, ctx context.Context, convID string, dir kesher.Direction, text string) {
	t.Helper()
	if _, err := f.desk.AddMessage(ctx, convID, desk.NewMessage{Direction: dir, BodyText: text}); err != nil {
		t.Fatalf("AddMessage(%s): %v", dir, err)
	}
}

func (f *fixture) update(t *testing.T, ctx context.Context, id string, up kesher.ConversationUpdate) *kesher.Conversation {
	t.Helper()
	c, err := f.desk.UpdateConversation(ctx, id, up)
	if err != nil {
		t.Fatalf("UpdateConversation: %v", err)
	}
	return c
}

func count(types []string, typ string) int {
	n := 0
	for _, t := range types {
		if t == typ {
			n++
		}
	}
	return n
}

func testSLACalendarTime(t *testing.T, f *fixture) {
	f.policy(t, kesher.SLATarget{Channel: kesher.ChannelPhone, FirstResponseSeconds: 20, NextResponseSeconds: 60, ResolutionSeconds: 3600})
	c := f.open(t, desk.CustomerRef{Phone: "050-1234567"}, kesher.ChannelPhone, "שלום, אני מחכה על הקו")
	created := c.CreatedAt
	first := c.SLA.Clock(kesher.SLAFirstResponse)
	if first == nil || !first.DueAt.Equal(created.Add(20*time.Second)) || !first.WarnAt.Equal(created.Add(15*time.Second)) {
		t.Fatalf("first response clock = %+v; want due +20 s, warning +15 s", first)
	}
	if c.SLA.State() != kesher.SLAOK {
		t.Fatalf("state = %q, want ok", c.SLA.State())
	}

	f.clock.Advance(14 * time.Second)
	if n := f.fire(t); n != 0 {
		t.Fatalf("%d timers fired before the warning", n)
	}
	f.clock.Advance(time.Second)
	if n := f.fire(t); n != 1 {
		t.Fatalf("%d timers fired at the warning, want 1", n)
	}
	if st := f.conv(t, c.ID).SLA.State(); st != kesher.SLAWarning {
		t.Fatalf("after 15 s state = %q, want warning", st)
	}
	f.clock.Advance(5 * time.Second)
	f.fire(t)
	got := f.conv(t, c.ID)
	if got.SLA.State() != kesher.SLABreached || !got.UpdatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("after 20 s state = %q, updated %v (was %v); want breached, activity time unchanged", got.SLA.State(), got.UpdatedAt, c.UpdatedAt)
	}
	types := eventTypes(t, f, c.ID)
	if count(types, kesher.EventSLAWarning) != 1 || count(types, kesher.EventSLABreached) != 1 {
		t.Fatalf("events = %v, want one warning and one breach", types)
	}
	if n := f.fire(t); n != 0 {
		t.Fatalf("a breached clock fired again (%d)", n)
	}

	// The reply stops the response clock; its breach no longer needs anyone.
	f.say(t, f.asAgent, c.ID, kesher.Outbound, "סליחה על ההמתנה, אני כאן")
	got = f.conv(t, c.ID)
	if fr := got.SLA.Clock(kesher.SLAFirstResponse); fr.StoppedAt.IsZero() || fr.State() != kesher.SLABreached {
		t.Fatalf("first response after the reply = %+v", fr)
	}
	if got.SLA.State() != kesher.SLAOK {
		t.Fatalf("state after the reply = %q, want ok (the resolution clock)", got.SLA.State())
	}

	// A new customer message starts the next-response clock.
	f.clock.Advance(time.Minute)
	f.say(t, f.asAgent, c.ID, kesher.Inbound, "ועוד שאלה")
	next := f.conv(t, c.ID).SLA.Clock(kesher.SLANextResponse)
	if next == nil || !next.DueAt.Equal(f.clock.Now().Add(time.Minute)) {
		t.Fatalf("next response clock = %+v, want due in a minute", next)
	}

	// Waiting on the customer pauses every clock; nothing fires meanwhile.
	spentBefore := 80 * time.Second // resolution: 20 s + 60 s so far
	f.update(t, f.asAgent, c.ID, kesher.ConversationUpdate{Status: ptr(kesher.StatusPending)})
	paused := f.conv(t, c.ID)
	if paused.SLA.State() != kesher.SLAPaused || !paused.SLA.NextTimer().IsZero() {
		t.Fatalf("pending: state %q, next timer %v; want paused, none", paused.SLA.State(), paused.SLA.NextTimer())
	}
	if res := paused.SLA.Clock(kesher.SLAResolution); res.Spent != spentBefore {
		t.Fatalf("resolution spent %v when paused, want %v", res.Spent, spentBefore)
	}
	f.clock.Advance(2 * time.Hour)
	if n := f.fire(t); n != 0 {
		t.Fatalf("%d timers fired while paused", n)
	}
	// The customer answers: the clocks resume from what they had spent.
	f.say(t, f.asAgent, c.ID, kesher.Inbound, "הנה המספר שביקשת")
	res := f.conv(t, c.ID).SLA.Clock(kesher.SLAResolution)
	if !res.DueAt.Equal(f.clock.Now().Add(time.Hour - spentBefore)) {
		t.Fatalf("resolution due %v after resuming, want %v", res.DueAt, f.clock.Now().Add(time.Hour-spentBefore))
	}

	// Solving stops the resolution clock in time: it is met.
	f.update(t, f.asAgent, c.ID, kesher.ConversationUpdate{Status: ptr(kesher.StatusSolved)})
	if res := f.conv(t, c.ID).SLA.Clock(kesher.SLAResolution); res.State() != kesher.SLAMet {
		t.Fatalf("resolution after solving = %q, want met", res.State())
	}
}

func testSLABusinessHours(t *testing.T, f *fixture) {
	f.policy(t, kesher.SLATarget{FirstResponseSeconds: 4 * 3600, ResolutionSeconds: 27 * 3600, BusinessHours: true})
	// Thursday 15:00 in Jerusalem (UTC+2 in March): two business hours
	// are left on Thursday, the other two are Friday 08:00–10:00.
	f.clock.Set(time.Date(2026, 3, 5, 13, 0, 0, 0, time.UTC))
	c := f.open(t, desk.CustomerRef{Email: "noa@example.com"}, kesher.ChannelEmail, "החשבונית שלי שגויה")
	if due := c.SLA.Clock(kesher.SLAFirstResponse).DueAt; !due.Equal(time.Date(2026, 3, 6, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("first response due %v, want Friday 10:00 Jerusalem (08:00 UTC)", due)
	}
	// 27 business hours: Thu 2 h, Fri 5 h, Sun–Tue 9+9 h = 25, Tue 2 more.
	if due := c.SLA.Clock(kesher.SLAResolution).DueAt; !due.Equal(time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("resolution due %v, want Tuesday 10:00 Jerusalem", due)
	}
}

func testSLARetarget(t *testing.T, f *fixture) {
	f.policy(t,
		kesher.SLATarget{FirstResponseSeconds: 3600},
		kesher.SLATarget{Priority: kesher.PriorityUrgent, FirstResponseSeconds: 600},
	)
	c := f.open(t, desk.CustomerRef{Email: "urgent@example.com"}, kesher.ChannelEmail, "האתר נפל")
	f.clock.Advance(5 * time.Minute)
	got := f.update(t, f.asAgent, c.ID, kesher.ConversationUpdate{Priority: ptr(kesher.PriorityUrgent)})
	fr := got.SLA.Clock(kesher.SLAFirstResponse)
	if fr.Target != 10*time.Minute || !fr.DueAt.Equal(f.clock.Now().Add(5*time.Minute)) {
		t.Fatalf("after raising the priority the clock is %+v; want a 10 min target due in 5 min", fr)
	}
}

func testCommitments(t *testing.T, f *fixture) {
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "תמיכה", MemberIDs: []string{f.agent.ID}, LeadID: f.lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	c := f.open(t, desk.CustomerRef{Email: "dana@example.com"}, kesher.ChannelEmail, "איפה ההזמנה?")
	f.update(t, f.asAdmin, c.ID, kesher.ConversationUpdate{TeamID: &team.ID})
	f.say(t, f.asAgent, c.ID, kesher.Outbound, "אבדוק מול המחסן ואחזור אלייך עד 12:00")

	for _, tc := range []struct {
		in    desk.NewCommitment
		field string
	}{
		{desk.NewCommitment{DueAt: f.clock.Now().Add(time.Hour)}, "text"},
		{desk.NewCommitment{Text: "לחזור ללקוחה"}, "due_at"},
		{desk.NewCommitment{Text: "לחזור ללקוחה", DueAt: f.clock.Now().Add(-time.Minute)}, "due_at"},
	} {
		_, err := f.desk.CreateCommitment(f.asAgent, c.ID, tc.in)
		wantCode(t, err, kesher.ECodeValidation)
		if err.(*kesher.Error).Fields[tc.field] == "" {
			t.Errorf("CreateCommitment(%+v) does not name %q: %v", tc.in, tc.field, err)
		}
	}

	due := f.clock.Now().Add(3 * time.Hour)
	cm, err := f.desk.CreateCommitment(f.asAgent, c.ID, desk.NewCommitment{Text: "לבדוק מול המחסן ולחזור עד 12:00", DueAt: due})
	if err != nil {
		t.Fatal(err)
	}
	if cm.OwnerID != f.agent.ID || cm.State != kesher.CommitmentOpen {
		t.Fatalf("commitment = %+v; want open, owned by the conversation's owner", cm)
	}
	// The reminder is due an hour before.
	f.clock.Advance(2 * time.Hour)
	if n := f.fire(t); n != 1 {
		t.Fatalf("%d timers fired at the reminder, want 1", n)
	}
	notes, _, err := f.desk.Notifications(f.asAgent, true, kesher.Page{Limit: 10})
	if err != nil || len(notes) != 1 || notes[0].Kind != kesher.NotifyCommitmentDue {
		t.Fatalf("agent's notifications = %v, %v; want one reminder", notes, err)
	}
	dueList, _, err := f.desk.Commitments(f.asAgent, kesher.CommitmentFilter{State: kesher.CommitmentDue, OwnerID: f.agent.ID})
	if err != nil || len(dueList) != 1 {
		t.Fatalf("due commitments = %v, %v; want this one", dueList, err)
	}
	// Missed: the owner and the team lead hear of it.
	f.clock.Advance(time.Hour)
	f.fire(t)
	leadNotes, _, _ := f.desk.Notifications(f.asLead, true, kesher.Page{Limit: 10})
	if len(leadNotes) != 1 || leadNotes[0].Kind != kesher.NotifyCommitmentOverdue || leadNotes[0].ConversationID != c.ID {
		t.Fatalf("lead's notifications = %+v; want the overdue commitment", leadNotes)
	}
	counts, err := f.desk.Watchdog(f.asLead)
	if err != nil || counts[kesher.WatchCommitmentsOverdue] != 1 {
		t.Fatalf("watchdog = %v, %v; want one overdue commitment", counts, err)
	}
	types := eventTypes(t, f, c.ID)
	for _, typ := range []string{kesher.EventCommitmentCreated, kesher.EventCommitmentReminded, kesher.EventCommitmentOverdue} {
		if count(types, typ) != 1 {
			t.Errorf("events = %v, want one %s", types, typ)
		}
	}
	// Another agent may not close it; its owner may, and kept late is missed.
	_, err = f.desk.ResolveCommitment(f.asAgent2, cm.ID, kesher.CommitmentKept)
	wantCode(t, err, kesher.ECodeForbidden)
	f.clock.Advance(time.Minute)
	kept, err := f.desk.ResolveCommitment(f.asAgent, cm.ID, kesher.CommitmentKept)
	if err != nil || kept.State != kesher.CommitmentMissed {
		t.Fatalf("kept after due = %+v, %v; want missed", kept, err)
	}
	_, err = f.desk.ResolveCommitment(f.asAgent, cm.ID, kesher.CommitmentKept)
	wantCode(t, err, kesher.ECodeConflict)
	// One kept in time, and the agent's record shows both.
	onTime, err := f.desk.CreateCommitment(f.asAgent, c.ID, desk.NewCommitment{Text: "לשלוח מספר מעקב", DueAt: f.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.ResolveCommitment(f.asAgent, onTime.ID, kesher.CommitmentKept); err != nil {
		t.Fatal(err)
	}
	loads, err := f.desk.AgentLoads(f.asLead)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(loads, func(l *kesher.AgentLoad) bool { return l.UserID == f.agent.ID })
	if i < 0 || loads[i].CommitmentsKept != 1 || loads[i].CommitmentsMissed != 1 {
		t.Fatalf("agent's commitments in the load view = %+v; want 1 kept, 1 missed", loads[i])
	}
	if err := f.desk.MarkRead(f.asLead, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.desk.CountUnread(f.asLead, 10); n != 0 {
		t.Errorf("%d unread after marking all read", n)
	}
}

func testEscalation(t *testing.T, f *fixture) {
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "שירות", LeadID: f.lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	c := f.open(t, desk.CustomerRef{Email: "angry@example.com"}, kesher.ChannelEmail, "ההזמנה מאחרת")
	f.update(t, f.asAdmin, c.ID, kesher.ConversationUpdate{TeamID: &team.ID})
	f.say(t, f.asAgent, c.ID, kesher.Outbound, "אני בודק")
	f.say(t, f.asAgent, c.ID, kesher.Inbound, "נמאס לי, תעבירו אותי כבר למנהל")
	got := f.conv(t, c.ID)
	if !got.Escalated {
		t.Fatal("asking for a manager did not escalate")
	}
	escs, err := f.desk.Escalations(f.asAgent, c.ID)
	if err != nil || len(escs) != 1 || escs[0].OwnerID != f.lead.ID || escs[0].Source != kesher.EscalationCustomer {
		t.Fatalf("escalations = %+v, %v; want one from the customer, owned by the lead", escs, err)
	}
	// No closing while it is open; a second escalation is refused.
	_, err = f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{Status: ptr(kesher.StatusSolved)})
	wantCode(t, err, kesher.ECodeConflict)
	_, err = f.desk.Escalate(f.asAgent, c.ID, "שוב")
	wantCode(t, err, kesher.ECodeConflict)
	// The lead's note is the response; unanswered, it would breach.
	f.clock.Advance(30 * time.Minute)
	f.say(t, f.asLead, c.ID, kesher.Note, "אני מתקשר אליה עכשיו")
	f.clock.Advance(time.Hour)
	f.fire(t)
	if types := eventTypes(t, f, c.ID); count(types, kesher.EventEscalationAnswered) != 1 || count(types, kesher.EventEscalationBreached) != 0 {
		t.Fatalf("events = %v; want the response and no breach", types)
	}
	_, err = f.desk.ResolveEscalation(f.asAgent2, c.ID, "טופל")
	wantCode(t, err, kesher.ECodeForbidden)
	if _, err := f.desk.ResolveEscalation(f.asLead, c.ID, "הוחזר כסף והתנצלנו"); err != nil {
		t.Fatal(err)
	}
	f.update(t, f.asAgent, c.ID, kesher.ConversationUpdate{Status: ptr(kesher.StatusSolved)})

	// An agent's escalation nobody answers breaches and tells the owner.
	c2 := f.open(t, desk.CustomerRef{Email: "quiet@example.com"}, kesher.ChannelEmail, "בעיה בחיוב")
	f.update(t, f.asAdmin, c2.ID, kesher.ConversationUpdate{TeamID: &team.ID})
	if _, err := f.desk.Escalate(f.asAgent, c2.ID, "חיוב כפול שלישי החודש"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(61 * time.Minute)
	f.fire(t)
	if types := eventTypes(t, f, c2.ID); count(types, kesher.EventEscalationBreached) != 1 {
		t.Fatalf("events = %v; want a breach", types)
	}
}

func (f *fixture) online(t *testing.T, users ...*kesher.User) {
	t.Helper()
	for _, u := range users {
		if _, err := f.desk.UpdateUser(f.asAdmin, u.ID, desk.UserUpdate{Availability: ptr(kesher.Online)}); err != nil {
			t.Fatal(err)
		}
	}
}

func testAssignment(t *testing.T, f *fixture) {
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "מכירות", MemberIDs: []string{f.agent.ID, f.agent2.ID}, LeadID: f.lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	// No rule: a conversation without a team stays unowned.
	loose := f.open(t, desk.CustomerRef{Email: "loose@example.com"}, kesher.ChannelChat, "hello")
	if loose.OwnerID != "" {
		t.Fatalf("unrouted conversation owned by %s", loose.OwnerID)
	}
	if _, err := f.desk.SaveAssignmentRule(f.asAdmin, "", kesher.AssignmentRule{
		Name: "צ'אט בעברית", TeamID: team.ID, Strategy: kesher.RoundRobin, Channels: []kesher.Channel{kesher.ChannelChat}, Active: true,
	}); err != nil {
		t.Fatal(err)
	}
	f.online(t, f.agent, f.agent2)
	var owners []string
	for i := range 4 {
		c := f.open(t, desk.CustomerRef{Email: fmt.Sprintf("rr%d@example.com", i)}, kesher.ChannelChat, "שלום")
		if c.TeamID != team.ID {
			t.Fatalf("conversation went to team %q, want %q", c.TeamID, team.ID)
		}
		owners = append(owners, c.OwnerID)
	}
	if owners[0] == owners[1] || owners[0] != owners[2] || owners[1] != owners[3] {
		t.Fatalf("round robin owners = %v, want alternating", owners)
	}
	// Email matches no rule, so it stays unowned; the watchdog shows it.
	if c := f.open(t, desk.CustomerRef{Email: "mail@example.com"}, kesher.ChannelEmail, "x"); c.OwnerID != "" {
		t.Fatalf("email conversation owned by %s, want unowned", c.OwnerID)
	}

	// Capacity: agent2 is full, so agent takes the next two.
	if _, err := f.desk.UpdateUser(f.asAdmin, f.agent2.ID, desk.UserUpdate{Capacity: ptr(2)}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if c := f.open(t, desk.CustomerRef{Email: fmt.Sprintf("cap%d@example.com", i)}, kesher.ChannelChat, "שלום"); c.OwnerID != f.agent.ID {
			t.Fatalf("conversation %d went to %s while agent2 is at capacity", i, c.OwnerID)
		}
	}
	// Nobody available: the lead takes it and hears of it.
	for _, u := range []*kesher.User{f.agent, f.agent2} {
		if _, err := f.desk.UpdateUser(f.asAdmin, u.ID, desk.UserUpdate{Availability: ptr(kesher.Away)}); err != nil {
			t.Fatal(err)
		}
	}
	c := f.open(t, desk.CustomerRef{Email: "late@example.com"}, kesher.ChannelChat, "יש מישהו?")
	if c.OwnerID != f.lead.ID {
		t.Fatalf("with everyone away the owner is %q, want the lead", c.OwnerID)
	}
	notes, _, _ := f.desk.Notifications(f.asLead, true, kesher.Page{Limit: 10})
	if len(notes) != 1 || notes[0].Kind != kesher.NotifyQueued {
		t.Fatalf("lead's notifications = %+v; want one queued", notes)
	}
	if types := eventTypes(t, f, c.ID); count(types, kesher.EventAssigned) != 1 {
		t.Fatalf("events = %v; want the assignment", types)
	}

	// Handing a conversation to the team's queue assigns it there.
	f.online(t, f.agent2)
	if _, err := f.desk.UpdateUser(f.asAdmin, f.agent2.ID, desk.UserUpdate{Capacity: ptr(0)}); err != nil {
		t.Fatal(err)
	}
	moved := f.update(t, f.asLead, c.ID, kesher.ConversationUpdate{OwnerID: ptr(""), TeamID: &team.ID, Briefing: "הלקוח מחכה לתשובה על המשלוח"})
	if moved.OwnerID != f.agent2.ID {
		t.Fatalf("handed to the team queue, owner = %q, want the one online agent", moved.OwnerID)
	}

	// Auto-away: an online agent idle too long is skipped.
	open := func(email string) *kesher.Conversation {
		return f.open(t, desk.CustomerRef{Email: email}, kesher.ChannelChat, "היי")
	}
	if err := f.store.Write(context.Background(), func(tx kesher.Tx) error {
		return tx.TouchUser(context.Background(), f.agent2.ID, f.clock.Now().Add(-time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	if c := open("idle@example.com"); c.OwnerID != f.lead.ID {
		t.Fatalf("an idle agent got the conversation (owner %q), want the lead", c.OwnerID)
	}
}

func testHandoffAlert(t *testing.T, f *fixture) {
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "תמיכה", LeadID: f.lead.ID})
	if err != nil {
		t.Fatal(err)
	}
	c := f.open(t, desk.CustomerRef{Email: "pingpong@example.com", Name: "Ron"}, kesher.ChannelEmail, "Still broken")
	f.update(t, f.asLead, c.ID, kesher.ConversationUpdate{TeamID: &team.ID, OwnerID: &f.agent.ID})
	cm, err := f.desk.CreateCommitment(f.asAgent, c.ID, desk.NewCommitment{Text: "Call back with the courier's answer", DueAt: f.clock.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	owners := []*kesher.User{f.agent2, f.agent, f.agent2, f.agent}
	for i, to := range owners {
		got := f.update(t, f.asLead, c.ID, kesher.ConversationUpdate{OwnerID: &to.ID, Briefing: fmt.Sprintf("briefing %d: courier contacted", i+1), TellCustomer: i == 0})
		if got.HandoffCount != i+1 {
			t.Fatalf("hand-off %d: count %d", i+1, got.HandoffCount)
		}
		alerts, _ := f.desk.CountUnread(f.asLead, 10)
		if want := map[bool]int{true: 1, false: 0}[i+1 >= 4]; alerts != want {
			t.Fatalf("after hand-off %d the lead has %d notifications, want %d", i+1, alerts, want)
		}
	}
	if types := eventTypes(t, f, c.ID); count(types, kesher.EventHandoffAlert) != 1 {
		t.Fatalf("events = %v; want one hand-off alert", types)
	}
	got, err := f.store.Commitment(context.Background(), cm.ID)
	if err != nil || got.OwnerID != f.agent.ID {
		t.Fatalf("commitment owner after the hand-offs = %+v, %v; want the current owner", got, err)
	}
	// The first hand-off told the customer who handles the case now.
	msgs, _, err := f.desk.Messages(f.asAgent, c.ID, kesher.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	told := slices.ContainsFunc(msgs, func(m *kesher.Message) bool {
		return m.Direction == kesher.Outbound && strings.Contains(m.BodyText, f.agent2.Name)
	})
	if !told {
		t.Fatal("the customer was not told who handles the case now")
	}
	if c := f.conv(t, c.ID); c.WaitingSince.IsZero() {
		t.Error("telling the customer the new owner counted as an answer")
	}
}

func testWatchdog(t *testing.T, f *fixture) {
	f.open(t, desk.CustomerRef{Email: "nobody@example.com"}, kesher.ChannelEmail, "אין לי בעלים")
	owned := f.open(t, desk.CustomerRef{Email: "back@example.com"}, kesher.ChannelEmail, "תקלה")
	f.say(t, f.asAgent, owned.ID, kesher.Outbound, "תוקן")
	f.update(t, f.asAgent, owned.ID, kesher.ConversationUpdate{Status: ptr(kesher.StatusSolved)})
	f.say(t, f.asAgent, owned.ID, kesher.Inbound, "זה חזר שוב")
	counts, err := f.desk.Watchdog(f.asAgent)
	if err != nil {
		t.Fatal(err)
	}
	if counts[kesher.WatchUnowned] != 1 || counts[kesher.WatchReopened] != 1 || counts[kesher.WatchWaiting] != 2 {
		t.Fatalf("watchdog counts = %v; want 1 unowned, 1 reopened, 2 waiting", counts)
	}
	list, _, err := f.desk.Watch(f.asAgent, kesher.WatchReopened, kesher.Page{Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != owned.ID || list[0].ReopenCount != 1 {
		t.Fatalf("reopened list = %v, %v", list, err)
	}
	_, _, err = f.desk.Watch(f.asAgent, "nonsense", kesher.Page{})
	wantCode(t, err, kesher.ECodeValidation)
}

func testAgentLoad(t *testing.T, f *fixture) {
	c := f.open(t, desk.CustomerRef{Email: "load@example.com"}, kesher.ChannelEmail, "עזרה")
	f.say(t, f.asAgent, c.ID, kesher.Outbound, "בודק")
	if _, err := f.desk.Escalate(f.asAgent, c.ID, "לקוח כועס מאוד"); err != nil {
		t.Fatal(err)
	}
	_, err := f.desk.AgentLoads(f.asAgent)
	wantCode(t, err, kesher.ECodeForbidden)
	loads, err := f.desk.AgentLoads(f.asLead)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(loads, func(l *kesher.AgentLoad) bool { return l.UserID == f.agent.ID })
	if i < 0 || loads[i].Open != 1 || loads[i].HandledToday != 1 || loads[i].HardToday != 1 {
		t.Fatalf("agent's load = %+v", loads[i])
	}
}

// TestTimersSurviveRestart closes the database with timers pending and
// fires them from a new desk on the same files.
func TestTimersSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	openDesk := func(clock *testkit.Clock) (*desk.Desk, *store.DB) {
		db, err := store.Open(context.Background(), store.Config{DataDir: dir, GroupCommit: true})
		if err != nil {
			t.Fatal(err)
		}
		return desk.New(desk.Config{Store: db, Clock: clock}), db
	}
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	d, db := openDesk(clock)
	f := &fixture{desk: d, store: db, clock: clock, asAdmin: context.Background(), asAgent: context.Background()}
	f.policy(t, kesher.SLATarget{Channel: kesher.ChannelChat, FirstResponseSeconds: 60})
	c := f.open(t, desk.CustomerRef{Email: "restart@example.com"}, kesher.ChannelChat, "שלום?")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	clock.Advance(2 * time.Minute)
	d, db = openDesk(clock)
	t.Cleanup(func() { _ = db.Close() })
	f.desk, f.store = d, db
	if n := f.fire(t); n != 1 {
		t.Fatalf("after a restart %d timers fired, want 1 (warning and breach at once)", n)
	}
	if got := f.conv(t, c.ID); got.SLA.State() != kesher.SLABreached {
		t.Fatalf("state after the restart = %q, want breached", got.SLA.State())
	}
}

// TestTimersFireOnceAcrossNodes runs two desks, each with its own
// connection pool, on one PostgreSQL database, and fires the same due
// timers from both at once.
func TestTimersFireOnceAcrossNodes(t *testing.T) {
	dsn := testkit.PostgresDSN(t)
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	var desks []*desk.Desk
	for range 2 {
		db, err := store.Open(context.Background(), store.Config{DSN: dsn, GroupCommit: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		desks = append(desks, desk.New(desk.Config{Store: db, Clock: clock}))
	}
	f := &fixture{desk: desks[0], clock: clock, asAdmin: context.Background(), asAgent: context.Background()}
	f.policy(t, kesher.SLATarget{Channel: kesher.ChannelPhone, FirstResponseSeconds: 20})
	const convs = 300
	for i := range convs {
		f.open(t, desk.CustomerRef{Phone: fmt.Sprintf("050%07d", i)}, kesher.ChannelPhone, "מחכה על הקו")
	}
	// Past the breach: each conversation's timer fires once, warning and
	// breach together.
	clock.Advance(time.Minute)
	fired := make([]int, len(desks))
	var wg sync.WaitGroup
	for i, d := range desks {
		wg.Go(func() {
			n, err := d.FireDueTimers(context.Background())
			if err != nil {
				t.Errorf("node %d: %v", i, err)
			}
			fired[i] = n
		})
	}
	wg.Wait()
	if fired[0]+fired[1] != convs {
		t.Fatalf("the nodes fired %d + %d timers, want %d in all", fired[0], fired[1], convs)
	}
	cs, _, err := desks[1].Watch(context.Background(), kesher.WatchSLABreached, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil || len(cs) != kesher.MaxPageLimit {
		t.Fatalf("breached list = %d, %v", len(cs), err)
	}
	for _, c := range cs[:20] {
		if types := eventTypes(t, f, c.ID); count(types, kesher.EventSLABreached) != 1 || count(types, kesher.EventSLAWarning) != 1 {
			t.Fatalf("conversation %d has events %v; want one warning and one breach", c.Number, types)
		}
	}
}
