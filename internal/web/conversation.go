package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// maxThread bounds the messages one page shows; a longer thread links to
// the rest.
const maxThread = 500

// handoffWarnAt is where the desk warns before another hand-off: around four,
// customers are furious (P2).
const handoffWarnAt = 3

// conversationData is the conversation page's data.
type conversationData struct {
	Conv      *kesher.Conversation
	Customer  *kesher.Customer
	Thread    []threadItem
	Truncated bool
	// History is every conversation of the customer, on every channel (P1).
	History   []*kesher.Conversation
	Directory *directory
	Errors    map[string]string
	// Briefing and WantedOwner keep a refused hand-off's input.
	Briefing, WantedOwner string
	// Composer keeps what was typed when a send failed.
	Composer    string
	Direction   kesher.Direction
	Statuses    []kesher.Status
	Priorities  []kesher.Priority
	HandoffWarn bool
}

// threadItem is a message or, between messages, a hand-off with its
// briefing, so the next owner reads it where it happened.
type threadItem struct {
	Message    *kesher.Message
	AuthorName string
	Handoff    *handoffNote
	At         time.Time
}

type handoffNote struct {
	By, From, To, Briefing string
}

func (w *Web) conversation(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, err := w.conversationData(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.showConversation(rw, r, p, d, http.StatusOK)
	return nil
}

func (w *Web) showConversation(rw http.ResponseWriter, r *http.Request, p *page, d *conversationData, status int) {
	p.Title = p.L.T("conv.number", "number", strconv.FormatInt(d.Conv.Number, 10)) + " " + d.Conv.Subject
	p.Nav, p.Live, p.Conversation, p.Data = "inbox", true, d.Conv.ID, d
	if p.fragment {
		block, ok := map[string]string{"thread": "conv-thread", "side": "conv-side", "head": "conv-head", "composer": "conv-composer"}[r.URL.Query().Get("part")]
		if !ok {
			block = "conv-thread"
		}
		w.renderFragment(rw, status, "conversation", block, p)
		return
	}
	w.render(rw, status, "conversation", p)
}

func (w *Web) conversationData(ctx context.Context, id string) (*conversationData, error) {
	conv, err := w.desk.Conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &conversationData{Conv: conv, Statuses: kesher.Statuses, Priorities: kesher.Priorities, Direction: kesher.Outbound,
		HandoffWarn: conv.HandoffCount >= handoffWarnAt}
	if d.Directory, err = w.loadDirectory(ctx); err != nil {
		return nil, err
	}
	if d.Customer, err = w.desk.Customer(ctx, conv.CustomerID); err != nil {
		return nil, err
	}
	history, _, err := w.desk.Conversations(ctx, kesher.ConversationFilter{CustomerID: conv.CustomerID, Page: kesher.Page{Limit: 50}})
	if err != nil {
		return nil, err
	}
	d.History = history
	if err := w.thread(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// thread merges the messages with the hand-offs, oldest first.
func (w *Web) thread(ctx context.Context, d *conversationData) error {
	page := kesher.Page{Limit: kesher.MaxPageLimit}
	for {
		msgs, next, err := w.desk.Messages(ctx, d.Conv.ID, page)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			name := d.Directory.UserName(m.AuthorID)
			if m.AuthorType == kesher.AuthorCustomer {
				name = d.Customer.Name
			}
			d.Thread = append(d.Thread, threadItem{Message: m, AuthorName: name, At: m.CreatedAt})
		}
		if next == "" {
			break
		}
		if len(d.Thread) >= maxThread {
			d.Truncated = true
			break
		}
		page.Cursor = next
	}
	events, err := all(ctx, func(ctx context.Context, p kesher.Page) ([]*kesher.Event, string, error) {
		return w.desk.Events(ctx, d.Conv.ID, p)
	})
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.Type != kesher.EventOwnerChanged {
			continue
		}
		var data struct{ From, To, Briefing string }
		if json.Unmarshal(e.Data, &data) != nil || data.Briefing == "" {
			continue
		}
		d.Thread = append(d.Thread, threadItem{At: e.CreatedAt, Handoff: &handoffNote{By: d.Directory.UserName(e.ActorID),
			From: d.Directory.UserName(data.From), To: d.Directory.UserName(data.To), Briefing: data.Briefing}})
	}
	slices.SortStableFunc(d.Thread, func(a, b threadItem) int { return a.At.Compare(b.At) })
	return nil
}

// reply adds a reply or an internal note. A background send answers with
// the fresh thread; a failed one with the composer and its error.
func (w *Web) reply(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	dir := kesher.Direction(r.PostFormValue("direction"))
	if dir != kesher.Note {
		dir = kesher.Outbound
	}
	body := r.PostFormValue("body")
	_, err := w.desk.AddMessage(r.Context(), id, desk.NewMessage{Direction: dir, BodyText: body})
	d, fields, err := w.afterChange(r.Context(), id, err)
	if err != nil {
		return err
	}
	if fields != nil {
		d.Errors, d.Composer, d.Direction = prefixed(fields, "body_text", "body"), body, dir
		r.URL.RawQuery = "part=composer"
		rw.Header().Set("X-Fragment-Target", "#composer")
		w.showConversation(rw, r, p, d, http.StatusUnprocessableEntity)
		return nil
	}
	if !p.fragment {
		redirect(rw, r, "/conversations/"+id)
		return nil
	}
	r.URL.RawQuery = "part=thread"
	w.showConversation(rw, r, p, d, http.StatusOK)
	return nil
}

// update changes the conversation's fields from the side panel: status,
// priority, team, reason, tags, and the owner with its briefing.
func (w *Web) update(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	if err := parseForm(r); err != nil {
		return err
	}
	var up kesher.ConversationUpdate
	form := r.PostForm
	if form.Has("status") {
		s := kesher.Status(form.Get("status"))
		up.Status = &s
	}
	if form.Has("priority") {
		pr := kesher.Priority(form.Get("priority"))
		up.Priority = &pr
	}
	for name, field := range map[string]**string{"team_id": &up.TeamID, "reason": &up.Reason, "owner_id": &up.OwnerID} {
		if form.Has(name) {
			v := form.Get(name)
			*field = &v
		}
	}
	if form.Has("tags") {
		tags := splitTags(form.Get("tags"))
		up.Tags = &tags
	}
	up.Briefing = form.Get("briefing")
	_, err := w.desk.UpdateConversation(r.Context(), id, up)
	d, fields, err := w.afterChange(r.Context(), id, err)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if fields != nil {
		d.Errors, d.Briefing, status = fields, up.Briefing, http.StatusUnprocessableEntity
		if up.OwnerID != nil {
			d.WantedOwner = *up.OwnerID
		}
	}
	if !p.fragment && fields == nil {
		redirect(rw, r, "/conversations/"+id)
		return nil
	}
	if r.URL.Query().Get("part") == "" {
		r.URL.RawQuery = "part=side"
	}
	w.showConversation(rw, r, p, d, status)
	return nil
}

// afterChange reads the conversation again after a change the desk
// answered with err: a refusal of the input comes back as its fields, to
// show beside the form; any other error ends the request.
func (w *Web) afterChange(ctx context.Context, id string, err error) (*conversationData, map[string]string, error) {
	fields := validationFields(err)
	if err != nil && fields == nil {
		return nil, nil, err
	}
	d, err := w.conversationData(ctx, id)
	return d, fields, err
}

// splitTags reads a comma-separated tag field.
func splitTags(s string) []string {
	tags := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// prefixed renames field from to to in a validation's fields, for a form
// whose input names differ from the desk's.
func prefixed(fields map[string]string, from, to string) map[string]string {
	if reason, ok := fields[from]; ok {
		delete(fields, from)
		fields[to] = reason
	}
	return fields
}

// parseForm reads a posted form, URL-encoded or multipart, into r.PostForm.
func parseForm(r *http.Request) error {
	if err := r.ParseMultipartForm(maxFormBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	return nil
}

// emailOriginal downloads an inbound email as it arrived, headers and
// quoted history included. It is served as a file, never rendered: the
// bytes are the sender's.
func (w *Web) emailOriginal(rw http.ResponseWriter, r *http.Request, p *page) error {
	raw, err := w.desk.EmailOriginal(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	h := rw.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", `attachment; filename="`+r.PathValue("id")+`.eml"`)
	h.Set("Cache-Control", "private, no-store")
	_, _ = rw.Write(raw)
	return nil
}
