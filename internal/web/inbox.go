package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kesher"
)

// countCap bounds each view's count: past it the view shows "1,000+", so a
// count never costs more than reading that many index entries.
const countCap = 1000

// view is one of the inbox's saved views.
type view struct {
	Key   string
	Count int
}

// views in the order the inbox lists them.
var viewKeys = []string{"mine", "unassigned", "my_teams", "all_open", "pending", "solved"}

var unsolved = []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusOnHold}

// viewFilter is the filter of a view for user u.
func viewFilter(key string, u *kesher.User) kesher.ConversationFilter {
	switch key {
	case "unassigned":
		return kesher.ConversationFilter{Statuses: unsolved, OwnerIDs: []string{kesher.NoOwner}}
	case "my_teams":
		teams := u.TeamIDs
		if len(teams) == 0 {
			// No team: an impossible id keeps the view empty rather than
			// unfiltered.
			teams = []string{"-"}
		}
		return kesher.ConversationFilter{Statuses: unsolved, TeamIDs: teams}
	case "all_open":
		return kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusOpen}}
	case "pending":
		return kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusPending}}
	case "solved":
		return kesher.ConversationFilter{Statuses: []kesher.Status{kesher.StatusSolved}}
	}
	return kesher.ConversationFilter{Statuses: unsolved, OwnerIDs: []string{u.ID}}
}

// inboxQuery is the inbox's state in its URL: the view and the filters.
type inboxQuery struct {
	View                                        string
	Channel, Priority, Tag, Reason, Team, Owner string
	Cursor                                      string
}

func parseInboxQuery(q url.Values) inboxQuery {
	iq := inboxQuery{View: q.Get("view"), Channel: q.Get("channel"), Priority: q.Get("priority"),
		Tag: strings.TrimSpace(q.Get("tag")), Reason: q.Get("reason"), Team: q.Get("team"), Owner: q.Get("owner"),
		Cursor: q.Get("cursor")}
	known := false
	for _, k := range viewKeys {
		known = known || k == iq.View
	}
	if !known {
		iq.View = "mine"
	}
	return iq
}

// encode returns the query string of iq, with the cursor when withCursor.
func (iq inboxQuery) encode(withCursor bool) string {
	v := url.Values{}
	v.Set("view", iq.View)
	for k, s := range map[string]string{"channel": iq.Channel, "priority": iq.Priority, "tag": iq.Tag,
		"reason": iq.Reason, "team": iq.Team, "owner": iq.Owner} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if withCursor && iq.Cursor != "" {
		v.Set("cursor", iq.Cursor)
	}
	return v.Encode()
}

// filter combines the view with the filters.
func (iq inboxQuery) filter(u *kesher.User) kesher.ConversationFilter {
	f := viewFilter(iq.View, u)
	if iq.Channel != "" {
		f.Channels = []kesher.Channel{kesher.Channel(iq.Channel)}
	}
	if iq.Priority != "" {
		f.Priorities = []kesher.Priority{kesher.Priority(iq.Priority)}
	}
	if iq.Tag != "" {
		f.Tags = []string{iq.Tag}
	}
	if iq.Reason != "" {
		f.Reasons = []string{iq.Reason}
	}
	if iq.Team != "" {
		f.TeamIDs = []string{iq.Team}
	}
	if iq.Owner != "" && iq.View != "mine" && iq.View != "unassigned" {
		f.OwnerIDs = []string{iq.Owner}
	}
	f.Page = kesher.Page{Limit: kesher.DefaultPageLimit, Cursor: iq.Cursor}
	return f
}

// inboxData is the inbox page's data.
type inboxData struct {
	Query      inboxQuery
	Views      []view
	Rows       []row
	NextURL    string
	LiveURL    string
	Directory  *directory
	Channels   []kesher.Channel
	Priorities []kesher.Priority
}

// row is one conversation of a list, with the names it refers to resolved.
type row struct {
	*kesher.Conversation
	CustomerName string
	OwnerName    string
	Waiting      time.Duration
	SLA          slaSummary
	// Handoffs is how the row shows its hand-off count: "", "warn" or
	// "alarm" (see desk.HandoffLevel).
	Handoffs string
}

func (w *Web) inbox(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, err := w.inboxData(r.Context(), r.URL.Query(), p)
	if err != nil {
		return err
	}
	p.Title, p.Nav, p.Live, p.Data = p.L.T("inbox.view."+d.Query.View), "inbox", true, d
	if p.fragment {
		block := "inbox-live"
		if r.URL.Query().Get("part") == "views" {
			block = "inbox-views"
		}
		w.renderFragment(rw, http.StatusOK, "inbox", block, p)
		return nil
	}
	w.render(rw, http.StatusOK, "inbox", p)
	return nil
}

func (w *Web) inboxData(ctx context.Context, q url.Values, p *page) (*inboxData, error) {
	iq := parseInboxQuery(q)
	dir, err := w.loadDirectory(ctx)
	if err != nil {
		return nil, err
	}
	d := &inboxData{Query: iq, Directory: dir, Channels: kesher.Channels, Priorities: kesher.Priorities,
		LiveURL: "/inbox?" + iq.encode(true)}
	for _, k := range viewKeys {
		n, err := w.desk.CountConversations(ctx, viewFilter(k, p.User), countCap)
		if err != nil {
			return nil, err
		}
		d.Views = append(d.Views, view{Key: k, Count: n})
	}
	convs, next, err := w.desk.Conversations(ctx, iq.filter(p.User))
	if err != nil {
		return nil, err
	}
	if d.Rows, err = w.rows(ctx, convs, dir, p.Now); err != nil {
		return nil, err
	}
	if next != "" {
		nq := iq
		nq.Cursor = next
		d.NextURL = "/inbox?" + nq.encode(true)
	}
	return d, nil
}

// rows resolves the customer and owner names of convs.
func (w *Web) rows(ctx context.Context, convs []*kesher.Conversation, dir *directory, now time.Time) ([]row, error) {
	names := map[string]string{}
	rows := make([]row, 0, len(convs))
	for _, c := range convs {
		name, ok := names[c.CustomerID]
		if !ok {
			cust, err := w.desk.Customer(ctx, c.CustomerID)
			if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
				return nil, err
			}
			if cust != nil {
				name = cust.Name
			}
			names[c.CustomerID] = name
		}
		rw := row{Conversation: c, CustomerName: name, OwnerName: dir.UserName(c.OwnerID), SLA: summarise(c.SLA, now),
			Handoffs: w.desk.HandoffLevel(c.HandoffCount)}
		if !c.WaitingSince.IsZero() && c.Status.Unsolved() {
			rw.Waiting = now.Sub(c.WaitingSince)
		}
		rows = append(rows, rw)
	}
	return rows, nil
}
