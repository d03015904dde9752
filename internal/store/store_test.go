package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"kesher"
	"kesher/internal/store"
	"kesher/internal/testkit"
)

// The contract suite: every behaviour the desk relies on, run against each
// database, so that both behave alike.

func TestSQLite(t *testing.T) {
	runSuite(t, groupCommitOn, func(t testing.TB) *store.DB { return testkit.SQLite(t) })
}

func TestPostgres(t *testing.T) {
	if db := testkit.Postgres(t); db.Dialect() != "postgres" || len(db.Pools()) != 1 {
		t.Errorf("Dialect() = %q, Pools() = %v; want postgres and one pool", db.Dialect(), db.Pools())
	}
	runSuite(t, groupCommitOn, func(t testing.TB) *store.DB { return testkit.Postgres(t) })
}

// groupCommitOn says whether the stores a suite opens batch their writes;
// the batch test applies only to those.
type groupCommit bool

const (
	groupCommitOn  groupCommit = true
	groupCommitOff groupCommit = false
)

func runSuite(t *testing.T, gc groupCommit, open func(testing.TB) *store.DB) {
	type suiteTest struct {
		name string
		fn   func(*testing.T, *store.DB)
	}
	tests := []suiteTest{
		{"customers", testCustomers},
		{"identity conflict", testIdentityConflict},
		{"customer search", testCustomerSearch},
		{"merge", testMerge},
		{"conversations", testConversations},
		{"conversation filters", testConversationFilters},
		{"conversation pages", testConversationPages},
		{"bad cursors", testBadCursors},
		{"messages", testMessages},
		{"events and timeline", testEventsAndTimeline},
		{"users and tokens", testUsersAndTokens},
		{"teams", testTeams},
		{"reasons", testReasons},
		{"idempotency", testIdempotency},
		{"ticket numbers", testTicketNumbers},
		{"writes are atomic", testWriteAtomic},
		{"group commit isolates failures", testGroupCommitIsolation},
		{"conversation counts", testConversationCounts},
		{"waiting since", testWaitingSince},
		{"tags", testTags},
		{"sessions", testSessions},
		{"email proofs", testEmailProofs},
		{"customer sessions", testCustomerSessions},
		{"last portal sign-in", testLastPortalSignIn},
		{"chat visitors", testChatVisitors},
		{"first user", testFirstUser},
		{"jobs", testJobs},
		{"job claims", testJobClaims},
		{"job transitions", testJobTransitions},
		{"outbox is atomic", testOutboxAtomic},
		{"mailboxes", testMailboxes},
		{"IMAP state", testIMAPState},
		{"blobs", testBlobs},
		{"message email and delivery", testMessageEmail},
		{"conversation by number", testConversationByNumber},
		{"email threads", testEmailThreads},
		{"email receipts", testEmailReceipts},
		{"conversation SLA and ownership fields", testConversationSLA},
		{"team lead and calendar", testTeamLeadAndCalendar},
		{"user capacity and last seen", testUserCapacity},
		{"calendars", testCalendars},
		{"SLA policies", testSLAPolicies},
		{"assignment rules", testAssignmentRules},
		{"commitments", testCommitments},
		{"escalations", testEscalations},
		{"notifications", testNotifications},
		{"watchdog lists", testWatch},
		{"agent load", testAgentLoad},
		{"timers", testTimers},
		{"query plans of ownership", testPlans},
		{"search matches as the reference does", testSearch},
		{"search follows changes", testSearchChanges},
		{"search documents of one microsecond", testSearchSameMicrosecond},
		{"search deeper than one window", testSearchDeep},
		{"article categories and sections", testArticleCategories},
		{"articles", testArticles},
		{"article revisions", testArticleRevisions},
		{"article images", testArticleImages},
		{"help centre activity", testHelpActivity},
		{"calls", testCalls},
		{"channel accounts", testChannelAccounts},
		{"messaging threads", testMessagingThreads},
		{"surveys", testSurveys},
		{"survey responses", testSurveyResponses},
	}
	if gc {
		tests = append(tests, suiteTest{"group commit batch", testGroupCommitBatch})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
)

var lastID atomic.Int64

// newID returns IDs that sort in the order they were made, across parallel
// tests too; kesher.NewID orders only the IDs of one millisecond, and the
// tests make many IDs for one fixed time.
func newID() string { return fmt.Sprintf("id%012d", lastID.Add(1)) }

// at returns t0 plus n seconds.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

func write(t *testing.T, db *store.DB, fn func(kesher.Tx) error) {
	t.Helper()
	if err := db.Write(ctx, fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := kesher.ErrorCode(err); got != code {
		t.Errorf("%s: error %v, want code %q", what, err, code)
	}
}

func newCustomer(name string, created time.Time, ids ...kesher.Identity) *kesher.Customer {
	c := &kesher.Customer{ID: newID(), Name: name, Language: "he", Identities: ids, CreatedAt: created, UpdatedAt: created}
	for i := range c.Identities {
		c.Identities[i].ID = newID()
		c.Identities[i].CustomerID = c.ID
		c.Identities[i].CreatedAt = created
	}
	if c.Identities == nil {
		c.Identities = []kesher.Identity{}
	}
	return c
}

func email(v string) kesher.Identity { return kesher.Identity{Kind: kesher.IdentityEmail, Value: v} }
func phone(v string) kesher.Identity { return kesher.Identity{Kind: kesher.IdentityPhone, Value: v} }

func createCustomer(t *testing.T, db *store.DB, c *kesher.Customer) *kesher.Customer {
	t.Helper()
	write(t, db, func(tx kesher.Tx) error { return tx.CreateCustomer(ctx, c) })
	return c
}

func newConversation(t *testing.T, db *store.DB, c *kesher.Conversation) *kesher.Conversation {
	t.Helper()
	if c.ID == "" {
		c.ID = newID()
	}
	c.Status = orDefault(c.Status, kesher.StatusOpen)
	c.Priority = orDefault(c.Priority, kesher.PriorityNormal)
	c.Channel = orDefault(c.Channel, kesher.ChannelEmail)
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = c.UpdatedAt
	}
	write(t, db, func(tx kesher.Tx) error {
		n, err := tx.NextConversationNumber(ctx)
		if err != nil {
			return err
		}
		c.Number = n
		return tx.CreateConversation(ctx, c)
	})
	return c
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func createUser(t *testing.T, db *store.DB, emailAddr string) *kesher.User {
	t.Helper()
	u := &kesher.User{ID: newID(), Email: emailAddr, Name: "משתמש " + emailAddr, Role: kesher.RoleAgent, Active: true,
		Availability: kesher.Online, Language: "he", PasswordHash: "hash", TeamIDs: []string{}, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.CreateUser(ctx, u) })
	return u
}

func testCustomers(t *testing.T, db *store.DB) {
	c := createCustomer(t, db, newCustomer("דנה כהן", t0, email("dana@example.com"), phone("+972501234567")))
	got, err := db.Customer(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("Customer round trip (-want +got):\n%s", diff)
	}
	byPhone, err := db.CustomerByIdentity(ctx, kesher.IdentityPhone, "+972501234567")
	if err != nil || byPhone.ID != c.ID || len(byPhone.Identities) != 2 {
		t.Errorf("CustomerByIdentity = %+v, %v; want %s with 2 identities", byPhone, err, c.ID)
	}
	_, err = db.CustomerByIdentity(ctx, kesher.IdentityEmail, "+972501234567")
	wantCode(t, "identity of another kind", err, kesher.ECodeNotFound)
	_, err = db.Customer(ctx, "missing")
	wantCode(t, "missing customer", err, kesher.ECodeNotFound)

	c.Name, c.Note, c.UpdatedAt = "Dana Cohen", "VIP", at(10)
	extra := kesher.Identity{ID: newID(), CustomerID: c.ID, Kind: kesher.IdentityTelegram, Value: "dana", CreatedAt: at(10)}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		if err := tx.AddIdentity(ctx, &extra); err != nil {
			return err
		}
		return tx.RemoveIdentity(ctx, c.ID, c.Identities[1].ID)
	})
	got, err = db.Customer(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	c.Identities = []kesher.Identity{c.Identities[0], extra}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.RemoveIdentity(ctx, "other-customer", extra.ID) })
	wantCode(t, "RemoveIdentity of another customer", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateCustomer(ctx, &kesher.Customer{ID: "missing"}) })
	wantCode(t, "UpdateCustomer of a missing customer", err, kesher.ECodeNotFound)
}

func testIdentityConflict(t *testing.T, db *store.DB) {
	first := createCustomer(t, db, newCustomer("First", t0, email("same@example.com")))
	second := newCustomer("Second", at(1), email("other@example.com"), email("same@example.com"))
	err := db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateCustomer(ctx, second) })
	wantCode(t, "second customer with a taken email", err, kesher.ECodeConflict)
	_, err = db.Customer(ctx, second.ID)
	wantCode(t, "the rolled-back customer", err, kesher.ECodeNotFound)
	_, err = db.CustomerByIdentity(ctx, kesher.IdentityEmail, "other@example.com")
	wantCode(t, "the rolled-back identity", err, kesher.ECodeNotFound)

	// A conflict handled inside the transaction leaves it usable (this is
	// what an aborted PostgreSQL transaction would break).
	write(t, db, func(tx kesher.Tx) error {
		dup := kesher.Identity{ID: newID(), CustomerID: first.ID, Kind: kesher.IdentityEmail, Value: "same@example.com", CreatedAt: t0}
		if err := tx.AddIdentity(ctx, &dup); kesher.ErrorCode(err) != kesher.ECodeConflict {
			return fmt.Errorf("AddIdentity of a taken identity: %v, want conflict", err)
		}
		_, err := tx.Customer(ctx, first.ID)
		return err
	})
	// The same value under another kind is another identity.
	ext := kesher.Identity{ID: newID(), CustomerID: first.ID, Kind: kesher.IdentityExternal, Value: "same@example.com", CreatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.AddIdentity(ctx, &ext) })
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func customerID(c *kesher.Customer) string         { return c.ID }
func conversationID(c *kesher.Conversation) string { return c.ID }

