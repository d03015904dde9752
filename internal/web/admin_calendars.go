package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"kesher"
	"kesher/internal/calendar"
	"kesher/internal/desk"
)

// Business calendars say when a team works, so SLA clocks measured in
// business hours stop at night, on Shabbat and on holidays. The form edits
// a calendar as text: each weekday's hours as "08:00-17:00" (several spans
// separated by commas, empty for a closed day), the eve hours alike, and
// the exceptions one per line.

// calendarForm is a calendar as its form shows it.
type calendarForm struct {
	ID, Name, TimeZone string
	Week               [7]string
	Holidays           bool
	EveHours           string
	Exceptions         string
	// Teams names the teams that measure their clocks by it.
	Teams []string
}

// weekdays are the keys of the days of calendar.Calendar.Week, Sunday
// first as the Israeli week starts.
var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// newCalendarForm starts a new calendar from the desk's default hours.
func newCalendarForm() calendarForm {
	f := formOfCalendar(desk.DefaultCalendar())
	f.Name = ""
	return f
}

func formOfCalendar(c calendar.Calendar) calendarForm {
	f := calendarForm{TimeZone: c.TimeZone, Holidays: c.Holidays, EveHours: spansText(c.EveHours)}
	for i, spans := range c.Week {
		f.Week[i] = spansText(spans)
	}
	var lines []string
	for _, e := range c.Exceptions {
		line := e.Date + " "
		if e.Closed {
			line += "closed"
		} else {
			line += spansText(e.Hours)
		}
		if e.Note != "" {
			line += " " + e.Note
		}
		lines = append(lines, line)
	}
	f.Exceptions = strings.Join(lines, "\n")
	return f
}

// postedCalendarForm is the form as it was posted, to show it again.
func postedCalendarForm(id string, v url.Values) calendarForm {
	f := calendarForm{ID: id, Name: v.Get("name"), TimeZone: v.Get("time_zone"), Holidays: v.Get("holidays") != "",
		EveHours: v.Get("eve_hours"), Exceptions: v.Get("exceptions")}
	for i := range f.Week {
		f.Week[i] = v.Get(fmt.Sprintf("week_%d", i))
	}
	return f
}

func spansText(spans []calendar.Span) string {
	parts := make([]string, len(spans))
	for i, s := range spans {
		parts[i] = s.From.String() + "-" + s.To.String()
	}
	return strings.Join(parts, ",")
}

// spanPattern is one span as typed: "8:00-17:00", "08:00–17:00".
var spanPattern = regexp.MustCompile(`^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$`)

// parseSpans reads "08:00-12:00,13:00-17:00"; empty is a closed day.
func parseSpans(s string) ([]calendar.Span, bool) {
	spans := []calendar.Span{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		m := spanPattern.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			return nil, false
		}
		var sp calendar.Span
		if sp.From.UnmarshalText([]byte(pad(m[1]))) != nil || sp.To.UnmarshalText([]byte(pad(m[2]))) != nil {
			return nil, false
		}
		spans = append(spans, sp)
	}
	return spans, true
}

// pad writes 8:00 as 08:00, the form the calendar reads.
func pad(clock string) string {
	if len(clock) == 4 {
		return "0" + clock
	}
	return clock
}

// parseExceptions reads one exception per line: "2026-12-24 closed" or
// "2026-12-24 09:00-13:00", each optionally followed by a note.
func parseExceptions(s string) ([]calendar.Exception, bool) {
	out := []calendar.Exception{}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, false
		}
		e := calendar.Exception{Date: f[0], Note: strings.Join(f[2:], " ")}
		if f[1] == "closed" || f[1] == "סגור" {
			e.Closed = true
		} else {
			hours, ok := parseSpans(f[1])
			if !ok {
				return nil, false
			}
			e.Hours = hours
		}
		out = append(out, e)
	}
	return out, true
}

