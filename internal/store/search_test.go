package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/analyze"
	"kesher/internal/search"
	"kesher/internal/store"
)

var searcher = search.New(analyze.Default())

// drainIndex indexes everything the queue holds, as the desk's indexer
// does, and returns how many tasks it took.
func drainIndex(t *testing.T, db *store.DB) int {
	t.Helper()
	total := 0
	for {
		tasks, err := db.IndexQueue(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) == 0 {
			return total
		}
		sources, err := db.IndexSources(ctx, tasks)
		if err != nil {
			t.Fatal(err)
		}
		entries := make([]*kesher.IndexEntry, len(sources))
		for i, s := range sources {
			d := searcher.Document(s.Title, s.Body)
			entries[i] = &kesher.IndexEntry{IndexSource: *s, Base: d.Base, Loose: d.Loose}
		}
		done := make([]int64, len(tasks))
		for i, task := range tasks {
			done[i] = task.Seq
		}
		write(t, db, func(tx kesher.Tx) error { return tx.SaveIndex(ctx, entries, done) })
		total += len(tasks)
	}
}

// searchCorpus is a small desk: conversations with messages in Hebrew and
// English, customers with identities. Each document is written a minute
// after the one before, so newest-first order is plain.
type searchCorpus struct {
	ref   search.Memory                      // the reference: what both engines must find
	kinds map[string]kesher.SearchKind       // by document key
	convs map[string]*kesher.Conversation    // by conversation id
	when  map[string]time.Time               // by document key
	docs  map[string]*kesher.SearchCandidate // by document key
	owner map[string]string                  // conversation id → owner
}

func docKey(k kesher.SearchKind, id string) string { return string(k) + ":" + id }

func buildSearchCorpus(t *testing.T, db *store.DB) *searchCorpus {
	owner := createUser(t, db, "owner@example.com")
	c := &searchCorpus{kinds: map[string]kesher.SearchKind{}, convs: map[string]*kesher.Conversation{}, when: map[string]time.Time{},
		docs: map[string]*kesher.SearchCandidate{}, owner: map[string]string{}}
	minute := 0
	next := func() time.Time { minute++; return t0.Add(time.Duration(minute) * time.Minute) }
	add := func(kind kesher.SearchKind, id, convID, title, body string, created time.Time) {
		key := docKey(kind, id)
		c.kinds[key], c.when[key] = kind, created
		c.docs[key] = &kesher.SearchCandidate{Kind: kind, ID: id, ConversationID: convID, CreatedAt: created, Title: title, Body: body}
		c.ref.Add(key, search.Candidate{Doc: searcher.Document(title, body)})
	}
	people := []struct{ name, email, phone string }{
		{"דנה כהן", "dana@example.com", "+972501234567"},
		{"Noah Levi", "noah.levi@example.org", ""},
		{"ברק אורן", "barak@example.co.il", "+97231234567"},
	}
	var custs []*kesher.Customer
	for _, p := range people {
		ids := []kesher.Identity{email(p.email)}
		if p.phone != "" {
			ids = append(ids, phone(p.phone))
		}
		created := next()
		cust := createCustomer(t, db, newCustomer(p.name, created, ids...))
		custs = append(custs, cust)
		body := p.email
		if p.phone != "" {
			body += " " + p.phone
		}
		add(kesher.SearchCustomer, cust.ID, "", p.name, body, created)
	}
	threads := []struct {
		subject string
		channel kesher.Channel
		status  kesher.Status
		owned   bool
		msgs    []string
	}{
		{"ההזמנה שלי לא הגיעה", kesher.ChannelEmail, kesher.StatusOpen, true, []string{
			"שלום, וכשההזמנה שלי תגיע? הזמנתי לפני שבוע. מספר הזמנה #4471",
			"היי דנה, בדקנו: ההזמנה יצאה אתמול ותגיע מחר.",
		}},
		{"Refund for a damaged product", kesher.ChannelChat, kesher.StatusPending, false, []string{
			"Hi, the product arrived damaged and I want a refund.",
			"We refunded your card today. Refunds take 3-5 business days.",
		}},
		{"שאלה על משלוח", kesher.ChannelWhatsApp, kesher.StatusOpen, false, []string{
			"רק רציתי לדעת מתי המשלוח מגיע לחיפה",
			"ברק כאן, המשלוחים לחיפה יוצאים בימי שני",
		}},
		{"ביטול הזמנה", kesher.ChannelPhone, kesher.StatusSolved, true, []string{
			"אני רוצה לבטל את ההזמנה A-1234 בבקשה",
			"ביטלנו את ההזמנה, הזיכוי יופיע בחשבונית הבאה",
		}},
		{"תוכנית החיסכון", kesher.ChannelEmail, kesher.StatusOpen, true, []string{
			"מה כוללת תכנית המנויים שלכם? ואיך משנים תוכנית?",
		}},
	}
	for i, th := range threads {
		created := next()
		conv := &kesher.Conversation{CustomerID: custs[i%len(custs)].ID, Subject: th.subject, Channel: th.channel, Status: th.status,
			CreatedAt: created, UpdatedAt: created}
		if th.owned {
			conv.OwnerID = owner.ID
		}
		conv = newConversation(t, db, conv)
		c.convs[conv.ID] = conv
		c.owner[conv.ID] = conv.OwnerID
		add(kesher.SearchConversation, conv.ID, conv.ID, th.subject, "", created)
		for j, body := range th.msgs {
			created := next()
			dir, author := kesher.Inbound, kesher.AuthorCustomer
			if j%2 == 1 {
				dir, author = kesher.Outbound, kesher.AuthorAgent
			}
			m := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: dir, Channel: th.channel, AuthorType: author,
				BodyText: body, Attachments: []kesher.Attachment{}, CreatedAt: created}
			write(t, db, func(tx kesher.Tx) error { return tx.CreateMessage(ctx, m) })
			add(kesher.SearchMessage, m.ID, conv.ID, "", body, created)
		}
	}
	return c
}

