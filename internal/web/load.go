package web

import (
	"net/http"

	"kesher"
)

// loadRow is one agent's line of the load page.
type loadRow struct {
	*kesher.AgentLoad
	Name string
	Role kesher.Role
}

// agentLoad shows leads and admins each active agent's work: availability,
// open conversations against capacity, handled and hard ones today, with
// the overloaded ones marked (P12).
func (w *Web) agentLoad(rw http.ResponseWriter, r *http.Request, p *page) error {
	loads, err := w.desk.AgentLoads(r.Context())
	if err != nil {
		return err
	}
	dir, err := w.loadDirectory(r.Context())
	if err != nil {
		return err
	}
	rows := make([]loadRow, 0, len(loads))
	for _, l := range loads {
		lr := loadRow{AgentLoad: l, Name: dir.UserName(l.UserID)}
		if u, ok := dir.users[l.UserID]; ok {
			lr.Role = u.Role
		}
		rows = append(rows, lr)
	}
	p.Title, p.Nav, p.Data = p.L.T("load.title"), "load", rows
	w.render(rw, http.StatusOK, "load", p)
	return nil
}
