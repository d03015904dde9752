// Package desk holds Kesher's business rules: intake, conversation changes,
// customers, and the people and settings of the desk. Each change is one
// Store.Write that also appends its event, so the timeline and the audit log
// are the same rows. The desk knows nothing of HTTP or SQL.
package desk

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/microcosm-cc/bluemonday"

	"kesher"
)

// Desk is the service the API, the web UI and the channels call.
type Desk struct {
	store  kesher.Store
	clock  kesher.Clock
	log    *slog.Logger
	policy *bluemonday.Policy
	// history: see Config.History.
	history bool
}

// Config holds what a Desk needs.
type Config struct {
	Store  kesher.Store
	Clock  kesher.Clock
	Logger *slog.Logger
	// Publisher receives the events of every committed Write; nil
	// publishes nothing.
	Publisher kesher.Publisher
	// History makes the desk record a past that it replays (the demo): its
	// replies never leave the desk, so no email is queued for them.
	History bool
}

// New returns a Desk.
func New(cfg Config) *Desk {
	if cfg.Clock == nil {
		cfg.Clock = kesher.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	st := cfg.Store
	if cfg.Publisher != nil {
		st = publishing{Store: st, pub: cfg.Publisher}
	}
	return &Desk{store: st, clock: cfg.Clock, log: cfg.Logger, policy: bluemonday.UGCPolicy(), history: cfg.History}
}

// publishing is a Store whose Writes publish the events they append once
// the Write has committed, so that every change of the desk reaches live
// listeners without each one publishing its own events. A Write that fails
// publishes nothing: its events were rolled back with it.
type publishing struct {
	kesher.Store
	pub kesher.Publisher
}

func (p publishing) Write(ctx context.Context, fn func(kesher.Tx) error) error {
	var events []*kesher.Event
	err := p.Store.Write(ctx, func(tx kesher.Tx) error {
		// Only the events of the run that commits count, should a Store
		// ever run fn more than once.
		events = events[:0]
		return fn(recording{Tx: tx, events: &events})
	})
	if err == nil && len(events) > 0 {
		p.pub.Publish(events)
	}
	return err
}

// recording is a Tx that remembers the events appended through it.
type recording struct {
	kesher.Tx
	events *[]*kesher.Event
}

func (r recording) AppendEvent(ctx context.Context, e *kesher.Event) error {
	if err := r.Tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	*r.events = append(*r.events, e)
	return nil
}

// Ping reports whether the database answers.
func (d *Desk) Ping(ctx context.Context) error { return d.store.Ping(ctx) }

// require returns the signed-in user when it has at least role min. A nil
// actor (the system: CLI, jobs, channels) may do anything.
func require(ctx context.Context, min kesher.Role) (*kesher.User, error) {
	u := kesher.ActorFrom(ctx)
	if u == nil {
		return nil, nil
	}
	if !u.Active {
		return nil, kesher.Errorf(kesher.ECodeUnauthorized, "the user is deactivated")
	}
	if !u.Role.AtLeast(min) {
		return nil, kesher.Errorf(kesher.ECodeForbidden, "this needs the %s role", min)
	}
	return u, nil
}

// actorOf returns who an event is attributed to.
func actorOf(ctx context.Context) (kesher.AuthorType, string) {
	if u := kesher.ActorFrom(ctx); u != nil {
		return kesher.AuthorAgent, u.ID
	}
	return kesher.AuthorSystem, ""
}

// event builds an event of the current actor. data is marshalled to JSON.
func (d *Desk) event(ctx context.Context, typ string, data any) *kesher.Event {
	at, aid := actorOf(ctx)
	raw, err := json.Marshal(data)
	if err != nil {
		// data is always a map or struct of plain values built in this package.
		panic("desk: event data does not marshal: " + err.Error())
	}
	now := d.clock.Now()
	return &kesher.Event{ID: kesher.NewID(now), Type: typ, ActorType: at, ActorID: aid, Data: raw, CreatedAt: now}
}

// sanitize makes user-supplied HTML safe to show in the desk.
func (d *Desk) sanitize(html string) string {
	if html == "" {
		return ""
	}
	return d.policy.Sanitize(html)
}

// change describes one field change in an event: [old, new].
type change [2]any
