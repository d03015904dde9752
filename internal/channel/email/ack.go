package email

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// acknowledge runs a JobAcknowledge job: it has the desk record the
// acknowledgement of a new conversation (once, however often the job
// runs), words it, sends it and records the words sent.
func (s *Sender) acknowledge(ctx context.Context, job *kesher.Job) error {
	var p desk.AcknowledgeJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return failure("", fatalError{fmt.Errorf("acknowledgement job payload: %w", err)})
	}
	out, err := s.desk.AcknowledgementEmail(ctx, p.ConversationID)
	if err != nil {
		return failure("", err)
	}
	out.Message.BodyText = s.acknowledgement(out)
	return s.deliver(ctx, out)
}

// acknowledgement words the acknowledgement of out's conversation in its
// customer's language (Hebrew when it is not known): short and human, and
// no dead end (P3). It gives the ticket number, when to expect an answer,
// that a reply to it reaches the desk, and where to look meanwhile.
func (s *Sender) acknowledgement(out *desk.OutboundEmail) string {
	l := i18n.New(i18n.Negotiate(out.Customer.Language), nil)
	paras := make([]string, 0, 5)
	if name := strings.TrimSpace(out.Customer.Name); name != "" && !strings.Contains(name, "@") {
		paras = append(paras, l.T("email.ack.greeting", "name", name))
	} else {
		paras = append(paras, l.T("email.ack.greeting_anonymous"))
	}
	answer := l.T("email.ack.response_soon")
	if t := out.Mailbox.ResponseTime; t > 0 {
		answer = l.T("email.ack.response_time", "time", l.Duration(t))
	}
	paras = append(paras,
		l.T("email.ack.received", "number", strconv.FormatInt(out.Conversation.Number, 10))+" "+answer,
		l.T("email.ack.add_details"))
	if s.publicURL != "" {
		paras = append(paras, l.T("email.ack.self_service", "url", s.publicURL+"/help"))
	}
	paras = append(paras, strings.TrimSpace(l.T("email.ack.closing")+"\n"+out.Mailbox.Name))
	return strings.Join(paras, "\n\n") + "\n"
}
