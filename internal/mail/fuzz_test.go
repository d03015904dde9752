package mail

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds Parse mutations of the corpus: it must never panic, and
// everything it returns must be valid UTF-8, because the desk stores and
// shows it as text.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseWithLimits(raw, Limits{MaxAttachments: 50, MaxAttachmentBytes: 1 << 20, MaxTotalBytes: 1 << 20})
		if err != nil {
			return
		}
		checkUTF8(t, m)
		if m.From.Email == "" {
			t.Errorf("parsed without a From address")
		}
		if m.Size != len(raw) {
			t.Errorf("Size = %d, want %d", m.Size, len(raw))
		}
	})
}
