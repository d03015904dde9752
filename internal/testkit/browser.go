package testkit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"kesher/internal/testkit/report"
)

// ChromiumEnv names the Chromium binary the browser tests drive. Without it
// they use `chromium` on PATH (Debian's package); without either they skip,
// except in CI (CI set), where nothing may skip.
const ChromiumEnv = "KESHER_TEST_CHROMIUM"

// OutputEnv names the folder that screenshots and reports are written to;
// without it they go to test-output/ at the module root.
const OutputEnv = report.OutputEnv

// ActionTimeout bounds one call of Do or Run, so that a page that never
// shows what a test waits for fails the test in seconds instead of hanging
// until go test's own timeout.
const ActionTimeout = 15 * time.Second

// browserStopTimeout is how long the browser may take to close when the
// test ends before it is killed.
const browserStopTimeout = 10 * time.Second

// Browser is one headless Chromium, started for one test.
type Browser struct {
	// ctx is the chromedp context that owns the browser process; each
	// Context is a child of it.
	ctx context.Context
}

// NewBrowser starts a headless Chromium with a fresh profile and a
// 1280×800 window, closed when the test ends. If the test failed, the
// browser's own output is written to the test log; it is noisy (D-Bus
// complaints in containers), so it stays out of passing tests.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	path := chromiumPath(t)
	started := time.Now()
	output := &syncBuffer{}
	tlog := newTestLog(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("headless", true),
		// The tests run as root in CI containers, where Chromium's sandbox
		// cannot start.
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
		chromedp.CombinedOutput(output),
	)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(tlog.Logf))
	// Registered after t.TempDir, so the browser has stopped writing to
	// its profile before the profile is removed.
	t.Cleanup(func() {
		sctx, cancelStop := context.WithTimeout(ctx, browserStopTimeout)
		defer cancelStop()
		if err := chromedp.Cancel(sctx); err != nil {
			t.Logf("close chromium: %v", err)
		}
		cancel()
		cancelAlloc()
		tlog.close()
		if t.Failed() {
			t.Logf("chromium output:\n%s", output.String())
		}
	})
	// The first call starts the browser and ties its life to ctx, so it
	// must not have a timeout of its own; later calls may.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium (%s): %v", path, err)
	}
	version, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		t.Fatalf("chromium version: %v", err)
	}
	t.Logf("%s started in %v", version.Product, time.Since(started).Round(time.Millisecond))
	return &Browser{ctx: ctx}
}

// chromiumPath returns the Chromium binary named by ChromiumEnv or found on
// PATH, or skips the test (fails it in CI) when there is none.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if path := os.Getenv(ChromiumEnv); path != "" {
		found, err := exec.LookPath(path)
		if err != nil {
			t.Fatalf("%s=%s: %v", ChromiumEnv, path, err)
		}
		return found
	}
	found, err := exec.LookPath("chromium")
	if err != nil {
		const msg = "browser tests skipped: install Chromium (apt-get install chromium) or set " + ChromiumEnv + "=/path/to/chromium to run them"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set, so browser tests may not skip)")
		}
		t.Skip(msg)
	}
	return found
}

// Context opens a tab in a new, isolated browser context, with cookies and
// storage of its own, as a second person signed in at another computer
// would have. The tab is closed when the test ends. Drive it with Do and Run
// (or chromedp's own functions, without the default timeout); its console
// errors and warnings are written to the test log as they happen and
// ConsoleErrors returns the errors.
func (b *Browser) Context(t testing.TB) context.Context {
	t.Helper()
	c := &console{log: newTestLog(t)}
	// The listener is registered before the tab starts, so it sees every
	// event, and runs in the tab's event loop, so an event that came
	// before a command's reply is recorded by the time the command returns.
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(c.listen))
	t.Cleanup(func() {
		cancel()
		c.log.close()
	})
	// As in NewBrowser, the first call opens the tab for ctx's whole life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a browser tab: %v", err)
	}
	return context.WithValue(ctx, consoleKey{}, c)
}

