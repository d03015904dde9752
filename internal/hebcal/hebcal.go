// Package hebcal converts between civil (Gregorian) dates and dates of the
// fixed arithmetic Hebrew calendar, and lists the Israeli holidays that change
// a business's working hours. The desk uses it to know when a team is closed
// or works a short day, so that SLA targets are measured in the time a team
// really works.
//
// The calendar is the rule-based one in use since the fourth century, as set
// out by Dershowitz and Reingold in "Calendrical Calculations": days are
// counted as fixed day numbers (R.D., day 1 being Monday 1 January of year 1
// of the proleptic Gregorian calendar), a year begins at the molad of Tishrei
// moved by the postponement rules, and years 3, 6, 8, 11, 14, 17 and 19 of
// each 19-year cycle are leap years with a second Adar.
//
// IsraeliHolidays follows Israeli practice, not the diaspora's: Sukkot,
// Pesach and Shavuot last one day, and Shemini Atzeret and Simchat Torah are
// the same day, 22 Tishrei. It lists only days that matter for working hours:
//
//   - Closed days, on which businesses are closed by law or custom: both days
//     of Rosh Hashana (1 and 2 Tishrei), Yom Kippur (10 Tishrei), Sukkot
//     (15 Tishrei), Shemini Atzeret (22 Tishrei), the first and seventh days
//     of Pesach (15 and 21 Nisan), Shavuot (6 Sivan) and Yom Ha'atzmaut.
//   - Eves, which by Israeli practice are short working days that end around
//     midday: the eves of each of those holidays (29 Elul, 9, 14 and
//     21 Tishrei, the last being Hoshana Raba, 14 and 20 Nisan, 5 Sivan) and
//     Yom HaZikaron, the day before Yom Ha'atzmaut.
//
// Minor holidays, fasts and the intermediate days of Sukkot and Pesach are
// left out because most businesses work normal hours on them; a team that
// does not can say so with exceptions in its own calendar.
//
// Yom Ha'atzmaut is 5 Iyyar, moved so that neither it nor Yom HaZikaron
// touches the Sabbath: to Thursday 4 Iyyar when 5 Iyyar is a Friday, to
// Thursday 3 Iyyar when it is a Saturday, and to Tuesday 6 Iyyar when it is a
// Monday. The last rule dates from 2004, but it is applied to every year here,
// earlier ones included, because the package serves current and future
// schedules and one rule is easier to trust than a history of rules. For the
// same reason the list does not stop at the founding of the state in 1948.
package hebcal

import (
	"sort"
	"time"
)

// Month is a month of the Hebrew year, numbered as Dershowitz and Reingold
// number them: from Nisan, the first month of the biblical year, although the
// civil year number changes at Tishrei, the seventh.
type Month int

// The months of the Hebrew year. In a leap year Adar is Adar I, and AdarII
// follows it; in a common year there is no AdarII.
const (
	Nisan Month = iota + 1
	Iyyar
	Sivan
	Tamuz
	Av
	Elul
	Tishrei
	Cheshvan
	Kislev
	Tevet
	Shvat
	Adar
	AdarII
)

// Date is a day of the Hebrew calendar. Year is the year counted from
// creation (5787 begins in September 2026).
type Date struct {
	Year  int
	Month Month
	Day   int
}

// Fixed day numbers anchor the conversion. The Unix epoch, 1 January 1970,
// is R.D. 719163, which lets the time package do the Gregorian arithmetic.
// The Hebrew epoch, 1 Tishrei of year 1, is R.D. -1373427 (7 October 3761
// BCE in the Julian calendar).
const (
	unixEpochFixed   = 719163
	hebrewEpochFixed = -1373427
)

// fixedFromCivil returns the fixed day number of a civil date. Out-of-range
// months and days are normalized the way time.Date normalizes them.
func fixedFromCivil(year int, month time.Month, day int) int {
	// Midnight UTC is a whole number of days from the Unix epoch, so the
	// division is exact for dates before 1970 as well.
	return int(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix()/86400) + unixEpochFixed
}

// civilFromFixed is the inverse of fixedFromCivil.
func civilFromFixed(fixed int) (int, time.Month, int) {
	return time.Unix(int64(fixed-unixEpochFixed)*86400, 0).UTC().Date()
}

// floorDiv and floorMod round toward negative infinity, as the published
// formulas assume, so that years before the epoch stay consistent.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - b*floorDiv(a, b) }

