package store_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/store"
)

// Ownership: SLA clocks, team leads and calendars, agents' capacity,
// settings, commitments, escalations, notifications, the watchdog's lists,
// agents' load and the durable timers.

// slaClocks returns the clocks of a conversation under a policy: first
// response running since t0, warning at warn and due at due, with
// resolution paused; edit sets anything else.
func slaClocks(warn, due time.Time, edit func(first *kesher.SLAClock)) *kesher.SLA {
	s := &kesher.SLA{PolicyID: "מדיניות-1", Clocks: []kesher.SLAClock{
		{Metric: kesher.SLAFirstResponse, Target: time.Hour, Business: true, StartedAt: t0, RunningSince: t0, WarnAt: warn, DueAt: due},
		{Metric: kesher.SLAResolution, Target: 8 * time.Hour, Spent: 30 * time.Minute, StartedAt: t0},
	}}
	if edit != nil {
		edit(&s.Clocks[0])
	}
	return s
}

func warned(warn, due time.Time) *kesher.SLA {
	return slaClocks(warn, due, func(c *kesher.SLAClock) { c.WarnedAt = warn })
}

// breached is a missed first response beside a resolution clock that
// runs and warns at next.
func breached(next time.Time) *kesher.SLA {
	s := slaClocks(at(-60), at(-1), func(c *kesher.SLAClock) { c.WarnedAt, c.BreachedAt = at(-60), at(-1) })
	s.Clocks[1].RunningSince, s.Clocks[1].WarnAt, s.Clocks[1].DueAt = t0, next, next.Add(time.Hour)
	return s
}

// rawPool returns a pool that reads the database directly.
func rawPool(db *store.DB) *sql.DB {
	pools := db.Pools()
	if p, ok := pools["reader"]; ok {
		return p
	}
	return pools["main"]
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var e *kesher.Error
	if kesher.ErrorCode(err) != kesher.ECodeValidation || !asError(err, &e) || e.Fields[field] == "" {
		t.Errorf("%s: %v, want a validation error on %q", what, err, field)
	}
}

func testConversationSLA(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה כהן", t0))
	c := newConversation(t, db, &kesher.Conversation{Subject: "החשבונית שגויה", CustomerID: cust.ID, UpdatedAt: at(1),
		SLA: slaClocks(at(2700), at(3600), nil), ReopenCount: 2, Escalated: true})
	if got, err := db.Conversation(ctx, c.ID); err != nil || !cmp.Equal(c, got) {
		t.Errorf("Conversation round trip: %s, %v", cmp.Diff(c, got), err)
	}
	// The clocks are stored without the summary that the API's JSON adds:
	// it would be stale by the time it is read.
	var stored string
	if err := rawPool(db).QueryRowContext(ctx, "SELECT sla FROM conversations WHERE id = $1", c.ID).Scan(&stored); err != nil ||
		!strings.Contains(stored, `"c":[`) || strings.Contains(stored, `"state"`) || strings.Contains(stored, "first_response_due_at") {
		t.Errorf("stored sla = %s, %v; want the clocks alone", stored, err)
	}

	// The store derives the SLA state (which the watchdog lists by) and the
	// timer from the clocks on every write.
	for _, tt := range []struct {
		name  string
		sla   *kesher.SLA
		list  kesher.WatchKind // the SLA list it is on, "" for neither
		timer time.Time        // zero for none
	}{
		{"running", slaClocks(at(2700), at(3600), nil), "", at(2700)},
		{"warned", warned(at(2700), at(3600)), kesher.WatchSLAAtRisk, at(3600)},
		{"breached, resolution running", breached(at(5000)), kesher.WatchSLABreached, at(5000)},
		{"paused", slaClocks(time.Time{}, time.Time{}, func(c *kesher.SLAClock) { c.RunningSince = time.Time{} }), "", time.Time{}},
		{"met", slaClocks(at(2700), at(3600), func(c *kesher.SLAClock) { c.RunningSince, c.StoppedAt = time.Time{}, at(60) }), "", time.Time{}},
		{"no policy", nil, "", time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.SLA, c.ReopenCount, c.Escalated, c.UpdatedAt = tt.sla, c.ReopenCount+1, !c.Escalated, c.UpdatedAt.Add(time.Second)
			write(t, db, func(tx kesher.Tx) error { return tx.UpdateConversation(ctx, c) })
			if got, err := db.Conversation(ctx, c.ID); err != nil || !cmp.Equal(c, got) {
				t.Errorf("Conversation after update: %s, %v", cmp.Diff(c, got), err)
			}
			for _, kind := range []kesher.WatchKind{kesher.WatchSLAAtRisk, kesher.WatchSLABreached} {
				list, _, err := db.Watch(ctx, kind, kesher.Page{})
				if on := len(list) == 1 && list[0].ID == c.ID; err != nil || on != (kind == tt.list) {
					t.Errorf("Watch(%s) = %v, %v; want it listed: %v", kind, ids(list, conversationID), err, kind == tt.list)
				}
			}
			var want []kesher.Timer
			if !tt.timer.IsZero() {
				want = []kesher.Timer{{Kind: kesher.TimerSLA, ID: c.ID, DueAt: tt.timer}}
			}
			if got, err := db.DueTimers(ctx, at(100000), 10); err != nil || !cmp.Equal(want, got) {
				t.Errorf("DueTimers = %v, %v; want %v", got, err, want)
			}
		})
	}
}

func testTeamLeadAndCalendar(t *testing.T, db *store.DB) {
	lead, agent := createUser(t, db, "lead@example.com"), createUser(t, db, "agent@example.com")
	cal := &kesher.CalendarRecord{ID: newID(), Name: "שעות פעילות", CreatedAt: t0, UpdatedAt: t0,
		Spec: json.RawMessage(`{"zone":"Asia/Jerusalem","hours":{"sun":[["08:00","17:00"]]},"holidays":["ראש השנה"]}`)}
	write(t, db, func(tx kesher.Tx) error { return tx.SaveCalendar(ctx, cal) })
	team := &kesher.Team{ID: newID(), Name: "תמיכה", MemberIDs: []string{agent.ID, lead.ID}, LeadID: lead.ID, CalendarID: cal.ID,
		CreatedAt: t0, UpdatedAt: t0}
	slices.Sort(team.MemberIDs)
	write(t, db, func(tx kesher.Tx) error { return tx.CreateTeam(ctx, team) })
	wantTeam := func(step string) {
		t.Helper()
		if got, err := db.Team(ctx, team.ID); err != nil || !cmp.Equal(team, got) {
			t.Errorf("Team %s: %s, %v", step, cmp.Diff(team, got), err)
		}
		if list, _, err := db.Teams(ctx, kesher.Page{}); err != nil || len(list) != 1 || !cmp.Equal(team, list[0]) {
			t.Errorf("Teams %s = %v, %v", step, list, err)
		}
	}
	wantTeam("as created")
	team.LeadID, team.CalendarID, team.UpdatedAt = agent.ID, "", at(1)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateTeam(ctx, team) })
	wantTeam("with a new lead and the default calendar")
	team.LeadID, team.CalendarID, team.UpdatedAt = "", cal.ID, at(2)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateTeam(ctx, team) })
	wantTeam("without a lead")

	write(t, db, func(tx kesher.Tx) error { return tx.DeleteCalendar(ctx, cal.ID) })
	team.CalendarID = ""
	wantTeam("after its calendar was deleted")
	for name, bad := range map[string]kesher.Team{
		"an unknown calendar": {ID: newID(), Name: "x", CalendarID: "missing"},
		"an unknown lead":     {ID: newID(), Name: "x", LeadID: "missing"},
	} {
		err := db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateTeam(ctx, &bad) })
		wantCode(t, "CreateTeam with "+name, err, kesher.ECodeNotFound)
		bad.ID = team.ID
		err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateTeam(ctx, &bad) })
		wantCode(t, "UpdateTeam with "+name, err, kesher.ECodeNotFound)
	}
}

