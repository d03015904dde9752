// Package desk holds Kesher's business rules: intake, conversation changes,
// customers, and the people and settings of the desk. Each change is one
// Store.Write that also appends its event, so the timeline and the audit log
// are the same rows. The desk knows nothing of HTTP or SQL.
package desk

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"kesher"
	"kesher/internal/analyze"
	"kesher/internal/calendar"
	"kesher/internal/search"
)

// Desk is the service the API, the web UI and the channels call.
type Desk struct {
	store  kesher.Store
	clock  kesher.Clock
	log    *slog.Logger
	policy *bluemonday.Policy
	// history: see Config.History.
	history bool
	cfg     OwnershipConfig
	help    HelpConfig
	// timerDelay: see Config.TimerDelay.
	timerDelay func(kind kesher.TimerKind, late time.Duration)
	// defaultCalendar measures business time for teams without a calendar.
	defaultCalendar *calendar.Schedule
	rulesCache      rulesCache
	// tokens remembers checked API tokens (see authcache.go).
	tokens authCache
	// searcher analyses documents for the index and queries for it.
	searcher *search.Searcher
	// portal: see Config.Portal.
	portal PortalConfig
	// calls: see Config.Calls.
	calls CallConfig
	// chat: see Config.Chat.
	chat ChatConfig
	// pub carries the chat's typing indicators and read marks, which are
	// published without being stored; nil publishes nothing.
	pub kesher.Publisher
	// surveyCfg: see Config.Surveys.
	surveyCfg SurveyConfig
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
	// Ownership tunes assignment, reminders and alerts; zero fields take
	// their defaults.
	Ownership OwnershipConfig
	// TimerDelay, when set, receives how long after its due time each
	// timer fired: the scheduler's promptness, for metrics and benchmarks.
	TimerDelay func(kind kesher.TimerKind, late time.Duration)
	// Help tunes the help centre's statistics; zero fields take their
	// defaults.
	Help HelpConfig
	// Portal tunes email proofs and the customer portal; zero fields take
	// their defaults.
	Portal PortalConfig
	// Calls tunes phone calls; zero fields take their defaults.
	Calls CallConfig
	// Chat tunes the chat channel; zero fields take their defaults.
	Chat ChatConfig
	// Surveys tunes survey invitations and results; zero fields take
	// their defaults.
	Surveys SurveyConfig
}

// OwnershipConfig tunes how the desk keeps every request owned (P2, P4,
// P12, P13).
type OwnershipConfig struct {
	// Location is the desk's time zone: "today" for agent load, and the
	// zone of promises read from replies of users without one.
	// Default Asia/Jerusalem.
	Location *time.Location
	// ReminderBefore is how long before its due time a commitment is
	// reminded to its owner and counts as due. Default 1 hour.
	ReminderBefore time.Duration
	// EscalationTarget is the time an escalation's owner has to respond.
	// Default 1 hour.
	EscalationTarget time.Duration
	// HandoffAlert is the hand-off count at which the team lead is
	// alerted; the UI warns one earlier. Default 4.
	HandoffAlert int
	// AutoAway is the idle time after which an online agent counts as
	// away for assignment. Default 15 minutes.
	AutoAway time.Duration
	// DefaultCapacity is the load past which an agent without a capacity
	// shows as overloaded. Default 20.
	DefaultCapacity int
	// HardPerDay is the number of hard (escalated) conversations in a day
	// at which an agent shows as overloaded. Default 3.
	HardPerDay int
}

func (c OwnershipConfig) withDefaults() OwnershipConfig {
	if c.Location == nil {
		loc, err := time.LoadLocation(kesher.DefaultTimeZone)
		if err != nil {
			loc = time.UTC
		}
		c.Location = loc
	}
	c.ReminderBefore = orDefault(c.ReminderBefore, time.Hour)
	c.EscalationTarget = orDefault(c.EscalationTarget, time.Hour)
	c.HandoffAlert = orDefault(c.HandoffAlert, 4)
	c.AutoAway = orDefault(c.AutoAway, 15*time.Minute)
	c.DefaultCapacity = orDefault(c.DefaultCapacity, 20)
	c.HardPerDay = orDefault(c.HardPerDay, 3)
	return c
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
	def, err := calendar.Israeli().Compile()
	if err != nil {
		panic("desk: the built-in Israeli calendar does not compile: " + err.Error())
	}
	return &Desk{store: st, clock: cfg.Clock, log: cfg.Logger, policy: bluemonday.UGCPolicy(), history: cfg.History,
		cfg: cfg.Ownership.withDefaults(), help: cfg.Help.withDefaults(), defaultCalendar: def, timerDelay: cfg.TimerDelay,
		searcher: search.New(analyze.Default()), portal: cfg.Portal.withDefaults(), calls: cfg.Calls.withDefaults(),
		chat: cfg.Chat.withDefaults(), pub: cfg.Publisher,
		surveyCfg: cfg.Surveys.withDefaults()}
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
