package bench_test

import (
	"context"
	"testing"
	"time"

	"kesher/internal/bench"
	"kesher/internal/testkit"
)

// TestChatSmall runs the chat benchmark on small numbers: 50 visitors,
// a restart, and not a message lost.
func TestChatSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program twice")
	}
	res, err := bench.Chat(context.Background(), bench.ChatConfig{Bin: testkit.BuildKesher(t), DataDir: t.TempDir(),
		Conns: 50, Rate: 100, Duration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.Lost != 0 || res.Sent != res.Acked || res.Stored != res.Sent || res.Sent < 100 {
		t.Fatalf("sent %d, acked %d, stored %d: want every message stored once", res.Sent, res.Acked, res.Stored)
	}
	if res.Delivery.N == 0 {
		t.Fatal("the agent's stream announced no message")
	}
}
