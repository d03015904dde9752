package store

import (
	"context"
	"encoding/json"

	"kesher"
)

// The settings that ownership runs on: business calendars, SLA policies
// and assignment rules. Admins save them whole, so each Save is one upsert
// by id that keeps the creation time. Their structured parts are JSON in
// one column: nothing queries inside them, and the desk reads them whole.

const calendarColumns = "id, name, spec, created_at, updated_at"

func scanCalendar(s scanner) (*kesher.CalendarRecord, error) {
	var c kesher.CalendarRecord
	var spec string
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name, &spec, &created, &updated); err != nil {
		return nil, err
	}
	if spec != "" {
		c.Spec = json.RawMessage(spec)
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// Calendar returns a business calendar.
func (q *queries) Calendar(ctx context.Context, id string) (*kesher.CalendarRecord, error) {
	c, err := scanCalendar(q.q.QueryRowContext(ctx, "SELECT "+calendarColumns+" FROM calendars WHERE id = $1", id))
	return c, q.dbErr(err, "calendar "+id)
}

// Calendars lists calendars in the order they were created.
func (q *queries) Calendars(ctx context.Context, p kesher.Page) ([]*kesher.CalendarRecord, string, error) {
	return listByID(ctx, q, "calendars", calendarColumns, p, scanCalendar, func(c *kesher.CalendarRecord) string { return c.ID })
}

// SaveCalendar inserts or replaces a calendar; its spec is stored as given.
func (t *tx) SaveCalendar(ctx context.Context, c *kesher.CalendarRecord) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO calendars ("+calendarColumns+") VALUES ($1, $2, $3, $4, $5)"+
		" ON CONFLICT (id) DO UPDATE SET name = excluded.name, spec = excluded.spec, updated_at = excluded.updated_at",
		c.ID, c.Name, string(c.Spec), micros(c.CreatedAt), micros(c.UpdatedAt))
	return t.dbErr(err, "calendar "+c.ID)
}

// DeleteCalendar deletes a calendar; the teams that used it keep none (ON
// DELETE in the schema), which means the default calendar.
func (t *tx) DeleteCalendar(ctx context.Context, id string) error {
	return t.exec(ctx, "calendar "+id, "DELETE FROM calendars WHERE id = $1", id)
}

const slaPolicyColumns = "id, name, team_id, warn_share, targets, created_at, updated_at"

func scanSLAPolicy(s scanner) (*kesher.SLAPolicy, error) {
	var p kesher.SLAPolicy
	var team *string
	var targets string
	var created, updated int64
	if err := s.Scan(&p.ID, &p.Name, &team, &p.WarnShare, &targets, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(targets), &p.Targets); err != nil {
		return nil, err
	}
	p.TeamID, p.Targets = deref(team), orEmpty(p.Targets)
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &p, nil
}

// SLAPolicy returns a policy.
func (q *queries) SLAPolicy(ctx context.Context, id string) (*kesher.SLAPolicy, error) {
	p, err := scanSLAPolicy(q.q.QueryRowContext(ctx, "SELECT "+slaPolicyColumns+" FROM sla_policies WHERE id = $1", id))
	return p, q.dbErr(err, "SLA policy "+id)
}

// SLAPolicies lists every policy, the default first, then in the order
// they were created. The CASE says where the NULL team goes, as the
// databases sort NULL differently; there is one policy per team at most,
// so the sort is cheap.
func (q *queries) SLAPolicies(ctx context.Context) ([]*kesher.SLAPolicy, error) {
	ps, _, err := list(ctx, q, "SLA policies", "SELECT "+slaPolicyColumns+" FROM sla_policies"+
		" ORDER BY CASE WHEN team_id IS NULL THEN 0 ELSE 1 END, created_at, id", nil, 0, scanSLAPolicy)
	return ps, err
}

// SaveSLAPolicy inserts or replaces a policy. A second policy for a team,
// or a second default, violates sla_policies_team, which the upsert (by
// id) does not handle: that is ECodeConflict, and on PostgreSQL the failed
// statement aborts the transaction, so the caller returns the error rather
// than carrying on. (An admin's save has nothing else to do.)
func (t *tx) SaveSLAPolicy(ctx context.Context, p *kesher.SLAPolicy) error {
	targets, err := json.Marshal(orEmpty(p.Targets))
	if err != nil {
		return err
	}
	what := "default SLA policy"
	if p.TeamID != "" {
		what = "SLA policy of team " + p.TeamID
	}
	_, err = t.q.ExecContext(ctx, "INSERT INTO sla_policies ("+slaPolicyColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)"+
		" ON CONFLICT (id) DO UPDATE SET name = excluded.name, team_id = excluded.team_id, warn_share = excluded.warn_share,"+
		" targets = excluded.targets, updated_at = excluded.updated_at",
		p.ID, p.Name, nullable(p.TeamID), p.WarnShare, string(targets), micros(p.CreatedAt), micros(p.UpdatedAt))
	return t.dbErr(err, what)
}

