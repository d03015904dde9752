package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"kesher"
)

// Tags lists every tag in use, most used first. The GROUP BY needs
// conversation_tags alone; SQLite reads just its (tag, conversation_id)
// index, in tag order.
func (q *queries) Tags(ctx context.Context) ([]kesher.TagCount, error) {
	tags, _, err := list(ctx, q, "tags", "SELECT tag, COUNT(*) AS n FROM conversation_tags GROUP BY tag ORDER BY n DESC, tag", nil, 0,
		func(s scanner) (kesher.TagCount, error) {
			var tc kesher.TagCount
			return tc, s.Scan(&tc.Tag, &tc.Count)
		})
	return tags, err
}

// A conversation's tags live twice: in its tags column, which lists
// return, and in conversation_tags, which filters and Tags read. Renaming
// or deleting a tag rewrites both, the column first. On PostgreSQL another
// transaction may change a conversation's tags in between; the column's
// UPDATE only touches lists it has read, and the row counts of both steps
// must agree, so such a race ends in a conflict instead of two stories.

// RenameTag replaces from with to on every conversation that carries it.
func (t *tx) RenameTag(ctx context.Context, from, to string) (int, error) {
	if from == to {
		return 0, kesher.FieldError("to", "same", "the tag is already called %s", to)
	}
	n, err := t.retag(ctx, from, to)
	if err != nil {
		return 0, err
	}
	// A conversation that has both tags keeps to and loses from. Deleting
	// those rows first keeps (conversation_id, tag) unique in the UPDATE.
	merged, err := t.execCount(ctx, "DELETE FROM conversation_tags WHERE tag = $1"+
		" AND conversation_id IN (SELECT conversation_id FROM conversation_tags WHERE tag = $2)", from, to)
	if err != nil {
		return 0, err
	}
	renamed, err := t.execCount(ctx, "UPDATE conversation_tags SET tag = $2 WHERE tag = $1", from, to)
	if err != nil {
		return 0, err
	}
	return n, sameCount(n, merged+renamed)
}

// DeleteTag removes tag from every conversation that carries it.
func (t *tx) DeleteTag(ctx context.Context, tag string) (int, error) {
	n, err := t.retag(ctx, tag)
	if err != nil {
		return 0, err
	}
	deleted, err := t.execCount(ctx, "DELETE FROM conversation_tags WHERE tag = $1", tag)
	if err != nil {
		return 0, err
	}
	return n, sameCount(n, deleted)
}

// retagChunk is how many conversations one UPDATE of retag names.
const retagChunk = 100

// retag rewrites the tags column of every conversation that carries tag:
// tag goes, replacement (if any) comes, and the list stays sorted and
// distinct. It returns how many conversations it rewrote.
//
// Conversations with the same tags get the same new tags, so they are
// updated together, a chunk of ids at a time: a tag on n conversations
// with k different lists of tags takes about k + n/retagChunk statements,
// not n.
func (t *tx) retag(ctx context.Context, tag string, replacement ...string) (int, error) {
	type tagged struct{ id, tags string }
	convs, _, err := list(ctx, &t.queries, "conversations tagged "+tag,
		"SELECT id, tags FROM conversations WHERE id IN (SELECT conversation_id FROM conversation_tags WHERE tag = $1)", args{tag}, 0,
		func(s scanner) (tagged, error) {
			var c tagged
			return c, s.Scan(&c.id, &c.tags)
		})
	if err != nil {
		return 0, err
	}
	byTags := map[string][]string{} // the tags column → the ids that have it
	for _, c := range convs {
		byTags[c.tags] = append(byTags[c.tags], c.id)
	}
	if len(byTags) == 0 {
		return 0, kesher.Errorf(kesher.ECodeNotFound, "no conversation is tagged %s", tag)
	}
	rewritten := 0
	for old, ids := range byTags {
		var tags []string
		if err := json.Unmarshal([]byte(old), &tags); err != nil {
			return 0, err
		}
		tags = slices.DeleteFunc(tags, func(s string) bool { return s == tag })
		tags = append(tags, replacement...)
		slices.Sort(tags)
		updated, err := tagsJSON(slices.Compact(tags))
		if err != nil {
			return 0, err
		}
		for chunk := range slices.Chunk(ids, retagChunk) {
			// Every chunk fills all the placeholders, repeating its last
			// id, so that all chunks share one statement text.
			a := args{updated, old}
			var ps []string
			for i := range retagChunk {
				ps = append(ps, a.add(chunk[min(i, len(chunk)-1)]))
			}
			n, err := t.execCount(ctx, "UPDATE conversations SET tags = $1 WHERE tags = $2 AND id IN ("+strings.Join(ps, ", ")+")", a...)
			if err != nil {
				return 0, err
			}
			rewritten += n
		}
	}
	return rewritten, sameCount(len(convs), rewritten)
}

// execCount runs a statement and returns how many rows it changed.
func (t *tx) execCount(ctx context.Context, query string, a ...any) (int, error) {
	res, err := t.q.ExecContext(ctx, query, a...)
	if err != nil {
		return 0, t.dbErr(err, "tags")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// sameCount reports a conflict when two steps of one change touched
// different numbers of conversations: another transaction changed their
// tags in between.
func sameCount(want, got int) error {
	if want != got {
		return kesher.Errorf(kesher.ECodeConflict, "the conversations' tags changed during the change (%d, then %d); try again", want, got)
	}
	return nil
}