func testCustomerSearch(t *testing.T, db *store.DB) {
	dana := createCustomer(t, db, newCustomer("דנה כהן", at(1), email("dana@example.com"), phone("+972501234567")))
	moshe := createCustomer(t, db, newCustomer("Moshe COHEN", at(2), email("moshe@example.org")))
	percent := createCustomer(t, db, newCustomer("100% Cotton_Ltd", at(3), phone("+972521111111")))
	merged := createCustomer(t, db, newCustomer("דנה כהן הישנה", at(4)))
	merged.MergedInto, merged.UpdatedAt = dana.ID, at(5)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateCustomer(ctx, merged) })

	tests := []struct {
		query string
		want  []*kesher.Customer
	}{
		{"", []*kesher.Customer{percent, moshe, dana}},
		{"כהן", []*kesher.Customer{dana}},
		{"דנה", []*kesher.Customer{dana}},
		{"cohen", []*kesher.Customer{moshe}},
		{"COH", []*kesher.Customer{moshe}},
		{"+97250", []*kesher.Customer{dana}},
		{"+9725", []*kesher.Customer{percent, dana}},
		{"moshe@", []*kesher.Customer{moshe}},
		{"example.com", nil}, // identities match by prefix only
		{"%", []*kesher.Customer{percent}},
		{"o_t", nil}, // _ is a literal underscore, not a wildcard
		{"n_ltd", []*kesher.Customer{percent}},
		{"nobody", nil},
	}
	for _, tt := range tests {
		got, next, err := db.Customers(ctx, kesher.CustomerFilter{Query: tt.query})
		if err != nil {
			t.Errorf("Customers(%q): %v", tt.query, err)
			continue
		}
		if diff := cmp.Diff(ids(tt.want, customerID), ids(got, customerID)); diff != "" || next != "" {
			t.Errorf("Customers(%q) next %q (-want +got):\n%s", tt.query, next, diff)
		}
	}
	got, _, err := db.Customers(ctx, kesher.CustomerFilter{Query: "דנה"})
	if err != nil || len(got) != 1 || len(got[0].Identities) != 2 {
		t.Errorf("search results carry their identities: %+v, %v", got, err)
	}
	// Pages of one visit every customer once.
	seen := ids(allPages(t, 1, func(p kesher.Page) ([]*kesher.Customer, string, error) {
		return db.Customers(ctx, kesher.CustomerFilter{Page: p})
	}), customerID)
	if diff := cmp.Diff([]string{percent.ID, moshe.ID, dana.ID}, seen); diff != "" {
		t.Errorf("customer pages (-want +got):\n%s", diff)
	}
}

func testMerge(t *testing.T, db *store.DB) {
	from := createCustomer(t, db, newCustomer("Old", t0, email("old@example.com")))
	into := createCustomer(t, db, newCustomer("New", t0, email("new@example.com")))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: from.ID, UpdatedAt: at(1)})
	ev := &kesher.Event{ID: newID(), Type: kesher.EventCustomerUpdated, CustomerID: from.ID, ActorType: kesher.AuthorSystem, CreatedAt: at(1)}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.AppendEvent(ctx, ev); err != nil {
			return err
		}
		return tx.MoveCustomerData(ctx, from.ID, into.ID)
	})
	got, err := db.CustomerByIdentity(ctx, kesher.IdentityEmail, "old@example.com")
	if err != nil || got.ID != into.ID || len(got.Identities) != 2 {
		t.Errorf("identity after merge belongs to %+v, %v; want %s with 2 identities", got, err, into.ID)
	}
	c, err := db.Conversation(ctx, conv.ID)
	if err != nil || c.CustomerID != into.ID {
		t.Errorf("conversation after merge: %+v, %v", c, err)
	}
	tl, _, err := db.Timeline(ctx, into.ID, kesher.Page{})
	if err != nil || len(tl) != 1 || tl[0].ID != ev.ID {
		t.Errorf("timeline of the merged-into customer: %+v, %v", tl, err)
	}
	old, err := db.Customer(ctx, from.ID)
	if err != nil || len(old.Identities) != 0 {
		t.Errorf("merged customer keeps identities: %+v, %v", old, err)
	}
}

func testConversations(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("Dana", t0))
	owner := createUser(t, db, "agent@example.com")
	c := newConversation(t, db, &kesher.Conversation{Subject: "ההזמנה לא הגיעה", CustomerID: cust.ID, Tags: []string{"vip", "משלוח"},
		UpdatedAt: at(1), Excerpt: "שלום", MessageCount: 1, LastMessageAt: at(1)})
	got, err := db.Conversation(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("Conversation round trip (-want +got):\n%s", diff)
	}
	unowned, _, err := db.Conversations(ctx, kesher.ConversationFilter{OwnerIDs: []string{kesher.NoOwner}})
	if err != nil || len(unowned) != 1 {
		t.Errorf("an empty owner is no owner: %v, %v", unowned, err)
	}

	c.OwnerID, c.Status, c.Tags, c.HandoffCount, c.SolvedAt, c.UpdatedAt = owner.ID, kesher.StatusSolved, []string{"משלוח", "refund"}, 1, at(5), at(5)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateConversation(ctx, c) })
	got, err = db.Conversation(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	for tag, want := range map[string]int{"vip": 0, "refund": 1, "משלוח": 1} {
		list, _, err := db.Conversations(ctx, kesher.ConversationFilter{Tags: []string{tag}})
		if err != nil || len(list) != want {
			t.Errorf("tag %q after update: %d conversations (%v), want %d", tag, len(list), err, want)
		}
	}
	c.OwnerID = ""
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateConversation(ctx, c) })
	if got, _ := db.Conversation(ctx, c.ID); got == nil || got.OwnerID != "" {
		t.Errorf("owner after clearing: %+v", got)
	}

	_, err = db.Conversation(ctx, "missing")
	wantCode(t, "missing conversation", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.UpdateConversation(ctx, &kesher.Conversation{ID: "missing", CustomerID: cust.ID, Tags: []string{}})
	})
	wantCode(t, "UpdateConversation of a missing conversation", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		dup := *c
		return tx.CreateConversation(ctx, &dup)
	})
	wantCode(t, "CreateConversation twice", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.CreateConversation(ctx, &kesher.Conversation{ID: newID(), Number: 999, CustomerID: cust.ID, OwnerID: "no-such-user"})
	})
	wantCode(t, "CreateConversation with a missing owner", err, kesher.ECodeNotFound)
}

// conversationSet seeds conversations with every combination the filters
// distinguish, some sharing an updated_at, and returns them.
func conversationSet(t *testing.T, db *store.DB) (all []*kesher.Conversation, owners []string, teams []string, customers []string) {
	for i := range 2 {
		owners = append(owners, createUser(t, db, fmt.Sprintf("agent%d@example.com", i)).ID)
		team := &kesher.Team{ID: newID(), Name: fmt.Sprintf("team %d", i), MemberIDs: []string{}, CreatedAt: t0, UpdatedAt: t0}
		write(t, db, func(tx kesher.Tx) error { return tx.CreateTeam(ctx, team) })
		teams = append(teams, team.ID)
		customers = append(customers, createCustomer(t, db, newCustomer(fmt.Sprintf("customer %d", i), t0)).ID)
	}
	write(t, db, func(tx kesher.Tx) error {
		return tx.CreateReason(ctx, &kesher.Reason{Code: "late", Name: "Late", Source: kesher.SourceDelivery, Active: true, CreatedAt: t0, UpdatedAt: t0})
	})
	statuses := []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusSolved}
	tagSets := [][]string{{}, {"vip"}, {"vip", "refund"}}
	for i := range 36 {
		all = append(all, newConversation(t, db, &kesher.Conversation{
			Status:     statuses[i%3],
			OwnerID:    []string{"", owners[0], owners[1]}[i/3%3],
			TeamID:     []string{"", teams[0], teams[1]}[i%2*(1+i/6%2)],
			Channel:    []kesher.Channel{kesher.ChannelEmail, kesher.ChannelChat}[i/2%2],
			Priority:   []kesher.Priority{kesher.PriorityNormal, kesher.PriorityUrgent}[i/9%2],
			Reason:     []string{"", "late"}[i/4%2],
			CustomerID: customers[i/5%2],
			Tags:       tagSets[i/7%3],
			UpdatedAt:  at(i / 4), // four at a time share a timestamp
		}))
	}
	return all, owners, teams, customers
}

// matches is the filter's meaning, written plainly, as the oracle.
func matches(f kesher.ConversationFilter, c *kesher.Conversation) bool {
	in := func(vals []string, v string) bool { return len(vals) == 0 || slices.Contains(vals, v) }
	owner := c.OwnerID
	if owner == "" {
		owner = kesher.NoOwner
	}
	for _, tag := range f.Tags {
		if !slices.Contains(c.Tags, tag) {
			return false
		}
	}
	return in(asStrings(f.Statuses), string(c.Status)) && in(f.OwnerIDs, owner) && in(f.TeamIDs, c.TeamID) &&
		in(asStrings(f.Channels), string(c.Channel)) && in(asStrings(f.Priorities), string(c.Priority)) &&
		in(f.Reasons, c.Reason) && (f.CustomerID == "" || f.CustomerID == c.CustomerID) &&
		(f.UpdatedAfter.IsZero() || c.UpdatedAt.After(f.UpdatedAfter))
}

func asStrings[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

func newestFirst(cs []*kesher.Conversation) []string {
	cs = slices.Clone(cs)
	sort.Slice(cs, func(i, j int) bool {
		if !cs[i].UpdatedAt.Equal(cs[j].UpdatedAt) {
			return cs[i].UpdatedAt.After(cs[j].UpdatedAt)
		}
		return cs[i].ID > cs[j].ID
	})
	return ids(cs, conversationID)
}

func testConversationFilters(t *testing.T, db *store.DB) {
	all, owners, teams, customers := conversationSet(t, db)
	open, pending := kesher.StatusOpen, kesher.StatusPending
	tests := []struct {
		name string
		f    kesher.ConversationFilter
	}{
		{"all", kesher.ConversationFilter{}},
		{"inbox: open, mine or unowned", kesher.ConversationFilter{Statuses: []kesher.Status{open}, OwnerIDs: []string{owners[0], kesher.NoOwner}}},
		{"one status", kesher.ConversationFilter{Statuses: []kesher.Status{pending}}},
		{"several statuses", kesher.ConversationFilter{Statuses: []kesher.Status{open, pending}}},
		{"unowned", kesher.ConversationFilter{OwnerIDs: []string{kesher.NoOwner}}},
		{"one owner", kesher.ConversationFilter{OwnerIDs: []string{owners[1]}}},
		{"two owners, two statuses", kesher.ConversationFilter{Statuses: []kesher.Status{open, pending}, OwnerIDs: owners}},
		{"team", kesher.ConversationFilter{TeamIDs: teams[:1]}},
		{"teams and status", kesher.ConversationFilter{TeamIDs: teams, Statuses: []kesher.Status{open}}},
		{"channel", kesher.ConversationFilter{Channels: []kesher.Channel{kesher.ChannelChat}}},
		{"priority", kesher.ConversationFilter{Priorities: []kesher.Priority{kesher.PriorityUrgent}}},
		{"reason", kesher.ConversationFilter{Reasons: []string{"late"}}},
		{"customer", kesher.ConversationFilter{CustomerID: customers[1]}},
		{"one tag", kesher.ConversationFilter{Tags: []string{"vip"}}},
		{"every tag", kesher.ConversationFilter{Tags: []string{"vip", "refund"}}},
		{"updated after", kesher.ConversationFilter{UpdatedAfter: at(5)}},
		{"everything at once", kesher.ConversationFilter{Statuses: []kesher.Status{open, pending}, OwnerIDs: []string{owners[0], kesher.NoOwner},
			Channels: []kesher.Channel{kesher.ChannelEmail}, Tags: []string{"vip"}, UpdatedAfter: at(1)}},
		{"repeated values", kesher.ConversationFilter{Statuses: []kesher.Status{open, open}, OwnerIDs: []string{kesher.NoOwner, kesher.NoOwner}}},
		{"nothing matches", kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusClosed}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []*kesher.Conversation
			for _, c := range all {
				if matches(tt.f, c) {
					want = append(want, c)
				}
			}
			tt.f.Page.Limit = kesher.MaxPageLimit
			got, next, err := db.Conversations(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(newestFirst(want), ids(got, conversationID)); diff != "" || next != "" {
				t.Errorf("next %q (-want +got):\n%s", next, diff)
			}
			if tt.name != "nothing matches" && len(want) == 0 {
				t.Error("the case selects nothing, so it proves nothing")
			}
		})
	}
}

