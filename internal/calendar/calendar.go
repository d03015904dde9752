// Package calendar describes when a team works, so that SLA targets can be
// measured in business time: "first reply within 4 hours" means four hours in
// which the team was at work, not four hours on the wall clock.
//
// A Calendar is the stored, editable description: a time zone, the open
// spans of each weekday, whether Israeli holidays are observed, the hours of
// a holiday eve and dated exceptions. It is plain data that travels as JSON
// and is checked by Validate. Compile turns it into a Schedule, which answers
// the questions the desk asks: is the team open now, when does it next open,
// when will so much business time have passed, and how much business time lay
// between two instants.
//
// Working hours are wall-clock times of the team's zone. Every span edge is
// placed on the time line through time.Date in that zone, so a day on which
// daylight saving time starts or ends is handled: a span from 00:00 to 24:00
// lasts 23 or 25 real hours on such a day, and the Schedule counts the real
// time that elapses, because that is what a customer waits.
package calendar

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"kesher/internal/hebcal"
)

// Clock is a wall-clock time of day as minutes after midnight, from 0
// (00:00) to 1440 (24:00). 24:00 exists so that a span can run to the end of
// the day; it is valid only as the end of a span. In JSON and in String it is
// written "HH:MM".
type Clock int

// endOfDay is 24:00, the largest Clock.
const endOfDay Clock = 24 * 60

// String returns c as "HH:MM", or "Clock(n)" when c is out of range.
func (c Clock) String() string {
	if c < 0 || c > endOfDay {
		return fmt.Sprintf("Clock(%d)", int(c))
	}
	return fmt.Sprintf("%02d:%02d", c/60, c%60)
}

