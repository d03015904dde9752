package web

import (
	"bufio"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// sample fills a route pattern's wildcards so the request reaches the
// handler.
func sample(pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{$}", "")
	return method, regexp.MustCompile(`\{[a-z_]+\}`).ReplaceAllString(path, "x")
}

// TestAuthorization walks the route table: without a session every page
// asks to sign in and every form is refused; below a route's role the
// request is refused (an agent the lead and admin pages, a lead the admin
// pages), and at its role it reaches the handler.
func TestAuthorization(t *testing.T) {
	f := newFixture(t)
	anon := f.client(t)
	agent := f.signedIn(t, f.agent)
	clients := map[kesher.Role]*client{kesher.RoleAgent: agent, kesher.RoleLead: f.signedIn(t, f.lead), kesher.RoleAdmin: f.signedIn(t, f.admin)}
	send := func(c *client, method, path string) *http.Response {
		if method == http.MethodGet {
			res, _ := c.get(path)
			return res
		}
		res, _ := c.post(path, nil)
		return res
	}
	for _, rt := range routes {
		method, path := sample(rt.pattern)
		t.Run(rt.pattern, func(t *testing.T) {
			var res *http.Response
			if method == http.MethodGet {
				res, _ = anon.get(path)
			} else {
				res, _ = anon.post(path, url.Values{"csrf": {"forged"}})
			}
			switch {
			case rt.access == public:
			case method == http.MethodGet:
				if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
					t.Errorf("signed out: status %d, Location %q; want a redirect to /login", res.StatusCode, res.Header.Get("Location"))
				}
			default:
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("signed out, forged token: status %d, want 403", res.StatusCode)
				}
			}
			if rt.access < leadOnly {
				return
			}
			need := map[access]kesher.Role{leadOnly: kesher.RoleLead, admin: kesher.RoleAdmin}[rt.access]
			for _, role := range roles {
				res := send(clients[role], method, path)
				switch {
				case !role.AtLeast(need) && res.StatusCode != http.StatusForbidden:
					t.Errorf("%s: status %d, want 403", role, res.StatusCode)
				case role.AtLeast(need) && res.StatusCode == http.StatusForbidden:
					t.Errorf("%s: status 403, want the route to answer", role)
				}
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים")
	c := f.signedIn(t, f.agent)
	for _, token := range []string{"", "forged"} {
		res, body := c.post("/conversations/"+conv.ID+"/messages", url.Values{"csrf": {token}, "body": {"שלום"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("token %q: status %d, want 403", token, res.StatusCode)
		}
		if !strings.Contains(body, `dir="rtl"`) {
			t.Errorf("token %q: the refusal is not a Hebrew page", token)
		}
	}
	msgs, _, err := f.desk.Messages(f.system, conv.ID, kesher.Page{Limit: 10})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages after refused posts: %d, %v; want only the customer's", len(msgs), err)
	}
}

func TestSignIn(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	res, body := c.get("/login")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Fatalf("sign-in page: %d", res.StatusCode)
	}
	res, body = c.post("/login", url.Values{"email": {f.agent.Email}, "password": {"wrong password"}})
	he := i18n.New("he", nil)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, he.T("login.failed")) {
		t.Errorf("wrong password: status %d; want 401 with the Hebrew message", res.StatusCode)
	}
	for range loginAttempts - 1 {
		c.post("/login", url.Values{"email": {f.agent.Email}, "password": {"wrong password"}})
	}
	res, _ = c.post("/login", url.Values{"email": {f.agent.Email}, "password": {testPassword}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after %d failures the right password: status %d, want 429", loginAttempts, res.StatusCode)
	}

	c = f.client(t)
	c.get("/login")
	res, _ = c.post("/login", url.Values{"email": {f.agent2.Email}, "password": {testPassword}, "remember": {"1"},
		"next": {"https://evil.example/"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/inbox" {
		t.Errorf("sign in with a foreign next: status %d, Location %q; want /inbox", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.MaxAge <= 0 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, persistent with remember me", session)
	}
	res, _ = c.get("/inbox")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("inbox after sign-in: %d", res.StatusCode)
	}
	c.post("/logout", nil)
	if res, _ = c.get("/inbox"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("inbox after sign-out: %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestSetup(t *testing.T) {
	d := desk.New(desk.Config{Store: newStore(t)})
	w, err := New(Config{Desk: d, Live: nil, SetupCode: "SETUP-CODE"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{desk: d, web: w, system: context.Background()}
	f.srv = newServer(t, w)
	c := f.client(t)
	if res, _ := c.get("/login"); res.Header.Get("Location") != "/setup" {
		t.Fatalf("first run: /login goes to %q, want /setup", res.Header.Get("Location"))
	}
	c.get("/setup")
	form := url.Values{"code": {"WRONG"}, "name": {"רונית אדמין"}, "email": {"ronit@example.com"}, "password": {testPassword}}
	if res, _ := c.post("/setup", form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("wrong setup code: status %d, want 422", res.StatusCode)
	}
	if needed, _ := d.SetupNeeded(f.system); !needed {
		t.Fatal("a wrong code created a user")
	}
	form.Set("code", "SETUP-CODE")
	if res, _ := c.post("/setup", form); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/inbox" {
		t.Fatalf("setup: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := c.get("/inbox"); res.StatusCode != http.StatusOK || !strings.Contains(body, "רונית אדמין") {
		t.Errorf("the new admin is not signed in: %d", res.StatusCode)
	}
	other := f.client(t)
	if res, _ := other.get("/setup"); res.Header.Get("Location") != "/login" {
		t.Errorf("setup after the first admin: Location %q, want /login", res.Header.Get("Location"))
	}
}

func TestLanguage(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	c.lang = "en-US,en;q=0.9"
	_, body := c.get("/login")
	if !strings.Contains(body, `<html lang="en" dir="ltr">`) {
		t.Errorf("Accept-Language en: want an English LTR page")
	}
	c.lang = "he-IL"
	_, body = c.get("/login")
	if !strings.Contains(body, `<html lang="he" dir="rtl">`) || !strings.Contains(body, i18n.New("he", nil).T("login.title")) {
		t.Errorf("Accept-Language he: want a Hebrew RTL page")
	}

	a := f.signedIn(t, f.agent)
	a.lang = "he"
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/settings/language", strings.NewReader(url.Values{"lang": {"en"}, "csrf": {a.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", f.srv.URL+"/customers?q=x")
	res, _ := a.do(req)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/customers?q=x" {
		t.Errorf("language switch: status %d to %q, want back to the page", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = a.get("/inbox")
	if !strings.Contains(body, `<html lang="en" dir="ltr">`) {
		t.Errorf("after switching to English the inbox is not English")
	}
	u, err := f.desk.User(f.system, f.agent.ID)
	if err != nil || u.Language != "en" {
		t.Errorf("the user's language preference = %q, %v; want en", u.Language, err)
	}
}

// TestTemplatesUseCatalogue holds the rule that templates carry no literal
// UI text: what is left of a template after removing actions and tags is
// punctuation, and every key a template names exists in both catalogues.
func TestTemplatesUseCatalogue(t *testing.T) {
	action := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tag := regexp.MustCompile(`(?s)<[^>]*>`)
	// Key caps name keys of the keyboard, the same in every language.
	kbd := regexp.MustCompile(`<kbd>[^<]*</kbd>`)
	key := regexp.MustCompile(`\.(?:T|N|HTML) "([a-z0-9_.]+)"`)
	// Language names are written in their own language on purpose.
	allowed := regexp.MustCompile(`^[\s·:#+,()/\-–]*$|^(עברית|English)$`)
	he, en := i18n.New("he", nil), i18n.New("en", nil)
	err := fs.WalkDir(templatesFS, "templates", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := templatesFS.ReadFile(p)
		if err != nil {
			return err
		}
		src := string(b)
		for _, m := range key.FindAllStringSubmatch(src, -1) {
			if !he.Has(m[1]) || !en.Has(m[1]) {
				t.Errorf("%s: key %q is missing from a catalogue", p, m[1])
			}
		}
		text := tag.ReplaceAllString(kbd.ReplaceAllString(action.ReplaceAllString(src, " "), " "), "\n")
		sc := bufio.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); !allowed.MatchString(line) {
				t.Errorf("%s: literal text %q; put it in the catalogue", p, line)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAssets(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for name, as := range a.byName {
		if ext := path.Ext(name); ext == ".css" || ext == ".js" {
			total += len(as.body)
		}
		if !regexp.MustCompile(`^/static/[a-z]+\.[0-9a-f]{8}\.(css|js|svg)$`).MatchString(as.url) {
			t.Errorf("%s is served as %s, want a content-hashed name", name, as.url)
		}
	}
	// The budget: all JavaScript and CSS together within 100 KB.
	if total > 100*1024 {
		t.Errorf("JavaScript and CSS weigh %d bytes, over the 100 KB budget", total)
	}
	css, _ := a.url("app.css")
	for _, gz := range []bool{false, true} {
		req, _ := http.NewRequest(http.MethodGet, css, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip, br")
		}
		rec := newRecorder()
		a.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("gzip %v: status %d, Cache-Control %q", gz, rec.Code, rec.Header().Get("Cache-Control"))
		}
		if got := rec.Header().Get("Content-Encoding") == "gzip"; got != gz {
			t.Errorf("Accept-Encoding gzip %v: Content-Encoding %q", gz, rec.Header().Get("Content-Encoding"))
		}
	}
}

// TestConversationWork is an agent's day in small: the inbox lists a new
// conversation, a reply and a note land in the thread, a hand-off without a
// briefing is refused, with one it moves the conversation, and solving
// moves it to the solved view.
func TestConversationWork(t *testing.T) {
	f := newFixture(t)
	conv := f.conversation(t, "noa@example.com", "החבילה לא הגיעה", "הזמנתי לפני שבועיים ועדיין אין משלוח")
	dana := f.signedIn(t, f.agent)

	_, body := dana.get("/inbox?view=unassigned")
	if !strings.Contains(body, "החבילה לא הגיעה") || !strings.Contains(body, `data-count="unassigned">1<`) {
		t.Fatalf("unassigned view does not list the new conversation with a count of 1")
	}
	res, body := dana.fragment("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"outbound"}, "body": {"שלום נועה, בודקת מול חברת השליחויות."}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "בודקת מול חברת השליחויות") || !strings.HasPrefix(strings.TrimSpace(body), `<ol class="thread"`) {
		t.Fatalf("reply: status %d; want the thread fragment with the reply", res.StatusCode)
	}
	dana.fragment("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"note"}, "body": {"לבדוק מספר משלוח 4471"}})
	_, body = dana.get("/conversations/" + conv.ID)
	if !strings.Contains(body, `class="msg outbound"`) || !strings.Contains(body, `class="msg note"`) || !strings.Contains(body, `class="msg inbound"`) {
		t.Errorf("the thread does not show inbound, outbound and note messages apart")
	}
	res, body = dana.fragment("/conversations/"+conv.ID+"?part=side", url.Values{"body": {""}})
	_ = body
	if res.StatusCode != http.StatusOK {
		t.Errorf("empty side update: %d", res.StatusCode)
	}
	if res, _ = dana.fragment("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"outbound"}, "body": {"  "}}); res.StatusCode != http.StatusUnprocessableEntity || res.Header.Get("X-Fragment-Target") != "#composer" {
		t.Errorf("empty reply: status %d, target %q; want 422 into the composer", res.StatusCode, res.Header.Get("X-Fragment-Target"))
	}

	// Dana owns it now (her reply took it); handing it to Yossi needs a briefing.
	res, body = dana.fragment("/conversations/"+conv.ID+"?part=side", url.Values{"owner_id": {f.agent2.ID}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, i18n.New("he", nil).T("field.required")) {
		t.Errorf("hand-off without briefing: status %d; want 422 naming the briefing", res.StatusCode)
	}
	res, _ = dana.fragment("/conversations/"+conv.ID+"?part=side", url.Values{"owner_id": {f.agent2.ID}, "briefing": {"הלקוחה מחכה למספר משלוח, הבטחתי חזרה עד מחר"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("hand-off with briefing: %d", res.StatusCode)
	}
	got, _ := f.desk.Conversation(f.system, conv.ID)
	if got.OwnerID != f.agent2.ID || got.HandoffCount != 1 {
		t.Errorf("after hand-off: owner %s, hand-offs %d", got.OwnerID, got.HandoffCount)
	}
	yossi := f.signedIn(t, f.agent2)
	_, body = yossi.get("/conversations/" + conv.ID)
	if !strings.Contains(body, "הבטחתי חזרה עד מחר") {
		t.Errorf("the new owner does not see the briefing in the thread")
	}
	yossi.fragment("/conversations/"+conv.ID+"?part=head", url.Values{"status": {"solved"}})
	_, body = yossi.get("/inbox?view=solved")
	if !strings.Contains(body, "החבילה לא הגיעה") {
		t.Errorf("the solved view does not list the solved conversation")
	}
}

// TestLive checks that a page's stream announces a committed reply and
// that two viewers of one conversation see each other.
func TestLive(t *testing.T) {
	f := newFixture(t)
	conv := f.conversation(t, "noa@example.com", "שאלה על חשבונית", "לא קיבלתי חשבונית")
	dana, yossi := f.signedIn(t, f.agent), f.signedIn(t, f.agent2)
	events := dana.stream(t, "/live?c="+conv.ID)
	yossiEvents := yossi.stream(t, "/live?c="+conv.ID)
	if !waitFor(events, "presence", "Yossi Levi") {
		t.Error("Dana's page was not told that Yossi is viewing")
	}
	if !waitFor(yossiEvents, "presence", "דנה כהן") {
		t.Error("Yossi's page was not told that Dana is viewing")
	}
	yossi.fragment("/conversations/"+conv.ID+"/messages", url.Values{"direction": {"outbound"}, "body": {"שלחנו שוב את החשבונית"}})
	if !waitFor(events, "change", conv.ID) {
		t.Error("Dana's page heard nothing of Yossi's reply")
	}
}

type sse struct{ event, data string }

// stream opens a live stream and delivers its events until the test ends.
func (c *client) stream(t *testing.T, path string) <-chan sse {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.f.srv.URL+path, nil)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live stream: status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan sse, 64)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			case line == "" && ev.event != "":
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
				ev = sse{}
			}
		}
	}()
	return out
}

// waitFor reads events until one of kind carries text, for up to 5 s.
func waitFor(events <-chan sse, kind, text string) bool {
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.event == kind && strings.Contains(ev.data, text) {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// TestEventTypesHaveWords: the customer timeline names every event by its
// type's catalogue entry, so each Event… constant of the domain and the
// desk needs "event.<type>" in both languages.
func TestEventTypesHaveWords(t *testing.T) {
	he, en := i18n.New("he", nil), i18n.New("en", nil)
	fset := token.NewFileSet()
	n := 0
	for _, dir := range []string{"../..", "../desk"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, id := range vs.Names {
						lit, ok := valueAt(vs, i).(*ast.BasicLit)
						if !strings.HasPrefix(id.Name, "Event") || !ok || lit.Kind != token.STRING {
							continue
						}
						n++
						key := "event." + strings.Trim(lit.Value, `"`)
						if !he.Has(key) || !en.Has(key) {
							t.Errorf("%s (%s): %q is missing from a catalogue", id.Name, filepath.Base(name), key)
						}
					}
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("found only %d event types; the walk is broken", n)
	}
}

func valueAt(vs *ast.ValueSpec, i int) ast.Expr {
	if i < len(vs.Values) {
		return vs.Values[i]
	}
	return nil
}

// TestSuggestedReason: a conversation without a reason shows the reason
// its text suggests, and why, in the agent's language; one click sets it.
func TestSuggestedReason(t *testing.T) {
	f := newFixture(t)
	for _, r := range []desk.ReasonInput{{Code: "invoice_request", Name: "בקשת חשבונית", Source: kesher.SourceBilling},
		{Code: "late_delivery", Name: "איחור במשלוח", Source: kesher.SourceDelivery}} {
		if _, err := f.desk.SaveReason(f.system, true, r); err != nil {
			t.Fatal(err)
		}
	}
	conv := f.conversation(t, "noa@example.com", "שאלה", "לא קיבלתי את החשבונית על ההזמנה")
	dana := f.signedIn(t, f.agent)
	_, body := dana.get("/conversations/" + conv.ID)
	want := i18n.New("he", nil).T("conv.reason_suggested", "reason", "בקשת חשבונית", "phrase", "החשבונית")
	if !strings.Contains(body, html.EscapeString(want)) || !strings.Contains(body, `name="reason" value="invoice_request"`) {
		t.Fatalf("the page does not suggest the invoice reason with its phrase (%q)", want)
	}
	if res, _ := dana.fragment("/conversations/"+conv.ID+"?part=side", url.Values{"reason": {"invoice_request"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("applying the suggestion: %d", res.StatusCode)
	}
	got, err := f.desk.Conversation(f.system, conv.ID)
	if err != nil || got.Reason != "invoice_request" {
		t.Fatalf("after applying: reason %q, %v", got.Reason, err)
	}
	if _, body = dana.get("/conversations/" + conv.ID); strings.Contains(body, `class="suggested-reason"`) {
		t.Error("a conversation with a reason still shows a suggestion")
	}
}

// TestCustomerMoodFlag: the conversation page says how the customer's
// latest message reads, and why; a calm one shows nothing.
func TestCustomerMoodFlag(t *testing.T) {
	f := newFixture(t)
	angry := f.conversation(t, "noa@example.com", "ההזמנה", "אני ממש לא מרוצה מהשירות, אפנה לעורך דין")
	calm := f.conversation(t, "dan@example.com", "שאלה", "שלום, רציתי לשאול על ההזמנה")
	he := i18n.New("he", nil)
	dana := f.signedIn(t, f.agent)
	_, body := dana.get("/conversations/" + angry.ID)
	for _, want := range []string{he.T("conv.mood.angry"), he.T("conv.mood.threat"), "עורך דין"} {
		if !strings.Contains(body, html.EscapeString(want)) {
			t.Errorf("the angry conversation's page lacks %q", want)
		}
	}
	if _, body = dana.get("/conversations/" + calm.ID); strings.Contains(body, `class="mood"`) {
		t.Error("a calm message is flagged")
	}
}
