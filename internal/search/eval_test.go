package search

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kesher/internal/analyze"
	"kesher/internal/testkit/report"
)

// TestEvaluation measures search on the judged set in testdata/eval: every
// query runs through Memory.Search over all documents, once with a plain
// tokenizer and once with the analyzer, and the test reports recall@10 and
// MRR overall, by language and by category, and the accuracy of the
// precision guards. It fails when the analyzer does not raise Hebrew
// recall@10 by 25 points over the plain tokenizer, when fewer than 95% of
// the guards pass, or when the desk's own examples are not found.
func TestEvaluation(t *testing.T) {
	docs := readEvalDocs(t)
	queries := readEvalQueries(t, docs)

	plain := evaluate(t, NewPlain(), docs, queries)
	analyzer := evaluate(t, New(analyze.Default()), docs, queries)

	text := evalReport(docs, queries, plain, analyzer)
	t.Log("\n" + text)
	report.Write(t, "search-eval.md", text)

	he, hePlain := analyzer.scores(langIs("he")), plain.scores(langIs("he"))
	if he.recall < hePlain.recall+0.25 {
		t.Errorf("Hebrew recall@10 is %.1f%% with the analyzer and %.1f%% without: less than 25 points better",
			100*he.recall, 100*hePlain.recall)
	}
	if acc := analyzer.guardAccuracy(); acc < 0.95 {
		t.Errorf("precision guards pass %.1f%% of the time, under 95%%", 100*acc)
	}
	for _, r := range analyzer.results {
		if r.q.category == "guard" && len(r.traps) > 0 {
			t.Logf("guard %q lets in %v", r.q.text, r.traps)
		}
	}

	// The desk's own examples: a customer finds the return policy by
	// typing "החזרות" or "להחזיר מוצר"; an agent finds last month's
	// conversation about "ההזמנה שלי" by typing "הזמנה".
	s := New(analyze.Default())
	m := evalIndex(s, docs)
	for _, q := range []string{"החזרות", "להחזיר מוצר"} {
		pq, err := s.Parse(q, false)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(m.Search(pq, len(docs), 10), "kb-returns") {
			t.Errorf("%q does not find the return policy in its top ten", q)
		}
	}
	pq, err := s.Parse("הזמנה", false)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := m.Match(pq, len(docs)); !slices.Contains(ids, "ord-11") {
		t.Errorf(`"הזמנה" does not find the conversation "ההזמנה שלי"`)
	}
}

// evalDoc is one judged document: a help-centre article, a customer's
// message, an agent's reply or note.
type evalDoc struct {
	id, lang, kind string
	age            time.Duration // 0 for articles, which do not age
	title, body    string
}

// evalQuery is one judged query.
type evalQuery struct {
	lang, category, text string
	relevant             map[string]bool
	lookalikes           []string
}

// readEvalDocs reads testdata/eval/docs/*.txt. A document starts with a line
// "@ id lang kind age-in-days" ("-" for an article), then an optional
// "# title" line, then its body.
func readEvalDocs(t *testing.T) []evalDoc {
	t.Helper()
	files, err := filepath.Glob("testdata/eval/docs/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no documents in testdata/eval/docs: %v", err)
	}
	var docs []evalDoc
	seen := map[string]bool{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "@ "):
				fields := strings.Fields(line[2:])
				if len(fields) != 4 {
					t.Fatalf("%s:%d: want \"@ id lang kind age\", got %q", name, n, line)
				}
				d := evalDoc{id: fields[0], lang: fields[1], kind: fields[2]}
				if fields[3] != "-" {
					days, err := strconv.Atoi(fields[3])
					if err != nil {
						t.Fatalf("%s:%d: age %q: %v", name, n, fields[3], err)
					}
					d.age = time.Duration(days) * 24 * time.Hour
				}
				if seen[d.id] {
					t.Fatalf("%s:%d: document %s twice", name, n, d.id)
				}
				seen[d.id] = true
				docs = append(docs, d)
			case len(docs) == 0:
				if strings.TrimSpace(line) != "" {
					t.Fatalf("%s:%d: text before the first document", name, n)
				}
			case strings.HasPrefix(line, "# ") && docs[len(docs)-1].title == "" && docs[len(docs)-1].body == "":
				docs[len(docs)-1].title = line[2:]
			default:
				docs[len(docs)-1].body += line + "\n"
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return docs
}

