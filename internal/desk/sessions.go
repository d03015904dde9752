package desk

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/auth"
)

// Session lifetimes. Both slide: each use of a session moves its expiry to
// a whole lifetime after that use, so a desk used every day stays signed in
// and one left alone signs itself out.
const (
	SessionLifetime           = 12 * time.Hour      // without "remember me": one working day
	RememberedSessionLifetime = 30 * 24 * time.Hour // with "remember me"
)

// SessionPrefix starts every session secret, so a leaked cookie is easy to
// tell from an API token (auth.TokenPrefix) and to find by secret scanners.
const SessionPrefix = "kss_"

// touchInterval is how stale a session's last use may be before a request
// writes it again: every page load may ask for the session, and a write
// each time would cost more than the minute of expiry it gains.
const touchInterval = time.Minute

// maxUserAgent bounds the stored User-Agent header, which the browser
// chooses and is kept only to tell a user's sessions apart.
const maxUserAgent = 256

// SignIn is a browser's request to sign in.
type SignIn struct {
	Email     string
	Password  string
	Remember  bool
	UserAgent string
}

// SignIn checks an email and password and starts a session. It returns the
// session's secret, which only the browser's cookie may hold, the session
// and its user.
//
// Errors: ECodeUnauthorized for an unknown email, a wrong password, a user
// without a password or a deactivated user, all with one message, so the
// answer does not tell which it was (see CheckPassword, which also spends
// the password hashing time on unknown emails).
func (d *Desk) SignIn(ctx context.Context, in SignIn) (secret string, s *kesher.Session, u *kesher.User, err error) {
	u, err = d.CheckPassword(ctx, in.Email, in.Password)
	if err != nil {
		return "", nil, nil, err
	}
	secret = SessionPrefix + randomString()
	now := d.clock.Now()
	s = &kesher.Session{
		ID: kesher.NewID(now), UserID: u.ID, TokenHash: auth.HashToken(secret), CSRFToken: randomString(), Remember: in.Remember,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(sessionLifetime(in.Remember)), UserAgent: userAgent(in.UserAgent),
	}
	if err := d.store.Write(ctx, func(tx kesher.Tx) error { return tx.CreateSession(ctx, s) }); err != nil {
		return "", nil, nil, err
	}
	return secret, s, u, nil
}

// SessionUser returns the active user of the session with this secret, and
// the session. Using a session extends its expiry, but a use writes only
// when the session's recorded last use is a minute old or more, so page
// loads do not each cost a write.
//
// Errors: ECodeUnauthorized when the secret is unknown or malformed, the
// session has expired or ended meanwhile, or its user is deactivated.
func (d *Desk) SessionUser(ctx context.Context, secret string) (*kesher.User, *kesher.Session, error) {
	unauthorized := kesher.Errorf(kesher.ECodeUnauthorized, "the session is not valid")
	if !strings.HasPrefix(secret, SessionPrefix) {
		return nil, nil, unauthorized
	}
	s, err := d.store.SessionByHash(ctx, auth.HashToken(secret))
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, nil, unauthorized
	} else if err != nil {
		return nil, nil, err
	}
	now := d.clock.Now()
	if !now.Before(s.ExpiresAt) {
		return nil, nil, unauthorized
	}
	u, err := d.store.User(ctx, s.UserID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, nil, unauthorized
	} else if err != nil {
		return nil, nil, err
	}
	if !u.Active {
		return nil, nil, unauthorized
	}
	if now.Sub(s.LastSeenAt) >= touchInterval {
		expires := now.Add(sessionLifetime(s.Remember))
		// The user's own last activity drives auto-away for assignment.
		err := d.store.Write(ctx, func(tx kesher.Tx) error {
			if err := tx.TouchSession(ctx, s.ID, now, expires); err != nil {
				return err
			}
			return tx.TouchUser(ctx, u.ID, now)
		})
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return nil, nil, unauthorized // signed out since it was read
		} else if err != nil {
			return nil, nil, err
		}
		s.LastSeenAt, s.ExpiresAt = now, expires
	}
	return u, s, nil
}

// SignOut ends the session with this secret. Ending an unknown or ended
// session is no error, so signing out twice, or with a stale cookie,
// succeeds. It returns only errors of the database.
func (d *Desk) SignOut(ctx context.Context, secret string) error {
	if !strings.HasPrefix(secret, SessionPrefix) {
		return nil
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		s, err := tx.SessionByHash(ctx, auth.HashToken(secret))
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return nil
		} else if err != nil {
			return err
		}
		return tx.DeleteSession(ctx, s.ID)
	})
}

// CleanupSessions deletes the sessions that have expired and returns how
// many there were; the server calls it every hour. Expired sessions are
// refused anyway, so this only keeps the table small. Admins only (and the
// system). Errors: ECodeForbidden for other users.
func (d *Desk) CleanupSessions(ctx context.Context) (int, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return 0, err
	}
	var n int
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		var err error
		n, err = tx.DeleteExpiredSessions(ctx, d.clock.Now())
		return err
	})
	return n, err
}

