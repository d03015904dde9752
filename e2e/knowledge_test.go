package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kesher/internal/i18n"
	"kesher/internal/testkit"
)

// TestKnowledgeBaseAndHelpCentre is the knowledge base's day in small: an
// editor writes a Hebrew article and watches the live preview render it,
// publishes it, and a visitor who is not signed in opens it in the help
// centre, right to left, answers "did this help?" and writes through the
// contact form, which the editor then finds as a web conversation in the
// inbox. Screenshots of the editor and the help centre go to the test
// output folder.
func TestKnowledgeBaseAndHelpCentre(t *testing.T) {
	p := testkit.StartProgram(t)
	p.Run(t, "user", "create", "--email", "ronit@example.com", "--name", "רונית לוי", "--role", "lead", "--password", password)
	token := strings.TrimSpace(p.Run(t, "token", "create", "--email", "ronit@example.com"))
	cat := apiPost(t, p.URL, token, "/api/v1/article-categories", map[string]any{"name": map[string]string{"he": "החזרות וזיכויים", "en": "Returns and refunds"}})
	section := apiPost(t, p.URL, token, "/api/v1/article-sections", map[string]any{"category_id": cat, "name": map[string]string{"he": "מדיניות", "en": "Policy"}})
	he := i18n.New("he", nil)

	b := testkit.NewBrowser(t)
	editor, visitor := b.Context(t), b.Context(t)
	signIn(t, editor, p.URL, "ronit@example.com")
	testkit.Do(t, editor,
		chromedp.Click(chromedp.CSS(`nav.nav a[href="/kb"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/kb/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/kb/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#body[data-preview]`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), "איך מחזירים מוצר"),
		chromedp.SendKeys(chromedp.CSS(`#summary`), "החזרה תוך 14 יום, באיסוף או בסניף"),
		chromedp.SendKeys(chromedp.CSS(`#body`), "אפשר **להחזיר מוצר** תוך 14 יום.\n\n## החזרה בסניף\n\nמביאים את המוצר ואת מספר ההזמנה."),
	)
	// The preview renders as the editor types, through the server.
	waitText(t, editor, "#preview h2", "החזרה בסניף")
	if got := testkit.Run(t, editor, chromedp.Evaluate[string](`document.querySelector("#preview strong")?.textContent || ""`)); got != "להחזיר מוצר" {
		t.Errorf("the preview's bold text is %q", got)
	}
	if dir := testkit.Run(t, editor, chromedp.Evaluate[string](`document.getElementById("preview").dir`)); dir != "rtl" {
		t.Errorf("the Hebrew preview has dir=%q", dir)
	}
	testkit.Run(t, editor, chromedp.Evaluate[bool](`{
		const set = (id, v) => { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event("change", {bubbles: true})); };
		set("section_id", `+jsString(section)+`); set("visibility", "public"); set("state", "published"); true}`))
	testkit.Screenshot(t, editor, "kb-editor-he.png")
	testkit.Do(t, editor,
		chromedp.Click(chromedp.CSS(`#kb-form button.primary[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.article-body`)),
	)
	waitText(t, editor, "main", he.T("kb.saved"))
	helpURL := testkit.Run(t, editor, chromedp.Evaluate[string](`document.querySelector('a[href^="/help/he/articles/"]')?.getAttribute("href") || ""`))
	if !strings.HasPrefix(helpURL, "/help/he/articles/%D7%") {
		t.Fatalf("the published article links to the help centre at %q, want a percent-encoded Hebrew slug", helpURL)
	}

	// A visitor, not signed in, finds it from the help centre's home.
	testkit.Do(t, visitor,
		chromedp.Navigate(p.URL+"/help/he"),
		chromedp.WaitVisible(chromedp.CSS(`.help-categories`)),
		chromedp.Click(chromedp.CSS(`.help-articles a[href="`+helpURL+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.help-article h1`)),
	)
	if dir := testkit.Run(t, visitor, chromedp.Evaluate[string](`document.documentElement.lang + " " + document.documentElement.dir`)); dir != "he rtl" {
		t.Errorf("the help centre's article is %q, want he rtl", dir)
	}
	if h1 := testkit.Run(t, visitor, chromedp.Text(chromedp.CSS(`.help-article h1`))); h1 != "איך מחזירים מוצר" {
		t.Errorf("the article's heading is %q", h1)
	}
	if desc := testkit.Run(t, visitor, chromedp.Evaluate[string](`document.querySelector('meta[name="description"]').content`)); desc != "החזרה תוך 14 יום, באיסוף או בסניף" {
		t.Errorf("the article's description is %q", desc)
	}
	// "Did this help?" answers in place, without leaving the page.
	testkit.Do(t, visitor, chromedp.Click(chromedp.CSS(`#feedback button[value="yes"]`)))
	waitText(t, visitor, "#feedback", he.T("help.feedback.thanks_yes"))
	testkit.Screenshot(t, visitor, "help-article-he.png")

	// The contact form opens a conversation on the web channel.
	testkit.Do(t, visitor,
		chromedp.Click(chromedp.CSS(`.help-nav a[href="/help/he/contact"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.help-contact`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "נועה ברק"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "noa@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#subject`), "החזרת מעיל שהוזמן באתר"),
		chromedp.SendKeys(chromedp.CSS(`#message`), "קראתי את המאמר ועדיין לא ברור לי אם אפשר להחזיר בסניף בחיפה."),
		chromedp.Click(chromedp.CSS(`form.help-contact button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-contact-sent]`)),
	)
	testkit.Screenshot(t, visitor, "help-contact-sent-he.png")
	testkit.Do(t, editor, chromedp.Navigate(p.URL+"/inbox?view=all_open"), chromedp.WaitVisible(chromedp.CSS(`.inbox`)))
	waitText(t, editor, ".rows", "החזרת מעיל שהוזמן באתר")
	if ch := testkit.Run(t, editor, chromedp.Evaluate[string](`[...document.querySelectorAll(".conv-row")].find(r => r.innerText.includes("החזרת מעיל"))?.querySelector(".sr-only")?.textContent || ""`)); ch != he.T("channel.web") {
		t.Errorf("the contact's conversation is on channel %q, want %q", ch, he.T("channel.web"))
	}

	// The English help centre is left to right.
	testkit.Do(t, visitor, chromedp.Navigate(p.URL+"/help/en"), chromedp.WaitVisible(chromedp.CSS(`.help-hero`)))
	if dir := testkit.Run(t, visitor, chromedp.Evaluate[string](`document.documentElement.dir`)); dir != "ltr" {
		t.Errorf("the English help centre has dir=%q", dir)
	}
	testkit.Screenshot(t, visitor, "help-home-en.png")

	for _, e := range append(testkit.ConsoleErrors(editor), testkit.ConsoleErrors(visitor)...) {
		t.Errorf("browser error: %s", e)
	}
}

// apiPost creates something through the API and returns its id.
func apiPost(t *testing.T, base, token, path string, body any) string {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ ID string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: status %d, %v", path, res.StatusCode, err)
	}
	return out.ID
}

// jsString quotes s for a script.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
