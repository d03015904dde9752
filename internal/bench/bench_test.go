package bench_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/bench"
	"kesher/internal/store"
)

func openSQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func seed(t testing.TB, db kesher.Store, customers, conversations, messages int) bench.SeedResult {
	t.Helper()
	res, err := bench.Seed(context.Background(), db, bench.SeedConfig{Customers: customers, Conversations: conversations,
		Messages: messages, Agents: 10, Batch: 50, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSeedCounts(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	res := seed(t, db, 60, 200, 800)
	if res.Customers != 60 || res.Conversations != 200 || res.Messages != 800 || res.Agents != 10 {
		t.Fatalf("seeded %v", res)
	}
	if res.LongThreads != 2 {
		t.Errorf("long threads = %d, want 2", res.LongThreads)
	}
	// Every customer has at least one identity; 1 in 4 has only one.
	if res.Identities < 60 || res.Identities > 120 {
		t.Errorf("identities = %d", res.Identities)
	}
	// Events: one created, one per message, one per solved or closed.
	if res.Events < res.Conversations+res.Messages || res.Events > 2*res.Conversations+res.Messages {
		t.Errorf("events = %d", res.Events)
	}

	// What the store holds agrees with what Seed reported.
	var convs, messages, open int
	page := kesher.Page{Limit: kesher.MaxPageLimit}
	for {
		cs, next, err := db.Conversations(ctx, kesher.ConversationFilter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			convs++
			messages += c.MessageCount
			if c.Status == kesher.StatusOpen {
				open++
			}
			if strings.Contains(c.Subject, "%") || strings.Contains(c.Excerpt, "%") {
				t.Errorf("conversation %d: unfilled template in %q / %q", c.Number, c.Subject, c.Excerpt)
			}
			if c.Status.Unsolved() == !c.SolvedAt.IsZero() {
				t.Errorf("conversation %d: status %s, solved at %v", c.Number, c.Status, c.SolvedAt)
			}
			ms, _, err := db.Messages(ctx, c.ID, kesher.Page{Limit: kesher.MaxPageLimit})
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != c.MessageCount || ms[len(ms)-1].CreatedAt != c.LastMessageAt {
				t.Errorf("conversation %d: %d messages, count %d", c.Number, len(ms), c.MessageCount)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if convs != 200 || messages != 800 || open != res.Open {
		t.Errorf("store holds %d conversations, %d messages, %d open; seed said %v", convs, messages, open, res)
	}
	for i := range 60 {
		if v, ok := bench.CustomerEmail(i); ok {
			if _, err := db.CustomerByIdentity(ctx, kesher.IdentityEmail, v); err != nil {
				t.Errorf("customer %d by email: %v", i, err)
			}
		}
		if v, ok := bench.CustomerPhone(i); ok {
			if _, err := db.CustomerByIdentity(ctx, kesher.IdentityPhone, v); err != nil {
				t.Errorf("customer %d by phone: %v", i, err)
			}
		}
	}
}

func TestQuery(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	seed(t, db, 60, 200, 800)
	s, err := bench.Discover(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if s.Customers != 60 || len(s.LongThreads) != 2 || len(s.Agents) != 9 { // agent 0 is the admin
		t.Fatalf("discovered %d customers, %d long threads, %d agents", s.Customers, len(s.LongThreads), len(s.Agents))
	}
	rs, err := bench.Query(ctx, db, s, bench.QueryConfig{Iterations: 200, Warmup: 10})
	if err != nil {
		t.Fatal(err)
	}
	checkResults(t, rs, 3, 200)
	if table := bench.Table(rs); strings.Count(table, "\n") != 5 {
		t.Errorf("table:\n%s", table)
	}
}

// TestUI is the smoke run of kesher bench ui on a small desk: every page
// renders for a seeded agent and live updates reach every stream.
func TestUI(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	seed(t, db, 60, 200, 800)
	s, err := bench.Discover(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := bench.UI(ctx, db, s, bench.UIConfig{Iterations: 20, Clients: 5, Updates: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 7 {
		t.Fatalf("%d results, want 5 pages and 2 live runs", len(rs))
	}
	for _, r := range rs[:5] {
		if r.N != 20 || r.Errors != 0 || r.P50 <= 0 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	if rs[5].N != 3 || rs[6].N != 15 {
		t.Errorf("live deliveries: %d and %d, want 3 (1 stream) and 15 (5 streams)", rs[5].N, rs[6].N)
	}
}

func TestHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the server for a few seconds")
	}
	for _, group := range []bool{true, false} {
		r, err := bench.HTTP(context.Background(), bench.HTTPConfig{DataDir: t.TempDir(), GroupCommit: group, Clients: 4,
			Duration: time.Second, Warmup: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		checkResults(t, []bench.Result{r}, 1, 1)
		if r.Errors != 0 || r.OpsPerSec <= 0 {
			t.Errorf("%+v", r)
		}
	}
}

// checkResults asserts that the results are sane, without timing limits.
func checkResults(t *testing.T, rs []bench.Result, want, minN int) {
	t.Helper()
	if len(rs) != want {
		t.Fatalf("%d results, want %d", len(rs), want)
	}
	for _, r := range rs {
		if r.N < minN || r.Errors != 0 || r.OpsPerSec <= 0 {
			t.Errorf("%s: n %d, errors %d, %.0f ops/s", r.Name, r.N, r.Errors, r.OpsPerSec)
		}
		if !(0 < r.P50 && r.P50 <= r.P95 && r.P95 <= r.P99 && r.P99 <= r.Max) {
			t.Errorf("%s: percentiles out of order: %v %v %v %v", r.Name, r.P50, r.P95, r.P99, r.Max)
		}
	}
}

// benchDesk seeds a small desk once for the Benchmark functions.
var benchDesk struct {
	dir string
	db  *store.DB
	s   *bench.Sample
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDesk.db != nil {
		_ = benchDesk.db.Close()
		_ = os.RemoveAll(benchDesk.dir)
	}
	os.Exit(code)
}

func seeded(b *testing.B) (*store.DB, *bench.Sample) {
	b.Helper()
	if benchDesk.db == nil {
		dir, err := os.MkdirTemp("", "kesher-bench-")
		if err != nil {
			b.Fatal(err)
		}
		db, err := store.Open(context.Background(), store.Config{DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		seed(b, db, 3000, 10000, 30000)
		s, err := bench.Discover(context.Background(), db)
		if err != nil {
			b.Fatal(err)
		}
		benchDesk.dir, benchDesk.db, benchDesk.s = dir, db, s
	}
	return benchDesk.db, benchDesk.s
}

// BenchmarkQueries runs the query benchmark's three reads on a desk of
// 10,000 conversations (kesher bench query measures them on a million).
func BenchmarkQueries(b *testing.B) {
	db, s := seeded(b)
	ctx := context.Background()
	b.Run("inbox", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, _, err := db.Conversations(ctx, kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusOpen},
				OwnerIDs: []string{s.Agents[i%len(s.Agents)], kesher.NoOwner}, Page: kesher.Page{Limit: 50}})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("customer_by_identity", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			v, ok := bench.CustomerEmail(i % s.Customers)
			kind := kesher.IdentityEmail
			if !ok {
				v, _ = bench.CustomerPhone(i % s.Customers)
				kind = kesher.IdentityPhone
			}
			if _, err := db.CustomerByIdentity(ctx, kind, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("open_conversation", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			c, err := db.Conversation(ctx, s.LongThreads[i%len(s.LongThreads)])
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := db.Messages(ctx, c.ID, kesher.Page{Limit: 50}); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Customer(ctx, c.CustomerID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestTimers is a smoke run of the scheduler benchmark on a few timers.
func TestTimers(t *testing.T) {
	res, err := bench.Timers(context.Background(), bench.TimersConfig{DataDir: t.TempDir(), Open: 300, Burst: 100,
		Window: 500 * time.Millisecond, Idle: 200 * time.Millisecond, Lead: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delay.N != 100 {
		t.Fatalf("%d of 100 timers fired: %v", res.Delay.N, res)
	}
	if res.Delay.P50 <= 0 || res.Delay.Max < res.Delay.P50 {
		t.Errorf("delays not measured: %v", res)
	}
}

func TestSearch(t *testing.T) {
	rep, err := bench.Search(context.Background(), bench.SearchConfig{DataDir: t.TempDir(), Messages: 2000, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indexed < rep.Seed.Messages+rep.Seed.Conversations || rep.IndexBytes <= 0 || rep.TextBytes <= 0 {
		t.Errorf("indexed %d documents of %d messages and %d conversations; index %d bytes for %d of text",
			rep.Indexed, rep.Seed.Messages, rep.Seed.Conversations, rep.IndexBytes, rep.TextBytes)
	}
	if len(rep.Queries) < 2 || len(rep.Match) != len(rep.Queries) {
		t.Fatalf("results %v / %v", rep.Queries, rep.Match)
	}
	if all := rep.Queries[0]; all.N == 0 || all.Errors != 0 || all.P50 <= 0 {
		t.Errorf("search results %+v", all)
	}
}