// LeapYear reports whether Hebrew year y has thirteen months, which is the
// case for years 3, 6, 8, 11, 14, 17 and 19 of the 19-year cycle.
func LeapYear(y int) bool { return floorMod(7*y+1, 19) < 7 }

// elapsedDays is the number of days from the Hebrew epoch to the day of the
// molad of Tishrei of year y, postponed by a day when that day would be a
// Sunday, Wednesday or Friday, so that Yom Kippur never falls next to the
// Sabbath and Hoshana Raba never falls on it.
func elapsedDays(y int) int {
	// A lunar month is 29 days, 12 hours and 793 parts (of 1080 to the hour),
	// that is 29 days and 13753 parts of 25920 to the day; 12084 parts is the
	// molad of the epoch counted from the evening before it.
	months := floorDiv(235*y-234, 19)
	parts := 12084 + 13753*months
	days := 29*months + floorDiv(parts, 25920)
	if floorMod(3*(days+1), 7) < 3 {
		days++
	}
	return days
}

// newYear returns the fixed day of 1 Tishrei of Hebrew year y. The
// correction keeps every year at a length of 353-355 days, or 383-385 days in
// a leap year, which the molad alone would not guarantee.
func newYear(y int) int {
	prev, this, next := elapsedDays(y-1), elapsedDays(y), elapsedDays(y+1)
	switch {
	case next-this == 356:
		this += 2
	case this-prev == 382:
		this++
	}
	return hebrewEpochFixed + this
}

// year holds what the month arithmetic of one Hebrew year needs.
type year struct {
	number int
	start  int // fixed day of 1 Tishrei
	length int // days in the year
	leap   bool
}

func yearOf(y int) year {
	start := newYear(y)
	return year{number: y, start: start, length: newYear(y+1) - start, leap: LeapYear(y)}
}

// monthLength returns the days in month m, or 0 when the year has no such
// month. Cheshvan gains a day in a complete year (355 or 385 days) and Kislev
// loses one in a deficient year (353 or 383 days); that is how the year
// length is absorbed.
func (yr year) monthLength(m Month) int {
	switch m {
	case Iyyar, Tamuz, Elul, Tevet:
		return 29
	case Nisan, Sivan, Av, Tishrei, Shvat:
		return 30
	case Cheshvan:
		if yr.length%10 == 5 {
			return 30
		}
		return 29
	case Kislev:
		if yr.length%10 == 3 {
			return 29
		}
		return 30
	case Adar:
		if yr.leap {
			return 30
		}
		return 29
	case AdarII:
		if yr.leap {
			return 29
		}
	}
	return 0
}

// nextMonth returns the month after m in the order of the year, which runs
// from Tishrei through Adar (and Adar II) and then from Nisan to Elul.
func (yr year) nextMonth(m Month) Month {
	if m == Adar && !yr.leap || m == AdarII {
		return Nisan
	}
	return m + 1
}

// fixed returns the fixed day of day d of month m.
func (yr year) fixed(m Month, d int) int {
	days := yr.start
	for mm := Tishrei; mm != m && mm != Elul; mm = yr.nextMonth(mm) {
		days += yr.monthLength(mm)
	}
	return days + d - 1
}

// DaysInMonth returns the number of days in month m of Hebrew year y: 29 or
// 30, or 0 for AdarII in a common year and for months out of range.
func DaysInMonth(y int, m Month) int { return yearOf(y).monthLength(m) }

// fixed returns the fixed day number of d.
func (d Date) fixed() int { return yearOf(d.Year).fixed(d.Month, d.Day) }

// fromFixed returns the Hebrew date of a fixed day.
func fromFixed(fixed int) Date {
	// The mean year is 35975351/98496 days; the estimate is never more than
	// one year ahead of the truth, so at most two years are tried.
	y := floorDiv((fixed-hebrewEpochFixed)*98496, 35975351)
	for newYear(y+1) <= fixed {
		y++
	}
	yr := yearOf(y)
	off, m := fixed-yr.start, Tishrei
	for off >= yr.monthLength(m) {
		off -= yr.monthLength(m)
		m = yr.nextMonth(m)
	}
	return Date{Year: y, Month: m, Day: off + 1}
}

