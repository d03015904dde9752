package desk_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones must not depend on the machine's zoneinfo

	"kesher"
	"kesher/internal/auth"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// recorder is a store that remembers the events appended through it, since
// the store lists only conversations' events and user events belong to none.
type recorder struct {
	kesher.Store
	mu     sync.Mutex
	events []*kesher.Event
}

func (r *recorder) Write(ctx context.Context, fn func(kesher.Tx) error) error {
	return r.Store.Write(ctx, func(tx kesher.Tx) error { return fn(recordingTx{tx, r}) })
}

func (r *recorder) eventsOf(typ string) []*kesher.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var evs []*kesher.Event
	for _, e := range r.events {
		if e.Type == typ {
			evs = append(evs, e)
		}
	}
	return evs
}

type recordingTx struct {
	kesher.Tx
	r *recorder
}

func (tx recordingTx) AppendEvent(ctx context.Context, e *kesher.Event) error {
	if err := tx.Tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	tx.r.mu.Lock()
	defer tx.r.mu.Unlock()
	tx.r.events = append(tx.r.events, e)
	return nil
}

// Passwords of the session fixture's users; agent2 has none.
const (
	adminPassword = "סיסמה-של-המנהלת"
	leadPassword  = "סיסמה-של-ראש-הצוות"
	agentPassword = "סיסמה-של-הנציג"
)

type sessionFixture struct {
	*fixture
	rec *recorder
}

func newSessionFixture(t *testing.T, st kesher.Store) *sessionFixture {
	t.Helper()
	rec := &recorder{Store: st}
	f := &sessionFixture{fixture: newFixture(t, rec), rec: rec}
	for u, pw := range map[*kesher.User]string{f.admin: adminPassword, f.lead: leadPassword, f.agent: agentPassword} {
		if err := f.desk.SetPassword(context.Background(), desk.PasswordChange{UserID: u.ID, New: pw}); err != nil {
			t.Fatalf("SetPassword(%s): %v", u.Email, err)
		}
	}
	return f
}

func (f *sessionFixture) signIn(t *testing.T, email, password string, remember bool) (string, *kesher.Session) {
	t.Helper()
	secret, s, _, err := f.desk.SignIn(context.Background(), desk.SignIn{Email: email, Password: password, Remember: remember, UserAgent: "Firefox"})
	if err != nil {
		t.Fatalf("SignIn(%s): %v", email, err)
	}
	return secret, s
}

// stored reads a session as the database has it, not as the desk returned it.
func (f *sessionFixture) stored(t *testing.T, secret string) *kesher.Session {
	t.Helper()
	s, err := f.store.SessionByHash(context.Background(), auth.HashToken(secret))
	if err != nil {
		t.Fatalf("SessionByHash: %v", err)
	}
	return s
}

// wantSignedIn checks that secret is a live session of user.
func (f *sessionFixture) wantSignedIn(t *testing.T, secret string, user *kesher.User) {
	t.Helper()
	u, _, err := f.desk.SessionUser(context.Background(), secret)
	if err != nil || u.ID != user.ID {
		t.Fatalf("SessionUser = %v, %v; want %s", u, err, user.Email)
	}
}

func wantSignedOut(t *testing.T, f *sessionFixture, secret string) {
	t.Helper()
	_, _, err := f.desk.SessionUser(context.Background(), secret)
	wantCode(t, err, kesher.ECodeUnauthorized)
}

func wantFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	wantCode(t, err, kesher.ECodeValidation)
	got := err.(*kesher.Error).Fields
	for field, reason := range want {
		if got[field] != reason {
			t.Errorf("fields = %v, want %s %q", got, field, reason)
		}
	}
}

func TestSessions(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *sessionFixture)
		}{
			{"sign-in", testSignIn},
			{"sliding expiry writes once a minute", testSlidingExpiry},
			{"lifetimes", testLifetimes},
			{"sign-out", testSignOut},
			{"deactivation ends sessions", testDeactivationEndsSessions},
			{"a password set through UpdateUser ends sessions", testUpdatePasswordEndsSessions},
			{"an admin resets a password", testPasswordReset},
			{"users change their own password", testOwnPassword},
			{"who may set a password", testPasswordRights},
			{"preferences", testPreferences},
			{"cleanup", testCleanup},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newSessionFixture(t, open(t))) })
		}
	})
}

