package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kesher"
	"kesher/internal/testkit"
)

// TestTimersAcrossProcesses runs two kesher processes on one PostgreSQL
// database. Phone conversations get a two-second first-response target, so
// each has two timers (the warning at 1.5 s, the breach at 2 s); both
// processes run the scheduler, and between them every timer fires exactly
// once: each conversation logs one warning and one breach, and the two
// processes' timer metrics add up to two firings per conversation.
func TestTimersAcrossProcesses(t *testing.T) {
	dsn := testkit.PostgresDSN(t)
	p1 := testkit.StartProgram(t, "--db", dsn)
	p2 := testkit.StartProgram(t, "--db", dsn)
	p1.Run(t, "user", "create", "--email", "admin@noga.example", "--name", "מנהלת", "--role", "admin")
	token := strings.TrimSpace(p1.Run(t, "token", "create", "--email", "admin@noga.example"))
	apiCall(t, p1.URL, token, "PUT", "/api/v1/sla-policies/default",
		`{"name": "טלפון", "targets": [{"channel": "phone", "first_response_seconds": 2}]}`, nil)

	const convs = 60
	ids := make([]string, convs)
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := w; i < convs; i += 6 {
				var c kesher.Conversation
				apiCall(t, p1.URL, token, "POST", "/api/v1/conversations",
					fmt.Sprintf(`{"customer": {"phone": "050%07d"}, "channel": "phone", "message": {"body_text": "מחכה על הקו"}}`, i), &c)
				ids[i] = c.ID
			}
		})
	}
	wg.Wait()

	deadline := time.Now().Add(30 * time.Second)
	for {
		var wd struct {
			Counts map[kesher.WatchKind]int `json:"counts"`
		}
		apiCall(t, p2.URL, token, "GET", "/api/v1/watchdog", "", &wd)
		if wd.Counts[kesher.WatchSLABreached] == convs {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d conversations breached after 30 s", wd.Counts[kesher.WatchSLABreached], convs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, id := range ids {
		var evs struct {
			Items []kesher.Event `json:"items"`
		}
		apiCall(t, p2.URL, token, "GET", "/api/v1/conversations/"+id+"/events?limit=200", "", &evs)
		n := map[string]int{}
		for _, e := range evs.Items {
			n[e.Type]++
		}
		if n[kesher.EventSLAWarning] != 1 || n[kesher.EventSLABreached] != 1 {
			t.Fatalf("conversation %s logged %d warnings and %d breaches, want one each", id, n[kesher.EventSLAWarning], n[kesher.EventSLABreached])
		}
	}
	f1, f2 := timersFired(t, p1.URL), timersFired(t, p2.URL)
	if f1+f2 != 2*convs {
		t.Fatalf("the processes fired %d + %d timers, want %d in all", f1, f2, 2*convs)
	}
	t.Logf("timers fired: %d by one process, %d by the other", f1, f2)
}

var timerCount = regexp.MustCompile(`(?m)^kesher_timer_delay_seconds_count\{kind="sla"\} (\d+)$`)

// timersFired reads how many SLA timers a process fired from its metrics.
func timersFired(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := timerCount.FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
