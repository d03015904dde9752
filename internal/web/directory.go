package web

import (
	"context"

	"kesher"
)

// directory holds the desk's people, teams and reasons, which every list and
// form names. They are small, so a page reads them whole.
type directory struct {
	Users   []*kesher.User
	Teams   []*kesher.Team
	Reasons []*kesher.Reason
	users   map[string]*kesher.User
	teams   map[string]*kesher.Team
}

func (w *Web) loadDirectory(ctx context.Context) (*directory, error) {
	d := &directory{users: map[string]*kesher.User{}, teams: map[string]*kesher.Team{}}
	var err error
	if d.Users, err = all(ctx, w.desk.Users); err != nil {
		return nil, err
	}
	if d.Teams, err = all(ctx, w.desk.Teams); err != nil {
		return nil, err
	}
	if d.Reasons, err = all(ctx, w.desk.Reasons); err != nil {
		return nil, err
	}
	for _, u := range d.Users {
		d.users[u.ID] = u
	}
	for _, t := range d.Teams {
		d.teams[t.ID] = t
	}
	return d, nil
}

// all reads every page of a list.
func all[T any](ctx context.Context, list func(context.Context, kesher.Page) ([]T, string, error)) ([]T, error) {
	var items []T
	p := kesher.Page{Limit: kesher.MaxPageLimit}
	for {
		page, next, err := list(ctx, p)
		if err != nil {
			return nil, err
		}
		items = append(items, page...)
		if next == "" {
			return items, nil
		}
		p.Cursor = next
	}
}

// UserName and TeamName resolve ids for lists and templates; an unknown id
// (a deleted team) has no name.
func (d *directory) UserName(id string) string {
	if u, ok := d.users[id]; ok {
		return u.Name
	}
	return ""
}

func (d *directory) TeamName(id string) string {
	if t, ok := d.teams[id]; ok {
		return t.Name
	}
	return ""
}

// ActiveUsers are the users a conversation may be given to.
func (d *directory) ActiveUsers() []*kesher.User {
	var active []*kesher.User
	for _, u := range d.Users {
		if u.Active {
			active = append(active, u)
		}
	}
	return active
}
