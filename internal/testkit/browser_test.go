package testkit

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser drives Chromium against the real program: a page of the
// server is read, two contexts keep their cookies apart, a screenshot is
// written, and a page's JavaScript errors reach the test.
func TestBrowser(t *testing.T) {
	b := NewBrowser(t)
	p := StartProgram(t)

	dana := b.Context(t)
	Do(t, dana, chromedp.Navigate(p.URL+"/healthz"))
	if body := Run(t, dana, chromedp.Text(chromedp.CSS("body"))); strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz body = %q, want ok", body)
	}

	Do(t, dana, chromedp.Evaluate[chromedp.Void](`document.cookie = "kesher_probe=dana; path=/"`))
	yossi := b.Context(t)
	Do(t, yossi, chromedp.Navigate(p.URL+"/healthz"))
	Do(t, dana, chromedp.Reload())
	if got := Run(t, dana, chromedp.Evaluate[string](`document.cookie`)); got != "kesher_probe=dana" {
		t.Errorf("cookies in the context that set one = %q, want kesher_probe=dana", got)
	}
	if got := Run(t, yossi, chromedp.Evaluate[string](`document.cookie`)); got != "" {
		t.Errorf("cookies in another context = %q, want none", got)
	}

	path := Screenshot(t, dana, "testkit-healthz.png")
	if png, err := os.ReadFile(path); err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("screenshot %s: not a PNG (%v)", path, err)
	}

	// A page of our own, with no favicon request, reports no errors until
	// its script makes some. The exception is thrown from a timer, outside
	// the evaluation, as a page's own code would; the promise settles once
	// the timer has fired.
	page := b.Context(t)
	Do(t, page, chromedp.Navigate("data:text/html,<!doctype html><title>probe</title><p>probe</p>"))
	if errs := ConsoleErrors(page); len(errs) > 0 {
		t.Errorf("console errors on a page without scripts: %q", errs)
	}
	Do(t, page, chromedp.Evaluate[chromedp.Void](`console.warn("only logged");
		console.error("probe", 42);
		new Promise(done => setTimeout(() => { setTimeout(done, 0); throw new Error("boom") }, 0))`, chromedp.EvalAwaitPromise))
	errs := ConsoleErrors(page)
	if len(errs) != 2 || !strings.HasPrefix(errs[0], "console.error: probe 42") || !strings.Contains(errs[1], "Error: boom") {
		t.Errorf("console errors = %q, want the console.error call and the uncaught Error: boom", errs)
	}
}
