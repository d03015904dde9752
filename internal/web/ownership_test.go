package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
	"kesher/internal/testkit"
)

// start is a Tuesday, 09:00 in Jerusalem: a working morning.
var start = time.Date(2026, 3, 10, 7, 0, 0, 0, time.UTC)

// clocked is a fixture on a fake clock at start.
func clocked(t *testing.T) (*fixture, *testkit.Clock) {
	t.Helper()
	clock := testkit.NewClock(start)
	return newFixtureAt(t, clock), clock
}

// hourPolicy makes the default policy give every conversation an hour for
// its first response, two for the next and a day for the resolution,
// around the clock.
func (f *fixture) hourPolicy(t *testing.T) {
	t.Helper()
	id := f.defaultPolicy(t)
	_, err := f.desk.SaveSLAPolicy(f.system, id, kesher.SLAPolicy{Name: "ברירת מחדל", Targets: []kesher.SLATarget{{
		FirstResponseSeconds: 3600, NextResponseSeconds: 7200, ResolutionSeconds: 86400}}})
	if err != nil {
		t.Fatal(err)
	}
}

// defaultPolicy returns the id of the policy without a team, which a new
// desk has from the start; "" when there is none.
func (f *fixture) defaultPolicy(t *testing.T) string {
	t.Helper()
	pols, err := f.desk.SLAPolicies(f.system)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pols {
		if p.TeamID == "" {
			return p.ID
		}
	}
	return ""
}

func (f *fixture) fireTimers(t *testing.T) {
	t.Helper()
	if _, err := f.desk.FireDueTimers(f.system); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) setLanguage(t *testing.T, u *kesher.User, lang string) {
	t.Helper()
	if _, err := f.desk.UpdateUser(f.system, u.ID, desk.UserUpdate{Language: &lang}); err != nil {
		t.Fatal(err)
	}
}

var htmlTag = map[string]string{"he": `<html lang="he" dir="rtl">`, "en": `<html lang="en" dir="ltr">`}

// TestOwnershipPages opens each new page as each role in Hebrew and in
// English: the roles the route allows get the page in their language and
// direction, the others the refusal.
func TestOwnershipPages(t *testing.T) {
	f, _ := clocked(t)
	f.hourPolicy(t)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	users := map[kesher.Role]*kesher.User{kesher.RoleAgent: f.agent, kesher.RoleLead: f.lead, kesher.RoleAdmin: f.admin}
	pages := []struct {
		path  string
		need  kesher.Role
		title string // a catalogue key the page shows
	}{
		{"/watchdog", kesher.RoleAgent, "watchdog.kind.unowned"},
		{"/watchdog/unowned", kesher.RoleAgent, "watchdog.hint.unowned"},
		{"/watchdog/commitments_overdue", kesher.RoleAgent, "watchdog.hint.commitments_overdue"},
		{"/notifications", kesher.RoleAgent, "notifications.title"},
		{"/conversations/" + conv.ID, kesher.RoleAgent, "sla.metric.first_response"},
		{"/inbox?view=unassigned", kesher.RoleAgent, "sla.state.ok"},
		{"/load", kesher.RoleLead, "load.title"},
		{"/admin/calendars", kesher.RoleAdmin, "admin.calendar.intro"},
		{"/admin/sla", kesher.RoleAdmin, "admin.sla.intro"},
		{"/admin/assignment", kesher.RoleAdmin, "admin.rule.intro"},
		{"/admin/teams", kesher.RoleAdmin, "admin.team.lead"},
		{"/admin/users", kesher.RoleAdmin, "admin.user.capacity"},
	}
	for _, lang := range []string{"he", "en"} {
		l := i18n.New(lang, nil)
		for _, role := range roles {
			f.setLanguage(t, users[role], lang)
			c := f.signedIn(t, users[role])
			for _, pg := range pages {
				t.Run(lang+"/"+string(role)+pg.path, func(t *testing.T) {
					res, body := c.get(pg.path)
					if !role.AtLeast(pg.need) {
						if res.StatusCode != http.StatusForbidden || !strings.Contains(body, htmlTag[lang]) {
							t.Errorf("status %d, want 403 in %s", res.StatusCode, lang)
						}
						return
					}
					if res.StatusCode != http.StatusOK {
						t.Fatalf("status %d, want 200", res.StatusCode)
					}
					if !strings.Contains(body, htmlTag[lang]) {
						t.Errorf("the page is not %s with its direction", lang)
					}
					if want := l.T(pg.title); !strings.Contains(body, htmlEscape(want)) {
						t.Errorf("the page does not say %q", want)
					}
				})
			}
		}
	}
	if res, _ := f.signedIn(t, f.agent).get("/watchdog/nothing"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown watchdog list: status %d, want 404", res.StatusCode)
	}
}

