package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/store"
)

func newProof(email, customerID, client string, created time.Time) *kesher.EmailProof {
	return &kesher.EmailProof{ID: newID(), Purpose: "portal", Email: email, CustomerID: customerID, Client: client,
		CreatedAt: created, ExpiresAt: created.Add(15 * time.Minute)}
}

func createProofs(t *testing.T, db *store.DB, ps ...*kesher.EmailProof) {
	t.Helper()
	write(t, db, func(tx kesher.Tx) error {
		for _, p := range ps {
			if err := tx.CreateEmailProof(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

func testEmailProofs(t *testing.T, db *store.DB) {
	noa := createCustomer(t, db, newCustomer("נועה ברק", t0, email("noa@example.com")))
	known := newProof("noa@example.com", noa.ID, "192.0.2.7", at(0))
	// An address of nobody's is recorded without a customer.
	unknown := newProof("nobody@example.com", "", "192.0.2.7", at(10))
	createProofs(t, db, known, unknown)
	for _, p := range []*kesher.EmailProof{known, unknown} {
		if got, err := db.EmailProof(ctx, p.ID); err != nil || !cmp.Equal(p, got) {
			t.Errorf("EmailProof = %+v, %v; want %+v", got, err, p)
		}
	}
	_, err := db.EmailProof(ctx, "nothing")
	wantCode(t, "an unknown proof", err, kesher.ECodeNotFound)
	_, err = db.EmailProofByHash(ctx, nil)
	wantCode(t, "a proof by no hash", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateEmailProof(ctx, known) })
	wantCode(t, "a proof with a taken id", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.CreateEmailProof(ctx, newProof("noa@example.com", "no such customer", "192.0.2.7", at(0)))
	})
	wantCode(t, "a proof of an unknown customer", err, kesher.ECodeNotFound)

	// Issuing a link stores its hash; issuing again replaces it, so only
	// the latest link of a proof works.
	write(t, db, func(tx kesher.Tx) error { return tx.IssueEmailProof(ctx, known.ID, []byte("hash-1")) })
	if got, err := db.EmailProofByHash(ctx, []byte("hash-1")); err != nil || got.ID != known.ID {
		t.Errorf("EmailProofByHash(hash-1) = %+v, %v", got, err)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.IssueEmailProof(ctx, known.ID, []byte("hash-2")) })
	_, err = db.EmailProofByHash(ctx, []byte("hash-1"))
	wantCode(t, "the hash of a replaced link", err, kesher.ECodeNotFound)
	known.TokenHash = []byte("hash-2")
	if got, err := db.EmailProofByHash(ctx, []byte("hash-2")); err != nil || !cmp.Equal(known, got) {
		t.Errorf("EmailProofByHash(hash-2) = %+v, %v; want %+v", got, err, known)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.IssueEmailProof(ctx, "nothing", []byte("hash-3")) })
	wantCode(t, "issuing an unknown proof", err, kesher.ECodeNotFound)
	// A taken hash is a conflict the transaction survives (PostgreSQL
	// aborts a transaction on a failed statement).
	var after error
	err = db.Write(ctx, func(tx kesher.Tx) error {
		wantCode(t, "issuing a taken hash", tx.IssueEmailProof(ctx, unknown.ID, []byte("hash-2")), kesher.ECodeConflict)
		_, after = tx.EmailProof(ctx, unknown.ID)
		return nil
	})
	if err != nil || after != nil {
		t.Errorf("the transaction after a conflict: %v, %v", err, after)
	}

	// Using a proof voids the other unused proofs of its email and
	// purpose, and none of another purpose or email.
	older := newProof("noa@example.com", noa.ID, "198.51.100.1", at(20))
	chat := newProof("noa@example.com", noa.ID, "198.51.100.1", at(30))
	chat.Purpose = "chat"
	createProofs(t, db, older, chat)
	write(t, db, func(tx kesher.Tx) error { return tx.UseEmailProof(ctx, known.ID, at(60)) })
	for _, tc := range []struct {
		p    *kesher.EmailProof
		used time.Time
	}{{known, at(60)}, {older, at(60)}, {chat, time.Time{}}, {unknown, time.Time{}}} {
		if got, err := db.EmailProof(ctx, tc.p.ID); err != nil || !got.UsedAt.Equal(tc.used) {
			t.Errorf("proof of %s (%s): used at %v, %v; want %v", tc.p.Email, tc.p.Purpose, got.UsedAt, err, tc.used)
		}
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UseEmailProof(ctx, known.ID, at(61)) })
	wantCode(t, "using a proof twice", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UseEmailProof(ctx, older.ID, at(61)) })
	wantCode(t, "using a voided proof", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UseEmailProof(ctx, "nothing", at(61)) })
	wantCode(t, "using an unknown proof", err, kesher.ECodeNotFound)

	// Counts for the rate limits: by email or by client, from a time on.
	counts := []struct {
		f    kesher.EmailProofFilter
		max  int
		want int
	}{
		{kesher.EmailProofFilter{Email: "noa@example.com", Since: at(0)}, 10, 3},
		{kesher.EmailProofFilter{Email: "noa@example.com", Since: at(1)}, 10, 2},
		{kesher.EmailProofFilter{Email: "noa@example.com", Since: at(0)}, 2, 2},
		{kesher.EmailProofFilter{Client: "192.0.2.7", Since: at(0)}, 10, 2},
		{kesher.EmailProofFilter{Client: "198.51.100.1", Since: at(31)}, 10, 0},
		{kesher.EmailProofFilter{Email: "other@example.com", Since: at(0)}, 10, 0},
	}
	for _, c := range counts {
		if n, err := db.CountEmailProofs(ctx, c.f, c.max); err != nil || n != c.want {
			t.Errorf("CountEmailProofs(%+v, %d) = %d, %v; want %d", c.f, c.max, n, err, c.want)
		}
	}
	for _, f := range []kesher.EmailProofFilter{{Since: at(0)}, {Email: "noa@example.com", Client: "192.0.2.7"}} {
		_, err := db.CountEmailProofs(ctx, f, 10)
		wantField(t, fmt.Sprintf("CountEmailProofs(%+v)", f), err, "filter")
	}

	// Proofs expire at 15 minutes after they were made: those made at 0 and
	// 10 s expire before 15 min 11 s.
	var n int
	write(t, db, func(tx kesher.Tx) error {
		var err error
		n, err = tx.DeleteEmailProofs(ctx, at(15*60+11))
		return err
	})
	if n != 2 {
		t.Errorf("DeleteEmailProofs = %d, want 2", n)
	}
	_, err = db.EmailProof(ctx, unknown.ID)
	wantCode(t, "a deleted proof", err, kesher.ECodeNotFound)
	if _, err := db.EmailProof(ctx, older.ID); err != nil {
		t.Errorf("a proof that has not expired was deleted: %v", err)
	}
}

