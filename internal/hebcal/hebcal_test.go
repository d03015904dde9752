package hebcal

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones must not depend on the machine's zoneinfo

	"github.com/google/go-cmp/cmp"
)

// fixtureLine is one line of testdata/israeli-holidays.tsv, which was
// produced by an independent implementation (see the file's first line).
type fixtureLine struct {
	Date string
	Key  string
}

func readFixture(t *testing.T) map[int][]fixtureLine {
	t.Helper()
	f, err := os.Open("testdata/israeli-holidays.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	years := map[int][]fixtureLine{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		date, key, ok := strings.Cut(line, "\t")
		at, err := time.Parse(time.DateOnly, date)
		if !ok || err != nil {
			t.Fatalf("line %d: %q is not DATE<TAB>key", n, line)
		}
		years[at.Year()] = append(years[at.Year()], fixtureLine{Date: date, Key: key})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(years) == 0 {
		t.Fatal("the fixture has no holidays")
	}
	return years
}

func TestIsraeliHolidaysMatchFixture(t *testing.T) {
	for year, want := range readFixture(t) {
		var got []fixtureLine
		for _, h := range IsraeliHolidays(year) {
			got = append(got, fixtureLine{
				Date: fmt.Sprintf("%04d-%02d-%02d", h.Year, h.Month, h.Day),
				Key:  h.Key,
			})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("IsraeliHolidays(%d) (-fixture +got):\n%s", year, diff)
		}
	}
}

func TestIsraeliHolidaysKinds(t *testing.T) {
	closed := map[string]bool{
		"rosh_hashana_1": true, "rosh_hashana_2": true, "yom_kippur": true,
		"sukkot": true, "shmini_atzeret": true, "pesach": true,
		"pesach_7": true, "shavuot": true, "yom_haatzmaut": true,
	}
	for year := 1990; year <= 2100; year++ {
		hs := IsraeliHolidays(year)
		if len(hs) != 17 {
			t.Errorf("IsraeliHolidays(%d) has %d days, want 17", year, len(hs))
		}
		for _, h := range hs {
			want := Eve
			if closed[h.Key] {
				want = Closed
			}
			if h.Kind != want || h.Year != year {
				t.Errorf("%d: %+v: want kind %d in year %d", year, h, want, year)
			}
		}
	}
}

func TestYomHaatzmautWeekday(t *testing.T) {
	// Neither Yom Ha'atzmaut nor Yom HaZikaron may touch the Sabbath, and
	// Yom HaZikaron may not be on a Sunday, so the day is always a Tuesday,
	// Wednesday or Thursday.
	for year := 1990; year <= 2200; year++ {
		for _, h := range IsraeliHolidays(year) {
			if h.Key != "yom_haatzmaut" {
				continue
			}
			wd := time.Date(h.Year, h.Month, h.Day, 0, 0, 0, 0, time.UTC).Weekday()
			if wd != time.Tuesday && wd != time.Wednesday && wd != time.Thursday {
				t.Errorf("%d: Yom Ha'atzmaut on %v %d-%02d-%02d", year, wd, h.Year, h.Month, h.Day)
			}
		}
	}
}

func TestCivilRoundTrip(t *testing.T) {
	day := time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2100, time.December, 31, 0, 0, 0, 0, time.UTC)
	prev := FromCivil(1899, time.December, 31)
	for ; !day.After(end); day = day.AddDate(0, 0, 1) {
		y, m, d := day.Date()
		h := FromCivil(y, m, d)
		if gy, gm, gd := h.Civil(); gy != y || gm != m || gd != d {
			t.Fatalf("%s -> %+v -> %04d-%02d-%02d", day.Format(time.DateOnly), h, gy, gm, gd)
		}
		// Consecutive civil days are consecutive Hebrew days.
		switch {
		case h.Year == prev.Year && h.Month == prev.Month:
			if h.Day != prev.Day+1 {
				t.Fatalf("%s: %+v follows %+v", day.Format(time.DateOnly), h, prev)
			}
		case h.Day != 1 || prev.Day != DaysInMonth(prev.Year, prev.Month):
			t.Fatalf("%s: %+v follows %+v", day.Format(time.DateOnly), h, prev)
		}
		prev = h
	}
}

