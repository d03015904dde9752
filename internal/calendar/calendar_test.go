package calendar

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the zones must not depend on the machine's zoneinfo

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/israeli.json from Israeli()")

var jerusalem = mustLoad("Asia/Jerusalem")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at parses "2006-01-02 15:04" as a wall-clock time in Jerusalem.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, jerusalem)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func compile(t testing.TB, c Calendar) *Schedule {
	t.Helper()
	s, err := c.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hm(h, m int) Clock { return Clock(h*60 + m) }

func span(from, to Clock) Span { return Span{From: from, To: to} }

// allWeek is open around the clock every day, which makes every daylight
// saving switch visible.
func allWeek() Calendar {
	c := Calendar{TimeZone: "Asia/Jerusalem"}
	for wd := range c.Week {
		c.Week[wd] = []Span{span(0, endOfDay)}
	}
	return c
}

// nightShift works across the hours in which Israel switches its clocks.
func nightShift() Calendar {
	c := Calendar{TimeZone: "Asia/Jerusalem", Holidays: true, EveHours: []Span{span(hm(1, 0), hm(2, 30))}}
	for wd := range c.Week {
		c.Week[wd] = []Span{span(hm(1, 0), hm(2, 30)), span(hm(2, 30), hm(4, 0)), span(hm(22, 0), endOfDay)}
	}
	return c
}

// withExceptions is the Israeli calendar with a Saturday opened, a Thursday
// closed and Yom Kippur opened in the evening.
func withExceptions() Calendar {
	c := Israeli()
	c.Exceptions = []Exception{
		{Date: "2026-06-06", Hours: []Span{span(hm(10, 0), hm(14, 0))}, Note: "stocktaking"},
		{Date: "2026-12-24", Closed: true, Note: "team day"},
		{Date: "2026-09-21", Hours: []Span{span(hm(20, 0), hm(23, 0))}},
	}
	return c
}

func TestAdd(t *testing.T) {
	israeli := compile(t, Israeli())
	exceptions := compile(t, withExceptions())
	tests := []struct {
		name string
		s    *Schedule
		from string
		d    time.Duration
		want string
	}{
		{"within a day", israeli, "2026-06-02 09:00", 3 * time.Hour, "2026-06-02 12:00"},
		{"to the end of a span, not the next opening", israeli, "2026-06-04 16:00", time.Hour, "2026-06-04 17:00"},
		{"overnight", israeli, "2026-06-04 16:00", 3 * time.Hour, "2026-06-05 10:00"},
		{"Friday half day", israeli, "2026-06-05 12:00", 2 * time.Hour, "2026-06-07 09:00"},
		{"Saturday closed", israeli, "2026-06-06 10:00", time.Hour, "2026-06-07 09:00"},
		{"before opening", israeli, "2026-06-07 06:30", 90 * time.Minute, "2026-06-07 09:30"},
		{"after closing", israeli, "2026-06-07 20:00", time.Minute, "2026-06-08 08:01"},
		{"a full week", israeli, "2026-06-07 08:00", 50 * time.Hour, "2026-06-12 13:00"},
		{"zero", israeli, "2026-06-06 10:00", 0, "2026-06-06 10:00"},
		{"negative", israeli, "2026-06-06 10:00", -time.Hour, "2026-06-06 10:00"},
		// Erev Rosh Hashana is a Friday, then two days of Rosh Hashana.
		{"erev Rosh Hashana on a Friday", israeli, "2026-09-10 16:00", 3 * time.Hour, "2026-09-11 10:00"},
		{"Rosh Hashana", israeli, "2026-09-11 12:00", 2 * time.Hour, "2026-09-14 09:00"},
		// Erev Yom Kippur is a Sunday that closes at 13:00, Yom Kippur a Monday.
		{"erev Yom Kippur and Yom Kippur", israeli, "2026-09-20 12:00", 2 * time.Hour, "2026-09-22 09:00"},
		{"Yom Kippur itself", israeli, "2026-09-21 10:00", time.Hour, "2026-09-22 09:00"},
		// Erev Pesach is a Wednesday, Pesach a Thursday, Friday an
		// intermediate day with normal Friday hours.
		{"Pesach", israeli, "2026-04-01 12:00", 2 * time.Hour, "2026-04-03 09:00"},
		// Yom HaZikaron is a Tuesday eve, Yom Ha'atzmaut a Wednesday.
		{"Yom Ha'atzmaut", israeli, "2026-04-21 12:00", 2 * time.Hour, "2026-04-23 09:00"},
		{"exception opens a Saturday", exceptions, "2026-06-05 12:00", 2 * time.Hour, "2026-06-06 11:00"},
		{"exception opens a Saturday late", exceptions, "2026-06-05 12:00", 6 * time.Hour, "2026-06-07 09:00"},
		{"exception closes a Thursday", exceptions, "2026-12-23 16:00", 2 * time.Hour, "2026-12-25 09:00"},
		{"exception opens Yom Kippur", exceptions, "2026-09-20 12:00", 2 * time.Hour, "2026-09-21 21:00"},
		// Thirty business days, six weeks of 50 hours, end on a Friday.
		{"thirty business days", israeli, "2026-06-07 08:00", 300 * time.Hour, "2026-07-17 13:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, want := at(t, tt.from), at(t, tt.want)
			got := tt.s.Add(from, tt.d)
			if !got.Equal(want) {
				t.Fatalf("Add(%s, %v) = %v, want %v", tt.from, tt.d, got.In(jerusalem), want)
			}
			if tt.d > 0 {
				if between := tt.s.Between(from, got); between != tt.d {
					t.Errorf("Between(%s, %v) = %v, want %v", tt.from, got.In(jerusalem), between, tt.d)
				}
			}
		})
	}
}

