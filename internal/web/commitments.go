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

// Commitments are the promises agents make to customers (P4). The
// conversation page lists them with "kept" and "cancel" buttons and a form
// to add one; after an agent's reply it offers to record the promises the
// reply made.

// dueLayout is how a due time travels in a datetime-local input: a wall
// time in the agent's time zone.
const dueLayout = "2006-01-02T15:04"

// promises reports whether a reply holds a promise to offer as a
// commitment. A failure to read it only means nothing is offered: the
// reply went out.
func (w *Web) promises(ctx context.Context, body string) bool {
	props, err := w.desk.ProposeCommitments(ctx, body)
	if err != nil {
		w.log.Warn("web: reading promises in a reply", "err", err)
	}
	return len(props) > 0
}

// propose fills the page's proposals from the reply msgID when it is the
// viewer's own reply in this conversation. A promise already recorded from
// that reply is not offered again.
func (w *Web) propose(ctx context.Context, d *conversationData, msgID string, viewer *kesher.User) error {
	var msg *kesher.Message
	for _, it := range d.Thread {
		if it.Message != nil && it.Message.ID == msgID {
			msg = it.Message
		}
	}
	if msg == nil || msg.Direction != kesher.Outbound || viewer == nil || msg.AuthorID != viewer.ID {
		return nil
	}
	props, err := w.desk.ProposeCommitments(ctx, msg.BodyText)
	if err != nil {
		return err
	}
	d.ProposalsFor = msgID
	for _, pr := range props {
		recorded := false
		for _, c := range d.Commitments {
			recorded = recorded || (c.MessageID == msgID && c.Text == pr.Text)
		}
		if recorded {
			continue
		}
		v := proposalView{Text: pr.Text, Definite: pr.DueAt != nil}
		if pr.DueAt != nil {
			v.Due = *pr.DueAt
		}
		d.Proposals = append(d.Proposals, v)
	}
	return nil
}

// createCommitment records a promise from the side panel's form or from a
// proposal. The due time is read in the agent's time zone.
func (w *Web) createCommitment(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	text, dueText := r.PostFormValue("commitment_text"), strings.TrimSpace(r.PostFormValue("commitment_due"))
	in := desk.NewCommitment{Text: text, MessageID: r.PostFormValue("message_id")}
	var err error
	if dueText != "" {
		in.DueAt, err = time.ParseInLocation(dueLayout, dueText, p.L.Location())
		if err != nil {
			err = kesher.FieldError("commitment_due", "invalid", "%q is not a date and time", dueText)
		}
	}
	if err == nil {
		_, err = w.desk.CreateCommitment(r.Context(), id, in)
	}
	back := ""
	if msg := r.PostFormValue("proposals"); msg != "" {
		back = url.Values{"proposals": {msg}}.Encode()
	}
	return w.afterSideChange(rw, r, p, id, back, err, func(d *conversationData) {
		d.CommitmentText, d.CommitmentDue = text, dueText
		if fields := d.Errors; fields != nil {
			prefixed(fields, "text", "commitment_text")
			prefixed(fields, "due_at", "commitment_due")
			prefixed(fields, "message_id", "commitment_text")
			prefixed(fields, "owner_id", "commitment_text")
		}
	})
}

// resolveCommitment closes a commitment as kept or cancelled.
func (w *Web) resolveCommitment(rw http.ResponseWriter, r *http.Request, p *page) error {
	state := kesher.CommitmentState(r.PostFormValue("state"))
	c, err := w.desk.ResolveCommitment(r.Context(), r.PathValue("id"), state)
	convID := r.PostFormValue("conversation_id")
	if c != nil {
		convID = c.ConversationID
	}
	if convID == "" {
		return err
	}
	return w.afterSideChange(rw, r, p, convID, "", err, nil)
}

// afterSideChange finishes a form of the conversation's side panel: back
// to the conversation (with query, when given) for a full post, the fresh
// panel for a background one. A refusal of the input shows the panel with
// the fields' reasons; a conflict or a refusal of the person shows it with
// the reason as a notice; keep puts back what the form carried. Anything
// else ends the request.
func (w *Web) afterSideChange(rw http.ResponseWriter, r *http.Request, p *page, convID, query string, err error, keep func(*conversationData)) error {
	code := kesher.ErrorCode(err)
	notice := code == kesher.ECodeConflict || code == kesher.ECodeForbidden
	if notice {
		err = nil
	}
	d, fields, err := w.afterChange(r.Context(), convID, err)
	if err != nil {
		return err
	}
	status := http.StatusOK
	switch {
	case fields != nil:
		d.Errors, status = fields, http.StatusUnprocessableEntity
	case notice:
		d.Alert, d.AlertIn, status = "error."+code, "side", http.StatusConflict
		if code == kesher.ECodeForbidden {
			status = http.StatusForbidden
		}
	case !p.fragment:
		to := "/conversations/" + convID
		if query != "" {
			to += "?" + query
		}
		redirect(rw, r, to)
		return nil
	}
	if keep != nil && status != http.StatusOK {
		keep(d)
	}
	r.URL.RawQuery = "part=side"
	if !p.fragment {
		r.URL.RawQuery = ""
	}
	w.showConversation(rw, r, p, d, status)
	return nil
}

// commitmentRow is a commitment with what a list shows beside it: its
// conversation, its owner's name and where it stands now.
type commitmentRow struct {
	*kesher.Commitment
	Conv      *kesher.Conversation
	OwnerName string
	View      kesher.CommitmentState
	// Left is the time to its due time, Over the time past it.
	Left, Over time.Duration
}

// commitmentRows resolves each commitment's conversation and owner.
func (w *Web) commitmentRows(ctx context.Context, cs []*kesher.Commitment, dir *directory, now time.Time) ([]commitmentRow, error) {
	convs := map[string]*kesher.Conversation{}
	rows := make([]commitmentRow, 0, len(cs))
	for _, c := range cs {
		conv, ok := convs[c.ConversationID]
		if !ok {
			var err error
			if conv, err = w.desk.Conversation(ctx, c.ConversationID); err != nil {
				return nil, err
			}
			convs[c.ConversationID] = conv
		}
		rows = append(rows, commitmentRowOf(c, conv, dir, now))
	}
	return rows, nil
}

func commitmentRowOf(c *kesher.Commitment, conv *kesher.Conversation, dir *directory, now time.Time) commitmentRow {
	cr := commitmentRow{Commitment: c, Conv: conv, OwnerName: dir.UserName(c.OwnerID), View: commitmentView(c, now)}
	if cr.View == kesher.CommitmentOpen || cr.View == kesher.CommitmentDue || cr.View == kesher.CommitmentOverdue {
		if d := c.DueAt.Sub(now); d > 0 {
			cr.Left = d
		} else {
			cr.Over = -d
		}
	}
	return cr
}

// commitmentView is where a commitment stands now: its final state once
// resolved, overdue past its due time, due once its owner was reminded
// (the reminder comes when the due time draws near), else open.
func commitmentView(c *kesher.Commitment, now time.Time) kesher.CommitmentState {
	switch {
	case c.State != kesher.CommitmentOpen:
		return c.State
	case !now.Before(c.DueAt):
		return kesher.CommitmentOverdue
	case !c.RemindedAt.IsZero():
		return kesher.CommitmentDue
	}
	return kesher.CommitmentOpen
}
