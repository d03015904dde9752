package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"kesher"
	"kesher/internal/demo"
	"kesher/internal/store"
)

var now = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

func open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// all lists every conversation, ordered by ticket number.
func all(t *testing.T, q kesher.Queries) []*kesher.Conversation {
	t.Helper()
	var out []*kesher.Conversation
	f := kesher.ConversationFilter{Page: kesher.Page{Limit: kesher.MaxPageLimit}}
	for {
		items, next, err := q.Conversations(context.Background(), f)
		if err != nil {
			t.Fatalf("Conversations: %v", err)
		}
		out = append(out, items...)
		if next == "" {
			break
		}
		f.Page.Cursor = next
	}
	slices.SortFunc(out, func(a, b *kesher.Conversation) int { return int(a.Number - b.Number) })
	return out
}

func fill(t *testing.T, db *store.DB, seed int64) demo.Summary {
	t.Helper()
	start := time.Now()
	sum, err := demo.Fill(context.Background(), db, now, seed)
	if err != nil {
		t.Fatalf("Fill: %v", err)
	}
	t.Logf("Fill took %v: %+v", time.Since(start), sum)
	return sum
}

func TestFill(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	sum := fill(t, db, 1)
	if sum.AdminEmail == "" || len(sum.AdminPassword) < 16 {
		t.Errorf("admin credentials: %q / %q", sum.AdminEmail, sum.AdminPassword)
	}
	if sum.Customers < 60 || sum.Conversations < 300 {
		t.Errorf("summary too small: %+v", sum)
	}

	users, _, err := db.Users(ctx, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	roles := map[kesher.Role]int{}
	for _, u := range users {
		roles[u.Role]++
	}
	if roles[kesher.RoleAdmin] != 1 || roles[kesher.RoleLead] != 2 || roles[kesher.RoleAgent] < 8 {
		t.Errorf("roles = %v", roles)
	}

	reasons, _, err := db.Reasons(ctx, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	sources := map[kesher.Source]bool{}
	for _, r := range reasons {
		sources[r.Source] = true
	}
	for _, s := range kesher.Sources {
		if !sources[s] {
			t.Errorf("no reason with source %s", s)
		}
	}

	var customers []*kesher.Customer
	cf := kesher.CustomerFilter{Page: kesher.Page{Limit: kesher.MaxPageLimit}}
	for {
		items, next, err := db.Customers(ctx, cf)
		if err != nil {
			t.Fatal(err)
		}
		customers = append(customers, items...)
		if next == "" {
			break
		}
		cf.Page.Cursor = next
	}
	live, multi := 0, 0
	for _, c := range customers {
		if c.MergedInto == "" {
			live++
			if len(c.Identities) > 1 {
				multi++
			}
		}
	}
	if live < 60 || multi < 3 {
		t.Errorf("%d live customers, %d with several identities; want ≥ 60 and ≥ 3", live, multi)
	}
	if sum.Merges < 1 {
		t.Errorf("no customer merges")
	}

	convs := all(t, db)
	if len(convs) < 300 {
		t.Fatalf("%d conversations, want ≥ 300", len(convs))
	}
	channels := map[kesher.Channel]int{}
	statuses := map[kesher.Status]int{}
	hebrew, english, unownedOpen, maxHandoffs, noReason := 0, 0, 0, 0, 0
	for _, c := range convs {
		if c.CreatedAt.Before(now.Add(-90*24*time.Hour)) || c.CreatedAt.After(now) {
			t.Errorf("conversation %d created %v, outside the last 90 days", c.Number, c.CreatedAt)
		}
		channels[c.Channel]++
		statuses[c.Status]++
		if strings.ContainsFunc(c.Subject, func(r rune) bool { return unicode.Is(unicode.Hebrew, r) }) {
			hebrew++
		} else {
			english++
		}
		if c.Status == kesher.StatusOpen && c.OwnerID == "" {
			unownedOpen++
		}
		if c.Status.Unsolved() && c.Status != kesher.StatusOpen && c.OwnerID == "" {
			t.Errorf("conversation %d is %s without an owner", c.Number, c.Status)
		}
		if c.Reason == "" {
			noReason++
		}
		maxHandoffs = max(maxHandoffs, c.HandoffCount)
	}
	for _, ch := range kesher.Channels {
		if channels[ch] == 0 {
			t.Errorf("no conversation on channel %s", ch)
		}
	}
	if len(statuses) < 4 {
		t.Errorf("statuses = %v, want at least 4 kinds", statuses)
	}
	if hebrew < len(convs)/2 || english < len(convs)/5 {
		t.Errorf("%d Hebrew and %d English subjects", hebrew, english)
	}
	if unownedOpen < 3 {
		t.Errorf("%d unowned open conversations, want some", unownedOpen)
	}
	if maxHandoffs < 3 {
		t.Errorf("highest handoff_count %d, want ≥ 3", maxHandoffs)
	}
	t.Logf("channels %v, statuses %v, he %d en %d, unowned open %d, without reason %d", channels, statuses, hebrew, english, unownedOpen, noReason)

	// Agents' replies are attributed to agents, customers' to customers.
	msgs, _, err := db.Messages(ctx, convs[0].ID, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Direction != kesher.Inbound && (m.AuthorType != kesher.AuthorAgent || m.AuthorID == "") {
			t.Errorf("message %s (%s) by %s %q, want an agent", m.ID, m.Direction, m.AuthorType, m.AuthorID)
		}
		if m.CreatedAt.Before(convs[0].CreatedAt) || m.CreatedAt.After(now) {
			t.Errorf("message %s at %v, outside the conversation's life", m.ID, m.CreatedAt)
		}
	}

	// The demo's history never leaves the desk: nothing is queued to send.
	for _, state := range kesher.JobStates {
		if n, err := db.CountJobs(ctx, state); err != nil || n != 0 {
			t.Errorf("%d %s jobs after Fill (%v), want none", n, state, err)
		}
	}

	if _, err := demo.Fill(ctx, db, now, 1); err == nil {
		t.Error("a second Fill on the same database succeeded")
	}
}

func TestFillDeterministic(t *testing.T) {
	subjects := func(seed int64) []string {
		db := open(t)
		fill(t, db, seed)
		var out []string
		for _, c := range all(t, db) {
			out = append(out, c.Subject)
		}
		return out
	}
	a, b := subjects(7), subjects(7)
	if !slices.Equal(a, b) {
		t.Errorf("two runs with seed 7 differ")
	}
	if c := subjects(8); slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 made the same conversations")
	}
}