func testSignIn(t *testing.T, f *sessionFixture) {
	// The lead is deactivated with a password that would otherwise work.
	off := false
	if _, err := f.desk.UpdateUser(f.asAdmin, f.lead.ID, desk.UserUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	var messages []string
	for _, tc := range []struct {
		name, email, password string
	}{
		{"wrong password", "agent@example.com", agentPassword + "!"},
		{"unknown email", "nobody@example.com", agentPassword},
		{"no password set", "agent2@example.com", ""},
		{"deactivated user", "lead@example.com", leadPassword},
		{"empty form", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret, s, u, err := f.desk.SignIn(context.Background(), desk.SignIn{Email: tc.email, Password: tc.password})
			wantCode(t, err, kesher.ECodeUnauthorized)
			if secret != "" || s != nil || u != nil {
				t.Errorf("a refused sign-in returned %q, %v, %v", secret, s, u)
			}
			messages = append(messages, err.Error())
		})
	}
	for _, m := range messages {
		if m != messages[0] {
			t.Errorf("refusals differ (%q, %q), so they tell which part was wrong", messages[0], m)
		}
	}

	ua := "Mozilla/5.0 " + strings.Repeat("דפדפן ", 100)
	secret, s, u, err := f.desk.SignIn(context.Background(), desk.SignIn{Email: "  Agent@Example.com ", Password: agentPassword, UserAgent: ua})
	if err != nil || u.ID != f.agent.ID {
		t.Fatalf("SignIn = %v, %v", u, err)
	}
	now := f.clock.Now()
	if !strings.HasPrefix(secret, desk.SessionPrefix) || len(secret) < 40 || strings.HasPrefix(secret, auth.TokenPrefix) {
		t.Errorf("secret %q: want the session prefix and 256 random bits", secret)
	}
	if s.UserID != f.agent.ID || s.Remember || s.CSRFToken == "" || !s.CreatedAt.Equal(now) || !s.LastSeenAt.Equal(now) ||
		!s.ExpiresAt.Equal(now.Add(desk.SessionLifetime)) || len(s.UserAgent) > 256 || !strings.HasPrefix(ua, s.UserAgent) {
		t.Errorf("session = %+v", s)
	}
	got := f.stored(t, secret)
	if bytes.Contains(got.TokenHash, []byte(secret)) || got.CSRFToken != s.CSRFToken || got.ID != s.ID {
		t.Errorf("stored session = %+v", got)
	}
	f.wantSignedIn(t, secret, f.agent)
	if _, _, err := f.desk.SessionUser(context.Background(), secret+"x"); kesher.ErrorCode(err) != kesher.ECodeUnauthorized {
		t.Errorf("a wrong secret: %v", err)
	}
	// An API token is not a session, though both are hashed alike.
	token, _, err := f.desk.CreateToken(f.asAgent, f.agent.ID, "מחשב נייד")
	if err != nil {
		t.Fatal(err)
	}
	wantSignedOut(t, f, token)
}

func testSlidingExpiry(t *testing.T, f *sessionFixture) {
	secret, s := f.signIn(t, "agent@example.com", agentPassword, false)
	signedIn := f.clock.Now()
	steps := []struct {
		advance  time.Duration
		lastSeen time.Time // as stored afterwards
	}{
		{30 * time.Second, signedIn},                               // too soon to write
		{29 * time.Second, signedIn},                               // still too soon
		{time.Second, signedIn.Add(time.Minute)},                   // a minute on: written
		{11 * time.Hour, signedIn.Add(11*time.Hour + time.Minute)}, // past the first expiry
	}
	for i, step := range steps {
		f.clock.Advance(step.advance)
		f.wantSignedIn(t, secret, f.agent)
		got := f.stored(t, secret)
		if !got.LastSeenAt.Equal(step.lastSeen) || !got.ExpiresAt.Equal(step.lastSeen.Add(desk.SessionLifetime)) {
			t.Errorf("step %d: stored last seen %v, expires %v; want %v and 12 hours later", i, got.LastSeenAt, got.ExpiresAt, step.lastSeen)
		}
	}
	if _, got, err := f.desk.SessionUser(context.Background(), secret); err != nil || got.ID != s.ID || !got.LastSeenAt.Equal(f.clock.Now()) {
		t.Errorf("SessionUser returned session %+v, %v", got, err)
	}
	// Twelve hours of silence end it.
	f.clock.Advance(desk.SessionLifetime)
	wantSignedOut(t, f, secret)
}