func testConversationPages(t *testing.T, db *store.DB) {
	all, owners, _, _ := conversationSet(t, db)
	for _, f := range []kesher.ConversationFilter{
		{},
		{Statuses: []kesher.Status{kesher.StatusOpen, kesher.StatusSolved}, OwnerIDs: []string{owners[0], kesher.NoOwner}},
	} {
		var want []*kesher.Conversation
		for _, c := range all {
			if matches(f, c) {
				want = append(want, c)
			}
		}
		for _, limit := range []int{1, 3, 4, 7} {
			f.Page = kesher.Page{Limit: limit}
			var seen []string
			for range len(all) + 1 {
				page, next, err := db.Conversations(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit {
					t.Fatalf("a page of %d items with limit %d", len(page), limit)
				}
				seen = append(seen, ids(page, conversationID)...)
				if next == "" {
					break
				}
				f.Page.Cursor = next
			}
			if diff := cmp.Diff(newestFirst(want), seen); diff != "" {
				t.Errorf("limit %d, filter %+v (-want +got):\n%s", limit, f, diff)
			}
		}
	}
	got, _, err := db.Conversations(ctx, kesher.ConversationFilter{})
	if err != nil || len(got) != kesher.DefaultPageLimit && len(got) != len(all) {
		t.Errorf("default page: %d items, %v", len(got), err)
	}
}

func testBadCursors(t *testing.T, db *store.DB) {
	for _, cursor := range []string{"!!!", "bm90LWEtbnVtYmVy", "MTIz"} { // not base64; "not-a-number"; "123" without id
		p := kesher.Page{Cursor: cursor}
		checks := map[string]error{}
		_, _, checks["Conversations"] = db.Conversations(ctx, kesher.ConversationFilter{Page: p})
		_, _, checks["Customers"] = db.Customers(ctx, kesher.CustomerFilter{Page: p})
		_, _, checks["Messages"] = db.Messages(ctx, "c", p)
		_, _, checks["Events"] = db.Events(ctx, "c", p)
		_, _, checks["Timeline"] = db.Timeline(ctx, "c", p)
		for name, err := range checks {
			var e *kesher.Error
			if kesher.ErrorCode(err) != kesher.ECodeValidation || !asError(err, &e) || e.Fields["cursor"] == "" {
				t.Errorf("%s with cursor %q: %v, want a validation error on cursor", name, cursor, err)
			}
		}
	}
	_, _, err := db.Users(ctx, kesher.Page{Cursor: "!!!"})
	wantCode(t, "Users with a bad cursor", err, kesher.ECodeValidation)
}

func asError(err error, e **kesher.Error) bool {
	var ok bool
	*e, ok = err.(*kesher.Error)
	return ok
}

func testMessages(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("Dana", t0))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, UpdatedAt: t0})
	var want []*kesher.Message
	write(t, db, func(tx kesher.Tx) error {
		for i := range 7 {
			m := &kesher.Message{
				ID: newID(), ConversationID: conv.ID, Direction: kesher.Inbound, Channel: kesher.ChannelEmail,
				AuthorType: kesher.AuthorCustomer, AuthorID: cust.ID, BodyText: fmt.Sprintf("הודעה %d", i), BodyHTML: "<p>שלום</p>",
				Attachments: []kesher.Attachment{}, CreatedAt: at(i / 2), // pairs share a timestamp
			}
			if i == 3 {
				m.Attachments = []kesher.Attachment{{Filename: "חשבונית.pdf", ContentType: "application/pdf", Size: 1234, SHA256: "ab12"}}
				m.ExternalID = "<abc@mail.example.com>"
			}
			if err := tx.CreateMessage(ctx, m); err != nil {
				return err
			}
			want = append(want, m)
		}
		return nil
	})
	got := allPages(t, 3, func(p kesher.Page) ([]*kesher.Message, string, error) { return db.Messages(ctx, conv.ID, p) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Messages, oldest first (-want +got):\n%s", diff)
	}
	m, err := db.MessageByExternalID(ctx, kesher.ChannelEmail, "<abc@mail.example.com>")
	if err != nil || m.ID != want[3].ID {
		t.Errorf("MessageByExternalID = %+v, %v", m, err)
	}
	_, err = db.MessageByExternalID(ctx, kesher.ChannelChat, "<abc@mail.example.com>")
	wantCode(t, "external id on another channel", err, kesher.ECodeNotFound)
	_, err = db.MessageByExternalID(ctx, kesher.ChannelEmail, "")
	wantCode(t, "empty external id", err, kesher.ECodeNotFound)

	dup := *want[3]
	dup.ID = newID()
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateMessage(ctx, &dup) })
	wantCode(t, "a second message with the same external id", err, kesher.ECodeConflict)
	dup.Channel = kesher.ChannelChat
	write(t, db, func(tx kesher.Tx) error { return tx.CreateMessage(ctx, &dup) }) // another channel's ids are its own
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.CreateMessage(ctx, &kesher.Message{ID: newID(), ConversationID: "missing", CreatedAt: t0})
	})
	wantCode(t, "a message of a missing conversation", err, kesher.ECodeNotFound)
}

func testEventsAndTimeline(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("Dana", t0))
	other := createCustomer(t, db, newCustomer("Other", t0))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, UpdatedAt: t0})
	msg := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: kesher.Inbound, Channel: kesher.ChannelEmail,
		AuthorType: kesher.AuthorCustomer, BodyText: "שלום", Attachments: []kesher.Attachment{}, CreatedAt: at(1)}
	events := []*kesher.Event{
		{Type: kesher.EventCustomerCreated, CustomerID: cust.ID, CreatedAt: t0},
		{Type: kesher.EventConversationCreated, ConversationID: conv.ID, CustomerID: cust.ID, CreatedAt: at(1)},
		{Type: kesher.EventMessageAdded, ConversationID: conv.ID, CustomerID: cust.ID, MessageID: msg.ID, CreatedAt: at(1)},
		{Type: kesher.EventOwnerChanged, ConversationID: conv.ID, CustomerID: cust.ID, ActorID: "someone", CreatedAt: at(2)},
		{Type: kesher.EventCustomerCreated, CustomerID: other.ID, CreatedAt: at(3)},
	}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.CreateMessage(ctx, msg); err != nil {
			return err
		}
		for i, e := range events {
			e.ID, e.ActorType, e.Data = newID(), kesher.AuthorSystem, json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	got, next, err := db.Events(ctx, conv.ID, kesher.Page{Limit: 2})
	if err != nil || next == "" {
		t.Fatalf("Events first page: next %q, %v", next, err)
	}
	rest, next, err := db.Events(ctx, conv.ID, kesher.Page{Limit: 2, Cursor: next})
	if err != nil || next != "" {
		t.Fatalf("Events second page: next %q, %v", next, err)
	}
	if diff := cmp.Diff(events[1:4], append(got, rest...)); diff != "" {
		t.Errorf("Events, oldest first (-want +got):\n%s", diff)
	}

	tl, next, err := db.Timeline(ctx, cust.ID, kesher.Page{})
	if err != nil || next != "" {
		t.Fatalf("Timeline: next %q, %v", next, err)
	}
	want := []*kesher.TimelineEntry{{Event: *events[3]}, {Event: *events[2], Message: msg}, {Event: *events[1]}, {Event: *events[0]}}
	if diff := cmp.Diff(want, tl); diff != "" {
		t.Errorf("Timeline, newest first (-want +got):\n%s", diff)
	}
	write(t, db, func(tx kesher.Tx) error {
		e := &kesher.Event{ID: newID(), Type: "admin.note", ActorType: kesher.AuthorSystem, CreatedAt: t0}
		if err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		if string(e.Data) != "" {
			return fmt.Errorf("AppendEvent changed the event's data")
		}
		return nil
	})
}

func testUsersAndTokens(t *testing.T, db *store.DB) {
	if n, err := db.CountUsers(ctx); n != 0 || err != nil {
		t.Errorf("CountUsers of an empty desk = %d, %v", n, err)
	}
	var users []*kesher.User
	for i := range 5 {
		users = append(users, createUser(t, db, fmt.Sprintf("user%d@example.com", i)))
	}
	got, err := db.UserByEmail(ctx, "user2@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(users[2], got); diff != "" {
		t.Errorf("UserByEmail (-want +got):\n%s", diff)
	}
	u := users[0]
	u.Name, u.Email, u.Role, u.Active, u.Availability, u.PasswordHash, u.UpdatedAt = "Renamed", "renamed@example.com", kesher.RoleAdmin, false, kesher.Away, "new", at(1)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateUser(ctx, u) })
	if got, err := db.User(ctx, u.ID); err != nil || !cmp.Equal(u, got) {
		t.Errorf("User after update = %+v, %v; want %+v", got, err, u)
	}
	taken := *users[1]
	taken.Email = "user3@example.com"
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateUser(ctx, &taken) })
	wantCode(t, "UpdateUser to a taken email", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		dup := *users[1]
		dup.ID = newID()
		return tx.CreateUser(ctx, &dup)
	})
	wantCode(t, "CreateUser with a taken email", err, kesher.ECodeConflict)
	_, err = db.UserByEmail(ctx, "user0@example.com")
	wantCode(t, "old email", err, kesher.ECodeNotFound)
	if n, err := db.CountUsers(ctx); n != 5 || err != nil {
		t.Errorf("CountUsers = %d, %v; want 5", n, err)
	}
	seen := ids(allPages(t, 2, func(p kesher.Page) ([]*kesher.User, string, error) { return db.Users(ctx, p) }),
		func(u *kesher.User) string { return u.ID })
	if diff := cmp.Diff(ids(users, func(u *kesher.User) string { return u.ID }), seen); diff != "" {
		t.Errorf("Users pages (-want +got):\n%s", diff)
	}

	tok := &kesher.Token{ID: newID(), UserID: users[1].ID, Name: "ci", Hash: []byte{0, 1, 2, 0xff}, CreatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.CreateToken(ctx, tok) })
	if got, err := db.TokenByHash(ctx, []byte{0, 1, 2, 0xff}); err != nil || !cmp.Equal(tok, got) {
		t.Errorf("TokenByHash = %+v, %v; want %+v", got, err, tok)
	}
	_, err = db.TokenByHash(ctx, []byte{0, 1, 2})
	wantCode(t, "unknown token", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.CreateToken(ctx, &kesher.Token{ID: newID(), UserID: users[2].ID, Hash: tok.Hash, CreatedAt: t0})
	})
	wantCode(t, "a token with a taken hash", err, kesher.ECodeConflict)
}

