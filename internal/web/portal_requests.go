package web

import (
	"net/http"
	"net/url"
	"strconv"

	"kesher"
	"kesher/internal/desk"
)

// portalRequestsPage is the "my requests" page's data.
type portalRequestsPage struct {
	Requests []desk.PortalConversation
	NextURL  string
}

// portalRequests lists the signed-in customer's requests on every channel,
// newest first.
func (w *Web) portalRequests(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	list, next, err := w.desk.PortalRequests(r.Context(), p.Customer.ID,
		kesher.Page{Limit: kesher.DefaultPageLimit, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	d := &portalRequestsPage{Requests: list}
	if next != "" {
		d.NextURL = portalPath + "?cursor=" + url.QueryEscape(next)
	}
	p.Title, p.Nav, p.Data = p.L.T("portal.requests.title"), "requests", d
	w.renderPortal(rw, http.StatusOK, "portal_requests", p)
	return nil
}

// portalRequestPage is one request's page: the request as its customer
// sees it, the reply form and what became of the last post.
type portalRequestPage struct {
	*desk.PortalRequest
	Body   string
	Errors map[string]string
	// Notice and Alert are catalogue keys shown above the thread.
	Notice, Alert string
}

func (w *Web) portalRequest(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	d, err := w.portalRequestData(r, p)
	if err != nil {
		return err
	}
	switch {
	case r.URL.Query().Has("sent"):
		d.Notice = "portal.request.sent"
	case r.URL.Query().Has("created"):
		d.Notice = "portal.request.created"
	}
	w.showPortalRequest(rw, p, d, http.StatusOK)
	return nil
}

func (w *Web) portalRequestData(r *http.Request, p *portalPage) (*portalRequestPage, error) {
	req, err := w.desk.PortalRequest(r.Context(), p.Customer.ID, r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	return &portalRequestPage{PortalRequest: req, Errors: map[string]string{}}, nil
}

func (w *Web) showPortalRequest(rw http.ResponseWriter, p *portalPage, d *portalRequestPage, status int) {
	p.Title, p.Nav, p.Data = d.Conversation.Subject, "requests", d
	w.renderPortal(rw, status, "portal_request", p)
}

// portalReply adds the customer's message to their request. A refused
// message shows the page again with the text kept; a request of someone
// else's is not found, and nothing is written.
func (w *Web) portalReply(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	body := r.PostFormValue("body")
	_, err := w.desk.PortalReply(r.Context(), p.Customer.ID, r.PathValue("ref"), body)
	fields := validationFields(err)
	conflict := kesher.ErrorCode(err) == kesher.ECodeConflict
	if err != nil && fields == nil && !conflict {
		return err
	}
	d, derr := w.portalRequestData(r, p)
	if derr != nil {
		return derr
	}
	switch {
	case fields != nil:
		d.Errors, d.Body = prefixed(fields, "body_text", "body"), body
		w.showPortalRequest(rw, p, d, http.StatusUnprocessableEntity)
	case conflict:
		d.Alert, d.Body = "portal.request.closed", body
		w.showPortalRequest(rw, p, d, http.StatusConflict)
	default:
		redirect(rw, r, portalPath+"/requests/"+strconv.FormatInt(d.Conversation.Number, 10)+"?sent=1")
	}
	return nil
}

// portalNewForm is the new request form's data: what was typed and what
// was wrong with it.
type portalNewForm struct {
	Subject, Body string
	Errors        map[string]string
}

func (w *Web) portalNewRequest(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	p.Title, p.Nav, p.Data = p.L.T("portal.new.title"), "new", &portalNewForm{Errors: map[string]string{}}
	w.renderPortal(rw, http.StatusOK, "portal_new", p)
	return nil
}

// portalCreateRequest starts a request through the desk's intake and opens
// it.
func (w *Web) portalCreateRequest(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	f := &portalNewForm{Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"), Errors: map[string]string{}}
	c, err := w.desk.PortalNewRequest(r.Context(), p.Customer.ID, f.Subject, f.Body)
	if fields := validationFields(err); fields != nil {
		f.Errors = prefixed(fields, "message.body_text", "body")
		p.Title, p.Nav, p.Data = p.L.T("portal.new.title"), "new", f
		w.renderPortal(rw, http.StatusUnprocessableEntity, "portal_new", p)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, portalPath+"/requests/"+strconv.FormatInt(c.Number, 10)+"?created=1")
	return nil
}