func testUserCapacity(t *testing.T, db *store.DB) {
	u := &kesher.User{ID: newID(), Email: "noa@example.com", Name: "נועה", Role: kesher.RoleAgent, Active: true, Availability: kesher.Online,
		Language: "he", TimeZone: kesher.DefaultTimeZone, TeamIDs: []string{}, Capacity: 8, LastSeenAt: at(1), CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.CreateUser(ctx, u) })
	wantUser := func(step string) {
		t.Helper()
		if got, err := db.User(ctx, u.ID); err != nil || !cmp.Equal(u, got) {
			t.Errorf("User %s: %s, %v", step, cmp.Diff(u, got), err)
		}
		if list, _, err := db.Users(ctx, kesher.Page{}); err != nil || len(list) != 1 || !cmp.Equal(u, list[0]) {
			t.Errorf("Users %s = %v, %v", step, list, err)
		}
	}
	wantUser("as created")
	// UpdateUser saves the capacity but leaves the last activity, which
	// only TouchUser moves: an edit of the profile is not activity.
	edited := *u
	edited.Capacity, edited.LastSeenAt, edited.UpdatedAt = 12, at(99), at(2)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateUser(ctx, &edited) })
	u.Capacity, u.UpdatedAt = 12, at(2)
	wantUser("after UpdateUser")
	write(t, db, func(tx kesher.Tx) error { return tx.TouchUser(ctx, u.ID, at(30)) })
	u.LastSeenAt = at(30)
	wantUser("after TouchUser")
	err := db.Write(ctx, func(tx kesher.Tx) error { return tx.TouchUser(ctx, "missing", at(30)) })
	wantCode(t, "TouchUser of a missing user", err, kesher.ECodeNotFound)
}

func testCalendars(t *testing.T, db *store.DB) {
	spec := func(zone string) json.RawMessage {
		return json.RawMessage(`{"zone":"` + zone + `","name":"לוח שנה"}`)
	}
	a := &kesher.CalendarRecord{ID: newID(), Name: "ישראל", Spec: spec("Asia/Jerusalem"), CreatedAt: t0, UpdatedAt: t0}
	b := &kesher.CalendarRecord{ID: newID(), Name: "London", Spec: spec("Europe/London"), CreatedAt: at(1), UpdatedAt: at(1)}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.SaveCalendar(ctx, a); err != nil {
			return err
		}
		return tx.SaveCalendar(ctx, b)
	})
	// Saving again replaces everything but the creation time.
	replaced := *a
	replaced.Name, replaced.Spec, replaced.CreatedAt, replaced.UpdatedAt = "ישראל (מעודכן)", spec("Asia/Hebron"), at(5), at(5)
	write(t, db, func(tx kesher.Tx) error { return tx.SaveCalendar(ctx, &replaced) })
	replaced.CreatedAt = t0
	got := allPages(t, 1, func(p kesher.Page) ([]*kesher.CalendarRecord, string, error) { return db.Calendars(ctx, p) })
	if diff := cmp.Diff([]*kesher.CalendarRecord{&replaced, b}, got); diff != "" {
		t.Errorf("Calendars (-want +got):\n%s", diff)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteCalendar(ctx, b.ID) })
	_, err := db.Calendar(ctx, b.ID)
	wantCode(t, "a deleted calendar", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteCalendar(ctx, b.ID) })
	wantCode(t, "DeleteCalendar twice", err, kesher.ECodeNotFound)
	if got, err := db.Calendar(ctx, a.ID); err != nil || !cmp.Equal(&replaced, got) {
		t.Errorf("Calendar: %s, %v", cmp.Diff(&replaced, got), err)
	}
}

func testSLAPolicies(t *testing.T, db *store.DB) {
	teams := make([]*kesher.Team, 2)
	for i := range teams {
		teams[i] = &kesher.Team{ID: newID(), Name: fmt.Sprintf("צוות %d", i), MemberIDs: []string{}, CreatedAt: t0, UpdatedAt: t0}
		write(t, db, func(tx kesher.Tx) error { return tx.CreateTeam(ctx, teams[i]) })
	}
	policy := func(name, teamID string, created time.Time) *kesher.SLAPolicy {
		return &kesher.SLAPolicy{ID: newID(), Name: name, TeamID: teamID, WarnShare: 0.8, CreatedAt: created, UpdatedAt: created,
			Targets: []kesher.SLATarget{
				{Priority: kesher.PriorityUrgent, FirstResponseSeconds: 900, ResolutionSeconds: 4 * 3600, BusinessHours: true},
				{Channel: kesher.ChannelChat, FirstResponseSeconds: 60, NextResponseSeconds: 120},
			}}
	}
	// A new desk has the default policy the migration made; this test
	// makes its own.
	if seeded, err := db.SLAPolicies(ctx); err != nil || len(seeded) != 1 || seeded[0].TeamID != "" || len(seeded[0].Targets) == 0 {
		t.Fatalf("a new desk's SLA policies = %+v, %v; want the seeded default", seeded, err)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteSLAPolicy(ctx, "default") })
	// The default comes first although it was made last.
	second, first, def := policy("צוות שני", teams[1].ID, t0), policy("צוות ראשון", teams[0].ID, at(1)), policy("ברירת מחדל", "", at(2))
	def.Targets = nil
	save := func(p *kesher.SLAPolicy) error {
		return db.Write(ctx, func(tx kesher.Tx) error { return tx.SaveSLAPolicy(ctx, p) })
	}
	for _, p := range []*kesher.SLAPolicy{second, first, def} {
		if err := save(p); err != nil {
			t.Fatal(err)
		}
	}
	def.Targets = []kesher.SLATarget{}
	second.Name, second.WarnShare, second.Targets, second.UpdatedAt = "שני, מעודכן", 0.5, second.Targets[:1], at(3)
	if err := save(second); err != nil {
		t.Fatal(err)
	}
	if got, err := db.SLAPolicies(ctx); err != nil || !cmp.Equal([]*kesher.SLAPolicy{def, second, first}, got) {
		t.Errorf("SLAPolicies, the default first: %s, %v", cmp.Diff([]*kesher.SLAPolicy{def, second, first}, got), err)
	}
	for _, tt := range []struct {
		name string
		p    *kesher.SLAPolicy
		code string
	}{
		{"a second default", policy("עוד ברירת מחדל", "", at(4)), kesher.ECodeConflict},
		{"a second policy for a team", policy("עוד", teams[0].ID, at(4)), kesher.ECodeConflict},
		{"a policy moved to a team that has one", &kesher.SLAPolicy{ID: second.ID, TeamID: teams[0].ID}, kesher.ECodeConflict},
		{"a policy of an unknown team", policy("?", "missing", at(4)), kesher.ECodeNotFound},
	} {
		wantCode(t, tt.name, save(tt.p), tt.code)
	}
	if got, err := db.SLAPolicy(ctx, second.ID); err != nil || !cmp.Equal(second, got) {
		t.Errorf("SLAPolicy after the failed saves: %s, %v", cmp.Diff(second, got), err)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteSLAPolicy(ctx, first.ID) })
	// Its team may have a policy again.
	if err := save(policy("שוב", teams[0].ID, at(5))); err != nil {
		t.Errorf("a team's policy after the old one was deleted: %v", err)
	}
	_, err := db.SLAPolicy(ctx, first.ID)
	wantCode(t, "a deleted policy", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteSLAPolicy(ctx, first.ID) })
	wantCode(t, "DeleteSLAPolicy twice", err, kesher.ECodeNotFound)
}

