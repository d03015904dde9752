// Package bench measures Kesher on a large desk: it seeds a realistic
// dataset through the store's own write path, times the hot read queries,
// and drives the real HTTP server with concurrent clients.
package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"time"

	"kesher"
)

// LongThreadTag marks the seeded conversations that have exactly
// LongThreadMessages messages, so the query benchmark can find them.
const (
	LongThreadTag      = "long-thread"
	LongThreadMessages = 20
	// longThreadEvery is how often a conversation is a long thread.
)

// SeedConfig sizes the generated desk.
type SeedConfig struct {
	Customers     int
	Conversations int
	Messages      int // in total; at least one per conversation
	Agents        int // 50 when zero
	// Batch is how many conversations one Write creates (500 when zero);
	// customers go 4 times as many per Write.
	Batch int
	// Span is how far back the conversations go (two years when zero).
	Span time.Duration
	Now  time.Time // time.Now when zero
	Seed uint64
	// VariedText composes message bodies from sentences with varied
	// products, places and days instead of a few templates: the search
	// benchmark needs a vocabulary of realistic size.
	VariedText bool
	// Progress receives a line now and then; nil is silent.
	Progress io.Writer
}

// SeedResult counts what Seed created.
type SeedResult struct {
	Agents, Customers, Identities, Conversations, Messages, Events, LongThreads int
	Open, Unowned                                                               int
	Elapsed                                                                     time.Duration
}

func (r SeedResult) String() string {
	return fmt.Sprintf("%d agents, %d customers (%d identities), %d conversations (%d open, %d open unowned, %d long threads), %d messages, %d events in %s",
		r.Agents, r.Customers, r.Identities, r.Conversations, r.Open, r.Unowned, r.LongThreads, r.Messages, r.Events, r.Elapsed.Round(time.Millisecond))
}

// CustomerEmail and CustomerPhone are the identities of the i-th seeded
// customer; ok is false when that customer has no identity of the kind.
// Customers with i%4 == 0 have only an email, 3 only a phone, and the
// others both, so that lookups can be generated without reading the data.
func CustomerEmail(i int) (string, bool) {
	return latin[i%len(latin)] + "." + strconv.Itoa(i) + "@" + domains[i%len(domains)], i%4 != 3
}

// CustomerPhone: see CustomerEmail. Numbers are Israeli mobiles in E.164.
func CustomerPhone(i int) (string, bool) {
	prefixes := [...]string{"50", "52", "53", "54", "55", "58"}
	return fmt.Sprintf("+972%s%07d", prefixes[i%len(prefixes)], i), i%4 != 0
}

// customerIdentity is an identity every seeded customer i has: the email,
// else the phone.
func customerIdentity(i int) (kesher.IdentityKind, string) {
	if v, ok := CustomerEmail(i); ok {
		return kesher.IdentityEmail, v
	}
	v, _ := CustomerPhone(i)
	return kesher.IdentityPhone, v
}

// Seed fills st with a desk of the configured size: agents, teams and
// reasons, then customers, then conversations in the order they were
// opened, each with its messages and events, many to one Write, through
// the same kesher.Tx methods the desk uses.
func Seed(ctx context.Context, st kesher.Store, cfg SeedConfig) (SeedResult, error) {
	if cfg.Agents == 0 {
		cfg.Agents = 50
	}
	if cfg.Batch == 0 {
		cfg.Batch = 500
	}
	if cfg.Span == 0 {
		cfg.Span = 2 * 365 * 24 * time.Hour
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now().UTC()
	}
	if cfg.Customers < 1 || cfg.Conversations < 1 || cfg.Messages < cfg.Conversations {
		return SeedResult{}, fmt.Errorf("bench: need customers ≥ 1, conversations ≥ 1 and messages ≥ conversations")
	}
	g := &generator{cfg: cfg, rng: mrand.New(mrand.NewPCG(cfg.Seed, 0x6b6573686572)), start: cfg.Now.Add(-cfg.Span), every: 1000}
	if cfg.Conversations < 10000 {
		g.every = 100
	}
	if long := g.longBefore(cfg.Conversations); cfg.Messages < cfg.Conversations-long+long*LongThreadMessages {
		return SeedResult{}, fmt.Errorf("bench: %d messages are too few for %d conversations of which %d have %d messages",
			cfg.Messages, cfg.Conversations, long, LongThreadMessages)
	}
	began := time.Now()
	if err := g.staff(ctx, st); err != nil {
		return g.res, err
	}
	if err := g.customers(ctx, st); err != nil {
		return g.res, err
	}
	if err := g.conversations(ctx, st, began); err != nil {
		return g.res, err
	}
	g.res.Elapsed = time.Since(began)
	return g.res, nil
}