func testTeams(t *testing.T, db *store.DB) {
	a, b, c := createUser(t, db, "a@example.com"), createUser(t, db, "b@example.com"), createUser(t, db, "c@example.com")
	team := &kesher.Team{ID: newID(), Name: "חיובים", MemberIDs: []string{a.ID, b.ID}, CreatedAt: t0, UpdatedAt: t0}
	second := &kesher.Team{ID: newID(), Name: "Delivery", MemberIDs: []string{}, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.CreateTeam(ctx, team); err != nil {
			return err
		}
		return tx.CreateTeam(ctx, second)
	})
	if got, err := db.Team(ctx, team.ID); err != nil || !cmp.Equal(team, got) {
		t.Errorf("Team = %+v, %v; want %+v", got, err, team)
	}
	if got, err := db.User(ctx, a.ID); err != nil || !slices.Equal(got.TeamIDs, []string{team.ID}) {
		t.Errorf("user's TeamIDs = %+v, %v", got, err)
	}
	cust := createCustomer(t, db, newCustomer("Dana", t0))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, TeamID: team.ID, UpdatedAt: t0})

	team.Name, team.MemberIDs, team.UpdatedAt = "Billing", []string{c.ID}, at(1)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateTeam(ctx, team) })
	list, next, err := db.Teams(ctx, kesher.Page{})
	if err != nil || next != "" || len(list) != 2 {
		t.Fatalf("Teams = %v, %q, %v", list, next, err)
	}
	if diff := cmp.Diff(team, list[0]); diff != "" {
		t.Errorf("team after update (-want +got):\n%s", diff)
	}
	if got, err := db.User(ctx, a.ID); err != nil || len(got.TeamIDs) != 0 {
		t.Errorf("removed member's TeamIDs = %+v, %v", got, err)
	}

	write(t, db, func(tx kesher.Tx) error { return tx.DeleteTeam(ctx, team.ID) })
	_, err = db.Team(ctx, team.ID)
	wantCode(t, "deleted team", err, kesher.ECodeNotFound)
	if got, err := db.Conversation(ctx, conv.ID); err != nil || got.TeamID != "" {
		t.Errorf("conversation of a deleted team: %+v, %v", got, err)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteTeam(ctx, team.ID) })
	wantCode(t, "DeleteTeam twice", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateTeam(ctx, team) })
	wantCode(t, "UpdateTeam of a deleted team", err, kesher.ECodeNotFound)
}

func testReasons(t *testing.T, db *store.DB) {
	var want []*kesher.Reason
	write(t, db, func(tx kesher.Tx) error {
		for _, code := range []string{"late_delivery", "invoice", "checkout", "campaign"} {
			r := &kesher.Reason{Code: code, Name: "סיבה " + code, Source: kesher.SourceDelivery, Active: true, CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateReason(ctx, r); err != nil {
				return err
			}
			want = append(want, r)
		}
		return nil
	})
	slices.SortFunc(want, func(a, b *kesher.Reason) int { return cmpStrings(a.Code, b.Code) })
	got := allPages(t, 3, func(p kesher.Page) ([]*kesher.Reason, string, error) { return db.Reasons(ctx, p) })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Reasons by code (-want +got):\n%s", diff)
	}
	r := want[0]
	r.Name, r.Source, r.Active, r.UpdatedAt = "Campaign", kesher.SourceMarketing, false, at(1)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateReason(ctx, r) })
	if got, err := db.Reason(ctx, r.Code); err != nil || !cmp.Equal(r, got) {
		t.Errorf("Reason after update = %+v, %v; want %+v", got, err, r)
	}
	err := db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateReason(ctx, r) })
	wantCode(t, "CreateReason with a taken code", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateReason(ctx, &kesher.Reason{Code: "missing"}) })
	wantCode(t, "UpdateReason of a missing reason", err, kesher.ECodeNotFound)
	_, err = db.Reason(ctx, "missing")
	wantCode(t, "missing reason", err, kesher.ECodeNotFound)
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func testIdempotency(t *testing.T, db *store.DB) {
	u := createUser(t, db, "agent@example.com")
	rec := &kesher.IdempotencyRecord{UserID: u.ID, Key: "key-1", RequestHash: "abc", CreatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.ReserveIdempotency(ctx, rec) })
	got, err := db.Idempotency(ctx, u.ID, "key-1")
	if err != nil || got.Status != 0 || got.RequestHash != "abc" || !got.CreatedAt.Equal(t0) || len(got.Body) != 0 {
		t.Errorf("reserved record = %+v, %v", got, err)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.ReserveIdempotency(ctx, rec) })
	wantCode(t, "reserving a key twice", err, kesher.ECodeConflict)
	other := &kesher.IdempotencyRecord{UserID: "another-user", Key: "key-1", RequestHash: "x", CreatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.ReserveIdempotency(ctx, other) }) // keys are per user

	done := &kesher.IdempotencyRecord{UserID: u.ID, Key: "key-1", RequestHash: "abc", Status: 201, Body: []byte(`{"id":"x"}`), CreatedAt: at(1)}
	write(t, db, func(tx kesher.Tx) error { return tx.CompleteIdempotency(ctx, done) })
	got, err = db.Idempotency(ctx, u.ID, "key-1")
	want := *done
	want.CreatedAt = t0 // the reservation's time stays
	if err != nil || !cmp.Equal(&want, got) {
		t.Errorf("completed record = %+v, %v; want %+v", got, err, want)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.ReleaseIdempotency(ctx, u.ID, "key-1") })
	_, err = db.Idempotency(ctx, u.ID, "key-1")
	wantCode(t, "released key", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CompleteIdempotency(ctx, done) })
	wantCode(t, "completing a released key", err, kesher.ECodeNotFound)
	if _, err := db.Idempotency(ctx, "another-user", "key-1"); err != nil {
		t.Errorf("the other user's key went with it: %v", err)
	}
}

func testTicketNumbers(t *testing.T, db *store.DB) {
	const n = 50
	numbers := make([]int64, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- db.Write(ctx, func(tx kesher.Tx) error {
				var err error
				numbers[i], err = tx.NextConversationNumber(ctx)
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(numbers)
	for i, got := range numbers {
		if got != int64(i+1) {
			t.Fatalf("numbers = %v, want 1…%d each once", numbers, n)
		}
	}
}

func testWriteAtomic(t *testing.T, db *store.DB) {
	cust := newCustomer("Dana", t0, email("dana@example.com"))
	err := db.Write(ctx, func(tx kesher.Tx) error {
		if err := tx.CreateCustomer(ctx, cust); err != nil {
			return err
		}
		// The transaction reads its own writes.
		if _, err := tx.CustomerByIdentity(ctx, kesher.IdentityEmail, "dana@example.com"); err != nil {
			return err
		}
		return kesher.Errorf(kesher.ECodeValidation, "changed my mind")
	})
	wantCode(t, "the failing Write", err, kesher.ECodeValidation)
	_, err = db.Customer(ctx, cust.ID)
	wantCode(t, "a customer of a failed Write", err, kesher.ECodeNotFound)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	err = db.Write(cancelled, func(tx kesher.Tx) error { ran = true; return nil })
	if err == nil || ran {
		t.Errorf("Write with a cancelled context: %v, ran %v", err, ran)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// testGroupCommitIsolation runs many Writes at once, so that they share
// transactions, and makes every third fail after writing.
func testGroupCommitIsolation(t *testing.T, db *store.DB) {
	const n = 60
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = db.Write(ctx, func(tx kesher.Tx) error {
				r := &kesher.Reason{Code: fmt.Sprintf("r%02d", i), Name: "r", Source: kesher.SourceOther, CreatedAt: t0, UpdatedAt: t0}
				if err := tx.CreateReason(ctx, r); err != nil {
					return err
				}
				if i%3 == 0 {
					return kesher.Errorf(kesher.ECodeValidation, "unit %d fails", i)
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		_, readErr := db.Reason(ctx, fmt.Sprintf("r%02d", i))
		if i%3 == 0 {
			wantCode(t, fmt.Sprintf("unit %d", i), err, kesher.ECodeValidation)
			wantCode(t, fmt.Sprintf("reason of failed unit %d", i), readErr, kesher.ECodeNotFound)
		} else if err != nil || readErr != nil {
			t.Errorf("unit %d: %v; its reason: %v", i, err, readErr)
		}
	}
}

// allPages follows a list's cursors with pages of limit items and returns
// every item in order; it stops after 10 pages, so a cursor that never ends
// fails the test's comparison instead of hanging it.
func allPages[T any](t *testing.T, limit int, list func(kesher.Page) ([]T, string, error)) []T {
	t.Helper()
	var all []T
	cursor := ""
	for range 10 {
		page, next, err := list(kesher.Page{Limit: limit, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if cursor = next; cursor == "" {
			break
		}
	}
	return all
}

func newSession(userID string, hash byte, expires time.Time) *kesher.Session {
	return &kesher.Session{ID: newID(), UserID: userID, TokenHash: []byte{hash, 0, 0xff}, CSRFToken: "csrf-" + string(rune('a'+hash)),
		Remember: hash%2 == 0, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: expires, UserAgent: "Mozilla/5.0 (נייד)"}
}

func testSessions(t *testing.T, db *store.DB) {
	dana, yossi := createUser(t, db, "dana@example.com"), createUser(t, db, "yossi@example.com")
	s1, s2, s3 := newSession(dana.ID, 1, at(60)), newSession(dana.ID, 2, at(120)), newSession(yossi.ID, 3, at(180))
	write(t, db, func(tx kesher.Tx) error {
		for _, s := range []*kesher.Session{s1, s2, s3} {
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	for _, s := range []*kesher.Session{s1, s2, s3} {
		if got, err := db.SessionByHash(ctx, s.TokenHash); err != nil || !cmp.Equal(s, got) {
			t.Errorf("SessionByHash = %+v, %v; want %+v", got, err, s)
		}
	}
	_, err := db.SessionByHash(ctx, []byte{1, 0})
	wantCode(t, "unknown session", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateSession(ctx, newSession(yossi.ID, 1, at(60))) })
	wantCode(t, "a session with a taken hash", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateSession(ctx, newSession("nobody", 4, at(60))) })
	wantCode(t, "a session of an unknown user", err, kesher.ECodeNotFound)

	write(t, db, func(tx kesher.Tx) error { return tx.TouchSession(ctx, s1.ID, at(30), at(90)) })
	s1.LastSeenAt, s1.ExpiresAt = at(30), at(90)
	if got, err := db.SessionByHash(ctx, s1.TokenHash); err != nil || !cmp.Equal(s1, got) {
		t.Errorf("after TouchSession = %+v, %v; want %+v", got, err, s1)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.TouchSession(ctx, "nothing", at(30), at(90)) })
	wantCode(t, "TouchSession of an unknown session", err, kesher.ECodeNotFound)

	// Sessions at 90, 120 and 180 s: those before 121 s go.
	var n int
	write(t, db, func(tx kesher.Tx) error {
		var err error
		n, err = tx.DeleteExpiredSessions(ctx, at(121))
		return err
	})
	if n != 2 {
		t.Errorf("DeleteExpiredSessions = %d, want 2", n)
	}
	if _, err := db.SessionByHash(ctx, s3.TokenHash); err != nil {
		t.Errorf("a live session was deleted: %v", err)
	}

	d1, d2, d3 := newSession(dana.ID, 5, at(600)), newSession(dana.ID, 6, at(600)), newSession(dana.ID, 7, at(600))
	write(t, db, func(tx kesher.Tx) error {
		for _, s := range []*kesher.Session{d1, d2, d3} {
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		return tx.DeleteUserSessions(ctx, dana.ID, d2.ID)
	})
	for _, s := range []*kesher.Session{d1, d3} {
		_, err := db.SessionByHash(ctx, s.TokenHash)
		wantCode(t, "a session DeleteUserSessions did not keep", err, kesher.ECodeNotFound)
	}
	if _, err := db.SessionByHash(ctx, d2.TokenHash); err != nil {
		t.Errorf("the kept session: %v", err)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteUserSessions(ctx, dana.ID, "") })
	_, err = db.SessionByHash(ctx, d2.TokenHash)
	wantCode(t, "a session after DeleteUserSessions keeping none", err, kesher.ECodeNotFound)
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteUserSessions(ctx, dana.ID, "") })

	write(t, db, func(tx kesher.Tx) error { return tx.DeleteSession(ctx, s3.ID) })
	_, err = db.SessionByHash(ctx, s3.TokenHash)
	wantCode(t, "a deleted session", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteSession(ctx, s3.ID) })
	wantCode(t, "DeleteSession twice", err, kesher.ECodeNotFound)

	// A user's time zone is kept, and written over by UpdateUser.
	yossi.TimeZone, yossi.UpdatedAt = "Europe/London", at(5)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateUser(ctx, yossi) })
	if got, err := db.User(ctx, yossi.ID); err != nil || got.TimeZone != "Europe/London" {
		t.Errorf("User after a time zone change = %+v, %v", got, err)
	}
}

func testFirstUser(t *testing.T, db *store.DB) {
	first := &kesher.User{ID: newID(), Email: "first@example.com", Name: "רונית", Role: kesher.RoleAdmin, Active: true,
		Availability: kesher.Offline, Language: "he", TimeZone: "Asia/Jerusalem", PasswordHash: "hash", TeamIDs: []string{}, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.CreateFirstUser(ctx, first) })
	if got, err := db.User(ctx, first.ID); err != nil || !cmp.Equal(first, got) {
		t.Errorf("the first user = %+v, %v; want %+v", got, err, first)
	}
	second := *first
	second.ID, second.Email = newID(), "second@example.com"
	err := db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateFirstUser(ctx, &second) })
	wantCode(t, "a second first user", err, kesher.ECodeConflict)
}

// TestFirstUserAcrossNodes races first users through several nodes:
// exactly one is created.
func TestFirstUserAcrossNodes(t *testing.T) {
	const nodes, tries = 4, 5
	acrossNodes(t, nodes, func(t *testing.T, dbs []*store.DB) {
		var wg sync.WaitGroup
		var made atomic.Int32
		errs := make(chan error, nodes*tries)
		for i := range nodes * tries {
			wg.Go(func() {
				u := &kesher.User{ID: newID(), Email: fmt.Sprintf("admin%d@example.com", i), Name: "מנהל", Role: kesher.RoleAdmin,
					Active: true, Availability: kesher.Offline, Language: "he", TeamIDs: []string{}, CreatedAt: t0, UpdatedAt: t0}
				err := dbs[i%nodes].Write(ctx, func(tx kesher.Tx) error { return tx.CreateFirstUser(ctx, u) })
				if err == nil {
					made.Add(1)
				} else if kesher.ErrorCode(err) != kesher.ECodeConflict {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n, err := dbs[0].CountUsers(ctx); made.Load() != 1 || n != 1 || err != nil {
			t.Errorf("%d calls succeeded, %d users (%v); want exactly one", made.Load(), n, err)
		}
	})
}

// acrossNodes runs fn on several handles of one fresh database per
// backend, as separate nodes (or the CLI beside the server) would have,
// without group commit, which would line their writes up in one
// transaction.
func acrossNodes(t *testing.T, nodes int, fn func(t *testing.T, dbs []*store.DB)) {
	for _, backend := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/kesher.db" }},
		{"postgres", func(t *testing.T) string { return testkit.PostgresDSN(t) }},
	} {
		t.Run(backend.name, func(t *testing.T) {
			dsn := backend.dsn(t)
			dbs := make([]*store.DB, nodes)
			for i := range dbs {
				db, err := store.Open(ctx, store.Config{DSN: dsn})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				dbs[i] = db
			}
			fn(t, dbs)
		})
	}
}

// inboxViews are the agent inbox's tabs, as filters for the viewer me.
func inboxViews(me string, teams []string) []struct {
	name string
	f    kesher.ConversationFilter
} {
	unsolved := []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusOnHold}
	return []struct {
		name string
		f    kesher.ConversationFilter
	}{
		{"mine", kesher.ConversationFilter{OwnerIDs: []string{me}}},
		{"unassigned", kesher.ConversationFilter{OwnerIDs: []string{kesher.NoOwner}, Statuses: unsolved}},
		{"my teams", kesher.ConversationFilter{TeamIDs: teams, Statuses: unsolved}},
		{"all open", kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusOpen}}},
		{"waiting on customer", kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusPending}}},
		{"solved", kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusSolved}}},
	}
}