func testAssignmentRules(t *testing.T, db *store.DB) {
	agent := createUser(t, db, "agent@example.com")
	team := &kesher.Team{ID: newID(), Name: "מכירות", MemberIDs: []string{agent.ID}, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.CreateTeam(ctx, team) })
	rule := func(name string, position int) *kesher.AssignmentRule {
		return &kesher.AssignmentRule{ID: newID(), Name: name, Position: position, TeamID: team.ID, Strategy: kesher.RoundRobin,
			Channels: []kesher.Channel{}, MailboxIDs: []string{}, Reasons: []string{}, Languages: []string{}, Priorities: []kesher.Priority{},
			Active: true, CreatedAt: t0, UpdatedAt: t0}
	}
	last, first, second := rule("כל השאר", 2), rule("דחוף בעברית", 1), rule("וואטסאפ", 1)
	first.Channels, first.Languages, first.Priorities = []kesher.Channel{kesher.ChannelEmail, kesher.ChannelWhatsApp}, []string{"he"},
		[]kesher.Priority{kesher.PriorityUrgent, kesher.PriorityHigh}
	first.MailboxIDs, first.Reasons, first.Strategy = []string{"mb1"}, []string{"late_delivery"}, kesher.LeastLoaded
	last.Active = false
	save := func(r *kesher.AssignmentRule) error {
		return db.Write(ctx, func(tx kesher.Tx) error { return tx.SaveAssignmentRule(ctx, r) })
	}
	for _, r := range []*kesher.AssignmentRule{last, first, second} {
		if err := save(r); err != nil {
			t.Fatal(err)
		}
	}
	// The round robin records its pick by saving the rule again.
	second.LastUserID, second.UpdatedAt = agent.ID, at(1)
	if err := save(second); err != nil {
		t.Fatal(err)
	}
	want := []*kesher.AssignmentRule{first, second, last}
	if got, err := db.AssignmentRules(ctx); err != nil || !cmp.Equal(want, got) {
		t.Errorf("AssignmentRules by position, then id: %s, %v", cmp.Diff(want, got), err)
	}
	// Conditions left nil read back as empty lists.
	bare := &kesher.AssignmentRule{ID: newID(), Name: "ריק", Position: 3, TeamID: team.ID, Strategy: kesher.RoundRobin, CreatedAt: t0, UpdatedAt: t0}
	if err := save(bare); err != nil {
		t.Fatal(err)
	}
	wantBare := rule("ריק", 3)
	wantBare.ID, wantBare.Active = bare.ID, false
	if got, err := db.AssignmentRule(ctx, bare.ID); err != nil || !cmp.Equal(wantBare, got) {
		t.Errorf("AssignmentRule without conditions: %s, %v", cmp.Diff(wantBare, got), err)
	}
	orphan := rule("?", 9)
	orphan.TeamID = "missing"
	wantCode(t, "a rule of an unknown team", save(orphan), kesher.ECodeNotFound)
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteAssignmentRule(ctx, first.ID) })
	_, err := db.AssignmentRule(ctx, first.ID)
	wantCode(t, "a deleted rule", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteAssignmentRule(ctx, first.ID) })
	wantCode(t, "DeleteAssignmentRule twice", err, kesher.ECodeNotFound)
}

func commitmentID(c *kesher.Commitment) string { return c.ID }

// commitmentMatches is what f selects, by the domain's own reading of the
// views (Commitment.View), as the oracle.
func commitmentMatches(f kesher.CommitmentFilter, c *kesher.Commitment) bool {
	if (f.ConversationID != "" && f.ConversationID != c.ConversationID) || (f.OwnerID != "" && f.OwnerID != c.OwnerID) {
		return false
	}
	switch f.State {
	case "":
		return true
	case kesher.CommitmentDue, kesher.CommitmentOverdue:
		return c.State == kesher.CommitmentOpen && c.View(f.Now, f.Window) == f.State
	}
	return c.State == f.State
}

