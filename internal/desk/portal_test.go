package desk_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/auth"
	"kesher/internal/desk"
	"kesher/internal/mail"
	"kesher/internal/testkit"
)

// portalFixture is a desk with small rate limits, a mailbox that can send
// and two customers with Hebrew conversations: Noa (noa@example.com) and
// Dan (dan@example.com).
type portalFixture struct {
	*fixture
	support  *kesher.Mailbox
	noa, dan *kesher.Customer
	// noaConv and danConv are their email conversations.
	noaConv, danConv *kesher.Conversation
	system           context.Context
}

func newPortalFixture(t *testing.T, st kesher.Store) *portalFixture {
	t.Helper()
	f := &portalFixture{fixture: newFixture(t, st), system: context.Background()}
	f.desk = desk.New(desk.Config{Store: st, Clock: f.clock, Portal: desk.PortalConfig{ProofsPerEmail: 3, ProofsPerClient: 5}})
	var err error
	f.support, err = f.desk.SaveMailbox(f.asAdmin, "", desk.MailboxInput{Address: "support@noga.co.il", Name: "נגה תמיכה",
		Relay: kesher.RelaySettings{Host: "smtp.noga.co.il", Port: 587, Security: kesher.SecurityStartTLS}})
	if err != nil {
		t.Fatal(err)
	}
	f.noaConv = f.open(t, desk.CustomerRef{Email: "noa@example.com", Name: "נועה ברק"}, kesher.ChannelEmail, "החבילה לא הגיעה")
	f.danConv = f.open(t, desk.CustomerRef{Email: "dan@example.com", Name: "Dan Levi"}, kesher.ChannelEmail, "החשבונית שגויה")
	f.noa, f.dan = f.customer(t, f.noaConv.CustomerID), f.customer(t, f.danConv.CustomerID)
	return f
}

func (f *portalFixture) customer(t *testing.T, id string) *kesher.Customer {
	t.Helper()
	c, err := f.desk.Customer(f.asAgent, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// proofJobs returns the proof ids of the pending email.proof jobs, oldest
// first.
func (f *portalFixture) proofJobs(t *testing.T) []string {
	t.Helper()
	jobs, _, err := f.store.JobsByState(f.system, kesher.JobPending, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := len(jobs) - 1; i >= 0; i-- {
		if jobs[i].Kind != desk.JobEmailProof {
			continue
		}
		var p desk.EmailProofJob
		if err := json.Unmarshal(jobs[i].Payload, &p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ProofID)
	}
	return ids
}

// link asks for a portal link to addr and returns its secret, as the
// email job would issue it.
func (f *portalFixture) link(t *testing.T, addr string) string {
	t.Helper()
	before := len(f.proofJobs(t))
	if err := f.desk.RequestEmailProof(f.system, desk.EmailProofRequest{Email: addr, Purpose: desk.ProofPortal, Client: "192.0.2.1"}); err != nil {
		t.Fatalf("RequestEmailProof(%s): %v", addr, err)
	}
	ids := f.proofJobs(t)
	if len(ids) != before+1 {
		t.Fatalf("RequestEmailProof(%s) enqueued %d emails, want 1", addr, len(ids)-before)
	}
	out, err := f.desk.IssueEmailProof(f.system, ids[len(ids)-1])
	if err != nil {
		t.Fatalf("IssueEmailProof: %v", err)
	}
	return out.Token
}

// signIn follows a fresh link of addr's and returns the session's secret.
func (f *portalFixture) signIn(t *testing.T, addr string) string {
	t.Helper()
	secret, _, _, err := f.desk.PortalSignIn(f.system, desk.PortalSignIn{Token: f.link(t, addr), UserAgent: "Firefox"})
	if err != nil {
		t.Fatalf("PortalSignIn(%s): %v", addr, err)
	}
	return secret
}

func TestPortal(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *portalFixture)
		}{
			{"a request is answered alike for known and unknown addresses", testProofRequest},
			{"requests are limited per address and per client", testProofRateLimits},
			{"a link works once, for a while, for its purpose", testProofRedeem},
			{"the link goes from the customer's mailbox", testProofMailbox},
			{"portal sessions", testPortalSessions},
			{"a session follows a merge and ends without the address", testPortalSessionMerge},
			{"a customer sees only their own requests", testPortalIsolation},
			{"the thread shows the customer nothing internal", testPortalThread},
			{"a reply reopens the request", testPortalReply},
			{"a new request goes through intake", testPortalNewRequest},
			{"cleanup", testPortalCleanup},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newPortalFixture(t, open(t))) })
		}
	})
}

