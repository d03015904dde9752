package web

import (
	"net/http"

	"kesher"
	"kesher/internal/desk"
)

// chatSignal passes an agent's typing, or their reading of the customer's
// latest message, to the customer's chat widget. The desk checks that the
// agent may open the conversation.
func (w *Web) chatSignal(rw http.ResponseWriter, r *http.Request, p *page) error {
	typ := map[string]string{"typing": kesher.EventChatTyping, "read": kesher.EventChatRead}[r.PostFormValue("type")]
	err := w.desk.SignalChat(r.Context(), "", desk.ChatSignal{Type: typ, ConversationID: r.PathValue("id"), MessageID: r.PostFormValue("message_id")})
	if err != nil {
		return err
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}