func createCommitments(t *testing.T, db *store.DB, cs ...*kesher.Commitment) {
	t.Helper()
	write(t, db, func(tx kesher.Tx) error {
		for _, c := range cs {
			if err := tx.CreateCommitment(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func testCommitments(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה כהן", t0))
	a, b := createUser(t, db, "a@example.com"), createUser(t, db, "b@example.com")
	conv1 := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, OwnerID: a.ID, UpdatedAt: t0})
	conv2 := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, OwnerID: b.ID, UpdatedAt: t0})
	now, window := at(1000), time.Hour
	promise := func(conv *kesher.Conversation, owner *kesher.User, due time.Time, state kesher.CommitmentState) *kesher.Commitment {
		return &kesher.Commitment{ID: newID(), ConversationID: conv.ID, OwnerID: owner.ID, Text: "אחזור אליך מחר עד 12:00", DueAt: due,
			State: state, MessageID: "m-" + conv.ID, CreatedBy: owner.ID, CreatedAt: t0, NextTimerAt: due.Add(-15 * time.Minute)}
	}
	all := []*kesher.Commitment{
		promise(conv1, a, at(900), kesher.CommitmentOpen),  // overdue
		promise(conv1, a, now, kesher.CommitmentOpen),      // overdue: due at now
		promise(conv1, b, at(2800), kesher.CommitmentOpen), // due
		promise(conv2, a, at(2800), kesher.CommitmentOpen), // due, at the same time
		promise(conv1, a, at(4600), kesher.CommitmentOpen), // due: at the end of the window
		promise(conv2, a, at(4601), kesher.CommitmentOpen), // open, beyond the window
		promise(conv1, a, at(800), kesher.CommitmentKept),  // kept: never overdue
		promise(conv1, b, at(950), kesher.CommitmentMissed),
		promise(conv2, b, at(1200), kesher.CommitmentCancelled),
		promise(conv2, b, at(1100), kesher.CommitmentOpen),   // due
		promise(conv2, b, at(999), kesher.CommitmentOpen),    // overdue
		promise(conv1, a, at(100000), kesher.CommitmentOpen), // open, far off
		promise(conv2, a, at(-5), kesher.CommitmentKept),
		promise(conv1, b, at(-10), kesher.CommitmentOpen),         // overdue
		promise(conv2, a, now.Add(window), kesher.CommitmentOpen), // due
	}
	all[0].RemindedAt, all[0].EscalatedAt = at(850), at(901)
	all[6].ResolvedAt, all[6].NextTimerAt = at(700), time.Time{}
	createCommitments(t, db, all...)

	for _, tt := range []struct {
		name string
		f    kesher.CommitmentFilter
	}{
		{"all", kesher.CommitmentFilter{}},
		{"a conversation's", kesher.CommitmentFilter{ConversationID: conv1.ID}},
		{"an owner's", kesher.CommitmentFilter{OwnerID: b.ID}},
		{"open", kesher.CommitmentFilter{State: kesher.CommitmentOpen}},
		{"kept", kesher.CommitmentFilter{State: kesher.CommitmentKept}},
		{"due", kesher.CommitmentFilter{State: kesher.CommitmentDue, Now: now, Window: window}},
		{"overdue", kesher.CommitmentFilter{State: kesher.CommitmentOverdue, Now: now, Window: window}},
		{"an owner's overdue", kesher.CommitmentFilter{OwnerID: a.ID, State: kesher.CommitmentOverdue, Now: now}},
		{"a conversation's due", kesher.CommitmentFilter{ConversationID: conv2.ID, State: kesher.CommitmentDue, Now: now, Window: window}},
		{"an owner's missed", kesher.CommitmentFilter{OwnerID: b.ID, State: kesher.CommitmentMissed}},
		{"nothing", kesher.CommitmentFilter{OwnerID: a.ID, State: kesher.CommitmentCancelled}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want []*kesher.Commitment
			for _, c := range all {
				if commitmentMatches(tt.f, c) {
					want = append(want, c)
				}
			}
			sort.Slice(want, func(i, j int) bool {
				if !want[i].DueAt.Equal(want[j].DueAt) {
					return want[i].DueAt.Before(want[j].DueAt)
				}
				return want[i].ID < want[j].ID
			})
			got := allPages(t, 2, func(p kesher.Page) ([]*kesher.Commitment, string, error) {
				f := tt.f
				f.Page = p
				return db.Commitments(ctx, f)
			})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Commitments, by due time, in pages of 2 (-want +got):\n%s", diff)
			}
			for _, upTo := range []int{1, max(len(want), 1), len(want) + 1} {
				if n, err := db.CountCommitments(ctx, tt.f, upTo); err != nil || n != min(upTo, len(want)) {
					t.Errorf("CountCommitments(max %d) = %d, %v; want %d", upTo, n, err, min(upTo, len(want)))
				}
			}
		})
	}

	kept := all[0]
	kept.State, kept.ResolvedAt, kept.NextTimerAt, kept.Text, kept.OwnerID = kesher.CommitmentKept, at(1001), time.Time{}, "נשלח זיכוי", b.ID
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateCommitment(ctx, kept) })
	if got, err := db.Commitment(ctx, kept.ID); err != nil || !cmp.Equal(kept, got) {
		t.Errorf("Commitment after update: %s, %v", cmp.Diff(kept, got), err)
	}
	overdue, _, err := db.Commitments(ctx, kesher.CommitmentFilter{State: kesher.CommitmentOverdue, Now: now})
	if err != nil || slices.Contains(ids(overdue, commitmentID), kept.ID) {
		t.Errorf("a kept commitment is still overdue: %v, %v", ids(overdue, commitmentID), err)
	}

	_, _, err = db.Commitments(ctx, kesher.CommitmentFilter{State: "soon"})
	wantField(t, "Commitments in an unknown state", err, "state")
	_, err = db.CountCommitments(ctx, kesher.CommitmentFilter{State: "soon"}, 10)
	wantField(t, "CountCommitments in an unknown state", err, "state")
	_, err = db.CountCommitments(ctx, kesher.CommitmentFilter{}, 0)
	wantField(t, "CountCommitments with max 0", err, "max")
	_, _, err = db.Commitments(ctx, kesher.CommitmentFilter{Page: kesher.Page{Cursor: "!!!"}})
	wantField(t, "Commitments with a bad cursor", err, "cursor")
	_, err = db.Commitment(ctx, "missing")
	wantCode(t, "a missing commitment", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.UpdateCommitment(ctx, &kesher.Commitment{ID: "missing", OwnerID: a.ID})
	})
	wantCode(t, "UpdateCommitment of a missing commitment", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.CreateCommitment(ctx, promise(conv1, &kesher.User{ID: "missing"}, now, "open"))
	})
	wantCode(t, "a commitment of an unknown owner", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateCommitment(ctx, all[1]) })
	wantCode(t, "CreateCommitment twice", err, kesher.ECodeConflict)
}

func newEscalation(convID string, created time.Time) *kesher.Escalation {
	return &kesher.Escalation{ID: newID(), ConversationID: convID, Reason: "הלקוח ביקש לדבר עם מנהל", Source: kesher.EscalationCustomer,
		DueAt: created.Add(30 * time.Minute), CreatedBy: "system", CreatedAt: created}
}

func createEscalations(t *testing.T, db *store.DB, es ...*kesher.Escalation) {
	t.Helper()
	write(t, db, func(tx kesher.Tx) error {
		for _, e := range es {
			if err := tx.CreateEscalation(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func testEscalations(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה כהן", t0))
	lead := createUser(t, db, "lead@example.com")
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, UpdatedAt: t0})
	other := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, UpdatedAt: t0})
	first := newEscalation(conv.ID, at(10))
	first.OwnerID = lead.ID
	createEscalations(t, db, first, newEscalation(other.ID, at(11)))
	if got, err := db.OpenEscalation(ctx, conv.ID); err != nil || !cmp.Equal(first, got) {
		t.Errorf("OpenEscalation: %s, %v", cmp.Diff(first, got), err)
	}
	// A second open escalation is a conflict, and the transaction goes on.
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.CreateEscalation(ctx, newEscalation(conv.ID, at(12))); kesher.ErrorCode(err) != kesher.ECodeConflict {
			return fmt.Errorf("a second open escalation: %v, want conflict", err)
		}
		_, err := tx.OpenEscalation(ctx, conv.ID)
		return err
	})
	if got, err := db.DueTimers(ctx, at(100000), 10); err != nil || len(got) != 2 ||
		!cmp.Equal(got[0], kesher.Timer{Kind: kesher.TimerEscalation, ID: first.ID, DueAt: first.DueAt}) {
		t.Errorf("DueTimers = %v, %v; want the two escalations' response targets, %s first", got, err, first.ID)
	}

	first.RespondedAt, first.OwnerID = at(20), ""
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateEscalation(ctx, first) })
	if got, err := db.Escalation(ctx, first.ID); err != nil || !cmp.Equal(first, got) {
		t.Errorf("Escalation after the response: %s, %v", cmp.Diff(first, got), err)
	}
	if got, err := db.DueTimers(ctx, at(100000), 10); err != nil || len(got) != 1 || got[0].ID == first.ID {
		t.Errorf("DueTimers after the response = %v, %v; want the other escalation's only", got, err)
	}
	first.ResolvedAt, first.Resolution = at(30), "זיכוי מלא"
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateEscalation(ctx, first) })
	_, err := db.OpenEscalation(ctx, conv.ID)
	wantCode(t, "OpenEscalation once resolved", err, kesher.ECodeNotFound)
	second := newEscalation(conv.ID, at(40))
	second.Source = kesher.EscalationAgent
	createEscalations(t, db, second)
	if got, err := db.Escalations(ctx, conv.ID); err != nil || !cmp.Equal([]*kesher.Escalation{first, second}, got) {
		t.Errorf("Escalations, oldest first: %s, %v", cmp.Diff([]*kesher.Escalation{first, second}, got), err)
	}

	_, err = db.Escalation(ctx, "missing")
	wantCode(t, "a missing escalation", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateEscalation(ctx, &kesher.Escalation{ID: "missing"}) })
	wantCode(t, "UpdateEscalation of a missing escalation", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateEscalation(ctx, newEscalation("missing", t0)) })
	wantCode(t, "an escalation of a missing conversation", err, kesher.ECodeNotFound)
}

