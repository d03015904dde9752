package i18n

import (
	"strconv"
	"strings"
	"time"
)

// Number writes n with a comma between thousands. Israeli usage groups
// digits with a comma like English, so both languages write 1,234.
func (l *Locale) Number(n int) string { return group(strconv.Itoa(n)) }

// group inserts thousands separators into a decimal integer.
func group(digits string) string {
	sign := ""
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}
	if len(digits) <= 3 {
		return sign + digits
	}
	var b strings.Builder
	b.WriteString(sign)
	head := len(digits) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(digits[:head])
	for i := head; i < len(digits); i += 3 {
		b.WriteByte(',')
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// Date writes the calendar date of t in the locale's time zone: 23.11.2026
// in Hebrew, as Israelis write it, and 23 Nov 2026 in English, whose month
// name avoids the day/month order question. The Hebrew day and month are
// zero-padded so dates line up in list columns.
func (l *Locale) Date(t time.Time) string {
	if l.lang == Hebrew {
		return t.In(l.loc).Format("02.01.2006")
	}
	return t.In(l.loc).Format("2 Jan 2006")
}

// Time writes the time of day of t in the locale's time zone on the 24-hour
// clock, which both Israeli Hebrew and the desk's English use: 14:05.
func (l *Locale) Time(t time.Time) string { return t.In(l.loc).Format("15:04") }

// DateTime writes the date and the time of t, joined as the catalogue says.
func (l *Locale) DateTime(t time.Time) string {
	return l.T("time.date_time", "date", l.Date(t), "time", l.Time(t))
}

// Weekday writes the name of the day of the week of t in the locale's time
// zone.
func (l *Locale) Weekday(t time.Time) string {
	return l.T("weekday." + strings.ToLower(t.In(l.loc).Weekday().String()))
}

// Ago writes how long before now t was, compactly, for list rows: just now
// within a minute, minutes within the hour, hours on the same calendar day,
// "yesterday" on the day before, and the date after that. Days are calendar
// days in the locale's time zone, so an item from 23:50 seen at 08:00 is
// "yesterday" and not "8 h ago". A time more than a minute in the future is
// shown as its date, so a clock running ahead never reads as "just now".
func (l *Locale) Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < -time.Minute:
		return l.Date(t)
	case d < time.Minute:
		return l.T("time.just_now")
	case d < time.Hour:
		return l.N("time.minutes_ago", int(d/time.Minute))
	}
	ty, tm, td := t.In(l.loc).Date()
	ny, nm, nd := now.In(l.loc).Date()
	switch {
	case ty == ny && tm == nm && td == nd:
		return l.N("time.hours_ago", int(d/time.Hour))
	case time.Date(ty, tm, td+1, 0, 0, 0, 0, time.UTC).Equal(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)):
		return l.T("time.yesterday")
	}
	return l.Date(t)
}

// Duration writes a waiting time compactly, in its two largest units and
// rounded down, so a column of them compares at a glance: under a minute,
// 12 minutes, 3 h 5 min, 2 days 4 h. A zero second unit is left out. A
// negative duration counts as none.
func (l *Locale) Duration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return l.T("duration.less_than_minute")
	case d < time.Hour:
		return l.N("duration.minutes", int(d/time.Minute))
	case d < day:
		return l.pair("duration.hours", int(d/time.Hour), "duration.minutes", int(d%time.Hour/time.Minute))
	}
	return l.pair("duration.days", int(d/day), "duration.hours", int(d%day/time.Hour))
}

// pair writes a count in a large unit followed by a count in the next
// smaller one, leaving out the smaller one when it is zero.
func (l *Locale) pair(bigKey string, big int, smallKey string, small int) string {
	s := l.N(bigKey, big)
	if small == 0 {
		return s
	}
	return s + " " + l.N(smallKey, small)
}