// Do runs steps in the tab of ctx, as chromedp.Do does, within
// ActionTimeout, and fails the test if one fails.
func Do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, ActionTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// Run runs an action that returns a value in the tab of ctx, as chromedp.Run
// does, within ActionTimeout, and fails the test if it fails.
func Run[T any](t testing.TB, ctx context.Context, action chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, ActionTimeout)
	defer cancel()
	v, err := chromedp.Run(tctx, action)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

// Screenshot saves a full-page PNG of the tab of ctx as name in the test
// output folder (OutputEnv, default test-output/ at the module root) and
// returns its path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png := Run(t, ctx, chromedp.FullScreenshot(100)) // quality 100 means PNG
	dir := os.Getenv(OutputEnv)
	if dir == "" {
		dir = filepath.Join(ModuleRoot(t), "test-output")
	}
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	t.Logf("screenshot %s", path)
	return path
}

// ConsoleErrors returns the errors the tab of ctx has reported so far:
// console.error and failed console.assert calls, uncaught exceptions and
// unhandled rejections, and the browser's own errors such as a blocked or
// failed resource or a Content-Security-Policy violation. ctx must come from
// Browser.Context.
func ConsoleErrors(ctx context.Context) []string {
	c, ok := ctx.Value(consoleKey{}).(*console)
	if !ok {
		// A nil result here would let "no errors" pass for any context.
		panic("testkit.ConsoleErrors: the context does not come from Browser.Context")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errors...)
}

type consoleKey struct{}

// console records what one tab reports to its console.
type console struct {
	log    *testLog
	mu     sync.Mutex
	errors []string
}

// listen runs in the tab's event loop, so it only formats and records.
func (c *console) listen(ev any) {
	var level, text string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeAssert:
			level = "error"
		case runtime.ConsoleAPICalledTypeWarning:
			level = "warning"
		default:
			return
		}
		text = "console." + string(ev.Type) + ": " + consoleArgs(ev.Args)
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			text += at(st.CallFrames[0].URL, st.CallFrames[0].LineNumber)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		level, text = "error", d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			// The description is the error and its stack; the stack's
			// first frame is in the location already.
			first, _, _ := strings.Cut(d.Exception.Description, "\n")
			text += " " + first
		}
		text += at(d.URL, d.LineNumber)
	case *log.EventEntryAdded:
		e := ev.Entry
		switch e.Level {
		case log.EntryLevelError:
			level = "error"
		case log.EntryLevelWarning:
			level = "warning"
		default:
			return
		}
		text = string(e.Source) + ": " + e.Text + at(e.URL, e.LineNumber)
	default:
		return
	}
	if level == "error" {
		c.mu.Lock()
		c.errors = append(c.errors, text)
		c.mu.Unlock()
	}
	c.log.Logf("browser console %s: %s", level, text)
}

// consoleArgs renders console call arguments: strings as they are, other
// values as JSON or as the browser describes them.
func consoleArgs(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		if a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &s) == nil {
			parts = append(parts, s)
			continue
		}
		switch {
		case len(a.Value) > 0:
			s = string(a.Value)
		case a.UnserializableValue != "":
			s = string(a.UnserializableValue)
		default:
			s = a.Description
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// at formats a source location; the protocol counts lines from 0.
func at(url string, line int64) string {
	if url == "" {
		return ""
	}
	if len(url) > 120 {
		// data: URLs carry the whole page.
		url = url[:120] + "…"
	}
	return fmt.Sprintf(" (%s:%d)", url, line+1)
}

// testLog writes to a test's log from chromedp's goroutines until the test
// closes it: testing panics on a log call after a test has finished, and
// an event may still arrive while a tab or the browser shuts down.
type testLog struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func newTestLog(t testing.TB) *testLog { return &testLog{t: t} }

func (l *testLog) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.t.Logf(format, args...)
	}
}

func (l *testLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
}
