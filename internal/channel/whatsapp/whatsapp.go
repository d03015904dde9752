// Package whatsapp is the desk's WhatsApp channel (the Cloud API): its
// webhook at /hooks/whatsapp/{channel} answers Meta's verification
// challenge, checks each notification's signature and hands inbound
// messages (their media fetched through the Graph API) and status reports
// to the desk; its sender runs the outbox's WhatsApp jobs. Threading,
// identities and the 24-hour window are the desk's rules.
package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kesher"
	"kesher/internal/channel/messaging"
	"kesher/internal/desk"
)

// Channel is the WhatsApp channel: webhook and sender.
type Channel struct{ messaging.Adapter }

// New returns the channel for cfg.
func New(cfg messaging.Config) *Channel {
	c := &Channel{}
	c.Adapter = messaging.NewAdapter(cfg, kesher.ChannelWhatsApp, desk.JobSendWhatsApp, c.send)
	return c
}

// Routes registers the webhook on mux: GET is Meta's verification of the
// URL, POST a notification. They are public: each request proves itself
// with the account's verify token or app secret.
func (c *Channel) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /hooks/whatsapp/{channel}", c.verify)
	mux.HandleFunc("POST /hooks/whatsapp/{channel}", c.notify)
}

// verify answers the subscription check: hub.challenge echoed when
// hub.verify_token is the account's.
func (c *Channel) verify(w http.ResponseWriter, r *http.Request) {
	acct, ok := messaging.Account(w, r, c.Config.Desk, kesher.ChannelWhatsApp, c.Config.Logger)
	if !ok {
		return
	}
	q := r.URL.Query()
	if q.Get("hub.mode") != "subscribe" || !messaging.Equal(q.Get("hub.verify_token"), acct.VerifyToken) {
		c.Config.Metrics.Reject(kesher.ChannelWhatsApp, "verify_token")
		messaging.WriteError(w, kesher.ECodeForbidden, "the verify token does not match")
		return
	}
	// The challenge is echoed as given: as plain text that no browser may
	// read as anything else.
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(q.Get("hub.challenge")))
}