func testNotifications(t *testing.T, db *store.DB) {
	me, other := createUser(t, db, "me@example.com"), createUser(t, db, "other@example.com")
	notify := func(u *kesher.User, created time.Time) *kesher.Notification {
		return &kesher.Notification{ID: newID(), UserID: u.ID, Kind: kesher.NotifyCommitmentDue, ConversationID: "c1",
			Data: json.RawMessage(`{"text":"אחזור אליך מחר עד 12:00"}`), CreatedAt: created}
	}
	var mine []*kesher.Notification // newest first
	for i := range 7 {
		mine = append([]*kesher.Notification{notify(me, at(i/2))}, mine...) // pairs share a time
	}
	theirs := notify(other, at(1))
	write(t, db, func(tx kesher.Tx) error {
		for _, n := range append(slices.Clone(mine), theirs) {
			if err := tx.CreateNotification(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(unread bool) []*kesher.Notification {
		return allPages(t, 2, func(p kesher.Page) ([]*kesher.Notification, string, error) {
			return db.Notifications(ctx, me.ID, unread, p)
		})
	}
	unread := func(u *kesher.User, max int) int {
		t.Helper()
		n, err := db.CountUnread(ctx, u.ID, max)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if diff := cmp.Diff(mine, list(false)); diff != "" {
		t.Errorf("Notifications, newest first (-want +got):\n%s", diff)
	}
	if n := unread(me, 100); n != 7 {
		t.Errorf("CountUnread = %d, want 7", n)
	}

	// Marking read touches only the user's own notifications, and keeps
	// the time one was first read.
	write(t, db, func(tx kesher.Tx) error {
		return tx.MarkRead(ctx, me.ID, []string{mine[1].ID, mine[4].ID, theirs.ID}, at(10))
	})
	write(t, db, func(tx kesher.Tx) error { return tx.MarkRead(ctx, me.ID, []string{mine[1].ID}, at(11)) })
	mine[1].ReadAt, mine[4].ReadAt = at(10), at(10)
	want := slices.DeleteFunc(slices.Clone(mine), func(n *kesher.Notification) bool { return !n.ReadAt.IsZero() })
	if diff := cmp.Diff(want, list(true)); diff != "" {
		t.Errorf("unread Notifications after marking two read (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(mine, list(false)); diff != "" {
		t.Errorf("Notifications after marking two read (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		user      *kesher.User
		max, want int
	}{{me, 100, 5}, {me, 5, 5}, {me, 3, 3}, {other, 100, 1}} {
		if n := unread(tt.user, tt.max); n != tt.want {
			t.Errorf("CountUnread(%s, max %d) = %d, want %d", tt.user.Email, tt.max, n, tt.want)
		}
	}

	write(t, db, func(tx kesher.Tx) error { return tx.MarkRead(ctx, me.ID, nil, at(20)) })
	if n := unread(me, 100); n != 0 || len(list(true)) != 0 {
		t.Errorf("after marking all read: %d unread", n)
	}
	if got := list(false); len(got) != 7 || !got[1].ReadAt.Equal(at(10)) || !got[0].ReadAt.Equal(at(20)) {
		t.Errorf("after marking all read: %v; want the earlier read times kept", got)
	}
	if n := unread(other, 100); n != 1 {
		t.Errorf("another user's unread after I marked all mine read: %d, want 1", n)
	}
	_, err := db.CountUnread(ctx, me.ID, 0)
	wantField(t, "CountUnread with max 0", err, "max")
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateNotification(ctx, notify(&kesher.User{ID: "missing"}, t0)) })
	wantCode(t, "a notification for an unknown user", err, kesher.ECodeNotFound)
}

// watchOracle is each conversation list's meaning, written plainly.
var watchOracle = map[kesher.WatchKind]func(c *kesher.Conversation) bool{
	kesher.WatchUnowned:       func(c *kesher.Conversation) bool { return c.Status.Unsolved() && c.OwnerID == "" },
	kesher.WatchWaiting:       func(c *kesher.Conversation) bool { return c.Status == kesher.StatusOpen && !c.WaitingSince.IsZero() },
	kesher.WatchSLAAtRisk:     func(c *kesher.Conversation) bool { return c.Status.Unsolved() && c.SLA.State() == kesher.SLAWarning },
	kesher.WatchSLABreached:   func(c *kesher.Conversation) bool { return c.Status.Unsolved() && c.SLA.State() == kesher.SLABreached },
	kesher.WatchHandoffs3Plus: func(c *kesher.Conversation) bool { return c.Status.Unsolved() && c.HandoffCount >= 3 },
	kesher.WatchReopened:      func(c *kesher.Conversation) bool { return c.Status.Unsolved() && c.ReopenCount > 0 },
	kesher.WatchEscalated:     func(c *kesher.Conversation) bool { return c.Status.Unsolved() && c.Escalated },
}

// watchOrder returns cs in a list's order: waiting longest first, SLA
// soonest due first, the others newest first.
func watchOrder(kind kesher.WatchKind, cs []*kesher.Conversation) []string {
	key := func(c *kesher.Conversation) time.Time { return c.WaitingSince }
	switch kind {
	case kesher.WatchWaiting:
	case kesher.WatchSLAAtRisk, kesher.WatchSLABreached:
		key = func(c *kesher.Conversation) time.Time { return c.SLA.NextTimer() }
	default:
		return newestFirst(cs)
	}
	cs = slices.Clone(cs)
	sort.Slice(cs, func(i, j int) bool {
		if a, b := key(cs[i]), key(cs[j]); !a.Equal(b) {
			return a.Before(b)
		}
		return cs[i].ID < cs[j].ID
	})
	return ids(cs, conversationID)
}

func testWatch(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה כהן", t0))
	owner := createUser(t, db, "agent@example.com")
	var all []*kesher.Conversation
	for i := range 40 {
		c := &kesher.Conversation{
			Subject:      fmt.Sprintf("פנייה %d", i),
			CustomerID:   cust.ID,
			Status:       []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusOnHold, kesher.StatusSolved, kesher.StatusClosed}[i%5],
			OwnerID:      []string{"", owner.ID}[i%2],
			HandoffCount: i % 4,
			ReopenCount:  []int{0, 1, 0, 0, 2, 0}[i%6],
			Escalated:    i%7 == 2,
			SLA:          []*kesher.SLA{warned(at(100), at(500+i%3)), breached(at(600 + i%5)), slaClocks(at(700), at(800), nil), nil}[i%4],
			UpdatedAt:    at(i / 3), // three at a time share a time
		}
		if i%3 == 0 {
			c.WaitingSince = at(100 + i%7)
		}
		all = append(all, newConversation(t, db, c))
	}
	check := func(step string) {
		for kind, on := range watchOracle {
			var want []*kesher.Conversation
			for _, c := range all {
				if on(c) {
					want = append(want, c)
				}
			}
			got := allPages(t, 2, func(p kesher.Page) ([]*kesher.Conversation, string, error) { return db.Watch(ctx, kind, p) })
			if diff := cmp.Diff(watchOrder(kind, want), ids(got, conversationID)); diff != "" {
				t.Errorf("%s: Watch(%s) in pages of 2 (-want +got):\n%s", step, kind, diff)
			}
			if len(got) > 0 && !cmp.Equal(got[0], all[slices.IndexFunc(all, func(c *kesher.Conversation) bool { return c.ID == got[0].ID })]) {
				t.Errorf("%s: Watch(%s) returned %+v, not the conversation as saved", step, kind, got[0])
			}
			for _, upTo := range []int{1, max(len(want), 1), 100} {
				if n, err := db.CountWatch(ctx, kind, upTo); err != nil || n != min(upTo, len(want)) {
					t.Errorf("%s: CountWatch(%s, max %d) = %d, %v; want %d", step, kind, upTo, n, err, min(upTo, len(want)))
				}
			}
			if len(want) < 2 {
				t.Errorf("%s: the data puts %d conversations on the %s list; pages need at least 2", step, len(want), kind)
			}
		}
	}
	check("as created")
	// Solving a conversation takes it off every list; reopening puts it back.
	for i, c := range all {
		switch {
		case i%8 == 0 && c.Status.Unsolved():
			c.Status, c.SolvedAt = kesher.StatusSolved, at(100+i)
		case i%8 == 1 && !c.Status.Unsolved():
			c.Status, c.ReopenCount = kesher.StatusOpen, c.ReopenCount+1
		default:
			continue
		}
		c.UpdatedAt = at(100 + i)
		write(t, db, func(tx kesher.Tx) error { return tx.UpdateConversation(ctx, c) })
	}
	check("after solving and reopening some")

	for _, kind := range []kesher.WatchKind{kesher.WatchCommitmentsDue, kesher.WatchCommitmentsOverdue, "bogus"} {
		_, _, err := db.Watch(ctx, kind, kesher.Page{})
		wantField(t, "Watch("+string(kind)+")", err, "kind")
		_, err = db.CountWatch(ctx, kind, 10)
		wantField(t, "CountWatch("+string(kind)+")", err, "kind")
	}
	_, _, err := db.Watch(ctx, kesher.WatchWaiting, kesher.Page{Cursor: "!!!"})
	wantField(t, "Watch with a bad cursor", err, "cursor")
	_, err = db.CountWatch(ctx, kesher.WatchEscalated, 0)
	wantField(t, "CountWatch with max 0", err, "max")
}

func testAgentLoad(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה כהן", t0))
	a, b, idle := createUser(t, db, "a@example.com"), createUser(t, db, "b@example.com"), createUser(t, db, "idle@example.com")
	conv := func(owner *kesher.User, status kesher.Status) *kesher.Conversation {
		c := &kesher.Conversation{CustomerID: cust.ID, Status: status, UpdatedAt: t0}
		if owner != nil {
			c.OwnerID = owner.ID
		}
		return newConversation(t, db, c)
	}
	a1, a2, _, _ := conv(a, kesher.StatusOpen), conv(a, kesher.StatusPending), conv(a, kesher.StatusOnHold), conv(a, kesher.StatusSolved)
	b1, _, nobody := conv(b, kesher.StatusOpen), conv(b, kesher.StatusClosed), conv(nil, kesher.StatusOpen)

	// A user who owns none may be missing or 0.
	got, err := db.OpenCounts(ctx, []string{a.ID, b.ID, idle.ID, a.ID})
	maps.DeleteFunc(got, func(_ string, n int) bool { return n == 0 })
	if want := map[string]int{a.ID: 3, b.ID: 1}; err != nil || !cmp.Equal(want, got) {
		t.Errorf("OpenCounts = %v, %v; want %v", got, err, want)
	}
	if got, err := db.OpenCounts(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("OpenCounts of no one = %v, %v", got, err)
	}

	since := at(100)
	msg := func(c *kesher.Conversation, dir kesher.Direction, author kesher.AuthorType, authorID string, created time.Time) *kesher.Message {
		return &kesher.Message{ID: newID(), ConversationID: c.ID, Direction: dir, Channel: kesher.ChannelEmail, AuthorType: author,
			AuthorID: authorID, BodyText: "תודה, טיפלנו בזה", Attachments: []kesher.Attachment{}, CreatedAt: created}
	}
	write(t, db, func(tx kesher.Tx) error {
		for _, m := range []*kesher.Message{
			msg(a1, kesher.Outbound, kesher.AuthorAgent, a.ID, at(150)),
			msg(a1, kesher.Outbound, kesher.AuthorAgent, a.ID, at(160)), // the same conversation again
			msg(a2, kesher.Outbound, kesher.AuthorAgent, a.ID, since),   // at the start counts
			msg(b1, kesher.Outbound, kesher.AuthorAgent, a.ID, at(99)),  // before it does not
			msg(b1, kesher.Note, kesher.AuthorAgent, a.ID, at(200)),     // nor a note
			msg(b1, kesher.Outbound, kesher.AuthorSystem, "", at(200)),  // nor the system's reply
			msg(b1, kesher.Inbound, kesher.AuthorCustomer, cust.ID, at(200)),
			msg(nobody, kesher.Outbound, kesher.AuthorAgent, b.ID, at(300)),
		} {
			if err := tx.CreateMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	resolved := func(e *kesher.Escalation) *kesher.Escalation { e.ResolvedAt = e.CreatedAt.Add(time.Minute); return e }
	createEscalations(t, db,
		resolved(newEscalation(a1.ID, at(120))),
		newEscalation(a1.ID, at(140)),         // a1 once only
		newEscalation(a2.ID, at(50)),          // before
		newEscalation(nobody.ID, at(150)),     // no owner
		resolved(newEscalation(b1.ID, since)), // at the start
	)
	handled, hard, err := db.WorkSince(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{a.ID: 2, b.ID: 1}; !cmp.Equal(want, handled) {
		t.Errorf("WorkSince handled: %s", cmp.Diff(want, handled))
	}
	if want := map[string]int{a.ID: 1, b.ID: 1}; !cmp.Equal(want, hard) {
		t.Errorf("WorkSince hard: %s", cmp.Diff(want, hard))
	}
}

func testTimers(t *testing.T, db *store.DB) {
	if _, ok, err := db.NextTimer(ctx); ok || err != nil {
		t.Errorf("NextTimer of an empty desk: ok %v, %v", ok, err)
	}
	cust := createCustomer(t, db, newCustomer("דנה כהן", t0))
	owner := createUser(t, db, "agent@example.com")
	sla := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, OwnerID: owner.ID, UpdatedAt: t0, SLA: slaClocks(at(30), at(40), nil)})
	promise := func(next time.Time) *kesher.Commitment {
		return &kesher.Commitment{ID: newID(), ConversationID: sla.ID, OwnerID: owner.ID, Text: "אחזור אליך מחר עד 12:00", DueAt: at(3600),
			State: kesher.CommitmentOpen, CreatedBy: owner.ID, CreatedAt: t0, NextTimerAt: next}
	}
	early, tied, late, none := promise(at(10)), promise(at(20)), promise(at(1000)), promise(time.Time{})
	createCommitments(t, db, early, tied, late, none)
	esc := newEscalation(sla.ID, at(20).Add(-30*time.Minute)) // due at(20), as tied
	createEscalations(t, db, esc)
	// tied and esc are due at the same time: id breaks the tie.
	byTime := []kesher.Timer{
		{Kind: kesher.TimerCommitment, ID: early.ID, DueAt: at(10)},
		{Kind: kesher.TimerCommitment, ID: tied.ID, DueAt: at(20)},
		{Kind: kesher.TimerEscalation, ID: esc.ID, DueAt: at(20)},
		{Kind: kesher.TimerSLA, ID: sla.ID, DueAt: at(30)},
		{Kind: kesher.TimerCommitment, ID: late.ID, DueAt: at(1000)},
	}
	for _, tt := range []struct {
		now   time.Time
		limit int
		want  []kesher.Timer
	}{
		{at(9), 10, nil},
		{at(10), 10, byTime[:1]},
		{at(30), 10, byTime[:4]},
		{at(30), 2, byTime[:2]},
		{at(30), 3, byTime[:3]},
		{at(5000), 10, byTime},
	} {
		if got, err := db.DueTimers(ctx, tt.now, tt.limit); err != nil || !cmp.Equal(tt.want, got) {
			t.Errorf("DueTimers(%v, %d): %s, %v", tt.now.Sub(t0), tt.limit, cmp.Diff(tt.want, got), err)
		}
	}
	if got, ok, err := db.NextTimer(ctx); err != nil || !ok || !cmp.Equal(got, byTime[0]) {
		t.Errorf("NextTimer = %v, %v, %v; want %v", got, ok, err, byTime[0])
	}
	_, err := db.DueTimers(ctx, at(30), 0)
	wantField(t, "DueTimers with limit 0", err, "limit")

	claim := func(tm kesher.Timer) bool {
		t.Helper()
		var won bool
		write(t, db, func(tx kesher.Tx) error {
			var err error
			won, err = tx.ClaimTimer(ctx, tm)
			return err
		})
		return won
	}
	for _, tm := range byTime[:4] {
		if !claim(tm) {
			t.Errorf("the first claim of %v failed", tm)
		}
		if claim(tm) {
			t.Errorf("%v was claimed twice", tm)
		}
	}
	if got, ok, err := db.NextTimer(ctx); err != nil || !ok || !cmp.Equal(got, byTime[4]) {
		t.Errorf("NextTimer after the claims = %v, %v, %v; want %v", got, ok, err, byTime[4])
	}
	stale := byTime[4]
	stale.DueAt = at(999)
	if claim(stale) {
		t.Errorf("a claim with a stale due time won")
	}
	for _, tm := range []kesher.Timer{{Kind: kesher.TimerCommitment, ID: none.ID}, {Kind: kesher.TimerCommitment, ID: "missing", DueAt: at(10)}} {
		if claim(tm) {
			t.Errorf("claimed %v, which is no timer", tm)
		}
	}
	// The claimer saves the row, which sets its next time.
	early.NextTimerAt = at(50)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateCommitment(ctx, early) })
	want := []kesher.Timer{{Kind: kesher.TimerCommitment, ID: early.ID, DueAt: at(50)}}
	if got, err := db.DueTimers(ctx, at(100), 10); err != nil || !cmp.Equal(want, got) {
		t.Errorf("DueTimers after the save: %s, %v", cmp.Diff(want, got), err)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error {
		_, err := tx.ClaimTimer(ctx, kesher.Timer{Kind: "alarm", ID: early.ID, DueAt: at(50)})
		return err
	})
	wantField(t, "ClaimTimer of an unknown kind", err, "kind")
}

// TestTimerClaimsAcrossNodes races claims of one timer through several
// nodes: one wins and, while its transaction lasts, holds the row; the
// others wait for it (on PostgreSQL each on the row lock, which the test
// sees before letting the winner go on), then find the timer moved.
func TestTimerClaimsAcrossNodes(t *testing.T) {
	const nodes, racers = 4, 8
	acrossNodes(t, nodes, func(t *testing.T, dbs []*store.DB) {
		db := dbs[0]
		cust := createCustomer(t, db, newCustomer("דנה כהן", t0))
		owner := createUser(t, db, "agent@example.com")
		conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, OwnerID: owner.ID, UpdatedAt: t0})
		c := &kesher.Commitment{ID: newID(), ConversationID: conv.ID, OwnerID: owner.ID, Text: "אחזור אליך מחר עד 12:00", DueAt: at(3600),
			State: kesher.CommitmentOpen, CreatedBy: owner.ID, CreatedAt: t0, NextTimerAt: at(10)}
		createCommitments(t, db, c)
		timer := kesher.Timer{Kind: kesher.TimerCommitment, ID: c.ID, DueAt: at(10)}

		// won has room for every racer, so that a second winner (the bug
		// this looks for) is counted rather than blocking.
		won, release := make(chan struct{}, racers), make(chan struct{})
		var wins, lost atomic.Int32
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				err := dbs[i%nodes].Write(ctx, func(tx kesher.Tx) error {
					ok, err := tx.ClaimTimer(ctx, timer)
					if err != nil || !ok {
						lost.Add(1)
						return err
					}
					wins.Add(1)
					won <- struct{}{}
					<-release
					moved := *c
					moved.NextTimerAt = at(20)
					return tx.UpdateCommitment(ctx, &moved)
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		<-won
		if db.Dialect() == "postgres" {
			// The losers do not wait for the winner's lock: they skip the
			// row it holds and claim nothing, while it still holds it.
			waitForClaims(t, &lost, racers-1)
		}
		close(release)
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Errorf("%d of %d claims won, want exactly one", n, racers)
		}
		if got, err := db.Commitment(ctx, c.ID); err != nil || !got.NextTimerAt.Equal(at(20)) {
			t.Errorf("the commitment after the race: %+v, %v; want its timer moved to 20s by the one winner", got, err)
		}
	})
}

// waitForClaims waits until n claims have come back empty.
func waitForClaims(t *testing.T, lost *atomic.Int32, n int32) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for lost.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d claims came back while the winner held the row, want %d: a claim waits for the lock", lost.Load(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testPlans asks the database how it runs the watchdog's lists, the timers
// and the load queries: each must read the index made for it, no table in
// full, and, for a list, must sort no more than the rows a range of an
// index returned (SQLite sorts what each branch of a UNION ALL returns, at
// most a page, before merging them). The tables are empty; on PostgreSQL
// sequential scans are off (see Explain), so that the plans say what the
// indexes can serve rather than what suits a few rows.
func testPlans(t *testing.T, db *store.DB) {
	const cursor = "MTIzLGlk" // a well-formed cursor: "123,id"
	type call struct {
		name    string
		run     func(q kesher.Queries) error
		indexes []string
		ordered bool // a list, read in the index's order
	}
	var calls []call
	// The unowned list is the inbox's, a range per status: of
	// conversations_status_owner, or, on PostgreSQL without statistics,
	// of conversations_status, filtered; the name covers both.
	watchIndexes := map[kesher.WatchKind]string{
		kesher.WatchUnowned: "conversations_status", kesher.WatchWaiting: "conversations_waiting",
		kesher.WatchSLAAtRisk: "conversations_sla_risk", kesher.WatchSLABreached: "conversations_sla_risk",
		kesher.WatchHandoffs3Plus: "conversations_handoffs", kesher.WatchReopened: "conversations_reopened",
		kesher.WatchEscalated: "conversations_escalated",
	}
	for kind, index := range watchIndexes {
		calls = append(calls,
			call{"Watch " + string(kind), func(q kesher.Queries) error { _, _, err := q.Watch(ctx, kind, kesher.Page{}); return err }, []string{index}, true},
			call{"Watch " + string(kind) + ", a later page", func(q kesher.Queries) error {
				_, _, err := q.Watch(ctx, kind, kesher.Page{Cursor: cursor})
				return err
			}, []string{index}, true},
			call{"CountWatch " + string(kind), func(q kesher.Queries) error { _, err := q.CountWatch(ctx, kind, 100); return err }, []string{index}, false})
	}
	timers := []string{"conversations_sla_timer", "commitments_timer", "escalations_timer"}
	due := kesher.CommitmentFilter{State: kesher.CommitmentDue, Now: t0, Window: time.Hour, Page: kesher.Page{Cursor: cursor}}
	overdue := kesher.CommitmentFilter{State: kesher.CommitmentOverdue, Now: t0}
	calls = append(calls,
		call{"DueTimers", func(q kesher.Queries) error { _, err := q.DueTimers(ctx, t0, 100); return err }, timers, true},
		call{"NextTimer", func(q kesher.Queries) error { _, _, err := q.NextTimer(ctx); return err }, timers, true},
		call{"Commitments due", func(q kesher.Queries) error { _, _, err := q.Commitments(ctx, due); return err }, []string{"commitments_open"}, true},
		call{"Commitments overdue", func(q kesher.Queries) error { _, _, err := q.Commitments(ctx, overdue); return err }, []string{"commitments_open"}, true},
		call{"CountCommitments overdue", func(q kesher.Queries) error { _, err := q.CountCommitments(ctx, overdue, 100); return err },
			[]string{"commitments_open"}, false},
		// The conversations of overdue commitments: the commitments first,
		// then each conversation by its key, never every unsolved one; the
		// few it finds are sorted.
		call{"CountCommitmentConversations overdue", func(q kesher.Queries) error {
			_, err := q.CountCommitmentConversations(ctx, overdue, 100)
			return err
		}, []string{"commitments_open"}, false},
		call{"CommitmentConversations overdue", func(q kesher.Queries) error {
			_, _, err := q.CommitmentConversations(ctx, overdue)
			return err
		}, []string{"commitments_open"}, false},
		call{"unread Notifications", func(q kesher.Queries) error {
			_, _, err := q.Notifications(ctx, "u", true, kesher.Page{Cursor: cursor})
			return err
		}, []string{"notifications_unread"}, true},
		call{"CountUnread", func(q kesher.Queries) error { _, err := q.CountUnread(ctx, "u", 100); return err }, []string{"notifications_unread"}, false},
		call{"OpenCounts", func(q kesher.Queries) error { _, err := q.OpenCounts(ctx, []string{"a", "b"}); return err },
			[]string{"conversations_status_owner"}, false},
		call{"WorkSince", func(q kesher.Queries) error { _, _, err := q.WorkSince(ctx, t0); return err },
			[]string{"messages_agent_replies", "escalations_created"}, false},
		call{"CommitmentOutcomes", func(q kesher.Queries) error { _, _, err := q.CommitmentOutcomes(ctx, t0); return err },
			[]string{"commitments_resolved"}, false},
	)
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			plans, err := db.Explain(ctx, c.run)
			if err != nil || len(plans) == 0 {
				t.Fatalf("Explain: %d plans, %v", len(plans), err)
			}
			text := fmt.Sprint(plans)
			for _, index := range c.indexes {
				if !strings.Contains(text, index) {
					t.Errorf("the plan does not read %s:\n%s", index, text)
				}
			}
			for _, p := range plans {
				if bad := planDefect(db.Dialect(), p.Steps, c.ordered); bad != "" {
					t.Errorf("%s in the plan:\n%s", bad, p)
				}
			}
		})
	}
}

