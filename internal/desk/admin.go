package desk

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/auth"
)

// NewUser is a request to add a member of the team.
type NewUser struct {
	Email    string
	Name     string
	Role     kesher.Role
	Password string
	Language string
	// TimeZone is an IANA name; "" means kesher.DefaultTimeZone.
	TimeZone string
}

// CreateUser adds a user. Admins only (and the CLI).
func (d *Desk) CreateUser(ctx context.Context, in NewUser) (*kesher.User, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	u, err := d.newUser(in)
	if err != nil {
		return nil, err
	}
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			if kesher.ErrorCode(err) == kesher.ECodeConflict {
				return kesher.FieldError("email", "taken", "a user with email %s exists", u.Email)
			}
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "user.created", map[string]any{"user_id": u.ID, "email": u.Email, "role": u.Role}))
	})
	return u, err
}

// newUser validates a request for a user and builds it, the password
// hashed; it writes nothing.
func (d *Desk) newUser(in NewUser) (*kesher.User, error) {
	var v kesher.Validation
	email, err := kesher.NormalizeEmail(strings.TrimSpace(in.Email))
	v.Check(err == nil, "email", "invalid")
	name := strings.TrimSpace(in.Name)
	v.Check(name != "", "name", "required")
	v.Check(utf8.RuneCountInString(name) <= 200, "name", "too_long")
	v.Check(in.Role.Valid(), "role", "invalid")
	v.Check(in.Password == "" || utf8.RuneCountInString(in.Password) >= auth.MinPasswordLength, "password", "too_short")
	v.Check(validLanguage(in.Language), "language", "invalid")
	v.Check(in.TimeZone == "" || validTimeZone(in.TimeZone), "time_zone", "invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := d.clock.Now()
	u := &kesher.User{
		ID: kesher.NewID(now), Email: email, Name: name, Role: in.Role, Active: true,
		Availability: kesher.Offline, Language: orDefault(in.Language, "he"), TimeZone: orDefault(in.TimeZone, kesher.DefaultTimeZone),
		TeamIDs: []string{}, CreatedAt: now, UpdatedAt: now,
	}
	if in.Password != "" {
		u.PasswordHash = auth.HashPassword(in.Password)
	}
	return u, nil
}

// UserUpdate changes a user; nil fields stay.
type UserUpdate struct {
	Name         *string
	Role         *kesher.Role
	Active       *bool
	Availability *kesher.Availability
	Language     *string
	TimeZone     *string
	Password     *string
	// Capacity bounds the user's open conversations for assignment; 0
	// for no bound.
	Capacity *int
}

// UpdateUser changes a user. Users may change their own name, language,
// time zone, availability and password; only admins change roles,
// activation or anyone else. Deactivating a user or changing their
// password ends their sessions.
func (d *Desk) UpdateUser(ctx context.Context, id string, up UserUpdate) (*kesher.User, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, err
	}
	self := actor != nil && actor.ID == id
	if actor != nil && actor.Role != kesher.RoleAdmin && (!self || up.Role != nil || up.Active != nil || up.Capacity != nil) {
		return nil, kesher.Errorf(kesher.ECodeForbidden, "only admins manage other users, roles, activation and capacity")
	}
	var v kesher.Validation
	if up.Name != nil {
		n := strings.TrimSpace(*up.Name)
		up.Name = &n
		v.Check(n != "" && utf8.RuneCountInString(n) <= 200, "name", "invalid")
	}
	if up.Role != nil {
		v.Check(up.Role.Valid(), "role", "invalid")
	}
	if up.Availability != nil {
		v.Check(up.Availability.Valid(), "availability", "invalid")
	}
	if up.Language != nil {
		v.Check(validLanguage(*up.Language) && *up.Language != "", "language", "invalid")
	}
	if up.TimeZone != nil {
		v.Check(validTimeZone(*up.TimeZone), "time_zone", "invalid")
	}
	if up.Password != nil {
		v.Check(utf8.RuneCountInString(*up.Password) >= auth.MinPasswordLength, "password", "too_short")
	}
	if up.Capacity != nil {
		v.Check(*up.Capacity >= 0 && *up.Capacity <= 1000, "capacity", "invalid")
	}
	if self && up.Active != nil && !*up.Active {
		v.Add("active", "self")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var user *kesher.User
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		changes := map[string]change{}
		apply(changes, "name", &u.Name, up.Name)
		apply(changes, "role", &u.Role, up.Role)
		apply(changes, "active", &u.Active, up.Active)
		apply(changes, "availability", &u.Availability, up.Availability)
		apply(changes, "language", &u.Language, up.Language)
		apply(changes, "time_zone", &u.TimeZone, up.TimeZone)
		apply(changes, "capacity", &u.Capacity, up.Capacity)
		if up.Password != nil {
			u.PasswordHash = auth.HashPassword(*up.Password)
			changes["password"] = change{"", "changed"} // never the secret itself
		}
		user = u
		if len(changes) == 0 {
			return nil
		}
		u.UpdatedAt = d.clock.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		// A deactivated user is signed out everywhere at once, not only
		// when each browser next asks; so is one whose password changed,
		// as when it goes through SetPassword.
		_, deactivated := changes["active"]
		if deactivated && !u.Active || up.Password != nil {
			if err := tx.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		return tx.AppendEvent(ctx, d.event(ctx, "user.updated", map[string]any{"user_id": u.ID, "changes": changes}))
	})
	if err == nil {
		d.tokens.forget()
	}
	return user, err
}

