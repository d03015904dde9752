package web

import "net/http"

// renameTag renames a tag on every conversation; a name another tag
// already has merges the two.
func (w *Web) renameTag(rw http.ResponseWriter, r *http.Request, p *page) error {
	from := r.PostFormValue("from")
	_, err := w.desk.RenameTag(r.Context(), from, r.PostFormValue("to"))
	return w.afterAdminChange(rw, r, p, "tags", from, err)
}

// deleteTag removes a tag from every conversation.
func (w *Web) deleteTag(rw http.ResponseWriter, r *http.Request, p *page) error {
	tag := r.PostFormValue("tag")
	_, err := w.desk.DeleteTag(r.Context(), tag)
	return w.afterAdminChange(rw, r, p, "tags", tag, err)
}
