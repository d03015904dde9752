package desk_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func TestTags(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		f, w := liveFixture(t, open(t))
		tagged := func(tags ...string) *kesher.Conversation {
			c, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{
				Customer: desk.CustomerRef{Email: "tags@example.com"}, Channel: kesher.ChannelEmail, Tags: tags,
				Message: desk.NewMessage{BodyText: "שלום"},
			})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		a, b, c := tagged("VIP", "refund"), tagged("vip"), tagged("gold", "vip")
		wantTags := func(step string, want ...kesher.TagCount) {
			t.Helper()
			got, err := f.desk.Tags(f.asAgent)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Tags %s (-want +got):\n%s", step, diff)
			}
		}
		wantTags("at first", kesher.TagCount{Tag: "vip", Count: 3}, kesher.TagCount{Tag: "gold", Count: 1}, kesher.TagCount{Tag: "refund", Count: 1})

		rename := func(from, to string) func(context.Context) error {
			return func(ctx context.Context) error { _, err := f.desk.RenameTag(ctx, from, to); return err }
		}
		del := func(tag string) func(context.Context) error {
			return func(ctx context.Context) error { _, err := f.desk.DeleteTag(ctx, tag); return err }
		}
		before := len(w.published())
		for _, tc := range []struct {
			name  string
			ctx   context.Context
			do    func(context.Context) error
			code  string
			field string
		}{
			{"an agent renames", f.asAgent, rename("vip", "gold"), kesher.ECodeForbidden, ""},
			{"a lead deletes", f.asLead, del("vip"), kesher.ECodeForbidden, ""},
			{"a new name that is no tag", f.asAdmin, rename("vip", "a,b"), kesher.ECodeValidation, "to"},
			{"no old name", f.asAdmin, rename(" ", "gold"), kesher.ECodeValidation, "from"},
			{"the same name once normalised", f.asAdmin, rename("vip", " VIP "), kesher.ECodeValidation, "to"},
			{"a tag nobody uses", f.asAdmin, rename("silver", "gold"), kesher.ECodeNotFound, ""},
			{"deleting no tag", f.asAdmin, del(""), kesher.ECodeValidation, "tag"},
			{"deleting a tag nobody uses", f.asAdmin, del("silver"), kesher.ECodeNotFound, ""},
		} {
			err := tc.do(tc.ctx)
			if kesher.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want code %s", tc.name, err, tc.code)
			} else if e, ok := err.(*kesher.Error); tc.field != "" && (!ok || e.Fields[tc.field] == "") {
				t.Errorf("%s: %v, want a problem with field %s", tc.name, err, tc.field)
			}
		}
		if got := w.published()[before:]; len(got) != 0 {
			t.Errorf("refused changes published %v", got)
		}

		// Renaming into a tag in use merges the two.
		if n, err := f.desk.RenameTag(f.asAdmin, "VIP", " Gold "); n != 3 || err != nil {
			t.Fatalf("RenameTag = %d, %v; want 3", n, err)
		}
		wantEvent(t, w, "tag.renamed", map[string]any{"from": "vip", "to": "gold", "conversations": 3.0})
		wantTags("after the rename", kesher.TagCount{Tag: "gold", Count: 3}, kesher.TagCount{Tag: "refund", Count: 1})
		for conv, want := range map[*kesher.Conversation][]string{a: {"gold", "refund"}, b: {"gold"}, c: {"gold"}} {
			if got, err := f.desk.Conversation(f.asAgent, conv.ID); err != nil || !slices.Equal(got.Tags, want) {
				t.Errorf("conversation %d after the rename: %+v, %v; want tags %v", conv.Number, got, err, want)
			}
		}

		if n, err := f.desk.DeleteTag(f.asAdmin, "REFUND"); n != 1 || err != nil {
			t.Fatalf("DeleteTag = %d, %v; want 1", n, err)
		}
		wantEvent(t, w, "tag.deleted", map[string]any{"tag": "refund", "conversations": 1.0})
		wantTags("after the delete", kesher.TagCount{Tag: "gold", Count: 3})
	})
}

// wantEvent checks that the last batch w saw is one event of type typ
// with data.
func wantEvent(t *testing.T, w *watcher, typ string, data map[string]any) {
	t.Helper()
	w.mu.Lock()
	last := w.batches[len(w.batches)-1]
	w.mu.Unlock()
	if len(last) != 1 || last[0].Type != typ {
		t.Fatalf("last published %v, want one %s event", last, typ)
	}
	var got map[string]any
	if err := json.Unmarshal(last[0].Data, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(data, got); diff != "" {
		t.Errorf("%s data (-want +got):\n%s", typ, diff)
	}
}
