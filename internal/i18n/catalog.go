package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
)

// The catalogues are flat JSON objects from a dotted key to either a string
// or, for a message that depends on a count, an object of plural forms:
// "one", "two" (Hebrew only, optional) and "other". They are embedded so the
// binary carries its own words.
//
//go:embed catalog/he.json catalog/en.json
var catalogFiles embed.FS

// catalogues maps a language to its messages. It is filled once when the
// package loads and only read afterwards. The catalogues are build-time
// assets, so a malformed one stops the program at once, and the package's
// tests stop the build before that.
var catalogues = func() map[string]map[string]message {
	all := map[string]map[string]message{}
	for _, lang := range Languages() {
		data, err := catalogFiles.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: %v", err))
		}
		cat, err := parseCatalogue(data)
		if err != nil {
			panic(fmt.Sprintf("i18n: catalog/%s.json: %v", lang, err))
		}
		all[lang] = cat
	}
	return all
}()

// message is one catalogue entry. A simple message has only other; a plural
// message has its forms, and an absent form falls back to other.
type message struct {
	other, one, two string
	plural          bool
}

// form returns the text for the plural form f ("one", "two" or "other").
func (m message) form(f string) string {
	switch {
	case f == "one" && m.one != "":
		return m.one
	case f == "two" && m.two != "":
		return m.two
	}
	return m.other
}

// parseCatalogue reads one catalogue. Plural objects may hold only the known
// forms and must hold "other", so a misspelt form is an error rather than a
// message that silently never shows.
func parseCatalogue(data []byte) (map[string]message, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	cat := make(map[string]message, len(raw))
	for key, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			cat[key] = message{other: s}
			continue
		}
		var forms struct {
			One   string  `json:"one"`
			Two   string  `json:"two"`
			Other *string `json:"other"`
		}
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&forms); err != nil {
			return nil, fmt.Errorf("%s: want a string or an object of plural forms: %v", key, err)
		}
		if forms.Other == nil {
			return nil, fmt.Errorf("%s: plural message without an \"other\" form", key)
		}
		cat[key] = message{other: *forms.Other, one: forms.One, two: forms.Two, plural: true}
	}
	return cat, nil
}

// pluralForm returns the CLDR plural category of the whole number n in lang.
// Hebrew has one (1), two (2) and other; CLDR dropped Hebrew's "many" in
// version 42, so 20 is "other" like any number. English has one and other.
func pluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch {
	case n == 1:
		return "one"
	case n == 2 && lang == Hebrew:
		return "two"
	}
	return "other"
}

// Keys returns every key of the Hebrew catalogue, sorted. The catalogue
// parity test holds the English one to the same keys.
func Keys() []string {
	keys := make([]string, 0, len(catalogues[Hebrew]))
	for k := range catalogues[Hebrew] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