// htmlEscape is how html/template writes text.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// slaCell is the SLA badge of one inbox row.
func slaCell(body, convID string) string {
	i := strings.Index(body, `data-id="`+convID+`"`)
	if i < 0 {
		return ""
	}
	row := body[i:]
	if j := strings.Index(row, "</a></li>"); j >= 0 {
		row = row[:j]
	}
	m := regexp.MustCompile(`(?s)<span class="sla [a-z]+" data-sla="([a-z]+)".*?</span>.*?</span>`).FindString(row)
	return m
}

// TestInboxSLA follows a conversation's first-response clock through the
// inbox: on time with the time left, at risk past the warning share,
// breached with how late, each with its word as well as its colour.
func TestInboxSLA(t *testing.T) {
	f, clock := clocked(t)
	f.hourPolicy(t)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	he := i18n.New("he", nil)
	c := f.signedIn(t, f.agent)
	steps := []struct {
		advance time.Duration
		state   kesher.SLAState
		time    string
	}{
		{0, kesher.SLAOK, he.T("sla.left", "duration", he.Duration(time.Hour))},
		{50 * time.Minute, kesher.SLAWarning, he.T("sla.left", "duration", he.Duration(10*time.Minute))},
		{40 * time.Minute, kesher.SLABreached, he.T("sla.overdue_by", "duration", he.Duration(30*time.Minute))},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		f.fireTimers(t)
		_, body := c.get("/inbox?view=unassigned")
		cell := slaCell(body, conv.ID)
		if !strings.Contains(cell, `class="sla `+string(st.state)+`"`) || !strings.Contains(cell, he.T("sla.state."+string(st.state))) {
			t.Errorf("after %v: SLA cell %q, want state %s with its label", st.advance, cell, st.state)
		}
		if !strings.Contains(cell, st.time) {
			t.Errorf("after %v: SLA cell %q, want %q", st.advance, cell, st.time)
		}
	}
	_, body := c.get("/conversations/" + conv.ID)
	if !strings.Contains(body, `data-clock="first_response" data-state="breached"`) || !strings.Contains(body, he.T("sla.calendar_time")) {
		t.Errorf("the conversation's SLA panel does not show the breached first response in calendar time")
	}
}

