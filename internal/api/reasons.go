package api

import (
	"net/http"

	"kesher"
	"kesher/internal/desk"
)

func (a *api) createReason(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code   string        `json:"code"`
		Name   string        `json:"name"`
		Source kesher.Source `json:"source"`
		Active *bool         `json:"active"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	reason, err := a.desk.SaveReason(r.Context(), true, desk.ReasonInput{Code: in.Code, Name: in.Name, Source: in.Source, Active: in.Active})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, reason)
}

func (a *api) listReasons(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Reasons(r.Context(), p)
	return writeList(w, items, next, err)
}

func (a *api) getReason(w http.ResponseWriter, r *http.Request) error {
	reason, err := a.desk.Reason(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, reason)
}

// updateReason changes the fields given; the code never changes. The desk
// saves a reason whole, so the current reason fills in the rest.
func (a *api) updateReason(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name   *string        `json:"name"`
		Source *kesher.Source `json:"source"`
		Active *bool          `json:"active"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	cur, err := a.desk.Reason(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	next := desk.ReasonInput{Code: cur.Code, Name: cur.Name, Source: cur.Source, Active: in.Active}
	if in.Name != nil {
		next.Name = *in.Name
	}
	if in.Source != nil {
		next.Source = *in.Source
	}
	reason, err := a.desk.SaveReason(r.Context(), false, next)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, reason)
}