// Users lists the team's users to any signed-in user (assignment needs them).
func (d *Desk) Users(ctx context.Context, p kesher.Page) ([]*kesher.User, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	return d.store.Users(ctx, p)
}

// User returns one user to any signed-in user.
func (d *Desk) User(ctx context.Context, id string) (*kesher.User, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.User(ctx, id)
}

// CreateToken makes a new API token for a user and returns its secret,
// which is shown once and stored only as a hash. Users make their own
// tokens; admins make anyone's.
func (d *Desk) CreateToken(ctx context.Context, userID, name string) (string, *kesher.Token, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return "", nil, err
	}
	if actor != nil && actor.ID != userID && actor.Role != kesher.RoleAdmin {
		return "", nil, kesher.Errorf(kesher.ECodeForbidden, "only admins make tokens for other users")
	}
	secret, hash := auth.NewToken()
	now := d.clock.Now()
	t := &kesher.Token{ID: kesher.NewID(now), UserID: userID, Name: strings.TrimSpace(name), Hash: hash, CreatedAt: now}
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		if !u.Active {
			return kesher.Errorf(kesher.ECodeConflict, "user %s is deactivated", u.Email)
		}
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "token.created", map[string]any{"user_id": userID, "token_id": t.ID}))
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Authenticate returns the active user a token secret belongs to.
func (d *Desk) Authenticate(ctx context.Context, secret string) (*kesher.User, error) {
	unauthorized := kesher.Errorf(kesher.ECodeUnauthorized, "the token is not valid")
	if !strings.HasPrefix(secret, auth.TokenPrefix) {
		return nil, unauthorized
	}
	hash := auth.HashToken(secret)
	now := d.clock.Now()
	u, gen := d.tokens.lookup(string(hash), now)
	if u != nil {
		return u, nil
	}
	t, err := d.store.TokenByHash(ctx, hash)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, unauthorized
	} else if err != nil {
		return nil, err
	}
	u, err = d.store.User(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, unauthorized
	}
	d.tokens.remember(string(hash), u, gen, now)
	return u, nil
}

// CheckPassword returns the active user with this email and password. The
// same error covers unknown emails and wrong passwords.
func (d *Desk) CheckPassword(ctx context.Context, email, password string) (*kesher.User, error) {
	bad := kesher.Errorf(kesher.ECodeUnauthorized, "wrong email or password")
	u, err := d.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		auth.HashPassword(password) // same work as a real check, so timing tells nothing
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	if u.PasswordHash == "" || !u.Active {
		auth.HashPassword(password) // the same work again: timing must not tell which accounts exist
		return nil, bad
	}
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil || !ok {
		return nil, bad
	}
	return u, nil
}

// TeamInput is a team's name, members, lead and business calendar.
type TeamInput struct {
	Name      string
	MemberIDs []string
	// LeadID owns the team's queue and receives its alerts.
	LeadID string
	// CalendarID is the business calendar of the team's SLA clocks; ""
	// for the default.
	CalendarID string
}

// Teams lists teams to any signed-in user.
func (d *Desk) Teams(ctx context.Context, p kesher.Page) ([]*kesher.Team, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	return d.store.Teams(ctx, p)
}

// Team returns one team to any signed-in user.
func (d *Desk) Team(ctx context.Context, id string) (*kesher.Team, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.Team(ctx, id)
}

