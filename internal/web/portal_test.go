package web

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/api"
	"kesher/internal/bus"
	"kesher/internal/desk"
	"kesher/internal/i18n"
	"kesher/internal/testkit"
)

// portalFixture is the UI with a public URL, on a desk with a fake clock,
// a mailbox that can send and two customers: Noa, with a Hebrew email
// conversation that holds an agent's reply, a note, a hand-off briefing and
// an open commitment, and Dan, with a conversation of his own.
type portalFixture struct {
	*fixture
	store            kesher.Store
	clock            *testkit.Clock
	noa, dan         *kesher.Customer
	noaConv, danConv *kesher.Conversation
	due              time.Time
}

const (
	noaNote     = "פנימי: הלקוחה כבר התקשרה פעמיים"
	noaBriefing = "תדריך פנימי: לבדוק מול השליח"
	noaPromise  = "נחזור אלייך עם תשובה מהשליח"
	noaReply    = "שלום נועה, בדקתי מול השליח: החבילה יצאה אתמול."
)

func newPortalFixture(t *testing.T, publicURL string) *portalFixture {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	st := testkit.SQLite(t)
	live := bus.NewLocal()
	d := desk.New(desk.Config{Store: st, Publisher: live, Clock: clock})
	f := &portalFixture{fixture: &fixture{desk: d, live: live, system: context.Background()}, store: st, clock: clock}
	var err error
	if f.web, err = New(Config{Desk: d, Live: live, Clock: clock, PublicURL: publicURL}); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.web)
	t.Cleanup(f.srv.Close)
	f.admin = f.user(t, "admin@example.com", "מנהלת המוקד", kesher.RoleAdmin)
	f.lead = f.user(t, "ronit@example.com", "רונית לוי", kesher.RoleLead)
	f.agent = f.user(t, "dana@example.com", "דנה כהן", kesher.RoleAgent)
	f.agent2 = f.user(t, "yossi@example.com", "Yossi Levi", kesher.RoleAgent)
	if _, err := d.SaveMailbox(f.system, "", desk.MailboxInput{Address: "support@noga.example", Name: "נוגה בית",
		Relay: kesher.RelaySettings{Host: "127.0.0.1", Port: 25, Security: kesher.SecurityNone}}); err != nil {
		t.Fatal(err)
	}
	f.noaConv = f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים ועדיין אין משלוח")
	f.danConv = f.conversation(t, "dan@example.com", "Wrong invoice", "My invoice shows the wrong amount")
	asDana, asYossi := kesher.WithActor(f.system, f.agent), kesher.WithActor(f.system, f.agent2)
	if _, err := d.AddMessage(asDana, f.noaConv.ID, desk.NewMessage{Direction: kesher.Note, BodyText: noaNote}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddMessage(asDana, f.noaConv.ID, desk.NewMessage{BodyText: noaReply}); err != nil {
		t.Fatal(err)
	}
	tags := []string{"vip-internal"}
	if _, err := d.UpdateConversation(asDana, f.noaConv.ID, kesher.ConversationUpdate{Tags: &tags}); err != nil {
		t.Fatal(err)
	}
	to := f.agent2.ID
	if _, err := d.UpdateConversation(asDana, f.noaConv.ID, kesher.ConversationUpdate{OwnerID: &to, Briefing: noaBriefing}); err != nil {
		t.Fatal(err)
	}
	f.due = clock.Now().Add(51 * time.Hour)
	if _, err := d.CreateCommitment(asYossi, f.noaConv.ID, desk.NewCommitment{Text: noaPromise, DueAt: f.due}); err != nil {
		t.Fatal(err)
	}
	f.noa, err = d.Customer(asDana, f.noaConv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if f.dan, err = d.Customer(asDana, f.danConv.CustomerID); err != nil {
		t.Fatal(err)
	}
	return f
}

// link asks for a sign-in link through the portal's form, as a customer
// would, and returns the secret the outbox's job would mail.
func (f *portalFixture) link(t *testing.T, c *client, addr string) string {
	t.Helper()
	c.get("/portal/login")
	if res, _ := c.post("/portal/login", url.Values{"email": {addr}}); res.StatusCode != http.StatusOK {
		t.Fatalf("asking for a link to %s: status %d", addr, res.StatusCode)
	}
	jobs, _, err := f.store.JobsByState(f.system, kesher.JobPending, kesher.Page{Limit: 1})
	if err != nil || len(jobs) == 0 || jobs[0].Kind != desk.JobEmailProof {
		t.Fatalf("no email.proof job after asking for a link: %+v, %v", jobs, err)
	}
	var p desk.EmailProofJob
	if err := json.Unmarshal(jobs[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	out, err := f.desk.IssueEmailProof(f.system, p.ProofID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Write(f.system, func(tx kesher.Tx) error { return tx.FinishJob(f.system, jobs[0].ID, f.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	return out.Token
}

// proofEmails counts the links waiting in the outbox to be mailed.
func (f *portalFixture) proofEmails(t *testing.T) int {
	t.Helper()
	return testkit.PendingJobs(t, f.store, desk.JobEmailProof)
}

// customer returns a browser signed in to the portal with a link of addr.
func (f *portalFixture) customer(t *testing.T, addr string) *client {
	t.Helper()
	c := f.client(t)
	token := f.link(t, c, addr)
	if res, body := c.get("/portal/link?token=" + url.QueryEscape(token)); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="follow-link"`) {
		t.Fatalf("opening the link: status %d", res.StatusCode)
	}
	res, _ := c.post("/portal/link", url.Values{"token": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal" {
		t.Fatalf("following the link: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	c.get("/portal")
	return c
}

// portalSample fills a portal route's wildcards with a request of Noa's.
func (f *portalFixture) portalSample(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	return method, strings.ReplaceAll(path, "{ref}", strconv.FormatInt(f.noaConv.Number, 10))
}

// TestPortalAuthorization walks the portal's routes with each kind of
// session: none and an agent's are asked to sign in to the portal (pages)
// or refused (forms); Noa reaches every route; an agent's session never
// counts as a customer's.
func TestPortalAuthorization(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	anon, agent, noa, dan := f.client(t), f.signedIn(t, f.agent), f.customer(t, "noa@example.com"), f.customer(t, "dan@example.com")
	for _, rt := range portalRoutes {
		method, path := f.portalSample(rt.pattern)
		t.Run(rt.pattern, func(t *testing.T) {
			for name, c := range map[string]*client{"signed out": anon, "agent": agent} {
				var res *http.Response
				if method == http.MethodGet {
					res, _ = c.get(path)
				} else {
					res, _ = c.post(path, url.Values{"csrf": {"forged"}})
					if res.StatusCode != http.StatusForbidden {
						t.Errorf("%s, forged token: status %d, want 403", name, res.StatusCode)
					}
					// With the portal's own form token: past the CSRF
					// check, a form that needs a customer asks for one.
					res, _ = c.post(path, url.Values{"csrf": {c.portalCSRF(t)}})
				}
				switch {
				case rt.access == portalPublic:
				case method == http.MethodGet:
					if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/login" {
						t.Errorf("%s: status %d to %q; want a redirect to /portal/login", name, res.StatusCode, res.Header.Get("Location"))
					}
				default:
					if res.StatusCode != http.StatusUnauthorized {
						t.Errorf("%s: status %d, want 401", name, res.StatusCode)
					}
				}
			}
			if rt.access == portalCustomer && method == http.MethodGet {
				if res, _ := noa.get(path); res.StatusCode != http.StatusOK {
					t.Errorf("Noa: status %d, want 200", res.StatusCode)
				}
			}
			// Dan, signed in, reaches the route, but not Noa's request.
			if rt.access == portalCustomer && strings.Contains(rt.pattern, "{ref}") {
				var res *http.Response
				if method == http.MethodGet {
					res, _ = dan.get(path)
				} else {
					res, _ = dan.post(path, url.Values{"body": {"שלום"}})
				}
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("Dan on Noa's request: status %d, want 404", res.StatusCode)
				}
			}
		})
	}
}

// TestPortalPagesInBothLanguages renders every page of the portal in
// Hebrew, right to left, and in English, left to right, each in its own
// words.
func TestPortalPagesInBothLanguages(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	number := strconv.FormatInt(f.noaConv.Number, 10)
	for _, lang := range []string{"he", "en"} {
		l := i18n.New(lang, nil)
		head := `<html lang="` + lang + `" dir="` + l.Dir() + `">`
		t.Run(lang, func(t *testing.T) {
			f.clock.Advance(16 * time.Minute) // a new window for links
			anon := f.client(t)
			anon.lang = lang
			noa := f.customer(t, "noa@example.com")
			noa.lang = lang
			token := f.link(t, f.client(t), "noa@example.com")
			pages := []struct {
				name string
				c    *client
				do   func(c *client) (*http.Response, string)
				want string
				code int
			}{
				{"sign-in", anon, func(c *client) (*http.Response, string) { return c.get("/portal/login") }, "portal.signin.title", http.StatusOK},
				{"link sent", anon, func(c *client) (*http.Response, string) {
					return c.post("/portal/login", url.Values{"email": {"someone@example.com"}})
				}, "portal.sent.title", http.StatusOK},
				{"link", anon, func(c *client) (*http.Response, string) { return c.get("/portal/link?token=" + url.QueryEscape(token)) },
					"portal.link.submit", http.StatusOK},
				{"spent link", anon, func(c *client) (*http.Response, string) { return c.get("/portal/link?token=kpl_spent") },
					"portal.link.invalid", http.StatusGone},
				{"my requests", noa, func(c *client) (*http.Response, string) { return c.get("/portal") }, "portal.requests.col.updated", http.StatusOK},
				{"a request", noa, func(c *client) (*http.Response, string) { return c.get("/portal/requests/" + number) },
					"portal.request.commitments", http.StatusOK},
				{"new request", noa, func(c *client) (*http.Response, string) { return c.get("/portal/requests/new") }, "portal.new.body", http.StatusOK},
				{"not found", noa, func(c *client) (*http.Response, string) { return c.get("/portal/requests/999999") }, "error.not_found", http.StatusNotFound},
				{"no such page", noa, func(c *client) (*http.Response, string) { return c.get("/portal/nothing-here") }, "portal.error.back", http.StatusNotFound},
			}
			for _, pg := range pages {
				if pg.c == anon {
					pg.c.get("/portal/login")
				}
				res, body := pg.do(pg.c)
				if res.StatusCode != pg.code || !strings.Contains(body, head) || !strings.Contains(body, template.HTMLEscapeString(l.T(pg.want))) {
					t.Errorf("%s: status %d, %v %q; want %d, %s with %q", pg.name, res.StatusCode, strings.Contains(body, head),
						l.T(pg.want), pg.code, head, pg.want)
				}
			}
		})
	}
}

// portalCSRF is the token of the portal's form cookie of a signed-out
// client, read from its sign-in page.
func (c *client) portalCSRF(t *testing.T) string {
	t.Helper()
	c.get("/portal/login")
	return c.csrf
}

// TestPortalSessionsApart: a customer's session opens nothing of the agent
// desk or the API, an agent's nothing of the portal, and the portal's
// cookies are scoped to /portal.
func TestPortalSessionsApart(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	noa := f.customer(t, "noa@example.com")
	srv, _ := url.Parse(f.srv.URL)
	var secret string
	for _, ck := range noa.http.Jar.Cookies(&url.URL{Scheme: "http", Host: srv.Host, Path: "/portal"}) {
		if ck.Name == portalCookie {
			secret = ck.Value
		}
	}
	if !strings.HasPrefix(secret, desk.CustomerSessionPrefix) {
		t.Fatalf("no portal session cookie: %q", secret)
	}
	if cks := noa.http.Jar.Cookies(&url.URL{Scheme: "http", Host: srv.Host, Path: "/inbox"}); len(cks) != 0 {
		t.Errorf("cookies sent outside /portal: %v", cks)
	}
	// The portal secret in the agent desk's cookie, and sent to the API.
	impostor := f.client(t)
	impostor.http.Jar.SetCookies(&url.URL{Scheme: "http", Host: srv.Host, Path: "/"}, []*http.Cookie{{Name: sessionCookie, Value: secret, Path: "/"}})
	if res, _ := impostor.get("/inbox"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("the agent desk with a portal secret: status %d to %q; want sign-in", res.StatusCode, res.Header.Get("Location"))
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/conversations", nil)
	req.AddCookie(&http.Cookie{Name: portalCookie, Value: secret})
	if _, err := f.web.SessionAuthenticator(req); err != api.ErrNoCredentials {
		t.Errorf("the API with a portal cookie: %v, want no credentials", err)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
	if _, err := f.web.SessionAuthenticator(req); kesher.ErrorCode(err) != kesher.ECodeUnauthorized {
		t.Errorf("the API with a portal secret as the session cookie: %v, want unauthorized", err)
	}
	// An agent's secret in the portal's cookie.
	agent := f.signedIn(t, f.agent)
	var agentSecret string
	for _, ck := range agent.http.Jar.Cookies(&url.URL{Scheme: "http", Host: srv.Host, Path: "/"}) {
		if ck.Name == sessionCookie {
			agentSecret = ck.Value
		}
	}
	agent.http.Jar.SetCookies(&url.URL{Scheme: "http", Host: srv.Host, Path: "/portal"}, []*http.Cookie{{Name: portalCookie, Value: agentSecret, Path: "/portal"}})
	if res, _ := agent.get("/portal"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/login" {
		t.Errorf("the portal with an agent's secret: status %d to %q; want the portal's sign-in", res.StatusCode, res.Header.Get("Location"))
	}
	// A browser signed in to both keeps both apart.
	both := f.signedIn(t, f.agent)
	token := f.link(t, both, "noa@example.com")
	both.get("/portal/link?token=" + url.QueryEscape(token))
	both.post("/portal/link", url.Values{"token": {token}})
	if _, body := both.get("/portal"); !strings.Contains(body, "החבילה לא הגיעה") || strings.Contains(body, "Wrong invoice") {
		t.Errorf("the portal of a browser also signed in as an agent does not show Noa's requests only")
	}
	if res, _ := both.get("/inbox"); res.StatusCode != http.StatusOK {
		t.Errorf("the agent desk of a browser also signed in to the portal: %d", res.StatusCode)
	}
}

func portalCookieOf(res *http.Response, name string) *http.Cookie {
	for _, ck := range res.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// TestPortalSignIn: asking for a link answers alike for known and unknown
// addresses, and is limited alike; the link opens a page whose button
// signs in (opening it uses nothing up); the link works once and expires;
// signing out ends the session.
func TestPortalSignIn(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	he := i18n.New("he", nil)
	c := f.client(t)
	res, _ := c.get("/portal")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/login" {
		t.Fatalf("/portal signed out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if form := portalCookieOf(res, portalFormCookie); form == nil || form.Path != "/portal" || !form.HttpOnly || form.SameSite != http.SameSiteStrictMode {
		t.Errorf("the portal's form cookie: %+v", form)
	}
	res, body := c.get("/portal/login")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="he" dir="rtl">`) || !strings.Contains(body, he.T("portal.signin.title")) {
		t.Fatalf("the sign-in page: %d; want Hebrew, RTL", res.StatusCode)
	}
	answer := func(addr string) (int, string) {
		res, body := c.post("/portal/login", url.Values{"email": {addr}})
		return res.StatusCode, strings.ReplaceAll(body, addr, "ADDRESS")
	}
	known, knownBody := answer("Noa@Example.com")
	unknown, unknownBody := answer("stranger@example.com")
	if known != http.StatusOK || unknown != known || knownBody != unknownBody {
		t.Errorf("known address: %d, unknown: %d, same page %v; want the same answer", known, unknown, knownBody == unknownBody)
	}
	if !strings.Contains(knownBody, he.T("portal.sent.title")) {
		t.Errorf("the answer does not say to check the email")
	}
	if n := f.proofEmails(t); n != 1 {
		t.Errorf("%d links queued, want one, for Noa", n)
	}
	if status, body := answer("not an address"); status != http.StatusUnprocessableEntity || !strings.Contains(body, he.T("field.invalid")) {
		t.Errorf("a malformed address: %d", status)
	}
	// Three links per address in 15 minutes, for any address.
	for _, addr := range []string{"noa@example.com", "stranger@example.com"} {
		answer(addr)
		answer(addr)
		if status, body := answer(addr); status != http.StatusTooManyRequests || !strings.Contains(body, he.T("portal.signin.rate_limited")) {
			t.Errorf("%s, fourth request: %d, want 429", addr, status)
		}
	}
	f.clock.Advance(16 * time.Minute)

	c = f.client(t)
	token := f.link(t, c, "noa@example.com")
	for range 2 {
		if res, body := c.get("/portal/link?token=" + url.QueryEscape(token)); res.StatusCode != http.StatusOK || !strings.Contains(body, token) {
			t.Fatalf("opening the link: %d", res.StatusCode)
		}
	}
	res, _ = c.post("/portal/link", url.Values{"token": {token}, "csrf": {"forged"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("following the link with a forged token: %d, want 403", res.StatusCode)
	}
	res, _ = c.post("/portal/link", url.Values{"token": {token}})
	session := portalCookieOf(res, portalCookie)
	if res.StatusCode != http.StatusSeeOther || session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode ||
		session.Path != "/portal" || session.Secure {
		t.Fatalf("following the link: %d, cookie %+v; want HttpOnly, SameSite=Lax, /portal, not Secure over plain HTTP", res.StatusCode, session)
	}
	if res, body := c.get("/portal"); res.StatusCode != http.StatusOK || !strings.Contains(body, "החבילה לא הגיעה") || !strings.Contains(body, f.noa.Name) {
		t.Errorf("Noa's requests after sign-in: %d", res.StatusCode)
	}
	// The link worked once.
	other := f.client(t)
	other.get("/portal/login")
	if res, body := other.get("/portal/link?token=" + url.QueryEscape(token)); res.StatusCode != http.StatusGone || !strings.Contains(body, "data-link-invalid") {
		t.Errorf("a used link: %d, want 410 and the news", res.StatusCode)
	}
	if res, _ := other.post("/portal/link", url.Values{"token": {token}}); res.StatusCode != http.StatusGone || portalCookieOf(res, portalCookie) != nil {
		t.Errorf("following a used link: %d", res.StatusCode)
	}
	// A link expires.
	late := f.link(t, other, "noa@example.com")
	f.clock.Advance(15 * time.Minute)
	if res, _ := other.post("/portal/link", url.Values{"token": {late}}); res.StatusCode != http.StatusGone {
		t.Errorf("following an expired link: %d, want 410", res.StatusCode)
	}
	// Signing out ends the session.
	c.post("/portal/logout", nil)
	if res, _ := c.get("/portal"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("/portal after signing out: %d, want a redirect to sign in", res.StatusCode)
	}
}

// TestPortalSecureCookie: over TLS the session cookie is Secure.
func TestPortalSecureCookie(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	c := f.client(t)
	token := f.link(t, c, "noa@example.com")
	c.get("/portal/link?token=" + url.QueryEscape(token))
	req := httptest.NewRequest(http.MethodPost, "https://noga.example/portal/link", strings.NewReader(url.Values{"token": {token}, "csrf": {c.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range c.http.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(f.srv.URL, "http://"), Path: "/portal"}) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	f.web.ServeHTTP(rec, req)
	if ck := portalCookieOf(rec.Result(), portalCookie); rec.Code != http.StatusSeeOther || ck == nil || !ck.Secure {
		t.Errorf("over TLS: %d, cookie %+v; want Secure", rec.Code, ck)
	}
}

// TestPortalWithoutPublicURL: without a public URL no link can be made,
// and the portal says so instead of promising an email.
func TestPortalWithoutPublicURL(t *testing.T) {
	f := newPortalFixture(t, "")
	c := f.client(t)
	en := i18n.New("en", nil)
	c.lang = "en"
	if res, body := c.get("/portal/login"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, en.T("portal.signin.unavailable")) {
		t.Errorf("the sign-in page: %d", res.StatusCode)
	}
	if res, _ := c.post("/portal/login", url.Values{"email": {"noa@example.com"}}); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("asking for a link: %d, want 503", res.StatusCode)
	}
	if n := f.proofEmails(t); n != 0 {
		t.Errorf("%d links queued, want none", n)
	}
}

// TestPortalRequests: Noa sees her requests and only hers, each with its
// thread as she should see it, in Hebrew and in English; Dan's are not
// found, by number or id, exactly like requests that do not exist, and her
// replies to them write nothing.
func TestPortalRequests(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	he, en := i18n.New("he", nil), i18n.New("en", nil)
	noa, dan := f.customer(t, "noa@example.com"), f.customer(t, "dan@example.com")

	_, body := noa.get("/portal")
	if !strings.Contains(body, "החבילה לא הגיעה") || strings.Contains(body, "Wrong invoice") || !strings.Contains(body, he.T("portal.status.open")) {
		t.Errorf("Noa's list does not show her request alone with its status in her words")
	}
	_, body = dan.get("/portal")
	if !strings.Contains(body, "Wrong invoice") || strings.Contains(body, "החבילה לא הגיעה") {
		t.Errorf("Dan's list does not show his request alone")
	}

	number := strconv.FormatInt(f.noaConv.Number, 10)
	for _, ref := range []string{number, f.noaConv.ID} {
		res, body := noa.get("/portal/requests/" + ref)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `dir="rtl"`) {
			t.Fatalf("Noa's request %s: %d", ref, res.StatusCode)
		}
		for _, want := range []string{"החבילה לא הגיעה", "הזמנתי לפני שבועיים", noaReply, "דנה כהן", noaPromise, he.DateTime(f.due), he.T("portal.request.commitments")} {
			if !strings.Contains(body, want) {
				t.Errorf("Noa's request page lacks %q", want)
			}
		}
		// Nothing meant for agents: notes, briefings, tags, priority,
		// owner fields, internal ids of users.
		for _, secret := range []string{noaNote, noaBriefing, "vip-internal", f.agent2.ID, f.agent.ID, "Yossi Levi", he.T("priority.normal"), "briefing", "owner"} {
			if strings.Contains(body, secret) {
				t.Errorf("Noa's request page shows %q, meant for agents", secret)
			}
		}
	}

	// Someone else's request is as missing as one that does not exist.
	_, missing := noa.get("/portal/requests/999999")
	for _, ref := range []string{strconv.FormatInt(f.danConv.Number, 10), f.danConv.ID} {
		res, body := noa.get("/portal/requests/" + ref)
		if res.StatusCode != http.StatusNotFound || body != missing || strings.Contains(body, "Wrong invoice") {
			t.Errorf("Dan's request %s seen by Noa: %d, same page as a missing one %v", ref, res.StatusCode, body == missing)
		}
		res, _ = noa.post("/portal/requests/"+ref+"/messages", url.Values{"body": {"זו בעצם הבקשה שלי"}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("Noa replying to Dan's request %s: %d, want 404", ref, res.StatusCode)
		}
	}
	ms, _, err := f.desk.Messages(f.system, f.danConv.ID, kesher.Page{})
	if err != nil || len(ms) != 1 {
		t.Errorf("Dan's thread after Noa's refused replies: %d messages, %v; want his one", len(ms), err)
	}

	// In English, for a customer who prefers it.
	dan.lang = "en"
	res, body := dan.get("/portal/requests/" + strconv.FormatInt(f.danConv.Number, 10))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="en" dir="ltr">`) || !strings.Contains(body, en.T("portal.request.reply")) ||
		!strings.Contains(body, en.T("portal.status.open")) {
		t.Errorf("Dan's request in English: %d", res.StatusCode)
	}
}

// TestPortalReply: Noa answers her solved request; it is reopened, her
// message is on the web channel, and an agent's open page hears of it.
func TestPortalReply(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	he := i18n.New("he", nil)
	solved := kesher.StatusSolved
	if _, err := f.desk.UpdateConversation(kesher.WithActor(f.system, f.agent2), f.noaConv.ID, kesher.ConversationUpdate{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	noa := f.customer(t, "noa@example.com")
	number := strconv.FormatInt(f.noaConv.Number, 10)
	_, body := noa.get("/portal/requests/" + number)
	if !strings.Contains(body, he.T("portal.request.reopen_hint")) || !strings.Contains(body, he.T("portal.status.solved")) {
		t.Errorf("a solved request does not say that a reply reopens it")
	}
	yossi := f.signedIn(t, f.agent2)
	events := yossi.stream(t, "/live?c="+f.noaConv.ID)

	res, body := noa.post("/portal/requests/"+number+"/messages", url.Values{"body": {"   "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, he.T("field.required")) {
		t.Errorf("an empty reply: %d, want 422 naming the field", res.StatusCode)
	}
	res, _ = noa.post("/portal/requests/"+number+"/messages", url.Values{"body": {"עדיין לא קיבלתי את החבילה"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/requests/"+number+"?sent=1" {
		t.Fatalf("the reply: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if !waitFor(events, "change", f.noaConv.ID) {
		t.Error("Yossi's page heard nothing of Noa's reply")
	}
	_, body = noa.get("/portal/requests/" + number + "?sent=1")
	if !strings.Contains(body, "עדיין לא קיבלתי את החבילה") || !strings.Contains(body, he.T("portal.request.sent")) || !strings.Contains(body, he.T("portal.status.open")) {
		t.Errorf("the request page after the reply does not show it, reopened")
	}
	c, err := f.desk.Conversation(f.system, f.noaConv.ID)
	if err != nil || c.Status != kesher.StatusOpen {
		t.Errorf("after the reply: %+v, %v; want open", c, err)
	}
	ms, _, err := f.desk.Messages(f.system, f.noaConv.ID, kesher.Page{Limit: kesher.MaxPageLimit})
	if m := ms[len(ms)-1]; err != nil || m.Channel != kesher.ChannelWeb || m.Direction != kesher.Inbound || m.AuthorID != f.noa.ID {
		t.Errorf("the stored reply = %+v, %v; want inbound on the web channel, by Noa", m, err)
	}
	_, body = yossi.get("/conversations/" + f.noaConv.ID)
	if !strings.Contains(body, "עדיין לא קיבלתי את החבילה") {
		t.Errorf("the agent's conversation page does not show Noa's reply")
	}

	closed := kesher.StatusClosed
	if _, err := f.desk.UpdateConversation(kesher.WithActor(f.system, f.agent2), f.noaConv.ID, kesher.ConversationUpdate{Status: &closed}); err != nil {
		t.Fatal(err)
	}
	if _, body := noa.get("/portal/requests/" + number); strings.Contains(body, `id="reply"`) || !strings.Contains(body, he.T("portal.request.closed")) {
		t.Errorf("a closed request still offers a reply")
	}
	if res, _ := noa.post("/portal/requests/"+number+"/messages", url.Values{"body": {"ועוד דבר"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("replying to a closed request: %d, want 409", res.StatusCode)
	}
}

// TestPortalNewRequest: a request started in the portal goes through
// intake on the web channel and opens with its number.
func TestPortalNewRequest(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	he := i18n.New("he", nil)
	noa := f.customer(t, "noa@example.com")
	if res, body := noa.get("/portal/requests/new"); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="new-request"`) {
		t.Fatalf("the new request form: %d", res.StatusCode)
	}
	res, body := noa.post("/portal/requests", url.Values{"subject": {""}, "body": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Count(body, he.T("field.required")) != 2 {
		t.Errorf("an empty request: %d, want 422 naming both fields", res.StatusCode)
	}
	res, _ = noa.post("/portal/requests", url.Values{"subject": {"שינוי כתובת למשלוח"}, "body": {"אני עוברת דירה, אפשר לשלוח לכתובת חדשה?"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/requests/") || !strings.HasSuffix(loc, "?created=1") {
		t.Fatalf("creating a request: %d to %q", res.StatusCode, loc)
	}
	_, body = noa.get(loc)
	number := strings.TrimSuffix(strings.TrimPrefix(loc, "/portal/requests/"), "?created=1")
	if !strings.Contains(body, "שינוי כתובת למשלוח") || !strings.Contains(body, he.T("portal.request.created", "number", number)) {
		t.Errorf("the new request's page does not show it with its number")
	}
	n, _ := strconv.ParseInt(number, 10, 64)
	cs, _, err := f.desk.Conversations(f.system, kesher.ConversationFilter{CustomerID: f.noa.ID})
	if err != nil || len(cs) != 2 || cs[0].Number != n || cs[0].Channel != kesher.ChannelWeb || cs[0].Status != kesher.StatusOpen {
		t.Errorf("Noa's conversations = %+v, %v; want the new one first, open, on the web channel", cs, err)
	}
}

// TestPortalLanguage: the switcher saves the customer's language and the
// portal speaks it; the agent's customer page shows the last sign-in.
func TestPortalLanguage(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	en := i18n.New("en", nil)
	noa := f.customer(t, "noa@example.com")
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/portal/language", strings.NewReader(url.Values{"lang": {"en"}, "csrf": {noa.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", f.srv.URL+"/portal/requests/new")
	if res, _ := noa.do(req); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/requests/new" {
		t.Errorf("switching the language: %d to %q, want back to the page", res.StatusCode, res.Header.Get("Location"))
	}
	// Her browser still asks for Hebrew; her choice wins.
	if _, body := noa.get("/portal"); !strings.Contains(body, `<html lang="en" dir="ltr">`) || !strings.Contains(body, en.T("portal.requests.title")) {
		t.Errorf("after switching to English the portal is not English")
	}
	if c, err := f.desk.Customer(kesher.WithActor(f.system, f.agent), f.noa.ID); err != nil || c.Language != "en" {
		t.Errorf("Noa's language = %q, %v; want en", c.Language, err)
	}
	dana := f.signedIn(t, f.agent)
	if _, body := dana.get("/customers/" + f.noa.ID); !strings.Contains(body, i18n.New("he", nil).T("portal.agent.last_sign_in")) {
		t.Errorf("Noa's customer page does not show her last portal sign-in")
	}
	if _, body := dana.get("/customers/" + f.dan.ID); !strings.Contains(body, i18n.New("he", nil).T("portal.agent.never")) {
		t.Errorf("Dan's customer page does not say he never signed in to the portal")
	}
}

// TestPortalMerge: Dan signed in to the portal, then an agent merged him
// into Noa (one person with two addresses). His session follows the
// merge: the portal shows Noa's requests, his among them.
func TestPortalMerge(t *testing.T) {
	f := newPortalFixture(t, "https://noga.example")
	dan := f.customer(t, "dan@example.com")
	if _, err := f.desk.MergeCustomers(kesher.WithActor(f.system, f.agent), f.dan.ID, f.noa.ID); err != nil {
		t.Fatal(err)
	}
	res, body := dan.get("/portal")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Wrong invoice") || !strings.Contains(body, "החבילה לא הגיעה") {
		t.Errorf("after the merge: %d; want both requests", res.StatusCode)
	}
	if res, _ := dan.get("/portal/requests/" + strconv.FormatInt(f.noaConv.Number, 10)); res.StatusCode != http.StatusOK {
		t.Errorf("the merged customer's request: %d", res.StatusCode)
	}
}
