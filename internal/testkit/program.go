package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Limits of a program's life in a test. Start covers the build-free part of
// StartProgram: the process starting, migrating and answering /readyz. Stop
// is how long a SIGTERM may take before the process is killed.
const (
	programStartTimeout = 20 * time.Second
	programStopTimeout  = 10 * time.Second
	commandTimeout      = time.Minute
)

// ModuleRoot returns the directory of the module's go.mod, found by asking
// the go command from the test's working directory, so that helpers work
// from whichever package's tests call them.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := moduleRoot()
	if err != nil {
		t.Fatalf("find the module root: %v", err)
	}
	return dir
}

var moduleRoot = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("the tests do not run inside a module")
	}
	return filepath.Dir(gomod), nil
})

// BuildKesher builds cmd/kesher once per test binary and returns the path of
// the executable. The binary lives in a temporary directory for the life of
// the test process: every test that starts a program shares it, and no
// single test's cleanup may remove it from under the others.
func BuildKesher(t testing.TB) string {
	t.Helper()
	bin, err := buildKesher()
	if err != nil {
		t.Fatalf("build cmd/kesher: %v", err)
	}
	return bin
}

var buildKesher = sync.OnceValues(func() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "kesher-test-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "kesher")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/kesher")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	return bin, nil
})

// Program is a kesher server running as its own process, on a free port of
// 127.0.0.1 and with a data directory of its own.
type Program struct {
	// URL is the server's root, such as http://127.0.0.1:41237.
	URL     string
	DataDir string
	Bin     string

	db     string // the --db the server was given, so that Run uses the same database
	cmd    *exec.Cmd
	log    *syncBuffer
	exited chan struct{} // closed when the process has ended
	err    error         // the process's exit error, set before exited closes
	killed bool          // Kill ended the process, so its exit error is expected
}

// StartProgram builds kesher and runs `kesher serve` on a free port with a
// fresh data directory, plus args (for example "--db", PostgresDSN(t)); a
// "--data" among args names the data directory instead, so a test can
// start a program again on the data of one it stopped or killed. It
// returns once the server answers /readyz. When the test ends the server
// gets SIGTERM and must exit cleanly; if the test failed, the server's log
// is written to the test log.
func StartProgram(t testing.TB, args ...string) *Program {
	t.Helper()
	started := time.Now()
	p := &Program{
		DataDir: flagValue(args, "data"),
		Bin:     BuildKesher(t),
		db:      flagValue(args, "db"),
		log:     &syncBuffer{},
		exited:  make(chan struct{}),
	}
	if p.DataDir == "" {
		p.DataDir = t.TempDir()
	}
	// The test's own args come last, so that they win over these (a fixed
	// --addr, say; the address is read from the log either way).
	serve := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", p.DataDir}, args...)
	p.cmd = exec.Command(p.Bin, serve...)
	p.cmd.Env = programEnv()
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	built := time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start kesher serve: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	// Registered after t.TempDir, so it runs before the data directory is
	// removed: the server must stop before its files go. The log goes to
	// the test log on any failure, including one of the start below.
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("kesher serve did not stop cleanly: %v", err)
		}
		if t.Failed() {
			t.Logf("kesher serve log:\n%s", p.Log())
		}
	})

	addr, err := p.waitServing(built.Add(programStartTimeout))
	if err != nil {
		t.Fatalf("kesher serve: %v", err)
	}
	p.URL = "http://" + addr
	if err := p.waitReady(built.Add(programStartTimeout)); err != nil {
		t.Fatalf("kesher serve at %s: %v", p.URL, err)
	}
	t.Logf("kesher serving at %s (build %v, start %v)", p.URL, built.Sub(started).Round(time.Millisecond), time.Since(built).Round(time.Millisecond))
	return p
}

// programEnv is the test process's environment without KESHER_* variables,
// so that a developer's own KESHER_DB or KESHER_ADDR cannot point a test's
// server at their real desk. The log level is set because StartProgram
// reads the listen address from an info line.
func programEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KESHER_") {
			env = append(env, kv)
		}
	}
	return append(env, "KESHER_LOG_LEVEL=info")
}

// flagValue returns the value of the flag name in args, in any of the forms
// the flag package accepts (-name v, --name v, -name=v, --name=v); the last
// one wins, as it does for the program.
func flagValue(args []string, name string) string {
	var v string
	for i, a := range args {
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if a == name && i+1 < len(args) {
			v = args[i+1]
		} else if val, ok := strings.CutPrefix(a, name+"="); ok {
			v = val
		}
	}
	return v
}

// waitServing waits for the log line that names the listen address; the
// port is chosen by the kernel, so the log is the only place it is known.
func (p *Program) waitServing(deadline time.Time) (string, error) {
	for {
		for line := range strings.Lines(p.Log()) {
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "kesher is serving" && rec.Addr != "" {
				return rec.Addr, nil
			}
		}
		select {
		case <-p.exited:
			return "", fmt.Errorf("exited before serving: %v", p.err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no %q log line within %v", "kesher is serving", programStartTimeout)
		}
	}
}

// waitReady waits until /readyz answers 200, which means the database
// answers too.
func (p *Program) waitReady(deadline time.Time) error {
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(p.URL + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/readyz answered %s", resp.Status)
		}
		select {
		case <-p.exited:
			return fmt.Errorf("exited before ready: %v", p.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %v: %v", programStartTimeout, err)
		}
	}
}

// Stop sends the server SIGTERM and waits for it to exit, killing it if it
// takes longer than 10 s. It returns nil when the server exited with status
// 0 or was ended by Kill, and the same result on every later call. Tests
// call it to check a graceful shutdown; otherwise the test's cleanup calls
// it.
func (p *Program) Stop() error {
	select {
	case <-p.exited:
		if p.killed {
			return nil
		}
		return p.err
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-p.exited:
		return p.err
	case <-time.After(programStopTimeout):
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	return fmt.Errorf("still running %v after SIGTERM, killed", programStopTimeout)
}

// Kill ends the server at once with SIGKILL, as a power cut or the
// kernel's out-of-memory killer would, and waits until it is gone. Stop,
// and so the test's cleanup, then find it ended and report no error.
func (p *Program) Kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.killed = true
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// Run runs another kesher command (such as "user", "create", "--email", …)
// on the server's data directory and database while the server runs, and
// returns its standard output. A non-zero exit fails the test with the
// command's standard error.
func (p *Program) Run(t testing.TB, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	// The common flags go last: the command's name must come first.
	full := append(slices.Clone(args), "--data", p.DataDir)
	if p.db != "" {
		full = append(full, "--db", p.db)
	}
	cmd := exec.CommandContext(ctx, p.Bin, full...)
	cmd.Env = programEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kesher %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// Log returns what the server has written to its standard output and
// standard error so far: JSON log lines.
func (p *Program) Log() string { return p.log.String() }

// syncBuffer is a bytes.Buffer that the process's output goroutines may
// write while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
