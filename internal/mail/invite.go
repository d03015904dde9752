package mail

import (
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"
)

// findInvite reads the first calendar part of a message. It reads only what
// an agent needs to see (RFC 5545 properties of the first VEVENT); a part
// without a VEVENT is not an invitation.
func findInvite(root *enmime.Part) *Invite {
	part := root.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "text/calendar" || p.ContentType == "application/ics"
	})
	if part == nil {
		return nil
	}
	inv := &Invite{}
	inEvent, seenEvent := false, false
	for _, line := range unfoldICal(toUTF8(string(part.Content))) {
		name, params, value := icalProperty(line)
		switch {
		case name == "BEGIN" && strings.EqualFold(value, "VEVENT") && !seenEvent:
			inEvent, seenEvent = true, true
		case name == "END" && strings.EqualFold(value, "VEVENT"):
			inEvent = false
		case name == "METHOD" && !inEvent:
			inv.Method = strings.ToUpper(value)
		case inEvent && name == "SUMMARY":
			inv.Summary = icalText(value)
		case inEvent && name == "LOCATION":
			inv.Location = icalText(value)
		case inEvent && name == "DTSTART":
			inv.Start = icalTime(value, params["TZID"])
		case inEvent && name == "DTEND":
			inv.End = icalTime(value, params["TZID"])
		}
	}
	if !seenEvent {
		return nil
	}
	if inv.Method == "" {
		// Some clients state the method only on the Content-Type.
		if _, params, _, err := parseMediaType(part.Header.Get("Content-Type")); err == nil {
			inv.Method = strings.ToUpper(params["method"])
		}
	}
	return inv
}

// unfoldICal splits calendar text into logical lines: a line that starts
// with a space or tab continues the one before it.
func unfoldICal(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if len(lines) > 0 && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// icalProperty splits "NAME;PARAM=value:VALUE". Parameter values may be
// quoted and contain ":", as in TZID="(UTC+02:00) Jerusalem".
func icalProperty(line string) (string, map[string]string, string) {
	inQuote, colon := false, -1
	for i, r := range line {
		if r == '"' {
			inQuote = !inQuote
		} else if r == ':' && !inQuote {
			colon = i
			break
		}
	}
	if colon < 0 {
		return "", nil, ""
	}
	fields := strings.Split(line[:colon], ";")
	params := make(map[string]string)
	for _, f := range fields[1:] {
		if k, v, ok := strings.Cut(f, "="); ok {
			params[strings.ToUpper(k)] = strings.Trim(v, `"`)
		}
	}
	return strings.ToUpper(strings.TrimSpace(fields[0])), params, strings.TrimSpace(line[colon+1:])
}

var icalEscapes = strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n")

func icalText(v string) string { return icalEscapes.Replace(v) }

// windowsZones maps the Windows time zone names Outlook writes in TZID to
// IANA names. Only Israel's is listed: it is the zone this desk's customers
// invite from, and other unknown zones fall back to UTC.
var windowsZones = map[string]string{
	"Israel Standard Time":    "Asia/Jerusalem",
	"Jerusalem Standard Time": "Asia/Jerusalem",
}

// icalTime reads a DATE-TIME ("20250310T090000Z", or local time in TZID)
// or a DATE ("20250310"). An unreadable value is the zero time.
func icalTime(v, tzid string) time.Time {
	if t, err := time.Parse("20060102T150405Z", v); err == nil {
		return t
	}
	loc := time.UTC
	if name, ok := windowsZones[tzid]; ok {
		tzid = name
	}
	if tzid != "" {
		if l, err := time.LoadLocation(tzid); err == nil {
			loc = l
		}
	}
	for _, layout := range []string{"20060102T150405", "20060102"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t
		}
	}
	return time.Time{}
}
