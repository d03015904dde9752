package desk

import (
	"context"
	"strings"

	"kesher"
)

// CustomerRef names a customer by id or by any identity; with no id, the
// desk finds the customer that owns one of the identities or creates one.
type CustomerRef struct {
	ID         string
	Name       string
	Language   string
	Email      string
	Phone      string
	WhatsApp   string
	Telegram   string
	Chat       string
	ExternalID string
}

// identities returns the normalised identities of ref, reporting bad values
// on fields named prefix+kind (e.g. "customer.email").
func (ref CustomerRef) identities(prefix string, v *kesher.Validation) []kesher.Identity {
	given := []struct {
		kind  kesher.IdentityKind
		field string
		value string
	}{
		{kesher.IdentityEmail, "email", ref.Email},
		{kesher.IdentityPhone, "phone", ref.Phone},
		{kesher.IdentityWhatsApp, "whatsapp", ref.WhatsApp},
		{kesher.IdentityTelegram, "telegram", ref.Telegram},
		{kesher.IdentityChat, "chat", ref.Chat},
		{kesher.IdentityExternal, "external_id", ref.ExternalID},
	}
	var ids []kesher.Identity
	for _, g := range given {
		if strings.TrimSpace(g.value) == "" {
			continue
		}
		val, err := kesher.NormalizeIdentity(g.kind, g.value)
		if err != nil {
			v.Add(prefix+g.field, "invalid")
			continue
		}
		ids = append(ids, kesher.Identity{Kind: g.kind, Value: val})
	}
	return ids
}

// resolveCustomer finds or creates the customer ref names, inside tx. Given
// identities the customer lacks are added to it (P1: one person, many ways
// to reach them), unless they already belong to someone else.
func (d *Desk) resolveCustomer(ctx context.Context, tx kesher.Tx, ref CustomerRef, ids []kesher.Identity) (*kesher.Customer, error) {
	var cust *kesher.Customer
	if ref.ID != "" {
		c, err := d.liveCustomer(ctx, tx, ref.ID)
		if err != nil {
			return nil, err
		}
		cust = c
	}
	var missing []kesher.Identity
	for _, id := range ids {
		c, err := tx.CustomerByIdentity(ctx, id.Kind, id.Value)
		switch {
		case kesher.ErrorCode(err) == kesher.ECodeNotFound:
			missing = append(missing, id)
		case err != nil:
			return nil, err
		case cust == nil:
			cust = c
		}
	}
	now := d.clock.Now()
	if cust == nil {
		cust = &kesher.Customer{ID: kesher.NewID(now), Name: strings.TrimSpace(ref.Name), Language: ref.Language, CreatedAt: now, UpdatedAt: now}
		for _, id := range missing {
			id.ID, id.CustomerID, id.CreatedAt = kesher.NewID(now), cust.ID, now
			cust.Identities = append(cust.Identities, id)
		}
		if cust.Name == "" {
			cust.Name = defaultName(cust.Identities)
		}
		if err := tx.CreateCustomer(ctx, cust); err != nil {
			return nil, err
		}
		e := d.event(ctx, kesher.EventCustomerCreated, map[string]any{"name": cust.Name, "identities": cust.Identities})
		e.CustomerID = cust.ID
		return cust, tx.AppendEvent(ctx, e)
	}
	for _, id := range missing {
		id.ID, id.CustomerID, id.CreatedAt = kesher.NewID(now), cust.ID, now
		if err := tx.AddIdentity(ctx, &id); err != nil {
			return nil, err
		}
		e := d.event(ctx, kesher.EventIdentityAdded, map[string]any{"kind": id.Kind, "value": id.Value})
		e.CustomerID = cust.ID
		if err := tx.AppendEvent(ctx, e); err != nil {
			return nil, err
		}
		cust.Identities = append(cust.Identities, id)
	}
	return cust, nil
}

