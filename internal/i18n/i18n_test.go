package i18n

import (
	"bytes"
	"encoding/json"
	"html/template"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"
)

var (
	keyPattern         = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*(\.[a-z0-9]+(_[a-z0-9]+)*)*$`)
	placeholderPattern = regexp.MustCompile(`\{([a-z0-9_]+)\}`)
	tagPattern         = regexp.MustCompile(`<[a-zA-Z/!]`)
)

// TestCatalogueFiles reads the embedded files directly, to catch what a map
// hides: a key written twice, where JSON silently keeps the last value.
func TestCatalogueFiles(t *testing.T) {
	for _, lang := range Languages() {
		data, err := catalogFiles.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("%s: want a JSON object, got %v, %v", lang, tok, err)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%s: %v", lang, err)
			}
			key := tok.(string)
			if seen[key] {
				t.Errorf("%s: key %q appears twice", lang, key)
			}
			seen[key] = true
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatalf("%s: %s: %v", lang, key, err)
			}
		}
	}
}

func TestCatalogueParity(t *testing.T) {
	he, en := catalogues[Hebrew], catalogues[English]
	if len(he) < 200 {
		t.Errorf("Hebrew catalogue has %d keys, want the full starter set", len(he))
	}
	for key := range en {
		if _, ok := he[key]; !ok {
			t.Errorf("%s: in English, missing in Hebrew", key)
		}
	}
	for key, h := range he {
		if !keyPattern.MatchString(key) {
			t.Errorf("%s: keys are dotted lowercase snake_case", key)
		}
		e, ok := en[key]
		if !ok {
			t.Errorf("%s: in Hebrew, missing in English", key)
			continue
		}
		if h.plural != e.plural {
			t.Errorf("%s: plural in one language only (he %v, en %v)", key, h.plural, e.plural)
			continue
		}
		for lang, m := range map[string]message{Hebrew: h, English: e} {
			for _, text := range []string{m.other, m.one, m.two} {
				if tagPattern.MatchString(text) {
					t.Errorf("%s (%s): messages are plain text, got %q", key, lang, text)
				}
			}
			if strings.TrimSpace(m.other) == "" || (m.plural && strings.TrimSpace(m.one) == "") {
				t.Errorf("%s (%s): empty message or missing plural form", key, lang)
			}
			if lang == English && m.two != "" {
				t.Errorf("%s (en): English has no \"two\" form", key)
			}
		}
		if hp, ep := placeholders(h), placeholders(e); !slices.Equal(hp, ep) {
			t.Errorf("%s: placeholders differ: he %v, en %v", key, hp, ep)
		}
	}
}

// placeholders returns the sorted placeholder names a message uses in any
// form. A plural message may spell out its count in words ("שיחה אחת"), and
// N always supplies n, so n is left out for plural messages.
func placeholders(m message) []string {
	var names []string
	for _, text := range []string{m.other, m.one, m.two} {
		for _, match := range placeholderPattern.FindAllStringSubmatch(text, -1) {
			if name := match[1]; !(m.plural && name == "n") && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

func TestRequiredKeys(t *testing.T) {
	var required []string
	add := func(prefix string, names ...string) {
		for _, n := range names {
			required = append(required, prefix+n)
		}
	}
	add("app.", "name")
	add("nav.", "inbox", "customers", "admin", "settings", "sign_out", "language", "skip_to_content")
	add("status.", "open", "pending", "on_hold", "solved", "closed")
	add("priority.", "low", "normal", "high", "urgent")
	add("channel.", "email", "chat", "phone", "whatsapp", "telegram", "web", "api")
	add("role.", "admin", "lead", "agent")
	add("availability.", "online", "away", "offline")
	add("direction.", "inbound", "outbound", "note")
	add("author.", "customer", "agent", "system")
	add("source.", "product", "billing", "marketing", "website", "store", "delivery", "service", "other")
	add("identity.", "email", "phone", "whatsapp", "telegram", "chat", "external")
	add("field.", "required", "invalid", "too_long", "unknown", "taken")
	add("error.", "invalid_json", "validation_failed", "unauthorized", "forbidden", "not_found", "conflict", "too_large", "rate_limited", "internal")
	add("login.", "title", "email", "password", "remember", "submit", "failed", "rate_limited")
	add("setup.", "title", "intro", "token", "name", "submit")
	add("", "logout")
	add("inbox.view.", "mine", "unassigned", "my_teams", "all_open", "pending", "solved")
	add("inbox.filter.", "channel", "priority", "tag", "reason", "team", "owner", "any", "apply", "clear")
	add("inbox.col.", "customer", "subject", "waiting", "owner", "priority", "channel", "updated")
	add("inbox.", "search.placeholder", "empty", "unowned", "new_items", "count_more")
	add("conv.", "reply", "note", "send", "send_hint", "note_hint", "owner", "team", "status", "priority", "reason", "tags",
		"channel", "customer", "number", "assign_to_me", "solve", "reopen", "handoff", "briefing", "briefing_hint",
		"handoff_count", "handoff_warning", "viewing", "draft_saved", "attachments", "no_messages", "created")
	add("customer.", "profile", "identities", "add_identity", "remove_identity", "timeline", "conversations", "merge",
		"merge_into", "merge_confirm", "name", "language", "note", "created")
	add("event.", "conversation.created", "message.added", "conversation.updated", "conversation.handed_off",
		"customer.created", "customer.merged", "identity.added", "identity.removed")
	add("admin.", "users", "teams", "reasons", "tags", "forbidden", "saved")
	add("admin.user.", "create", "role", "deactivate", "activate", "reset_password", "new_password", "email", "name")
	add("admin.team.", "create", "name", "members", "delete")
	add("admin.reason.", "create", "code", "name", "source")
	add("admin.tag.", "rename", "delete", "count")
	add("common.", "save", "cancel", "edit", "delete", "close", "search", "loading", "yes", "no", "none", "back", "next", "previous", "more", "optional")
	add("help.", "title")
	add("help.key.", "j", "k", "enter", "r", "n", "a", "s", "slash", "question", "escape")
	add("time.", "just_now", "minutes_ago", "hours_ago", "yesterday")
	add("lang.", "he", "en")

	plural := []string{"login.rate_limited", "inbox.new_items", "conv.handoff_count", "conv.handoff_warning", "conv.viewing", "admin.tag.count"}
	he := catalogues[Hebrew]
	for _, key := range required {
		if _, ok := he[key]; !ok {
			t.Errorf("missing key %s", key)
		}
	}
	for _, key := range plural {
		if !he[key].plural {
			t.Errorf("%s: want a plural message", key)
		}
	}
}

func TestKeys(t *testing.T) {
	keys := Keys()
	if !slices.IsSorted(keys) || len(keys) != len(catalogues[Hebrew]) {
		t.Fatalf("Keys() is not the sorted Hebrew key set (%d keys of %d)", len(keys), len(catalogues[Hebrew]))
	}
	l := New(English, nil)
	for _, k := range keys {
		if !l.Has(k) {
			t.Errorf("English locale lacks %s", k)
		}
	}
	if l.Has("no.such.key") {
		t.Error(`Has("no.such.key") = true`)
	}
}

func TestParseCatalogue(t *testing.T) {
	tests := []struct {
		name, json string
		ok         bool
	}{
		{"strings", `{"a.b": "x"}`, true},
		{"plural", `{"a.b": {"one": "x", "two": "y", "other": "z"}}`, true},
		{"not an object", `["a"]`, false},
		{"truncated", `{"a.b": "x"`, false},
		{"number", `{"a.b": 1}`, false},
		{"plural without other", `{"a.b": {"one": "x"}}`, false},
		{"misspelt form", `{"a.b": {"one": "x", "few": "y", "other": "z"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseCatalogue([]byte(tt.json))
			if (err == nil) != tt.ok {
				t.Errorf("parseCatalogue(%s): err = %v, want ok %v", tt.json, err, tt.ok)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", Hebrew},
		{"he", Hebrew},
		{"he-IL", Hebrew},
		{"iw", Hebrew},
		{"iw-IL,en;q=0.5", Hebrew},
		{"en", English},
		{"en-US,en;q=0.9", English},
		{"EN-gb", English},
		{"en_US", English},
		{"fr", Hebrew},
		{"fr, en;q=0.5", English},
		{"fr-CA,fr;q=0.9,en-US;q=0.8,en;q=0.7,he;q=0.6", English},
		{"en;q=0.5, he;q=0.8", Hebrew},
		{"he;q=0.8, en;q=0.8", Hebrew},
		{"en;q=0.8, he;q=0.8", English},
		{"en;q=0, he;q=0", Hebrew},
		{"he;q=0, en", English},
		{"en-GB;q=0, en-US", English},
		{"*", Hebrew},
		{"en, *;q=0.5", English},
		{"fr, *;q=0.1", Hebrew},
		{"he;q=0, *", English},
		{"en ; q = 0.7", English},
		{"en;q=2", Hebrew},
		{"en;q=0.5555", Hebrew},
		{"en;q=NaN", Hebrew},
		{"en;q=", Hebrew},
		{"en--us", Hebrew},
		{"english", Hebrew},
		{"e n", Hebrew},
		{";;;,,,", Hebrew},
		{"\x00\xff", Hebrew},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header); got != tt.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestNewAndValid(t *testing.T) {
	tests := []struct {
		lang           string
		valid          bool
		wantLang, want string
	}{
		{"he", true, Hebrew, "rtl"},
		{"en", true, English, "ltr"},
		{"", false, Hebrew, "rtl"},
		{"fr", false, Hebrew, "rtl"},
		{"en-US", false, Hebrew, "rtl"},
	}
	for _, tt := range tests {
		if got := Valid(tt.lang); got != tt.valid {
			t.Errorf("Valid(%q) = %v", tt.lang, got)
		}
		l := New(tt.lang, nil)
		if l.Lang() != tt.wantLang || l.Dir() != tt.want {
			t.Errorf("New(%q): lang %q dir %q, want %q %q", tt.lang, l.Lang(), l.Dir(), tt.wantLang, tt.want)
		}
		if l.Location().String() != "Asia/Jerusalem" {
			t.Errorf("New(%q, nil).Location() = %v", tt.lang, l.Location())
		}
	}
	if got := New(English, time.UTC).Location(); got != time.UTC {
		t.Errorf("Location() = %v, want UTC", got)
	}
	if got := Languages(); !slices.Equal(got, []string{"he", "en"}) {
		t.Errorf("Languages() = %v", got)
	}
}

func TestT(t *testing.T) {
	he, en := New(Hebrew, nil), New(English, nil)
	tests := []struct {
		name string
		l    *Locale
		key  string
		args []any
		want string
	}{
		{"simple", en, "common.save", nil, "Save"},
		{"hebrew", he, "common.save", nil, "שמירה"},
		{"placeholders", en, "customer.merge_confirm", []any{"from", "Dana", "into", "Dana Levi"},
			"Merge Dana into Dana Levi? All conversations and identities move to Dana Levi. This can't be undone."},
		{"int grouped", en, "inbox.count_more", []any{"n", 1200}, "1,200+"},
		{"int64 grouped", en, "inbox.count_more", []any{"n", int64(25000)}, "25,000+"},
		{"string kept", en, "conv.number", []any{"number", "12345"}, "#12345"},
		{"stringer", en, "conv.number", []any{"number", time.Duration(90) * time.Second}, "#1m30s"},
		{"missing key", he, "no.such.key", nil, "no.such.key"},
		{"missing arg", en, "customer.merge_confirm", []any{"from", "Dana"},
			"Merge Dana into {into}? All conversations and identities move to {into}. This can't be undone."},
		{"dangling name", en, "conv.number", []any{"number"}, "#{number}"},
		{"value not expanded", en, "app.page_title", []any{"page", "{page}"}, "{page} · Kesher"},
		{"plural by n", he, "inbox.count", []any{"n", 2}, "שתי שיחות"},
		{"plural by n en", en, "inbox.count", []any{"n", 1}, "1 conversation"},
		{"plural without n", en, "inbox.count", nil, "{n} conversations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.T(tt.key, tt.args...); got != tt.want {
				t.Errorf("T(%q, %v) = %q, want %q", tt.key, tt.args, got, tt.want)
			}
		})
	}
}

func TestN(t *testing.T) {
	he, en := New(Hebrew, nil), New(English, nil)
	tests := []struct {
		l    *Locale
		key  string
		n    int
		args []any
		want string
	}{
		{he, "inbox.new_items", 1, nil, "שיחה חדשה אחת"},
		{he, "inbox.new_items", 2, nil, "שתי שיחות חדשות"},
		{he, "inbox.new_items", 5, nil, "5 שיחות חדשות"},
		{he, "inbox.new_items", 0, nil, "0 שיחות חדשות"},
		{he, "inbox.new_items", 1000, nil, "1,000 שיחות חדשות"},
		{en, "inbox.new_items", 1, nil, "1 new conversation"},
		{en, "inbox.new_items", 2, nil, "2 new conversations"},
		{en, "inbox.new_items", 5, nil, "5 new conversations"},
		{en, "inbox.new_items", 0, nil, "0 new conversations"},
		// Hebrew without a "two" form falls back to "other".
		{he, "conv.viewing", 2, []any{"names", "דנה ויוסי"}, "דנה ויוסי צופים בשיחה"},
		{he, "conv.viewing", 1, []any{"names", "דנה"}, "דנה צופה בשיחה"},
		{en, "conv.viewing", 1, []any{"names", "Dana"}, "Dana is viewing"},
		{he, "conv.handoff_count", 2, nil, "הועברה פעמיים"},
		{he, "conv.handoff_count", 4, nil, "הועברה 4 פעמים"},
		// A message that is not plural is used as it is.
		{en, "common.save", 3, nil, "Save"},
		{en, "no.such.key", 3, nil, "no.such.key"},
	}
	for _, tt := range tests {
		if got := tt.l.N(tt.key, tt.n, tt.args...); got != tt.want {
			t.Errorf("%s N(%q, %d) = %q, want %q", tt.l.Lang(), tt.key, tt.n, got, tt.want)
		}
	}
}

// TestNLeavesArgsAlone guards against N appending its count into the
// caller's backing array.
func TestNLeavesArgsAlone(t *testing.T) {
	args := make([]any, 2, 8)
	args[0], args[1] = "names", "Dana"
	New(English, nil).N("conv.viewing", 3, args...)
	if full := args[:4]; full[2] != nil || full[3] != nil {
		t.Errorf("N wrote into the caller's slice: %v", full)
	}
}

func TestHTML(t *testing.T) {
	he, en := New(Hebrew, nil), New(English, nil)
	tests := []struct {
		name string
		l    *Locale
		key  string
		args []any
		want template.HTML
	}{
		{"name escaped inside bdi", he, "conv.viewing", []any{"names", "<b>דנה</b>", "n", 1},
			"<bdi>&lt;b&gt;דנה&lt;/b&gt;</bdi> צופה בשיחה"},
		{"latin inside hebrew", he, "conv.handed_off", []any{"to", "Dana Levi", "by", "yossi@example.com"},
			"הועברה אל <bdi>Dana Levi</bdi> על ידי <bdi>yossi@example.com</bdi>"},
		{"message text escaped", en, "error.forbidden", nil, "You don&#39;t have permission to do this."},
		{"number in bdi", en, "inbox.count_more", []any{"n", 1500}, "<bdi>1,500</bdi>+"},
		{"trusted html", en, "conv.handed_off", []any{"by", template.HTML(`<a href="/u/1">Dana</a>`), "to", "a&b"},
			`<bdi><a href="/u/1">Dana</a></bdi> handed off to <bdi>a&amp;b</bdi>`},
		{"missing arg", en, "conv.number", nil, "#{number}"},
		{"missing key escaped", en, "<x>", nil, "&lt;x&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.HTML(tt.key, tt.args...); got != tt.want {
				t.Errorf("HTML(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {1234, "1,234"}, {12345, "12,345"},
		{123456, "123,456"}, {1234567, "1,234,567"}, {-1234, "-1,234"}, {-999, "-999"},
		{-9223372036854775808, "-9,223,372,036,854,775,808"},
	}
	for _, lang := range Languages() {
		l := New(lang, nil)
		for _, tt := range tests {
			if got := l.Number(tt.n); got != tt.want {
				t.Errorf("%s Number(%d) = %q, want %q", lang, tt.n, got, tt.want)
			}
		}
	}
}

// TestDateTime crosses Israel's clock changes of 2026: forward from 02:00
// IST (UTC+2) to 03:00 IDT (UTC+3) on Friday 27 March, and back from 02:00
// IDT to 01:00 IST on Sunday 25 October, so 01:30 happens twice that night.
func TestDateTime(t *testing.T) {
	he, en := New(Hebrew, nil), New(English, nil)
	tests := []struct {
		utc                string
		heDate, enDate     string
		clock              string
		heWeekday, weekday string
	}{
		{"2026-03-26T23:59:00Z", "27.03.2026", "27 Mar 2026", "01:59", "שישי", "Friday"},
		{"2026-03-27T00:30:00Z", "27.03.2026", "27 Mar 2026", "03:30", "שישי", "Friday"},
		{"2026-03-27T21:30:00Z", "28.03.2026", "28 Mar 2026", "00:30", "שבת", "Saturday"},
		{"2026-10-24T22:30:00Z", "25.10.2026", "25 Oct 2026", "01:30", "ראשון", "Sunday"},
		{"2026-10-24T23:30:00Z", "25.10.2026", "25 Oct 2026", "01:30", "ראשון", "Sunday"},
		{"2026-11-23T12:05:00Z", "23.11.2026", "23 Nov 2026", "14:05", "שני", "Monday"},
		{"2026-01-05T07:09:00Z", "05.01.2026", "5 Jan 2026", "09:09", "שני", "Monday"},
	}
	for _, tt := range tests {
		at, err := time.Parse(time.RFC3339, tt.utc)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{he.Date(at), en.Date(at), he.Time(at), en.Time(at), he.DateTime(at), en.DateTime(at), he.Weekday(at), en.Weekday(at)}
		want := []string{tt.heDate, tt.enDate, tt.clock, tt.clock, tt.heDate + ", " + tt.clock, tt.enDate + ", " + tt.clock, tt.heWeekday, tt.weekday}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.utc, got, want)
		}
	}
	if got := New(English, time.UTC).Time(time.Date(2026, 3, 27, 0, 30, 0, 0, time.UTC)); got != "00:30" {
		t.Errorf("Time in UTC = %q, want 00:30", got)
	}
}

func TestAgo(t *testing.T) {
	he, en := New(Hebrew, nil), New(English, nil)
	// 14:00 on Monday 23 November 2026 in Jerusalem (UTC+2).
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, he.Location())
	early := time.Date(2026, 11, 23, 0, 30, 0, 0, he.Location())
	tests := []struct {
		name   string
		t, now time.Time
		he, en string
	}{
		{"now", now, now, "עכשיו", "just now"},
		{"seconds", now.Add(-59 * time.Second), now, "עכשיו", "just now"},
		{"slightly ahead", now.Add(30 * time.Second), now, "עכשיו", "just now"},
		{"future", now.Add(48 * time.Hour), now, "25.11.2026", "25 Nov 2026"},
		{"one minute", now.Add(-time.Minute), now, "לפני דקה", "1 min ago"},
		{"minutes", now.Add(-5 * time.Minute), now, "לפני 5 דק׳", "5 min ago"},
		{"two minutes", now.Add(-2 * time.Minute), now, "לפני 2 דק׳", "2 min ago"},
		{"59 minutes", now.Add(-59*time.Minute - 59*time.Second), now, "לפני 59 דק׳", "59 min ago"},
		{"one hour", now.Add(-time.Hour), now, "לפני שעה", "1 h ago"},
		{"two hours", now.Add(-2*time.Hour - 10*time.Minute), now, "לפני שעתיים", "2 h ago"},
		{"hours", now.Add(-3 * time.Hour), now, "לפני 3 שע׳", "3 h ago"},
		{"start of day", time.Date(2026, 11, 23, 0, 0, 0, 0, he.Location()), now, "לפני 14 שע׳", "14 h ago"},
		{"late yesterday", time.Date(2026, 11, 22, 23, 50, 0, 0, he.Location()), now, "אתמול", "yesterday"},
		{"early yesterday", time.Date(2026, 11, 22, 0, 1, 0, 0, he.Location()), now, "אתמול", "yesterday"},
		{"across midnight in minutes", time.Date(2026, 11, 22, 23, 55, 0, 0, he.Location()), early, "לפני 35 דק׳", "35 min ago"},
		{"two days", time.Date(2026, 11, 21, 23, 59, 0, 0, he.Location()), now, "21.11.2026", "21 Nov 2026"},
		{"last year", time.Date(2025, 12, 31, 12, 0, 0, 0, he.Location()), now, "31.12.2025", "31 Dec 2025"},
		// 23:30 UTC on the 22nd is already the 23rd in Jerusalem: today, not yesterday.
		{"zone decides the day", time.Date(2026, 11, 22, 22, 30, 0, 0, time.UTC), now, "לפני 13 שע׳", "13 h ago"},
		{"yesterday across new year", time.Date(2025, 12, 31, 20, 0, 0, 0, he.Location()), time.Date(2026, 1, 1, 9, 0, 0, 0, he.Location()), "אתמול", "yesterday"},
	}
	for _, tt := range tests {
		if got := he.Ago(tt.t, tt.now); got != tt.he {
			t.Errorf("%s: he Ago = %q, want %q", tt.name, got, tt.he)
		}
		if got := en.Ago(tt.t, tt.now); got != tt.en {
			t.Errorf("%s: en Ago = %q, want %q", tt.name, got, tt.en)
		}
	}
}

func TestDuration(t *testing.T) {
	he, en := New(Hebrew, nil), New(English, nil)
	tests := []struct {
		d      time.Duration
		he, en string
	}{
		{-time.Hour, "פחות מדקה", "<1m"},
		{0, "פחות מדקה", "<1m"},
		{45 * time.Second, "פחות מדקה", "<1m"},
		{time.Minute, "1 דק׳", "1m"},
		{12*time.Minute + 59*time.Second, "12 דק׳", "12m"},
		{time.Hour, "1 שע׳", "1h"},
		{3*time.Hour + 5*time.Minute, "3 שע׳ 5 דק׳", "3h 5m"},
		{23*time.Hour + 59*time.Minute, "23 שע׳ 59 דק׳", "23h 59m"},
		{24 * time.Hour, "1 יום", "1d"},
		{24*time.Hour + 30*time.Minute, "1 יום", "1d"},
		{2*24*time.Hour + 4*time.Hour, "2 ימים 4 שע׳", "2d 4h"},
		{40 * 24 * time.Hour, "40 ימים", "40d"},
		{1500 * 24 * time.Hour, "1,500 ימים", "1,500d"},
	}
	for _, tt := range tests {
		if got := he.Duration(tt.d); got != tt.he {
			t.Errorf("he Duration(%v) = %q, want %q", tt.d, got, tt.he)
		}
		if got := en.Duration(tt.d); got != tt.en {
			t.Errorf("en Duration(%v) = %q, want %q", tt.d, got, tt.en)
		}
	}
}
