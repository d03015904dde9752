package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/store"
)

func newWhatsAppAccount(phoneNumberID string) *kesher.ChannelAccount {
	return &kesher.ChannelAccount{ID: newID(), Kind: kesher.ChannelWhatsApp, Name: "נגה בוואטסאפ", APIBase: "https://graph.facebook.com/v21.0",
		PhoneNumberID: phoneNumberID, Token: "סוד-גישה", AppSecret: "app-secret", VerifyToken: "verify",
		Templates: []kesher.Template{{Name: "order_update", Language: "he"}}, CreatedAt: t0, UpdatedAt: t0}
}

func testChannelAccounts(t *testing.T, db *store.DB) {
	team := &kesher.Team{ID: newID(), Name: "וואטסאפ", MemberIDs: []string{}, CreatedAt: t0, UpdatedAt: t0}
	wa := newWhatsAppAccount("106540352242922")
	wa.TeamID = team.ID
	tg := &kesher.ChannelAccount{ID: newID(), Kind: kesher.ChannelTelegram, Name: "בוט נגה", APIBase: "https://api.telegram.org",
		Token: "123:ABC", VerifyToken: "secret-token", Templates: []kesher.Template{}, CreatedAt: t0, UpdatedAt: t0}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.CreateTeam(ctx, team); err != nil {
			return err
		}
		if err := tx.CreateChannelAccount(ctx, wa); err != nil {
			return err
		}
		return tx.CreateChannelAccount(ctx, tg)
	})
	for _, want := range []*kesher.ChannelAccount{wa, tg} {
		if got, err := db.ChannelAccount(ctx, want.ID); err != nil || !cmp.Equal(want, got) {
			t.Errorf("ChannelAccount round trip: %v (-want +got):\n%s", err, cmp.Diff(want, got))
		}
	}
	_, err := db.ChannelAccount(ctx, "missing")
	wantCode(t, "a missing account", err, kesher.ECodeNotFound)

	// One account per WhatsApp number.
	twin := newWhatsAppAccount(wa.PhoneNumberID)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateChannelAccount(ctx, twin) })
	wantCode(t, "a second account of one number", err, kesher.ECodeConflict)

	wa.Name, wa.Templates, wa.Token, wa.UpdatedAt = "Noga WhatsApp", []kesher.Template{{Name: "shipping", Language: "en"}}, "new-token", at(5)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateChannelAccount(ctx, wa) })
	if got, err := db.ChannelAccount(ctx, wa.ID); err != nil || !cmp.Equal(wa, got) {
		t.Errorf("after update: %v %s", err, cmp.Diff(wa, got))
	}
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateChannelAccount(ctx, newWhatsAppAccount("1")) })
	wantCode(t, "UpdateChannelAccount of a missing account", err, kesher.ECodeNotFound)

	all := allPages(t, 1, func(p kesher.Page) ([]*kesher.ChannelAccount, string, error) { return db.ChannelAccounts(ctx, p) })
	if diff := cmp.Diff([]string{wa.ID, tg.ID}, ids(all, func(a *kesher.ChannelAccount) string { return a.ID })); diff != "" {
		t.Errorf("ChannelAccounts, oldest first (-want +got):\n%s", diff)
	}

	// Deleting the team leaves the account without one.
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteTeam(ctx, team.ID) })
	if got, err := db.ChannelAccount(ctx, wa.ID); err != nil || got.TeamID != "" {
		t.Errorf("after its team was deleted: %+v, %v", got, err)
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteChannelAccount(ctx, tg.ID) })
	_, err = db.ChannelAccount(ctx, tg.ID)
	wantCode(t, "a deleted account", err, kesher.ECodeNotFound)
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.DeleteChannelAccount(ctx, tg.ID) })
	wantCode(t, "deleting it again", err, kesher.ECodeNotFound)
}

func testMessagingThreads(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("דנה כהן", t0, kesher.Identity{Kind: kesher.IdentityWhatsApp, Value: "+972501234567"}))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, Channel: kesher.ChannelWhatsApp})
	wa := newWhatsAppAccount("200000000000001")
	write(t, db, func(tx kesher.Tx) error { return tx.CreateChannelAccount(ctx, wa) })
	_, err := db.MessagingThread(ctx, conv.ID)
	wantCode(t, "a conversation without a thread", err, kesher.ECodeNotFound)

	th := &kesher.MessagingThread{ConversationID: conv.ID, AccountID: wa.ID, Recipient: "972501234567", LastInboundAt: at(1), UpdatedAt: at(1)}
	write(t, db, func(tx kesher.Tx) error { return tx.SaveMessagingThread(ctx, th) })
	th.LastInboundAt, th.UpdatedAt = at(7), at(7)
	write(t, db, func(tx kesher.Tx) error { return tx.SaveMessagingThread(ctx, th) })
	if got, err := db.MessagingThread(ctx, conv.ID); err != nil || !cmp.Equal(th, got) {
		t.Errorf("MessagingThread after a replace: %v %s", err, cmp.Diff(th, got))
	}
	write(t, db, func(tx kesher.Tx) error { return tx.DeleteChannelAccount(ctx, wa.ID) })
	if got, err := db.MessagingThread(ctx, conv.ID); err != nil || got.AccountID != "" || got.Recipient != th.Recipient {
		t.Errorf("after its account was deleted: %+v, %v", got, err)
	}
}