func newCustomerSession(customerID, addr string, hash byte, expires time.Time) *kesher.CustomerSession {
	return &kesher.CustomerSession{ID: newID(), CustomerID: customerID, Email: addr, TokenHash: []byte{'c', hash},
		CSRFToken: "csrf-" + string(rune('a'+hash)), CreatedAt: t0, LastSeenAt: t0, ExpiresAt: expires, UserAgent: "Mozilla/5.0 (נייד)"}
}

func testCustomerSessions(t *testing.T, db *store.DB) {
	noa := createCustomer(t, db, newCustomer("נועה ברק", t0, email("noa@example.com")))
	dan := createCustomer(t, db, newCustomer("Dan Levi", t0, email("dan@example.com")))
	s1, s2, s3 := newCustomerSession(noa.ID, "noa@example.com", 1, at(60)), newCustomerSession(noa.ID, "noa@example.com", 2, at(120)),
		newCustomerSession(dan.ID, "dan@example.com", 3, at(180))
	write(t, db, func(tx kesher.Tx) error {
		for _, s := range []*kesher.CustomerSession{s1, s2, s3} {
			if err := tx.CreateCustomerSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	for _, s := range []*kesher.CustomerSession{s1, s2, s3} {
		if got, err := db.CustomerSessionByHash(ctx, s.TokenHash); err != nil || !cmp.Equal(s, got) {
			t.Errorf("CustomerSessionByHash = %+v, %v; want %+v", got, err, s)
		}
	}
	_, err := db.CustomerSessionByHash(ctx, []byte{'c', 9})
	wantCode(t, "an unknown customer session", err, kesher.ECodeNotFound)
	// Agents' and customers' sessions are apart: a customer's hash is no
	// agent's session.
	_, err = db.SessionByHash(ctx, s1.TokenHash)
	wantCode(t, "a customer session read as an agent's", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.CreateCustomerSession(ctx, newCustomerSession(dan.ID, "dan@example.com", 1, at(60)))
	})
	wantCode(t, "a customer session with a taken hash", err, kesher.ECodeConflict)
	err = db.Write(ctx, func(tx kesher.Tx) error {
		return tx.CreateCustomerSession(ctx, newCustomerSession("nobody", "x@example.com", 4, at(60)))
	})
	wantCode(t, "a session of an unknown customer", err, kesher.ECodeNotFound)

	write(t, db, func(tx kesher.Tx) error { return tx.TouchCustomerSession(ctx, s1.ID, at(30), at(90)) })
	s1.LastSeenAt, s1.ExpiresAt = at(30), at(90)
	if got, err := db.CustomerSessionByHash(ctx, s1.TokenHash); err != nil || !cmp.Equal(s1, got) {
		t.Errorf("after TouchCustomerSession = %+v, %v; want %+v", got, err, s1)
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.TouchCustomerSession(ctx, "nothing", at(30), at(90)) })
	wantCode(t, "TouchCustomerSession of an unknown session", err, kesher.ECodeNotFound)

	// Sessions expire at 90, 120 and 180 s: those before 121 s go.
	var n int
	write(t, db, func(tx kesher.Tx) error {
		var err error
		n, err = tx.DeleteExpiredCustomerSessions(ctx, at(121))
		return err
	})
	if n != 2 {
		t.Errorf("DeleteExpiredCustomerSessions = %d, want 2", n)
	}
	if _, err := db.CustomerSessionByHash(ctx, s3.TokenHash); err != nil {
		t.Errorf("a live customer session was deleted: %v", err)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteCustomerSession(ctx, s3.ID) })
	_, err = db.CustomerSessionByHash(ctx, s3.TokenHash)
	wantCode(t, "a deleted customer session", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteCustomerSession(ctx, s3.ID) })
	wantCode(t, "DeleteCustomerSession twice", err, kesher.ECodeNotFound)
}