func TestAddKeepsLocation(t *testing.T) {
	s := compile(t, Israeli())
	from := time.Date(2026, time.June, 5, 9, 0, 0, 0, time.UTC) // 12:00 in Jerusalem
	got := s.Add(from, 2*time.Hour)
	if got.Location() != time.UTC || !got.Equal(time.Date(2026, time.June, 7, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("Add = %v, want 2026-06-07 06:00 UTC", got)
	}
}

func TestAddNeverOpen(t *testing.T) {
	c := Israeli()
	for d := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
		c.Exceptions = append(c.Exceptions, Exception{Date: d.Format(time.DateOnly), Closed: true})
	}
	s := compile(t, c)
	from := at(t, "2026-03-01 10:00")
	if got := s.Add(from, time.Hour); !got.IsZero() {
		t.Errorf("Add with 670 closed days = %v, want the zero time", got)
	}
	if got := s.NextOpen(from); !got.IsZero() {
		t.Errorf("NextOpen with 670 closed days = %v, want the zero time", got)
	}
	// Between does not give up: it reaches the open days after the
	// exceptions.
	if got := s.Between(from, at(t, "2028-01-02 10:00")); got != 2*time.Hour {
		t.Errorf("Between across the closed years = %v, want 2h", got)
	}
	// A closed stretch shorter than the limit is crossed.
	c.Exceptions = c.Exceptions[:300]
	s = compile(t, c)
	if got, want := s.Add(from, time.Hour), at(t, "2026-10-28 09:00"); !got.Equal(want) {
		t.Errorf("Add across 300 closed days = %v, want %v", got, want)
	}
}