// planDefect returns the step of a plan that reads a table in full, or, for
// an ordered list, that sorts rows other than the output of a subquery's
// range scan, or "" when there is none.
func planDefect(dialect string, steps []string, ordered bool) string {
	if dialect == "postgres" {
		for _, s := range steps {
			if strings.Contains(s, "Seq Scan") || (ordered && strings.Contains(s, "Sort  (")) {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	subqueries := map[string]bool{}
	for i, s := range steps {
		s = strings.TrimSpace(s)
		if name, ok := strings.CutPrefix(s, "CO-ROUTINE "); ok {
			subqueries[name] = true
		}
		name, scan := strings.CutPrefix(s, "SCAN ")
		if scan && !strings.Contains(name, " USING ") && !subqueries[name] {
			return s
		}
		if ordered && s == "USE TEMP B-TREE FOR ORDER BY" {
			prev, _ := strings.CutPrefix(strings.TrimSpace(steps[i-1]), "SCAN ")
			if !subqueries[prev] {
				return s
			}
		}
	}
	return ""
}

// TestConversationChangesTakeTurns has two nodes change one conversation at
// once, each reading it and writing it back in its Write: the second waits
// for the first, so neither change is lost.
func TestConversationChangesTakeTurns(t *testing.T) {
	acrossNodes(t, 2, func(t *testing.T, dbs []*store.DB) {
		cust := createCustomer(t, dbs[0], newCustomer("דנה כהן", t0))
		conv := newConversation(t, dbs[0], &kesher.Conversation{CustomerID: cust.ID, Subject: "משלוח", UpdatedAt: t0})
		read, release := make(chan struct{}), make(chan struct{})
		appendToSubject := func(db *store.DB, suffix string, hold bool) error {
			return db.Write(ctx, func(tx kesher.Tx) error {
				c, err := tx.Conversation(ctx, conv.ID)
				if err != nil {
					return err
				}
				if hold {
					close(read)
					<-release
				}
				c.Subject += suffix
				return tx.UpdateConversation(ctx, c)
			})
		}
		first := make(chan error, 1)
		go func() { first <- appendToSubject(dbs[0], " א", true) }()
		<-read
		second := make(chan error, 1)
		go func() { second <- appendToSubject(dbs[1], " ב", false) }()
		// The second node's Write must not finish while the first holds
		// the conversation.
		select {
		case err := <-second:
			t.Fatalf("the second change finished while the first held the conversation: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		close(release)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if err := <-second; err != nil {
			t.Fatal(err)
		}
		if got, err := dbs[1].Conversation(ctx, conv.ID); err != nil || got.Subject != "משלוח א ב" {
			t.Fatalf("subject after both changes = %q, %v; want both changes, in turn", got.Subject, err)
		}
	})
}
