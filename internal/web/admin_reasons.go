package web

import (
	"net/http"

	"kesher"
	"kesher/internal/desk"
)

// createReason adds a contact reason with its organisational source.
func (w *Web) createReason(rw http.ResponseWriter, r *http.Request, p *page) error {
	_, err := w.desk.SaveReason(r.Context(), true, desk.ReasonInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
		Source: kesher.Source(r.PostFormValue("source"))})
	return w.afterAdminChange(rw, r, p, "reasons", "", err)
}

// updateReason changes what the row's form carries: the name and source,
// or whether the reason is active. The desk saves a reason's name and
// source together, so what the form does not carry is taken from the
// stored reason.
func (w *Web) updateReason(rw http.ResponseWriter, r *http.Request, p *page) error {
	code := r.PathValue("code")
	reason, err := w.desk.Reason(r.Context(), code)
	if err != nil {
		return err
	}
	in := desk.ReasonInput{Code: code, Name: reason.Name, Source: reason.Source}
	if name := posted(r, "name"); name != nil {
		in.Name = *name
	}
	if source := posted(r, "source"); source != nil {
		in.Source = kesher.Source(*source)
	}
	if in.Active, err = postedBool(r, "active"); err == nil {
		_, err = w.desk.SaveReason(r.Context(), false, in)
	}
	return w.afterAdminChange(rw, r, p, "reasons", code, err)
}
