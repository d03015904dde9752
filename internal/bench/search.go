package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/store"
)

// SearchConfig sizes the search benchmark.
type SearchConfig struct {
	// DSN and DataDir name a fresh database, as in store.Config.
	DSN, DataDir string
	Messages     int           // 1,000,000 when zero; conversations are a quarter, customers a tenth
	Duration     time.Duration // per query run; 10 s when zero
	// Reuse measures only the queries, on a database that an earlier run
	// seeded and indexed; the report's seeding and indexing are empty.
	Reuse    bool
	Progress io.Writer
}

// SearchReport is what the search benchmark measured.
type SearchReport struct {
	Seed SeedResult
	// Indexed counts the documents the indexer indexed (messages,
	// conversations and customers) in IndexTime.
	Indexed, IndexedMessages int
	IndexTime                time.Duration
	// IndexBytes is the size of the search tables; TextBytes the size of
	// the text they index.
	IndexBytes, TextBytes int64
	// Queries has one result per query category and one for all, for the
	// desk's whole search and for the store's match alone (the baseline).
	Queries, Match []Result
}

func (r SearchReport) String() string {
	var b strings.Builder
	if r.IndexTime > 0 { // not when the run reused an indexed desk
		fmt.Fprintf(&b, "seeded %s\n", r.Seed)
		fmt.Fprintf(&b, "indexed %d documents (%d messages) in %s: %.0f documents/s, %.0f messages/s\n", r.Indexed, r.IndexedMessages,
			r.IndexTime.Round(time.Millisecond), float64(r.Indexed)/r.IndexTime.Seconds(), float64(r.IndexedMessages)/r.IndexTime.Seconds())
	}
	fmt.Fprintf(&b, "index %.1f MiB for %.1f MiB of text (%.2f×)\n\n", float64(r.IndexBytes)/(1<<20), float64(r.TextBytes)/(1<<20),
		float64(r.IndexBytes)/float64(max(1, r.TextBytes)))
	b.WriteString("desk.Search (match, ranking of up to 200 candidates, snippets):\n\n")
	b.WriteString(Table(r.Queries))
	b.WriteString("\nstore.Search alone (match and the candidates' text; the baseline):\n\n")
	b.WriteString(Table(r.Match))
	return b.String()
}

// searchQuery is one query of the benchmark's mix.
type searchQuery struct {
	category string
	req      desk.SearchRequest
}

// searchMix is the benchmark's queries: common and rare words, prefixed
// and inflected Hebrew, phrases, exclusions, exact tokens, filters and
// words being typed. order, email and phone come from the seeded data.
func searchMix(order, email, phone string, now time.Time) []searchQuery {
	q := func(cat, text string) searchQuery { return searchQuery{cat, desk.SearchRequest{Query: text}} }
	mix := []searchQuery{
		q("hebrew word", "הזמנה"), q("hebrew word", "משלוח"), q("hebrew word", "חשבונית"), q("hebrew word", "שליח"),
		q("hebrew inflected", "וההזמנה"), q("hebrew inflected", "להחזיר"), q("hebrew inflected", "בחשבונית"), q("hebrew inflected", "המשלוחים"),
		q("hebrew words", "הזמנה לא הגיעה"), q("hebrew words", "חויבתי פעמיים"), q("hebrew words", "איפוס הסיסמה"), q("hebrew words", "מכונת קפה שבור"),
		q("phrase", `"ההזמנה שלי"`), q("phrase", `"ימי עסקים"`), q("phrase", `"business days"`), q("phrase", `"coupon code"`),
		q("rare", "קומקום"), q("rare", "טבריה"), q("rare", "stroller"), q("rare", "Lisbon"),
		q("english", "refund"), q("english", "delivery address"), q("english", "cancelled orders"), q("english", "password reset email"),
		q("exclusion", "הזמנה -ביטול"), q("exclusion", "refund -coupon"),
		q("exact", order), q("exact", email), q("exact", phone),
	}
	mix = append(mix,
		searchQuery{"filtered", desk.SearchRequest{Query: "הזמנה", Statuses: []kesher.Status{kesher.StatusOpen}}},
		searchQuery{"filtered", desk.SearchRequest{Query: "refund", Owner: "none"}},
		searchQuery{"filtered", desk.SearchRequest{Query: "משלוח", Channels: []kesher.Channel{kesher.ChannelWhatsApp}}},
		searchQuery{"filtered", desk.SearchRequest{Query: "חשבונית", From: now.AddDate(0, 0, -30)}},
		searchQuery{"typing", desk.SearchRequest{Query: "הזמ", Typing: true}},
		searchQuery{"typing", desk.SearchRequest{Query: "משלוח לחי", Typing: true}},
		searchQuery{"typing", desk.SearchRequest{Query: "refu", Typing: true}},
	)
	return mix
}

