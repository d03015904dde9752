package search

import (
	"math"
	"slices"
	"strings"
	"time"
)

// Candidate is a document an engine matched, with what ranking needs.
type Candidate struct {
	Doc
	// Age is how long ago the document was written.
	Age time.Duration
	// Evergreen documents (articles, customers) are not ranked by age.
	Evergreen bool
}

// Ranked is a candidate's place after ranking.
type Ranked struct {
	Index int // into the candidates given to Rank
	Score float64
}

// Ranking weights. A word found as written counts more than the same word
// under other prefixes, another inflection or another spelling, which
// counts more than a match on a loose key or an unfinished word; a phrase
// counts more than its words; the title doubles everything.
const (
	weightExact   = 1.0
	weightBase    = 0.7
	weightLoose   = 0.4
	weightPrefix  = 0.5
	weightPhrase  = 1.5
	titleBoost    = 2.0
	bm25K1        = 1.2
	bm25B         = 0.75
	recencyHalf   = 30 * 24 * time.Hour // an age at which recency has given up a quarter
	recencyWeight = 0.5                 // the most recency takes away
)

// Rank orders cands for q, best first: BM25 (term frequency with
// saturation, document length against the candidates' mean, and the
// rarity of each group among them), times the share of groups matched
// when q matches any of them, times recency. Ties keep the order of
// cands, which engines give newest first. The same candidates in the same
// order always rank the same, whichever database found them.
func (q Query) Rank(cands []Candidate) []Ranked {
	docs := make([]parsed, len(cands))
	total := 0
	for i, c := range cands {
		docs[i] = parse(c.Doc)
		total += len(docs[i].base)
	}
	avg := math.Max(1, float64(total)/math.Max(1, float64(len(cands))))
	n := float64(len(cands))
	tf := make([][]float64, len(q.Must))
	idf := make([]float64, len(q.Must))
	for g, grp := range q.Must {
		tf[g] = make([]float64, len(docs))
		df := 0.0
		for i := range docs {
			if tf[g][i] = grp.weight(&docs[i]); tf[g][i] > 0 {
				df++
			}
		}
		idf[g] = math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	out := make([]Ranked, len(cands))
	for i := range docs {
		length := 1 - bm25B + bm25B*float64(len(docs[i].base))/avg
		score, matched := 0.0, 0
		for g := range q.Must {
			f := tf[g][i]
			if f == 0 {
				continue
			}
			matched++
			score += idf[g] * f * (bm25K1 + 1) / (f + bm25K1*length)
		}
		if q.Any {
			share := float64(matched) / float64(len(q.Must))
			score *= share * share
		}
		if !cands[i].Evergreen {
			score *= 1 - recencyWeight + recencyWeight/(1+float64(cands[i].Age)/float64(recencyHalf))
		}
		out[i] = Ranked{Index: i, Score: score}
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return out
}

// parsed is a Doc cut into words.
type parsed struct {
	exact, base, loose []string
	title              int
}

func parse(d Doc) parsed {
	return parsed{exact: strings.Fields(d.Exact), base: strings.Fields(d.Base), loose: strings.Fields(d.Loose), title: d.TitleWords}
}

// weight is how much of g d holds: the weighted count of its matches, 0
// when g does not match d.
func (g Group) weight(d *parsed) float64 {
	at := func(i int, w float64) float64 {
		if i < d.title {
			return w * titleBoost
		}
		return w
	}
	sum := 0.0
	if g.Phrase {
		for i := 0; i+len(g.Terms) <= len(d.base); i++ {
			if g.phraseAt(d, i) {
				sum += at(i, weightPhrase)
			}
		}
		return sum
	}
	t := g.Terms[0]
	for i, w := range d.base {
		switch {
		case w == t.Base && i < len(d.exact) && d.exact[i] == t.Exact:
			sum += at(i, weightExact)
		case w == t.Base:
			sum += at(i, weightBase)
		case w == t.Loose:
			sum += at(i, weightLoose)
		case g.prefixOf(w):
			sum += at(i, weightPrefix)
		}
	}
	for _, k := range d.loose {
		switch {
		case k == t.Base || k == t.Loose:
			sum += weightLoose
		case g.prefixOf(k):
			sum += weightPrefix
		}
	}
	return sum
}

func (g Group) phraseAt(d *parsed, i int) bool {
	for j, t := range g.Terms {
		if d.base[i+j] != t.Base {
			return false
		}
	}
	return true
}

func (g Group) prefixOf(w string) bool {
	for _, p := range g.Prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// Matches reports whether q matches d, as the engines decide it: the
// reference that the store's contract tests hold both databases to.
func (q Query) Matches(d Doc) bool {
	p := parse(d)
	matched := 0
	for _, g := range q.Must {
		if g.weight(&p) > 0 {
			matched++
		} else if !q.Any {
			return false
		}
	}
	if matched == 0 {
		return false
	}
	for _, g := range q.Not {
		if g.weight(&p) > 0 {
			return false
		}
	}
	return true
}