// found runs f with q on db and returns the documents' keys, newest first.
func found(t *testing.T, db *store.DB, q search.Query, f kesher.SearchFilter) []string {
	t.Helper()
	f.Match, f.Limit = q, orDefault(f.Limit, 100)
	got, err := db.Search(ctx, f)
	if err != nil {
		t.Fatalf("Search(%s): %v", q.FTS5(), err)
	}
	keys := []string{}
	for _, c := range got {
		keys = append(keys, docKey(c.Kind, c.ID))
	}
	return keys
}

func testSearch(t *testing.T, db *store.DB) {
	c := buildSearchCorpus(t, db)
	if n := drainIndex(t, db); n == 0 {
		t.Fatal("writing documents queued nothing to index")
	}
	queries := []string{
		"הזמנה", "ההזמנה", "להזמנה", "רק", "ברק", "משלוח", "המשלוחים", `"ההזמנה שלי"`, `"שלי ההזמנה"`,
		"הזמנה -ביטול", "refund", "refunds damaged", `"business days"`, "#4471", "4471", "a-1234",
		"dana@example.com", "050-1234567", "03-1234567", "תוכנית", "תכנית", "noah", "כהן",
		"חיפה משלוח", "nothing-like-this", "-הזמנה הזמנה", "שבוע OR", "ביטול refund",
	}
	nonEmpty := 0
	for _, text := range queries {
		q, err := searcher.Parse(text, false)
		if err != nil {
			t.Fatal(err)
		}
		if q.Empty() {
			continue
		}
		want, _ := c.ref.Match(q, 100)
		if want == nil {
			want = []string{}
		}
		if len(want) > 0 {
			nonEmpty++
		}
		if diff := cmp.Diff(want, found(t, db, q, kesher.SearchFilter{})); diff != "" {
			t.Errorf("%s (%s): the index differs from the reference (-want +got):\n%s", text, q.FTS5(), diff)
		}
		if wide, ok := q.Widen(); ok {
			want, _ := c.ref.Match(wide, 100)
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, found(t, db, wide, kesher.SearchFilter{})); diff != "" {
				t.Errorf("%s widened: the index differs from the reference (-want +got):\n%s", text, diff)
			}
		}
	}
	if nonEmpty < 20 {
		t.Errorf("only %d of %d queries find anything; the comparison proves little", nonEmpty, len(queries))
	}
	// Typing: the last word is a beginning.
	q, _ := searcher.Parse("משלוח לחיפ", true)
	want, _ := c.ref.Match(q, 100)
	if got := found(t, db, q, kesher.SearchFilter{}); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("typing: got %v, want %v", got, want)
	}

	// Filters agree with what the documents are.
	q, _ = searcher.Parse("הזמנה", false)
	all, _ := c.ref.Match(q, 100)
	keep := func(pred func(key string) bool) []string {
		out := []string{}
		for _, k := range all {
			if pred(k) {
				out = append(out, k)
			}
		}
		return out
	}
	convOf := func(key string) *kesher.Conversation { return c.convs[c.docs[key].ConversationID] }
	var someOwner string
	for _, o := range c.owner {
		if o != "" {
			someOwner = o
		}
	}
	mid := c.when[all[len(all)/2]]
	for _, tc := range []struct {
		name string
		f    kesher.SearchFilter
		pred func(key string) bool
	}{
		{"messages only", kesher.SearchFilter{Kinds: []kesher.SearchKind{kesher.SearchMessage}},
			func(k string) bool { return c.kinds[k] == kesher.SearchMessage }},
		{"conversations and customers", kesher.SearchFilter{Kinds: []kesher.SearchKind{kesher.SearchConversation, kesher.SearchCustomer}},
			func(k string) bool { return c.kinds[k] != kesher.SearchMessage }},
		{"open", kesher.SearchFilter{Statuses: []kesher.Status{kesher.StatusOpen}},
			func(k string) bool { return convOf(k) != nil && convOf(k).Status == kesher.StatusOpen }},
		{"phone or chat", kesher.SearchFilter{Channels: []kesher.Channel{kesher.ChannelPhone, kesher.ChannelChat}},
			func(k string) bool {
				return convOf(k) != nil && (convOf(k).Channel == kesher.ChannelPhone || convOf(k).Channel == kesher.ChannelChat)
			}},
		{"owner", kesher.SearchFilter{OwnerID: someOwner},
			func(k string) bool { return convOf(k) != nil && convOf(k).OwnerID == someOwner }},
		{"unowned", kesher.SearchFilter{Unowned: true},
			func(k string) bool { return convOf(k) != nil && convOf(k).OwnerID == "" }},
		{"owner or unowned", kesher.SearchFilter{OwnerID: someOwner, Unowned: true},
			func(k string) bool { return convOf(k) != nil }},
		{"from", kesher.SearchFilter{From: mid}, func(k string) bool { return !c.when[k].Before(mid) }},
		{"to", kesher.SearchFilter{To: mid}, func(k string) bool { return c.when[k].Before(mid) }},
		{"limit", kesher.SearchFilter{Limit: 2}, func(k string) bool { return slices.Index(all, k) < 2 }},
	} {
		if diff := cmp.Diff(keep(tc.pred), found(t, db, q, tc.f)); diff != "" {
			t.Errorf("filter %s (-want +got):\n%s", tc.name, diff)
		}
	}

	// Candidates carry their text and time.
	got, err := db.Search(ctx, kesher.SearchFilter{Match: q, Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("Search = %v, %v", got, err)
	}
	if want := c.docs[all[0]]; !cmp.Equal(want, got[0]) {
		t.Errorf("candidate %+v, want %+v", got[0], want)
	}
	if _, err := db.Search(ctx, kesher.SearchFilter{Limit: 10}); kesher.ErrorCode(err) != kesher.ECodeValidation {
		t.Errorf("a search without a match: %v", err)
	}
}

