package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// customersData is the customer search page's data.
type customersData struct {
	Query     string
	Customers []*kesher.Customer
	NextURL   string
}

func (w *Web) customers(rw http.ResponseWriter, r *http.Request, p *page) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	cursor := r.URL.Query().Get("cursor")
	var list []*kesher.Customer
	var next string
	var err error
	if q == "" {
		list, next, err = w.desk.Customers(r.Context(), kesher.CustomerFilter{Page: kesher.Page{Limit: kesher.DefaultPageLimit, Cursor: cursor}})
	} else {
		list, next, err = w.findCustomers(r.Context(), q, cursor)
	}
	if err != nil {
		return err
	}
	d := &customersData{Query: q, Customers: list}
	if next != "" {
		d.NextURL = "/customers?q=" + url.QueryEscape(q) + "&cursor=" + url.QueryEscape(next)
	}
	p.Title, p.Nav, p.Data = p.L.T("nav.customers"), "customers", d
	w.render(rw, http.StatusOK, "customers", p)
	return nil
}

// findCustomers searches customers by name and identities, as typed: the
// last word may be the beginning of a name, an address or a number. A
// query the search refuses finds nobody.
func (w *Web) findCustomers(ctx context.Context, q, cursor string) ([]*kesher.Customer, string, error) {
	hits, next, err := w.desk.Search(ctx, desk.SearchRequest{Query: q, Typing: true, Kinds: []kesher.SearchKind{kesher.SearchCustomer},
		Limit: kesher.DefaultPageLimit, Cursor: cursor})
	if kesher.ErrorCode(err) == kesher.ECodeValidation {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	list := make([]*kesher.Customer, 0, len(hits))
	for _, h := range hits {
		c, err := w.desk.Customer(ctx, h.ID)
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			continue
		} else if err != nil {
			return nil, "", err
		}
		list = append(list, c)
	}
	return list, next, nil
}

// customerData is the customer page's data.
type customerData struct {
	Customer      *kesher.Customer
	Conversations []*kesher.Conversation
	Timeline      []timelineItem
	NextURL       string
	Kinds         []kesher.IdentityKind
	Directory     *directory
	// PortalSignIn is the customer's last sign-in to the portal, zero when
	// never.
	PortalSignIn time.Time
	Errors       map[string]string
	// Form keeps what was typed into a refused form.
	Form map[string]string
}

// timelineItem is one entry of the customer's timeline with the names it
// needs.
type timelineItem struct {
	*kesher.TimelineEntry
	ActorName string
	Subject   string
}

func (w *Web) customer(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, err := w.customerData(r.Context(), r.PathValue("id"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	w.showCustomer(rw, p, d, http.StatusOK)
	return nil
}

func (w *Web) showCustomer(rw http.ResponseWriter, p *page, d *customerData, status int) {
	p.Title, p.Nav, p.Live, p.Data = d.Customer.Name, "customers", true, d
	w.render(rw, status, "customer", p)
}

func (w *Web) customerData(ctx context.Context, id, cursor string) (*customerData, error) {
	c, err := w.desk.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &customerData{Customer: c, Kinds: kesher.IdentityKinds, Errors: map[string]string{}, Form: map[string]string{}}
	if d.Directory, err = w.loadDirectory(ctx); err != nil {
		return nil, err
	}
	if d.PortalSignIn, err = w.desk.LastPortalSignIn(ctx, c.ID); err != nil {
		return nil, err
	}
	if d.Conversations, _, err = w.desk.Conversations(ctx, kesher.ConversationFilter{CustomerID: c.ID, Page: kesher.Page{Limit: 100}}); err != nil {
		return nil, err
	}
	subjects := map[string]string{}
	for _, conv := range d.Conversations {
		subjects[conv.ID] = conv.Subject
	}
	entries, next, err := w.desk.Timeline(ctx, c.ID, kesher.Page{Limit: kesher.DefaultPageLimit, Cursor: cursor})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := d.Directory.UserName(e.ActorID)
		if e.ActorType == kesher.AuthorCustomer {
			name = c.Name
		}
		d.Timeline = append(d.Timeline, timelineItem{TimelineEntry: e, ActorName: name, Subject: subjects[e.ConversationID]})
	}
	if next != "" {
		d.NextURL = "/customers/" + c.ID + "?cursor=" + url.QueryEscape(next)
	}
	return d, nil
}

// updateCustomer saves the profile: name, language and note.
func (w *Web) updateCustomer(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	name, lang, note := r.PostFormValue("name"), r.PostFormValue("language"), r.PostFormValue("note")
	_, err := w.desk.UpdateCustomer(r.Context(), id, desk.CustomerUpdate{Name: &name, Language: &lang, Note: &note})
	return w.afterCustomerChange(rw, r, p, id, err, map[string]string{"name": name, "language": lang, "note": note})
}

func (w *Web) addIdentity(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	kind, value := r.PostFormValue("kind"), r.PostFormValue("value")
	_, err := w.desk.AddIdentity(r.Context(), id, kesher.IdentityKind(kind), value)
	if kesher.ErrorCode(err) == kesher.ECodeConflict {
		err = kesher.FieldError("value", "taken", "another customer has this identity; merge them instead")
	}
	return w.afterCustomerChange(rw, r, p, id, err, map[string]string{"kind": kind, "value": value})
}

func (w *Web) removeIdentity(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	err := w.desk.RemoveIdentity(r.Context(), id, r.PathValue("identity"))
	return w.afterCustomerChange(rw, r, p, id, err, nil)
}

// mergeCustomer merges this customer into another, named by its id or by
// one of its identities (an email, a phone number).
func (w *Web) mergeCustomer(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	into := strings.TrimSpace(r.PostFormValue("into"))
	target, err := w.findCustomer(r.Context(), into)
	if err == nil && target.ID == id {
		err = kesher.FieldError("into", "invalid", "a customer cannot be merged into itself")
	}
	if err == nil {
		if _, err = w.desk.MergeCustomers(r.Context(), id, target.ID); err == nil {
			redirect(rw, r, "/customers/"+target.ID)
			return nil
		}
	}
	return w.afterCustomerChange(rw, r, p, id, err, map[string]string{"into": into})
}

// findCustomer resolves what an agent typed to name a customer: an id, or a
// value only one customer's identities start with.
func (w *Web) findCustomer(ctx context.Context, ref string) (*kesher.Customer, error) {
	if ref == "" {
		return nil, kesher.FieldError("into", "required", "name the customer to merge into")
	}
	if c, err := w.desk.Customer(ctx, ref); err == nil {
		return c, nil
	}
	found, _, err := w.desk.Customers(ctx, kesher.CustomerFilter{Query: ref, Page: kesher.Page{Limit: 2}})
	if err != nil {
		return nil, err
	}
	if len(found) != 1 {
		return nil, kesher.FieldError("into", "unknown", "no single customer matches %q", ref)
	}
	return found[0], nil
}

// afterCustomerChange shows the customer page again: with the form's
// errors when the desk refused it, else after a redirect.
func (w *Web) afterCustomerChange(rw http.ResponseWriter, r *http.Request, p *page, id string, err error, form map[string]string) error {
	fields := validationFields(err)
	if err != nil && fields == nil {
		return err
	}
	if fields == nil {
		redirect(rw, r, "/customers/"+id)
		return nil
	}
	d, derr := w.customerData(r.Context(), id, "")
	if derr != nil {
		return derr
	}
	d.Errors, d.Form = fields, form
	w.showCustomer(rw, p, d, http.StatusUnprocessableEntity)
	return nil
}
