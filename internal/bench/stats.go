package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Result summarises the latencies of one measured operation.
type Result struct {
	Name               string
	N                  int // operations measured
	Errors             int
	P50, P95, P99, Max time.Duration
	OpsPerSec          float64
	Elapsed            time.Duration
	Note               string
}

// summarize computes percentiles of durs (which it sorts) over a run that
// took elapsed.
func summarize(name string, durs []time.Duration, elapsed time.Duration) Result {
	r := Result{Name: name, N: len(durs), Elapsed: elapsed}
	if len(durs) == 0 {
		return r
	}
	slices.Sort(durs)
	at := func(p float64) time.Duration {
		i := int(float64(len(durs))*p+0.999999) - 1
		return durs[max(0, min(i, len(durs)-1))]
	}
	r.P50, r.P95, r.P99, r.Max = at(0.50), at(0.95), at(0.99), durs[len(durs)-1]
	if elapsed > 0 {
		r.OpsPerSec = float64(len(durs)) / elapsed.Seconds()
	}
	return r
}

// ms formats a duration in milliseconds with three decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }

// Table renders results as a Markdown table.
func Table(rs []Result) string {
	var b strings.Builder
	b.WriteString("| operation | n | errors | p50 ms | p95 ms | p99 ms | max ms | ops/s |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s | %.0f |\n", r.Name, r.N, r.Errors, ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max), r.OpsPerSec)
	}
	return b.String()
}
