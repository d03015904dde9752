package web

import (
	"context"
	"net/http"
	"strings"

	"kesher"
	"kesher/internal/desk"
)

// saveChannel connects an account (no id) or changes one from the form. A
// secret left empty keeps the stored one: the page never shows secrets,
// so it cannot send them back.
func (w *Web) saveChannel(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	in := channelInput(r)
	if id != "" {
		stored, err := w.desk.ChannelAccount(r.Context(), id)
		if err != nil {
			return err
		}
		in.Kind = stored.Kind
		for _, s := range []struct {
			posted *string
			kept   string
		}{
			{&in.Token, stored.Token}, {&in.AppSecret, stored.AppSecret}, {&in.VerifyToken, stored.VerifyToken},
		} {
			if *s.posted == "" {
				*s.posted = s.kept
			}
		}
	}
	_, err := w.desk.SaveChannelAccount(r.Context(), id, in)
	return w.afterAdminChange(rw, r, p, "channels", id, err)
}

func (w *Web) deleteChannel(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	return w.afterAdminChange(rw, r, p, "channels", id, w.desk.DeleteChannelAccount(r.Context(), id))
}

// channelInput reads the account form. Templates are one per line, as
// name:language.
func channelInput(r *http.Request) desk.ChannelAccountInput {
	in := desk.ChannelAccountInput{
		Kind: kesher.Channel(r.PostFormValue("kind")), Name: r.PostFormValue("name"), TeamID: r.PostFormValue("team_id"),
		APIBase: r.PostFormValue("api_base"), PhoneNumberID: r.PostFormValue("phone_number_id"), Token: r.PostFormValue("token"),
		AppSecret: r.PostFormValue("app_secret"), VerifyToken: r.PostFormValue("verify_token"),
	}
	for _, line := range strings.Split(r.PostFormValue("templates"), "\n") {
		name, lang, _ := strings.Cut(strings.TrimSpace(line), ":")
		if name != "" {
			in.Templates = append(in.Templates, kesher.Template{Name: name, Language: lang})
		}
	}
	return in
}

// channelForm is an account as its form shows it: no secrets, only
// whether each is set, and the webhook URL to give the provider.
type channelForm struct {
	ID, Kind, Name, TeamID, APIBase, PhoneNumberID, Templates, Webhook string
	HasToken, HasAppSecret, HasVerifyToken                             bool
}

func formOfChannel(a *kesher.ChannelAccount, base string) channelForm {
	lines := make([]string, len(a.Templates))
	for i, t := range a.Templates {
		lines[i] = t.Name + ":" + t.Language
	}
	return channelForm{ID: a.ID, Kind: string(a.Kind), Name: a.Name, TeamID: a.TeamID, APIBase: a.APIBase, PhoneNumberID: a.PhoneNumberID,
		Templates: strings.Join(lines, "\n"), Webhook: base + "/hooks/" + string(a.Kind) + "/" + a.ID,
		HasToken: a.Token != "", HasAppSecret: a.AppSecret != "", HasVerifyToken: a.VerifyToken != ""}
}

// channels reads every account (admins only), as forms.
func (w *Web) channels(ctx context.Context, base string) ([]channelForm, error) {
	list, err := all(ctx, w.desk.ChannelAccounts)
	if err != nil {
		return nil, err
	}
	forms := make([]channelForm, len(list))
	for i, a := range list {
		forms[i] = formOfChannel(a, base)
	}
	return forms, nil
}
