package web

import (
	"net/http"
	"net/url"

	"kesher"
)

// The watchdog ("what falls between the chairs") lists the conversations
// and promises nobody is looking after: unowned, waiting, SLA at risk or
// missed, commitments due or overdue, passed on too often, reopened,
// escalated. The top bar carries the total; the page has one list per
// kind.

type watchData struct {
	Kinds []watchCount
	Kind  kesher.WatchKind
	// Rows are the conversations of a conversation list; Commitments the
	// promises of a commitment list.
	Rows        []row
	Commitments []commitmentRow
	// CommitmentList says which of the two the selected list is.
	CommitmentList bool
	NextURL        string
}

type watchCount struct {
	Kind  kesher.WatchKind
	Count int
}

// watchdog shows the counts of every list and the entries of one: the
// kind in the path, or without one the first list that has entries.
func (w *Web) watchdog(rw http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	counts, err := w.desk.Watchdog(ctx)
	if err != nil {
		return err
	}
	d := &watchData{Kind: kesher.WatchKind(r.PathValue("kind"))}
	for _, k := range kesher.WatchKinds {
		d.Kinds = append(d.Kinds, watchCount{Kind: k, Count: counts[k]})
		if d.Kind == "" && counts[k] > 0 {
			d.Kind = k
		}
	}
	switch {
	case d.Kind == "":
		d.Kind = kesher.WatchKinds[0]
	case !d.Kind.Valid():
		return kesher.Errorf(kesher.ECodeNotFound, "no watchdog list %q", d.Kind)
	}
	pg := kesher.Page{Limit: kesher.DefaultPageLimit, Cursor: r.URL.Query().Get("cursor")}
	dir, err := w.loadDirectory(ctx)
	if err != nil {
		return err
	}
	var next string
	if d.Kind == kesher.WatchCommitmentsDue || d.Kind == kesher.WatchCommitmentsOverdue {
		d.CommitmentList = true
		var cs []*kesher.Commitment
		if cs, next, err = w.desk.WatchCommitments(ctx, d.Kind, pg); err != nil {
			return err
		}
		if d.Commitments, err = w.commitmentRows(ctx, cs, dir, p.Now); err != nil {
			return err
		}
		// The list holds what is due within the desk's reminder window,
		// whether or not the reminder has gone out yet.
		for i := range d.Commitments {
			if d.Kind == kesher.WatchCommitmentsDue && d.Commitments[i].View == kesher.CommitmentOpen {
				d.Commitments[i].View = kesher.CommitmentDue
			}
		}
	} else {
		var convs []*kesher.Conversation
		if convs, next, err = w.desk.Watch(ctx, d.Kind, pg); err != nil {
			return err
		}
		if d.Rows, err = w.rows(ctx, convs, dir, p.Now); err != nil {
			return err
		}
	}
	if next != "" {
		d.NextURL = "/watchdog/" + string(d.Kind) + "?" + url.Values{"cursor": {next}}.Encode()
	}
	p.Title, p.Nav, p.Data = p.L.T("watchdog.title")+" · "+p.L.T("watchdog.kind."+string(d.Kind)), "watchdog", d
	w.render(rw, http.StatusOK, "watchdog", p)
	return nil
}