func testLifetimes(t *testing.T, f *sessionFixture) {
	for _, tc := range []struct {
		name     string
		remember bool
		lifetime time.Duration
	}{
		{"without remember me", false, desk.SessionLifetime},
		{"with remember me", true, desk.RememberedSessionLifetime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret, s := f.signIn(t, "admin@example.com", adminPassword, tc.remember)
			if s.Remember != tc.remember || s.ExpiresAt.Sub(s.CreatedAt) != tc.lifetime {
				t.Fatalf("session lasts %v (remember %v), want %v", s.ExpiresAt.Sub(s.CreatedAt), s.Remember, tc.lifetime)
			}
			f.clock.Advance(tc.lifetime - time.Second)
			f.wantSignedIn(t, secret, f.admin)
			if got := f.stored(t, secret); !got.ExpiresAt.Equal(f.clock.Now().Add(tc.lifetime)) {
				t.Errorf("a use did not extend the session by its lifetime: expires %v", got.ExpiresAt)
			}
			f.clock.Advance(tc.lifetime)
			wantSignedOut(t, f, secret)
		})
	}
}

func testSignOut(t *testing.T, f *sessionFixture) {
	laptop, _ := f.signIn(t, "agent@example.com", agentPassword, false)
	phone, _ := f.signIn(t, "agent@example.com", agentPassword, true)
	if err := f.desk.SignOut(context.Background(), laptop); err != nil {
		t.Fatal(err)
	}
	wantSignedOut(t, f, laptop)
	if _, err := f.store.SessionByHash(context.Background(), auth.HashToken(laptop)); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("the ended session is still stored: %v", err)
	}
	f.wantSignedIn(t, phone, f.agent)
	for _, secret := range []string{laptop, "kss_unknown", "garbage", ""} {
		if err := f.desk.SignOut(context.Background(), secret); err != nil {
			t.Errorf("SignOut(%q) = %v, want nil", secret, err)
		}
	}
}

func testUpdatePasswordEndsSessions(t *testing.T, f *sessionFixture) {
	laptop, _ := f.signIn(t, "agent@example.com", agentPassword, true)
	admin, _ := f.signIn(t, "admin@example.com", adminPassword, false)
	fresh := "סיסמה חדשה וארוכה"
	if _, err := f.desk.UpdateUser(f.asAdmin, f.agent.ID, desk.UserUpdate{Password: &fresh}); err != nil {
		t.Fatal(err)
	}
	wantSignedOut(t, f, laptop)
	f.wantSignedIn(t, admin, f.admin)
	again, _ := f.signIn(t, "agent@example.com", fresh, false)
	f.wantSignedIn(t, again, f.agent)
}

