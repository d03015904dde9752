package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kesher"
	"kesher/internal/bus"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

const testPassword = "correct horse battery"

// fixture is the UI on a fresh SQLite desk with an admin, a lead and two
// agents, served by httptest.
type fixture struct {
	desk                       *desk.Desk
	web                        *Web
	live                       *bus.Local
	srv                        *httptest.Server
	admin, lead, agent, agent2 *kesher.User
	system                     context.Context
}

func newFixture(t *testing.T) *fixture { return newFixtureAt(t, nil) }

// newFixtureAt is newFixture with the desk and the UI on clock; nil is
// the system clock.
func newFixtureAt(t *testing.T, clock kesher.Clock) *fixture {
	t.Helper()
	live := bus.NewLocal()
	d := desk.New(desk.Config{Store: testkit.SQLite(t), Publisher: live, Clock: clock})
	f := &fixture{desk: d, live: live, system: context.Background()}
	var err error
	f.web, err = New(Config{Desk: d, Live: live, SetupCode: "SETUP-CODE", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.web)
	t.Cleanup(f.srv.Close)
	f.admin = f.user(t, "admin@example.com", "מנהלת המוקד", kesher.RoleAdmin)
	f.lead = f.user(t, "ronit@example.com", "רונית לוי", kesher.RoleLead)
	f.agent = f.user(t, "dana@example.com", "דנה כהן", kesher.RoleAgent)
	f.agent2 = f.user(t, "yossi@example.com", "Yossi Levi", kesher.RoleAgent)
	return f
}

func (f *fixture) user(t *testing.T, email, name string, role kesher.Role) *kesher.User {
	t.Helper()
	u, err := f.desk.CreateUser(f.system, desk.NewUser{Email: email, Name: name, Role: role, Password: testPassword, Language: "he"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// conversation opens a conversation from a customer, as a channel would.
func (f *fixture) conversation(t *testing.T, email, subject, body string) *kesher.Conversation {
	t.Helper()
	c, _, err := f.desk.CreateConversation(f.system, desk.NewConversation{
		Customer: desk.CustomerRef{Email: email, Name: "לקוחה " + email}, Subject: subject, Channel: kesher.ChannelEmail,
		Message: desk.NewMessage{BodyText: body}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// client is one browser: its own cookies and the CSRF token of its last page.
type client struct {
	t    *testing.T
	f    *fixture
	http *http.Client
	csrf string
	lang string
}

func (f *fixture) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, f: f, lang: "he", http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedIn returns a client signed in as u.
func (f *fixture) signedIn(t *testing.T, u *kesher.User) *client {
	t.Helper()
	c := f.client(t)
	c.get("/login")
	res, _ := c.post("/login", url.Values{"email": {u.Email}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", u.Email, res.StatusCode)
	}
	c.get("/inbox")
	return c
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	req.Header.Set("Accept-Language", c.lang)
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if m := csrfMeta.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.f.srv.URL+path, nil)
	return c.do(req)
}

// post sends a form with the client's CSRF token, as the page's form would.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// fragment posts like the page's script does: a background request that
// answers with one fragment.
func (c *client) fragment(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	form.Set("csrf", c.csrf)
	req, _ := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Fragment", "1")
	return c.do(req)
}

func newStore(t *testing.T) kesher.Store { return testkit.SQLite(t) }

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