func testConversationCounts(t *testing.T, db *store.DB) {
	all, owners, teams, _ := conversationSet(t, db)
	filters := inboxViews(owners[0], teams)
	filters = append(filters, []struct {
		name string
		f    kesher.ConversationFilter
	}{
		{"everything", kesher.ConversationFilter{}},
		{"tag and channel", kesher.ConversationFilter{Tags: []string{"vip"}, Channels: []kesher.Channel{kesher.ChannelChat}}},
		{"one scan with IN lists", kesher.ConversationFilter{OwnerIDs: append(slices.Clone(owners), kesher.NoOwner, "nobody")}},
		{"the page is ignored", kesher.ConversationFilter{Reasons: []string{"late"}, Page: kesher.Page{Limit: 1, Cursor: "!!!"}}},
		{"nothing matches", kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusClosed}}},
	}...)
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			want := 0
			for _, c := range all {
				if matches(tt.f, c) {
					want++
				}
			}
			for _, max := range []int{1, 7, want, want + 1, 1000} {
				if max < 1 {
					continue
				}
				got, err := db.CountConversations(ctx, tt.f, max)
				if err != nil || got != min(want, max) {
					t.Errorf("CountConversations(max %d) = %d, %v; want %d", max, got, err, min(want, max))
				}
			}
		})
	}
	_, err := db.CountConversations(ctx, kesher.ConversationFilter{}, 0)
	wantCode(t, "a count with max 0", err, kesher.ECodeValidation)
}

func testWaitingSince(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("Dana", t0))
	c := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, UpdatedAt: at(1), WaitingSince: at(1)})
	for _, waiting := range []time.Time{{}, at(3)} {
		if got, err := db.Conversation(ctx, c.ID); err != nil || !cmp.Equal(c, got) {
			t.Errorf("Conversation = %+v, %v; want waiting since %v", got, err, c.WaitingSince)
		}
		c.WaitingSince, c.UpdatedAt = waiting, c.UpdatedAt.Add(time.Second)
		write(t, db, func(tx kesher.Tx) error { return tx.UpdateConversation(ctx, c) })
	}
	if got, err := db.Conversation(ctx, c.ID); err != nil || !cmp.Equal(c, got) {
		t.Errorf("Conversation = %+v, %v; want waiting since %v", got, err, c.WaitingSince)
	}
}

func testTags(t *testing.T, db *store.DB) {
	if tags, err := db.Tags(ctx); err != nil || len(tags) != 0 {
		t.Errorf("Tags of an empty desk = %v, %v", tags, err)
	}
	cust := createCustomer(t, db, newCustomer("Dana", t0))
	tagged := func(tags ...string) *kesher.Conversation {
		return newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, Tags: tags, UpdatedAt: at(1)})
	}
	// Enough conversations with the same tags for several UPDATE chunks.
	var many []*kesher.Conversation
	for range 150 {
		many = append(many, tagged("refund", "vip"))
	}
	vip, gold, vipGold, goldVip, none := tagged("vip"), tagged("gold"), tagged("vip", "זהב"), tagged("gold", "vip"), tagged()
	wantTags := func(step string, want []kesher.TagCount) {
		t.Helper()
		got, err := db.Tags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Tags %s (-want +got):\n%s", step, diff)
		}
	}
	wantTags("at first", []kesher.TagCount{{Tag: "vip", Count: 153}, {Tag: "refund", Count: 150}, {Tag: "gold", Count: 2}, {Tag: "זהב", Count: 1}})

	rename := func(from, to string) (int, error) {
		var n int
		err := db.Write(ctx, func(tx kesher.Tx) error {
			var err error
			n, err = tx.RenameTag(ctx, from, to)
			return err
		})
		return n, err
	}
	if n, err := rename("vip", "gold"); n != 153 || err != nil {
		t.Fatalf("RenameTag(vip, gold) = %d, %v; want 153", n, err)
	}
	wantTags("after the rename", []kesher.TagCount{{Tag: "gold", Count: 154}, {Tag: "refund", Count: 150}, {Tag: "זהב", Count: 1}})
	// The tags column follows, sorted, with the two tags merged where a
	// conversation had both, and nothing else of the row changes.
	for c, want := range map[*kesher.Conversation][]string{
		many[0]: {"gold", "refund"}, many[149]: {"gold", "refund"}, vip: {"gold"}, gold: {"gold"},
		vipGold: {"gold", "זהב"}, goldVip: {"gold"}, none: {},
	} {
		c.Tags = want
		if got, err := db.Conversation(ctx, c.ID); err != nil || !cmp.Equal(c, got) {
			t.Errorf("conversation after the rename = %+v, %v; want tags %v", got, err, want)
		}
	}
	if n, err := db.CountConversations(ctx, kesher.ConversationFilter{Tags: []string{"gold"}}, 1000); n != 154 || err != nil {
		t.Errorf("conversations filtered by the new name: %d, %v; want 154", n, err)
	}
	_, err := rename("vip", "anything")
	wantCode(t, "renaming a tag no conversation has", err, kesher.ECodeNotFound)
	_, err = rename("gold", "gold")
	wantCode(t, "renaming a tag to itself", err, kesher.ECodeValidation)

	del := func(tag string) (int, error) {
		var n int
		err := db.Write(ctx, func(tx kesher.Tx) error {
			var err error
			n, err = tx.DeleteTag(ctx, tag)
			return err
		})
		return n, err
	}
	if n, err := del("refund"); n != 150 || err != nil {
		t.Fatalf("DeleteTag(refund) = %d, %v; want 150", n, err)
	}
	wantTags("after the delete", []kesher.TagCount{{Tag: "gold", Count: 154}, {Tag: "זהב", Count: 1}})
	if got, err := db.Conversation(ctx, many[7].ID); err != nil || !slices.Equal(got.Tags, []string{"gold"}) {
		t.Errorf("conversation after the delete = %+v, %v; want tags [gold]", got, err)
	}
	_, err = del("refund")
	wantCode(t, "deleting a tag twice", err, kesher.ECodeNotFound)
}

