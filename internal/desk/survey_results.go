package desk

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"kesher"
)

// Survey results, with their uncertainty said out loud: every number
// comes with how many answers it rests on and a 95 % confidence interval,
// and a number resting on fewer than SurveyConfig.MinAnswers answers is
// not shown at all ("too few answers"), nor is a trend claimed from it.
//
// The mean of a 1–5 question gets a t-based interval (mean ± t·s/√n, with
// Student's t for n−1 degrees of freedom): scores are bounded and n is
// at least MinAnswers, so the t interval is a fair, simple choice. The
// share of 4s and 5s ("top-2 box") gets a Wilson score interval, which
// stays inside 0–1 and behaves for shares near 0 or 1, unlike the normal
// approximation. A change between two periods is claimed ("up" or
// "down") only when both have enough answers and their intervals of the
// mean do not overlap, a cautious test that says "steady" when unsure.

// Groupings of results.
const (
	ByNone    = ""
	ByTeam    = "team"
	ByAgent   = "agent"
	ByChannel = "channel"
	ByReason  = "reason"
)

// SurveyGroupings lists every grouping of results.
var SurveyGroupings = []string{ByNone, ByTeam, ByAgent, ByChannel, ByReason}

// Intervals of trends.
const (
	IntervalNone  = ""
	IntervalWeek  = "week"
	IntervalMonth = "month"
)

// maxResultResponses bounds the responses one result reads, so a request
// for years of answers cannot hold the server.
const maxResultResponses = 100000

// SurveyResultsQuery asks for results: the answers whose first answer
// falls in From–To (and which Filter selects), grouped by By, per Interval.
type SurveyResultsQuery struct {
	Filter   kesher.SurveyResponseFilter
	By       string
	Interval string
}

// SurveyStat is the statistic of one question over some answers. Mean and
// its interval, and the top-2-box share and its interval, are nil when
// there are too few answers.
type SurveyStat struct {
	N      int  `json:"n"`
	Enough bool `json:"enough"`
	// Mean is the mean score; MeanLow–MeanHigh its 95 % t interval.
	Mean     *float64 `json:"mean"`
	MeanLow  *float64 `json:"mean_low"`
	MeanHigh *float64 `json:"mean_high"`
	// Top2 is the share of 4s and 5s; Top2Low–Top2High its 95 % Wilson
	// interval.
	Top2     *float64 `json:"top2"`
	Top2Low  *float64 `json:"top2_low"`
	Top2High *float64 `json:"top2_high"`
}

// SurveyResultRow is one question's statistic for one group and period.
type SurveyResultRow struct {
	Question string `json:"question"`
	// Group is the team id, agent id, channel or reason code the row is
	// of ("" when the results are not grouped, or for answers without).
	Group string `json:"group"`
	// Period is the start of the week (Sunday) or month, in the desk's
	// time zone; zero when the results are not per period.
	Period time.Time `json:"period"`
	SurveyStat
	// Trend compares the row with the group's previous period: "up",
	// "down" or "steady", "" when there is nothing to compare or too few
	// answers on either side.
	Trend string `json:"trend"`
}

// SurveyResults are the rows of a query, by question (in the order of
// the default survey's questions, then by key), group and period.
type SurveyResults struct {
	By         string            `json:"by"`
	Interval   string            `json:"interval"`
	MinAnswers int               `json:"min_answers"`
	Responses  int               `json:"responses"`
	Rows       []SurveyResultRow `json:"rows"`
}

