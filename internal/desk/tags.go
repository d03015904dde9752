package desk

import (
	"context"

	"kesher"
)

// Tags lists every tag in use with the number of conversations that carry
// it, most used first.
func (d *Desk) Tags(ctx context.Context) ([]kesher.TagCount, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.Tags(ctx)
}

// RenameTag renames a tag on every conversation that carries it; where a
// conversation already has the new name, the two become one. It returns
// how many conversations carried the tag. Admins only: tags are the
// desk's shared vocabulary.
func (d *Desk) RenameTag(ctx context.Context, from, to string) (int, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return 0, err
	}
	var v kesher.Validation
	from, ok := normalizeTag(from)
	v.Check(ok, "from", "invalid")
	to, ok = normalizeTag(to)
	v.Check(ok, "to", "invalid")
	if err := v.Err(); err != nil {
		return 0, err
	}
	var n int
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		var err error
		if n, err = tx.RenameTag(ctx, from, to); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "tag.renamed", map[string]any{"from": from, "to": to, "conversations": n}))
	})
	return n, err
}

// DeleteTag removes a tag from every conversation that carries it and
// returns how many did. Admins only.
func (d *Desk) DeleteTag(ctx context.Context, tag string) (int, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return 0, err
	}
	name, ok := normalizeTag(tag)
	if !ok {
		return 0, kesher.FieldError("tag", "invalid", "%q is not a tag", tag)
	}
	var n int
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		var err error
		if n, err = tx.DeleteTag(ctx, name); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "tag.deleted", map[string]any{"tag": name, "conversations": n}))
	})
	return n, err
}

// normalizeTag normalises one tag as normalizeTags does a conversation's,
// so that a tag is found and named the way conversations store it.
func normalizeTag(tag string) (string, bool) {
	tags, ok := normalizeTags([]string{tag})
	if !ok {
		return "", false
	}
	return tags[0], true
}