// TestInboxHandoffsAndEscalation checks the row's hand-off badge (a
// warning at three, an alarm from four) and the escalated marker.
func TestInboxHandoffsAndEscalation(t *testing.T) {
	f := newFixture(t)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	owners := []*kesher.User{f.agent, f.agent2, f.agent, f.agent2, f.agent}
	for i, u := range owners {
		id := u.ID
		if _, err := f.desk.UpdateConversation(f.system, conv.ID, kesher.ConversationUpdate{OwnerID: &id, Briefing: "תדריך מספר " + string(rune('1'+i))}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.desk.Conversation(f.system, conv.ID)
		_, body := f.signedIn(t, f.admin).get("/inbox?view=all_open")
		badge := regexp.MustCompile(`<span class="badge handoffs ?([a-z]*)" data-handoffs="(\d+)"`).FindStringSubmatch(body)
		want := map[int]string{3: "warn", 4: "alarm"}[got.HandoffCount]
		if got.HandoffCount >= 4 {
			want = "alarm"
		}
		switch {
		case got.HandoffCount == 0 && badge != nil:
			t.Errorf("no hand-off yet but a badge %q", badge[0])
		case got.HandoffCount > 0 && (badge == nil || badge[1] != want || badge[2] != strings.TrimSpace(i18n.New("he", nil).Number(got.HandoffCount))):
			t.Errorf("%d hand-offs: badge %v, want class %q", got.HandoffCount, badge, want)
		}
	}
	if _, err := f.desk.Escalate(f.system, conv.ID, "הלקוחה מאיימת לעזוב"); err != nil {
		t.Fatal(err)
	}
	if _, body := f.signedIn(t, f.agent).get("/inbox?view=all_open"); !strings.Contains(body, "data-escalated") {
		t.Errorf("the escalated conversation has no marker in the inbox")
	}
}

// TestCommitments adds a commitment from the side panel, refuses one in
// the past and one without a due time (changing nothing), and resolves one
// as kept.
func TestCommitments(t *testing.T) {
	f, clock := clocked(t)
	he := i18n.New("he", nil)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	dana := f.signedIn(t, f.agent)
	dana.fragment("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"note"}, "body": {"בודקת"}})
	path := "/conversations/" + conv.ID + "/commitments"

	res, body := dana.fragment(path, url.Values{"commitment_text": {"לשלוח מספר משלוח"}, "commitment_due": {"2026-03-11T10:00"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(body), `<aside class="side"`) || !strings.Contains(body, "לשלוח מספר משלוח") {
		t.Fatalf("add commitment: status %d; want the side panel listing it", res.StatusCode)
	}
	cs, _, err := f.desk.Commitments(f.system, kesher.CommitmentFilter{ConversationID: conv.ID})
	if err != nil || len(cs) != 1 {
		t.Fatalf("commitments after adding: %d, %v", len(cs), err)
	}
	// 10:00 in Dana's zone, Jerusalem (UTC+2 in March before the change).
	if want := time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC); !cs[0].DueAt.Equal(want) || cs[0].OwnerID != f.agent.ID {
		t.Errorf("commitment due %v owned by %s; want %v, Dana", cs[0].DueAt, cs[0].OwnerID, want)
	}
	if !strings.Contains(body, he.DateTime(cs[0].DueAt)) {
		t.Errorf("the panel does not show the due time %s", he.DateTime(cs[0].DueAt))
	}

	for _, tt := range []struct {
		name, due, field, reason string
	}{
		{"in the past", "2026-03-09T10:00", "commitment_due", "field.in_past"},
		{"no due time", "", "commitment_due", "field.required"},
		{"unreadable", "מחר", "commitment_due", "field.invalid"},
	} {
		res, body := dana.fragment(path, url.Values{"commitment_text": {"להתקשר"}, "commitment_due": {tt.due}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<div class="error" id="`+tt.field+`-error">`+he.T(tt.reason)) {
			t.Errorf("%s: status %d; want 422 with %q beside the due time", tt.name, res.StatusCode, he.T(tt.reason))
		}
		if !strings.Contains(body, ">להתקשר</textarea>") {
			t.Errorf("%s: the refused form lost its text", tt.name)
		}
	}
	if cs, _, _ := f.desk.Commitments(f.system, kesher.CommitmentFilter{ConversationID: conv.ID}); len(cs) != 1 {
		t.Errorf("refused commitments were recorded: %d in all", len(cs))
	}

	// Yossi is neither its owner nor the conversation's: he may not.
	yossi := f.signedIn(t, f.agent2)
	yossi.get("/conversations/" + conv.ID)
	if res, body := yossi.fragment("/commitments/"+cs[0].ID, url.Values{"state": {"kept"}}); res.StatusCode != http.StatusForbidden || !strings.Contains(body, he.T("error.forbidden")) {
		t.Errorf("another agent marking it kept: status %d; want 403 shown in the panel", res.StatusCode)
	}
	clock.Advance(time.Hour)
	res, _ = dana.post("/commitments/"+cs[0].ID, url.Values{"state": {"kept"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/conversations/"+conv.ID {
		t.Errorf("kept: status %d to %q; want back to the conversation", res.StatusCode, res.Header.Get("Location"))
	}
	cs, _, _ = f.desk.Commitments(f.system, kesher.CommitmentFilter{ConversationID: conv.ID})
	if cs[0].State != kesher.CommitmentKept {
		t.Errorf("after kept: state %s", cs[0].State)
	}
	if _, body := dana.get("/conversations/" + conv.ID); !strings.Contains(body, `data-state="kept"`) || strings.Contains(body, "data-commitment-kept") {
		t.Errorf("the kept commitment still offers to be kept")
	}
}

// TestReplyProposesCommitment sends a reply that promises a call back
// tomorrow at 12:00: the page that follows proposes it, recording it lists
// it, and the proposal is not offered again.
func TestReplyProposesCommitment(t *testing.T) {
	f, _ := clocked(t)
	he := i18n.New("he", nil)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	dana := f.signedIn(t, f.agent)
	res, _ := dana.fragment("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"outbound"}, "body": {"אבדוק ואחזור אלייך מחר עד 12:00"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/conversations/"+conv.ID+"?proposals=") {
		t.Fatalf("reply with a promise: status %d to %q; want the conversation with proposals", res.StatusCode, loc)
	}
	msgID := strings.TrimPrefix(loc, "/conversations/"+conv.ID+"?proposals=")
	_, body := dana.get(loc)
	due := time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC) // 12:00 in Jerusalem
	if !strings.Contains(body, `id="proposals"`) || !strings.Contains(body, `value="2026-03-11T12:00"`) {
		t.Fatalf("the page does not propose the commitment due tomorrow 12:00")
	}
	// Someone else opening the same link is offered nothing.
	if _, other := f.signedIn(t, f.agent2).get(loc); strings.Contains(other, `id="proposals"`) {
		t.Errorf("another agent is offered Dana's promise")
	}
	text := regexp.MustCompile(`name="commitment_text" dir="auto" value="([^"]*)"`).FindStringSubmatch(body)
	if text == nil {
		t.Fatal("the proposal has no text")
	}
	res, _ = dana.post("/conversations/"+conv.ID+"/commitments", url.Values{"commitment_text": {text[1]}, "commitment_due": {"2026-03-11T12:00"},
		"message_id": {msgID}, "proposals": {msgID}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != loc {
		t.Fatalf("record: status %d to %q; want back to the proposals", res.StatusCode, res.Header.Get("Location"))
	}
	cs, _, _ := f.desk.Commitments(f.system, kesher.CommitmentFilter{ConversationID: conv.ID})
	if len(cs) != 1 || !cs[0].DueAt.Equal(due) || cs[0].MessageID != msgID {
		t.Fatalf("recorded commitments %+v; want one due %v from the reply", cs, due)
	}
	_, body = dana.get(loc)
	if strings.Contains(body, `data-proposal="definite"`) {
		t.Errorf("the recorded promise is proposed again")
	}
	if !strings.Contains(body, he.DateTime(due)) {
		t.Errorf("the panel does not list the commitment due %s", he.DateTime(due))
	}

	// A reply without a promise goes on as before; a vague one is flagged.
	if res, _ := dana.fragment("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"outbound"}, "body": {"תודה על הסבלנות"}}); res.StatusCode != http.StatusOK {
		t.Errorf("reply without a promise: status %d, want the thread", res.StatusCode)
	}
	res, _ = dana.post("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"outbound"}, "body": {"I'll get back to you soon"}})
	if _, body = dana.get(res.Header.Get("Location")); !strings.Contains(body, `data-proposal="vague"`) {
		t.Errorf("a vague promise is not flagged to name a time")
	}
}

// TestEscalation escalates from the side panel, is refused solving while
// it is open, resolves it, and then solves.
func TestEscalation(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	dana := f.signedIn(t, f.agent)
	dana.get("/conversations/" + conv.ID)
	res, body := dana.fragment("/conversations/"+conv.ID+"/escalation", url.Values{"escalation_reason": {" "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="escalation_reason-error">`+he.T("field.required")) {
		t.Errorf("escalate without a reason: status %d; want 422 beside the reason", res.StatusCode)
	}
	res, body = dana.fragment("/conversations/"+conv.ID+"/escalation", url.Values{"escalation_reason": {"הלקוחה דורשת מנהל"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "data-escalation-open") || !strings.Contains(body, "הלקוחה דורשת מנהל") {
		t.Fatalf("escalate: status %d; want the panel with the open escalation", res.StatusCode)
	}
	if !strings.Contains(body, "מנהלת המוקד") {
		t.Errorf("the escalation panel does not name its owner, the desk's first lead or admin")
	}
	res, body = dana.fragment("/conversations/"+conv.ID+"?part=head", url.Values{"status": {"solved"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, he.T("escalation.blocks_solve")) || !strings.HasPrefix(strings.TrimSpace(body), `<header class="conv-head"`) {
		t.Errorf("solve while escalated: status %d; want 409 with the reason in the head", res.StatusCode)
	}
	if got, _ := f.desk.Conversation(f.system, conv.ID); got.Status != kesher.StatusOpen {
		t.Errorf("the refused solve changed the status to %s", got.Status)
	}
	res, _ = dana.fragment("/conversations/"+conv.ID+"/escalation/resolve", url.Values{"resolution": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("resolve without a note: status %d, want 422", res.StatusCode)
	}
	// Dana is not its owner; the admin who owns it resolves it.
	boss := f.signedIn(t, f.admin)
	boss.get("/conversations/" + conv.ID)
	res, body = boss.fragment("/conversations/"+conv.ID+"/escalation/resolve", url.Values{"resolution": {"זיכוי מלא ללקוחה"}})
	if res.StatusCode != http.StatusOK || strings.Contains(body, "data-escalation-open") {
		t.Fatalf("resolve: status %d; want the panel without an open escalation", res.StatusCode)
	}
	if res, _ := dana.fragment("/conversations/"+conv.ID+"?part=head", url.Values{"status": {"solved"}}); res.StatusCode != http.StatusOK {
		t.Errorf("solve after resolving: status %d", res.StatusCode)
	}
}

// TestHandoffBriefingAndCustomer hands a conversation on three times: the
// new owner sees the latest briefing on top, the customer is told who
// handles the case when asked, and the form warns from the third hand-off.
func TestHandoffBriefingAndCustomer(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	dana, yossi := f.signedIn(t, f.agent), f.signedIn(t, f.agent2)
	dana.fragment("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"outbound"}, "body": {"שלום נועה, בודקת"}})
	res, _ := dana.fragment("/conversations/"+conv.ID+"?part=side", url.Values{"owner_id": {f.agent2.ID}, "briefing": {"מחכה למספר משלוח"}, "tell_customer": {"1"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("hand-off: status %d", res.StatusCode)
	}
	_, body := yossi.get("/conversations/" + conv.ID)
	pinned := regexp.MustCompile(`(?s)<div class="pinned" id="pinned-briefing".*?</div>\s*</div>`).FindString(body)
	if !strings.Contains(pinned, "מחכה למספר משלוח") || !strings.Contains(pinned, "דנה כהן") {
		t.Errorf("Yossi does not see Dana's briefing on top: %q", pinned)
	}
	told := he.T("handoff.tell_customer", "name", "Yossi Levi")
	if !strings.Contains(body, told) {
		t.Errorf("the customer was not told who handles the case now (%q)", told)
	}
	if strings.Contains(body, "data-handoff-warning") {
		t.Errorf("one hand-off already warns")
	}
	yossi.fragment("/conversations/"+conv.ID+"?part=side", url.Values{"owner_id": {f.agent.ID}, "briefing": {"חזרה לדנה"}})
	_, body = dana.get("/conversations/" + conv.ID)
	if pinned := regexp.MustCompile(`(?s)<div class="pinned".*?</div>\s*</div>`).FindString(body); !strings.Contains(pinned, "חזרה לדנה") || strings.Contains(pinned, "מחכה למספר משלוח") {
		t.Errorf("Dana's pinned briefing is not the latest one: %q", pinned)
	}
	if _, body = yossi.get("/conversations/" + conv.ID); strings.Contains(body, "data-handoff-warning") {
		t.Errorf("two hand-offs already warn")
	}
	dana.fragment("/conversations/"+conv.ID+"?part=side", url.Values{"owner_id": {f.agent2.ID}, "briefing": {"שוב ליוסי"}})
	_, body = yossi.get("/conversations/" + conv.ID)
	if !strings.Contains(body, "data-handoff-warning") || !strings.Contains(body, he.N("conv.handoff_warning", 3)) {
		t.Errorf("the hand-off form does not warn after three hand-offs")
	}
	if strings.Contains(body, "{n}") {
		t.Errorf("a plural message shows its placeholder")
	}
}

// TestWatchdog lists an unowned conversation, then an overdue commitment
// once its due time has passed, and counts them in the top bar.
func TestWatchdog(t *testing.T) {
	f, clock := clocked(t)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	dana := f.signedIn(t, f.agent)
	_, body := dana.get("/watchdog")
	if !strings.Contains(body, `<a href="/watchdog/unowned" aria-current="page"`) || !strings.Contains(body, `data-id="`+conv.ID+`"`) {
		t.Errorf("/watchdog does not open on the unowned list with the new conversation")
	}
	nav := regexp.MustCompile(`data-count="watchdog">([^<]*)<`).FindStringSubmatch(body)
	if nav == nil || nav[1] == "" || nav[1] == "0" {
		t.Errorf("the top bar has no watchdog count: %v", nav)
	}
	c, err := f.desk.CreateCommitment(kesher.WithActor(f.system, f.agent), conv.ID, desk.NewCommitment{Text: "לחזור ללקוחה עם מספר משלוח", DueAt: start.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, body = dana.get("/watchdog/commitments_overdue"); strings.Contains(body, `data-commitment="`+c.ID+`"`) {
		t.Errorf("the commitment is overdue before its time")
	}
	clock.Advance(3 * time.Hour)
	_, body = dana.get("/watchdog/commitments_overdue")
	row := regexp.MustCompile(`(?s)<tr data-commitment="` + c.ID + `">.*?</tr>`).FindString(body)
	he := i18n.New("he", nil)
	for _, want := range []string{"לחזור ללקוחה עם מספר משלוח", "החבילה לא הגיעה", he.T("conv.number", "number", "1"), "דנה כהן",
		he.T("commitment.state.overdue"), he.T("sla.overdue_by", "duration", he.Duration(time.Hour))} {
		if !strings.Contains(row, want) {
			t.Errorf("the overdue row does not show %q: %q", want, row)
		}
	}
}

// TestNotifications: an overdue commitment notifies its owner; the top bar
// counts it, the page lists it, and marking all read clears the count.
func TestNotifications(t *testing.T) {
	f, clock := clocked(t)
	he := i18n.New("he", nil)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	if _, err := f.desk.CreateCommitment(kesher.WithActor(f.system, f.agent), conv.ID, desk.NewCommitment{Text: "להתקשר ללקוחה", DueAt: start.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Hour)
	f.fireTimers(t)
	dana := f.signedIn(t, f.agent)
	_, body := dana.get("/notifications")
	if !strings.Contains(body, `data-count="unread">`) || !strings.Contains(body, `data-kind="commitment_overdue"`) || !strings.Contains(body, "להתקשר ללקוחה") {
		t.Fatalf("the notifications page does not list the overdue commitment with an unread count")
	}
	if !strings.Contains(body, he.T("notifications.kind.commitment_overdue")) {
		t.Errorf("the notification's kind is not in words")
	}
	res, _ := dana.post("/notifications/read", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark all read: status %d", res.StatusCode)
	}
	if _, body = dana.get("/notifications"); strings.Contains(body, `data-count="unread"`) || strings.Contains(body, `class="notice unread"`) {
		t.Errorf("after marking all read there are still unread notifications")
	}
}

// TestAgentLoad marks an agent past their capacity as overloaded.
func TestAgentLoad(t *testing.T) {
	f := newFixture(t)
	one := 1
	if _, err := f.desk.UpdateUser(f.system, f.agent.ID, desk.UserUpdate{Capacity: &one}); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"a@example.com", "b@example.com"} {
		conv := f.conversation(t, email, "שאלה", "שלום")
		id := f.agent.ID
		if _, err := f.desk.UpdateConversation(f.system, conv.ID, kesher.ConversationUpdate{OwnerID: &id}); err != nil {
			t.Fatal(err)
		}
	}
	_, body := f.signedIn(t, f.lead).get("/load")
	he := i18n.New("he", nil)
	row := regexp.MustCompile(`(?s)<tr class="overloaded" data-user="` + f.agent.ID + `">.*?</tr>`).FindString(body)
	if !strings.Contains(row, he.T("load.overloaded")) || !strings.Contains(row, he.T("load.open_of", "open", 2, "capacity", 1)) {
		t.Errorf("Dana, two open against a capacity of one, is not shown overloaded: %q", row)
	}
	if strings.Contains(body, `<tr class="overloaded" data-user="`+f.agent2.ID+`"`) {
		t.Errorf("Yossi, with nothing open, is shown overloaded")
	}
}

// TestAdminCalendars creates a calendar from the form's text, refuses
// hours it cannot read and a bad time zone without changing anything, and
// gives a team the calendar and a lead.
func TestAdminCalendars(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	a := f.signedIn(t, f.admin)
	form := func(name, sunday, tz string) url.Values {
		v := url.Values{"name": {name}, "time_zone": {tz}, "holidays": {"1"}, "eve_hours": {"08:00-13:00"},
			"exceptions": {"2026-12-24 closed כנס צוות\n2026-12-31 09:00-13:00"}}
		for i := range 7 {
			v.Set("week_"+string(rune('0'+i)), "08:00-12:00,13:00-17:00")
		}
		v.Set("week_0", sunday)
		v.Set("week_6", "")
		return v
	}
	a.wantSaved(t, "/admin/calendars", form("מוקד ירושלים", "8:00-17:00", "Asia/Jerusalem"), "calendars")
	recs, _, err := f.desk.Calendars(f.system, kesher.Page{Limit: 10})
	if err != nil || len(recs) != 1 {
		t.Fatalf("calendars after saving: %d, %v", len(recs), err)
	}
	_, body := a.get("/admin/calendars")
	for _, want := range []string{"מוקד ירושלים", `value="08:00-17:00"`, `value="08:00-12:00,13:00-17:00"`, "2026-12-24 closed כנס צוות"} {
		if !strings.Contains(body, want) {
			t.Errorf("the calendars page does not show %q", want)
		}
	}
	id := recs[0].ID
	res, body := a.post("/admin/calendars/"+id, form("מוקד ירושלים", "8-17", "Mars/Olympus"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unreadable hours: status %d, want 422", res.StatusCode)
	}
	for _, field := range []string{"week_0", "time_zone"} {
		if !strings.Contains(body, `<div class="error" id="`+field+`-error">`+he.T("field.invalid")) {
			t.Errorf("the refused form does not mark %s", field)
		}
	}
	if !strings.Contains(body, `value="8-17"`) {
		t.Errorf("the refused form lost what was typed")
	}
	a.wantRefused(t, []refusal{
		{"spans overlap", "/admin/calendars/" + id, form("מוקד ירושלים", "08:00-13:00,12:00-17:00", "Asia/Jerusalem"), he.T("field.invalid")},
		{"no name", "/admin/calendars", form(" ", "08:00-17:00", "Asia/Jerusalem"), he.T("field.required")},
		{"bad exception", "/admin/calendars/" + id, func() url.Values {
			v := form("מוקד ירושלים", "08:00-17:00", "Asia/Jerusalem")
			v.Set("exceptions", "24/12 closed")
			return v
		}(), he.T("field.invalid")},
	})
	if rec, _ := f.desk.Calendar(f.system, id); string(rec.Spec) != string(recs[0].Spec) {
		t.Errorf("a refused form changed the calendar: %s", rec.Spec)
	}

	a.wantSaved(t, "/admin/teams", url.Values{"name": {"צוות משלוחים"}, "member_ids": {f.agent.ID}, "lead_id": {f.lead.ID}, "calendar_id": {id}}, "teams")
	teams, _, _ := f.desk.Teams(f.system, kesher.Page{Limit: 10})
	if len(teams) != 1 || teams[0].LeadID != f.lead.ID || teams[0].CalendarID != id {
		t.Fatalf("team after saving: %+v; want Ronit as lead and the calendar", teams)
	}
	a.wantRefused(t, []refusal{
		{"agent as lead", "/admin/teams/" + teams[0].ID, url.Values{"name": {"צוות משלוחים"}, "lead_id": {f.agent.ID}}, he.T("field.invalid")},
	})
	if _, body = a.get("/admin/teams"); !strings.Contains(body, "רונית לוי") || !strings.Contains(body, "מוקד ירושלים") {
		t.Errorf("the teams list does not show the lead and the calendar")
	}
	a.wantSaved(t, "/admin/calendars/"+id+"/delete", nil, "calendars")
}

// TestAdminSLA creates a team's policy from the targets table, edits the
// default one, and refuses a bad warning share, a repeated row and a
// second policy for the team without changing anything.
func TestAdminSLA(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	a := f.signedIn(t, f.admin)
	team, err := f.desk.SaveTeam(f.system, "", desk.TeamInput{Name: "צוות צ׳אט"})
	if err != nil {
		t.Fatal(err)
	}
	row := func(v url.Values, i int, channel, priority, first, next, resolution, unit string, business bool) {
		p := "targets." + string(rune('0'+i)) + "."
		v.Set(p+"channel", channel)
		v.Set(p+"priority", priority)
		v.Set(p+"first", first)
		v.Set(p+"next", next)
		v.Set(p+"resolution", resolution)
		v.Set(p+"unit", unit)
		if business {
			v.Set(p+"business", "1")
		}
	}
	v := url.Values{"name": {"צוות צ׳אט"}, "team_id": {team.ID}, "warn_share": {"80"}}
	row(v, 0, "", "", "240", "480", "2880", "minutes", true)
	row(v, 1, "chat", "", "30", "60", "", "seconds", false)
	row(v, 2, "", "", "", "", "", "minutes", true)
	a.wantSaved(t, "/admin/sla", v, "sla")
	var p *kesher.SLAPolicy
	pols, err := f.desk.SLAPolicies(f.system)
	for _, pol := range pols {
		if pol.TeamID == team.ID {
			p = pol
		}
	}
	if err != nil || p == nil {
		t.Fatalf("no policy for the team after saving: %v", err)
	}
	want := []kesher.SLATarget{{FirstResponseSeconds: 4 * 3600, NextResponseSeconds: 8 * 3600, ResolutionSeconds: 48 * 3600, BusinessHours: true},
		{Channel: kesher.ChannelChat, FirstResponseSeconds: 30, NextResponseSeconds: 60}}
	if p.WarnShare != 0.8 || len(p.Targets) != 2 || p.Targets[0] != want[0] || p.Targets[1] != want[1] {
		t.Fatalf("saved policy %+v; want warn 0.8 and targets %+v", p, want)
	}
	_, body := a.get("/admin/sla")
	if !strings.Contains(body, `name="targets.0.first" type="number" min="0" dir="ltr" class="narrow-input" value="240"`) {
		t.Errorf("the policy's form does not show 240 minutes for the first response")
	}

	if def := f.defaultPolicy(t); def != "" {
		dv := url.Values{"name": {"ברירת מחדל"}, "team_id": {""}, "warn_share": {"75"}}
		row(dv, 0, "", "", "120", "", "", "minutes", true)
		a.wantSaved(t, "/admin/sla/"+def, dv, "sla")
		if got, _ := f.desk.SLAPolicy(f.system, def); len(got.Targets) != 1 || got.Targets[0].FirstResponseSeconds != 7200 {
			t.Errorf("the default policy after editing: %+v", got)
		}
	}

	bad := url.Values{"name": {"צוות צ׳אט"}, "team_id": {team.ID}, "warn_share": {"150"}}
	row(bad, 0, "", "", "60", "", "", "minutes", true)
	dup := url.Values{"name": {"צוות צ׳אט"}, "team_id": {team.ID}}
	row(dup, 0, "email", "", "60", "", "", "minutes", true)
	row(dup, 1, "email", "", "90", "", "", "minutes", true)
	second := url.Values{"name": {"עוד מדיניות"}, "team_id": {team.ID}}
	row(second, 0, "", "", "60", "", "", "minutes", true)
	a.wantRefused(t, []refusal{
		{"warning share", "/admin/sla/" + p.ID, bad, he.T("field.invalid")},
		{"repeated row", "/admin/sla/" + p.ID, dup, he.T("field.duplicate")},
		{"second policy for the team", "/admin/sla", second, he.T("field.taken")},
		{"not a number", "/admin/sla", func() url.Values {
			v := url.Values{"name": {"צ׳אט"}}
			row(v, 0, "", "", "שעה", "", "", "minutes", true)
			return v
		}(), he.T("field.invalid")},
	})
	if _, body := a.post("/admin/sla/"+p.ID, dup); !strings.Contains(body, `<div class="error" id="targets.1.channel-error">`) {
		t.Errorf("the repeated row's error is not on its own row")
	}
	if got, _ := f.desk.SLAPolicy(f.system, p.ID); got.WarnShare != 0.8 || len(got.Targets) != 2 {
		t.Errorf("a refused form changed the policy: %+v", got)
	}
	pols, _ = f.desk.SLAPolicies(f.system)
	n := 0
	for _, pol := range pols {
		if pol.TeamID == team.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("after the refusals the team has %d policies, want 1", n)
	}
}

// TestAdminAssignment creates a rule with its conditions, refuses one
// without a team, and sets a user's capacity.
func TestAdminAssignment(t *testing.T) {
	f := newFixture(t)
	he := i18n.New("he", nil)
	a := f.signedIn(t, f.admin)
	team, err := f.desk.SaveTeam(f.system, "", desk.TeamInput{Name: "צוות משלוחים", MemberIDs: []string{f.agent.ID}})
	if err != nil {
		t.Fatal(err)
	}
	a.wantSaved(t, "/admin/assignment", url.Values{"name": {"וואטסאפ למשלוחים"}, "position": {"2"}, "team_id": {team.ID},
		"strategy": {"round_robin"}, "channels": {"whatsapp", "chat"}, "languages": {"he"}, "priorities": {"urgent"}, "active": {"1"}}, "assignment")
	rules, _ := f.desk.AssignmentRules(f.system)
	if len(rules) != 1 || rules[0].Position != 2 || rules[0].Strategy != kesher.RoundRobin || len(rules[0].Channels) != 2 || !rules[0].Active {
		t.Fatalf("rules after saving: %+v", rules)
	}
	a.wantRefused(t, []refusal{
		{"no team", "/admin/assignment", url.Values{"name": {"בלי צוות"}, "strategy": {"least_loaded"}}, he.T("field.required")},
		{"position", "/admin/assignment/" + rules[0].ID, url.Values{"name": {"x"}, "team_id": {team.ID}, "strategy": {"least_loaded"}, "position": {"ראשון"}}, he.T("field.invalid")},
	})
	if rules, _ := f.desk.AssignmentRules(f.system); len(rules) != 1 || rules[0].Name != "וואטסאפ למשלוחים" {
		t.Errorf("a refused form changed the rules: %+v", rules)
	}
	a.wantSaved(t, "/admin/assignment/"+rules[0].ID, url.Values{"name": {"וואטסאפ למשלוחים"}, "position": {"2"}, "team_id": {team.ID},
		"strategy": {"least_loaded"}}, "assignment")
	if r, _ := f.desk.AssignmentRule(f.system, rules[0].ID); r.Active || r.Strategy != kesher.LeastLoaded || len(r.Channels) != 0 {
		t.Errorf("after editing: %+v; want inactive, least loaded, any channel", r)
	}

	a.wantSaved(t, "/admin/users/"+f.agent.ID, url.Values{"capacity": {"12"}}, "users")
	a.wantRefused(t, []refusal{{"capacity", "/admin/users/" + f.agent.ID, url.Values{"capacity": {"הרבה"}}, he.T("field.invalid")}})
	if u, _ := f.desk.User(f.system, f.agent.ID); u.Capacity != 12 {
		t.Errorf("capacity %d, want 12", u.Capacity)
	}
}
