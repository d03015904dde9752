package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// testMaxBody keeps "too large" bodies small enough to build in a test.
const testMaxBody = 64 << 10

// fixture is the API over a desk on a fresh SQLite database, with a fake
// clock and one signed-in user per role.
type fixture struct {
	t     *testing.T
	desk  *desk.Desk
	store kesher.Store
	clock *testkit.Clock
	srv   *httptest.Server
	// users and tokens by name: admin, lead, agent, agent2 and inactive
	// (an agent deactivated after its token was made).
	users  map[string]*kesher.User
	tokens map[string]string
	// vars are ids made during setup; "{name}" in a request's path and
	// body is replaced by vars[name].
	vars map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	st := testkit.SQLite(t)
	d := desk.New(desk.Config{Store: st, Clock: clock})
	srv := httptest.NewServer(New(Config{Desk: d, MaxBodyBytes: testMaxBody}))
	t.Cleanup(srv.Close)
	f := &fixture{t: t, desk: d, store: st, clock: clock, srv: srv, users: map[string]*kesher.User{}, tokens: map[string]string{}, vars: map[string]string{}}
	for _, u := range []struct {
		name string
		role kesher.Role
	}{{"admin", kesher.RoleAdmin}, {"lead", kesher.RoleLead}, {"agent", kesher.RoleAgent}, {"agent2", kesher.RoleAgent}, {"inactive", kesher.RoleAgent}} {
		user, err := d.CreateUser(context.Background(), desk.NewUser{Email: u.name + "@example.com", Name: u.name, Role: u.role})
		if err != nil {
			t.Fatalf("CreateUser(%s): %v", u.name, err)
		}
		secret, _, err := d.CreateToken(context.Background(), user.ID, "test")
		if err != nil {
			t.Fatalf("CreateToken(%s): %v", u.name, err)
		}
		f.users[u.name], f.tokens[u.name] = user, secret
		f.vars[u.name] = user.ID
	}
	off := false
	if _, err := d.UpdateUser(context.Background(), f.users["inactive"].ID, desk.UserUpdate{Active: &off}); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	return f
}

// request is one HTTP call; as names the user whose token is sent ("" for
// none).
type request struct {
	method, path string
	as           string
	body         string
	header       map[string]string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (f *fixture) expand(s string) string {
	for k, v := range f.vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

func (f *fixture) do(req request) response {
	f.t.Helper()
	var body io.Reader
	if req.body != "" {
		body = strings.NewReader(f.expand(req.body))
	}
	r, err := http.NewRequest(req.method, f.srv.URL+f.expand(req.path), body)
	if err != nil {
		f.t.Fatal(err)
	}
	if req.as != "" {
		r.Header.Set("Authorization", "Bearer "+f.tokens[req.as])
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// must does req and fails the test unless it answers want; it decodes the
// body into out when out is not nil.
func (f *fixture) must(req request, want int, out any) response {
	f.t.Helper()
	res := f.do(req)
	if res.status != want {
		f.t.Fatalf("%s %s: status %d, want %d; body %s", req.method, req.path, res.status, want, res.body)
	}
	if out != nil {
		res.decode(f.t, out)
	}
	return res
}

func (r response) decode(t *testing.T, out any) {
	t.Helper()
	if err := json.Unmarshal(r.body, out); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// conv is the part of a conversation response the tests look at.
type conv struct {
	kesher.Conversation
	Message *kesher.Message `json:"message"`
}

type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// open creates a conversation through the API as user and returns it.
func (f *fixture) open(as, body string) conv {
	f.t.Helper()
	var c conv
	f.must(request{method: "POST", path: "/api/v1/conversations", as: as, body: body}, http.StatusCreated, &c)
	return c
}

// conversation reads a conversation as the system, bypassing the API.
func (f *fixture) conversation(id string) *kesher.Conversation {
	f.t.Helper()
	c, err := f.desk.Conversation(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// countConversations counts every conversation as the system.
func (f *fixture) countConversations() int {
	f.t.Helper()
	n, cursor := 0, ""
	for {
		items, next, err := f.desk.Conversations(context.Background(), kesher.ConversationFilter{Page: kesher.Page{Limit: kesher.MaxPageLimit, Cursor: cursor}})
		if err != nil {
			f.t.Fatal(err)
		}
		n += len(items)
		if next == "" {
			return n
		}
		cursor = next
	}
}

// list fetches one page of a list and returns its items and next cursor.
func list[T any](f *fixture, as, path string) ([]T, string) {
	f.t.Helper()
	var page struct {
		Items      []T     `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	res := f.must(request{method: "GET", path: path, as: as}, http.StatusOK, &page)
	if page.Items == nil || page.NextCursor == nil {
		f.t.Fatalf("GET %s: list envelope incomplete: %s", path, res.body)
	}
	return page.Items, *page.NextCursor
}

func ids(cs []kesher.Conversation) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}
