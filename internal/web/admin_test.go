package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kesher"
	"kesher/internal/i18n"
)

// refusal is a form the desk refuses: the page comes back with status 422
// and the reason's text next to the field.
type refusal struct {
	name string
	path string
	form url.Values
	want string // text the refused page shows
}

func (c *client) wantRefused(t *testing.T, tests []refusal) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := c.post(tt.path, tt.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("the page does not say %q", tt.want)
			}
		})
	}
}

// wantSaved posts a form and expects the redirect back to the section's
// list.
func (c *client) wantSaved(t *testing.T, path string, form url.Values, section string) {
	t.Helper()
	res, _ := c.post(path, form)
	if want := "/admin/" + section + "?saved=1"; res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("POST %s: status %d to %q, want 303 to %s", path, res.StatusCode, res.Header.Get("Location"), want)
	}
}

func TestAdminPages(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	a := f.signedIn(t, f.admin)
	for _, section := range []string{"users", "teams", "reasons", "tags"} {
		res, body := a.get("/admin/" + section)
		if res.StatusCode != http.StatusOK {
			t.Errorf("/admin/%s: status %d", section, res.StatusCode)
			continue
		}
		if !strings.Contains(body, `<a href="/admin/`+section+`" aria-current="page">`) || !strings.Contains(body, "<h1>"+he.T("admin."+section)+"</h1>") {
			t.Errorf("/admin/%s: the sub-navigation or the heading does not name the section", section)
		}
	}
}

// TestAdminForbidden checks that an agent meets a whole page in the
// agent's language, not a bare status.
func TestAdminForbidden(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	agent := f.signedIn(t, f.agent)
	res, body := agent.get("/admin/users")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", res.StatusCode)
	}
	if !strings.Contains(body, `<html lang="he" dir="rtl">`) || !strings.Contains(body, he.T("error.forbidden")) {
		t.Errorf("the refusal is not the Hebrew error page")
	}
}

func TestAdminCreateUser(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	a := f.signedIn(t, f.admin)
	newUser := func(email, password string) url.Values {
		return url.Values{"name": {"רחל אברהם"}, "email": {email}, "role": {"lead"}, "password": {password}, "language": {"he"}}
	}
	a.wantSaved(t, "/admin/users", newUser("rachel@example.com", testPassword), "users")
	_, body := a.get("/admin/users?saved=1")
	if !strings.Contains(body, "רחל אברהם") || !strings.Contains(body, he.T("admin.saved")) {
		t.Errorf("the list does not show the new user with the saved notice")
	}
	f.signedIn(t, &kesher.User{Email: "rachel@example.com"})

	a.wantRefused(t, []refusal{
		{"email taken", "/admin/users", newUser(f.agent.Email, testPassword), he.T("field.taken")},
		{"short password", "/admin/users", newUser("short@example.com", "קצרה"), he.T("field.too_short")},
		{"invalid role", "/admin/users", url.Values{"name": {"עמית"}, "email": {"amit@example.com"}, "role": {"owner"},
			"password": {testPassword}}, he.T("field.invalid")},
	})
	_, body = a.post("/admin/users", newUser("short@example.com", "קצרה"))
	if !strings.Contains(body, `value="short@example.com"`) || !strings.Contains(body, `value="רחל אברהם"`) {
		t.Errorf("the refused form lost what was typed")
	}
	if strings.Contains(body, "קצרה") {
		t.Errorf("the refused form shows the password again")
	}
}

func TestAdminManageUser(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	a := f.signedIn(t, f.admin)
	dana := f.signedIn(t, f.agent)
	path := "/admin/users/" + f.agent.ID

	a.wantSaved(t, path, url.Values{"role": {"lead"}}, "users")
	if u, _ := f.desk.User(f.system, f.agent.ID); u.Role != kesher.RoleLead {
		t.Errorf("role after the change: %s, want lead", u.Role)
	}

	a.wantSaved(t, path, url.Values{"active": {"false"}}, "users")
	if res, _ := dana.get("/inbox"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("deactivated user's session: status %d to %q, want a redirect to /login", res.StatusCode, res.Header.Get("Location"))
	}
	u, _ := f.desk.User(f.system, f.agent.ID)
	if u.Active || u.Role != kesher.RoleLead {
		t.Errorf("after deactivating: active %v, role %s; want inactive, role kept", u.Active, u.Role)
	}
	a.wantSaved(t, path, url.Values{"active": {"true"}}, "users")
	f.signedIn(t, f.agent)

	a.wantRefused(t, []refusal{
		{"deactivate oneself", "/admin/users/" + f.admin.ID, url.Values{"active": {"false"}}, he.T("field.self")},
		{"unknown role", path, url.Values{"role": {"owner"}}, he.T("field.invalid")},
		{"short password", path + "/password", url.Values{"password": {"קצרה"}}, he.T("field.too_short")},
	})

	yossi := f.signedIn(t, f.agent2)
	const reset = "סיסמה חדשה לגמרי"
	a.wantSaved(t, "/admin/users/"+f.agent2.ID+"/password", url.Values{"password": {reset}}, "users")
	if res, _ := yossi.get("/inbox"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a session from before the reset still works: status %d", res.StatusCode)
	}
	for _, tt := range []struct {
		password string
		status   int
	}{{testPassword, http.StatusUnauthorized}, {reset, http.StatusSeeOther}} {
		c := f.client(t)
		c.get("/login")
		if res, _ := c.post("/login", url.Values{"email": {f.agent2.Email}, "password": {tt.password}}); res.StatusCode != tt.status {
			t.Errorf("sign in with %q after the reset: status %d, want %d", tt.password, res.StatusCode, tt.status)
		}
	}
}

