package api

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// authTarget returns a request path and body for one cell of the matrix;
// n is unique per cell, so a cell that deletes or merges gets its own
// resources.
type authTarget func(t *testing.T, f *fixture, n int) (path, body string)

// authRow is the least role a route serves; public routes serve everyone.
type authRow struct {
	min    kesher.Role
	public bool
	target authTarget
}

func fixed(path, body string) authTarget {
	return func(*testing.T, *fixture, int) (string, string) { return path, body }
}

// authMatrix has one row per route of the table in routes.go.
var authMatrix = map[string]authRow{
	"GET /openapi.json": {public: true, target: fixed("/openapi.json", "")},

	"POST /customers": {min: kesher.RoleAgent, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/customers", fmt.Sprintf(`{"name": "לקוח %d"}`, n)
	}},
	"GET /customers":        {min: kesher.RoleAgent, target: fixed("/customers?q=dana", "")},
	"GET /search":           {min: kesher.RoleAgent, target: fixed("/search?q=%D7%94%D7%96%D7%9E%D7%A0%D7%94&type=message", "")},
	"GET /customers/{id}":   {min: kesher.RoleAgent, target: fixed("/customers/{cust}", "")},
	"PATCH /customers/{id}": {min: kesher.RoleAgent, target: fixed("/customers/{cust}", `{"note": "VIP"}`)},
	"POST /customers/{id}/identities": {min: kesher.RoleAgent, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/customers/{cust}/identities", fmt.Sprintf(`{"kind": "email", "value": "extra%d@example.com"}`, n)
	}},
	"DELETE /customers/{id}/identities/{identity_id}": {min: kesher.RoleAgent, target: func(t *testing.T, f *fixture, n int) (string, string) {
		c := f.systemCustomer(t, fmt.Sprintf("gone%d@example.com", n))
		return "/customers/" + c.ID + "/identities/" + c.Identities[0].ID, ""
	}},
	"POST /customers/{id}/merge": {min: kesher.RoleAgent, target: func(t *testing.T, f *fixture, n int) (string, string) {
		a, b := f.systemCustomer(t, fmt.Sprintf("a%d@example.com", n)), f.systemCustomer(t, fmt.Sprintf("b%d@example.com", n))
		return "/customers/" + a.ID + "/merge", `{"customer_id": "` + b.ID + `"}`
	}},
	"GET /customers/{id}/timeline": {min: kesher.RoleAgent, target: fixed("/customers/{cust}/timeline", "")},

	"POST /conversations":               {min: kesher.RoleAgent, target: fixed("/conversations", `{"customer": {"email": "dana@example.com"}, "channel": "email", "message": {"body_text": "שלום"}}`)},
	"GET /conversations":                {min: kesher.RoleAgent, target: fixed("/conversations?owner=me,none", "")},
	"GET /conversations/{id}":           {min: kesher.RoleAgent, target: fixed("/conversations/{conv}", "")},
	"PATCH /conversations/{id}":         {min: kesher.RoleAgent, target: fixed("/conversations/{conv}", `{"priority": "high"}`)},
	"GET /conversations/{id}/events":    {min: kesher.RoleAgent, target: fixed("/conversations/{conv}/events", "")},
	"GET /conversations/{id}/messages":  {min: kesher.RoleAgent, target: fixed("/conversations/{conv}/messages", "")},
	"POST /conversations/{id}/messages": {min: kesher.RoleAgent, target: fixed("/conversations/{conv}/messages", `{"direction": "note", "body_text": "הערה"}`)},
	// Another agent's conversation: only leads and admins may reassign it.
	"POST /conversations/{id}/handoff": {min: kesher.RoleLead, target: func(t *testing.T, f *fixture, n int) (string, string) {
		c := f.open("admin", `{"customer": {"email": "dana@example.com"}, "channel": "email", "owner_id": "{agent2}", "message": {"body_text": "x"}}`)
		return "/conversations/" + c.ID + "/handoff", `{"to_user_id": "{lead}", "briefing": "agent2 is away"}`
	}},
	"POST /conversations/{id}/commitments": {min: kesher.RoleAgent, target: fixed("/conversations/{conv}/commitments", `{"text": "אחזור אליך מחר עם תשובה", "due_at": "2026-03-02T09:00:00Z"}`)},
	"GET /conversations/{id}/commitments":  {min: kesher.RoleAgent, target: fixed("/conversations/{conv}/commitments", "")},
	// Each cell escalates a conversation of its own: a second escalation
	// of one conversation is a conflict.
	"POST /conversations/{id}/escalation": {min: kesher.RoleAgent, target: func(t *testing.T, f *fixture, n int) (string, string) {
		c := f.open("admin", fmt.Sprintf(`{"customer": {"email": "esc%d@example.com"}, "channel": "email", "message": {"body_text": "שלום"}}`, n))
		return "/conversations/" + c.ID + "/escalation", `{"reason": "הלקוח כועס מאוד"}`
	}},
	"GET /conversations/{id}/escalation": {min: kesher.RoleAgent, target: fixed("/conversations/{conv}/escalation", "")},
	// An escalation the lead owns: agents may not resolve it.
	"PATCH /conversations/{id}/escalation": {min: kesher.RoleLead, target: func(t *testing.T, f *fixture, n int) (string, string) {
		c := f.open("admin", fmt.Sprintf(`{"customer": {"email": "resolve%d@example.com"}, "channel": "email", "message": {"body_text": "שלום"}}`, n))
		e, err := f.desk.Escalate(kesher.WithActor(context.Background(), f.users["lead"]), c.ID, "בקשה למנהל")
		if err != nil || e.OwnerID != f.users["lead"].ID {
			t.Fatalf("escalate: %+v, %v", e, err)
		}
		return "/conversations/" + c.ID + "/escalation", `{"resolution": "המנהל חזר ללקוח"}`
	}},

	"GET /commitments": {min: kesher.RoleAgent, target: fixed("/commitments?state=overdue&owner=me", "")},
	// agent2's promise on agent2's conversation: only leads and admins may
	// resolve it for them.
	"PATCH /commitments/{id}": {min: kesher.RoleLead, target: func(t *testing.T, f *fixture, n int) (string, string) {
		c := f.open("admin", fmt.Sprintf(`{"customer": {"email": "promise%d@example.com"}, "channel": "email", "owner_id": "{agent2}", "message": {"body_text": "x"}}`, n))
		cm, err := f.desk.CreateCommitment(context.Background(), c.ID, desk.NewCommitment{Text: "אשלח חשבונית", DueAt: f.clock.Now().Add(24 * time.Hour)})
		if err != nil || cm.OwnerID != f.users["agent2"].ID {
			t.Fatalf("commitment: %+v, %v", cm, err)
		}
		return "/commitments/" + cm.ID, `{"state": "kept"}`
	}},
	"POST /commitments/suggest": {min: kesher.RoleAgent, target: fixed("/commitments/suggest", `{"text": "אחזור אליך בעוד שעתיים"}`)},

	// A PBX's integration user needs only the agent role.
	"POST /calls/events": {min: kesher.RoleAgent, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/calls/events", fmt.Sprintf(`{"call_id": "pbx-%d", "type": "ringing", "at": "2026-03-01T08:59:50Z", "from": "050-123-4567", "queue": "תמיכה"}`, n)
	}},
	"GET /calls": {min: kesher.RoleAgent, target: fixed("/calls?missed=true&agent=me&from=2026-03-01", "")},
	"GET /calls/{id}": {min: kesher.RoleAgent, target: func(t *testing.T, f *fixture, n int) (string, string) {
		c, err := f.desk.RecordCallEvent(context.Background(), desk.CallReport{CallID: fmt.Sprintf("get-%d", n), Type: kesher.CallEnded, At: f.clock.Now(), From: "0521112233"})
		if err != nil {
			t.Fatal(err)
		}
		return "/calls/" + c.ID, ""
	}},

	"GET /watchdog":            {min: kesher.RoleAgent, target: fixed("/watchdog", "")},
	"GET /watchdog/{kind}":     {min: kesher.RoleAgent, target: fixed("/watchdog/unowned", "")},
	"GET /agents/load":         {min: kesher.RoleLead, target: fixed("/agents/load", "")},
	"GET /notifications":       {min: kesher.RoleAgent, target: fixed("/notifications?unread=true", "")},
	"POST /notifications/read": {min: kesher.RoleAgent, target: fixed("/notifications/read", `{}`)},

	"POST /users": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/users", fmt.Sprintf(`{"email": "new%d@example.com", "name": "New", "role": "agent"}`, n)
	}},
	"GET /users":      {min: kesher.RoleAgent, target: fixed("/users", "")},
	"GET /users/me":   {min: kesher.RoleAgent, target: fixed("/users/me", "")},
	"GET /users/{id}": {min: kesher.RoleAgent, target: fixed("/users/{agent2}", "")},
	// Someone else's profile and tokens: admins only.
	"PATCH /users/{id}":       {min: kesher.RoleAdmin, target: fixed("/users/{agent2}", `{"availability": "online"}`)},
	"POST /users/{id}/tokens": {min: kesher.RoleAdmin, target: fixed("/users/{agent2}/tokens", `{"name": "ci"}`)},

	"POST /teams":       {min: kesher.RoleAdmin, target: fixed("/teams", `{"name": "צוות"}`)},
	"GET /teams":        {min: kesher.RoleAgent, target: fixed("/teams", "")},
	"GET /teams/{id}":   {min: kesher.RoleAgent, target: fixed("/teams/{team}", "")},
	"PATCH /teams/{id}": {min: kesher.RoleAdmin, target: fixed("/teams/{team}", `{"member_ids": ["{agent}"]}`)},
	"DELETE /teams/{id}": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		team, err := f.desk.SaveTeam(context.Background(), "", desk.TeamInput{Name: fmt.Sprintf("temp %d", n)})
		if err != nil {
			t.Fatal(err)
		}
		return "/teams/" + team.ID, ""
	}},

	"POST /reasons": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/reasons", fmt.Sprintf(`{"code": "r%d", "name": "סיבה", "source": "product"}`, n)
	}},
	"GET /reasons":          {min: kesher.RoleAgent, target: fixed("/reasons", "")},
	"GET /reasons/{code}":   {min: kesher.RoleAgent, target: fixed("/reasons/late-delivery", "")},
	"PATCH /reasons/{code}": {min: kesher.RoleAdmin, target: fixed("/reasons/late-delivery", `{"name": "Late delivery"}`)},

	"POST /mailboxes": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/mailboxes", fmt.Sprintf(`{"address": "support%d@noga.co.il", "name": "נגה תמיכה"}`, n)
	}},
	// Agents list mailboxes (to answer mail) but not their settings.
	"GET /mailboxes":        {min: kesher.RoleAgent, target: fixed("/mailboxes", "")},
	"GET /mailboxes/{id}":   {min: kesher.RoleAdmin, target: fixed("/mailboxes/{mailbox}", "")},
	"PATCH /mailboxes/{id}": {min: kesher.RoleAdmin, target: fixed("/mailboxes/{mailbox}", `{"acknowledge": true}`)},
	"DELETE /mailboxes/{id}": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		m, err := f.desk.SaveMailbox(context.Background(), "", desk.MailboxInput{Address: fmt.Sprintf("temp%d@noga.co.il", n)})
		if err != nil {
			t.Fatal(err)
		}
		return "/mailboxes/" + m.ID, ""
	}},

	"POST /channels": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/channels", fmt.Sprintf(`{"kind": "whatsapp", "name": "נגה %d", "phone_number_id": "1065%d", "token": "t", "app_secret": "s", "verify_token": "v"}`, n, n)
	}},
	"GET /channels":        {min: kesher.RoleAdmin, target: fixed("/channels", "")},
	"GET /channels/{id}":   {min: kesher.RoleAdmin, target: fixed("/channels/{channel}", "")},
	"PATCH /channels/{id}": {min: kesher.RoleAdmin, target: fixed("/channels/{channel}", `{"name": "בוט נגה"}`)},
	"DELETE /channels/{id}": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		a, err := f.desk.SaveChannelAccount(context.Background(), "", desk.ChannelAccountInput{Kind: kesher.ChannelTelegram, Name: "temp", Token: "t", VerifyToken: "v"})
		if err != nil {
			t.Fatal(err)
		}
		return "/channels/" + a.ID, ""
	}},
	"GET /conversations/{id}/whatsapp-window": {min: kesher.RoleAgent, target: fixed("/conversations/{conv}/whatsapp-window", "")},

	"POST /calendars": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/calendars", fmt.Sprintf(`{"name": "לוח %d", "spec": %s}`, n, israeliSpec)
	}},
	"GET /calendars":      {min: kesher.RoleAgent, target: fixed("/calendars", "")},
	"GET /calendars/{id}": {min: kesher.RoleAgent, target: fixed("/calendars/{calendar}", "")},
	"PUT /calendars/{id}": {min: kesher.RoleAdmin, target: fixed("/calendars/{calendar}", `{"name": "שעות משרד", "spec": `+israeliSpec+`}`)},
	"DELETE /calendars/{id}": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		c, err := f.desk.SaveCalendar(context.Background(), "", fmt.Sprintf("temp %d", n), desk.DefaultCalendar())
		if err != nil {
			t.Fatal(err)
		}
		return "/calendars/" + c.ID, ""
	}},

	// A team has one policy, so each cell that creates or deletes one has
	// a team of its own.
	"POST /sla-policies": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		team := f.systemTeam(t, fmt.Sprintf("sla %d", n))
		return "/sla-policies", `{"name": "שירות", "team_id": "` + team.ID + `", "targets": [{"first_response_seconds": 3600}]}`
	}},
	"GET /sla-policies":      {min: kesher.RoleAgent, target: fixed("/sla-policies", "")},
	"GET /sla-policies/{id}": {min: kesher.RoleAgent, target: fixed("/sla-policies/{policy}", "")},
	"PUT /sla-policies/{id}": {min: kesher.RoleAdmin, target: fixed("/sla-policies/{policy}", `{"name": "Billing SLA", "team_id": "{team}", "targets": [{"channel": "email", "first_response_seconds": 7200, "business_hours": true}]}`)},
	"DELETE /sla-policies/{id}": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		team := f.systemTeam(t, fmt.Sprintf("sla gone %d", n))
		p, err := f.desk.SaveSLAPolicy(context.Background(), "", kesher.SLAPolicy{Name: "temp", TeamID: team.ID, Targets: []kesher.SLATarget{{FirstResponseSeconds: 60}}})
		if err != nil {
			t.Fatal(err)
		}
		return "/sla-policies/" + p.ID, ""
	}},

	// The matrix's rules route WhatsApp only, so they leave the email
	// conversations of the other rows alone.
	"POST /assignment-rules":     {min: kesher.RoleAdmin, target: fixed("/assignment-rules", `{"name": "וואטסאפ", "team_id": "{team}", "strategy": "round_robin", "channels": ["whatsapp"]}`)},
	"GET /assignment-rules":      {min: kesher.RoleAgent, target: fixed("/assignment-rules", "")},
	"GET /assignment-rules/{id}": {min: kesher.RoleAgent, target: fixed("/assignment-rules/{rule}", "")},
	"PUT /assignment-rules/{id}": {min: kesher.RoleAdmin, target: fixed("/assignment-rules/{rule}", `{"name": "WhatsApp", "team_id": "{team}", "strategy": "least_loaded", "channels": ["whatsapp"], "languages": ["he"]}`)},
	"DELETE /assignment-rules/{id}": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		r, err := f.desk.SaveAssignmentRule(context.Background(), "", kesher.AssignmentRule{Name: fmt.Sprintf("temp %d", n), TeamID: f.vars["team"], Strategy: kesher.LeastLoaded, Channels: []kesher.Channel{kesher.ChannelWhatsApp}})
		if err != nil {
			t.Fatal(err)
		}
		return "/assignment-rules/" + r.ID, ""
	}},

	// The knowledge base: agents read published articles, categories and
	// sections; leads and admins write them and read drafts, revisions
	// and the help centre's statistics.
	"GET /articles": {min: kesher.RoleAgent, target: fixed("/articles?language=he", "")},
	"POST /articles": {min: kesher.RoleLead, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/articles", fmt.Sprintf(`{"language": "he", "title": "מאמר %d", "body": "גוף", "section_id": "{kbsection}"}`, n)
	}},
	"GET /articles/{id}":   {min: kesher.RoleAgent, target: fixed("/articles/{article}", "")},
	"PATCH /articles/{id}": {min: kesher.RoleLead, target: fixed("/articles/{article}", `{"position": 3}`)},
	"DELETE /articles/{id}": {min: kesher.RoleLead, target: func(t *testing.T, f *fixture, n int) (string, string) {
		return "/articles/" + f.systemArticle(t, fmt.Sprintf("למחיקה %d", n)).ID, ""
	}},
	"GET /articles/{id}/revisions":                   {min: kesher.RoleLead, target: fixed("/articles/{article}/revisions", "")},
	"GET /articles/{id}/revisions/{number}":          {min: kesher.RoleLead, target: fixed("/articles/{article}/revisions/1", "")},
	"POST /articles/{id}/revisions/{number}/restore": {min: kesher.RoleLead, target: fixed("/articles/{article}/revisions/1/restore", `{}`)},
	"GET /article-categories":                        {min: kesher.RoleAgent, target: fixed("/article-categories", "")},
	"POST /article-categories":                       {min: kesher.RoleLead, target: fixed("/article-categories", `{"name": {"he": "משלוחים", "en": "Delivery"}}`)},
	"GET /article-categories/{id}":                   {min: kesher.RoleAgent, target: fixed("/article-categories/{kbcategory}", "")},
	"PATCH /article-categories/{id}":                 {min: kesher.RoleLead, target: fixed("/article-categories/{kbcategory}", `{"position": 2}`)},
	"DELETE /article-categories/{id}": {min: kesher.RoleLead, target: func(t *testing.T, f *fixture, n int) (string, string) {
		c, err := f.desk.SaveArticleCategory(context.Background(), "", desk.CategoryInput{Name: kesher.Names{He: fmt.Sprintf("זמנית %d", n)}})
		if err != nil {
			t.Fatal(err)
		}
		return "/article-categories/" + c.ID, ""
	}},
	"GET /article-sections":        {min: kesher.RoleAgent, target: fixed("/article-sections?category={kbcategory}", "")},
	"POST /article-sections":       {min: kesher.RoleLead, target: fixed("/article-sections", `{"category_id": "{kbcategory}", "name": {"he": "זמני משלוח"}}`)},
	"GET /article-sections/{id}":   {min: kesher.RoleAgent, target: fixed("/article-sections/{kbsection}", "")},
	"PATCH /article-sections/{id}": {min: kesher.RoleLead, target: fixed("/article-sections/{kbsection}", `{"name": {"en": "Policy"}}`)},
	"DELETE /article-sections/{id}": {min: kesher.RoleLead, target: func(t *testing.T, f *fixture, n int) (string, string) {
		s, err := f.desk.SaveArticleSection(context.Background(), "", desk.CategoryInput{CategoryID: f.vars["kbcategory"], Name: kesher.Names{He: fmt.Sprintf("זמני %d", n)}})
		if err != nil {
			t.Fatal(err)
		}
		return "/article-sections/" + s.ID, ""
	}},
	"POST /article-images": {min: kesher.RoleLead, target: fixed("/article-images?name=logo.png", pngImage)},
	"GET /help/stats":      {min: kesher.RoleLead, target: fixed("/help/stats?from=2026-02-01&to=2026-03-02", "")},

	"POST /surveys":     {min: kesher.RoleAdmin, target: fixed("/surveys", `{"name": "סקר צ'אט", "channel": "chat", "questions": [`+surveyQuestion+`]}`)},
	"GET /surveys":      {min: kesher.RoleAdmin, target: fixed("/surveys", "")},
	"GET /surveys/{id}": {min: kesher.RoleAdmin, target: fixed("/surveys/default", "")},
	"PUT /surveys/{id}": {min: kesher.RoleAdmin, target: fixed("/surveys/default", `{"name": "ברירת מחדל", "questions": [`+surveyQuestion+`]}`)},
	"DELETE /surveys/{id}": {min: kesher.RoleAdmin, target: func(t *testing.T, f *fixture, n int) (string, string) {
		team := f.systemTeam(t, fmt.Sprintf("צוות %d", n))
		s, err := f.desk.SaveSurvey(context.Background(), "", desk.SurveyInput{Name: "סקר", TeamID: team.ID,
			Questions: []kesher.SurveyQuestion{{Key: "speed", Kind: kesher.QuestionScale, Text: kesher.Wording{He: "מהירות?", En: "Speed?"}}}})
		if err != nil {
			t.Fatal(err)
		}
		return "/surveys/" + s.ID, ""
	}},
	"GET /survey-responses": {min: kesher.RoleLead, target: fixed("/survey-responses?channel=email&agent=me&from=2026-02-01", "")},
	"GET /survey-results":   {min: kesher.RoleLead, target: fixed("/survey-results?by=team&interval=week", "")},
}