// calendarInput reads the form. What cannot be read is reported by field;
// the desk checks the rest.
func calendarInput(r *http.Request) (calendar.Calendar, map[string]string) {
	c := calendar.Calendar{TimeZone: strings.TrimSpace(r.PostFormValue("time_zone")), Holidays: r.PostFormValue("holidays") != ""}
	bad := map[string]string{}
	for i := range c.Week {
		field := fmt.Sprintf("week_%d", i)
		spans, ok := parseSpans(r.PostFormValue(field))
		if !ok {
			bad[field] = "invalid"
		}
		c.Week[i] = spans
	}
	var ok bool
	if c.EveHours, ok = parseSpans(r.PostFormValue("eve_hours")); !ok {
		bad["eve_hours"] = "invalid"
	}
	if c.Exceptions, ok = parseExceptions(r.PostFormValue("exceptions")); !ok {
		bad["exceptions"] = "invalid"
	}
	return c, bad
}

// calendarField names the form field of a problem the desk found in a
// calendar's definition ("spec.week[5][0].to" is the Friday's hours).
var weekField = regexp.MustCompile(`^spec\.week\[(\d)\]`)

func calendarField(field string) string {
	switch {
	case weekField.MatchString(field):
		return "week_" + weekField.FindStringSubmatch(field)[1]
	case strings.HasPrefix(field, "spec.eve_hours"):
		return "eve_hours"
	case strings.HasPrefix(field, "spec.exceptions"):
		return "exceptions"
	}
	return strings.TrimPrefix(field, "spec.")
}

// saveCalendar creates a calendar (POST /admin/calendars) or replaces one.
func (w *Web) saveCalendar(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	spec, bad := calendarInput(r)
	var err error
	if len(bad) > 0 {
		// Show every problem at once: what could not be read, and what
		// the desk would refuse of the rest.
		for _, pr := range spec.Validate() {
			if f := calendarField("spec." + pr.Field); bad[f] == "" {
				bad[f] = "invalid"
			}
		}
		if strings.TrimSpace(r.PostFormValue("name")) == "" {
			bad["name"] = "required"
		}
		err = &kesher.Error{Code: kesher.ECodeValidation, Message: "the calendar form has fields that cannot be read", Fields: bad}
	} else {
		_, err = w.desk.SaveCalendar(r.Context(), id, r.PostFormValue("name"), spec)
		err = renameFields(err, calendarField)
	}
	return w.afterAdminChange(rw, r, p, "calendars", id, err)
}

func (w *Web) deleteCalendar(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	return w.afterAdminChange(rw, r, p, "calendars", id, w.desk.DeleteCalendar(r.Context(), id))
}

// calendarForms reads every calendar as its form, the refused one as it
// was posted.
func (w *Web) calendarForms(ctx context.Context, dir *directory, refused adminForm) ([]calendarForm, error) {
	recs, err := all(ctx, w.desk.Calendars)
	if err != nil {
		return nil, err
	}
	forms := make([]calendarForm, 0, len(recs))
	for _, rec := range recs {
		var c calendar.Calendar
		if err := json.Unmarshal(rec.Spec, &c); err != nil {
			return nil, fmt.Errorf("calendar %s: %w", rec.ID, err)
		}
		f := formOfCalendar(c)
		if refused.Refused(rec.ID) {
			f = postedCalendarForm(rec.ID, refused.Values)
		}
		f.ID, f.Name = rec.ID, rec.Name
		if refused.Refused(rec.ID) {
			f.Name = refused.Values.Get("name")
		}
		for _, t := range dir.Teams {
			if t.CalendarID == rec.ID {
				f.Teams = append(f.Teams, t.Name)
			}
		}
		forms = append(forms, f)
	}
	return forms, nil
}

// renameFields renames the fields of a validation error for the form that
// shows them; any other error is returned as it is.
func renameFields(err error, rename func(string) string) error {
	fields := validationFields(err)
	if len(fields) == 0 {
		return err
	}
	out := make(map[string]string, len(fields))
	for f, reason := range fields {
		if g := rename(f); out[g] == "" {
			out[g] = reason
		}
	}
	return &kesher.Error{Code: kesher.ECodeValidation, Message: "some fields are invalid", Fields: out}
}