// readEvalQueries reads testdata/eval/queries.txt and checks that the set
// has the size the evaluation promises.
func readEvalQueries(t *testing.T, docs []evalDoc) []evalQuery {
	t.Helper()
	ids := map[string]bool{}
	for _, d := range docs {
		ids[d.id] = true
	}
	data, err := os.ReadFile("testdata/eval/queries.txt")
	if err != nil {
		t.Fatal(err)
	}
	var queries []evalQuery
	for n, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) < 4 || len(parts) > 5 {
			t.Fatalf("queries.txt:%d: want \"lang | category | query | relevant [| look-alikes]\", got %q", n+1, line)
		}
		q := evalQuery{
			lang:     strings.TrimSpace(parts[0]),
			category: strings.TrimSpace(parts[1]),
			text:     strings.TrimSpace(parts[2]),
			relevant: map[string]bool{},
		}
		for _, id := range strings.Fields(parts[3]) {
			if !ids[id] {
				t.Fatalf("queries.txt:%d: no document %s", n+1, id)
			}
			q.relevant[id] = true
		}
		if len(parts) == 5 {
			q.lookalikes = strings.Fields(parts[4])
		}
		if len(q.relevant) == 0 || (q.category == "guard") != (len(q.lookalikes) > 0) {
			t.Fatalf("queries.txt:%d: a query needs relevant documents, and look-alikes exactly when it is a guard", n+1)
		}
		queries = append(queries, q)
	}
	hebrew := 0
	for _, q := range queries {
		if q.lang == "he" {
			hebrew++
		}
	}
	if len(docs) < 500 || len(queries) < 80 || 10*hebrew < 6*len(queries) {
		t.Fatalf("the judged set has %d documents and %d queries, %d in Hebrew; it needs 500, 80 and 60%%",
			len(docs), len(queries), hebrew)
	}
	return queries
}

// evalIndex indexes docs in m, oldest first, as a store would hold them.
func evalIndex(s *Searcher, docs []evalDoc) *Memory {
	order := slices.Clone(docs)
	slices.SortStableFunc(order, func(a, b evalDoc) int { return int((b.age - a.age) / time.Hour) })
	var m Memory
	for _, d := range order {
		m.Add(d.id, Candidate{Doc: s.Document(d.title, d.body), Age: d.age, Evergreen: d.kind == "article"})
	}
	return &m
}

// evalResult is what one query found.
type evalResult struct {
	q      evalQuery
	top    []string
	recall float64 // of the relevant documents, at most ten, the share in the top ten
	rr     float64 // 1 / the rank of the first relevant document in the top ten, or 0
	traps  []string
}

type evalRun struct{ results []evalResult }

func evaluate(t *testing.T, s *Searcher, docs []evalDoc, queries []evalQuery) evalRun {
	t.Helper()
	m := evalIndex(s, docs)
	written := map[string]map[string]bool{} // document id → its words as written
	for _, d := range docs {
		written[d.id] = map[string]bool{}
		for _, term := range analyze.Default().Terms(d.title + "\n" + d.body) {
			written[d.id][term.Exact] = true
		}
	}
	var run evalRun
	for _, q := range queries {
		pq, err := s.Parse(q.text, false)
		if err != nil {
			t.Fatalf("%q: %v", q.text, err)
		}
		r := evalResult{q: q, top: m.Search(pq, len(docs), 10)}
		hits := 0
		for i, id := range r.top {
			if q.relevant[id] {
				hits++
				if r.rr == 0 {
					r.rr = 1 / float64(i+1)
				}
			} else if isTrap(written[id], q) {
				r.traps = append(r.traps, id)
			}
		}
		r.recall = float64(hits) / float64(min(len(q.relevant), 10))
		run.results = append(run.results, r)
	}
	return run
}

