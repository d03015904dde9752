package web

import (
	"context"

	"kesher"
)

// callView is a phone call as the thread shows it, in place of the
// message that describes it: times, waits and the answer against its
// target, already unwrapped for the template.
type callView struct {
	*kesher.Call
	AgentName string
	// Answered and Within compare the answer with the target; Answer is
	// its seconds.
	Answered, Within bool
	Answer           int
}

func callViewOf(c *kesher.Call, dir *directory) *callView {
	v := &callView{Call: c, AgentName: dir.UserName(c.AgentID)}
	if c.AnswerSeconds != nil {
		v.Answered, v.Answer = true, *c.AnswerSeconds
	}
	v.Within = c.AnsweredWithinTarget != nil && *c.AnsweredWithinTarget
	return v
}

// calls puts each call of a phone conversation on the message that
// describes it.
func (w *Web) calls(ctx context.Context, d *conversationData) error {
	if d.Conv.Channel != kesher.ChannelPhone {
		return nil
	}
	calls, err := all(ctx, func(ctx context.Context, p kesher.Page) ([]*kesher.Call, string, error) {
		return w.desk.Calls(ctx, kesher.CallFilter{ConversationID: d.Conv.ID, Page: p})
	})
	if err != nil {
		return err
	}
	byMessage := make(map[string]*kesher.Call, len(calls))
	for _, c := range calls {
		byMessage[c.MessageID] = c
	}
	for i, it := range d.Thread {
		if it.Message == nil {
			continue
		}
		if c, ok := byMessage[it.Message.ID]; ok {
			d.Thread[i].Call = callViewOf(c, d.Directory)
		}
	}
	return nil
}