func TestKnownDates(t *testing.T) {
	// The civil dates come from the fixture: 1 Tishrei is rosh_hashana_1,
	// 15 Nisan is pesach, 10 Tishrei is yom_kippur, 6 Sivan is shavuot.
	tests := []struct {
		civil string
		want  Date
	}{
		{"2026-09-12", Date{5787, Tishrei, 1}},
		{"2025-04-13", Date{5785, Nisan, 15}},
		{"2026-09-21", Date{5787, Tishrei, 10}},
		{"2026-05-22", Date{5786, Sivan, 6}},
		{"2000-09-30", Date{5761, Tishrei, 1}},
		{"2060-04-15", Date{5820, Nisan, 15}},
		// The fixed-day anchors, the Unix epoch and R.D. 1, as the same
		// independent implementation converts them.
		{"1970-01-01", Date{5730, Tevet, 23}},
		{"0001-01-01", Date{3761, Tevet, 18}},
	}
	fixture := map[string]string{}
	for _, lines := range readFixture(t) {
		for _, l := range lines {
			fixture[l.Date] = l.Key
		}
	}
	for _, tt := range tests {
		at, err := time.Parse(time.DateOnly, tt.civil)
		if err != nil {
			t.Fatal(err)
		}
		if got := FromCivil(at.Date()); got != tt.want {
			t.Errorf("FromCivil(%s) = %+v, want %+v", tt.civil, got, tt.want)
		}
		if got := tt.want.Time(time.UTC); !got.Equal(at) {
			t.Errorf("%+v.Time(UTC) = %v, want %v", tt.want, got, at)
		}
		if key, ok := fixture[tt.civil]; ok {
			want := map[Month]string{Tishrei: "rosh_hashana_1", Nisan: "pesach", Sivan: "shavuot"}[tt.want.Month]
			if tt.want.Month == Tishrei && tt.want.Day == 10 {
				want = "yom_kippur"
			}
			if key != want {
				t.Errorf("fixture has %s on %s, the table assumes %s", key, tt.civil, want)
			}
		}
	}
}

func TestTimeInZone(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	got := Date{5787, Tishrei, 1}.Time(loc)
	if want := time.Date(2026, time.September, 11, 21, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("1 Tishrei 5787 in Jerusalem = %v, want %v", got, want)
	}
}

func TestLeapYear(t *testing.T) {
	tests := []struct {
		year int
		want bool
	}{
		{5784, true}, // 5784 = 304*19 + 8: year 8 of the cycle
		{5785, false},
		{5786, false},
		{5787, true}, // year 11
		{5790, true}, // year 14
		{5791, false},
		{5793, true}, // year 17
		{5795, true}, // year 19
		{5796, false},
		{5798, true}, // year 3
		{5801, true}, // year 6
		{1, false},
		{3, true},
		{19, true},
	}
	for _, tt := range tests {
		if got := LeapYear(tt.year); got != tt.want {
			t.Errorf("LeapYear(%d) = %v, want %v", tt.year, got, tt.want)
		}
	}
}

func TestDaysInMonth(t *testing.T) {
	// The lengths of the years are 1 Tishrei to 1 Tishrei in the fixture:
	// 5785 runs from 2024-10-03 to 2025-09-23 (355 days, complete), 5786 to
	// 2026-09-12 (354, regular), 5787 to 2027-10-02 (385, leap and
	// complete), 5784 from 2023-09-16 (383, leap and deficient), 5783 from
	// 2022-09-26 (355, complete), 5781 from 2020-09-19 to 2021-09-07 (353,
	// deficient).
	tests := []struct {
		year     int
		length   int
		cheshvan int
		kislev   int
		adar     int
		adarII   int
	}{
		{5781, 353, 29, 29, 29, 0},
		{5783, 355, 30, 30, 29, 0},
		{5784, 383, 29, 29, 30, 29},
		{5785, 355, 30, 30, 29, 0},
		{5786, 354, 29, 30, 29, 0},
		{5787, 385, 30, 30, 30, 29},
	}
	for _, tt := range tests {
		length := 0
		for m := Nisan; m <= AdarII; m++ {
			length += DaysInMonth(tt.year, m)
		}
		got := []int{length, DaysInMonth(tt.year, Cheshvan), DaysInMonth(tt.year, Kislev), DaysInMonth(tt.year, Adar), DaysInMonth(tt.year, AdarII)}
		want := []int{tt.length, tt.cheshvan, tt.kislev, tt.adar, tt.adarII}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d: [length Cheshvan Kislev Adar AdarII] (-want +got):\n%s", tt.year, diff)
		}
		start := Date{tt.year, Tishrei, 1}.fixed()
		if end := (Date{tt.year + 1, Tishrei, 1}).fixed(); end-start != tt.length {
			t.Errorf("%d: 1 Tishrei to 1 Tishrei is %d days, want %d", tt.year, end-start, tt.length)
		}
	}
	for _, m := range []Month{0, 14} {
		if got := DaysInMonth(5787, m); got != 0 {
			t.Errorf("DaysInMonth(5787, %d) = %d, want 0", m, got)
		}
	}
}
