package detect

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kesher/internal/testkit/report"
)

// labelled is one message of a labelled set with its labels.
type labelled struct {
	labels map[string]bool
	text   string
}

// readLabelled reads "labels | text" lines, skipping comments and blank
// lines.
func readLabelled(t *testing.T, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var set []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		labels, text, ok := strings.Cut(line, " | ")
		if !ok {
			t.Fatalf("%s:%d: no \" | \"", path, n)
		}
		m := map[string]bool{}
		for _, l := range strings.Split(labels, ",") {
			m[strings.TrimSpace(l)] = true
		}
		set = append(set, labelled{m, text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}

// tally counts agreement for one flag.
type tally struct{ tp, fp, fn int }

func (c tally) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c tally) recall() float64    { return ratio(c.tp, c.tp+c.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

var moodFlags = []struct {
	label string
	on    func(Mood) bool
}{
	{"angry", Mood.Angry},
	{"distressed", Mood.Distressed},
	{"abusive", func(m Mood) bool { return m.Abusive }},
}

// TestMoodEval measures ReadMood on the development set, which the rules
// were tuned on, and on the held-out set, which was written before the
// rules and never tuned on. It reports precision and recall per flag and
// the messages it gets wrong, and holds floors just under what it reached.
func TestMoodEval(t *testing.T) {
	floors := map[string]map[string][2]float64{ // file → flag → precision, recall
		"dev.txt": {
			"angry":      {0.95, 0.95},
			"distressed": {0.95, 0.9},
			"abusive":    {0.95, 0.95},
		},
		"holdout.txt": {
			"angry":      {0.95, 0.9},
			"distressed": {0.95, 0.9},
			"abusive":    {0.95, 0.95},
		},
	}
	var out strings.Builder
	out.WriteString("# Mood detector evaluation\n\nPrecision and recall of `detect.ReadMood` per flag. " +
		"The rules were tuned on dev.txt; holdout.txt was written before them and not tuned on.\n")
	for _, file := range []string{"dev.txt", "holdout.txt"} {
		set := readLabelled(t, filepath.Join("testdata", "mood", file))
		he := 0
		for _, m := range set {
			if tokenize(m.text)[0].hebrew {
				he++
			}
		}
		fmt.Fprintf(&out, "\n## %s: %d messages (%d Hebrew, %d English)\n\n| flag | labelled | precision | recall |\n| --- | --- | --- | --- |\n",
			file, len(set), he, len(set)-he)
		var misses strings.Builder
		for _, flag := range moodFlags {
			var c tally
			for _, m := range set {
				mood := ReadMood(m.text)
				got, want := flag.on(mood), m.labels[flag.label]
				switch {
				case got && want:
					c.tp++
				case got:
					c.fp++
					fmt.Fprintf(&misses, "- %s, wrongly: %s %v\n", flag.label, m.text, rules(mood))
				case want:
					c.fn++
					fmt.Fprintf(&misses, "- %s, missed: %s %v\n", flag.label, m.text, rules(mood))
				}
			}
			fmt.Fprintf(&out, "| %s | %d | %.2f | %.2f |\n", flag.label, c.tp+c.fn, c.precision(), c.recall())
			floor := floors[file][flag.label]
			if c.precision() < floor[0] || c.recall() < floor[1] {
				t.Errorf("%s %s: precision %.2f, recall %.2f; floors %.2f, %.2f", file, flag.label, c.precision(), c.recall(), floor[0], floor[1])
			}
		}
		if misses.Len() > 0 {
			out.WriteString("\nWrong:\n\n" + misses.String())
		}
	}
	t.Log("\n" + out.String())
	report.Write(t, "mood-eval.md", out.String())
}

// rules lists the cues of a mood compactly, for the report.
func rules(m Mood) []string {
	var s []string
	for _, c := range m.Cues {
		s = append(s, fmt.Sprintf("%s %q %.2f", c.Rule, c.Text, c.Weight))
	}
	return s
}
