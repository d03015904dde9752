// Package i18n is where the agent UI gets its words and its way of writing
// numbers, dates and times, in Hebrew first and in English. It holds the two
// embedded catalogues, the plural rules (Hebrew distinguishes one, two and
// other), language negotiation from Accept-Language, and formatting in the
// desk's time zone. It is a leaf library: it knows nothing of the domain, so
// the web layer turns codes such as "on_hold" into keys such as
// "status.on_hold" and asks for them here.
package i18n

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Languages the UI speaks, Hebrew first.
const (
	Hebrew  = "he"
	English = "en"
)

// Languages returns the languages the UI speaks, Hebrew first.
func Languages() []string { return []string{Hebrew, English} }

// Valid reports whether lang is a language the UI speaks. Only the exact
// codes count; regional tags such as "he-IL" go through Negotiate.
func Valid(lang string) bool { return lang == Hebrew || lang == English }

// Locale speaks one language in one time zone. It is immutable, so one value
// can serve many requests at once.
type Locale struct {
	lang string
	loc  *time.Location
	cat  map[string]message
}

// New returns the locale for lang in loc. An unknown language falls back to
// Hebrew, the desk's first language; a nil location means Asia/Jerusalem.
func New(lang string, loc *time.Location) *Locale {
	if !Valid(lang) {
		lang = Hebrew
	}
	if loc == nil {
		loc = jerusalem()
	}
	return &Locale{lang: lang, loc: loc, cat: catalogues[lang]}
}

// jerusalem loads the desk's default time zone once. The binary embeds the
// time zone database, so loading fails only in a program that does not; a
// fixed Israel Standard Time offset is then closer to the truth for Israeli
// agents than UTC, and the UI keeps working.
var jerusalem = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		return time.FixedZone("IST", 2*60*60)
	}
	return loc
})

// Lang returns the locale's language code, "he" or "en".
func (l *Locale) Lang() string { return l.lang }

// Dir returns the text direction for the page's dir attribute.
func (l *Locale) Dir() string {
	if l.lang == Hebrew {
		return "rtl"
	}
	return "ltr"
}

// Location returns the time zone dates and times are shown in.
func (l *Locale) Location() *time.Location { return l.loc }

// Has reports whether the locale's catalogue holds key.
func (l *Locale) Has(key string) bool {
	_, ok := l.cat[key]
	return ok
}

// T returns the message for key with its {name} placeholders filled from
// args, which come in name/value pairs: T("inbox.count", "n", 5). Integer
// values are written with Number (so identifiers such as ticket numbers
// should be passed as strings), anything else with fmt's %v. A plural
// message is chosen by an integer "n" argument, or takes its "other" form
// without one.
//
// A missing key returns the key itself, so a missing translation shows on
// the page instead of a blank; a placeholder without a value stays as {name}.
func (l *Locale) T(key string, args ...any) string {
	m, ok := l.cat[key]
	if !ok {
		return key
	}
	return l.fill(l.choose(m, args), args, false)
}

// N returns the plural message for key in the form that fits n, with n
// available as the {n} placeholder next to args. A message that is not
// plural is used as it is.
func (l *Locale) N(key string, n int, args ...any) string {
	m, ok := l.cat[key]
	if !ok {
		return key
	}
	// n goes last so that an explicit "n" among args wins the lookup.
	args = append(args[:len(args):len(args)], "n", n)
	return l.fill(m.form(pluralForm(l.lang, n)), args, false)
}

// HTML is T for templates: the message text is HTML-escaped and every
// argument is escaped and wrapped in <bdi>, so a Latin name or an email
// address inside a Hebrew sentence (or the reverse) keeps its own direction
// and does not scramble the punctuation around it. A template.HTML argument
// is trusted, as html/template trusts it, and only wrapped. Plural messages
// are chosen by an integer "n" argument, as in T.
func (l *Locale) HTML(key string, args ...any) template.HTML {
	m, ok := l.cat[key]
	if !ok {
		return template.HTML(template.HTMLEscapeString(key))
	}
	return template.HTML(l.fill(l.choose(m, args), args, true))
}

// choose returns the text of m that T and HTML fill: the plural form for an
// integer "n" argument, else the "other" form.
func (l *Locale) choose(m message, args []any) string {
	if n, ok := intArg(args, "n"); ok {
		return m.form(pluralForm(l.lang, n))
	}
	return m.other
}

// fill replaces each {name} in text by the value of name in args, scanning
// once so that a value which itself contains braces is never expanded. With
// html set, the text is escaped and each value is escaped and isolated.
func (l *Locale) fill(text string, args []any, html bool) string {
	var b strings.Builder
	b.Grow(len(text) + 16)
	literal := func(s string) {
		if html {
			b.WriteString(template.HTMLEscapeString(s))
		} else {
			b.WriteString(s)
		}
	}
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(text[open+1:], '}')
		if end < 0 {
			break
		}
		name := text[open+1 : open+1+end]
		v, ok := lookup(args, name)
		if !validName(name) || !ok {
			literal(text[:open+1])
			text = text[open+1:]
			continue
		}
		literal(text[:open])
		if html {
			b.WriteString("<bdi>")
			if h, trusted := v.(template.HTML); trusted {
				b.WriteString(string(h))
			} else {
				b.WriteString(template.HTMLEscapeString(l.value(v)))
			}
			b.WriteString("</bdi>")
		} else {
			b.WriteString(l.value(v))
		}
		text = text[open+1+end+1:]
	}
	literal(text)
	return b.String()
}