// DeleteSLAPolicy deletes a policy.
func (t *tx) DeleteSLAPolicy(ctx context.Context, id string) error {
	return t.exec(ctx, "SLA policy "+id, "DELETE FROM sla_policies WHERE id = $1", id)
}

const ruleColumns = "id, name, position, team_id, strategy, conditions, active, rr_last, created_at, updated_at"

// ruleConditions is the JSON of an assignment rule's conditions column.
type ruleConditions struct {
	Channels   []kesher.Channel  `json:"channels"`
	MailboxIDs []string          `json:"mailbox_ids"`
	Reasons    []string          `json:"reasons"`
	Languages  []string          `json:"languages"`
	Priorities []kesher.Priority `json:"priorities"`
}

func scanRule(s scanner) (*kesher.AssignmentRule, error) {
	var r kesher.AssignmentRule
	var conditions string
	var active int
	var created, updated int64
	err := s.Scan(&r.ID, &r.Name, &r.Position, &r.TeamID, &r.Strategy, &conditions, &active, &r.LastUserID, &created, &updated)
	if err != nil {
		return nil, err
	}
	var c ruleConditions
	if err := json.Unmarshal([]byte(conditions), &c); err != nil {
		return nil, err
	}
	r.Channels, r.MailboxIDs, r.Reasons = orEmpty(c.Channels), orEmpty(c.MailboxIDs), orEmpty(c.Reasons)
	r.Languages, r.Priorities = orEmpty(c.Languages), orEmpty(c.Priorities)
	r.Active = active != 0
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &r, nil
}

// AssignmentRule returns a rule.
func (q *queries) AssignmentRule(ctx context.Context, id string) (*kesher.AssignmentRule, error) {
	r, err := scanRule(q.q.QueryRowContext(ctx, "SELECT "+ruleColumns+" FROM assignment_rules WHERE id = $1", id))
	return r, q.dbErr(err, "assignment rule "+id)
}

// AssignmentRules lists every rule by position, then id; a desk has a
// handful, read whole for each new conversation.
func (q *queries) AssignmentRules(ctx context.Context) ([]*kesher.AssignmentRule, error) {
	rs, _, err := list(ctx, q, "assignment rules", "SELECT "+ruleColumns+" FROM assignment_rules ORDER BY position, id", nil, 0, scanRule)
	return rs, err
}

// SaveAssignmentRule inserts or replaces a rule, its round robin's last
// pick included; an unknown team is ECodeNotFound.
func (t *tx) SaveAssignmentRule(ctx context.Context, r *kesher.AssignmentRule) error {
	conditions, err := json.Marshal(ruleConditions{Channels: orEmpty(r.Channels), MailboxIDs: orEmpty(r.MailboxIDs),
		Reasons: orEmpty(r.Reasons), Languages: orEmpty(r.Languages), Priorities: orEmpty(r.Priorities)})
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, "INSERT INTO assignment_rules ("+ruleColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"+
		" ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, team_id = excluded.team_id,"+
		" strategy = excluded.strategy, conditions = excluded.conditions, active = excluded.active, rr_last = excluded.rr_last,"+
		" updated_at = excluded.updated_at",
		r.ID, r.Name, r.Position, r.TeamID, string(r.Strategy), string(conditions), boolInt(r.Active), r.LastUserID,
		micros(r.CreatedAt), micros(r.UpdatedAt))
	return t.dbErr(err, "assignment rule "+r.ID)
}

// DeleteAssignmentRule deletes a rule.
func (t *tx) DeleteAssignmentRule(ctx context.Context, id string) error {
	return t.exec(ctx, "assignment rule "+id, "DELETE FROM assignment_rules WHERE id = $1", id)
}

// orEmpty returns vals, or an empty slice for nil, so that stored lists
// read back as [] and never as null.
func orEmpty[T any](vals []T) []T {
	if vals == nil {
		return []T{}
	}
	return vals
}