func testDeactivationEndsSessions(t *testing.T, f *sessionFixture) {
	laptop, _ := f.signIn(t, "agent@example.com", agentPassword, false)
	phone, _ := f.signIn(t, "agent@example.com", agentPassword, true)
	admin, _ := f.signIn(t, "admin@example.com", adminPassword, false)
	off, on := false, true
	if _, err := f.desk.UpdateUser(f.asAdmin, f.agent.ID, desk.UserUpdate{Active: &off}); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{laptop, phone} {
		if _, err := f.store.SessionByHash(context.Background(), auth.HashToken(secret)); kesher.ErrorCode(err) != kesher.ECodeNotFound {
			t.Errorf("a deactivated user's session is still stored: %v", err)
		}
	}
	f.wantSignedIn(t, admin, f.admin)
	// Reactivation does not bring the sessions back; signing in again works.
	if _, err := f.desk.UpdateUser(f.asAdmin, f.agent.ID, desk.UserUpdate{Active: &on}); err != nil {
		t.Fatal(err)
	}
	wantSignedOut(t, f, laptop)
	again, _ := f.signIn(t, "agent@example.com", agentPassword, false)
	f.wantSignedIn(t, again, f.agent)

	// A session whose user was deactivated behind the desk's back is
	// refused as well.
	err := f.store.Write(context.Background(), func(tx kesher.Tx) error {
		u, err := tx.User(context.Background(), f.agent.ID)
		if err != nil {
			return err
		}
		u.Active = false
		return tx.UpdateUser(context.Background(), u)
	})
	if err != nil {
		t.Fatal(err)
	}
	wantSignedOut(t, f, again)
}

func testPasswordReset(t *testing.T, f *sessionFixture) {
	laptop, s := f.signIn(t, "agent@example.com", agentPassword, false)
	phone, _ := f.signIn(t, "agent@example.com", agentPassword, true)
	admin, _ := f.signIn(t, "admin@example.com", adminPassword, false)
	const fresh = "סיסמה-חדשה-לגמרי"
	// KeepSessionID keeps only the changer's own session; it is not the admin's.
	if err := f.desk.SetPassword(f.asAdmin, desk.PasswordChange{UserID: f.agent.ID, New: fresh, KeepSessionID: s.ID}); err != nil {
		t.Fatal(err)
	}
	wantSignedOut(t, f, laptop)
	wantSignedOut(t, f, phone)
	f.wantSignedIn(t, admin, f.admin)
	_, _, _, err := f.desk.SignIn(context.Background(), desk.SignIn{Email: "agent@example.com", Password: agentPassword})
	wantCode(t, err, kesher.ECodeUnauthorized)
	f.signIn(t, "agent@example.com", fresh, false)

	evs := f.rec.eventsOf("user.password_set")
	last := evs[len(evs)-1]
	if last.ActorID != f.admin.ID || !bytes.Contains(last.Data, []byte(f.agent.ID)) || !bytes.Contains(last.Data, []byte(`"reset":true`)) {
		t.Errorf("event = %+v %s", last, last.Data)
	}
	for _, e := range evs {
		for _, secret := range []string{fresh, agentPassword, adminPassword, leadPassword, "argon2id"} {
			if bytes.Contains(e.Data, []byte(secret)) {
				t.Errorf("event %s holds a secret: %s", e.Type, e.Data)
			}
		}
	}
}

