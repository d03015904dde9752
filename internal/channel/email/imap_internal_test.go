package email

import (
	"testing"
	"time"
)

// TestIMAPBackoff: the wait doubles with each failure from the least to
// the most, and jitter only ever shortens it, by up to a fifth.
func TestIMAPBackoff(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, 5 * time.Second},
		{2, 10 * time.Second},
		{4, 40 * time.Second},
		{7, 5 * time.Minute}, // 320 s, capped
		{1000, 5 * time.Minute},
	}
	for _, tt := range tests {
		for range 20 {
			got := imapBackoff(tt.failures, 5*time.Second, 5*time.Minute)
			if got > tt.want || got < tt.want*4/5 {
				t.Errorf("imapBackoff(%d) = %v, want %v less up to a fifth", tt.failures, got, tt.want)
			}
		}
	}
}

func TestSameFolder(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"INBOX", "inbox", true},
		{"Inbox", "INBOX", true},
		{"טופל", "טופל", true},
		{"Done", "done", false},
		{"INBOX", "Done", false},
	}
	for _, tt := range tests {
		if got := sameFolder(tt.a, tt.b); got != tt.want {
			t.Errorf("sameFolder(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
