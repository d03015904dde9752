package api

import (
	"net/http"
	"strconv"

	"kesher"
	"kesher/internal/desk"
)

// Phone calls: the events a telephone system reports, and the calls they
// make.

// callEvent records one call event. A repeat of an event the call has is
// answered like the first, with the call as it stands, so a retried
// webhook is harmless.
func (a *api) callEvent(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		CallID           string               `json:"call_id"`
		Type             kesher.CallEventType `json:"type"`
		At               timestamp            `json:"at"`
		From             string               `json:"from"`
		To               string               `json:"to"`
		Direction        kesher.CallDirection `json:"direction"`
		AgentID          string               `json:"agent_id"`
		AgentEmail       string               `json:"agent_email"`
		Queue            string               `json:"queue"`
		QueueWaitSeconds *int                 `json:"queue_wait_seconds"`
		RecordingURL     string               `json:"recording_url"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.desk.RecordCallEvent(r.Context(), desk.CallReport{
		CallID: in.CallID, Type: in.Type, At: in.At.Time, From: in.From, To: in.To, Direction: in.Direction,
		AgentID: in.AgentID, AgentEmail: in.AgentEmail, Queue: in.Queue, QueueWaitSeconds: in.QueueWaitSeconds, RecordingURL: in.RecordingURL,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// listCalls lists calls, newest first, filtered by missed (true or
// false), agent (an id or "me"), conversation, and the period from–to
// of their start.
func (a *api) listCalls(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := kesher.CallFilter{AgentID: q.Get("agent"), ConversationID: q.Get("conversation"), Page: p}
	if f.AgentID == "me" {
		f.AgentID = kesher.ActorFrom(r.Context()).ID
	}
	var v kesher.Validation
	if s := q.Get("missed"); s != "" {
		missed, err := strconv.ParseBool(s)
		v.Check(err == nil, "missed", "invalid")
		f.Missed = &missed
	}
	var ok bool
	f.From, ok = parseWhen(q.Get("from"))
	v.Check(ok, "from", "invalid")
	f.To, ok = parseWhen(q.Get("to"))
	v.Check(ok, "to", "invalid")
	if err := v.Err(); err != nil {
		return err
	}
	items, next, err := a.desk.Calls(r.Context(), f)
	return writeList(w, items, next, err)
}

func (a *api) getCall(w http.ResponseWriter, r *http.Request) error {
	c, err := a.desk.Call(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}
