package api

import (
	"net/http"

	"kesher"
	"kesher/internal/desk"
)

func (a *api) createUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string      `json:"email"`
		Name     string      `json:"name"`
		Role     kesher.Role `json:"role"`
		Password string      `json:"password"`
		Language string      `json:"language"`
		TimeZone string      `json:"time_zone"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := a.desk.CreateUser(r.Context(), desk.NewUser{Email: in.Email, Name: in.Name, Role: in.Role, Password: in.Password, Language: in.Language,
		TimeZone: in.TimeZone})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

func (a *api) listUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Users(r.Context(), p)
	return writeList(w, items, next, err)
}

func (a *api) getUser(w http.ResponseWriter, r *http.Request) error {
	return a.writeUser(w, r, r.PathValue("id"))
}

// me answers with the signed-in user as stored now, not as authenticated.
func (a *api) me(w http.ResponseWriter, r *http.Request) error {
	return a.writeUser(w, r, kesher.ActorFrom(r.Context()).ID)
}

func (a *api) writeUser(w http.ResponseWriter, r *http.Request, id string) error {
	u, err := a.desk.User(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (a *api) updateUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name         *string              `json:"name"`
		Role         *kesher.Role         `json:"role"`
		Active       *bool                `json:"active"`
		Availability *kesher.Availability `json:"availability"`
		Language     *string              `json:"language"`
		TimeZone     *string              `json:"time_zone"`
		Password     *string              `json:"password"`
		Capacity     *int                 `json:"capacity"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := a.desk.UpdateUser(r.Context(), r.PathValue("id"), desk.UserUpdate{
		Name: in.Name, Role: in.Role, Active: in.Active, Availability: in.Availability, Language: in.Language, TimeZone: in.TimeZone,
		Password: in.Password, Capacity: in.Capacity,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// createdToken is a new token with its secret, which is never shown again.
type createdToken struct {
	Secret string `json:"token"`
	*kesher.Token
}

func (a *api) createToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	secret, t, err := a.desk.CreateToken(r.Context(), r.PathValue("id"), in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdToken{Secret: secret, Token: t})
}