// SurveyResults computes results. Leads and admins.
//
// Errors: ECodeValidation on "by" or "interval"; ECodeTooLarge when the
// query selects more than maxResultResponses responses.
func (d *Desk) SurveyResults(ctx context.Context, q SurveyResultsQuery) (*SurveyResults, error) {
	if _, err := require(ctx, kesher.RoleLead); err != nil {
		return nil, err
	}
	var v kesher.Validation
	v.Check(slices.Contains(SurveyGroupings, q.By), "by", "invalid")
	v.Check(q.Interval == IntervalNone || q.Interval == IntervalWeek || q.Interval == IntervalMonth, "interval", "invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var rs []*kesher.SurveyResponse
	err := eachPage(func(p kesher.Page) (string, error) {
		f := q.Filter
		f.Page = p
		page, next, err := d.store.SurveyResponses(ctx, f)
		rs = append(rs, page...)
		if len(rs) > maxResultResponses {
			return "", kesher.Errorf(kesher.ECodeTooLarge, "more than %d responses: ask for a shorter period", maxResultResponses)
		}
		return next, err
	})
	if err != nil {
		return nil, err
	}
	return d.summarize(rs, q.By, q.Interval), nil
}

// summarize computes the rows of rs.
func (d *Desk) summarize(rs []*kesher.SurveyResponse, by, interval string) *SurveyResults {
	type key struct {
		question, group string
		period          int64
	}
	scores := map[key][]int{}
	for _, r := range rs {
		k := key{group: groupOf(r, by)}
		if interval != IntervalNone {
			k.period = d.periodStart(r.AnsweredAt, interval).Unix()
		}
		for _, a := range r.Answers {
			if a.Score != 0 {
				k.question = a.Question
				scores[k] = append(scores[k], a.Score)
			}
		}
	}
	keys := make([]key, 0, len(scores))
	for k := range scores {
		keys = append(keys, k)
	}
	order := func(q string) int {
		if i := slices.Index(Expectations, q); i >= 0 {
			return i
		}
		return len(Expectations)
	}
	slices.SortFunc(keys, func(a, b key) int {
		switch {
		case order(a.question) != order(b.question):
			return cmp.Compare(order(a.question), order(b.question))
		case a.question != b.question:
			return strings.Compare(a.question, b.question)
		case a.group != b.group:
			return strings.Compare(a.group, b.group)
		}
		return cmp.Compare(a.period, b.period)
	})
	out := &SurveyResults{By: by, Interval: interval, MinAnswers: d.surveyCfg.MinAnswers, Responses: len(rs), Rows: []SurveyResultRow{}}
	for i, k := range keys {
		row := SurveyResultRow{Question: k.question, Group: k.group, SurveyStat: stat(scores[k], d.surveyCfg.MinAnswers)}
		if interval != IntervalNone {
			row.Period = time.Unix(k.period, 0).In(d.cfg.Location)
			if i > 0 && keys[i-1].question == k.question && keys[i-1].group == k.group {
				row.Trend = trend(out.Rows[i-1].SurveyStat, row.SurveyStat)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// groupOf is what r is grouped by.
func groupOf(r *kesher.SurveyResponse, by string) string {
	switch by {
	case ByTeam:
		return r.TeamID
	case ByAgent:
		return r.AgentID
	case ByChannel:
		return string(r.Channel)
	case ByReason:
		return r.Reason
	}
	return ""
}

// periodStart is the start of the week (the Israeli week starts on
// Sunday) or month of t, in the desk's time zone.
func (d *Desk) periodStart(t time.Time, interval string) time.Time {
	t = t.In(d.cfg.Location)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, d.cfg.Location)
	if interval == IntervalMonth {
		return day.AddDate(0, 0, 1-day.Day())
	}
	return day.AddDate(0, 0, -int(day.Weekday()))
}

// trend compares a period with the one before it.
func trend(prev, cur SurveyStat) string {
	switch {
	case !prev.Enough || !cur.Enough:
		return ""
	case *cur.MeanLow > *prev.MeanHigh:
		return "up"
	case *cur.MeanHigh < *prev.MeanLow:
		return "down"
	}
	return "steady"
}

// stat computes the statistic of scores, leaving out the numbers when
// there are fewer than min.
func stat(scores []int, min int) SurveyStat {
	n := len(scores)
	st := SurveyStat{N: n, Enough: n >= min && n >= 2}
	if !st.Enough {
		return st
	}
	var sum float64
	top := 0
	for _, s := range scores {
		sum += float64(s)
		if s >= 4 {
			top++
		}
	}
	mean := sum / float64(n)
	var ss float64
	for _, s := range scores {
		ss += (float64(s) - mean) * (float64(s) - mean)
	}
	half := tQuantile975(n-1) * math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	lo, hi := wilson(top, n)
	st.Mean, st.MeanLow, st.MeanHigh = &mean, ptr(mean-half), ptr(mean+half)
	st.Top2, st.Top2Low, st.Top2High = ptr(float64(top)/float64(n)), &lo, &hi
	return st
}

func ptr(f float64) *float64 { return &f }

// z975 is the standard normal's 97.5th percentile.
const z975 = 1.959964

// wilson is the 95 % Wilson score interval of k successes in n.
func wilson(k, n int) (lo, hi float64) {
	p, nf, z2 := float64(k)/float64(n), float64(n), z975*z975
	centre := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z975 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / (1 + z2/nf)
	return centre - half, centre + half
}

// tTable holds Student's t 97.5th percentiles for 1–30 degrees of freedom.
var tTable = [...]float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// tQuantile975 is Student's t 97.5th percentile for df degrees of
// freedom. Past the table it takes the value of the next smaller tabled
// df (40, 60, 120), which is a little larger than the true one: the
// interval errs on the wide side.
func tQuantile975(df int) float64 {
	switch {
	case df <= len(tTable):
		return tTable[df-1]
	case df < 40:
		return tTable[len(tTable)-1]
	case df < 60:
		return 2.021
	case df < 120:
		return 2.000
	case df < 1000:
		return 1.980
	}
	return z975
}