// liveCustomer returns a customer, following merges to the surviving one.
func (d *Desk) liveCustomer(ctx context.Context, q kesher.Queries, id string) (*kesher.Customer, error) {
	for range 10 {
		c, err := q.Customer(ctx, id)
		if err != nil || c.MergedInto == "" {
			return c, err
		}
		id = c.MergedInto
	}
	return nil, kesher.Errorf(kesher.ECodeInternal, "customer %s: merge chain too long", id)
}

// defaultName names a customer who gave no name after their first identity.
func defaultName(ids []kesher.Identity) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0].Value
}

// CreateCustomer creates a customer with the identities ref gives. An
// identity that belongs to another customer is a conflict.
func (d *Desk) CreateCustomer(ctx context.Context, ref CustomerRef) (*kesher.Customer, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	var v kesher.Validation
	ids := ref.identities("", &v)
	v.Check(strings.TrimSpace(ref.Name) != "" || len(ids) > 0, "name", "required")
	v.Check(len([]rune(ref.Name)) <= 200, "name", "too_long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var cust *kesher.Customer
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		for _, id := range ids {
			if _, err := tx.CustomerByIdentity(ctx, id.Kind, id.Value); err == nil {
				return kesher.Errorf(kesher.ECodeConflict, "the %s %s belongs to another customer", id.Kind, id.Value)
			}
		}
		var err error
		cust, err = d.resolveCustomer(ctx, tx, CustomerRef{Name: ref.Name, Language: ref.Language}, ids)
		return err
	})
	return cust, err
}

// CustomerUpdate changes a customer's profile; nil fields stay.
type CustomerUpdate struct {
	Name     *string
	Language *string
	Note     *string
}

// UpdateCustomer changes a customer's profile.
func (d *Desk) UpdateCustomer(ctx context.Context, id string, up CustomerUpdate) (*kesher.Customer, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	var v kesher.Validation
	if up.Name != nil {
		v.Check(strings.TrimSpace(*up.Name) != "", "name", "required")
		v.Check(len([]rune(*up.Name)) <= 200, "name", "too_long")
	}
	if up.Note != nil {
		v.Check(len(*up.Note) <= 10000, "note", "too_long")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var cust *kesher.Customer
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		c, err := tx.Customer(ctx, id)
		if err != nil {
			return err
		}
		changes := map[string]change{}
		if up.Name != nil {
			n := strings.TrimSpace(*up.Name)
			apply(changes, "name", &c.Name, &n)
		}
		apply(changes, "language", &c.Language, up.Language)
		apply(changes, "note", &c.Note, up.Note)
		cust = c
		if len(changes) == 0 {
			return nil
		}
		c.UpdatedAt = d.clock.Now()
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		e := d.event(ctx, kesher.EventCustomerUpdated, map[string]any{"changes": changes})
		e.CustomerID = c.ID
		return tx.AppendEvent(ctx, e)
	})
	return cust, err
}

// AddIdentity gives a customer another identity. One that belongs to
// another customer is a conflict: merge the customers instead.
func (d *Desk) AddIdentity(ctx context.Context, customerID string, kind kesher.IdentityKind, value string) (*kesher.Identity, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	val, err := kesher.NormalizeIdentity(kind, value)
	if err != nil {
		if e, ok := err.(*kesher.Error); ok && e.Fields["kind"] == "" {
			return nil, kesher.FieldError("value", "invalid", "%s", e.Message)
		}
		return nil, err
	}
	now := d.clock.Now()
	id := &kesher.Identity{ID: kesher.NewID(now), CustomerID: customerID, Kind: kind, Value: val, CreatedAt: now}
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		if _, err := tx.Customer(ctx, customerID); err != nil {
			return err
		}
		if other, err := tx.CustomerByIdentity(ctx, kind, val); err == nil {
			return kesher.Errorf(kesher.ECodeConflict, "the %s %s belongs to customer %s", kind, val, other.ID)
		}
		if err := tx.AddIdentity(ctx, id); err != nil {
			return err
		}
		e := d.event(ctx, kesher.EventIdentityAdded, map[string]any{"kind": kind, "value": val})
		e.CustomerID = customerID
		return tx.AppendEvent(ctx, e)
	})
	return id, err
}