// value writes one argument: integers with digit grouping, the rest as %v.
func (l *Locale) value(v any) string {
	switch n := v.(type) {
	case int:
		return l.Number(n)
	case int8:
		return group(strconv.FormatInt(int64(n), 10))
	case int16:
		return group(strconv.FormatInt(int64(n), 10))
	case int32:
		return group(strconv.FormatInt(int64(n), 10))
	case int64:
		return group(strconv.FormatInt(n, 10))
	case uint:
		return group(strconv.FormatUint(uint64(n), 10))
	case uint8:
		return group(strconv.FormatUint(uint64(n), 10))
	case uint16:
		return group(strconv.FormatUint(uint64(n), 10))
	case uint32:
		return group(strconv.FormatUint(uint64(n), 10))
	case uint64:
		return group(strconv.FormatUint(n, 10))
	}
	return fmt.Sprintf("%v", v)
}

// lookup finds the value of name among name/value pairs; the first pair
// wins and a trailing name without a value is ignored.
func lookup(args []any, name string) (any, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok && k == name {
			return args[i+1], true
		}
	}
	return nil, false
}

// intArg returns the value of name when it is an int, the type plural
// counts are given in.
func intArg(args []any, name string) (int, bool) {
	v, ok := lookup(args, name)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case int32:
		return int(n), true
	}
	return 0, false
}

// validName reports whether s can be a placeholder name: lowercase ASCII
// letters, digits and underscores, as the catalogue test requires.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Negotiate picks the UI language from an Accept-Language header: the
// supported language with the highest weight, earlier entries winning ties.
// "iw", the withdrawn code for Hebrew that old Java clients still send,
// counts as Hebrew, and "*" stands for any language the header does not name.
// When nothing acceptable matches, or the header is empty or malformed, the
// answer is Hebrew, the desk's first language.
func Negotiate(acceptLanguage string) string {
	type weight struct {
		q     float64
		order int
	}
	weights := map[string]weight{}
	wild := weight{q: -1}
	for i, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q, ok := qValue(params)
		if !ok || tag == "" {
			continue
		}
		if tag == "*" {
			if wild.q < 0 {
				wild = weight{q: q, order: i}
			}
			continue
		}
		lang, ok := primaryLanguage(tag)
		if !ok {
			continue
		}
		// Several tags can name one language ("en-GB;q=0, en-US"); its best
		// weight counts, at the position it was first named.
		w, seen := weights[lang]
		if !seen {
			w = weight{q: q, order: i}
		} else if q > w.q {
			w.q = q
		}
		weights[lang] = w
	}
	best, bestW := Hebrew, weight{q: 0}
	for _, lang := range Languages() {
		w, ok := weights[lang]
		if !ok {
			w = wild
		}
		if w.q > bestW.q || (w.q == bestW.q && w.q > 0 && w.order < bestW.order) {
			best, bestW = lang, w
		}
	}
	return best
}

// primaryLanguage maps a well-formed language tag to a supported language.
// Underscores are accepted as separators because some clients send locale
// names such as "en_US".
func primaryLanguage(tag string) (string, bool) {
	subtags := strings.Split(strings.ReplaceAll(tag, "_", "-"), "-")
	for i, s := range subtags {
		if s == "" || len(s) > 8 {
			return "", false
		}
		for _, c := range s {
			alpha := c >= 'a' && c <= 'z'
			digit := c >= '0' && c <= '9'
			if !alpha && (i == 0 || !digit) {
				return "", false
			}
		}
	}
	switch subtags[0] {
	case "he", "iw":
		return Hebrew, true
	case "en":
		return English, true
	}
	return "", false
}

// qValue reads the weight from an entry's parameters. A weight is "0" or
// "1" with up to three decimals (RFC 9110, section 12.4.2); an entry with a
// malformed weight is ignored rather than guessed at. Other parameters are
// ignored, as the RFC allows.
func qValue(params string) (float64, bool) {
	q := 1.0
	if strings.TrimSpace(params) == "" {
		return q, true
	}
	for _, p := range strings.Split(params, ";") {
		name, val, _ := strings.Cut(p, "=")
		if strings.ToLower(strings.TrimSpace(name)) != "q" {
			continue
		}
		val = strings.TrimSpace(val)
		intPart, frac, _ := strings.Cut(val, ".")
		if (intPart != "0" && intPart != "1") || len(frac) > 3 || strings.Trim(frac, "0123456789") != "" {
			return 0, false
		}
		if intPart == "1" && strings.Trim(frac, "0") != "" {
			return 0, false
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return 0, false
		}
		q = v
	}
	return q, true
}