// SaveTeam creates a team (id "") or replaces a team's name and members.
// Admins only.
func (d *Desk) SaveTeam(ctx context.Context, id string, in TeamInput) (*kesher.Team, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var v kesher.Validation
	v.Check(in.Name != "" && utf8.RuneCountInString(in.Name) <= 100, "name", "invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var team *kesher.Team
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		members := []string{}
		for _, m := range in.MemberIDs {
			if _, err := tx.User(ctx, m); err != nil {
				if kesher.ErrorCode(err) == kesher.ECodeNotFound {
					return kesher.FieldError("member_ids", "unknown", "no user %s", m)
				}
				return err
			}
			if !slices.Contains(members, m) {
				members = append(members, m)
			}
		}
		if err := checkTeamRefs(ctx, tx, in); err != nil {
			return err
		}
		now := d.clock.Now()
		data := map[string]any{"name": in.Name, "member_ids": members, "lead_id": in.LeadID, "calendar_id": in.CalendarID}
		if id == "" {
			team = &kesher.Team{ID: kesher.NewID(now), Name: in.Name, MemberIDs: members, LeadID: in.LeadID, CalendarID: in.CalendarID, CreatedAt: now, UpdatedAt: now}
			data["team_id"] = team.ID
			if err := tx.CreateTeam(ctx, team); err != nil {
				return err
			}
			return tx.AppendEvent(ctx, d.event(ctx, "team.created", data))
		}
		t, err := tx.Team(ctx, id)
		if err != nil {
			return err
		}
		t.Name, t.MemberIDs, t.LeadID, t.CalendarID, t.UpdatedAt = in.Name, members, in.LeadID, in.CalendarID, now
		team, data["team_id"] = t, t.ID
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "team.updated", data))
	})
	if err == nil {
		d.forgetRules()
		d.tokens.forget() // members' team lists changed
	}
	return team, err
}

// checkTeamRefs reports a lead who is not an active lead or admin, and a
// calendar that does not exist.
func checkTeamRefs(ctx context.Context, tx kesher.Tx, in TeamInput) error {
	if in.LeadID != "" {
		u, err := tx.User(ctx, in.LeadID)
		if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return err
		}
		if err != nil || !u.Active || !u.Role.AtLeast(kesher.RoleLead) {
			return kesher.FieldError("lead_id", "invalid", "a team's lead is an active lead or admin")
		}
	}
	if in.CalendarID != "" {
		if _, err := tx.Calendar(ctx, in.CalendarID); kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return kesher.FieldError("calendar_id", "unknown", "no calendar %s", in.CalendarID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// DeleteTeam removes a team. Admins only.
func (d *Desk) DeleteTeam(ctx context.Context, id string) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		if err := tx.DeleteTeam(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "team.deleted", map[string]any{"team_id": id}))
	})
	if err == nil {
		d.forgetRules()
		d.tokens.forget() // members' team lists changed
	}
	return err
}

// reasonCode is the shape of a contact reason's code: stable, URL-safe.
var reasonCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Reasons lists contact reasons to any signed-in user.
func (d *Desk) Reasons(ctx context.Context, p kesher.Page) ([]*kesher.Reason, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	return d.store.Reasons(ctx, p)
}

// Reason returns one contact reason to any signed-in user.
func (d *Desk) Reason(ctx context.Context, code string) (*kesher.Reason, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.Reason(ctx, code)
}

// ReasonInput is a contact reason's fields; Active nil means unchanged
// (true for a new reason).
type ReasonInput struct {
	Code   string
	Name   string
	Source kesher.Source
	Active *bool
}

// SaveReason creates a reason (create true) or changes one's name, source
// and activation. Admins only. Codes never change: conversations and
// reports refer to them.
func (d *Desk) SaveReason(ctx context.Context, create bool, in ReasonInput) (*kesher.Reason, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var v kesher.Validation
	v.Check(reasonCode.MatchString(in.Code), "code", "invalid")
	v.Check(in.Name != "" && utf8.RuneCountInString(in.Name) <= 200, "name", "invalid")
	v.Check(in.Source.Valid(), "source", "invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var reason *kesher.Reason
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		now := d.clock.Now()
		if create {
			reason = &kesher.Reason{Code: in.Code, Name: in.Name, Source: in.Source, Active: in.Active == nil || *in.Active, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateReason(ctx, reason); err != nil {
				if kesher.ErrorCode(err) == kesher.ECodeConflict {
					return kesher.FieldError("code", "taken", "reason %s exists", in.Code)
				}
				return err
			}
			return tx.AppendEvent(ctx, d.event(ctx, "reason.created", reason))
		}
		r, err := tx.Reason(ctx, in.Code)
		if err != nil {
			return err
		}
		r.Name, r.Source, r.UpdatedAt = in.Name, in.Source, now
		if in.Active != nil {
			r.Active = *in.Active
		}
		reason = r
		if err := tx.UpdateReason(ctx, r); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "reason.updated", r))
	})
	return reason, err
}

// validLanguage accepts the languages the desk speaks ("" means default).
func validLanguage(lang string) bool { return lang == "" || lang == "he" || lang == "en" }

// validTimeZone accepts IANA zone names. LoadLocation also takes "" and
// "Local", which name the server's zone rather than one of the world's.
func validTimeZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}