type generator struct {
	cfg         SeedConfig
	rng         *mrand.Rand
	start       time.Time
	agents      []string
	teams       []string
	customerIDs []string
	every       int // a long thread every so many conversations
	res         SeedResult
}

func (g *generator) progress(format string, a ...any) {
	if g.cfg.Progress != nil {
		fmt.Fprintf(g.cfg.Progress, format+"\n", a...)
	}
}

func pick[T any](r *mrand.Rand, s []T) T { return s[r.IntN(len(s))] }

// staff creates the teams, the agents (spread over the teams) and the
// contact reasons.
func (g *generator) staff(ctx context.Context, st kesher.Store) error {
	at := g.start.Add(-24 * time.Hour)
	return st.Write(ctx, func(tx kesher.Tx) error {
		for _, name := range teamNames {
			t := &kesher.Team{ID: kesher.NewID(at), Name: name, MemberIDs: []string{}, CreatedAt: at, UpdatedAt: at}
			if err := tx.CreateTeam(ctx, t); err != nil {
				return err
			}
			g.teams = append(g.teams, t.ID)
		}
		for i := range g.cfg.Agents {
			u := &kesher.User{ID: kesher.NewID(at), Email: fmt.Sprintf("agent%d@bench.kesher.example", i),
				Name: heFirst[i%len(heFirst)] + " " + heLast[(i/len(heFirst)+i)%len(heLast)], Role: kesher.RoleAgent, Active: true,
				Availability: kesher.Online, Language: "he", TeamIDs: []string{g.teams[i%len(g.teams)]}, CreatedAt: at, UpdatedAt: at}
			if i == 0 {
				u.Role = kesher.RoleAdmin
			}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			g.agents = append(g.agents, u.ID)
		}
		for _, r := range reasons {
			r.Active, r.CreatedAt, r.UpdatedAt = true, at, at
			if err := tx.CreateReason(ctx, &r); err != nil {
				return err
			}
		}
		g.res.Agents = len(g.agents)
		return nil
	})
}

// customerAt is when customer i joined: customers are spread evenly over
// the span, so a conversation at time t picks among those before t.
func (g *generator) customerAt(i int) time.Time {
	return g.start.Add(time.Duration(float64(g.cfg.Span) * float64(i) / float64(g.cfg.Customers)))
}