// RemoveIdentity takes an identity away from a customer.
func (d *Desk) RemoveIdentity(ctx context.Context, customerID, identityID string) error {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return err
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		for _, id := range c.Identities {
			if id.ID == identityID {
				if err := tx.RemoveIdentity(ctx, customerID, identityID); err != nil {
					return err
				}
				e := d.event(ctx, kesher.EventIdentityRemoved, map[string]any{"kind": id.Kind, "value": id.Value})
				e.CustomerID = customerID
				return tx.AppendEvent(ctx, e)
			}
		}
		return kesher.Errorf(kesher.ECodeNotFound, "customer %s has no identity %s", customerID, identityID)
	})
}

// MergeCustomers moves everything of customer from (identities,
// conversations, events) to customer into, and leaves from as a pointer to
// into. Both customers' events record the merge.
func (d *Desk) MergeCustomers(ctx context.Context, from, into string) (*kesher.Customer, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	if from == into {
		return nil, kesher.FieldError("customer_id", "invalid", "a customer cannot be merged into itself")
	}
	var merged *kesher.Customer
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		src, err := tx.Customer(ctx, from)
		if err != nil {
			return err
		}
		if src.MergedInto != "" {
			return kesher.Errorf(kesher.ECodeConflict, "customer %s was already merged into %s", from, src.MergedInto)
		}
		dst, err := d.liveCustomer(ctx, tx, into)
		if err != nil {
			return err
		}
		if err := d.merge(ctx, tx, src, dst); err != nil {
			return err
		}
		merged, err = tx.Customer(ctx, dst.ID)
		return err
	})
	return merged, err
}

// merge moves everything of src to dst inside tx and records it on both.
func (d *Desk) merge(ctx context.Context, tx kesher.Tx, src, dst *kesher.Customer) error {
	if err := tx.MoveCustomerData(ctx, src.ID, dst.ID); err != nil {
		return err
	}
	now := d.clock.Now()
	src.MergedInto, src.UpdatedAt = dst.ID, now
	if err := tx.UpdateCustomer(ctx, src); err != nil {
		return err
	}
	dst.UpdatedAt = now
	if dst.Note == "" {
		dst.Note = src.Note
	}
	if err := tx.UpdateCustomer(ctx, dst); err != nil {
		return err
	}
	for _, id := range []string{src.ID, dst.ID} {
		e := d.event(ctx, kesher.EventCustomerMerged, map[string]any{"from": src.ID, "from_name": src.Name, "into": dst.ID})
		e.CustomerID = id
		if err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// Customer returns a customer to any signed-in user. A merged customer's id
// leads to the customer it was merged into.
func (d *Desk) Customer(ctx context.Context, id string) (*kesher.Customer, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.liveCustomer(ctx, d.store, id)
}

// Customers lists or searches customers by name or identity.
func (d *Desk) Customers(ctx context.Context, f kesher.CustomerFilter) ([]*kesher.Customer, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	f.Query = strings.TrimSpace(f.Query)
	// An identity typed the way people write it (050-1234567, Dana@X.com)
	// is searched in its stored, normalised form.
	for _, kind := range []kesher.IdentityKind{kesher.IdentityEmail, kesher.IdentityPhone} {
		if v, err := kesher.NormalizeIdentity(kind, f.Query); err == nil {
			f.Query = v
			break
		}
	}
	return d.store.Customers(ctx, f)
}

// Timeline lists a customer's story across every conversation and channel
// (P1), newest first.
func (d *Desk) Timeline(ctx context.Context, customerID string, p kesher.Page) ([]*kesher.TimelineEntry, string, error) {
	c, err := d.Customer(ctx, customerID)
	if err != nil {
		return nil, "", err
	}
	return d.store.Timeline(ctx, c.ID, p)
}
