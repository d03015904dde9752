package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"kesher"
	"kesher/internal/calendar"
)

// rulesTTL bounds how long a node keeps settings that another node may have
// changed: a new SLA policy or assignment rule applies everywhere within it.
const rulesTTL = 15 * time.Second

// rules is a snapshot of the settings that intake and the clocks read on
// every change: SLA policies, teams with their calendars, and assignment
// rules. Reading them from the database for every message would add a
// dozen queries to intake, and they change rarely, so the desk keeps them
// in memory and reloads them after a change of its own or when they are
// older than rulesTTL.
type rules struct {
	loaded     time.Time
	policies   map[string]*kesher.SLAPolicy // by team id; "" is the default
	teams      map[string]*kesher.Team
	schedules  map[string]*calendar.Schedule // by calendar id; "" is the default
	assignment []*kesher.AssignmentRule      // active ones, by position
}

// rulesCache holds the current snapshot.
type rulesCache struct {
	mu   sync.Mutex
	snap *rules
}

// rules returns the current snapshot, loading it when it is missing or old.
func (d *Desk) rules(ctx context.Context) (*rules, error) {
	d.rulesCache.mu.Lock()
	defer d.rulesCache.mu.Unlock()
	if s := d.rulesCache.snap; s != nil && time.Since(s.loaded) < rulesTTL {
		return s, nil
	}
	s, err := loadRules(ctx, d.store, d.defaultCalendar)
	if err != nil {
		return nil, err
	}
	d.rulesCache.snap = s
	return s, nil
}

// forgetRules makes the next read load the settings again; every change
// to them calls it once its Write has committed.
func (d *Desk) forgetRules() {
	d.rulesCache.mu.Lock()
	d.rulesCache.snap = nil
	d.rulesCache.mu.Unlock()
}

func loadRules(ctx context.Context, q kesher.Queries, def *calendar.Schedule) (*rules, error) {
	s := &rules{
		loaded:    time.Now(),
		policies:  map[string]*kesher.SLAPolicy{},
		teams:     map[string]*kesher.Team{},
		schedules: map[string]*calendar.Schedule{"": def},
	}
	policies, err := q.SLAPolicies(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range policies {
		s.policies[p.TeamID] = p
	}
	err = eachPage(func(p kesher.Page) (string, error) {
		teams, next, err := q.Teams(ctx, p)
		for _, t := range teams {
			s.teams[t.ID] = t
		}
		return next, err
	})
	if err != nil {
		return nil, err
	}
	err = eachPage(func(p kesher.Page) (string, error) {
		cals, next, err := q.Calendars(ctx, p)
		for _, c := range cals {
			sched, err := compileCalendar(c.Spec)
			if err != nil {
				return "", fmt.Errorf("calendar %s: %w", c.ID, err)
			}
			s.schedules[c.ID] = sched
		}
		return next, err
	})
	if err != nil {
		return nil, err
	}
	all, err := q.AssignmentRules(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Active {
			s.assignment = append(s.assignment, r)
		}
	}
	return s, nil
}

// eachPage calls list with every page until it returns no next cursor.
func eachPage(list func(kesher.Page) (string, error)) error {
	p := kesher.Page{Limit: kesher.MaxPageLimit}
	for {
		next, err := list(p)
		if err != nil || next == "" {
			return err
		}
		p.Cursor = next
	}
}

func compileCalendar(spec json.RawMessage) (*calendar.Schedule, error) {
	var c calendar.Calendar
	if err := json.Unmarshal(spec, &c); err != nil {
		return nil, err
	}
	return c.Compile()
}

// policy returns the SLA policy of a team, else the default; nil for none.
func (s *rules) policy(teamID string) *kesher.SLAPolicy {
	if p, ok := s.policies[teamID]; ok && teamID != "" {
		return p
	}
	return s.policies[""]
}

// schedule returns the business calendar of a team, else the default.
func (s *rules) schedule(teamID string) *calendar.Schedule {
	if t, ok := s.teams[teamID]; ok {
		if sched, ok := s.schedules[t.CalendarID]; ok {
			return sched
		}
	}
	return s.schedules[""]
}

// lead returns the lead of a team, "" when it has none.
func (s *rules) lead(teamID string) string {
	if t, ok := s.teams[teamID]; ok {
		return t.LeadID
	}
	return ""
}