// Search seeds a desk with varied text, builds its search index with the
// desk's own indexer (timed), and then runs a mix of queries round robin
// for cfg.Duration through desk.Search and, as the baseline, through the
// store's match alone.
func Search(ctx context.Context, cfg SearchConfig) (SearchReport, error) {
	if cfg.Messages == 0 {
		cfg.Messages = 1_000_000
	}
	if cfg.Duration == 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	var rep SearchReport
	db, err := store.Open(ctx, store.Config{DSN: cfg.DSN, DataDir: cfg.DataDir, GroupCommit: true})
	if err != nil {
		return rep, err
	}
	defer db.Close()
	now := time.Now().UTC()
	if !cfg.Reuse {
		if err := seedAndIndex(ctx, db, cfg, now, &rep); err != nil {
			return rep, err
		}
	}
	if rep.IndexBytes, rep.TextBytes, err = db.SearchSizes(ctx); err != nil {
		return rep, err
	}
	d := desk.New(desk.Config{Store: db, Logger: slog.New(slog.DiscardHandler)})
	order, email, phone, err := seededExacts(ctx, db)
	if err != nil {
		return rep, err
	}
	mix := searchMix(order, email, phone, now)
	run := func(name string, call func(searchQuery) error) ([]Result, error) {
		byCat := map[string][]time.Duration{}
		var cats []string
		var all []time.Duration
		for _, m := range mix { // warm up: each query once
			if err := call(m); err != nil {
				return nil, fmt.Errorf("%s %q: %w", name, m.req.Query, err)
			}
		}
		start := time.Now()
		// Every query runs at least once, however slow the machine.
		for i := 0; (time.Since(start) < cfg.Duration || i < len(mix)) && ctx.Err() == nil; i++ {
			m := mix[i%len(mix)]
			t := time.Now()
			if err := call(m); err != nil {
				return nil, fmt.Errorf("%s %q: %w", name, m.req.Query, err)
			}
			dur := time.Since(t)
			if _, ok := byCat[m.category]; !ok {
				cats = append(cats, m.category)
			}
			byCat[m.category] = append(byCat[m.category], dur)
			all = append(all, dur)
		}
		elapsed := time.Since(start)
		out := []Result{summarize(name+": all "+strconv.Itoa(len(mix))+" queries", all, elapsed)}
		for _, c := range cats {
			out = append(out, summarize(name+": "+c, byCat[c], 0))
		}
		return out, ctx.Err()
	}
	if rep.Queries, err = run("search", func(m searchQuery) error {
		_, _, err := d.Search(ctx, m.req)
		return err
	}); err != nil {
		return rep, err
	}
	rep.Match, err = run("match", func(m searchQuery) error {
		q, err := d.ParseQuery(m.req.Query, m.req.Typing)
		if err != nil || q == nil {
			return err
		}
		f := kesher.SearchFilter{Match: q, Kinds: m.req.Kinds, Statuses: m.req.Statuses, Channels: m.req.Channels,
			From: m.req.From, Unowned: m.req.Owner == "none", Limit: 200}
		_, err = db.Search(ctx, f)
		return err
	})
	return rep, err
}

// seedAndIndex seeds the benchmark's desk and builds its search index
// with the desk's own indexer, timed.
func seedAndIndex(ctx context.Context, db *store.DB, cfg SearchConfig, now time.Time, rep *SearchReport) error {
	var err error
	rep.Seed, err = Seed(ctx, db, SeedConfig{Customers: max(1, cfg.Messages/10), Conversations: max(1, cfg.Messages/4),
		Messages: cfg.Messages, Now: now, Seed: 11, VariedText: true, Progress: cfg.Progress})
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Progress, "seeded: %s\n", rep.Seed)
	d := desk.New(desk.Config{Store: db, Logger: slog.New(slog.DiscardHandler)})

	began := time.Now()
	if err := d.PrepareIndex(ctx); err != nil {
		return err
	}
	queued, err := db.CountIndexQueue(ctx)
	if err != nil {
		return err
	}
	for {
		n, err := d.IndexPending(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		rep.Indexed += n
		if rep.Indexed%100_000 < n {
			fmt.Fprintf(cfg.Progress, "indexed %d of %d in %s\n", rep.Indexed, queued, time.Since(began).Round(time.Second))
		}
	}
	// As the desk's indexer does when its queue runs dry after a backlog.
	if err := db.TuneIndex(ctx); err != nil {
		return err
	}
	rep.IndexTime = time.Since(began)
	rep.IndexedMessages = rep.Seed.Messages
	return nil
}

// seededExacts finds an order number, an email and a phone that the seeded
// messages and customers hold.
func seededExacts(ctx context.Context, db *store.DB) (order, email, phone string, err error) {
	convs, _, err := db.Conversations(ctx, kesher.ConversationFilter{Page: kesher.Page{Limit: 1}})
	if err != nil || len(convs) == 0 {
		return "", "", "", fmt.Errorf("bench: no conversation to take an order number from: %v", err)
	}
	for _, w := range strings.Fields(convs[0].Subject) {
		if _, err := strconv.Atoi(w); err == nil {
			order = w
		}
	}
	if order == "" {
		order = "#100000"
	}
	email, _ = CustomerEmail(1)
	phone, _ = CustomerPhone(1)
	return order, email, "0" + strings.TrimPrefix(phone, "+972"), nil
}