func (g *generator) customers(ctx context.Context, st kesher.Store) error {
	batch := 4 * g.cfg.Batch
	g.customerIDs = make([]string, 0, g.cfg.Customers)
	for lo := 0; lo < g.cfg.Customers; lo += batch {
		hi := min(lo+batch, g.cfg.Customers)
		cs := make([]*kesher.Customer, 0, hi-lo)
		for i := lo; i < hi; i++ {
			at := g.customerAt(i)
			c := &kesher.Customer{ID: kesher.NewID(at), Language: "he", Note: "", CreatedAt: at, UpdatedAt: at}
			if i%3 == 2 {
				c.Language, c.Name = "en", enFirst[g.rng.IntN(len(enFirst))]+" "+enLast[g.rng.IntN(len(enLast))]
			} else {
				c.Name = heFirst[g.rng.IntN(len(heFirst))] + " " + heLast[g.rng.IntN(len(heLast))]
			}
			if v, ok := CustomerEmail(i); ok {
				c.Identities = append(c.Identities, kesher.Identity{ID: kesher.NewID(at), Kind: kesher.IdentityEmail, Value: v, CreatedAt: at})
			}
			if v, ok := CustomerPhone(i); ok {
				c.Identities = append(c.Identities, kesher.Identity{ID: kesher.NewID(at), Kind: kesher.IdentityPhone, Value: v, CreatedAt: at})
			}
			cs = append(cs, c)
		}
		err := st.Write(ctx, func(tx kesher.Tx) error {
			for _, c := range cs {
				if err := tx.CreateCustomer(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("customers %d–%d: %w", lo, hi, err)
		}
		for _, c := range cs {
			g.customerIDs = append(g.customerIDs, c.ID)
			g.res.Identities += len(c.Identities)
		}
		g.res.Customers = len(g.customerIDs)
		if (lo/batch)%25 == 0 {
			g.progress("customers %d/%d", g.res.Customers, g.cfg.Customers)
		}
	}
	return nil
}

// convBatch is one Write's worth of generated rows.
type convBatch struct {
	convs    []*kesher.Conversation
	messages [][]*kesher.Message
	events   [][]*kesher.Event
	long     int
}

// conversations generates batches in one goroutine while this one writes
// them, so the generator's work overlaps the database's.
func (g *generator) conversations(ctx context.Context, st kesher.Store, began time.Time) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *convBatch, 2)
	go func() {
		defer close(batches)
		left := g.cfg.Messages
		for lo := 0; lo < g.cfg.Conversations; lo += g.cfg.Batch {
			hi := min(lo+g.cfg.Batch, g.cfg.Conversations)
			b := &convBatch{}
			for i := lo; i < hi; i++ {
				n := g.messageCount(i, left)
				left -= n
				g.conversation(b, i, n)
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	step := max(g.cfg.Conversations/20, 1)
	for b := range batches {
		err := st.Write(ctx, func(tx kesher.Tx) error {
			for i, c := range b.convs {
				n, err := tx.NextConversationNumber(ctx)
				if err != nil {
					return err
				}
				c.Number = n
				if err := tx.CreateConversation(ctx, c); err != nil {
					return err
				}
				for _, m := range b.messages[i] {
					if err := tx.CreateMessage(ctx, m); err != nil {
						return err
					}
				}
				for _, e := range b.events[i] {
					if err := tx.AppendEvent(ctx, e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("conversations after %d: %w", g.res.Conversations, err)
		}
		before := g.res.Conversations
		g.res.Conversations += len(b.convs)
		g.res.LongThreads += b.long
		for i, c := range b.convs {
			g.res.Messages += len(b.messages[i])
			g.res.Events += len(b.events[i])
			if c.Status == kesher.StatusOpen {
				g.res.Open++
				if c.OwnerID == "" {
					g.res.Unowned++
				}
			}
		}
		if g.res.Conversations/step != before/step || g.res.Conversations == g.cfg.Conversations {
			el := time.Since(began)
			g.progress("conversations %d/%d, messages %d, events %d — %s elapsed", g.res.Conversations, g.cfg.Conversations,
				g.res.Messages, g.res.Events, el.Round(time.Second))
		}
	}
	return ctx.Err()
}

// messageCount gives every longThreadEvery-th conversation exactly
// LongThreadMessages messages and spreads the rest so that the total comes
// out exactly at cfg.Messages: each draw is centred on the mean that is
// still needed.
func (g *generator) messageCount(i, left int) int {
	if g.longThread(i) {
		return LongThreadMessages
	}
	longLater := g.longBefore(g.cfg.Conversations) - g.longBefore(i+1)
	ordinary := g.cfg.Conversations - i - longLater // i itself included
	avail := left - longLater*LongThreadMessages
	if ordinary <= 1 {
		return max(avail, 1)
	}
	mean := float64(avail) / float64(ordinary)
	n := int(math.Round(mean + (g.rng.Float64()*4 - 2)))
	// leave at least one message for each remaining conversation
	return max(1, min(n, avail-(ordinary-1)))
}

// longThread reports whether conversation i is a long thread: one in every
// 1000 (one in 100 on small desks, so tests see some).
func (g *generator) longThread(i int) bool { return i%g.every == g.every/2 }

// text is a message's body: from the templates given, or with
// SeedConfig.VariedText composed of sentences (see variedText).
func (g *generator) text(hebrew bool, role textRole, order int, templates []string) string {
	if g.cfg.VariedText {
		return variedText(g.rng, hebrew, role, order)
	}
	return fill(pick(g.rng, templates), order)
}

// longBefore counts the long threads among the first k conversations.
func (g *generator) longBefore(k int) int { return (k + g.every - g.every/2 - 1) / g.every }

func (g *generator) channel() kesher.Channel {
	n := g.rng.IntN(100)
	for _, cw := range channelWeights {
		if n < cw.w {
			return cw.ch
		}
		n -= cw.w
	}
	return kesher.ChannelEmail
}

// conversation generates conversation i with n messages, its events and
// its final state.
func (g *generator) conversation(b *convBatch, i, n int) {
	r := g.rng
	span := float64(g.cfg.Span)
	created := g.start.Add(time.Duration(span * (float64(i) + r.Float64()) / float64(g.cfg.Conversations)))
	age := g.cfg.Now.Sub(created)
	// Customers known by then; early customers come back more often.
	known := max(1, min(len(g.customerIDs), int(float64(len(g.customerIDs))*float64(created.Sub(g.start))/span)+1))
	cust := g.customerIDs[r.IntN(known)]
	hebrew := r.IntN(3) != 0
	order := 100000 + r.IntN(900000)
	subjects, custBodies, agentBodies := heSubjects, heCustomer, heAgent
	if !hebrew {
		subjects, custBodies, agentBodies = enSubjects, enCustomer, enAgent
	}
	ch := g.channel()
	c := &kesher.Conversation{
		ID: kesher.NewID(created), Subject: fill(pick(r, subjects), order), Channel: ch, CustomerID: cust,
		Priority: kesher.PriorityNormal, Tags: []string{}, CreatedAt: created,
	}
	switch p := r.IntN(100); {
	case p < 15:
		c.Priority = kesher.PriorityLow
	case p < 35:
		c.Priority = kesher.PriorityHigh
	case p < 40:
		c.Priority = kesher.PriorityUrgent
	}
	if r.IntN(4) == 0 {
		c.Tags = append(c.Tags, pick(r, tags))
	}
	long := g.longThread(i)
	if long {
		c.Tags = append(c.Tags, LongThreadTag)
		b.long++
	}
	c.Reason = reasons[r.IntN(len(reasons))].Code
	c.TeamID = g.teams[r.IntN(len(g.teams))]
	owner := pick(r, g.agents)

	// Recent conversations are more often unsolved: about 7 % open overall.
	unsolved := r.Float64() < 0.085+0.6*math.Exp(-age.Hours()/(24*10))
	switch {
	case !unsolved && r.IntN(3) == 0:
		c.Status = kesher.StatusSolved
	case !unsolved:
		c.Status = kesher.StatusClosed
	default:
		switch p := r.IntN(100); {
		case p < 80:
			c.Status = kesher.StatusOpen
		case p < 93:
			c.Status = kesher.StatusPending
		default:
			c.Status = kesher.StatusOnHold
		}
	}
	if c.Status == kesher.StatusOpen && r.IntN(100) == 0 || c.Status == kesher.StatusClosed && r.IntN(50) == 0 {
		owner = "" // waiting in the queue, or closed as spam
	}
	c.OwnerID = owner

	events := []*kesher.Event{{ID: kesher.NewID(created), Type: kesher.EventConversationCreated, ConversationID: c.ID, CustomerID: cust,
		ActorType: kesher.AuthorCustomer, ActorID: cust, CreatedAt: created,
		Data: []byte(`{"channel":"` + string(ch) + `","priority":"` + string(c.Priority) + `","number":0}`)}}
	msgs := make([]*kesher.Message, 0, n)
	at := created
	for k := range n {
		if k > 0 {
			at = at.Add(time.Duration(1+r.IntN(240)) * time.Minute)
			if at.After(g.cfg.Now) {
				at = g.cfg.Now
			}
		}
		m := &kesher.Message{ID: kesher.NewID(at), ConversationID: c.ID, Channel: ch, Attachments: []kesher.Attachment{}, CreatedAt: at}
		switch {
		case k%2 == 0:
			m.Direction, m.AuthorType, m.AuthorID = kesher.Inbound, kesher.AuthorCustomer, cust
			m.BodyText = g.text(hebrew, roleCustomer, order, custBodies)
		case r.IntN(10) == 0:
			m.Direction, m.AuthorType, m.AuthorID = kesher.Note, kesher.AuthorAgent, pick(r, g.agents)
			m.BodyText = g.text(hebrew, roleNote, order, notes)
		default:
			m.Direction, m.AuthorType, m.AuthorID = kesher.Outbound, kesher.AuthorAgent, pick(r, g.agents)
			m.BodyText = g.text(hebrew, roleAgent, order, agentBodies)
		}
		if ch == kesher.ChannelEmail && m.Direction != kesher.Note {
			m.BodyHTML = "<p>" + m.BodyText + "</p>"
			m.ExternalID = "<" + m.ID + "@mail.example>"
		}
		msgs = append(msgs, m)
		events = append(events, &kesher.Event{ID: kesher.NewID(at), Type: kesher.EventMessageAdded, ConversationID: c.ID,
			CustomerID: cust, MessageID: m.ID, ActorType: m.AuthorType, ActorID: m.AuthorID, CreatedAt: at,
			Data: []byte(`{"direction":"` + string(m.Direction) + `","channel":"` + string(ch) + `"}`)})
		c.LastMessageAt = at
		if m.Direction != kesher.Note {
			c.Excerpt = excerptOf(m.BodyText)
		}
	}
	c.MessageCount = n
	c.UpdatedAt = at
	if !c.Status.Unsolved() {
		solved := at.Add(time.Duration(1+r.IntN(60)) * time.Minute)
		if solved.After(g.cfg.Now) {
			solved = g.cfg.Now
		}
		c.SolvedAt, c.UpdatedAt = solved, solved
		actorType := kesher.AuthorAgent
		if c.OwnerID == "" {
			actorType = kesher.AuthorSystem // closed automatically
		}
		events = append(events, &kesher.Event{ID: kesher.NewID(solved), Type: kesher.EventConversationUpdated, ConversationID: c.ID,
			CustomerID: cust, ActorType: actorType, ActorID: c.OwnerID, CreatedAt: solved,
			Data: []byte(`{"status":["open","` + string(c.Status) + `"]}`)})
	}
	if c.Status.Unsolved() {
		c.SLA = resolutionClock(created, g.cfg.Now, c.Status == kesher.StatusPending)
	}
	b.convs = append(b.convs, c)
	b.messages = append(b.messages, msgs)
	b.events = append(b.events, events)
}

// seededTarget is the resolution target of the seeded conversations'
// clocks: three days, counted in calendar time.
const seededTarget = 72 * time.Hour

// resolutionClock is an unsolved conversation's resolution clock as the
// desk would have left it at now: running (paused while pending), with
// the warning and breach that would have fired by then recorded, so a desk
// opened on the seeded data has only future timers.
func resolutionClock(started, now time.Time, paused bool) *kesher.SLA {
	c := kesher.SLAClock{Metric: kesher.SLAResolution, Target: seededTarget, StartedAt: started, RunningSince: started,
		WarnAt: started.Add(seededTarget * 3 / 4), DueAt: started.Add(seededTarget)}
	if !c.WarnAt.After(now) {
		c.WarnedAt = c.WarnAt
	}
	if !c.DueAt.After(now) {
		c.BreachedAt = c.DueAt
	}
	if paused && c.BreachedAt.IsZero() {
		c.Spent, c.RunningSince, c.WarnAt, c.DueAt = now.Sub(started), time.Time{}, time.Time{}, time.Time{}
	}
	return &kesher.SLA{PolicyID: "seed", Clocks: []kesher.SLAClock{c}}
}

func excerptOf(body string) string {
	r := []rune(body)
	if len(r) <= 160 {
		return body
	}
	return string(r[:159]) + "…"
}