func TestAdminTeams(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	a := f.signedIn(t, f.admin)
	a.wantSaved(t, "/admin/teams", url.Values{"name": {"צוות חיוב"}, "member_ids": {f.agent.ID, f.agent2.ID}}, "teams")
	teams, _, err := f.desk.Teams(f.system, kesher.Page{Limit: 10})
	if err != nil || len(teams) != 1 || teams[0].Name != "צוות חיוב" || len(teams[0].MemberIDs) != 2 {
		t.Fatalf("after creating: %+v, %v; want one team with two members", teams, err)
	}
	id := teams[0].ID
	if _, body := a.get("/admin/teams"); !strings.Contains(body, "צוות חיוב") || !strings.Contains(body, "דנה כהן") {
		t.Errorf("the list does not show the team and its members")
	}

	a.wantSaved(t, "/admin/teams/"+id, url.Values{"name": {"צוות גבייה"}, "member_ids": {f.agent2.ID}}, "teams")
	team, err := f.desk.Team(f.system, id)
	if err != nil || team.Name != "צוות גבייה" || len(team.MemberIDs) != 1 || team.MemberIDs[0] != f.agent2.ID {
		t.Errorf("after editing: %+v, %v; want renamed with Yossi alone", team, err)
	}

	a.wantRefused(t, []refusal{
		{"no name", "/admin/teams", url.Values{"name": {" "}}, he.T("field.invalid")},
		{"unknown member", "/admin/teams/" + id, url.Values{"name": {"צוות גבייה"}, "member_ids": {"nobody"}}, he.T("field.unknown")},
	})

	a.wantSaved(t, "/admin/teams/"+id+"/delete", nil, "teams")
	if _, err := f.desk.Team(f.system, id); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("the deleted team: %v, want not found", err)
	}
}

func TestAdminReasons(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	a := f.signedIn(t, f.admin)
	a.wantSaved(t, "/admin/reasons", url.Values{"code": {"late-delivery"}, "name": {"משלוח מתעכב"}, "source": {"delivery"}}, "reasons")
	if _, body := a.get("/admin/reasons"); !strings.Contains(body, "משלוח מתעכב") || !strings.Contains(body, he.T("source.delivery")) {
		t.Errorf("the list does not show the reason with its translated source")
	}

	a.wantSaved(t, "/admin/reasons/late-delivery", url.Values{"name": {"עיכוב במשלוח"}, "source": {"store"}}, "reasons")
	a.wantSaved(t, "/admin/reasons/late-delivery", url.Values{"active": {"false"}}, "reasons")
	r, err := f.desk.Reason(f.system, "late-delivery")
	if err != nil || r.Name != "עיכוב במשלוח" || r.Source != kesher.SourceStore || r.Active {
		t.Errorf("after editing and deactivating: %+v, %v", r, err)
	}

	a.wantRefused(t, []refusal{
		{"code in Hebrew", "/admin/reasons", url.Values{"code": {"משלוח"}, "name": {"משלוח"}, "source": {"delivery"}}, he.T("field.invalid")},
		{"code taken", "/admin/reasons", url.Values{"code": {"late-delivery"}, "name": {"כפול"}, "source": {"other"}}, he.T("field.taken")},
		{"unknown source", "/admin/reasons/late-delivery", url.Values{"source": {"weather"}}, he.T("field.invalid")},
	})
}

func TestAdminTags(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	tag := func(conv *kesher.Conversation, tags ...string) {
		t.Helper()
		if _, err := f.desk.UpdateConversation(f.system, conv.ID, kesher.ConversationUpdate{Tags: &tags}); err != nil {
			t.Fatal(err)
		}
	}
	tag(f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים"), "משלוח", "משלוחים", "vip")
	tag(f.conversation(t, "avi@example.com", "איפה ההזמנה?", "עבר שבוע"), "משלוחים")
	a := f.signedIn(t, f.admin)
	if _, body := a.get("/admin/tags"); !strings.Contains(body, he.N("admin.tag.count", 2)) {
		t.Errorf("the list does not count two conversations for משלוחים")
	}

	a.wantSaved(t, "/admin/tags/rename", url.Values{"from": {"משלוחים"}, "to": {"משלוח"}}, "tags")
	counts := func() map[string]int {
		tags, err := f.desk.Tags(f.system)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, tc := range tags {
			m[tc.Tag] = tc.Count
		}
		return m
	}
	if got := counts(); len(got) != 2 || got["משלוח"] != 2 || got["vip"] != 1 {
		t.Errorf("after merging משלוחים into משלוח: %v", got)
	}
	if _, body := a.get("/admin/tags"); strings.Contains(body, "משלוחים") || !strings.Contains(body, he.N("admin.tag.count", 2)) {
		t.Errorf("the list after the merge does not show the merged count alone")
	}

	a.wantRefused(t, []refusal{
		{"same name", "/admin/tags/rename", url.Values{"from": {"vip"}, "to": {"VIP"}}, he.T("field.same")},
		{"empty name", "/admin/tags/rename", url.Values{"from": {"vip"}, "to": {" "}}, he.T("field.invalid")},
	})

	a.wantSaved(t, "/admin/tags/delete", url.Values{"tag": {"משלוח"}}, "tags")
	if got := counts(); len(got) != 1 || got["vip"] != 1 {
		t.Errorf("after deleting משלוח: %v", got)
	}
}