func testOwnPassword(t *testing.T, f *sessionFixture) {
	laptop, s := f.signIn(t, "agent@example.com", agentPassword, false)
	phone, _ := f.signIn(t, "agent@example.com", agentPassword, true)
	const fresh = "סיסמה-חדשה-שלי"
	for _, tc := range []struct {
		name string
		in   desk.PasswordChange
		want map[string]string
	}{
		{"without the current password", desk.PasswordChange{New: fresh}, map[string]string{"current_password": "required"}},
		{"with a wrong current password", desk.PasswordChange{Current: "לא-הסיסמה-שלי", New: fresh}, map[string]string{"current_password": "invalid"}},
		{"too short", desk.PasswordChange{Current: agentPassword, New: "קצרה"}, map[string]string{"password": "too_short"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.UserID, tc.in.KeepSessionID = f.agent.ID, s.ID
			wantFields(t, f.desk.SetPassword(f.asAgent, tc.in), tc.want)
		})
	}
	// The refusals ended nothing.
	f.wantSignedIn(t, phone, f.agent)

	err := f.desk.SetPassword(f.asAgent, desk.PasswordChange{UserID: f.agent.ID, Current: agentPassword, New: fresh, KeepSessionID: s.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.wantSignedIn(t, laptop, f.agent)
	wantSignedOut(t, f, phone)
	f.signIn(t, "agent@example.com", fresh, false)
	evs := f.rec.eventsOf("user.password_set")
	if last := evs[len(evs)-1]; last.ActorID != f.agent.ID || !bytes.Contains(last.Data, []byte(`"reset":false`)) {
		t.Errorf("event = %+v %s", last, last.Data)
	}
	// Admins, too, give their current password to change their own.
	err = f.desk.SetPassword(f.asAdmin, desk.PasswordChange{UserID: f.admin.ID, New: fresh})
	wantFields(t, err, map[string]string{"current_password": "required"})
}

func testPasswordRights(t *testing.T, f *sessionFixture) {
	adminSession, _ := f.signIn(t, "admin@example.com", adminPassword, false)
	for _, tc := range []struct {
		name   string
		actor  context.Context
		target *kesher.User
		want   string
	}{
		{"an agent resets another agent", f.asAgent, f.agent2, kesher.ECodeForbidden},
		{"an agent resets an admin", f.asAgent, f.admin, kesher.ECodeForbidden},
		{"a lead resets an agent", f.asLead, f.agent, kesher.ECodeForbidden},
		{"an admin resets a user without a password", f.asAdmin, f.agent2, ""},
		{"an admin resets a stranger", f.asAdmin, &kesher.User{ID: "nobody"}, kesher.ECodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.desk.SetPassword(tc.actor, desk.PasswordChange{UserID: tc.target.ID, Current: agentPassword, New: "סיסמה-שנבחרה-בשבילך"})
			wantCode(t, err, tc.want)
		})
	}
	f.wantSignedIn(t, adminSession, f.admin)
	f.signIn(t, "agent@example.com", agentPassword, false)
	f.signIn(t, "agent2@example.com", "סיסמה-שנבחרה-בשבילך", false)
}

func testPreferences(t *testing.T, f *sessionFixture) {
	for _, tc := range []struct {
		name, language, timeZone string
		want                     map[string]string // nil: accepted
	}{
		{"English in New York", "en", "America/New_York", nil},
		{"Hebrew in Jerusalem", "he", "Asia/Jerusalem", nil},
		{"UTC", "he", "UTC", nil},
		{"an unknown language", "fr", "Asia/Jerusalem", map[string]string{"language": "invalid"}},
		{"an unknown zone", "he", "Asia/Tel_Aviv_Jaffa", map[string]string{"time_zone": "invalid"}},
		{"the server's zone", "he", "Local", map[string]string{"time_zone": "invalid"}},
		{"a path", "he", "../etc/passwd", map[string]string{"time_zone": "invalid"}},
		{"nothing", "", "", map[string]string{"language": "invalid", "time_zone": "invalid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.store.User(context.Background(), f.agent.ID)
			u, err := f.desk.SetPreferences(f.asAgent, tc.language, tc.timeZone)
			if tc.want != nil {
				wantFields(t, err, tc.want)
				if after, _ := f.store.User(context.Background(), f.agent.ID); after.Language != before.Language || after.TimeZone != before.TimeZone {
					t.Errorf("refused preferences were saved: %+v", after)
				}
				return
			}
			if err != nil || u.Language != tc.language || u.TimeZone != tc.timeZone {
				t.Fatalf("SetPreferences = %+v, %v", u, err)
			}
			if stored, err := f.store.User(context.Background(), f.agent.ID); err != nil || stored.TimeZone != tc.timeZone {
				t.Errorf("stored user = %+v, %v", stored, err)
			}
		})
	}
	_, err := f.desk.SetPreferences(context.Background(), "he", "Asia/Jerusalem")
	wantCode(t, err, kesher.ECodeUnauthorized)

	// New users get the desk's zone unless they are given one.
	if f.admin.TimeZone != kesher.DefaultTimeZone {
		t.Errorf("a new user's zone = %q, want %q", f.admin.TimeZone, kesher.DefaultTimeZone)
	}
	u, err := f.desk.CreateUser(f.asAdmin, desk.NewUser{Email: "miriam@example.com", Name: "מרים", Role: kesher.RoleAgent, TimeZone: "Europe/Paris"})
	if err != nil || u.TimeZone != "Europe/Paris" {
		t.Fatalf("CreateUser with a zone = %+v, %v", u, err)
	}
	_, err = f.desk.CreateUser(f.asAdmin, desk.NewUser{Email: "avi@example.com", Name: "אבי", Role: kesher.RoleAgent, TimeZone: "Nowhere/Land"})
	wantFields(t, err, map[string]string{"time_zone": "invalid"})
	u, err = f.desk.UpdateUser(f.asAdmin, u.ID, desk.UserUpdate{TimeZone: ptr("Asia/Jerusalem")})
	if err != nil || u.TimeZone != "Asia/Jerusalem" {
		t.Fatalf("UpdateUser with a zone = %+v, %v", u, err)
	}
}

func testCleanup(t *testing.T, f *sessionFixture) {
	short, _ := f.signIn(t, "agent@example.com", agentPassword, false)
	long, _ := f.signIn(t, "admin@example.com", adminPassword, true)
	_, err := f.desk.CleanupSessions(f.asAgent)
	wantCode(t, err, kesher.ECodeForbidden)
	f.clock.Advance(desk.SessionLifetime + time.Hour)
	for _, want := range []int{1, 0} {
		if n, err := f.desk.CleanupSessions(context.Background()); n != want || err != nil {
			t.Errorf("CleanupSessions = %d, %v; want %d", n, err, want)
		}
	}
	if _, err := f.store.SessionByHash(context.Background(), auth.HashToken(short)); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("the expired session is still stored: %v", err)
	}
	f.wantSignedIn(t, long, f.admin)
}

