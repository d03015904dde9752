package store_test

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"kesher"
	"kesher/internal/store"
	"kesher/internal/testkit"
)

// BenchmarkCreateConversation creates conversations the way intake does
// (find or create the customer, number, conversation, message, two events,
// update) from 16 concurrent writers, with and without group commit.
func BenchmarkCreateConversation(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, group := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s group=%v", backend, group), func(b *testing.B) {
				cfg := store.Config{DataDir: b.TempDir(), GroupCommit: group}
				if backend == "postgres" {
					cfg.DSN = testkit.PostgresDSN(b)
				}
				db, err := store.Open(ctx, cfg)
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				var seq atomic.Int64
				b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := db.Write(ctx, func(tx kesher.Tx) error { return intake(tx, seq.Add(1)) }); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "conversations/s")
			})
		}
	}
}

func intake(tx kesher.Tx, n int64) error {
	now := time.Now().UTC()
	addr := fmt.Sprintf("c%d@example.com", n)
	cust, err := tx.CustomerByIdentity(ctx, kesher.IdentityEmail, addr)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		cust = newCustomer("לקוח", now, email(addr))
		err = tx.CreateCustomer(ctx, cust)
	}
	if err != nil {
		return err
	}
	number, err := tx.NextConversationNumber(ctx)
	if err != nil {
		return err
	}
	c := &kesher.Conversation{ID: kesher.NewID(now), Number: number, Subject: "נושא", Status: kesher.StatusOpen, Priority: kesher.PriorityNormal,
		Channel: kesher.ChannelEmail, CustomerID: cust.ID, Tags: []string{"vip"}, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateConversation(ctx, c); err != nil {
		return err
	}
	m := &kesher.Message{ID: kesher.NewID(now), ConversationID: c.ID, Direction: kesher.Inbound, Channel: c.Channel,
		AuthorType: kesher.AuthorCustomer, AuthorID: cust.ID, BodyText: "שלום, ההזמנה לא הגיעה", CreatedAt: now}
	if err := tx.CreateMessage(ctx, m); err != nil {
		return err
	}
	for _, e := range []*kesher.Event{
		{ID: kesher.NewID(now), Type: kesher.EventConversationCreated, ConversationID: c.ID, CustomerID: cust.ID, CreatedAt: now},
		{ID: kesher.NewID(now), Type: kesher.EventMessageAdded, ConversationID: c.ID, CustomerID: cust.ID, MessageID: m.ID, CreatedAt: now},
	} {
		e.ActorType = kesher.AuthorCustomer
		if err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
	}
	c.MessageCount, c.LastMessageAt, c.Excerpt = 1, now, m.BodyText
	return tx.UpdateConversation(ctx, c)
}
