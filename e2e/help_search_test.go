package e2e

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kesher/internal/testkit"
)

// returnPolicy is the path of the demo's Hebrew return policy.
var returnPolicy = "/help/he/articles/" + url.PathEscape("מדיניות-החזרות")

// topLinks reports whether one of the first three links sel matches goes
// to path.
func topLinks(t *testing.T, ctx context.Context, sel, path string) bool {
	t.Helper()
	return testkit.Run(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(
		`[...document.querySelectorAll(%q)].slice(0, 3).some((a) => new URL(a.href).pathname === %q)`, sel, path)))
}

// TestHelpCentreSearch, on the demo desk: a customer types "החזרות" into
// the Hebrew help centre's box and the return policy is suggested as she
// types; she searches "להחזיר מוצר" and finds it on the results page.
// Then an agent opens a conversation about a return and inserts the
// policy's link from the suggested articles into her reply.
func TestHelpCentreSearch(t *testing.T) {
	p := testkit.StartProgram(t)
	out := p.Run(t, "demo")
	m := regexp.MustCompile(`sign in as (\S+) with password (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("demo printed no sign-in:\n%s", out)
	}
	b := testkit.NewBrowser(t)
	visitor := b.Context(t)
	// The demo's articles are indexed in the background; type until the
	// suggestion comes.
	var suggested bool
	for deadline := time.Now().Add(20 * time.Second); !suggested && time.Now().Before(deadline); {
		testkit.Do(t, visitor, chromedp.Navigate(p.URL+"/help/he"), chromedp.WaitVisible(chromedp.CSS(`#help-q`)),
			chromedp.SendKeys(chromedp.CSS(`#help-q`), "החזרות"))
		suggested = testkit.Run(t, visitor, chromedp.Poll[bool](`(() => { const s = document.getElementById("help-suggest");
			return s && !s.hidden && s.querySelectorAll("a").length > 0 ? true : null })()`, chromedp.WithPollingTimeout(3*time.Second)))
	}
	if !suggested {
		t.Fatal("typing החזרות suggested nothing")
	}
	if !topLinks(t, visitor, "#help-suggest a", returnPolicy) {
		t.Error("typing החזרות does not suggest the return policy")
	}
	testkit.Screenshot(t, visitor, "help-suggest-he.png")

	testkit.Do(t, visitor,
		chromedp.Navigate(p.URL+"/help/he"), chromedp.WaitVisible(chromedp.CSS(`#help-q`)),
		chromedp.SendKeys(chromedp.CSS(`#help-q`), "להחזיר מוצר"),
		chromedp.Submit(chromedp.CSS(`#help-q`)),
		chromedp.WaitVisible(chromedp.CSS(`.help-results`)),
	)
	if !topLinks(t, visitor, ".help-results a", returnPolicy) {
		t.Error("להחזיר מוצר does not find the return policy among the first three results")
	}
	if dir := testkit.Run(t, visitor, chromedp.Evaluate[string](`document.documentElement.dir`)); dir != "rtl" {
		t.Errorf("the Hebrew results page is %q", dir)
	}
	testkit.Screenshot(t, visitor, "help-search-he.png")

	// The agent's side: a conversation about a return suggests the policy.
	token := strings.TrimSpace(p.Run(t, "token", "create", "--email", m[1]))
	var conv struct{ ID string }
	apiCall(t, p.URL, token, "POST", "/api/v1/conversations", `{"customer": {"email": "new.customer@example.com", "name": "לקוחה חדשה"},
		"channel": "email", "message": {"body_text": "שלום, המוצר שקיבלתי לא מתאים לי. איך אפשר להחזיר אותו ולקבל החזר כספי?"}}`, &conv)
	agent := b.Context(t)
	testkit.Do(t, agent,
		chromedp.Navigate(p.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`#email`), m[1]),
		chromedp.SendKeys(chromedp.CSS(`#password`), m[2]),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`.inbox`)),
		chromedp.Navigate(p.URL+"/conversations/"+conv.ID),
		chromedp.WaitVisible(chromedp.CSS(`#conv-articles [data-insert]`)),
	)
	link := testkit.Run(t, agent, chromedp.Evaluate[string](`document.querySelector("#conv-articles [data-insert]").dataset.insert`))
	testkit.Do(t, agent, chromedp.Click(chromedp.CSS(`#conv-articles [data-insert]`)))
	if reply := testkit.Run(t, agent, chromedp.Evaluate[string](`document.getElementById("body").value`)); !strings.Contains(reply, link) || !strings.Contains(link, "/help/") {
		t.Errorf("the reply holds %q after inserting %q", reply, link)
	}
	testkit.Screenshot(t, agent, "conversation-suggestions-he.png")
	noBrowserErrors(t, visitor, agent)
}
