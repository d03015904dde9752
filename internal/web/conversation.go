package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
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
	// SuggestedReason is the reason the text suggests while the
	// conversation has none.
	SuggestedReason *desk.ReasonSuggestion
	// Mood flags how the customer's latest message reads, nil when calm.
	Mood *desk.MoodFlag
	// Briefing and WantedOwner keep a refused hand-off's input.
	Briefing, WantedOwner string
	// Composer keeps what was typed when a send failed.
	Composer   string
	Direction  kesher.Direction
	Statuses   []kesher.Status
	Priorities []kesher.Priority
	// Handoffs is how alarming the hand-off count is: "", "warn", "alarm".
	Handoffs string
	// TellCustomer keeps a refused hand-off's choice to tell the customer.
	TellCustomer bool

	// SLA sums up the clocks for the head; Clocks are the side panel's.
	SLA    slaSummary
	Clocks []clockView
	// Pinned is the briefing of the hand-off that gave the conversation
	// to its current owner, kept above the thread while they hold it.
	Pinned      *handoffNote
	Commitments []commitmentRow
	// Escalation is the open escalation, nil when there is none.
	Escalation *escalationView
	// Proposals are the promises found in the viewer's own reply, offered
	// as commitments; ProposalsFor is that reply's id.
	Proposals    []proposalView
	ProposalsFor string
	// CommitmentText, CommitmentDue, EscalationReason and Resolution keep
	// what a refused side form carried.
	CommitmentText, CommitmentDue, EscalationReason, Resolution string
	// ReplyChannels are the channels a reply may go out on: the
	// conversation's, and email for a customer who came on another (P1).
	// ReplyChannel keeps a refused reply's choice.
	ReplyChannels []kesher.Channel
	ReplyChannel  kesher.Channel
	// Templates are the approved WhatsApp templates a reply may send;
	// WindowOpen says whether free text may be sent too, until
	// WindowUntil (zero when the customer never wrote on WhatsApp).
	// Template keeps a refused reply's choice.
	Templates   []kesher.Template
	WindowOpen  bool
	WindowUntil time.Time
	Template    string
	// Alert is the catalogue key of a refusal that is no field's: solving
	// while escalated, say. AlertIn names the fragment that shows it.
	Alert, AlertIn string
}

// escalationView is an open escalation with its owner's name and the time
// left to its response target, or past it.
type escalationView struct {
	*kesher.Escalation
	OwnerName  string
	Left, Over time.Duration
}

// proposalView is a promise found in a reply: a definite one with its due
// time, ready to record, or a vague one to name a time for.
type proposalView struct {
	Definite bool
	Text     string
	Due      time.Time
}

// threadItem is a message or, between messages, a hand-off with its
// briefing, so the next owner reads it where it happened.
type threadItem struct {
	Message    *kesher.Message
	AuthorName string
	// Call is the phone call the message describes, nil for others.
	Call    *callView
	Handoff *handoffNote
	At      time.Time
}

type handoffNote struct {
	By, From, To, Briefing string
	// ToID is whom the conversation was handed to.
	ToID string
	At   time.Time
}

