package web

import (
	"net/http"

	"kesher/internal/desk"
)

// saveTeam creates a team (POST /admin/teams) or replaces a team's name,
// members, lead and business calendar (POST /admin/teams/{id}). The desk
// replaces them all at once, so the edit form always carries them all;
// members whose boxes are unticked leave the team.
func (w *Web) saveTeam(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	_, err := w.desk.SaveTeam(r.Context(), id, desk.TeamInput{Name: r.PostFormValue("name"), MemberIDs: r.PostForm["member_ids"],
		LeadID: r.PostFormValue("lead_id"), CalendarID: r.PostFormValue("calendar_id")})
	return w.afterAdminChange(rw, r, p, "teams", id, err)
}

// deleteTeam removes a team; its conversations stay, without a team.
func (w *Web) deleteTeam(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	return w.afterAdminChange(rw, r, p, "teams", id, w.desk.DeleteTeam(r.Context(), id))
}
