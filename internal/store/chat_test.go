package store_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/store"
)

func testChatVisitors(t *testing.T, db *store.DB) {
	v := &kesher.ChatVisitor{ID: newID(), TokenHash: bytes.Repeat([]byte{7}, 32), Language: "he", CreatedAt: at(0), LastSeenAt: at(0)}
	write(t, db, func(tx kesher.Tx) error { return tx.CreateChatVisitor(ctx, v) })
	if got, err := db.ChatVisitorByHash(ctx, v.TokenHash); err != nil || !cmp.Equal(v, got) {
		t.Errorf("ChatVisitorByHash = %+v, %v; want %+v", got, err, v)
	}
	twin := *v
	twin.ID = newID()
	err := db.Write(ctx, func(tx kesher.Tx) error { return tx.CreateChatVisitor(ctx, &twin) })
	wantCode(t, "a second visitor with the same hash", err, kesher.ECodeConflict)

	// The visitor writes, gives an address and waits on its proof.
	cust := createCustomer(t, db, newCustomer("אורח", at(1), kesher.Identity{Kind: kesher.IdentityChat, Value: v.ID}))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, Channel: kesher.ChannelChat, Subject: "שלום", UpdatedAt: at(1)})
	v.CustomerID, v.ConversationID, v.Name, v.Email, v.ProofID, v.LastSeenAt = cust.ID, conv.ID, "דנה", "dana@example.com", newID(), at(5)
	v.EmailReplies = true
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateChatVisitor(ctx, v) })
	for name, find := range map[string]func() (*kesher.ChatVisitor, error){
		"ChatVisitor":               func() (*kesher.ChatVisitor, error) { return db.ChatVisitor(ctx, v.ID) },
		"ChatVisitorByProof":        func() (*kesher.ChatVisitor, error) { return db.ChatVisitorByProof(ctx, v.ProofID) },
		"ChatVisitorByConversation": func() (*kesher.ChatVisitor, error) { return db.ChatVisitorByConversation(ctx, conv.ID) },
	} {
		if got, err := find(); err != nil || !cmp.Equal(v, got) {
			t.Errorf("%s = %+v, %v; want %+v", name, got, err, v)
		}
	}
	_, err = db.ChatVisitorByHash(ctx, nil)
	wantCode(t, "no hash", err, kesher.ECodeNotFound)
	_, err = db.ChatVisitor(ctx, newID())
	wantCode(t, "an unknown visitor", err, kesher.ECodeNotFound)
	missing := *v
	missing.ID = newID()
	err = db.Write(ctx, func(tx kesher.Tx) error { return tx.UpdateChatVisitor(ctx, &missing) })
	wantCode(t, "updating an unknown visitor", err, kesher.ECodeNotFound)
}