// surveyQuestion is one valid question of a survey, as the API takes it.
const surveyQuestion = `{"key": "speed", "kind": "scale", "text": {"he": "כמה מהר טיפלנו בפנייה?", "en": "How quickly did we handle it?"}}`

// israeliSpec is a valid calendar definition: Sunday to Thursday
// 08:00-17:00, Friday 08:00-13:00, holidays kept.
const israeliSpec = `{"time_zone": "Asia/Jerusalem", "week": [[{"from": "08:00", "to": "17:00"}], [{"from": "08:00", "to": "17:00"}], [{"from": "08:00", "to": "17:00"}], [{"from": "08:00", "to": "17:00"}], [{"from": "08:00", "to": "17:00"}], [{"from": "08:00", "to": "13:00"}], []], "holidays": true, "eve_hours": [{"from": "08:00", "to": "13:00"}], "exceptions": []}`

// TestAuthorisationMatrix calls every route as nobody, a deactivated user
// and each role, and checks who is refused and who is served.
func TestAuthorisationMatrix(t *testing.T) {
	for _, rt := range routes {
		if _, ok := authMatrix[rt.method+" "+rt.path]; !ok {
			t.Errorf("route %s %s has no row in the authorisation matrix", rt.method, rt.path)
		}
	}
	if len(authMatrix) != len(routes) {
		t.Errorf("the matrix has %d rows for %d routes: a row names no route", len(authMatrix), len(routes))
	}

	f := newFixture(t)
	withReason(t, f)
	c := f.open("agent", `{"customer": {"email": "dana@example.com"}, "channel": "email", "message": {"body_text": "שלום"}}`)
	f.vars["conv"], f.vars["cust"] = c.ID, c.CustomerID
	team, err := f.desk.SaveTeam(context.Background(), "", desk.TeamInput{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	f.vars["team"] = team.ID
	mb, err := f.desk.SaveMailbox(context.Background(), "", desk.MailboxInput{Address: "support@noga.co.il", TeamID: team.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.vars["mailbox"] = mb.ID
	bot, err := f.desk.SaveChannelAccount(context.Background(), "", desk.ChannelAccountInput{Kind: kesher.ChannelTelegram, Name: "בוט", Token: "t", VerifyToken: "v"})
	if err != nil {
		t.Fatal(err)
	}
	f.vars["channel"] = bot.ID
	cal, err := f.desk.SaveCalendar(context.Background(), "", "שעות משרד", desk.DefaultCalendar())
	if err != nil {
		t.Fatal(err)
	}
	f.vars["calendar"] = cal.ID
	policy, err := f.desk.SaveSLAPolicy(context.Background(), "", kesher.SLAPolicy{Name: "Billing", TeamID: team.ID, Targets: []kesher.SLATarget{{FirstResponseSeconds: 3600}}})
	if err != nil {
		t.Fatal(err)
	}
	f.vars["policy"] = policy.ID
	rule, err := f.desk.SaveAssignmentRule(context.Background(), "", kesher.AssignmentRule{Name: "WhatsApp", TeamID: team.ID, Strategy: kesher.RoundRobin, Channels: []kesher.Channel{kesher.ChannelWhatsApp}})
	if err != nil {
		t.Fatal(err)
	}
	f.vars["rule"] = rule.ID
	withKnowledge(t, f)

	n := 0
	for _, rt := range routes {
		row := authMatrix[rt.method+" "+rt.path]
		for _, as := range []string{"", "inactive", "agent", "lead", "admin"} {
			n++
			path, body := row.target(t, f, n)
			res := f.do(request{method: rt.method, path: prefix + path, as: as, body: body})
			want := "2xx"
			switch {
			case row.public:
			case as == "" || as == "inactive":
				want = "401"
			case !f.users[as].Role.AtLeast(row.min):
				want = "403"
			}
			if got := statusClass(res.status); got != want {
				t.Errorf("%s %s as %q: status %d, want %s; body %s", rt.method, path, as, res.status, want, res.body)
			}
		}
	}
}

func statusClass(status int) string {
	if status >= 200 && status < 300 {
		return "2xx"
	}
	return fmt.Sprint(status)
}

// systemTeam creates a team as the system.
func (f *fixture) systemTeam(t *testing.T, name string) *kesher.Team {
	t.Helper()
	team, err := f.desk.SaveTeam(context.Background(), "", desk.TeamInput{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return team
}

// systemCustomer creates a customer with one email as the system.
func (f *fixture) systemCustomer(t *testing.T, email string) *kesher.Customer {
	t.Helper()
	c, err := f.desk.CreateCustomer(context.Background(), desk.CustomerRef{Email: email})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