// TestWaitingSinceMigration fills a database made before waiting_since
// with threads, migrates it, and checks when each customer began waiting.
func TestWaitingSinceMigration(t *testing.T) {
	for _, backend := range []struct {
		name, driver string
		dialect      goose.Dialect
		cfg          func(t *testing.T) store.Config
	}{
		{"sqlite", "sqlite", goose.DialectSQLite3, func(t *testing.T) store.Config { return store.Config{DataDir: t.TempDir()} }},
		{"postgres", "pgx", goose.DialectPostgres, func(t *testing.T) store.Config { return store.Config{DSN: testkit.PostgresDSN(t)} }},
	} {
		t.Run(backend.name, func(t *testing.T) {
			cfg := backend.cfg(t)
			dsn := cfg.DSN
			if dsn == "" {
				dsn = filepath.Join(cfg.DataDir, "kesher.db")
			}
			raw, err := sql.Open(backend.driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			p, err := goose.NewProvider(backend.dialect, raw, os.DirFS("migrations/"+backend.name))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 1); err != nil {
				t.Fatal(err)
			}
			threads := map[string]struct {
				messages string // one letter per second from 1: inbound, outbound, note
				want     int    // the second the customer began waiting, 0 for not
			}{
				"asked":                {"i", 1},
				"answered":             {"io", 0},
				"asked again":          {"ioini", 3},
				"asked twice":          {"ii", 1},
				"a note answers none":  {"in", 1},
				"the desk wrote first": {"o", 0},
				"no messages":          {"", 0},
			}
			exec := func(query string, a ...any) {
				t.Helper()
				if _, err := raw.ExecContext(ctx, query, a...); err != nil {
					t.Fatalf("%s: %v", query, err)
				}
			}
			exec("INSERT INTO customers (id, name, name_lower, language, note, created_at, updated_at) VALUES ('cu', 'Dana', 'dana', 'he', '', 1, 1)")
			number := 0
			for id, th := range threads {
				number++
				exec("INSERT INTO conversations (id, number, subject, status, priority, channel, customer_id, tags, handoff_count,"+
					" message_count, last_message_at, excerpt, created_at, updated_at, solved_at)"+
					" VALUES ($1, $2, '', 'open', 'normal', 'email', 'cu', '[]', 0, 0, 0, '', 1, 1, 0)", id, number)
				for i, d := range th.messages {
					dir := map[rune]string{'i': "inbound", 'o': "outbound", 'n': "note"}[d]
					exec("INSERT INTO messages (id, conversation_id, direction, channel, author_type, author_id, body_text, body_html,"+
						" attachments, external_id, created_at) VALUES ($1, $2, $3, 'email', 'customer', '', 'x', '', '[]', '', $4)",
						fmt.Sprintf("%s-%d", id, i), id, dir, at(i+1).UnixMicro())
				}
			}
			db, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for id, th := range threads {
				want := time.Time{}
				if th.want > 0 {
					want = at(th.want)
				}
				c, err := db.Conversation(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !c.WaitingSince.Equal(want) {
					t.Errorf("%s (%s): waiting since %v, want %v", id, th.messages, c.WaitingSince, want)
				}
			}
		})
	}
}

// The outbox: jobs written in a Write, claimed with a lease by runners.

func newJob(kind, key string, runAt time.Time) *kesher.Job {
	return &kesher.Job{ID: newID(), Kind: kind, Key: key, Payload: json.RawMessage(`{"message_id":"` + key + `","שפה":"he"}`),
		RunAt: runAt, CreatedAt: t0, UpdatedAt: t0}
}

func enqueue(t *testing.T, db *store.DB, jobs ...*kesher.Job) {
	t.Helper()
	write(t, db, func(tx kesher.Tx) error {
		for _, j := range jobs {
			if err := tx.EnqueueJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

func claim(t *testing.T, db *store.DB, now time.Time, lease time.Duration, limit int) []*kesher.Job {
	t.Helper()
	var jobs []*kesher.Job
	write(t, db, func(tx kesher.Tx) error {
		var err error
		jobs, err = tx.ClaimJobs(ctx, now, lease, limit)
		return err
	})
	return jobs
}

func jobID(j *kesher.Job) string { return j.ID }

func testJobs(t *testing.T, db *store.DB) {
	a, b := newJob("email.send", "m1", t0), newJob("email.send", "", t0)
	a.State, a.Attempts, a.LastError = kesher.JobFailed, 3, "stale" // EnqueueJob makes every job new
	enqueue(t, db, a, b)
	a.State, a.Attempts, a.LastError = kesher.JobPending, 0, ""
	for _, want := range []*kesher.Job{a, b} {
		if got, err := db.Job(ctx, want.ID); err != nil || !cmp.Equal(want, got) {
			t.Errorf("Job = %+v, %v; want %+v", got, err, want)
		}
	}
	_, err := db.Job(ctx, "missing")
	wantCode(t, "a missing job", err, kesher.ECodeNotFound)

	// The same kind and key add nothing; another kind, or no key, adds.
	again, otherKind, noKey := newJob("email.send", "m1", t0), newJob("email.ack", "m1", t0), newJob("email.send", "", t0)
	otherKind.UpdatedAt = at(5)
	enqueue(t, db, again, otherKind, noKey)
	_, err = db.Job(ctx, again.ID)
	wantCode(t, "a job whose key was taken", err, kesher.ECodeNotFound)
	for _, j := range []*kesher.Job{otherKind, noKey} {
		if _, err := db.Job(ctx, j.ID); err != nil {
			t.Errorf("Job %s (kind %s, key %q): %v", j.ID, j.Kind, j.Key, err)
		}
	}
	noKey2 := newJob("email.send", "", t0)
	if err := db.Write(ctx, func(tx kesher.Tx) error { return tx.EnqueueJob(ctx, noKey2) }); err != nil {
		t.Errorf("a second job without a key: %v", err)
	}
	dupID := newJob("email.send", "m2", t0)
	dupID.ID = a.ID
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.EnqueueJob(ctx, dupID) })
	wantCode(t, "a job with a taken ID", err, kesher.ECodeConflict)

	pending := allPages(t, 2, func(p kesher.Page) ([]*kesher.Job, string, error) { return db.JobsByState(ctx, kesher.JobPending, p) })
	if got, err := db.CountJobs(ctx, kesher.JobPending); len(pending) != 5 || got != 5 || err != nil {
		t.Fatalf("%d pending jobs listed, %d counted (%v); want 5", len(pending), got, err)
	}
	// The latest change first, then the latest ID.
	want := []string{otherKind.ID, noKey2.ID, noKey.ID, b.ID, a.ID}
	if diff := cmp.Diff(want, ids(pending, jobID)); diff != "" {
		t.Errorf("JobsByState (-want +got):\n%s", diff)
	}
	if failed, next, err := db.JobsByState(ctx, kesher.JobFailed, kesher.Page{}); len(failed) != 0 || next != "" || err != nil {
		t.Errorf("JobsByState(failed) = %v, %q, %v; want none", failed, next, err)
	}
	_, _, err = db.JobsByState(ctx, "lost", kesher.Page{})
	wantCode(t, "JobsByState of an unknown state", err, kesher.ECodeValidation)
	_, _, err = db.JobsByState(ctx, kesher.JobPending, kesher.Page{Cursor: "!"})
	wantCode(t, "JobsByState with a bad cursor", err, kesher.ECodeValidation)
}

func testJobClaims(t *testing.T, db *store.DB) {
	const lease = time.Minute
	later, first, second, third := newJob("k", "", at(100)), newJob("k", "", at(-2)), newJob("k", "", at(-1)), newJob("k", "", at(0))
	enqueue(t, db, later, third, second, first)

	got := claim(t, db, t0, lease, 2)
	if diff := cmp.Diff([]string{first.ID, second.ID}, ids(got, jobID)); diff != "" {
		t.Fatalf("the first claim takes the two earliest due jobs (-want +got):\n%s", diff)
	}
	for _, j := range got {
		if j.Attempts != 1 || j.State != kesher.JobPending || !j.UpdatedAt.Equal(t0) {
			t.Errorf("a claimed job: %+v; want attempt 1, pending, UpdatedAt as enqueued", j)
		}
	}
	if stored, err := db.Job(ctx, first.ID); err != nil || !cmp.Equal(got[0], stored) {
		t.Errorf("ClaimJobs returned %+v, stored %+v (%v)", got[0], stored, err)
	}
	// The leased jobs are not taken again while the lease lasts; the job
	// due later is not taken before it is due.
	if got := claim(t, db, at(59), lease, 10); !cmp.Equal(ids(got, jobID), []string{third.ID}) {
		t.Errorf("a claim within the lease = %v; want only %s", ids(got, jobID), third.ID)
	}
	if got := claim(t, db, at(59), lease, 10); len(got) != 0 {
		t.Errorf("a claim with every due job leased = %v", ids(got, jobID))
	}
	got = claim(t, db, at(60), lease, 10)
	if diff := cmp.Diff([]string{first.ID, second.ID}, ids(got, jobID)); diff != "" {
		t.Errorf("once the lease ended the jobs are taken again (-want +got):\n%s", diff)
	}
	if len(got) > 0 && got[0].Attempts != 2 {
		t.Errorf("a job taken again: attempt %d, want 2", got[0].Attempts)
	}
	if got := claim(t, db, at(200), lease, 10); !slices.Contains(ids(got, jobID), later.ID) {
		t.Errorf("a claim after the later job is due = %v; want it among them", ids(got, jobID))
	}
	err := db.Write(ctx, func(tx kesher.Tx) error { _, err := tx.ClaimJobs(ctx, t0, lease, 0); return err })
	wantCode(t, "a claim of no jobs", err, kesher.ECodeValidation)
}

func testJobTransitions(t *testing.T, db *store.DB) {
	const lease = time.Minute
	retried, failed, done := newJob("k", "retried", t0), newJob("k", "failed", t0), newJob("k", "done", t0)
	enqueue(t, db, retried, failed, done)
	if got := claim(t, db, t0, lease, 10); len(got) != 3 {
		t.Fatalf("claimed %d jobs, want 3", len(got))
	}
	write(t, db, func(tx kesher.Tx) error {
		for _, err := range []error{tx.RetryJob(ctx, retried.ID, at(30), "451 try later"), tx.FailJob(ctx, failed.ID, "550 no such user", at(1)),
			tx.FinishJob(ctx, done.ID, at(2))} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	want := map[string]struct {
		state   kesher.JobState
		lastErr string
		runAt   time.Time
		updated time.Time
	}{
		retried.ID: {kesher.JobPending, "451 try later", at(30), t0},
		failed.ID:  {kesher.JobFailed, "550 no such user", t0, at(1)},
		done.ID:    {kesher.JobDone, "", t0, at(2)},
	}
	for id, w := range want {
		j, err := db.Job(ctx, id)
		if err != nil || j.State != w.state || j.LastError != w.lastErr || !j.RunAt.Equal(w.runAt) || !j.UpdatedAt.Equal(w.updated) || j.Attempts != 1 {
			t.Errorf("Job %s = %+v, %v; want %+v after 1 attempt", id, j, err, w)
		}
	}
	// A retried job's lease is released: it is taken as soon as it is due,
	// not when the lease would have ended. Done and failed jobs never are.
	if got := claim(t, db, at(29), lease, 10); len(got) != 0 {
		t.Errorf("a claim before the retry is due = %v", ids(got, jobID))
	}
	if got := claim(t, db, at(30), lease, 10); !cmp.Equal(ids(got, jobID), []string{retried.ID}) || got[0].Attempts != 2 {
		t.Errorf("a claim when the retry is due = %v; want %s at attempt 2", got, retried.ID)
	}
	for _, id := range []string{failed.ID, done.ID} {
		for name, fn := range map[string]func(tx kesher.Tx) error{
			"FinishJob": func(tx kesher.Tx) error { return tx.FinishJob(ctx, id, at(40)) },
			"RetryJob":  func(tx kesher.Tx) error { return tx.RetryJob(ctx, id, at(40), "again") },
			"FailJob":   func(tx kesher.Tx) error { return tx.FailJob(ctx, id, "again", at(40)) },
		} {
			wantCode(t, name+" of a job that is no longer pending", db.Write(ctx, fn), kesher.ECodeNotFound)
		}
	}
	wantCode(t, "FinishJob of a missing job", db.Write(ctx, func(tx kesher.Tx) error { return tx.FinishJob(ctx, "missing", t0) }), kesher.ECodeNotFound)
	for state, n := range map[kesher.JobState]int{kesher.JobPending: 1, kesher.JobDone: 1, kesher.JobFailed: 1} {
		if got, err := db.CountJobs(ctx, state); got != n || err != nil {
			t.Errorf("CountJobs(%s) = %d, %v; want %d", state, got, err, n)
		}
	}

	// A done job's key holds until the job is purged; failed jobs stay.
	enqueue(t, db, newJob("k", "done", t0))
	if n, err := db.CountJobs(ctx, kesher.JobPending); n != 1 || err != nil {
		t.Errorf("a job with the key of a done job was added: %d pending (%v)", n, err)
	}
	purge := func(before time.Time) int {
		var n int
		write(t, db, func(tx kesher.Tx) error {
			var err error
			n, err = tx.PurgeJobs(ctx, before, 10)
			return err
		})
		return n
	}
	if n := purge(at(2)); n != 0 {
		t.Errorf("PurgeJobs before the job was done deleted %d", n)
	}
	if n := purge(at(3)); n != 1 {
		t.Errorf("PurgeJobs after the job was done deleted %d, want 1", n)
	}
	_, err := db.Job(ctx, done.ID)
	wantCode(t, "a purged job", err, kesher.ECodeNotFound)
	if _, err := db.Job(ctx, failed.ID); err != nil {
		t.Errorf("a failed job was purged: %v", err)
	}
	again := newJob("k", "done", t0)
	enqueue(t, db, again)
	if _, err := db.Job(ctx, again.ID); err != nil {
		t.Errorf("the key of a purged job is free again: %v", err)
	}
}

// testOutboxAtomic checks the outbox's promise: a job is there exactly when
// the state change written with it is.
func testOutboxAtomic(t *testing.T, db *store.DB) {
	cust := newCustomer("Dana", t0, email("dana@example.com"))
	job := newJob("email.send", "welcome-dana", t0)
	err := db.Write(ctx, func(tx kesher.Tx) error {
		if err := tx.CreateCustomer(ctx, cust); err != nil {
			return err
		}
		if err := tx.EnqueueJob(ctx, job); err != nil {
			return err
		}
		return kesher.Errorf(kesher.ECodeValidation, "changed my mind")
	})
	wantCode(t, "the failing Write", err, kesher.ECodeValidation)
	_, err = db.Job(ctx, job.ID)
	wantCode(t, "a job of a failed Write", err, kesher.ECodeNotFound)
	if got := claim(t, db, at(60), time.Minute, 10); len(got) != 0 {
		t.Errorf("a failed Write left jobs to claim: %v", ids(got, jobID))
	}
	// Its key was not taken either: the retry of the request enqueues.
	retry := newJob("email.send", "welcome-dana", t0)
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.CreateCustomer(ctx, cust); err != nil {
			return err
		}
		return tx.EnqueueJob(ctx, retry)
	})
	if _, err := db.Job(ctx, retry.ID); err != nil {
		t.Errorf("the job of the retried Write: %v", err)
	}
}

// TestJobClaimsAcrossNodes claims one database's jobs through several
// nodes at once: each job is taken once.
func TestJobClaimsAcrossNodes(t *testing.T) {
	const nodes, jobs = 4, 300
	acrossNodes(t, nodes, func(t *testing.T, dbs []*store.DB) {
		all := make([]*kesher.Job, jobs)
		for i := range all {
			all[i] = newJob("k", "", at(-i))
		}
		enqueue(t, dbs[0], all...)
		var mu sync.Mutex
		taken := map[string]int{}
		var wg sync.WaitGroup
		for i := range nodes * 2 {
			wg.Go(func() {
				for {
					var got []*kesher.Job
					err := dbs[i%nodes].Write(ctx, func(tx kesher.Tx) error {
						var err error
						got, err = tx.ClaimJobs(ctx, t0, time.Hour, 7)
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, j := range got {
						taken[j.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(taken) != jobs {
			t.Errorf("%d of %d jobs were claimed", len(taken), jobs)
		}
		for id, n := range taken {
			if n != 1 {
				t.Errorf("job %s was claimed %d times", id, n)
			}
		}
	})
}

// Email: mailboxes, IMAP state, blobs, the email fields of messages,
// threads and receipts.

func newMailbox(address string, aliases ...string) *kesher.Mailbox {
	return &kesher.Mailbox{ID: newID(), Address: address, Aliases: aliases, Name: "נגה תמיכה", Signature: "צוות נגה",
		Acknowledge: true, ResponseTime: 4 * time.Hour, SMTP: true, CreatedAt: t0, UpdatedAt: t0}
}

func mailboxID(m *kesher.Mailbox) string { return m.ID }

func testMailboxes(t *testing.T, db *store.DB) {
	team := &kesher.Team{ID: newID(), Name: "תמיכה", MemberIDs: []string{}, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx kesher.Tx) error { return tx.CreateTeam(ctx, team) })
	support := newMailbox("support@noga.co.il", "help@noga.co.il", "info@noga.co.il")
	support.TeamID = team.ID
	support.IMAP = &kesher.IMAPSettings{Host: "imap.noga.co.il", Port: 993, Security: kesher.SecurityTLS, Username: "support",
		Password: "סוד-imap", Folder: "INBOX", AfterImport: kesher.AfterImportMove, MoveTo: "Kesher"}
	support.Relay = kesher.RelaySettings{Host: "smtp.noga.co.il", Port: 587, Security: kesher.SecurityStartTLS, Username: "support", Password: "סוד-smtp"}
	billing := newMailbox("billing@noga.co.il")
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.CreateMailbox(ctx, support); err != nil {
			return err
		}
		return tx.CreateMailbox(ctx, billing)
	})
	support.Aliases = []string{"help@noga.co.il", "info@noga.co.il"} // sorted
	got, err := db.Mailbox(ctx, support.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(support, got); diff != "" {
		t.Errorf("Mailbox round trip (-want +got):\n%s", diff)
	}
	for _, address := range []string{"support@noga.co.il", "help@noga.co.il", "info@noga.co.il"} {
		if m, err := db.MailboxByAddress(ctx, address); err != nil || m.ID != support.ID || m.IMAP == nil || m.IMAP.Password != "סוד-imap" {
			t.Errorf("MailboxByAddress(%s) = %+v, %v; want %s with its settings", address, m, err, support.ID)
		}
	}
	_, err = db.MailboxByAddress(ctx, "sales@noga.co.il")
	wantCode(t, "an address no mailbox receives", err, kesher.ECodeNotFound)
	if m, err := db.Mailbox(ctx, billing.ID); err != nil || m.IMAP != nil || m.TeamID != "" || len(m.Aliases) != 0 {
		t.Errorf("a mailbox without IMAP or team: %+v, %v", m, err)
	}

	// An address or alias belongs to one mailbox.
	taken := newMailbox("sales@noga.co.il", "help@noga.co.il")
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateMailbox(ctx, taken) })
	wantCode(t, "a mailbox with another's alias", err, kesher.ECodeConflict)
	_, err = db.Mailbox(ctx, taken.ID)
	wantCode(t, "the rolled-back mailbox", err, kesher.ECodeNotFound)
	billing.Aliases = []string{"support@noga.co.il"}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateMailbox(ctx, billing) })
	wantCode(t, "an alias that is another mailbox's address", err, kesher.ECodeConflict)

	// An update replaces the aliases: a dropped one is free again.
	support.Aliases, support.IMAP, support.Name, support.UpdatedAt = []string{"help@noga.co.il"}, nil, "Noga Home Support", at(5)
	billing.Aliases, billing.UpdatedAt = []string{"info@noga.co.il"}, at(5)
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.UpdateMailbox(ctx, support); err != nil {
			return err
		}
		return tx.UpdateMailbox(ctx, billing)
	})
	if got, err := db.Mailbox(ctx, support.ID); err != nil || !cmp.Equal(support, got) {
		t.Errorf("after update: %s, %v", cmp.Diff(support, got), err)
	}
	if m, err := db.MailboxByAddress(ctx, "info@noga.co.il"); err != nil || m.ID != billing.ID {
		t.Errorf("a moved alias: %+v, %v", m, err)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateMailbox(ctx, newMailbox("nobody@noga.co.il")) })
	wantCode(t, "UpdateMailbox of a missing mailbox", err, kesher.ECodeNotFound)

	all := allPages(t, 1, func(p kesher.Page) ([]*kesher.Mailbox, string, error) { return db.Mailboxes(ctx, p) })
	if diff := cmp.Diff([]string{support.ID, billing.ID}, ids(all, mailboxID)); diff != "" || len(all[1].Aliases) != 1 {
		t.Errorf("Mailboxes, oldest first (-want +got):\n%s%+v", diff, all)
	}

	// Deleting a mailbox frees its addresses and drops its IMAP state;
	// deleting its team leaves it without one.
	state := &kesher.IMAPState{MailboxID: billing.ID, Folder: "INBOX", UIDValidity: 7, LastUID: 10}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.SaveIMAPState(ctx, state); err != nil {
			return err
		}
		if err := tx.DeleteTeam(ctx, team.ID); err != nil {
			return err
		}
		return tx.DeleteMailbox(ctx, billing.ID)
	})
	if m, err := db.Mailbox(ctx, support.ID); err != nil || m.TeamID != "" {
		t.Errorf("a mailbox whose team was deleted: %+v, %v", m, err)
	}
	_, err = db.MailboxByAddress(ctx, "info@noga.co.il")
	wantCode(t, "an address of a deleted mailbox", err, kesher.ECodeNotFound)
	_, err = db.IMAPState(ctx, billing.ID, "INBOX")
	wantCode(t, "the IMAP state of a deleted mailbox", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteMailbox(ctx, billing.ID) })
	wantCode(t, "deleting a mailbox twice", err, kesher.ECodeNotFound)
}