// testSearchChanges: the triggers queue every change that alters what a
// document says, and indexing again replaces the old terms.
func testSearchChanges(t *testing.T, db *store.DB) {
	dana := createCustomer(t, db, newCustomer("דנה כהן", at(1), email("dana@example.com")))
	other := createCustomer(t, db, newCustomer("Dana C.", at(2), email("dana.work@example.com")))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: dana.ID, Subject: "חשבונית חסרה", UpdatedAt: at(3)})
	drainIndex(t, db)
	is := func(what, text string, want ...string) {
		t.Helper()
		q, _ := searcher.Parse(text, false)
		if want == nil {
			want = []string{}
		}
		if diff := cmp.Diff(want, found(t, db, q, kesher.SearchFilter{})); diff != "" {
			t.Errorf("%s: %q (-want +got):\n%s", what, text, diff)
		}
	}
	is("subject", "חשבונית", docKey(kesher.SearchConversation, conv.ID))

	conv.Subject = "קבלה חסרה"
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateConversation(ctx, conv) })
	conv.Status = kesher.StatusPending // a change that leaves the text alone queues nothing
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateConversation(ctx, conv) })
	if n := drainIndex(t, db); n != 1 {
		t.Errorf("two updates, one of the subject, queued %d tasks, want 1", n)
	}
	is("old subject", "חשבונית")
	is("new subject", "קבלה", docKey(kesher.SearchConversation, conv.ID))

	write(t, db, func(tx kesher.Tx) error {
		return tx.AddIdentity(ctx, &kesher.Identity{ID: newID(), CustomerID: dana.ID, Kind: kesher.IdentityPhone, Value: "+972541112233", CreatedAt: at(4)})
	})
	drainIndex(t, db)
	is("added identity", "054-1112233", docKey(kesher.SearchCustomer, dana.ID))

	// Merging other into dana: other is gone, its address now finds dana.
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.MoveCustomerData(ctx, other.ID, dana.ID); err != nil {
			return err
		}
		other.MergedInto = dana.ID
		return tx.UpdateCustomer(ctx, other)
	})
	drainIndex(t, db)
	is("after the merge", "dana.work@example.com", docKey(kesher.SearchCustomer, dana.ID))
	is("the merged customer", `"Dana C."`)

	// Rebuilding queues everything again and records the version.
	write(t, db, func(tx kesher.Tx) error { return tx.RebuildIndex(ctx, "test-1") })
	if v, err := db.IndexVersion(ctx); err != nil || v != "test-1" {
		t.Errorf("IndexVersion = %q, %v", v, err)
	}
	if n, err := db.CountIndexQueue(ctx); err != nil || n != 2 { // the conversation and dana; the merged customer is left out
		t.Errorf("queue after a rebuild: %d, %v; want 2", n, err)
	}
	drainIndex(t, db)
	is("after the rebuild", "קבלה", docKey(kesher.SearchConversation, conv.ID))
	if n, err := db.CountIndexQueue(ctx); err != nil || n != 0 {
		t.Errorf("queue after draining: %d, %v", n, err)
	}
}