func TestBetween(t *testing.T) {
	israeli := compile(t, Israeli())
	tests := []struct {
		name     string
		from, to string
		want     time.Duration
	}{
		{"empty", "2026-06-02 09:00", "2026-06-02 09:00", 0},
		{"reversed", "2026-06-02 12:00", "2026-06-02 09:00", 0},
		{"within a span", "2026-06-02 09:00", "2026-06-02 12:30", 3*time.Hour + 30*time.Minute},
		{"closed hours only", "2026-06-02 17:00", "2026-06-03 08:00", 0},
		{"a weekend", "2026-06-05 12:00", "2026-06-07 09:00", 2 * time.Hour},
		{"a week", "2026-06-07 00:00", "2026-06-14 00:00", 50 * time.Hour},
		{"Rosh Hashana", "2026-09-06 00:00", "2026-09-15 00:00", (5*9 + 5 + 9) * time.Hour},
		{"Yom Kippur and Sukkot", "2026-09-20 00:00", "2026-10-04 00:00", (5 + 3*9 + 5 + 5*9 + 5) * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := israeli.Between(at(t, tt.from), at(t, tt.to)); got != tt.want {
				t.Errorf("Between(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestDaylightSaving(t *testing.T) {
	// Israel moves its clocks forward at 02:00 on Friday 27 March 2026 and
	// back at 02:00 on Sunday 25 October 2026.
	all := compile(t, allWeek())
	israeli := compile(t, Israeli())
	night := compile(t, nightShift())
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	between := []struct {
		name     string
		s        *Schedule
		from, to time.Time
		want     time.Duration
	}{
		{"24/7 March day", all, at(t, "2026-03-27 00:00"), at(t, "2026-03-28 00:00"), 23 * time.Hour},
		{"24/7 October day", all, at(t, "2026-10-25 00:00"), at(t, "2026-10-26 00:00"), 25 * time.Hour},
		{"24/7 March days", all, at(t, "2026-03-26 00:00"), at(t, "2026-03-29 00:00"), 71 * time.Hour},
		{"24/7 across the switch", all, at(t, "2026-03-27 01:30"), at(t, "2026-03-27 03:30"), time.Hour},
		{"24/7 the repeated hour", all, utc("2026-10-24 22:00"), utc("2026-10-25 00:00"), 2 * time.Hour},
		{"default March", israeli, at(t, "2026-03-26 12:00"), at(t, "2026-03-29 12:00"), 14 * time.Hour},
		{"default October", israeli, at(t, "2026-10-23 12:00"), at(t, "2026-10-25 09:00"), 2 * time.Hour},
		// 01:00 to 04:00 on the March day is 01:00 winter time to 04:00
		// summer time: two real hours.
		{"night shift March", night, at(t, "2026-03-27 00:00"), at(t, "2026-03-27 12:00"), 2 * time.Hour},
	}
	for _, tt := range between {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Between(tt.from, tt.to); got != tt.want {
				t.Errorf("Between(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
	add := []struct {
		name string
		s    *Schedule
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"24/7 March", all, at(t, "2026-03-27 00:00"), 24 * time.Hour, at(t, "2026-03-28 01:00")},
		{"24/7 October", all, at(t, "2026-10-25 00:00"), 24 * time.Hour, at(t, "2026-10-25 23:00")},
		{"24/7 through the gap", all, at(t, "2026-03-27 01:30"), time.Hour, utc("2026-03-27 00:30")},
		{"24/7 through the repeated hour", all, utc("2026-10-24 21:30"), 2 * time.Hour, utc("2026-10-24 23:30")},
		// Summer time begins overnight: Friday 10:00 is 07:00 UTC, where
		// Thursday 16:00 was 14:00 UTC.
		{"default March", israeli, at(t, "2026-03-26 16:00"), 3 * time.Hour, utc("2026-03-27 07:00")},
		{"default October", israeli, at(t, "2026-10-23 12:00"), 2 * time.Hour, utc("2026-10-25 07:00")},
		{"default October before", israeli, at(t, "2026-10-22 16:00"), 3 * time.Hour, utc("2026-10-23 07:00")},
	}
	for _, tt := range add {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Add(tt.from, tt.d); !got.Equal(tt.want) {
				t.Errorf("Add(%v, %v) = %v, want %v", tt.from, tt.d, got, tt.want)
			}
		})
	}
}

func TestHours(t *testing.T) {
	israeli := compile(t, Israeli())
	exceptions := compile(t, withExceptions())
	day := []Span{span(hm(8, 0), hm(17, 0))}
	short := []Span{span(hm(8, 0), hm(13, 0))}
	tests := []struct {
		s     *Schedule
		date  string
		spans []Span
		why   string
	}{
		{israeli, "2026-06-07 12:00", day, ""},
		{israeli, "2026-06-05 12:00", short, ""},
		{israeli, "2026-06-06 12:00", nil, ""},
		{israeli, "2026-09-11 00:00", short, "erev_rosh_hashana"},
		{israeli, "2026-09-12 23:59", nil, "rosh_hashana_1"},
		{israeli, "2026-09-13 12:00", nil, "rosh_hashana_2"},
		{israeli, "2026-09-20 12:00", short, "erev_yom_kippur"},
		{israeli, "2026-09-21 12:00", nil, "yom_kippur"},
		{israeli, "2026-10-02 12:00", short, "hoshana_raba"},
		{israeli, "2026-10-03 12:00", nil, "shmini_atzeret"},
		{israeli, "2026-04-07 12:00", short, "erev_pesach_7"},
		{israeli, "2026-04-21 12:00", short, "yom_hazikaron"},
		{israeli, "2026-04-22 12:00", nil, "yom_haatzmaut"},
		{israeli, "2026-05-21 12:00", short, "erev_shavuot"},
		{israeli, "2026-05-22 12:00", nil, "shavuot"},
		// Erev Pesach 5785 is a Saturday: an eve does not open a day off.
		{israeli, "2025-04-12 12:00", nil, ""},
		{exceptions, "2026-06-06 12:00", []Span{span(hm(10, 0), hm(14, 0))}, "exception"},
		{exceptions, "2026-12-24 12:00", nil, "exception"},
		{exceptions, "2026-09-21 12:00", []Span{span(hm(20, 0), hm(23, 0))}, "exception"},
	}
	for _, tt := range tests {
		spans, why := tt.s.Hours(at(t, tt.date))
		if diff := cmp.Diff(tt.spans, spans); diff != "" || why != tt.why {
			t.Errorf("Hours(%s): why %q, want %q; spans (-want +got):\n%s", tt.date, why, tt.why, diff)
		}
	}
	// The spans returned are a copy.
	spans, _ := israeli.Hours(at(t, "2026-06-07 12:00"))
	spans[0].To = hm(9, 0)
	if again, _ := israeli.Hours(at(t, "2026-06-07 12:00")); again[0].To != hm(17, 0) {
		t.Errorf("changing the result of Hours changed the schedule: %v", again)
	}
	// Hours reads the day in the schedule's zone: 22:00 UTC on Saturday is
	// already Sunday in Jerusalem.
	if spans, _ := israeli.Hours(time.Date(2026, time.June, 6, 22, 0, 0, 0, time.UTC)); len(spans) != 1 {
		t.Errorf("Hours(Saturday 22:00 UTC) = %v, want Sunday's hours", spans)
	}
}

func TestOpenAndNextOpen(t *testing.T) {
	israeli := compile(t, Israeli())
	tests := []struct {
		now  string
		open bool
		next string
	}{
		{"2026-06-07 07:59", false, "2026-06-07 08:00"},
		{"2026-06-07 08:00", true, "2026-06-07 08:00"},
		{"2026-06-07 16:59", true, "2026-06-07 16:59"},
		{"2026-06-07 17:00", false, "2026-06-08 08:00"},
		{"2026-06-05 13:00", false, "2026-06-07 08:00"},
		{"2026-06-06 10:00", false, "2026-06-07 08:00"},
		{"2026-09-20 13:30", false, "2026-09-22 08:00"},
		{"2026-09-11 12:00", true, "2026-09-11 12:00"},
		{"2026-09-11 14:00", false, "2026-09-14 08:00"},
	}
	for _, tt := range tests {
		now := at(t, tt.now)
		if got := israeli.Open(now); got != tt.open {
			t.Errorf("Open(%s) = %v, want %v", tt.now, got, tt.open)
		}
		if got, want := israeli.NextOpen(now), at(t, tt.next); !got.Equal(want) {
			t.Errorf("NextOpen(%s) = %v, want %v", tt.now, got.In(jerusalem), tt.next)
		}
	}
}

// TestAddBetweenProperty checks that Between undoes Add for many random
// instants and durations, on calendars with holidays, exceptions and spans
// across the daylight saving switches.
func TestAddBetweenProperty(t *testing.T) {
	calendars := map[string]Calendar{
		"israeli":    Israeli(),
		"24/7":       allWeek(),
		"night":      nightShift(),
		"exceptions": withExceptions(),
	}
	rng := rand.New(rand.NewPCG(20260912, 5787))
	start := time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)
	const window = 3 * 365 * 24 * time.Hour
	for name, c := range calendars {
		s := compile(t, c)
		for i := range 3000 {
			from := start.Add(time.Duration(rng.Int64N(int64(window))))
			// Mostly up to ten business days, sometimes up to forty.
			limit := 90 * time.Hour
			if i%10 == 0 {
				limit = 400 * time.Hour
			}
			d := time.Duration(rng.Int64N(int64(limit))) + 1
			to := s.Add(from, d)
			if to.IsZero() || to.Before(from) {
				t.Fatalf("%s: Add(%v, %v) = %v", name, from, d, to)
			}
			if got := s.Between(from, to); got != d {
				t.Fatalf("%s: Between(%v, Add(%v, %v) = %v) = %v", name, from, from, d, to, got)
			}
			// Nothing is open between from and the next opening, and the
			// instant Add returns is at work or the end of a span.
			if next := s.NextOpen(from); s.Between(from, next) != 0 || !s.Open(next) {
				t.Fatalf("%s: NextOpen(%v) = %v, which is not the next opening", name, from, next)
			}
			if !s.Open(to) && !s.Open(to.Add(-time.Nanosecond)) {
				t.Fatalf("%s: Add(%v, %v) = %v, which is not in or at the end of open time", name, from, d, to)
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s := compile(t, Israeli())
	var wg sync.WaitGroup
	results := make([]time.Time, 16)
	for i := range results {
		wg.Go(func() {
			// Each goroutine walks into years the others are caching too.
			from := time.Date(2030+i%4, time.March, 1, 9, 0, 0, 0, jerusalem)
			results[i] = s.Add(from, 2000*time.Hour)
		})
	}
	wg.Wait()
	for i, got := range results {
		from := time.Date(2030+i%4, time.March, 1, 9, 0, 0, 0, jerusalem)
		if want := s.Add(from, 2000*time.Hour); !got.Equal(want) {
			t.Errorf("goroutine %d: %v, want %v", i, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Calendar)
		want   []Problem
	}{
		{"the default", func(*Calendar) {}, nil},
		{"touching spans", func(c *Calendar) {
			c.Week[1] = []Span{span(hm(8, 0), hm(12, 0)), span(hm(12, 0), endOfDay)}
		}, nil},
		{"unknown zone", func(c *Calendar) { c.TimeZone = "Asia/Atlantis" }, []Problem{
			{"time_zone", `unknown time zone "Asia/Atlantis"`},
		}},
		{"no zone", func(c *Calendar) { c.TimeZone = "" }, []Problem{{"time_zone", "a time zone is required"}}},
		{"Local", func(c *Calendar) { c.TimeZone = "Local" }, []Problem{
			{"time_zone", "must be an IANA time zone name, not Local"},
		}},
		{"reversed span", func(c *Calendar) { c.Week[5] = []Span{span(hm(13, 0), hm(8, 0))} }, []Problem{
			{"week[5][0].to", "08:00 is not after the start 13:00"},
		}},
		{"empty span", func(c *Calendar) { c.Week[0] = []Span{span(hm(8, 0), hm(8, 0))} }, []Problem{
			{"week[0][0].to", "08:00 is not after the start 08:00"},
		}},
		{"overlapping spans", func(c *Calendar) {
			c.Week[1] = []Span{span(hm(8, 0), hm(12, 0)), span(hm(11, 0), hm(17, 0))}
		}, []Problem{
			{"week[1][1].from", "11:00 is before the end 12:00 of the span before it; spans must be sorted and not overlap"},
		}},
		{"unsorted spans", func(c *Calendar) {
			c.Week[2] = []Span{span(hm(13, 0), hm(17, 0)), span(hm(8, 0), hm(12, 0))}
		}, []Problem{
			{"week[2][1].from", "08:00 is before the end 17:00 of the span before it; spans must be sorted and not overlap"},
		}},
		{"out of range", func(c *Calendar) { c.Week[3] = []Span{span(-1, endOfDay+1)} }, []Problem{
			{"week[3][0].from", "Clock(-1) is not a start time from 00:00 to 23:59"},
			{"week[3][0].to", "Clock(1441) is not an end time from 00:01 to 24:00"},
		}},
		{"starts at 24:00", func(c *Calendar) { c.Week[4] = []Span{span(endOfDay, endOfDay)} }, []Problem{
			{"week[4][0].from", "24:00 is not a start time from 00:00 to 23:59"},
		}},
		{"no open day", func(c *Calendar) { c.Week = [7][]Span{} }, []Problem{
			{"week", "no day of the week has open hours"},
		}},
		{"eve hours", func(c *Calendar) { c.EveHours = []Span{span(hm(13, 0), hm(12, 0))} }, []Problem{
			{"eve_hours[0].to", "12:00 is not after the start 13:00"},
		}},
		{"exceptions", func(c *Calendar) {
			c.Exceptions = []Exception{
				{Date: "2026-12-24", Closed: true},
				{Date: "24/12/2026", Closed: true},
				{Date: "2026-02-30", Closed: true},
				{Date: "2026-12-24", Hours: []Span{span(hm(9, 0), hm(12, 0))}},
				{Date: "2026-12-25"},
				{Date: "2026-12-27", Closed: true, Hours: []Span{span(hm(9, 0), hm(12, 0))}},
				{Date: "2026-12-28", Hours: []Span{span(hm(12, 0), hm(9, 0))}},
			}
		}, []Problem{
			{"exceptions[1].date", `"24/12/2026" is not a date YYYY-MM-DD`},
			{"exceptions[2].date", `"2026-02-30" is not a date YYYY-MM-DD`},
			{"exceptions[3].date", "2026-12-24 is already the date of exceptions[0]"},
			{"exceptions[4].hours", "an open day needs hours; a day off is closed"},
			{"exceptions[5].hours", "a day closed all day has no hours"},
			{"exceptions[6].hours[0].to", "09:00 is not after the start 12:00"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Israeli()
			tt.change(&c)
			if diff := cmp.Diff(tt.want, c.Validate()); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
			s, err := c.Compile()
			if (err == nil) != (tt.want == nil) || (s == nil) == (err == nil) {
				t.Errorf("Compile = %v, %v; want an error exactly when Validate finds problems", s, err)
			}
		})
	}
}

func TestCompileCopies(t *testing.T) {
	c := Israeli()
	s := compile(t, c)
	c.Week[0][0].To = hm(9, 0)
	c.EveHours[0].To = hm(9, 0)
	if spans, _ := s.Hours(at(t, "2026-06-07 12:00")); spans[0].To != hm(17, 0) {
		t.Errorf("editing the calendar after Compile changed the schedule: %v", spans)
	}
}

func TestIsraeliJSON(t *testing.T) {
	got, err := json.MarshalIndent(Israeli(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const golden = "testdata/israeli.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Israeli() as JSON (-golden +got):\n%s", cmp.Diff(string(want), string(got)))
	}
	var back Calendar
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Israeli(), back); diff != "" {
		t.Errorf("golden read back (-Israeli() +read):\n%s", diff)
	}
}

func TestExceptionJSON(t *testing.T) {
	c := withExceptions()
	data, err := json.Marshal(c.Exceptions)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"date":"2026-06-06","hours":[{"from":"10:00","to":"14:00"}],"note":"stocktaking"},` +
		`{"date":"2026-12-24","closed":true,"note":"team day"},` +
		`{"date":"2026-09-21","hours":[{"from":"20:00","to":"23:00"}]}]`
	if string(data) != want {
		t.Errorf("exceptions as JSON:\n got %s\nwant %s", data, want)
	}
	var back []Exception
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Exceptions, back); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func TestClockText(t *testing.T) {
	good := []struct {
		text string
		want Clock
	}{
		{"00:00", 0},
		{"08:00", 480},
		{"13:37", 817},
		{"23:59", 1439},
		{"24:00", 1440},
	}
	for _, tt := range good {
		var c Clock
		if err := c.UnmarshalText([]byte(tt.text)); err != nil || c != tt.want {
			t.Errorf("UnmarshalText(%q) = %d, %v; want %d", tt.text, c, err, tt.want)
		}
		if out, err := tt.want.MarshalText(); err != nil || string(out) != tt.text {
			t.Errorf("MarshalText(%d) = %q, %v; want %q", tt.want, out, err, tt.text)
		}
		if s := tt.want.String(); s != tt.text {
			t.Errorf("String(%d) = %q, want %q", tt.want, s, tt.text)
		}
	}
	for _, text := range []string{"", "8:00", "08:0", "0800", "08.00", "24:01", "25:00", "12:60", "-1:00", "08:00 ", "１２:00"} {
		var c Clock
		if err := c.UnmarshalText([]byte(text)); err == nil {
			t.Errorf("UnmarshalText(%q) = %d, want an error", text, c)
		}
	}
	for _, c := range []Clock{-1, 1441} {
		if _, err := c.MarshalText(); err == nil {
			t.Errorf("MarshalText(%d) succeeded, want an error", c)
		}
	}
	var s Span
	if err := json.Unmarshal([]byte(`{"from":8,"to":"17:00"}`), &s); err == nil {
		t.Errorf("a number for a clock was accepted: %+v", s)
	}
}

// benchmarkInputs returns instants spread over two years and durations of
// up to ten business days.
func benchmarkInputs() ([]time.Time, []time.Duration) {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	froms := make([]time.Time, 1024)
	ds := make([]time.Duration, len(froms))
	for i := range froms {
		froms[i] = start.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour))))
		ds[i] = time.Duration(rng.Int64N(int64(90*time.Hour))) + 1
	}
	return froms, ds
}

func BenchmarkAdd(b *testing.B) {
	s := compile(b, Israeli())
	froms, ds := benchmarkInputs()
	for i := 0; b.Loop(); i++ {
		s.Add(froms[i%len(froms)], ds[i%len(ds)])
	}
}

func BenchmarkBetween(b *testing.B) {
	s := compile(b, Israeli())
	froms, ds := benchmarkInputs()
	tos := make([]time.Time, len(froms))
	for i := range froms {
		tos[i] = s.Add(froms[i], ds[i])
	}
	for i := 0; b.Loop(); i++ {
		s.Between(froms[i%len(froms)], tos[i%len(tos)])
	}
}

func ExampleSchedule_Add() {
	s, err := Israeli().Compile()
	if err != nil {
		panic(err)
	}
	loc, _ := time.LoadLocation("Asia/Jerusalem")
	// Two business hours from Friday noon: one on Friday, one on Sunday.
	due := s.Add(time.Date(2026, time.June, 5, 12, 0, 0, 0, loc), 2*time.Hour)
	fmt.Println(due.Format("Mon 2006-01-02 15:04"))
	// Output: Sun 2026-06-07 09:00
}