func testLastPortalSignIn(t *testing.T, db *store.DB) {
	noa := createCustomer(t, db, newCustomer("נועה ברק", t0, email("noa@example.com")))
	old := createCustomer(t, db, newCustomer("נועה (כתובת ישנה)", t0, email("noa.old@example.com")))
	if at, err := db.LastPortalSignIn(ctx, noa.ID); err != nil || !at.IsZero() {
		t.Errorf("LastPortalSignIn before any = %v, %v; want zero", at, err)
	}
	event := func(typ, customerID string, when time.Time) *kesher.Event {
		return &kesher.Event{ID: newID(), Type: typ, CustomerID: customerID, ActorType: kesher.AuthorCustomer, ActorID: customerID,
			Data: []byte(`{}`), CreatedAt: when}
	}
	write(t, db, func(tx kesher.Tx) error {
		for _, e := range []*kesher.Event{
			event(kesher.EventPortalSignedIn, noa.ID, at(10)),
			event(kesher.EventPortalSignedIn, noa.ID, at(50)),
			event(kesher.EventCustomerUpdated, noa.ID, at(90)),
			event(kesher.EventPortalSignedIn, old.ID, at(70)),
		} {
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if got, err := db.LastPortalSignIn(ctx, noa.ID); err != nil || !got.Equal(at(50)) {
		t.Errorf("LastPortalSignIn = %v, %v; want %v", got, err, at(50))
	}
	// A merge moves the events, and with them the merged customer's
	// sign-ins.
	write(t, db, func(tx kesher.Tx) error { return tx.MoveCustomerData(ctx, old.ID, noa.ID) })
	if got, err := db.LastPortalSignIn(ctx, noa.ID); err != nil || !got.Equal(at(70)) {
		t.Errorf("LastPortalSignIn after the merge = %v, %v; want %v", got, err, at(70))
	}

	plans, err := db.Explain(ctx, func(q kesher.Queries) error { _, err := q.LastPortalSignIn(ctx, noa.ID); return err })
	if err != nil || len(plans) == 0 {
		t.Fatalf("Explain: %d plans, %v", len(plans), err)
	}
	if text := fmt.Sprint(plans); !strings.Contains(text, "events_portal_sign_ins") {
		t.Errorf("LastPortalSignIn does not read events_portal_sign_ins:\n%s", text)
	}
	for _, f := range []kesher.EmailProofFilter{{Email: "noa@example.com", Since: t0}, {Client: "192.0.2.7", Since: t0}} {
		plans, err := db.Explain(ctx, func(q kesher.Queries) error { _, err := q.CountEmailProofs(ctx, f, 10); return err })
		if err != nil || len(plans) == 0 {
			t.Fatalf("Explain: %d plans, %v", len(plans), err)
		}
		for _, p := range plans {
			if bad := planDefect(db.Dialect(), p.Steps, false); bad != "" {
				t.Errorf("CountEmailProofs(%+v): %s in the plan:\n%s", f, bad, p)
			}
		}
	}
}
