package bench_test

import (
	"context"
	"testing"
	"time"

	"kesher/internal/bench"
)

// TestEmail is the smoke run of kesher bench email on tiny numbers: mail
// goes through the SMTP listener and shows in the inbox API, the HTTP
// baseline creates conversations, and queued replies reach the sink.
func TestEmail(t *testing.T) {
	rep, err := bench.Email(context.Background(), bench.EmailConfig{DataDir: t.TempDir(), Senders: 2, Duration: 500 * time.Millisecond,
		Warmup: 100 * time.Millisecond, MessageBytes: 4 << 10, SampleEvery: 3, Replies: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []bench.Result{rep.Ingest, rep.Visible, rep.Baseline} {
		if r.N == 0 || r.Errors != 0 || r.P50 <= 0 || r.OpsPerSec <= 0 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	if rep.Visible.N > rep.Ingest.N/3+2 {
		t.Errorf("%d probes of %d messages, want every third", rep.Visible.N, rep.Ingest.N)
	}
	if rep.Outbound.N != 20 || rep.Outbound.OpsPerSec <= 0 {
		t.Errorf("outbound %+v", rep.Outbound)
	}
	if rep.HeapPeak < rep.HeapStart || rep.HeapPeak == 0 || rep.RSSPeak == 0 {
		t.Errorf("memory: heap %d → %d, RSS %d → %d", rep.HeapStart, rep.HeapPeak, rep.RSSStart, rep.RSSPeak)
	}
}
