package api

import (
	"net/http"

	"kesher/internal/desk"
)

func (a *api) createTeam(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name       string   `json:"name"`
		MemberIDs  []string `json:"member_ids"`
		LeadID     string   `json:"lead_id"`
		CalendarID string   `json:"calendar_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := a.desk.SaveTeam(r.Context(), "", desk.TeamInput{Name: in.Name, MemberIDs: in.MemberIDs, LeadID: in.LeadID, CalendarID: in.CalendarID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, t)
}

func (a *api) listTeams(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Teams(r.Context(), p)
	return writeList(w, items, next, err)
}

func (a *api) getTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := a.desk.Team(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

// updateTeam changes the fields given. The desk saves a team whole, so the
// current team fills in what the request leaves out.
func (a *api) updateTeam(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name       *string   `json:"name"`
		MemberIDs  *[]string `json:"member_ids"`
		LeadID     *string   `json:"lead_id"`
		CalendarID *string   `json:"calendar_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	cur, err := a.desk.Team(r.Context(), id)
	if err != nil {
		return err
	}
	next := desk.TeamInput{Name: cur.Name, MemberIDs: cur.MemberIDs, LeadID: cur.LeadID, CalendarID: cur.CalendarID}
	setIf(&next.Name, in.Name)
	setIf(&next.MemberIDs, in.MemberIDs)
	setIf(&next.LeadID, in.LeadID)
	setIf(&next.CalendarID, in.CalendarID)
	t, err := a.desk.SaveTeam(r.Context(), id, next)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (a *api) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	if err := a.desk.DeleteTeam(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setIf sets *dst to *v when the request gave v.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