func testProofRequest(t *testing.T, f *portalFixture) {
	for _, addr := range []string{"Noa@Example.com", "stranger@example.com"} {
		if err := f.desk.RequestEmailProof(f.system, desk.EmailProofRequest{Email: addr, Purpose: desk.ProofPortal, Client: "192.0.2.1"}); err != nil {
			t.Errorf("RequestEmailProof(%s) = %v, want nil", addr, err)
		}
	}
	// Only the customer's address gets an email.
	ids := f.proofJobs(t)
	if len(ids) != 1 {
		t.Fatalf("%d emails enqueued, want 1 (for Noa only)", len(ids))
	}
	p, err := f.store.EmailProof(f.system, ids[0])
	if err != nil || p.Email != "noa@example.com" || p.CustomerID != f.noa.ID || p.TokenHash != nil || p.Purpose != desk.ProofPortal {
		t.Errorf("Noa's proof = %+v, %v; want her address, her id, no link yet", p, err)
	}
	if want := f.clock.Now().Add(15 * time.Minute); !p.ExpiresAt.Equal(want) {
		t.Errorf("the proof expires at %v, want %v (15 minutes)", p.ExpiresAt, want)
	}
	entries, _, err := f.desk.Timeline(f.asAgent, f.noa.ID, kesher.Page{Limit: 10})
	if err != nil || len(entries) == 0 || entries[0].Type != desk.EventEmailProofRequested {
		t.Errorf("Noa's timeline does not start with the request for a link: %v", err)
	}
	for _, in := range []desk.EmailProofRequest{
		{Email: "not an address", Purpose: desk.ProofPortal},
		{Email: "noa@example.com", Purpose: "chat"},
	} {
		err := f.desk.RequestEmailProof(f.system, in)
		wantCode(t, err, kesher.ECodeValidation)
	}
}

func testProofRateLimits(t *testing.T, f *portalFixture) {
	ask := func(addr, client string) error {
		return f.desk.RequestEmailProof(f.system, desk.EmailProofRequest{Email: addr, Purpose: desk.ProofPortal, Client: client})
	}
	// Three per address in 15 minutes, whether or not it is a customer's:
	// the limit itself must not tell known addresses from unknown ones.
	for _, addr := range []string{"noa@example.com", "stranger@example.com"} {
		for i := range 3 {
			if err := ask(addr, "198.51.100."+strconv.Itoa(i)); err != nil {
				t.Fatalf("%s, request %d: %v", addr, i+1, err)
			}
		}
		wantCode(t, ask(addr, "198.51.100.9"), kesher.ECodeRateLimited)
	}
	if n := len(f.proofJobs(t)); n != 3 {
		t.Errorf("%d emails enqueued, want 3: a limited request sends nothing", n)
	}
	f.clock.Advance(15*time.Minute + time.Second)
	if err := ask("noa@example.com", "198.51.100.1"); err != nil {
		t.Errorf("after the window: %v", err)
	}
	// Five per client address, whatever the addresses.
	for i := range 5 {
		if err := ask("person"+strconv.Itoa(i)+"@example.com", "203.0.113.5"); err != nil {
			t.Fatalf("client request %d: %v", i+1, err)
		}
	}
	wantCode(t, ask("dan@example.com", "203.0.113.5"), kesher.ECodeRateLimited)
	if err := ask("dan@example.com", "203.0.113.6"); err != nil {
		t.Errorf("another client: %v", err)
	}
}

