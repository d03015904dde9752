package web

import (
	"net/http"
)

// escalate raises the conversation to a lead with the agent's reason (P13).
func (w *Web) escalate(rw http.ResponseWriter, r *http.Request, p *page) error {
	id, reason := r.PathValue("id"), r.PostFormValue("escalation_reason")
	_, err := w.desk.Escalate(r.Context(), id, reason)
	return w.afterSideChange(rw, r, p, id, "", err, func(d *conversationData) {
		d.EscalationReason = reason
		if d.Errors != nil {
			prefixed(d.Errors, "reason", "escalation_reason")
		}
	})
}

// resolveEscalation closes the open escalation with a note of how it
// ended, which lets the conversation be solved again.
func (w *Web) resolveEscalation(rw http.ResponseWriter, r *http.Request, p *page) error {
	id, resolution := r.PathValue("id"), r.PostFormValue("resolution")
	_, err := w.desk.ResolveEscalation(r.Context(), id, resolution)
	return w.afterSideChange(rw, r, p, id, "", err, func(d *conversationData) { d.Resolution = resolution })
}
