package store_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"kesher"
	"kesher/internal/store"
)

// BenchmarkReadsAtScale measures the hot reads on a desk of
// KESHER_BENCH_CONVERSATIONS conversations (default 100,000; the targets
// are stated for 1,000,000), with three messages each and one customer per
// three conversations, and reports the 99th percentile of each read.
func BenchmarkReadsAtScale(b *testing.B) {
	n := 100_000
	if v := os.Getenv("KESHER_BENCH_CONVERSATIONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	seedSQLite(b, filepath.Join(dir, "kesher.db"), n)
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()

	reads := []struct {
		name string
		read func(i int) error
	}{
		{"inbox", func(i int) error {
			_, _, err := db.Conversations(ctx, kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusOpen},
				OwnerIDs: []string{fmt.Sprintf("user%02d", i%50), kesher.NoOwner}})
			return err
		}},
		{"team queue", func(i int) error {
			_, _, err := db.Conversations(ctx, kesher.ConversationFilter{TeamIDs: []string{"team1"}, Statuses: []kesher.Status{kesher.StatusOpen, kesher.StatusPending}})
			return err
		}},
		{"customer by identity", func(i int) error {
			_, err := db.CustomerByIdentity(ctx, kesher.IdentityEmail, fmt.Sprintf("c%d@example.com", i%(n/3)))
			return err
		}},
		{"conversation with 20 messages", func(i int) error {
			id := fmt.Sprintf("conv%09d", i%n)
			if _, err := db.Conversation(ctx, id); err != nil {
				return err
			}
			_, _, err := db.Messages(ctx, id, kesher.Page{Limit: 20})
			return err
		}},
		{"customer conversations", func(i int) error {
			_, _, err := db.Conversations(ctx, kesher.ConversationFilter{CustomerID: fmt.Sprintf("cust%09d", i%(n/3))})
			return err
		}},
		{"customer search", func(i int) error {
			_, _, err := db.Customers(ctx, kesher.CustomerFilter{Query: fmt.Sprintf("c%d@", i%(n/3))})
			return err
		}},
		{"timeline", func(i int) error {
			_, _, err := db.Timeline(ctx, fmt.Sprintf("cust%09d", i%(n/3)), kesher.Page{})
			return err
		}},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if err := r.read(i * 7919); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
			}
			slices.Sort(durations)
			b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds()), "p99-µs")
		})
	}
}

// seedSQLite fills a new database file directly with SQL, which is far
// quicker than a million Writes.
func seedSQLite(b *testing.B, path string, n int) {
	b.Helper()
	db, err := store.Open(ctx, store.Config{DSN: "sqlite:" + path})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=synchronous(OFF)&_pragma=foreign_keys(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	const seq = "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < $1 - 1) "
	for _, q := range []struct {
		count int
		sql   string
	}{
		{50, seq + "INSERT INTO users SELECT printf('user%02d', i), printf('u%d@example.com', i), 'agent', 'agent', 1, 'online', 'he', '', 1, 1 FROM s"},
		{3, seq + "INSERT INTO teams SELECT printf('team%d', i), 'team', 1, 1 FROM s"},
		{n / 3, seq + "INSERT INTO customers SELECT printf('cust%09d', i), 'לקוח', 'לקוח', 'he', '', NULL, i, i FROM s"},
		{n / 3, seq + "INSERT INTO identities SELECT printf('ident%09d', i), printf('cust%09d', i), 'email', printf('c%d@example.com', i), i FROM s"},
		// A tenth open, a tenth pending, the rest solved; a tenth unowned.
		{n, seq + `INSERT INTO conversations SELECT printf('conv%09d', i), i + 1, 'נושא', CASE i % 10 WHEN 0 THEN 'open' WHEN 1 THEN 'pending' ELSE 'solved' END,
			'normal', CASE i % 3 WHEN 0 THEN 'email' WHEN 1 THEN 'chat' ELSE 'phone' END, printf('cust%09d', i % ($1 / 3)),
			CASE WHEN i % 7 = 3 THEN NULL ELSE printf('user%02d', i % 50) END, printf('team%d', i % 3), NULL, '[]', 0, 3, i, 'excerpt',
			i * 1000, i * 1000 + abs(random() % 100000000), 0 FROM s`},
		{n * 3, seq + `INSERT INTO messages SELECT printf('msg%09d', i), printf('conv%09d', i / 3), 'inbound', 'email', 'customer', '',
			'גוף ההודעה, כמה מילים של לקוח שמחכה לתשובה', '', '[]', '', i * 333 FROM s`},
		{n * 2, seq + `INSERT INTO events SELECT printf('ev%09d', i), CASE i % 2 WHEN 0 THEN 'conversation.created' ELSE 'message.added' END,
			printf('conv%09d', i / 2), printf('cust%09d', (i / 2) % ($1 / 3)), CASE i % 2 WHEN 1 THEN printf('msg%09d', (i / 2) * 3) END,
			'customer', NULL, '{}', i * 500 FROM s`},
		{0, "UPDATE counters SET value = (SELECT max(number) FROM conversations)"},
	} {
		a := []any{q.count}
		if q.count == 0 {
			a = nil
		}
		if _, err := raw.ExecContext(ctx, q.sql, a...); err != nil {
			b.Fatalf("%s: %v", q.sql[:60], err)
		}
	}
}
