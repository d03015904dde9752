// Package report writes the reports of evaluation tests (search quality,
// detector precision and recall) to the test output folder, where a person
// reads them after a run. It imports the standard library only, so that
// the tests of leaf libraries can use it without building the whole desk.
package report

import (
	"os"
	"path/filepath"
	"testing"
)

// OutputEnv names the test output folder, as testkit.OutputEnv does; without
// it reports go to test-output/ at the module root, which git ignores.
const OutputEnv = "KESHER_TEST_OUTPUT"

// Write writes text as name in the test output folder. A report is a
// by-product of a test, so a failure to write it is logged, not failed.
func Write(t testing.TB, name, text string) {
	t.Helper()
	dir := os.Getenv(OutputEnv)
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			t.Logf("no report written: %v", err)
			return
		}
		dir = filepath.Join(root, "test-output")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("no report written: %v", err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Logf("no report written: %v", err)
		return
	}
	t.Logf("report written to %s", path)
}

// moduleRoot walks up from the package being tested to the folder that
// holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