func TestSetup(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		ctx := context.Background()
		d := desk.New(desk.Config{Store: open(t), Clock: testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))})
		if needed, err := d.SetupNeeded(ctx); !needed || err != nil {
			t.Fatalf("SetupNeeded on an empty desk = %v, %v", needed, err)
		}
		in := desk.NewUser{Email: "Ronit@Example.com", Name: "רונית לוי", Role: kesher.RoleAgent}
		_, err := d.SetupFirstAdmin(ctx, in)
		wantFields(t, err, map[string]string{"password": "required"})
		in.Password = "קצר"
		_, err = d.SetupFirstAdmin(ctx, in)
		wantFields(t, err, map[string]string{"password": "too_short"})

		in.Password = "סיסמה-ראשונה-לגמרי"
		u, err := d.SetupFirstAdmin(ctx, in)
		if err != nil || u.Role != kesher.RoleAdmin || u.Email != "ronit@example.com" || u.TimeZone != kesher.DefaultTimeZone || !u.Active {
			t.Fatalf("SetupFirstAdmin = %+v, %v", u, err)
		}
		if needed, err := d.SetupNeeded(ctx); needed || err != nil {
			t.Errorf("SetupNeeded after setup = %v, %v", needed, err)
		}
		if _, _, _, err := d.SignIn(ctx, desk.SignIn{Email: "ronit@example.com", Password: in.Password}); err != nil {
			t.Errorf("the first admin cannot sign in: %v", err)
		}
		_, err = d.SetupFirstAdmin(ctx, desk.NewUser{Email: "intruder@example.com", Name: "פולש", Password: "סיסמה-של-פולש"})
		wantCode(t, err, kesher.ECodeConflict)

		// Setups racing on a fresh desk make one admin.
		d = desk.New(desk.Config{Store: open(t)})
		const n = 5
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = d.SetupFirstAdmin(ctx, desk.NewUser{Email: string(rune('a'+i)) + "@example.com", Name: "מנהל", Password: "סיסמה-ראשונה-לגמרי"})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if kesher.ErrorCode(err) != kesher.ECodeConflict {
				t.Errorf("a racing setup: %v", err)
			}
		}
		if needed, err := d.SetupNeeded(ctx); won != 1 || needed || err != nil {
			t.Errorf("%d racing setups won; want exactly one", won)
		}
	})
}