func testIMAPState(t *testing.T, db *store.DB) {
	mb := newMailbox("imap@noga.co.il")
	write(t, db, func(tx kesher.Tx) error { return tx.CreateMailbox(ctx, mb) })
	_, err := db.IMAPState(ctx, mb.ID, "INBOX")
	wantCode(t, "the state before the first poll", err, kesher.ECodeNotFound)
	states := []*kesher.IMAPState{
		{MailboxID: mb.ID, Folder: "INBOX", UIDValidity: 4294967295, LastUID: 4294967290, LastOKAt: at(1)},
		{MailboxID: mb.ID, Folder: "דואר נכנס", UIDValidity: 1, LastUID: 3, LastError: "לא מחובר", Failures: 2},
	}
	for _, s := range states {
		write(t, db, func(tx kesher.Tx) error { return tx.SaveIMAPState(ctx, s) })
	}
	// Saving again replaces the state of that folder only.
	states[0].LastUID, states[0].LastError, states[0].Failures = 4294967295, "timeout", 1
	write(t, db, func(tx kesher.Tx) error { return tx.SaveIMAPState(ctx, states[0]) })
	for _, want := range states {
		if got, err := db.IMAPState(ctx, mb.ID, want.Folder); err != nil || !cmp.Equal(want, got) {
			t.Errorf("IMAPState(%s): %s, %v", want.Folder, cmp.Diff(want, got), err)
		}
	}
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.SaveIMAPState(ctx, &kesher.IMAPState{MailboxID: "missing", Folder: "INBOX"})
	})
	wantCode(t, "the state of a missing mailbox", err, kesher.ECodeNotFound)
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func testBlobs(t *testing.T, db *store.DB) {
	raw := []byte(strings.Repeat("שלום, ההזמנה שלי לא הגיעה.\r\n", 200))
	empty := []byte{}
	binary := make([]byte, 1<<16)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	for _, data := range [][]byte{raw, empty, binary} {
		// Storing the same bytes twice, in one Write and in another, is
		// one blob.
		write(t, db, func(tx kesher.Tx) error {
			if err := tx.PutBlob(ctx, sha(data), data); err != nil {
				return err
			}
			return tx.PutBlob(ctx, sha(data), data)
		})
		write(t, db, func(tx kesher.Tx) error { return tx.PutBlob(ctx, sha(data), data) })
		got, err := db.Blob(ctx, sha(data))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("Blob of %d bytes: got %d bytes, %v", len(data), len(got), err)
		}
	}
	err := db.Write(ctx, func(tx kesher.Tx) error { return tx.PutBlob(ctx, sha(raw), binary) })
	wantCode(t, "bytes under another hash", err, kesher.ECodeValidation)
	if got, err := db.Blob(ctx, sha(raw)); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("a blob after a mismatched put: %d bytes, %v", len(got), err)
	}
	_, err = db.Blob(ctx, sha([]byte("missing")))
	wantCode(t, "a missing blob", err, kesher.ECodeNotFound)
}

