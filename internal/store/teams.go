package store

import (
	"context"

	"kesher"
)

const teamColumns = "id, name, lead_id, calendar_id, created_at, updated_at"

func scanTeam(s scanner) (*kesher.Team, error) {
	var t kesher.Team
	var lead, calendar *string
	var created, updated int64
	if err := s.Scan(&t.ID, &t.Name, &lead, &calendar, &created, &updated); err != nil {
		return nil, err
	}
	t.LeadID, t.CalendarID = deref(lead), deref(calendar)
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	t.MemberIDs = []string{}
	return &t, nil
}

// Team returns a team with its members.
func (q *queries) Team(ctx context.Context, id string) (*kesher.Team, error) {
	t, err := scanTeam(q.q.QueryRowContext(ctx, "SELECT "+teamColumns+" FROM teams WHERE id = $1", id))
	if err != nil {
		return nil, q.dbErr(err, "team "+id)
	}
	return t, q.attachMembers(ctx, t)
}

// Teams lists teams in the order they were created.
func (q *queries) Teams(ctx context.Context, p kesher.Page) ([]*kesher.Team, string, error) {
	ts, next, err := listByID(ctx, q, "teams", teamColumns, p, scanTeam, func(t *kesher.Team) string { return t.ID })
	if err != nil {
		return nil, "", err
	}
	return ts, next, q.attachMembers(ctx, ts...)
}

func (q *queries) attachMembers(ctx context.Context, ts ...*kesher.Team) error {
	byID := make(map[string]*kesher.Team, len(ts))
	ids := make([]string, len(ts))
	for i, t := range ts {
		byID[t.ID], ids[i] = t, t.ID
	}
	return q.members(ctx, "team_id", "user_id", ids, func(teamID, userID string) {
		byID[teamID].MemberIDs = append(byID[teamID].MemberIDs, userID)
	})
}

// CreateTeam inserts a team and its members. An unknown lead or calendar
// is ECodeNotFound.
func (t *tx) CreateTeam(ctx context.Context, team *kesher.Team) error {
	err := t.insert(ctx, "team "+team.ID, "INSERT INTO teams ("+teamColumns+") VALUES ($1, $2, $3, $4, $5, $6)",
		args{team.ID, team.Name, nullable(team.LeadID), nullable(team.CalendarID), micros(team.CreatedAt), micros(team.UpdatedAt)})
	if err != nil {
		return err
	}
	return t.addMembers(ctx, team)
}

// UpdateTeam saves the name, lead and calendar and replaces the members.
func (t *tx) UpdateTeam(ctx context.Context, team *kesher.Team) error {
	err := t.exec(ctx, "team "+team.ID, "UPDATE teams SET name = $2, lead_id = $3, calendar_id = $4, updated_at = $5 WHERE id = $1",
		team.ID, team.Name, nullable(team.LeadID), nullable(team.CalendarID), micros(team.UpdatedAt))
	if err != nil {
		return err
	}
	if _, err := t.q.ExecContext(ctx, "DELETE FROM team_members WHERE team_id = $1", team.ID); err != nil {
		return err
	}
	return t.addMembers(ctx, team)
}

func (t *tx) addMembers(ctx context.Context, team *kesher.Team) error {
	for _, userID := range team.MemberIDs {
		if err := t.insert(ctx, "member "+userID+" of team "+team.ID, "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)",
			args{team.ID, userID}); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTeam deletes a team; its memberships go with it and its
// conversations keep no team (ON DELETE in the schema).
func (t *tx) DeleteTeam(ctx context.Context, id string) error {
	return t.exec(ctx, "team "+id, "DELETE FROM teams WHERE id = $1", id)
}