// notification is the part of a webhook notification the desk reads.
type notification struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Metadata struct {
					PhoneNumberID string `json:"phone_number_id"`
				} `json:"metadata"`
				Contacts []struct {
					WaID    string `json:"wa_id"`
					Profile struct {
						Name string `json:"name"`
					} `json:"profile"`
				} `json:"contacts"`
				Messages []inbound `json:"messages"`
				Statuses []status  `json:"statuses"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type inbound struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *media `json:"image"`
	Document *media `json:"document"`
	Audio    *media `json:"audio"`
	Video    *media `json:"video"`
	Sticker  *media `json:"sticker"`
	Button   struct {
		Text string `json:"text"`
	} `json:"button"`
	Interactive struct {
		ButtonReply struct {
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply struct {
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
	} `json:"location"`
}

type media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type status struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Errors []struct {
		Code    int    `json:"code"`
		Title   string `json:"title"`
		Message string `json:"message"`
	} `json:"errors"`
}

// notify takes in a notification: its signature first, then each message
// and status report. It answers 200 once all are committed; when one
// could not be (a media download or the database failed) it answers 500,
// Meta sends the notification again, and the ones taken in already are
// recognised by their ids.
func (c *Channel) notify(w http.ResponseWriter, r *http.Request) {
	var n notification
	acct, ok := messaging.Receive(w, r, c.Config, kesher.ChannelWhatsApp, "X-Hub-Signature-256", signature, &n)
	if !ok {
		return
	}
	count, err := c.takeIn(r.Context(), acct, &n)
	if err != nil {
		c.Config.Logger.Error("whatsapp: taking in a notification failed; Meta will send it again", "account", acct.ID, "err", err)
		messaging.WriteError(w, kesher.ECodeInternal, "the notification could not be stored; send it again")
		return
	}
	messaging.WriteOK(w, count)
}

// signature is the X-Hub-Signature-256 Meta sends with body: its
// HMAC-SHA256 with the app secret.
func signature(acct *kesher.ChannelAccount, body []byte) string {
	mac := hmac.New(sha256.New, []byte(acct.AppSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// takeIn hands every message and status report of n to the desk, and
// returns how many there were and the first failure.
func (c *Channel) takeIn(ctx context.Context, acct *kesher.ChannelAccount, n *notification) (int, error) {
	var first error
	count := 0
	for _, e := range n.Entry {
		for _, ch := range e.Changes {
			v := ch.Value
			// One app's webhook hears every number of the business; each
			// account takes its own number's notifications only.
			if ch.Field != "messages" || v.Metadata.PhoneNumberID != acct.PhoneNumberID {
				continue
			}
			names := map[string]string{}
			for _, ct := range v.Contacts {
				names[ct.WaID] = ct.Profile.Name
			}
			for _, m := range v.Messages {
				count++
				in, err := c.message(ctx, acct, m, names[m.From])
				if err == nil {
					err = messaging.Ingest(ctx, c.Config.Desk, in, kesher.ChannelWhatsApp, c.Config.Metrics, c.Config.Logger)
				}
				first = keepFirst(first, err)
			}
			for _, s := range v.Statuses {
				count++
				first = keepFirst(first, c.status(ctx, s))
			}
		}
	}
	return count, first
}

// keepFirst returns the first of two errors that is not nil.
func keepFirst(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// message translates an inbound message, fetching its media.
func (c *Channel) message(ctx context.Context, acct *kesher.ChannelAccount, m inbound, name string) (desk.InboundMessage, error) {
	in := desk.InboundMessage{
		AccountID: acct.ID, ExternalID: m.ID, Sender: kesher.Identity{Kind: kesher.IdentityWhatsApp, Value: "+" + m.From},
		Name: name, Recipient: m.From,
	}
	if sec, err := strconv.ParseInt(m.Timestamp, 10, 64); err == nil {
		in.SentAt = time.Unix(sec, 0).UTC()
	}
	var files []*media
	switch m.Type {
	case "text":
		in.Text = m.Text.Body
	case "button":
		in.Text = m.Button.Text
	case "interactive":
		in.Text = m.Interactive.ButtonReply.Title + m.Interactive.ListReply.Title
	case "location":
		if l := m.Location; l != nil {
			in.Text = strings.TrimSpace(fmt.Sprintf("%s https://maps.google.com/?q=%g,%g", l.Name, l.Latitude, l.Longitude))
		}
	default:
		for _, f := range []*media{m.Image, m.Document, m.Audio, m.Video, m.Sticker} {
			if f != nil {
				files = append(files, f)
				in.Text = f.Caption
			}
		}
	}
	for _, f := range files {
		file, err := c.fetchMedia(ctx, acct, f)
		switch {
		case messaging.Hopeless(err):
			c.Config.Logger.Warn("whatsapp: a media file was not taken in", "account", acct.ID, "message", m.ID, "media", f.ID, "err", err)
		case err != nil:
			return in, fmt.Errorf("media %s of message %s: %w", f.ID, m.ID, err)
		default:
			in.Files = append(in.Files, file)
		}
	}
	if in.Text == "" && len(in.Files) == 0 {
		// A kind of message the desk cannot show (a poll, a contact card):
		// the agent still learns that the customer wrote.
		in.Text = "[" + m.Type + "]"
	}
	return in, nil
}

// fetchMedia looks up a media file's URL in the Graph API and downloads it,
// both with the account's token.
func (c *Channel) fetchMedia(ctx context.Context, acct *kesher.ChannelAccount, f *media) (desk.InboundFile, error) {
	var info struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
	}
	if err := messaging.CallJSON(ctx, c.Config.Client, http.MethodGet, acct.APIBase+"/"+url.PathEscape(f.ID), acct.Token, nil, &info); err != nil {
		return desk.InboundFile{}, err
	}
	if info.URL == "" {
		return desk.InboundFile{}, errors.New("the Graph API gave no URL for it")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, info.URL, nil)
	if err != nil {
		return desk.InboundFile{}, err
	}
	req.Header.Set("Authorization", "Bearer "+acct.Token)
	data, typ, err := messaging.Fetch(c.Config.Client, req, c.Config.MaxMedia)
	if err != nil {
		return desk.InboundFile{}, err
	}
	typ = firstOf(f.MimeType, info.MimeType, typ)
	return desk.InboundFile{Filename: firstOf(f.Filename, filename(f.ID, typ)), ContentType: typ, Data: data}, nil
}

// extensions are the usual extensions of the types WhatsApp sends without
// a file name, where the mime package's first (alphabetical) choice is a
// rare one (.jfif for JPEG).
var extensions = map[string]string{"image/jpeg": ".jpg", "audio/ogg": ".ogg", "audio/mpeg": ".mp3", "video/mp4": ".mp4"}

// filename names a file that came without a name by its id and type.
func filename(id, contentType string) string {
	base, _, _ := strings.Cut(contentType, ";")
	base = strings.TrimSpace(base)
	if ext, ok := extensions[base]; ok {
		return id + ext
	}
	if exts, _ := mime.ExtensionsByType(base); len(exts) > 0 {
		return id + exts[0]
	}
	return id
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// statuses maps WhatsApp's status names to deliveries.
var statuses = map[string]kesher.Delivery{
	"sent": kesher.DeliverySent, "delivered": kesher.DeliveryDelivered, "read": kesher.DeliveryRead, "failed": kesher.DeliveryFailed,
}

// status records a status report; kinds the desk does not track (a
// deleted message) are ignored.
func (c *Channel) status(ctx context.Context, s status) error {
	state, ok := statuses[s.Status]
	if !ok || s.ID == "" {
		return nil
	}
	var reasons []string
	for _, e := range s.Errors {
		reasons = append(reasons, strings.TrimSpace(fmt.Sprintf("%d %s %s", e.Code, e.Title, e.Message)))
	}
	return c.Config.Desk.RecordStatus(ctx, kesher.ChannelWhatsApp, s.ID, state, strings.Join(reasons, "; "))
}

// send sends one outbound message: its text, or the approved template.
func (c *Channel) send(ctx context.Context, out *desk.OutboundChat) (string, error) {
	req := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": out.Recipient}
	if t := out.Template; t != nil {
		req["type"] = "template"
		req["template"] = map[string]any{"name": t.Name, "language": map[string]string{"code": t.Language}}
	} else {
		req["type"] = "text"
		req["text"] = map[string]any{"body": out.Message.BodyText, "preview_url": false}
	}
	var resp struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	endpoint := out.Account.APIBase + "/" + url.PathEscape(out.Account.PhoneNumberID) + "/messages"
	if err := messaging.CallJSON(ctx, c.Config.Client, http.MethodPost, endpoint, out.Account.Token, req, &resp); err != nil {
		return "", err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		return "", errors.New("the Graph API answered without a message id")
	}
	return resp.Messages[0].ID, nil
}