// isTrap reports whether a document with the words words holds one of a
// guard's look-alikes, alone or after prefixes, without the query word
// the look-alike imitates.
func isTrap(words map[string]bool, q evalQuery) bool {
	has := func(w string) bool {
		for word := range words {
			if word == w || slices.Contains(analyze.PrefixStems(word), w) {
				return true
			}
		}
		return false
	}
	var lookalike bool
	for _, l := range q.lookalikes {
		lookalike = lookalike || has(normal(l))
	}
	if !lookalike {
		return false
	}
	// The guarded words are those a look-alike ends with ("קשה" in
	// "בקשה"), or all of the query's when none does ("ביטוח", "בטוח").
	var guarded []string
	for _, w := range strings.Fields(q.text) {
		for _, l := range q.lookalikes {
			if strings.HasSuffix(normal(l), normal(w)) && normal(l) != normal(w) {
				guarded = append(guarded, normal(w))
				break
			}
		}
	}
	if guarded == nil {
		for _, w := range strings.Fields(q.text) {
			guarded = append(guarded, normal(w))
		}
	}
	for _, w := range guarded {
		if has(w) {
			return false
		}
	}
	return true
}

// normal is a word as written, normalised (final letters folded).
func normal(w string) string {
	if terms := analyze.Default().Terms(w); len(terms) == 1 {
		return terms[0].Exact
	}
	return w
}

type evalScores struct {
	n           int
	recall, mrr float64
}

func (run evalRun) scores(keep func(evalQuery) bool) evalScores {
	var s evalScores
	for _, r := range run.results {
		if keep(r.q) {
			s.n++
			s.recall += r.recall
			s.mrr += r.rr
		}
	}
	if s.n > 0 {
		s.recall /= float64(s.n)
		s.mrr /= float64(s.n)
	}
	return s
}

func (run evalRun) guardAccuracy() float64 {
	n, pass := 0, 0
	for _, r := range run.results {
		if r.q.category == "guard" {
			n++
			if len(r.traps) == 0 {
				pass++
			}
		}
	}
	return float64(pass) / float64(max(n, 1))
}

func langIs(lang string) func(evalQuery) bool {
	return func(q evalQuery) bool { return q.lang == lang }
}

// evalReport is the evaluation as a Markdown table.
func evalReport(docs []evalDoc, queries []evalQuery, plain, analyzer evalRun) string {
	var b strings.Builder
	langs := map[string]int{}
	for _, d := range docs {
		langs[d.lang]++
	}
	fmt.Fprintf(&b, "Search evaluation: %d documents (%d Hebrew, %d English), %d queries.\n\n",
		len(docs), langs["he"], langs["en"], len(queries))
	b.WriteString("| queries | n | plain recall@10 | plain MRR | analyzer recall@10 | analyzer MRR |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	row := func(name string, keep func(evalQuery) bool) {
		p, a := plain.scores(keep), analyzer.scores(keep)
		fmt.Fprintf(&b, "| %s | %d | %.1f%% | %.3f | %.1f%% | %.3f |\n", name, a.n, 100*p.recall, p.mrr, 100*a.recall, a.mrr)
	}
	row("all", func(evalQuery) bool { return true })
	row("Hebrew", langIs("he"))
	row("English", langIs("en"))
	var cats []string
	for _, q := range queries {
		if c := q.lang + " " + q.category; !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	for _, c := range cats {
		row(c, func(q evalQuery) bool { return q.lang+" "+q.category == c })
	}
	fmt.Fprintf(&b, "\nPrecision guards passed: plain %.1f%%, analyzer %.1f%%.\n",
		100*plain.guardAccuracy(), 100*analyzer.guardAccuracy())
	return b.String()
}
