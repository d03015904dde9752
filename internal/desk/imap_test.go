package desk_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func TestIMAPState(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		f := newEmailFixture(t, open(t))
		ctx := context.Background()
		if _, err := f.desk.IMAPState(ctx, f.support.ID, "INBOX"); kesher.ErrorCode(err) != kesher.ECodeNotFound {
			t.Errorf("before the first poll: %v, want not_found", err)
		}
		okAt := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
		in := &kesher.IMAPState{MailboxID: f.support.ID, Folder: "תמיכה", UIDValidity: 1795435467, LastUID: 42,
			LastError: " log in: NO [AUTHENTICATIONFAILED] " + strings.Repeat("ש", 1200) + "\xff ", LastOKAt: okAt, Failures: 3}
		if err := f.desk.SaveIMAPState(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, err := f.desk.IMAPState(f.asAdmin, f.support.ID, "תמיכה")
		if err != nil {
			t.Fatal(err)
		}
		if got.UIDValidity != 1795435467 || got.LastUID != 42 || got.Failures != 3 || !got.LastOKAt.Equal(okAt) ||
			!strings.HasPrefix(got.LastError, "log in: NO") || len([]rune(got.LastError)) != 1000 {
			t.Errorf("saved %+v, want the state with its error trimmed to 1000 characters", got)
		}

		tests := []struct {
			name string
			ctx  context.Context
			s    kesher.IMAPState
			code string
		}{
			{"an agent", f.asAgent, kesher.IMAPState{MailboxID: f.support.ID, Folder: "INBOX"}, kesher.ECodeForbidden},
			{"no mailbox", ctx, kesher.IMAPState{Folder: "INBOX"}, kesher.ECodeValidation},
			{"no folder", ctx, kesher.IMAPState{MailboxID: f.support.ID}, kesher.ECodeValidation},
			{"a mailbox that is gone", ctx, kesher.IMAPState{MailboxID: "01JNOSUCHMAILBOX00000000000", Folder: "INBOX"}, kesher.ECodeNotFound},
		}
		for _, tt := range tests {
			if err := f.desk.SaveIMAPState(tt.ctx, &tt.s); kesher.ErrorCode(err) != tt.code {
				t.Errorf("%s: SaveIMAPState = %v, want %s", tt.name, err, tt.code)
			}
		}
		if _, err := f.desk.IMAPState(f.asAgent, f.support.ID, "תמיכה"); kesher.ErrorCode(err) != kesher.ECodeForbidden {
			t.Errorf("an agent reads the IMAP state: %v, want forbidden", err)
		}
	})
}

func TestRecordSkippedEmail(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		f := newEmailFixture(t, open(t))
		ctx := context.Background()
		// An Outlook header in windows-1255, as an IMAP server sends it.
		header := "From: =?windows-1255?q?=F9=F8=E4_=E0=E1=F8=E4=ED?= <Sarah.A@Example.org>\r\n" +
			"Subject: =?windows-1255?b?5/nh5fDp+iD54uXp5A==?=\r\nMessage-ID: <big-1@example.org>\r\n\r\n"
		tests := []struct {
			name string
			ctx  context.Context
			in   desk.SkippedEmail
			code string
			want map[string]any // the event's data
		}{
			{"too large, with its header", ctx, desk.SkippedEmail{MailboxID: f.support.ID, Source: "imap", Reason: desk.SkipTooLarge, Header: []byte(header), Size: 40 << 20}, "",
				map[string]any{"reason": "too_large", "source": "imap", "mailbox_id": f.support.ID, "size": float64(40 << 20),
					"message_id": "big-1@example.org", "from": "sarah.a@example.org", "subject": "חשבונית שגויה"}},
			{"unreadable, without a header", f.asAdmin, desk.SkippedEmail{MailboxID: f.support.ID, Source: "imap", Reason: desk.SkipUnreadable, Size: 12}, "",
				map[string]any{"reason": "unreadable", "source": "imap", "mailbox_id": f.support.ID, "size": float64(12)}},
			{"an agent", f.asAgent, desk.SkippedEmail{MailboxID: f.support.ID, Source: "imap", Reason: desk.SkipTooLarge}, kesher.ECodeForbidden, nil},
			{"another reason", ctx, desk.SkippedEmail{MailboxID: f.support.ID, Source: "imap", Reason: "spam"}, kesher.ECodeValidation, nil},
			{"no mailbox", ctx, desk.SkippedEmail{Source: "imap", Reason: desk.SkipTooLarge}, kesher.ECodeValidation, nil},
		}
		for _, tt := range tests {
			before := len(f.published(desk.EventEmailIgnored))
			err := f.desk.RecordSkippedEmail(tt.ctx, tt.in)
			if kesher.ErrorCode(err) != tt.code {
				t.Errorf("%s: %v, want %q", tt.name, err, tt.code)
				continue
			}
			evs := f.published(desk.EventEmailIgnored)
			if tt.want == nil {
				if len(evs) != before {
					t.Errorf("%s: an event was recorded", tt.name)
				}
				continue
			}
			if len(evs) != before+1 {
				t.Fatalf("%s: %d events, want one more than %d", tt.name, len(evs), before)
			}
			var data map[string]any
			if err := json.Unmarshal(evs[len(evs)-1].Data, &data); err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(data, tt.want) {
				t.Errorf("%s: event data %v, want %v", tt.name, data, tt.want)
			}
		}
	})
}