// SetupNeeded reports whether the desk has no users yet: the first run,
// when the web UI offers to create the first admin. It returns only errors
// of the database.
func (d *Desk) SetupNeeded(ctx context.Context) (bool, error) {
	n, err := d.store.CountUsers(ctx)
	return n == 0, err
}

// SetupFirstAdmin creates the desk's first user, an admin with a password,
// whatever in.Role says. Nobody is signed in on the first run, so anyone
// may call it, but only while the desk has no user at all.
//
// Errors: ECodeValidation as CreateUser, and "required" on field password;
// ECodeConflict when any user exists, also when another setup won a race.
func (d *Desk) SetupFirstAdmin(ctx context.Context, in NewUser) (*kesher.User, error) {
	in.Role = kesher.RoleAdmin
	if in.Password == "" {
		return nil, kesher.FieldError("password", "required", "the first admin needs a password")
	}
	u, err := d.newUser(in)
	if err != nil {
		return nil, err
	}
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		// With no user at all, no email can be taken: a conflict means
		// that users exist.
		if err := tx.CreateFirstUser(ctx, u); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "user.created", map[string]any{"user_id": u.ID, "email": u.Email, "role": u.Role, "setup": true}))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// PasswordChange sets a user's password. Current is the user's present
// password, needed when users change their own. KeepSessionID names the
// session a user changes their own password from, which stays signed in.
type PasswordChange struct {
	UserID        string
	Current       string
	New           string
	KeepSessionID string
}

// SetPassword sets a user's password and ends that user's sessions, since
// whoever knew the old password may hold one of them. Admins (and the
// system) reset anyone's password without the current one; users change
// their own, admins included, only with the current password, and keep the
// session they change it from. It appends a "user.password_set" event,
// which holds no secret.
//
// Errors: ECodeForbidden when a non-admin sets another user's password;
// ECodeValidation with field password "too_short" (under
// auth.MinPasswordLength characters), field current_password "required" or
// "invalid"; ECodeNotFound for an unknown user; ECodeConflict when the
// password changed while this change was checked.
func (d *Desk) SetPassword(ctx context.Context, in PasswordChange) error {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return err
	}
	self := actor != nil && actor.ID == in.UserID
	if actor != nil && !self && actor.Role != kesher.RoleAdmin {
		return kesher.Errorf(kesher.ECodeForbidden, "only admins set other users' passwords")
	}
	var v kesher.Validation
	v.Check(utf8.RuneCountInString(in.New) >= auth.MinPasswordLength, "password", "too_short")
	v.Check(!self || in.Current != "", "current_password", "required")
	if err := v.Err(); err != nil {
		return err
	}
	// The slow password hashing runs before the write, which on SQLite
	// holds the desk's only writer.
	var checked string
	if self {
		u, err := d.store.User(ctx, in.UserID)
		if err != nil {
			return err
		}
		if ok, err := auth.CheckPassword(u.PasswordHash, in.Current); err != nil || !ok {
			return kesher.FieldError("current_password", "invalid", "the current password is wrong")
		}
		checked = u.PasswordHash
	}
	hash := auth.HashPassword(in.New)
	keep := ""
	if self {
		keep = in.KeepSessionID
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		u, err := tx.User(ctx, in.UserID)
		if err != nil {
			return err
		}
		if self && u.PasswordHash != checked {
			return kesher.Errorf(kesher.ECodeConflict, "the password changed meanwhile")
		}
		u.PasswordHash, u.UpdatedAt = hash, d.clock.Now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID, keep); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "user.password_set", map[string]any{"user_id": u.ID, "reset": !self}))
	})
}

// SetPreferences sets the signed-in user's own language ("he" or "en") and
// time zone (an IANA name such as "Asia/Jerusalem") and returns the user.
//
// Errors: ECodeUnauthorized when nobody is signed in (or the user is
// deactivated); ECodeValidation with "invalid" on field language or
// time_zone.
func (d *Desk) SetPreferences(ctx context.Context, language, timeZone string) (*kesher.User, error) {
	actor := kesher.ActorFrom(ctx)
	if actor == nil {
		return nil, kesher.Errorf(kesher.ECodeUnauthorized, "preferences belong to a signed-in user")
	}
	return d.UpdateUser(ctx, actor.ID, UserUpdate{Language: &language, TimeZone: &timeZone})
}

func sessionLifetime(remember bool) time.Duration {
	if remember {
		return RememberedSessionLifetime
	}
	return SessionLifetime
}

// randomString returns 256 random bits, URL-safe: too many to guess.
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// userAgent keeps a User-Agent header storable: valid UTF-8 (PostgreSQL
// refuses anything else) and at most maxUserAgent bytes, cut between
// characters.
func userAgent(ua string) string {
	ua = strings.ToValidUTF8(strings.TrimSpace(ua), "")
	if len(ua) <= maxUserAgent {
		return ua
	}
	cut := maxUserAgent
	for !utf8.RuneStart(ua[cut]) {
		cut--
	}
	return ua[:cut]
}