func testMessageEmail(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה", t0))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, UpdatedAt: t0})
	other := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, UpdatedAt: t0})
	in := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: kesher.Inbound, Channel: kesher.ChannelEmail,
		AuthorType: kesher.AuthorCustomer, AuthorID: cust.ID, BodyText: "שלום", Attachments: []kesher.Attachment{},
		ExternalID: "abc@mail.example.com", CreatedAt: at(1),
		Email: &kesher.EmailMeta{
			MessageID: "abc@mail.example.com", InReplyTo: []string{"x@noga.co.il"}, References: []string{"w@noga.co.il", "x@noga.co.il"},
			From:    kesher.EmailAddress{Name: "דנה כהן", Email: "dana@example.com"},
			ReplyTo: []kesher.EmailAddress{{Email: "dana.cohen@example.com"}}, To: []kesher.EmailAddress{{Email: "support@noga.co.il"}},
			Cc: []kesher.EmailAddress{{Name: "יוסי", Email: "yossi@example.com"}}, Subject: "ההזמנה שלי", MailboxID: "mb", RawSHA256: "ab12",
		}}
	out := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: kesher.Outbound, Channel: kesher.ChannelEmail,
		AuthorType: kesher.AuthorAgent, AuthorID: "agent", BodyText: "בודקים", Attachments: []kesher.Attachment{}, CreatedAt: at(2)}
	note := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: kesher.Note, Channel: kesher.ChannelEmail,
		AuthorType: kesher.AuthorAgent, AuthorID: "agent", BodyText: "פנימי", Attachments: []kesher.Attachment{}, CreatedAt: at(3)}
	chat := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: kesher.Inbound, Channel: kesher.ChannelChat,
		AuthorType: kesher.AuthorCustomer, AuthorID: cust.ID, BodyText: "צ'אט", Attachments: []kesher.Attachment{}, CreatedAt: at(4)}
	write(t, db, func(tx kesher.Tx) error {
		for _, m := range []*kesher.Message{in, out, note, chat} {
			if err := tx.CreateMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	for _, want := range []*kesher.Message{in, out} {
		if got, err := db.Message(ctx, want.ID); err != nil || !cmp.Equal(want, got) {
			t.Errorf("Message %s: %s, %v", want.ID, cmp.Diff(want, got), err)
		}
	}
	_, err := db.Message(ctx, "missing")
	wantCode(t, "a missing message", err, kesher.ECodeNotFound)

	// Queued with its Message-ID, then sent: the outbound message is
	// found by that id, as a customer's reply is threaded.
	out.ExternalID, out.Delivery = "r1@noga.co.il", kesher.DeliveryQueued
	out.Email = &kesher.EmailMeta{MessageID: "r1@noga.co.il", InReplyTo: []string{in.Email.MessageID}, Subject: "Re: ההזמנה שלי [#1]"}
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateMessageDelivery(ctx, out) })
	out.Delivery, out.DeliveredAt = kesher.DeliverySent, at(9)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateMessageDelivery(ctx, out) })
	if got, err := db.MessageByExternalID(ctx, kesher.ChannelEmail, "r1@noga.co.il"); err != nil || !cmp.Equal(out, got) {
		t.Errorf("the sent message by its Message-ID: %s, %v", cmp.Diff(out, got), err)
	}
	failed := *out
	failed.ID, failed.ExternalID, failed.Email, failed.Delivery, failed.DeliveryError = newID(), "", nil, kesher.DeliveryFailed, "550 אין תיבה כזו"
	failed.DeliveredAt = time.Time{}
	write(t, db, func(tx kesher.Tx) error { return tx.CreateMessage(ctx, &failed) })
	if got, err := db.Message(ctx, failed.ID); err != nil || !cmp.Equal(&failed, got) {
		t.Errorf("a failed message: %s, %v", cmp.Diff(&failed, got), err)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateMessageDelivery(ctx, &kesher.Message{ID: "missing"}) })
	wantCode(t, "UpdateMessageDelivery of a missing message", err, kesher.ECodeNotFound)

	// The latest message by channel and direction.
	for _, tt := range []struct {
		ch   kesher.Channel
		dirs []kesher.Direction
		want string
	}{
		{kesher.ChannelEmail, []kesher.Direction{kesher.Inbound}, in.ID},
		{kesher.ChannelEmail, []kesher.Direction{kesher.Inbound, kesher.Outbound}, failed.ID},
		{kesher.ChannelEmail, nil, note.ID},
		{kesher.ChannelChat, nil, chat.ID},
	} {
		if got, err := db.LatestMessage(ctx, conv.ID, tt.ch, tt.dirs...); err != nil || got.ID != tt.want {
			t.Errorf("LatestMessage(%s, %v) = %+v, %v; want %s", tt.ch, tt.dirs, got, err, tt.want)
		}
	}
	_, err = db.LatestMessage(ctx, other.ID, kesher.ChannelEmail)
	wantCode(t, "the latest message of an empty conversation", err, kesher.ECodeNotFound)
}

func testConversationByNumber(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה", t0))
	var convs []*kesher.Conversation
	for range 3 {
		convs = append(convs, newConversation(t, db, &kesher.Conversation{Subject: "החזרה", CustomerID: cust.ID, UpdatedAt: t0}))
	}
	for _, want := range convs {
		if got, err := db.ConversationByNumber(ctx, want.Number); err != nil || !cmp.Equal(want, got) {
			t.Errorf("ConversationByNumber(%d): %s, %v", want.Number, cmp.Diff(want, got), err)
		}
	}
	_, err := db.ConversationByNumber(ctx, convs[2].Number+1)
	wantCode(t, "a number not given yet", err, kesher.ECodeNotFound)
}

func testEmailThreads(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה", t0))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, UpdatedAt: t0})
	mb := newMailbox("threads@noga.co.il")
	write(t, db, func(tx kesher.Tx) error { return tx.CreateMailbox(ctx, mb) })
	_, err := db.EmailThread(ctx, conv.ID)
	wantCode(t, "a conversation without email", err, kesher.ECodeNotFound)
	th := &kesher.EmailThread{ConversationID: conv.ID, MailboxID: mb.ID, ReplyTo: kesher.EmailAddress{Name: "דנה", Email: "dana@example.com"},
		Participants: []kesher.EmailAddress{}, UpdatedAt: at(1)}
	write(t, db, func(tx kesher.Tx) error { return tx.SaveEmailThread(ctx, th) })
	th.Participants, th.AckMessageID, th.UpdatedAt = []kesher.EmailAddress{{Name: "יוסי", Email: "yossi@example.com"}}, "ack", at(2)
	write(t, db, func(tx kesher.Tx) error { return tx.SaveEmailThread(ctx, th) })
	if got, err := db.EmailThread(ctx, conv.ID); err != nil || !cmp.Equal(th, got) {
		t.Errorf("EmailThread: %s, %v", cmp.Diff(th, got), err)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteMailbox(ctx, mb.ID) })
	if got, err := db.EmailThread(ctx, conv.ID); err != nil || got.MailboxID != "" {
		t.Errorf("the thread of a deleted mailbox: %+v, %v", got, err)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.SaveEmailThread(ctx, &kesher.EmailThread{ConversationID: "missing"})
	})
	wantCode(t, "the thread of a missing conversation", err, kesher.ECodeNotFound)
}

func testEmailReceipts(t *testing.T, db *store.DB) {
	first := &kesher.EmailReceipt{RawSHA256: sha([]byte("one")), MessageID: "one@example.com", MailboxID: "mb", Source: "smtp",
		ConversationID: "c1", StoredMessageID: "m1", ReceivedAt: at(1)}
	noID := &kesher.EmailReceipt{RawSHA256: sha([]byte("two")), MailboxID: "mb", Source: "imap", Ignored: "bounce", ReceivedAt: at(2)}
	alsoNoID := &kesher.EmailReceipt{RawSHA256: sha([]byte("three")), MailboxID: "mb", Source: "imap", Ignored: "bulk", ReceivedAt: at(3)}
	write(t, db, func(tx kesher.Tx) error {
		for _, r := range []*kesher.EmailReceipt{first, noID, alsoNoID} {
			if err := tx.CreateEmailReceipt(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tt := range []struct {
		messageID, hash string
		want            *kesher.EmailReceipt
	}{
		{"one@example.com", sha([]byte("other")), first}, // the same email, delivered with other headers
		{"", first.RawSHA256, first},                     // the same bytes
		{"other@example.com", first.RawSHA256, first},
		{"", noID.RawSHA256, noID},
		{"", alsoNoID.RawSHA256, alsoNoID}, // emails without a Message-ID do not match each other
	} {
		if got, err := db.EmailReceipt(ctx, tt.messageID, tt.hash); err != nil || !cmp.Equal(tt.want, got) {
			t.Errorf("EmailReceipt(%q, %.8s): %s, %v", tt.messageID, tt.hash, cmp.Diff(tt.want, got), err)
		}
	}
	_, err := db.EmailReceipt(ctx, "", sha([]byte("new")))
	wantCode(t, "an email not seen", err, kesher.ECodeNotFound)

	// Either key taken is a conflict, and the transaction goes on (what an
	// aborted PostgreSQL transaction would not).
	write(t, db, func(tx kesher.Tx) error {
		for _, dup := range []*kesher.EmailReceipt{
			{RawSHA256: sha([]byte("four")), MessageID: "one@example.com"},
			{RawSHA256: first.RawSHA256, MessageID: "four@example.com"},
		} {
			if err := tx.CreateEmailReceipt(ctx, dup); kesher.ErrorCode(err) != kesher.ECodeConflict {
				return fmt.Errorf("a receipt with a taken key: %v, want conflict", err)
			}
		}
		_, err := tx.EmailReceipt(ctx, "one@example.com", "")
		return err
	})
}
