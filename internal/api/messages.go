package api

import (
	"net/http"

	"kesher"
	"kesher/internal/desk"
)

// messageIn is a message as clients send it, alone or as the first message
// of a new conversation.
type messageIn struct {
	BodyText    string              `json:"body_text"`
	BodyHTML    string              `json:"body_html"`
	Direction   kesher.Direction    `json:"direction"`
	Channel     kesher.Channel      `json:"channel"`
	Attachments []kesher.Attachment `json:"attachments"`
	ExternalID  string              `json:"external_id"`
	CreatedAt   timestamp           `json:"created_at"`
	// Template names an approved WhatsApp template to send instead of
	// free text.
	Template string `json:"template"`
}

func (in messageIn) message() desk.NewMessage {
	return desk.NewMessage{
		Direction: in.Direction, BodyText: in.BodyText, BodyHTML: in.BodyHTML, Attachments: in.Attachments,
		ExternalID: in.ExternalID, Channel: in.Channel, CreatedAt: in.CreatedAt.Time, Template: in.Template,
	}
}

func (a *api) listMessages(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Messages(r.Context(), r.PathValue("id"), p)
	return writeList(w, items, next, err)
}

// addMessage adds a reply (the default direction), an internal note or,
// for integrations, a customer's message.
func (a *api) addMessage(w http.ResponseWriter, r *http.Request) error {
	var in messageIn
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := a.desk.AddMessage(r.Context(), r.PathValue("id"), in.message())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, m)
}
