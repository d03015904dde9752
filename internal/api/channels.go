package api

import (
	"net/http"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// channelIn is a messaging account as clients send it, whole (POST) or in
// part (PATCH): absent fields keep the current value. Secrets are
// write-only: the API never shows them, so a client that leaves one out
// keeps it.
type channelIn struct {
	Kind          kesher.Channel     `json:"kind"`
	Name          *string            `json:"name"`
	TeamID        clearable          `json:"team_id"`
	APIBase       *string            `json:"api_base"`
	PhoneNumberID *string            `json:"phone_number_id"`
	Token         *string            `json:"token"`
	AppSecret     *string            `json:"app_secret"`
	VerifyToken   *string            `json:"verify_token"`
	Templates     *[]kesher.Template `json:"templates"`
}

// input applies the request to the current account (nil for a new one).
func (in channelIn) input(cur *kesher.ChannelAccount) desk.ChannelAccountInput {
	out := desk.ChannelAccountInput{Kind: in.Kind}
	if cur != nil {
		out = desk.ChannelAccountInput{
			Kind: cur.Kind, Name: cur.Name, TeamID: cur.TeamID, APIBase: cur.APIBase, PhoneNumberID: cur.PhoneNumberID,
			Token: cur.Token, AppSecret: cur.AppSecret, VerifyToken: cur.VerifyToken, Templates: cur.Templates,
		}
	}
	set(&out.Name, in.Name)
	set(&out.TeamID, in.TeamID.ptr())
	set(&out.APIBase, in.APIBase)
	set(&out.PhoneNumberID, in.PhoneNumberID)
	set(&out.Token, in.Token)
	set(&out.AppSecret, in.AppSecret)
	set(&out.VerifyToken, in.VerifyToken)
	set(&out.Templates, in.Templates)
	return out
}

func (a *api) createChannel(w http.ResponseWriter, r *http.Request) error {
	var in channelIn
	if err := decode(r, &in); err != nil {
		return err
	}
	acct, err := a.desk.SaveChannelAccount(r.Context(), "", in.input(nil))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, acct)
}

func (a *api) listChannels(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.ChannelAccounts(r.Context(), p)
	return writeList(w, items, next, err)
}

func (a *api) getChannel(w http.ResponseWriter, r *http.Request) error {
	acct, err := a.desk.ChannelAccount(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acct)
}

// updateChannel changes the fields given; the stored account, secrets
// included, fills in the rest. Its kind never changes.
func (a *api) updateChannel(w http.ResponseWriter, r *http.Request) error {
	var in channelIn
	if err := decode(r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	cur, err := a.desk.ChannelAccount(r.Context(), id)
	if err != nil {
		return err
	}
	if in.Kind != "" && in.Kind != cur.Kind {
		return kesher.FieldError("kind", "invalid", "an account's kind does not change")
	}
	acct, err := a.desk.SaveChannelAccount(r.Context(), id, in.input(cur))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acct)
}

func (a *api) deleteChannel(w http.ResponseWriter, r *http.Request) error {
	if err := a.desk.DeleteChannelAccount(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// whatsAppWindow tells an agent how a WhatsApp conversation may be
// answered: in free text until the window closes, else with one of the
// templates.
func (a *api) whatsAppWindow(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	until, open, err := a.desk.WindowOpen(r.Context(), id)
	if err != nil {
		return err
	}
	templates, err := a.desk.Templates(r.Context(), id)
	if err != nil {
		return err
	}
	var untilAt *time.Time
	if !until.IsZero() {
		untilAt = &until
	}
	return writeJSON(w, http.StatusOK, map[string]any{"open": open, "until": untilAt, "templates": templates})
}