// MarshalText writes c as "HH:MM". It fails for a Clock out of range, so
// that a bad value is not stored as text that cannot be read back.
func (c Clock) MarshalText() ([]byte, error) {
	if c < 0 || c > endOfDay {
		return nil, fmt.Errorf("calendar: clock %d is outside 00:00-24:00", int(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText reads "HH:MM" with two digits each, from "00:00" to
// "24:00". The strict form keeps stored calendars in one spelling.
func (c *Clock) UnmarshalText(text []byte) error {
	s := string(text)
	bad := fmt.Errorf("calendar: clock %q is not a time HH:MM from 00:00 to 24:00", s)
	if len(s) != 5 || s[2] != ':' {
		return bad
	}
	digits := [4]int{}
	for i, at := range [4]int{0, 1, 3, 4} {
		ch := s[at]
		if ch < '0' || ch > '9' {
			return bad
		}
		digits[i] = int(ch - '0')
	}
	h, m := digits[0]*10+digits[1], digits[2]*10+digits[3]
	if m > 59 || h > 24 || h == 24 && m != 0 {
		return bad
	}
	*c = Clock(h*60 + m)
	return nil
}

// Span is an open period within one day, From inclusive and To exclusive.
// From must be before To.
type Span struct {
	From Clock `json:"from"`
	To   Clock `json:"to"`
}

// Exception changes the hours of one civil date, for a team offsite, a
// strike, or a holiday the team keeps differently from the Israeli rules.
type Exception struct {
	// Date is the civil date, "2026-12-24".
	Date string `json:"date"`
	// Closed closes the team for the whole day; otherwise it is open during
	// Hours, which must then not be empty.
	Closed bool   `json:"closed,omitempty"`
	Hours  []Span `json:"hours,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Calendar is a team's working hours as stored and edited.
type Calendar struct {
	// TimeZone is the IANA name of the zone the hours are read in, such as
	// "Asia/Jerusalem".
	TimeZone string `json:"time_zone"`
	// Week holds the open spans of each weekday, indexed by time.Weekday
	// (0 is Sunday), sorted and not overlapping. An empty day is closed.
	Week [7][]Span `json:"week"`
	// Holidays observes the Israeli holidays of package hebcal: the team is
	// closed on their closed days and works EveHours on their eves.
	Holidays bool `json:"holidays"`
	// EveHours are the hours of a holiday eve that falls on a day the week
	// has open. An eve on a day the week has closed (an eve on a Saturday)
	// stays closed, because an eve shortens a working day and never opens a
	// day off. Empty EveHours close the team on eves.
	EveHours []Span `json:"eve_hours"`
	// Exceptions override the week and the holidays on their dates.
	Exceptions []Exception `json:"exceptions"`
}

// Israeli returns the usual hours of an Israeli office: Sunday to Thursday
// 08:00-17:00, Friday 08:00-13:00, closed on Saturday and on holidays, and
// 08:00-13:00 on holiday eves.
func Israeli() Calendar {
	day := func() []Span { return []Span{{From: 8 * 60, To: 17 * 60}} }
	short := func() []Span { return []Span{{From: 8 * 60, To: 13 * 60}} }
	// Every day gets its own slice so that editing one day of the returned
	// value cannot change another; the empty ones are non-nil so that they
	// read as [] rather than null in JSON.
	return Calendar{
		TimeZone:   "Asia/Jerusalem",
		Week:       [7][]Span{day(), day(), day(), day(), day(), short(), {}},
		Holidays:   true,
		EveHours:   short(),
		Exceptions: []Exception{},
	}
}

// Problem is one thing Validate found wrong. Field names the offending value
// in the JSON form, such as "week[5][0].to", "exceptions[2].date" or
// "time_zone", so that a form can show the message next to it.
type Problem struct {
	Field   string
	Message string
}

// Validate returns the problems that stop c from being compiled, or nil.
func (c Calendar) Validate() []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case c.TimeZone == "":
		add("time_zone", "a time zone is required")
	case c.TimeZone == "Local":
		// LoadLocation accepts "Local", but it names the server's zone,
		// which can differ from the team's and change with a move.
		add("time_zone", "must be an IANA time zone name, not Local")
	default:
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			add("time_zone", "unknown time zone %q", c.TimeZone)
		}
	}
	open := false
	for wd, spans := range c.Week {
		checkSpans(fmt.Sprintf("week[%d]", wd), spans, add)
		open = open || len(spans) > 0
	}
	if !open {
		// A week without open hours would leave Add searching forever, and
		// it is never what a team means.
		add("week", "no day of the week has open hours")
	}
	checkSpans("eve_hours", c.EveHours, add)
	seen := map[string]int{}
	for i, e := range c.Exceptions {
		field := fmt.Sprintf("exceptions[%d]", i)
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			add(field+".date", "%q is not a date YYYY-MM-DD", e.Date)
		} else if j, dup := seen[e.Date]; dup {
			add(field+".date", "%s is already the date of exceptions[%d]", e.Date, j)
		} else {
			seen[e.Date] = i
		}
		switch {
		case e.Closed && len(e.Hours) > 0:
			add(field+".hours", "a day closed all day has no hours")
		case !e.Closed && len(e.Hours) == 0:
			add(field+".hours", "an open day needs hours; a day off is closed")
		}
		checkSpans(field+".hours", e.Hours, add)
	}
	return ps
}

// checkSpans reports the problems of the spans of one day: edges out of
// range, empty or reversed spans, and spans that are unsorted or overlap.
// Touching spans (12:00-13:00 and 13:00-17:00) are allowed.
func checkSpans(field string, spans []Span, add func(field, format string, args ...any)) {
	for i, s := range spans {
		at := fmt.Sprintf("%s[%d]", field, i)
		ok := true
		if s.From < 0 || s.From >= endOfDay {
			add(at+".from", "%v is not a start time from 00:00 to 23:59", s.From)
			ok = false
		}
		if s.To <= 0 || s.To > endOfDay {
			add(at+".to", "%v is not an end time from 00:01 to 24:00", s.To)
			ok = false
		}
		if !ok {
			continue
		}
		if s.From >= s.To {
			add(at+".to", "%v is not after the start %v", s.To, s.From)
		}
		if i > 0 && s.From < spans[i-1].To {
			add(at+".from", "%v is before the end %v of the span before it; spans must be sorted and not overlap", s.From, spans[i-1].To)
		}
	}
}

// problems is the error of Compile: every problem Validate found.
type problems []Problem

func (ps problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Field + ": " + p.Message
	}
	return "calendar: " + strings.Join(parts, "; ")
}

// civil is a civil date, used as a map key and as the day cursor.
type civil struct {
	y int
	m time.Month
	d int
}

// next returns the following day.
func (c civil) next() civil {
	c.d++
	if c.d > daysIn(c.y, c.m) {
		c.d = 1
		if c.m++; c.m > time.December {
			c.m = time.January
			c.y++
		}
	}
	return c
}

// daysIn returns the length of a month of the proleptic Gregorian calendar;
// the day cursor uses it instead of time.Date to stay cheap.
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// maxIdleDays bounds the search for open time. Compile guarantees that the
// week has open hours, but exceptions can close any number of days, and a
// search must end.
const maxIdleDays = 400

// Schedule is a compiled Calendar. It is safe for concurrent use.
type Schedule struct {
	loc        *time.Location
	week       [7][]Span
	observe    bool
	eve        []Span
	exceptions map[civil][]Span // nil spans: closed
	// years caches the Israeli holidays of a civil year by date, as
	// map[civil]hebcal.Holiday, computed on first use. The maps are never
	// written after they are stored, so readers need no lock.
	years sync.Map
}

// Compile checks c and returns its Schedule. The error lists every problem
// Validate finds.
func (c Calendar) Compile() (*Schedule, error) {
	if ps := c.Validate(); len(ps) > 0 {
		return nil, problems(ps)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, err // Validate has loaded the zone already; this is not expected
	}
	// The spans are copied so that later edits of c do not reach the
	// Schedule, which other goroutines may be reading.
	s := &Schedule{
		loc:        loc,
		observe:    c.Holidays,
		eve:        clone(c.EveHours),
		exceptions: map[civil][]Span{},
	}
	for wd, spans := range c.Week {
		s.week[wd] = clone(spans)
	}
	for _, e := range c.Exceptions {
		at, err := time.Parse(time.DateOnly, e.Date)
		if err != nil {
			return nil, fmt.Errorf("calendar: %w", err) // Validate parsed it already
		}
		var spans []Span
		if !e.Closed {
			spans = clone(e.Hours)
		}
		y, m, d := at.Date()
		s.exceptions[civil{y, m, d}] = spans
	}
	return s, nil
}

func clone(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
	}
	return append([]Span(nil), spans...)
}

// holidays returns the Israeli holidays of civil year y by date.
func (s *Schedule) holidays(y int) map[civil]hebcal.Holiday {
	if v, ok := s.years.Load(y); ok {
		return v.(map[civil]hebcal.Holiday)
	}
	byDate := map[civil]hebcal.Holiday{}
	for _, h := range hebcal.IsraeliHolidays(y) {
		byDate[civil{h.Year, h.Month, h.Day}] = h
	}
	// Two goroutines may compute the same year; both results are equal and
	// the first one stored wins.
	v, _ := s.years.LoadOrStore(y, byDate)
	return v.(map[civil]hebcal.Holiday)
}

// yearCache remembers the holidays of the last civil year a walk asked for,
// so that a walk over many days consults s.years once per year, not once per
// day.
type yearCache struct {
	y      int
	byDate map[civil]hebcal.Holiday
}

// plan returns the spans of a civil day and why they apply, as Hours
// describes. The returned slice is shared and must not be modified.
func (s *Schedule) plan(day civil, wd time.Weekday, cache *yearCache) ([]Span, string) {
	if len(s.exceptions) > 0 {
		if spans, ok := s.exceptions[day]; ok {
			return spans, "exception"
		}
	}
	if s.observe {
		if cache.byDate == nil || cache.y != day.y {
			cache.y, cache.byDate = day.y, s.holidays(day.y)
		}
		if h, ok := cache.byDate[day]; ok {
			switch {
			case h.Kind == hebcal.Closed:
				return nil, h.Key
			case h.Kind == hebcal.Eve && len(s.week[wd]) > 0:
				return s.eve, h.Key
			}
		}
	}
	return s.week[wd], ""
}

// edge returns the instant of clock c on a civil day in s's zone. 24:00 is
// normalized by time.Date to midnight of the next day.
func (s *Schedule) edge(day civil, c Clock) time.Time {
	return time.Date(day.y, day.m, day.d, int(c/60), int(c%60), 0, 0, s.loc)
}

// Hours returns the open spans of the civil day that contains date in s's
// zone, and why: "" for the weekly pattern, the hebcal holiday key (such as
// "yom_kippur" or "erev_pesach") when a holiday or eve set the hours, and
// "exception" when an exception did. A nil result means closed all day.
func (s *Schedule) Hours(date time.Time) (spans []Span, why string) {
	t := date.In(s.loc)
	y, m, d := t.Date()
	spans, why = s.plan(civil{y, m, d}, t.Weekday(), &yearCache{})
	return clone(spans), why
}

// cursor walks the open intervals of a Schedule in time order, day by day,
// from the civil day of an instant.
type cursor struct {
	s     *Schedule
	day   civil
	wd    time.Weekday
	spans []Span
	i     int
	last  time.Time // end of the previous interval
	idle  int       // days in a row without open spans
	limit int       // idle days after which next gives up
	years yearCache
}

func (s *Schedule) cursor(t time.Time, limit int) cursor {
	local := t.In(s.loc)
	y, m, d := local.Date()
	c := cursor{s: s, day: civil{y, m, d}, wd: local.Weekday(), limit: limit}
	c.spans, _ = s.plan(c.day, c.wd, &c.years)
	return c
}

// next returns the next open interval [a, b), or ok false after limit days
// in a row without open spans. The intervals never overlap and never go
// back in time, even where a daylight saving switch makes a span edge
// ambiguous or skips it; such an interval may be empty.
func (c *cursor) next() (a, b time.Time, ok bool) {
	for c.i >= len(c.spans) {
		c.day, c.wd, c.i = c.day.next(), (c.wd+1)%7, 0
		c.spans, _ = c.s.plan(c.day, c.wd, &c.years)
		if len(c.spans) > 0 {
			c.idle = 0
		} else if c.idle++; c.idle > c.limit {
			return time.Time{}, time.Time{}, false
		}
	}
	sp := c.spans[c.i]
	c.i++
	a, b = c.s.edge(c.day, sp.From), c.s.edge(c.day, sp.To)
	if a.Before(c.last) {
		a = c.last
	}
	if b.Before(a) {
		b = a
	}
	c.last = b
	return a, b, true
}

// Open reports whether the team is at work at instant t.
func (s *Schedule) Open(t time.Time) bool {
	c := s.cursor(t, 0)
	for c.i < len(c.spans) {
		a, b, _ := c.next()
		if !t.Before(a) && t.Before(b) {
			return true
		}
	}
	return false
}

// NextOpen returns t if the team is at work at t, and otherwise the start of
// the next open span, in t's location. It returns the zero time if nothing
// opens within 400 days, which only a calendar whose exceptions close more
// than a year can cause.
func (s *Schedule) NextOpen(t time.Time) time.Time {
	c := s.cursor(t, maxIdleDays)
	for {
		a, b, ok := c.next()
		switch {
		case !ok:
			return time.Time{}
		case !b.After(t) || !b.After(a):
			continue
		case !a.After(t):
			return t
		default:
			return a.In(t.Location())
		}
	}
}

// Add returns the instant at which d of open time has passed since from, in
// from's location. Counting starts at from if the team is at work then, and
// at the next opening otherwise; when d runs out exactly at the end of a span
// the end of that span is returned, not the next opening. A d of zero or less
// returns from. Add returns the zero time if nothing opens for 400 days in a
// row before d is used up, which only a calendar whose exceptions close more
// than a year can cause; Compile rejects a week without open hours.
func (s *Schedule) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	c := s.cursor(from, maxIdleDays)
	for {
		a, b, ok := c.next()
		if !ok {
			return time.Time{}
		}
		if !b.After(from) {
			continue
		}
		if a.Before(from) {
			a = from
		}
		if avail := b.Sub(a); d > avail {
			d -= avail
			continue
		}
		return a.Add(d).In(from.Location())
	}
}

// Between returns the open time in [from, to), counted in real elapsed time,
// so that an open day on which daylight saving time starts counts 23 hours.
// It returns 0 if to is not after from.
func (s *Schedule) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	// The cursor must not give up inside the range, however long the
	// calendar stays closed, so it gets no limit. It still stops: the week
	// has open hours, and only the finitely many exceptions and the
	// holidays, which never close more than a few days in a row, can close
	// a day the week has open.
	c := s.cursor(from, math.MaxInt)
	var total time.Duration
	for {
		a, b, ok := c.next()
		if !ok || !a.Before(to) {
			return total
		}
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			total += b.Sub(a)
		}
	}
}
