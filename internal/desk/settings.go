package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"kesher"
	"kesher/internal/calendar"
	"kesher/internal/i18n"
)

// The settings that keep requests owned: business calendars, SLA policies
// and assignment rules. Every signed-in user may read them (the inbox shows
// what they mean); only admins change them. A change takes effect on this
// node at once and on the others within rulesTTL.

// Calendars lists the business calendars.
func (d *Desk) Calendars(ctx context.Context, p kesher.Page) ([]*kesher.CalendarRecord, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	return d.store.Calendars(ctx, p)
}

// Calendar returns one business calendar.
func (d *Desk) Calendar(ctx context.Context, id string) (*kesher.CalendarRecord, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.Calendar(ctx, id)
}

// DefaultCalendar is the definition teams without a calendar use.
func DefaultCalendar() calendar.Calendar { return calendar.Israeli() }

// SaveCalendar creates a calendar (id "") or replaces one. Every problem
// of the definition is named as a field under "spec.".
func (d *Desk) SaveCalendar(ctx context.Context, id, name string, spec calendar.Calendar) (*kesher.CalendarRecord, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	var v kesher.Validation
	checkName(name, &v)
	problems := spec.Validate()
	for _, p := range problems {
		v.Add("spec."+p.Field, "invalid")
	}
	if err := v.Err(); err != nil {
		if len(problems) > 0 {
			msgs := make([]string, len(problems))
			for i, p := range problems {
				msgs[i] = p.Field + ": " + p.Message
			}
			err.(*kesher.Error).Message = "the calendar is invalid: " + strings.Join(msgs, "; ")
		}
		return nil, err
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	now := d.clock.Now()
	rec := &kesher.CalendarRecord{ID: id, Name: name, Spec: raw, CreatedAt: now, UpdatedAt: now}
	err = d.saveSetting(ctx, "calendar", id, func(tx kesher.Tx) error {
		if id == "" {
			rec.ID = kesher.NewID(now)
		} else if old, err := tx.Calendar(ctx, id); err != nil {
			return err
		} else {
			rec.CreatedAt = old.CreatedAt
		}
		return tx.SaveCalendar(ctx, rec)
	}, func() map[string]any { return map[string]any{"calendar_id": rec.ID, "name": name} })
	return rec, err
}

// DeleteCalendar removes a calendar; its teams fall back to the default.
func (d *Desk) DeleteCalendar(ctx context.Context, id string) error {
	return d.deleteSetting(ctx, "calendar", id, func(tx kesher.Tx) error { return tx.DeleteCalendar(ctx, id) })
}

// SLAPolicies lists the SLA policies, the default first.
func (d *Desk) SLAPolicies(ctx context.Context) ([]*kesher.SLAPolicy, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.SLAPolicies(ctx)
}

// SLAPolicy returns one SLA policy.
func (d *Desk) SLAPolicy(ctx context.Context, id string) (*kesher.SLAPolicy, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.SLAPolicy(ctx, id)
}

// maxTargets bounds a policy's targets: one per channel and priority.
var maxTargets = (len(kesher.Channels) + 1) * (len(kesher.Priorities) + 1)

// SaveSLAPolicy creates a policy (id "") or replaces one. A policy with no
// team is the default; each team has at most one. The conversations it
// covers get its targets from their next change on.
func (d *Desk) SaveSLAPolicy(ctx context.Context, id string, in kesher.SLAPolicy) (*kesher.SLAPolicy, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var v kesher.Validation
	checkName(in.Name, &v)
	v.Check(in.WarnShare == 0 || in.WarnShare > 0 && in.WarnShare < 1, "warn_share", "invalid")
	v.Check(len(in.Targets) > 0, "targets", "required")
	v.Check(len(in.Targets) <= maxTargets, "targets", "too_many")
	seen := map[[2]string]bool{}
	for i, t := range in.Targets {
		field := fmt.Sprintf("targets[%d].", i)
		v.Check(t.Channel == "" || t.Channel.Valid(), field+"channel", "invalid")
		v.Check(t.Priority == "" || t.Priority.Valid(), field+"priority", "invalid")
		v.Check(t.FirstResponseSeconds >= 0, field+"first_response_seconds", "invalid")
		v.Check(t.NextResponseSeconds >= 0, field+"next_response_seconds", "invalid")
		v.Check(t.ResolutionSeconds >= 0, field+"resolution_seconds", "invalid")
		key := [2]string{string(t.Channel), string(t.Priority)}
		v.Check(!seen[key], field+"channel", "duplicate")
		seen[key] = true
	}
	if in.WarnShare == 0 {
		in.WarnShare = kesher.DefaultWarnShare
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := d.clock.Now()
	p := &kesher.SLAPolicy{ID: id, Name: in.Name, TeamID: in.TeamID, WarnShare: in.WarnShare, Targets: in.Targets, CreatedAt: now, UpdatedAt: now}
	err := d.saveSetting(ctx, "sla_policy", id, func(tx kesher.Tx) error {
		if err := checkRefs(ctx, tx, "", p.TeamID, ""); err != nil {
			return err
		}
		if id == "" {
			p.ID = kesher.NewID(now)
		} else if old, err := tx.SLAPolicy(ctx, id); err != nil {
			return err
		} else {
			p.CreatedAt = old.CreatedAt
		}
		err := tx.SaveSLAPolicy(ctx, p)
		if kesher.ErrorCode(err) == kesher.ECodeConflict {
			return kesher.FieldError("team_id", "taken", "the team has a policy already; edit that one")
		}
		return err
	}, func() map[string]any { return map[string]any{"policy_id": p.ID, "name": p.Name, "team_id": p.TeamID} })
	return p, err
}

// DeleteSLAPolicy removes a policy; its team's conversations fall under
// the default from their next change on.
func (d *Desk) DeleteSLAPolicy(ctx context.Context, id string) error {
	return d.deleteSetting(ctx, "sla_policy", id, func(tx kesher.Tx) error { return tx.DeleteSLAPolicy(ctx, id) })
}

// AssignmentRules lists the assignment rules in the order they are tried.
func (d *Desk) AssignmentRules(ctx context.Context) ([]*kesher.AssignmentRule, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.AssignmentRules(ctx)
}

// AssignmentRule returns one assignment rule.
func (d *Desk) AssignmentRule(ctx context.Context, id string) (*kesher.AssignmentRule, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.AssignmentRule(ctx, id)
}

// SaveAssignmentRule creates a rule (id "") or replaces one.
func (d *Desk) SaveAssignmentRule(ctx context.Context, id string, in kesher.AssignmentRule) (*kesher.AssignmentRule, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var v kesher.Validation
	checkName(in.Name, &v)
	v.Check(in.TeamID != "", "team_id", "required")
	v.Check(in.Strategy.Valid(), "strategy", "invalid")
	v.Check(in.Position >= 0, "position", "invalid")
	v.Check(allValid(in.Channels, kesher.Channel.Valid), "channels", "invalid")
	v.Check(allValid(in.Priorities, kesher.Priority.Valid), "priorities", "invalid")
	v.Check(allValid(in.Languages, i18n.Valid), "languages", "invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := d.clock.Now()
	r := in
	r.ID, r.CreatedAt, r.UpdatedAt = id, now, now
	for _, list := range []*[]string{&r.MailboxIDs, &r.Reasons, &r.Languages} {
		*list = nonNil(*list)
	}
	r.Channels, r.Priorities = nonNil(r.Channels), nonNil(r.Priorities)
	err := d.saveSetting(ctx, "assignment_rule", id, func(tx kesher.Tx) error {
		if err := checkRuleRefs(ctx, tx, &r); err != nil {
			return err
		}
		if id == "" {
			r.ID = kesher.NewID(now)
		} else if old, err := tx.AssignmentRule(ctx, id); err != nil {
			return err
		} else {
			r.CreatedAt, r.LastUserID = old.CreatedAt, old.LastUserID
		}
		return tx.SaveAssignmentRule(ctx, &r)
	}, func() map[string]any { return map[string]any{"rule_id": r.ID, "name": r.Name, "team_id": r.TeamID} })
	return &r, err
}

// checkRuleRefs reports a rule's team, mailboxes and reasons that do not
// exist.
func checkRuleRefs(ctx context.Context, tx kesher.Tx, r *kesher.AssignmentRule) error {
	if err := checkRefs(ctx, tx, "", r.TeamID, ""); err != nil {
		return err
	}
	for _, code := range r.Reasons {
		if err := checkRefs(ctx, tx, "", "", code); err != nil {
			return kesher.FieldError("reasons", "unknown", "no contact reason %q", code)
		}
	}
	for _, id := range r.MailboxIDs {
		if _, err := tx.Mailbox(ctx, id); kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return kesher.FieldError("mailbox_ids", "unknown", "no mailbox %s", id)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// DeleteAssignmentRule removes a rule.
func (d *Desk) DeleteAssignmentRule(ctx context.Context, id string) error {
	return d.deleteSetting(ctx, "assignment_rule", id, func(tx kesher.Tx) error { return tx.DeleteAssignmentRule(ctx, id) })
}

// saveSetting runs save and records "<kind>.created" or "<kind>.updated"
// in the log with data, then drops the cached settings.
func (d *Desk) saveSetting(ctx context.Context, kind, id string, save func(kesher.Tx) error, data func() map[string]any) error {
	typ := kind + ".updated"
	if id == "" {
		typ = kind + ".created"
	}
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		if err := save(tx); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, typ, data()))
	})
	if err == nil {
		d.forgetRules()
	}
	return err
}

// deleteSetting deletes one setting (admins only) and records it.
func (d *Desk) deleteSetting(ctx context.Context, kind, id string, del func(kesher.Tx) error) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		if err := del(tx); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, kind+".deleted", map[string]any{"id": id}))
	})
	if err == nil {
		d.forgetRules()
	}
	return err
}

func checkName(name string, v *kesher.Validation) {
	v.Check(name != "", "name", "required")
	v.Check(utf8.RuneCountInString(name) <= 100, "name", "too_long")
}

func allValid[T any](vals []T, valid func(T) bool) bool {
	return !slices.ContainsFunc(vals, func(v T) bool { return !valid(v) })
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
