package api

import (
	"net/http"

	"kesher"
	"kesher/internal/desk"
)

// customerIn is a customer's name, language and identities as clients send
// them; values are normalised by the desk.
type customerIn struct {
	Name       string `json:"name"`
	Language   string `json:"language"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	WhatsApp   string `json:"whatsapp"`
	Telegram   string `json:"telegram"`
	Chat       string `json:"chat"`
	ExternalID string `json:"external_id"`
}

func (in customerIn) ref() desk.CustomerRef {
	return desk.CustomerRef{
		Name: in.Name, Language: in.Language, Email: in.Email, Phone: in.Phone,
		WhatsApp: in.WhatsApp, Telegram: in.Telegram, Chat: in.Chat, ExternalID: in.ExternalID,
	}
}

func (a *api) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var in customerIn
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.desk.CreateCustomer(r.Context(), in.ref())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (a *api) listCustomers(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Customers(r.Context(), kesher.CustomerFilter{Query: r.URL.Query().Get("q"), Page: p})
	return writeList(w, items, next, err)
}

func (a *api) getCustomer(w http.ResponseWriter, r *http.Request) error {
	c, err := a.desk.Customer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *api) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name     *string `json:"name"`
		Language *string `json:"language"`
		Note     *string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.desk.UpdateCustomer(r.Context(), r.PathValue("id"), desk.CustomerUpdate{Name: in.Name, Language: in.Language, Note: in.Note})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *api) addIdentity(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Kind  kesher.IdentityKind `json:"kind"`
		Value string              `json:"value"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := a.desk.AddIdentity(r.Context(), r.PathValue("id"), in.Kind, in.Value)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, id)
}

func (a *api) removeIdentity(w http.ResponseWriter, r *http.Request) error {
	if err := a.desk.RemoveIdentity(r.Context(), r.PathValue("id"), r.PathValue("identity_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// mergeCustomer merges the customer named in the body INTO the one in the
// path: the path's customer survives and is returned, the way an agent on a
// customer's page pulls a duplicate into it.
func (a *api) mergeCustomer(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CustomerID string `json:"customer_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.CustomerID == "" {
		return kesher.FieldError("customer_id", "required", "name the customer to merge into this one")
	}
	c, err := a.desk.MergeCustomers(r.Context(), in.CustomerID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *api) customerTimeline(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Timeline(r.Context(), r.PathValue("id"), p)
	return writeList(w, items, next, err)
}
