package store

import (
	"context"
	"strings"

	"kesher"
)

const customerColumns = "id, name, language, note, merged_into, created_at, updated_at"

func scanCustomer(s scanner) (*kesher.Customer, error) {
	var c kesher.Customer
	var merged *string
	var created, updated int64
	if err := s.Scan(&c.ID, &c.Name, &c.Language, &c.Note, &merged, &created, &updated); err != nil {
		return nil, err
	}
	if merged != nil {
		c.MergedInto = *merged
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	c.Identities = []kesher.Identity{}
	return &c, nil
}

// Customer returns a customer with its identities.
func (q *queries) Customer(ctx context.Context, id string) (*kesher.Customer, error) {
	c, err := scanCustomer(q.q.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = $1", id))
	if err != nil {
		return nil, q.dbErr(err, "customer "+id)
	}
	return c, q.attachIdentities(ctx, c)
}

// CustomerByIdentity finds the owner of a normalised identity.
func (q *queries) CustomerByIdentity(ctx context.Context, kind kesher.IdentityKind, value string) (*kesher.Customer, error) {
	c, err := scanCustomer(q.q.QueryRowContext(ctx, "SELECT "+prefixed("c.", customerColumns)+
		" FROM identities i JOIN customers c ON c.id = i.customer_id WHERE i.kind = $1 AND i.value = $2", string(kind), value))
	if err != nil {
		return nil, q.dbErr(err, "customer with "+string(kind)+" "+value)
	}
	return c, q.attachIdentities(ctx, c)
}

// Customers lists live (not merged) customers, newest first. A query
// matches a substring of the name in any case, or the start of an identity
// value; the identity part is a range scan of identities_value.
func (q *queries) Customers(ctx context.Context, f kesher.CustomerFilter) ([]*kesher.Customer, string, error) {
	limit := pageLimit(f.Page)
	key, id, after, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	where := []string{"merged_into IS NULL"}
	if query := strings.TrimSpace(f.Query); query != "" {
		where = append(where, "(name_lower LIKE "+a.add("%"+escapeLike(strings.ToLower(query))+"%")+` ESCAPE '\'`+
			" OR id IN (SELECT customer_id FROM identities WHERE value >= "+a.add(query)+" AND value < "+a.add(query+prefixEnd)+"))")
	}
	if after {
		where = append(where, "(created_at, id) < ("+a.add(key)+", "+a.add(id)+")")
	}
	query := "SELECT " + customerColumns + " FROM customers WHERE " + strings.Join(where, " AND ") +
		" ORDER BY created_at DESC, id DESC LIMIT " + a.add(limit+1)
	cs, more, err := list(ctx, q, "customers", query, a, limit, scanCustomer)
	if err != nil {
		return nil, "", err
	}
	if err := q.attachIdentities(ctx, cs...); err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		last := cs[len(cs)-1]
		next = encodeCursor(micros(last.CreatedAt), last.ID)
	}
	return cs, next, nil
}

// prefixEnd follows every string that starts with a given prefix in
// byte-wise order (it is the largest code point), so "value >= p AND
// value < p+prefixEnd" selects the values that start with p and can use an
// index, unlike LIKE 'p%' whose use of an index depends on the collation.
const prefixEnd = "\U0010FFFF"

// escapeLike makes %, _ and \ match themselves in a LIKE … ESCAPE '\'
// pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// prefixed qualifies each column of a column list with p.
func prefixed(p, columns string) string {
	return p + strings.ReplaceAll(columns, ", ", ", "+p)
}

// attachIdentities loads the identities of cs in one query.
func (q *queries) attachIdentities(ctx context.Context, cs ...*kesher.Customer) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[string]*kesher.Customer, len(cs))
	ids := make([]string, len(cs))
	for i, c := range cs {
		byID[c.ID], ids[i] = c, c.ID
	}
	var a args
	rows, err := q.q.QueryContext(ctx, "SELECT id, customer_id, kind, value, created_at FROM identities WHERE customer_id IN "+
		in(&a, ids)+" ORDER BY created_at, id", a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id kesher.Identity
		var created int64
		if err := rows.Scan(&id.ID, &id.CustomerID, &id.Kind, &id.Value, &created); err != nil {
			return err
		}
		id.CreatedAt = fromMicros(created)
		c := byID[id.CustomerID]
		c.Identities = append(c.Identities, id)
	}
	return rows.Err()
}

// CreateCustomer inserts c and its identities.
func (t *tx) CreateCustomer(ctx context.Context, c *kesher.Customer) error {
	a := args{c.ID, c.Name, strings.ToLower(c.Name), c.Language, c.Note, nullable(c.MergedInto), micros(c.CreatedAt), micros(c.UpdatedAt)}
	err := t.insert(ctx, "customer "+c.ID, "INSERT INTO customers (id, name, name_lower, language, note, merged_into, created_at, updated_at)"+
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", a)
	if err != nil {
		return err
	}
	for i := range c.Identities {
		id := &c.Identities[i]
		id.CustomerID = c.ID
		if err := t.AddIdentity(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// UpdateCustomer saves name, language, note, merged_into and updated_at.
func (t *tx) UpdateCustomer(ctx context.Context, c *kesher.Customer) error {
	return t.exec(ctx, "customer "+c.ID, "UPDATE customers SET name = $2, name_lower = $3, language = $4, note = $5, merged_into = $6, updated_at = $7 WHERE id = $1",
		c.ID, c.Name, strings.ToLower(c.Name), c.Language, c.Note, nullable(c.MergedInto), micros(c.UpdatedAt))
}

// AddIdentity inserts an identity; one that another customer (or this one)
// already has is a conflict.
func (t *tx) AddIdentity(ctx context.Context, id *kesher.Identity) error {
	return t.insert(ctx, "identity "+string(id.Kind)+" "+id.Value,
		"INSERT INTO identities (id, customer_id, kind, value, created_at) VALUES ($1, $2, $3, $4, $5)",
		args{id.ID, id.CustomerID, string(id.Kind), id.Value, micros(id.CreatedAt)})
}

// RemoveIdentity deletes one identity of a customer.
func (t *tx) RemoveIdentity(ctx context.Context, customerID, identityID string) error {
	return t.exec(ctx, "identity "+identityID+" of customer "+customerID,
		"DELETE FROM identities WHERE id = $1 AND customer_id = $2", identityID, customerID)
}

// MoveCustomerData gives every identity, conversation and event of from to
// into.
func (t *tx) MoveCustomerData(ctx context.Context, from, into string) error {
	// Survey responses follow too, so that the survivor's survey throttle
	// and results count the merged customer's.
	for _, table := range []string{"identities", "conversations", "events", "survey_responses"} {
		if _, err := t.q.ExecContext(ctx, "UPDATE "+table+" SET customer_id = $1 WHERE customer_id = $2", into, from); err != nil {
			return t.dbErr(err, "customer "+into)
		}
	}
	return nil
}
