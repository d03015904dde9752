package bench

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"kesher"
)

// QueryConfig says how long the query benchmark runs.
type QueryConfig struct {
	Iterations int // measured calls per operation; 5000 when zero
	Warmup     int // unmeasured calls first; Iterations/10 when zero
	Seed       uint64
}

// Sample is what the query benchmark found in the seeded desk to draw its
// random parameters from.
type Sample struct {
	Agents      []string
	Customers   int // customers 0…Customers-1 exist (see CustomerEmail)
	LongThreads []string
}

// Discover finds the agents, the number of seeded customers and the long
// threads of a desk made by Seed, through the store's queries.
func Discover(ctx context.Context, q kesher.Queries) (*Sample, error) {
	s := &Sample{}
	users, _, err := q.Users(ctx, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Role == kesher.RoleAgent {
			s.Agents = append(s.Agents, u.ID)
		}
	}
	// The seeded customers are numbered densely: find the first missing one.
	exists := func(i int) (bool, error) {
		kind, v := customerIdentity(i)
		_, err := q.CustomerByIdentity(ctx, kind, v)
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return false, nil
		}
		return err == nil, err
	}
	lo, hi := 0, 1 // customer lo-1 exists (or lo is 0); hi is unknown
	for {
		ok, err := exists(hi - 1)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2
	}
	for lo < hi { // the answer is in [lo, hi)
		mid := (lo + hi) / 2
		ok, err := exists(mid)
		if err != nil {
			return nil, err
		}
		if ok {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	s.Customers = lo
	page := kesher.Page{Limit: kesher.MaxPageLimit}
	for {
		cs, next, err := q.Conversations(ctx, kesher.ConversationFilter{Tags: []string{LongThreadTag}, Page: page})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			s.LongThreads = append(s.LongThreads, c.ID)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if len(s.Agents) == 0 || s.Customers == 0 || len(s.LongThreads) == 0 {
		return nil, fmt.Errorf("bench: the database holds no seeded desk (%d agents, %d customers, %d long threads): run kesher bench seed first",
			len(s.Agents), s.Customers, len(s.LongThreads))
	}
	return s, nil
}

// Query times the desk's hot reads on a seeded desk, one call at a time
// with random parameters: an agent's default inbox, a customer lookup by
// email or phone, and opening a conversation of 20 messages.
func Query(ctx context.Context, q kesher.Queries, s *Sample, cfg QueryConfig) ([]Result, error) {
	if cfg.Iterations == 0 {
		cfg.Iterations = 5000
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = cfg.Iterations / 10
	}
	r := mrand.New(mrand.NewPCG(cfg.Seed, 1))
	ops := []struct {
		name string
		run  func() (int, error) // the number of rows it read
	}{
		{"inbox: open, mine or unowned, newest 50", func() (int, error) {
			cs, _, err := q.Conversations(ctx, kesher.ConversationFilter{
				Statuses: []kesher.Status{kesher.StatusOpen}, OwnerIDs: []string{pick(r, s.Agents), kesher.NoOwner},
				Page: kesher.Page{Limit: kesher.DefaultPageLimit}})
			return len(cs), err
		}},
		{"customer by email or phone", func() (int, error) {
			i := r.IntN(s.Customers)
			v, ok := CustomerEmail(i)
			kind := kesher.IdentityEmail
			if !ok || (r.IntN(2) == 0 && i%4 != 0) {
				v, _ = CustomerPhone(i)
				kind = kesher.IdentityPhone
			}
			c, err := q.CustomerByIdentity(ctx, kind, v)
			if err != nil {
				return 0, err
			}
			return len(c.Identities), nil
		}},
		{"open conversation (20 messages + customer)", func() (int, error) {
			c, err := q.Conversation(ctx, pick(r, s.LongThreads))
			if err != nil {
				return 0, err
			}
			ms, _, err := q.Messages(ctx, c.ID, kesher.Page{Limit: kesher.DefaultPageLimit})
			if err != nil {
				return 0, err
			}
			if len(ms) != LongThreadMessages {
				return 0, fmt.Errorf("conversation %s has %d messages, want %d", c.ID, len(ms), LongThreadMessages)
			}
			if _, err := q.Customer(ctx, c.CustomerID); err != nil {
				return 0, err
			}
			return len(ms), nil
		}},
	}
	var out []Result
	for _, op := range ops {
		for range cfg.Warmup {
			if _, err := op.run(); err != nil {
				return nil, fmt.Errorf("%s: %w", op.name, err)
			}
		}
		durs := make([]time.Duration, 0, cfg.Iterations)
		rows := 0
		var errs []error
		failed := 0
		start := time.Now()
		for range cfg.Iterations {
			t := time.Now()
			n, err := op.run()
			durs = append(durs, time.Since(t))
			rows += n
			if err != nil {
				failed++
				if len(errs) < 3 {
					errs = append(errs, err)
				}
			}
		}
		res := summarize(op.name, durs, time.Since(start))
		res.Errors = failed
		res.Note = fmt.Sprintf("%.1f rows per call", float64(rows)/float64(cfg.Iterations))
		out = append(out, res)
		if err := errors.Join(errs...); err != nil {
			return out, fmt.Errorf("%s: %w", op.name, err)
		}
	}
	return out, nil
}