func (w *Web) conversation(rw http.ResponseWriter, r *http.Request, p *page) error {
	d, err := w.conversationData(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if msg := r.URL.Query().Get("proposals"); msg != "" && !p.fragment {
		if err := w.propose(r.Context(), d, msg, p.User); err != nil {
			return err
		}
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
		Handoffs: w.desk.HandoffLevel(conv.HandoffCount)}
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
	if err := w.replyOptions(ctx, d); err != nil {
		return nil, err
	}
	if err := w.thread(ctx, d); err != nil {
		return nil, err
	}
	if err := w.calls(ctx, d); err != nil {
		return nil, err
	}
	var msgs []*kesher.Message
	for _, it := range d.Thread {
		if it.Message != nil {
			msgs = append(msgs, it.Message)
		}
	}
	d.SuggestedReason = desk.SuggestReason(conv, msgs, d.Directory.Reasons)
	d.Mood = desk.CustomerMood(msgs)
	if err := w.ownership(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// replyOptions reads how the conversation may be answered: on its own
// channel or by email, and on WhatsApp in free text or with a template.
func (w *Web) replyOptions(ctx context.Context, d *conversationData) error {
	d.ReplyChannels, d.ReplyChannel = []kesher.Channel{d.Conv.Channel}, d.Conv.Channel
	if d.Conv.Channel != kesher.ChannelEmail {
		d.ReplyChannels = append(d.ReplyChannels, kesher.ChannelEmail)
	}
	if d.Conv.Channel != kesher.ChannelWhatsApp {
		return nil
	}
	var err error
	if d.WindowUntil, d.WindowOpen, err = w.desk.WindowOpen(ctx, d.Conv.ID); err != nil {
		return err
	}
	d.Templates, err = w.desk.Templates(ctx, d.Conv.ID)
	return err
}

// maxCommitments bounds the promises the side panel lists.
const maxCommitments = 100

// ownership reads what keeps the conversation owned: its SLA clocks, its
// commitments and its open escalation.
func (w *Web) ownership(ctx context.Context, d *conversationData) error {
	now := w.now()
	d.SLA, d.Clocks = summarise(d.Conv.SLA, now), clockViews(d.Conv.SLA, now)
	cs, _, err := w.desk.Commitments(ctx, kesher.CommitmentFilter{ConversationID: d.Conv.ID, Page: kesher.Page{Limit: maxCommitments}})
	if err != nil {
		return err
	}
	for _, c := range cs {
		d.Commitments = append(d.Commitments, commitmentRowOf(c, d.Conv, d.Directory, now))
	}
	if !d.Conv.Escalated {
		return nil
	}
	escs, err := w.desk.Escalations(ctx, d.Conv.ID)
	if err != nil {
		return err
	}
	for _, e := range escs {
		if !e.Open() {
			continue
		}
		v := &escalationView{Escalation: e, OwnerName: d.Directory.UserName(e.OwnerID)}
		if left := e.DueAt.Sub(now); left > 0 {
			v.Left = left
		} else if e.RespondedAt.IsZero() {
			v.Over = -left
		}
		d.Escalation = v
	}
	return nil
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
	var latest *handoffNote
	for _, e := range events {
		if e.Type != kesher.EventOwnerChanged {
			continue
		}
		var data struct{ From, To, Briefing string }
		if json.Unmarshal(e.Data, &data) != nil {
			continue
		}
		note := &handoffNote{By: d.Directory.UserName(e.ActorID), From: d.Directory.UserName(data.From),
			To: d.Directory.UserName(data.To), Briefing: data.Briefing, ToID: data.To, At: e.CreatedAt}
		if latest == nil || !note.At.Before(latest.At) {
			latest = note
		}
		if data.Briefing != "" {
			d.Thread = append(d.Thread, threadItem{At: e.CreatedAt, Handoff: note})
		}
	}
	// Only the briefing that came with the current owner stays on top: an
	// older one was written for someone else.
	if latest != nil && latest.Briefing != "" && latest.ToID != "" && latest.ToID == d.Conv.OwnerID {
		d.Pinned = latest
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
	ch, tmpl := kesher.Channel(r.PostFormValue("channel")), r.PostFormValue("template")
	msg, err := w.desk.AddMessage(r.Context(), id, desk.NewMessage{Direction: dir, BodyText: body, Channel: ch, Template: tmpl})
	if err == nil && dir == kesher.Outbound && w.promises(r.Context(), body) {
		// The page that follows offers to record the promises the reply
		// made; a background send follows the redirect as a page load.
		redirect(rw, r, "/conversations/"+id+"?"+url.Values{"proposals": {msg.ID}}.Encode())
		return nil
	}
	d, fields, err := w.afterChange(r.Context(), id, err)
	if err != nil {
		return err
	}
	if fields != nil {
		d.Errors, d.Composer, d.Direction = prefixed(fields, "body_text", "body"), body, dir
		if ch != "" {
			d.ReplyChannel = ch
		}
		d.Template = tmpl
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
	up.TellCustomer = form.Get("tell_customer") != ""
	_, err := w.desk.UpdateConversation(r.Context(), id, up)
	conflict := kesher.ErrorCode(err) == kesher.ECodeConflict
	if conflict {
		err = nil
	}
	d, fields, err := w.afterChange(r.Context(), id, err)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if fields != nil {
		d.Errors, d.Briefing, d.TellCustomer, status = fields, up.Briefing, up.TellCustomer, http.StatusUnprocessableEntity
		if up.OwnerID != nil {
			d.WantedOwner = *up.OwnerID
		}
	}
	if conflict {
		// Solving or closing with an open escalation is the conflict the
		// desk expects people to meet; say what to do about it.
		d.Alert, status = "error.conflict", http.StatusConflict
		if d.Conv.Escalated && up.Status != nil && !up.Status.Unsolved() {
			d.Alert = "escalation.blocks_solve"
		}
		d.AlertIn = "head"
		if r.URL.Query().Get("part") == "side" {
			d.AlertIn = "side"
		}
	}
	if !p.fragment && fields == nil && !conflict {
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