// FromCivil returns the Hebrew date of a civil date. The Hebrew day is taken
// to be the civil day, from midnight, not from the evening before as in
// religious use, because working hours follow the civil day. Out-of-range
// months and days are normalized as time.Date normalizes them.
func FromCivil(year int, month time.Month, day int) Date {
	return fromFixed(fixedFromCivil(year, month, day))
}

// Civil returns the civil date of d.
func (d Date) Civil() (year int, month time.Month, day int) {
	return civilFromFixed(d.fixed())
}

// Time returns midnight at the start of d's civil day in loc. Where a time
// zone skips midnight for daylight saving time, time.Date's normalization
// applies.
func (d Date) Time(loc *time.Location) time.Time {
	y, m, day := d.Civil()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}

// HolidayKind says how a holiday changes working hours.
type HolidayKind int

// The kinds start at 1 so that a zero Holiday is not taken for a closed day.
const (
	// Closed is a day of rest: businesses are closed.
	Closed HolidayKind = iota + 1
	// Eve is a holiday eve or Yom HaZikaron: a short working day.
	Eve
)

// Holiday is one day of IsraeliHolidays, by its civil date.
type Holiday struct {
	Year  int
	Month time.Month
	Day   int
	// Key is a stable ASCII name for the day, used to look up its
	// translation, such as "rosh_hashana_1" or "erev_pesach".
	Key  string
	Kind HolidayKind
}

// holidayRule places a holiday on a fixed day of the Hebrew year.
type holidayRule struct {
	month Month
	day   int
	key   string
	kind  HolidayKind
}

// israeliRules lists the holidays that keep their Hebrew date; Yom
// Ha'atzmaut and Yom HaZikaron move and are placed separately.
var israeliRules = []holidayRule{
	{Nisan, 14, "erev_pesach", Eve},
	{Nisan, 15, "pesach", Closed},
	{Nisan, 20, "erev_pesach_7", Eve},
	{Nisan, 21, "pesach_7", Closed},
	{Sivan, 5, "erev_shavuot", Eve},
	{Sivan, 6, "shavuot", Closed},
	{Elul, 29, "erev_rosh_hashana", Eve},
	{Tishrei, 1, "rosh_hashana_1", Closed},
	{Tishrei, 2, "rosh_hashana_2", Closed},
	{Tishrei, 9, "erev_yom_kippur", Eve},
	{Tishrei, 10, "yom_kippur", Closed},
	{Tishrei, 14, "erev_sukkot", Eve},
	{Tishrei, 15, "sukkot", Closed},
	{Tishrei, 21, "hoshana_raba", Eve},
	{Tishrei, 22, "shmini_atzeret", Closed},
}

// yomHaatzmaut returns the fixed day of Yom Ha'atzmaut in Hebrew year y.
func yomHaatzmaut(yr year) int {
	day := yr.fixed(Iyyar, 5)
	// Fixed day 0 is a Sunday, so floorMod(day, 7) is the weekday with
	// Sunday as 0, as in time.Weekday.
	switch time.Weekday(floorMod(day, 7)) {
	case time.Friday:
		return day - 1
	case time.Saturday:
		return day - 2
	case time.Monday:
		return day + 1
	}
	return day
}

// IsraeliHolidays returns the closed days and eves that fall in the civil
// year gregorianYear, sorted by date. The package comment says which days
// they are.
func IsraeliHolidays(gregorianYear int) []Holiday {
	first := fixedFromCivil(gregorianYear, time.January, 1)
	last := fixedFromCivil(gregorianYear, time.December, 31)
	var out []Holiday
	add := func(fixed int, key string, kind HolidayKind) {
		if fixed < first || fixed > last {
			return
		}
		y, m, d := civilFromFixed(fixed)
		out = append(out, Holiday{Year: y, Month: m, Day: d, Key: key, Kind: kind})
	}
	// A civil year holds the spring of Hebrew year gregorianYear+3760 and
	// the autumn of the next one; the neighbours are included so that the
	// bounds check above, not this arithmetic, decides what belongs.
	for hy := gregorianYear + 3759; hy <= gregorianYear+3761; hy++ {
		yr := yearOf(hy)
		for _, r := range israeliRules {
			add(yr.fixed(r.month, r.day), r.key, r.kind)
		}
		independence := yomHaatzmaut(yr)
		add(independence-1, "yom_hazikaron", Eve)
		add(independence, "yom_haatzmaut", Closed)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		return a.Day < b.Day
	})
	return out
}