func testProofRedeem(t *testing.T, f *portalFixture) {
	token := f.link(t, "noa@example.com")
	if !strings.HasPrefix(token, desk.ProofPrefix) {
		t.Errorf("the link's secret %q does not start with %s", token, desk.ProofPrefix)
	}
	if err := f.desk.CheckEmailProof(f.system, token, desk.ProofPortal); err != nil {
		t.Errorf("CheckEmailProof of a fresh link: %v", err)
	}
	// Another purpose is refused, and the link stays unused.
	_, err := f.desk.RedeemEmailProof(f.system, token, "chat")
	wantCode(t, err, kesher.ECodeUnauthorized)
	p, err := f.desk.RedeemEmailProof(f.system, token, desk.ProofPortal)
	if err != nil || p.Email != "noa@example.com" || p.CustomerID != f.noa.ID || p.UsedAt.IsZero() {
		t.Fatalf("RedeemEmailProof = %+v, %v", p, err)
	}
	// Once only.
	_, err = f.desk.RedeemEmailProof(f.system, token, desk.ProofPortal)
	wantCode(t, err, kesher.ECodeUnauthorized)
	wantCode(t, f.desk.CheckEmailProof(f.system, token, desk.ProofPortal), kesher.ECodeUnauthorized)
	_, _, _, err = f.desk.PortalSignIn(f.system, desk.PortalSignIn{Token: token})
	wantCode(t, err, kesher.ECodeUnauthorized)

	// Expired: a link works 15 minutes after it was asked for.
	late := f.link(t, "noa@example.com")
	f.clock.Advance(15 * time.Minute)
	_, _, _, err = f.desk.PortalSignIn(f.system, desk.PortalSignIn{Token: late})
	wantCode(t, err, kesher.ECodeUnauthorized)
	// An expired proof gets no email when its job runs late.
	f.clock.Advance(-time.Minute)
	if err := f.desk.RequestEmailProof(f.system, desk.EmailProofRequest{Email: "dan@example.com", Purpose: desk.ProofPortal}); err != nil {
		t.Fatal(err)
	}
	ids := f.proofJobs(t)
	f.clock.Advance(16 * time.Minute)
	_, err = f.desk.IssueEmailProof(f.system, ids[len(ids)-1])
	wantCode(t, err, kesher.ECodeConflict)

	// A link of another purpose does not sign in to the portal, and is not
	// used up by trying.
	const chatToken = desk.ProofPrefix + "chat-link-secret"
	now := f.clock.Now()
	chat := &kesher.EmailProof{ID: kesher.NewID(now), Purpose: "chat", Email: "noa@example.com", CustomerID: f.noa.ID,
		CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	err = f.store.Write(f.system, func(tx kesher.Tx) error {
		if err := tx.CreateEmailProof(f.system, chat); err != nil {
			return err
		}
		return tx.IssueEmailProof(f.system, chat.ID, auth.HashToken(chatToken))
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = f.desk.PortalSignIn(f.system, desk.PortalSignIn{Token: chatToken})
	wantCode(t, err, kesher.ECodeUnauthorized)
	if got, err := f.store.EmailProof(f.system, chat.ID); err != nil || !got.UsedAt.IsZero() {
		t.Errorf("the chat proof after a portal sign-in with it: %+v, %v; want unused", got, err)
	}
	if _, err := f.desk.RedeemEmailProof(f.system, chatToken, "chat"); err != nil {
		t.Errorf("the chat link for its own purpose: %v", err)
	}

	// A job that runs again issues a new link: only the latest works.
	if err := f.desk.RequestEmailProof(f.system, desk.EmailProofRequest{Email: "noa@example.com", Purpose: desk.ProofPortal}); err != nil {
		t.Fatal(err)
	}
	ids = f.proofJobs(t)
	first, err := f.desk.IssueEmailProof(f.system, ids[len(ids)-1])
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.desk.IssueEmailProof(f.system, ids[len(ids)-1])
	if err != nil || second.Token == first.Token {
		t.Fatalf("issuing again: %v, same token %v", err, second.Token == first.Token)
	}
	wantCode(t, f.desk.CheckEmailProof(f.system, first.Token, desk.ProofPortal), kesher.ECodeUnauthorized)
	// Two links of one address: using one voids the other.
	other := f.link(t, "noa@example.com")
	if _, err := f.desk.RedeemEmailProof(f.system, second.Token, desk.ProofPortal); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.desk.CheckEmailProof(f.system, other, desk.ProofPortal), kesher.ECodeUnauthorized)
	for _, bad := range []string{"", "kss_x", desk.ProofPrefix + "unknown"} {
		_, err := f.desk.RedeemEmailProof(f.system, bad, desk.ProofPortal)
		wantCode(t, err, kesher.ECodeUnauthorized)
	}
}

func testProofMailbox(t *testing.T, f *portalFixture) {
	issue := func(addr string) (*desk.ProofEmail, error) {
		if err := f.desk.RequestEmailProof(f.system, desk.EmailProofRequest{Email: addr, Purpose: desk.ProofPortal}); err != nil {
			t.Fatal(err)
		}
		ids := f.proofJobs(t)
		return f.desk.IssueEmailProof(f.system, ids[len(ids)-1])
	}
	// Noa's conversation was opened by an agent, not by email: the first
	// mailbox that can send.
	if out, err := issue("noa@example.com"); err != nil || out.Mailbox.ID != f.support.ID || out.Customer.ID != f.noa.ID {
		t.Fatalf("the link's mailbox = %+v, %v; want support", out, err)
	}
	// Rivka wrote to sales: her link goes from sales.
	sales, err := f.desk.SaveMailbox(f.asAdmin, "", desk.MailboxInput{Address: "sales@noga.co.il", Name: "נגה מכירות", SMTP: true,
		Relay: kesher.RelaySettings{Host: "smtp.noga.co.il", Port: 587, Security: kesher.SecurityStartTLS}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := mail.Build(mail.Outgoing{From: mail.Address{Name: "רבקה", Email: "rivka@example.com"}, To: []mail.Address{{Email: "sales@noga.co.il"}},
		Subject: "הצעת מחיר", Text: "אשמח להצעת מחיר", Date: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.IngestEmail(f.system, desk.InboundEmail{Recipients: []string{"sales@noga.co.il"}, Raw: raw, Source: "smtp"}); err != nil {
		t.Fatal(err)
	}
	if out, err := issue("rivka@example.com"); err != nil || out.Mailbox.ID != sales.ID {
		t.Errorf("Rivka's link goes from %+v, %v; want sales", out, err)
	}
	// With no mailbox that can send there is no email to send.
	for _, mb := range []*kesher.Mailbox{f.support, sales} {
		if err := f.desk.DeleteMailbox(f.asAdmin, mb.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, err = issue("dan@example.com")
	wantCode(t, err, kesher.ECodeNotFound)
}

func testPortalSessions(t *testing.T, f *portalFixture) {
	secret, s, c, err := f.desk.PortalSignIn(f.system, desk.PortalSignIn{Token: f.link(t, "noa@example.com"), UserAgent: "Firefox"})
	if err != nil || c.ID != f.noa.ID || s.Email != "noa@example.com" || !strings.HasPrefix(secret, desk.CustomerSessionPrefix) {
		t.Fatalf("PortalSignIn = %q, %+v, %+v, %v", secret, s, c, err)
	}
	if want := f.clock.Now().Add(24 * time.Hour); !s.ExpiresAt.Equal(want) {
		t.Errorf("the session expires at %v, want a day after sign-in", s.ExpiresAt)
	}
	if at, err := f.desk.LastPortalSignIn(f.asAgent, f.noa.ID); err != nil || !at.Equal(f.clock.Now()) {
		t.Errorf("LastPortalSignIn = %v, %v; want now", at, err)
	}
	if at, err := f.desk.LastPortalSignIn(f.asAgent, f.dan.ID); err != nil || !at.IsZero() {
		t.Errorf("Dan never signed in, LastPortalSignIn = %v, %v", at, err)
	}
	got, _, err := f.desk.PortalSession(f.system, secret)
	if err != nil || got.ID != f.noa.ID {
		t.Fatalf("PortalSession = %+v, %v", got, err)
	}
	// A portal session is no agent's session, and the reverse.
	_, _, err = f.desk.SessionUser(f.system, secret)
	wantCode(t, err, kesher.ECodeUnauthorized)
	if err := f.desk.SetPassword(f.asAdmin, desk.PasswordChange{UserID: f.agent.ID, New: "a long passphrase"}); err != nil {
		t.Fatal(err)
	}
	agentSecret, _, _, err := f.desk.SignIn(f.system, desk.SignIn{Email: f.agent.Email, Password: "a long passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.desk.PortalSession(f.system, agentSecret)
	wantCode(t, err, kesher.ECodeUnauthorized)

	// It slides: used within a day it lives on, left alone it ends.
	f.clock.Advance(20 * time.Hour)
	if _, _, err := f.desk.PortalSession(f.system, secret); err != nil {
		t.Fatalf("after 20 h: %v", err)
	}
	f.clock.Advance(20 * time.Hour)
	if _, _, err := f.desk.PortalSession(f.system, secret); err != nil {
		t.Fatalf("20 h after the last use: %v", err)
	}
	f.clock.Advance(24 * time.Hour)
	_, _, err = f.desk.PortalSession(f.system, secret)
	wantCode(t, err, kesher.ECodeUnauthorized)

	// Signing out ends it; twice is no error.
	secret = f.signIn(t, "noa@example.com")
	for range 2 {
		if err := f.desk.PortalSignOut(f.system, secret); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = f.desk.PortalSession(f.system, secret)
	wantCode(t, err, kesher.ECodeUnauthorized)
	for _, bad := range []string{"", "kps_unknown", "ksr_token"} {
		_, _, err := f.desk.PortalSession(f.system, bad)
		wantCode(t, err, kesher.ECodeUnauthorized)
	}
}

// testPortalSessionMerge: Noa's old address was a customer of its own
// until an agent merged it into Noa. Her session of the old address
// follows the merge and sees all her requests; once the address is
// removed from her, the session ends.
func testPortalSessionMerge(t *testing.T, f *portalFixture) {
	oldConv := f.open(t, desk.CustomerRef{Email: "noa.old@example.com", Name: "נועה (ישן)"}, kesher.ChannelPhone, "שאלה על אחריות")
	old := oldConv.CustomerID
	secret := f.signIn(t, "noa.old@example.com")
	c, _, err := f.desk.PortalSession(f.system, secret)
	if err != nil || c.ID != old {
		t.Fatalf("before the merge: %+v, %v", c, err)
	}
	if _, err := f.desk.MergeCustomers(f.asAgent, old, f.noa.ID); err != nil {
		t.Fatal(err)
	}
	c, _, err = f.desk.PortalSession(f.system, secret)
	if err != nil || c.ID != f.noa.ID {
		t.Fatalf("after the merge the session's customer = %+v, %v; want Noa", c, err)
	}
	reqs, _, err := f.desk.PortalRequests(f.system, c.ID, kesher.Page{})
	if err != nil || len(reqs) != 2 || reqs[0].ID != oldConv.ID || reqs[1].ID != f.noaConv.ID {
		t.Errorf("Noa's requests after the merge = %+v, %v; want both, newest first", reqs, err)
	}
	// A link to the old address signs in as Noa now, too.
	if _, _, c, err := f.desk.PortalSignIn(f.system, desk.PortalSignIn{Token: f.link(t, "noa.old@example.com")}); err != nil || c.ID != f.noa.ID {
		t.Errorf("signing in with the old address after the merge: %+v, %v", c, err)
	}
	noa := f.customer(t, f.noa.ID)
	for _, id := range noa.Identities {
		if id.Value == "noa.old@example.com" {
			if err := f.desk.RemoveIdentity(f.asAgent, noa.ID, id.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, _, err = f.desk.PortalSession(f.system, secret)
	wantCode(t, err, kesher.ECodeUnauthorized)
}

func testPortalIsolation(t *testing.T, f *portalFixture) {
	for _, ref := range []string{f.noaConv.ID, strconv.FormatInt(f.noaConv.Number, 10)} {
		r, err := f.desk.PortalRequest(f.system, f.noa.ID, ref)
		if err != nil || r.Conversation.ID != f.noaConv.ID {
			t.Errorf("Noa's own request %s: %+v, %v", ref, r, err)
		}
	}
	missing := func(ref string) string {
		_, err := f.desk.PortalRequest(f.system, f.noa.ID, ref)
		wantCode(t, err, kesher.ECodeNotFound)
		return strings.Replace(err.Error(), ref, "REF", 1)
	}
	// Dan's request, by id or number, is as missing as one that does not
	// exist: the same code and the same message.
	nothing := missing("999999")
	for _, ref := range []string{f.danConv.ID, strconv.FormatInt(f.danConv.Number, 10)} {
		if got := missing(ref); got != nothing {
			t.Errorf("Dan's request %s: %q, unlike a missing one: %q", ref, got, nothing)
		}
	}
	missing("")
	missing("-1")
	_, err := f.desk.PortalRequest(f.system, "", f.noaConv.ID)
	wantCode(t, err, kesher.ECodeNotFound)
	_, _, err = f.desk.PortalRequests(f.system, "", kesher.Page{})
	wantCode(t, err, kesher.ECodeUnauthorized)

	// Replying to Dan's request writes nothing.
	before := eventTypes(t, f.fixture, f.danConv.ID)
	for _, ref := range []string{f.danConv.ID, strconv.FormatInt(f.danConv.Number, 10)} {
		_, err := f.desk.PortalReply(f.system, f.noa.ID, ref, "זו בעצם הבקשה שלי")
		wantCode(t, err, kesher.ECodeNotFound)
	}
	if after := eventTypes(t, f.fixture, f.danConv.ID); len(after) != len(before) {
		t.Errorf("Dan's conversation has %d events after Noa's refused replies, had %d", len(after), len(before))
	}
	ms, _, err := f.desk.Messages(f.asAgent, f.danConv.ID, kesher.Page{})
	if err != nil || len(ms) != 1 {
		t.Errorf("Dan's thread has %d messages, %v; want his one", len(ms), err)
	}
	reqs, _, err := f.desk.PortalRequests(f.system, f.noa.ID, kesher.Page{})
	if err != nil || len(reqs) != 1 || reqs[0].ID != f.noaConv.ID {
		t.Errorf("Noa's requests = %+v, %v; want hers only", reqs, err)
	}
}

func testPortalThread(t *testing.T, f *portalFixture) {
	c := f.noaConv
	if _, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Direction: kesher.Note, BodyText: "פנימי: הלקוחה כבר התקשרה פעמיים"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Direction: kesher.Outbound, Channel: kesher.ChannelPhone,
		BodyText: "שלום נועה, אבדוק מול השליח ואחזור אלייך ביום חמישי עד 12:00"}); err != nil {
		t.Fatal(err)
	}
	due := f.clock.Now().Add(48 * time.Hour)
	if _, err := f.desk.CreateCommitment(f.asAgent, c.ID, desk.NewCommitment{Text: "לחזור לנועה עם תשובה מהשליח", DueAt: due}); err != nil {
		t.Fatal(err)
	}
	kept, err := f.desk.CreateCommitment(f.asAgent, c.ID, desk.NewCommitment{Text: "לשלוח מספר משלוח", DueAt: f.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.ResolveCommitment(f.asAgent, kept.ID, kesher.CommitmentKept); err != nil {
		t.Fatal(err)
	}
	r, err := f.desk.PortalRequest(f.system, f.noa.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Messages) != 2 {
		t.Fatalf("the portal thread has %d messages, want the customer's and the reply, not the note: %+v", len(r.Messages), r.Messages)
	}
	if m := r.Messages[0]; m.From != desk.FromCustomer || m.BodyText != "החבילה לא הגיעה" {
		t.Errorf("first message = %+v; want Noa's", m)
	}
	if m := r.Messages[1]; m.From != desk.FromAgent || m.Author != f.agent.Name || !strings.Contains(m.BodyText, "ביום חמישי") {
		t.Errorf("second message = %+v; want the agent's reply with the agent's name", m)
	}
	for _, m := range r.Messages {
		if strings.Contains(m.BodyText, "פנימי") {
			t.Errorf("the internal note shows in the portal: %+v", m)
		}
	}
	if len(r.Commitments) != 1 || r.Commitments[0].Text != "לחזור לנועה עם תשובה מהשליח" || !r.Commitments[0].DueAt.Equal(due) || r.Commitments[0].Late {
		t.Errorf("commitments = %+v; want the open one only, not late", r.Commitments)
	}
	f.clock.Advance(49 * time.Hour)
	if r, err := f.desk.PortalRequest(f.system, f.noa.ID, c.ID); err != nil || len(r.Commitments) != 1 || !r.Commitments[0].Late {
		t.Errorf("after its due time the commitment = %+v, %v; want late", r, err)
	}
}

func testPortalReply(t *testing.T, f *portalFixture) {
	solved := kesher.StatusSolved
	if _, err := f.desk.UpdateConversation(f.asAgent, f.noaConv.ID, kesher.ConversationUpdate{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	m, err := f.desk.PortalReply(f.system, f.noa.ID, strconv.FormatInt(f.noaConv.Number, 10), "עדיין לא קיבלתי את החבילה")
	if err != nil {
		t.Fatal(err)
	}
	if m.Direction != kesher.Inbound || m.Channel != kesher.ChannelWeb || m.AuthorType != kesher.AuthorCustomer || m.AuthorID != f.noa.ID {
		t.Errorf("the reply = %+v; want inbound on the web channel by Noa", m)
	}
	c, err := f.desk.Conversation(f.asAgent, f.noaConv.ID)
	if err != nil || c.Status != kesher.StatusOpen || c.ReopenCount != 1 || c.WaitingSince.IsZero() {
		t.Errorf("after the reply the conversation = %+v, %v; want reopened and waiting on the desk", c, err)
	}
	types := eventTypes(t, f.fixture, c.ID)
	if !contains(types, kesher.EventConversationUpdated) || types[len(types)-1] != kesher.EventMessageAdded {
		t.Errorf("events = %v; want the reopening and the message", types)
	}
	for _, body := range []string{"", "   ", strings.Repeat("א", kesher.MaxBodyText)} {
		_, err := f.desk.PortalReply(f.system, f.noa.ID, c.ID, body)
		wantCode(t, err, kesher.ECodeValidation)
	}
	closed := kesher.StatusClosed
	if _, err := f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{Status: &closed}); err != nil {
		t.Fatal(err)
	}
	_, err = f.desk.PortalReply(f.system, f.noa.ID, c.ID, "ועוד משהו")
	wantCode(t, err, kesher.ECodeConflict)
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func testPortalNewRequest(t *testing.T, f *portalFixture) {
	c, err := f.desk.PortalNewRequest(f.system, f.noa.ID, "  שינוי כתובת למשלוח  ", "אני עוברת דירה, אפשר לשלוח לכתובת חדשה?")
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != kesher.ChannelWeb || c.CustomerID != f.noa.ID || c.Subject != "שינוי כתובת למשלוח" || c.Status != kesher.StatusOpen {
		t.Errorf("the new request = %+v", c)
	}
	r, err := f.desk.PortalRequest(f.system, f.noa.ID, c.ID)
	if err != nil || len(r.Messages) != 1 || r.Messages[0].From != desk.FromCustomer || r.Messages[0].Channel != kesher.ChannelWeb {
		t.Errorf("the new request's thread = %+v, %v", r, err)
	}
	for _, tc := range []struct{ subject, body, field string }{
		{"", "גוף", "subject"},
		{"נושא", " ", "message.body_text"},
		{strings.Repeat("א", kesher.MaxSubject+1), "גוף", "subject"},
	} {
		_, err := f.desk.PortalNewRequest(f.system, f.noa.ID, tc.subject, tc.body)
		var e *kesher.Error
		if kesher.ErrorCode(err) != kesher.ECodeValidation || !asErr(err, &e) || e.Fields[tc.field] == "" {
			t.Errorf("PortalNewRequest(%q, %q) = %v; want a validation error on %s", tc.subject, tc.body, err, tc.field)
		}
	}
	if _, err := f.desk.PortalSetLanguage(f.system, f.noa.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if got := f.customer(t, f.noa.ID); got.Language != "en" {
		t.Errorf("Noa's language = %q, want en", got.Language)
	}
	_, err = f.desk.PortalSetLanguage(f.system, f.noa.ID, "fr")
	wantCode(t, err, kesher.ECodeValidation)
}

func asErr(err error, e **kesher.Error) bool {
	v, ok := err.(*kesher.Error)
	*e = v
	return ok
}

func testPortalCleanup(t *testing.T, f *portalFixture) {
	secret := f.signIn(t, "noa@example.com")
	if err := f.desk.RequestEmailProof(f.system, desk.EmailProofRequest{Email: "stranger@example.com", Purpose: desk.ProofPortal}); err != nil {
		t.Fatal(err)
	}
	_, err := f.desk.CleanupPortal(f.asAgent)
	wantCode(t, err, kesher.ECodeForbidden)
	if n, err := f.desk.CleanupPortal(f.system); err != nil || n != 0 {
		t.Errorf("CleanupPortal with nothing expired = %d, %v", n, err)
	}
	// A day and a half later the session has expired, and the two proofs
	// (Noa's link, the stranger's request) are past their window.
	f.clock.Advance(36 * time.Hour)
	if n, err := f.desk.CleanupPortal(f.system); err != nil || n != 3 {
		t.Errorf("CleanupPortal = %d, %v; want the session and two proofs", n, err)
	}
	_, _, err = f.desk.PortalSession(f.system, secret)
	wantCode(t, err, kesher.ECodeUnauthorized)
}
