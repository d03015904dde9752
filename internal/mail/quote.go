package mail

import (
	"regexp"
	"strings"
)

// Markers are matched against a line with bidi controls and "*" removed:
// Gmail wraps Hebrew attributions in embedding marks, and the HTML-to-text
// conversion renders Outlook's bold "From:" as "*From:*".
var (
	forwardMarker  = regexp.MustCompile(`(?i)^(-{2,}\s*(forwarded message|הודעה שהועברה|הודעה מועברת)\s*-{2,}|(begin forwarded message|תחילת הודעה מועברת)\s*:)$`)
	originalMarker = regexp.MustCompile(`(?i)^-{2,}\s*(original message|הודעה מקורית|ההודעה המקורית)\s*-{2,}$`)
	// An Outlook header block starts with From: and has Sent: or Date: in
	// the next few lines.
	outlookFrom = regexp.MustCompile(`(?i)^(from|מאת)\s*:`)
	outlookSent = regexp.MustCompile(`(?i)^(sent|date|נשלח|תאריך)\s*:`)
	separator   = regexp.MustCompile(`^[_\-=]{8,}$`)
	// Attributions may wrap onto up to three lines.
	attributions = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^on\s.{1,250}\swrote\s*:$`),
		regexp.MustCompile(`^(ב-|ב־|בתאריך|ביום)\S*\s.{0,250}(כתב|כתבה|כתב/ה|נכתב|wrote)\s*:$`),
		// Gmail in Hebrew: "בתאריך יום ב׳, 3 במרץ 2025 ב-10:15 מאת דנה <dana@…>:"
		regexp.MustCompile(`^בתאריך\s.{1,250}\sמאת\s.{1,250}:$`),
	}
	bidiControls = strings.NewReplacer(
		"\u200e", "", "\u200f", "", "\u061c", "",
		"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
		"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "", "*", "", "\u00a0", " ",
	)
)

func markerText(line string) string { return strings.TrimSpace(bidiControls.Replace(line)) }

func isQuote(line string) bool { return strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") }

// history describes where quoted history starts in a body.
type history struct {
	start, end  int  // lines [start, end) are the marker itself
	attribution bool // an "On … wrote:" line, after which "> " lines follow
}

// historyAt reports whether quoted history starts at line i.
func historyAt(lines []string, i int) (history, bool) {
	t := markerText(lines[i])
	if originalMarker.MatchString(t) {
		return history{start: i, end: i + 1}, true
	}
	if outlookFrom.MatchString(t) {
		for j := i + 1; j < len(lines) && j <= i+4; j++ {
			if outlookSent.MatchString(markerText(lines[j])) {
				start := i
				// Outlook draws a line of underscores above the block.
				if k := prevNonBlank(lines, i); k >= 0 && separator.MatchString(markerText(lines[k])) {
					start = k
				}
				return history{start: start, end: i + 1}, true
			}
		}
	}
	joined := t
	for j := i; j < len(lines) && j < i+3; j++ {
		if j > i {
			joined += " " + markerText(lines[j])
		}
		for _, re := range attributions {
			if re.MatchString(joined) {
				return history{start: i, end: j + 1, attribution: true}, true
			}
		}
	}
	return history{}, false
}

func prevNonBlank(lines []string, i int) int {
	for k := i - 1; k >= 0; k-- {
		if strings.TrimSpace(lines[k]) != "" {
			return k
		}
	}
	return -1
}

// quoted is what splitQuoted found.
type quoted struct {
	visible   string
	forwarded bool // the body carries a forwarded-message marker
}

// splitQuoted separates what the sender wrote now from quoted history and
// their signature. Forwarded content stays: when the body has a forward
// marker or the subject says Fwd:, everything from the marker on is the
// message the customer wants us to read. fromHTML says the text was
// converted from HTML, which writes the "-- " signature line as "--".
func splitQuoted(text, subject string, fromHTML bool) quoted {
	lines := strings.Split(text, "\n")
	subjectFwd := forwardSubject(subject)
	fwd := -1
	var hist history
	found := false
	for i := range lines {
		if isQuote(lines[i]) {
			// Apple Mail quotes what it forwards; a quoted forward marker
			// counts only when the subject says Fwd:, so a reply quoting a
			// forward is still a reply.
			if subjectFwd && fwd < 0 && forwardMarker.MatchString(markerText(strings.TrimLeft(lines[i], "> \t"))) {
				fwd = i
			}
			continue
		}
		if fwd < 0 && forwardMarker.MatchString(markerText(lines[i])) {
			fwd = i
		}
		if h, ok := historyAt(lines, i); ok {
			hist, found = h, true
			break
		}
	}

	own, tail := lines, []string(nil)
	switch {
	case fwd >= 0:
		own, tail = lines[:fwd], lines[fwd:]
	case found && subjectFwd:
		own, tail = lines[:hist.start], lines[hist.start:]
	case found && hist.attribution && interleaved(lines[hist.end:]):
		// The sender answered between the quoted lines: their answers are
		// the new part, the quoted lines are dropped below.
		own = append(append([]string(nil), lines[:hist.start]...), lines[hist.end:]...)
	case found:
		own = lines[:hist.start]
	}

	changed := len(own) != len(lines) || tail != nil
	var kept []string
	for _, l := range own {
		if l == "-- " || (fromHTML && l == "--") {
			changed = true
			break
		}
		if isQuote(l) {
			changed = true
			// Keep paragraphs apart where a quote stood between them.
			if len(kept) > 0 && strings.TrimSpace(kept[len(kept)-1]) != "" {
				kept = append(kept, "")
			}
			continue
		}
		if strings.TrimSpace(l) == "" && len(kept) > 0 && strings.TrimSpace(kept[len(kept)-1]) == "" {
			continue
		}
		kept = append(kept, l)
	}
	q := quoted{forwarded: fwd >= 0, visible: text}
	if !changed {
		return q
	}
	parts := []string{strings.TrimSpace(strings.Join(kept, "\n"))}
	if tail != nil {
		parts = append(parts, strings.TrimSpace(strings.Join(tail, "\n")))
	}
	q.visible = strings.TrimSpace(strings.Join(parts, "\n\n"))
	return q
}

// interleaved reports whether the sender wrote between quoted lines: some
// unquoted text follows a quoted line, before any further history marker.
func interleaved(lines []string) bool {
	sawQuote := false
	for i, l := range lines {
		switch {
		case isQuote(l):
			sawQuote = true
		case l == "-- ":
			// A signature under the quote is not an answer.
			return false
		case strings.TrimSpace(l) == "":
		default:
			if _, ok := historyAt(lines, i); ok {
				return false
			}
			if sawQuote {
				return true
			}
		}
	}
	return false
}