// testSearchSameMicrosecond: documents written in the same microsecond
// each get a docid of their own.
func testSearchSameMicrosecond(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("לקוחה", at(1)))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, Subject: "x", UpdatedAt: at(1)})
	var ids []string
	write(t, db, func(tx kesher.Tx) error {
		for i := range 40 {
			m := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: kesher.Note, Channel: kesher.ChannelEmail,
				AuthorType: kesher.AuthorAgent, BodyText: fmt.Sprintf("פתק מספר %d", i), Attachments: []kesher.Attachment{}, CreatedAt: at(2)}
			ids = append(ids, docKey(kesher.SearchMessage, m.ID))
			if err := tx.CreateMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	drainIndex(t, db)
	q, _ := searcher.Parse("פתק", false)
	got := found(t, db, q, kesher.SearchFilter{})
	slices.Sort(got)
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("found %d of 40 notes written in one microsecond: %v", len(got), strings.Join(got, " "))
	}
}

// testSearchDeep: on a desk of more documents than one search reads in
// order, a search still finds the newest matches, newest first, whether
// they are common, need a second window or lie only among the oldest
// (which PostgreSQL's search leaves to its index), with and without a
// filter on their conversations.
func testSearchDeep(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("לקוחה", at(1)))
	open := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, Subject: "פתוחה", UpdatedAt: at(1)})
	solved := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, Subject: "נפתרה", Status: kesher.StatusSolved, UpdatedAt: at(1)})
	const n = 6000
	ids := make([]string, n) // oldest first
	write(t, db, func(tx kesher.Tx) error {
		for i := range n {
			words := []string{"שגרה"}
			if i%20 == 0 {
				words = append(words, "תשלום")
			}
			if i < 400 {
				words = append(words, "ארכיון")
			}
			conv := open
			if i%2 == 1 {
				conv = solved
			}
			m := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: kesher.Inbound, Channel: kesher.ChannelEmail,
				AuthorType: kesher.AuthorCustomer, BodyText: strings.Join(words, " "), Attachments: []kesher.Attachment{}, CreatedAt: at(10 + i)}
			ids[i] = docKey(kesher.SearchMessage, m.ID)
			if err := tx.CreateMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	drainIndex(t, db)
	newest := func(limit int, keep func(i int) bool) []string {
		var out []string
		for i := n - 1; i >= 0 && len(out) < limit; i-- {
			if keep(i) {
				out = append(out, ids[i])
			}
		}
		return out
	}
	messages := []kesher.SearchKind{kesher.SearchMessage}
	for _, tc := range []struct {
		name, query string
		filter      kesher.SearchFilter
		want        []string
	}{
		{"common", "שגרה", kesher.SearchFilter{Kinds: messages, Limit: 200}, newest(200, func(int) bool { return true })},
		{"one in twenty", "תשלום", kesher.SearchFilter{Kinds: messages, Limit: 200}, newest(200, func(i int) bool { return i%20 == 0 })},
		{"only the oldest", "ארכיון", kesher.SearchFilter{Kinds: messages, Limit: 200}, newest(200, func(i int) bool { return i < 400 })},
		{"oldest, in open conversations", "ארכיון", kesher.SearchFilter{Kinds: messages, Limit: 150, Statuses: []kesher.Status{kesher.StatusOpen}},
			newest(150, func(i int) bool { return i < 400 && i%2 == 0 })},
		{"within dates", "תשלום", kesher.SearchFilter{Kinds: messages, Limit: 200, From: at(10 + 1000), To: at(10 + 3000)},
			newest(200, func(i int) bool { return i%20 == 0 && i >= 1000 && i < 3000 })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := searcher.Parse(tc.query, false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, found(t, db, q, tc.filter)); diff != "" {
				t.Errorf("newest matches (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIndexAcrossNodes: nodes indexing the same queue at once index every
// document once and leave the queue empty.
func TestIndexAcrossNodes(t *testing.T) {
	acrossNodes(t, 3, func(t *testing.T, dbs []*store.DB) {
		cust := createCustomer(t, dbs[0], newCustomer("לקוח", at(1)))
		conv := newConversation(t, dbs[0], &kesher.Conversation{CustomerID: cust.ID, Subject: "שיחה", UpdatedAt: at(1)})
		const n = 300
		write(t, dbs[0], func(tx kesher.Tx) error {
			for i := range n {
				m := &kesher.Message{ID: newID(), ConversationID: conv.ID, Direction: kesher.Inbound, Channel: kesher.ChannelEmail,
					AuthorType: kesher.AuthorCustomer, BodyText: fmt.Sprintf("החשבונית מספר %d", i), Attachments: []kesher.Attachment{},
					CreatedAt: at(2 + i/7)}
				if err := tx.CreateMessage(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		errs := make(chan error, len(dbs))
		for _, db := range dbs {
			go func() {
				for attempt := 0; ; attempt++ {
					tasks, err := db.IndexQueue(ctx, 40)
					if err != nil || len(tasks) == 0 {
						errs <- err
						return
					}
					sources, err := db.IndexSources(ctx, tasks)
					if err != nil {
						errs <- err
						return
					}
					entries := make([]*kesher.IndexEntry, len(sources))
					for i, s := range sources {
						d := searcher.Document(s.Title, s.Body)
						entries[i] = &kesher.IndexEntry{IndexSource: *s, Base: d.Base, Loose: d.Loose}
					}
					done := make([]int64, len(tasks))
					for i, task := range tasks {
						done[i] = task.Seq
					}
					if err := db.Write(ctx, func(tx kesher.Tx) error { return tx.SaveIndex(ctx, entries, done) }); err != nil {
						errs <- fmt.Errorf("attempt %d: %w", attempt, err)
						return
					}
				}
			}()
		}
		for range dbs {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		q, _ := searcher.Parse("חשבונית", false)
		if got := found(t, dbs[1], q, kesher.SearchFilter{Limit: 1000}); len(got) != n {
			t.Errorf("found %d of %d messages", len(got), n)
		}
		if left, err := dbs[2].CountIndexQueue(ctx); err != nil || left != 0 {
			t.Errorf("queue left %d, %v", left, err)
		}
	})
}
