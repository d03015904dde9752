// Package telegram is the desk's Telegram channel (the Bot API): its
// webhook at /hooks/telegram/{channel} checks the secret token Telegram
// sends with each update and hands messages (their photos and documents
// fetched with getFile) to the desk; its sender runs the outbox's Telegram
// jobs with sendMessage. Threading and identities are the desk's rules.
package telegram

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"kesher"
	"kesher/internal/channel/messaging"
	"kesher/internal/desk"
)

// Channel is the Telegram channel: webhook and sender.
type Channel struct{ messaging.Adapter }

// New returns the channel for cfg.
func New(cfg messaging.Config) *Channel {
	c := &Channel{}
	c.Adapter = messaging.NewAdapter(cfg, kesher.ChannelTelegram, desk.JobSendTelegram, c.send)
	return c
}

// Routes registers the webhook on mux. It is public: each request proves
// itself with the account's secret token.
func (c *Channel) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /hooks/telegram/{channel}", c.update)
}

// update is the part of an Update the desk reads: private messages.
type update struct {
	UpdateID int64    `json:"update_id"`
	Message  *message `json:"message"`
}

type message struct {
	MessageID int64 `json:"message_id"`
	From      *struct {
		ID        int64  `json:"id"`
		IsBot     bool   `json:"is_bot"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Username  string `json:"username"`
	} `json:"from"`
	Chat struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
	} `json:"chat"`
	Date     int64  `json:"date"`
	Text     string `json:"text"`
	Caption  string `json:"caption"`
	Photo    []file `json:"photo"`
	Document *file  `json:"document"`
	Audio    *file  `json:"audio"`
	Voice    *file  `json:"voice"`
	Video    *file  `json:"video"`
}

type file struct {
	FileID   string `json:"file_id"`
	FileName string `json:"file_name"`
	MimeType string `json:"mime_type"`
}

// update takes in one Update and answers 200 once it is committed; on a
// failure it answers 500 and Telegram sends the update again.
func (c *Channel) update(w http.ResponseWriter, r *http.Request) {
	var u update
	acct, ok := messaging.Receive(w, r, c.Config, kesher.ChannelTelegram, "X-Telegram-Bot-Api-Secret-Token",
		func(acct *kesher.ChannelAccount, _ []byte) string { return acct.VerifyToken }, &u)
	if !ok {
		return
	}
	m := u.Message
	// Only people's private messages are conversations: groups, channels
	// and other bots are not customers.
	if m == nil || m.From == nil || m.From.IsBot || m.Chat.Type != "private" {
		messaging.WriteOK(w, 0)
		return
	}
	in, err := c.message(r.Context(), acct, m)
	if err == nil {
		err = messaging.Ingest(r.Context(), c.Config.Desk, in, kesher.ChannelTelegram, c.Config.Metrics, c.Config.Logger)
	}
	if err != nil {
		c.Config.Logger.Error("telegram: taking in an update failed; Telegram will send it again", "account", acct.ID, "update", u.UpdateID, "err", err)
		messaging.WriteError(w, kesher.ECodeInternal, "the update could not be stored; send it again")
		return
	}
	messaging.WriteOK(w, 1)
}

// externalID names a message uniquely on the channel: Telegram numbers
// messages per chat, and a chat per bot.
func externalID(acct *kesher.ChannelAccount, chat, msg int64) string {
	return acct.ID + ":" + strconv.FormatInt(chat, 10) + ":" + strconv.FormatInt(msg, 10)
}

// message translates a message, fetching its files.
func (c *Channel) message(ctx context.Context, acct *kesher.ChannelAccount, m *message) (desk.InboundMessage, error) {
	in := desk.InboundMessage{
		AccountID: acct.ID, ExternalID: externalID(acct, m.Chat.ID, m.MessageID),
		Sender: kesher.Identity{Kind: kesher.IdentityTelegram, Value: strconv.FormatInt(m.From.ID, 10)},
		Name:   strings.TrimSpace(m.From.FirstName + " " + m.From.LastName), Recipient: strconv.FormatInt(m.Chat.ID, 10),
		Text: m.Text + m.Caption,
	}
	if m.Date > 0 {
		in.SentAt = time.Unix(m.Date, 0).UTC()
	}
	var files []*file
	if n := len(m.Photo); n > 0 {
		// Telegram offers a photo in several sizes, the largest last.
		files = append(files, &m.Photo[n-1])
	}
	for _, f := range []*file{m.Document, m.Audio, m.Voice, m.Video} {
		if f != nil {
			files = append(files, f)
		}
	}
	for _, f := range files {
		got, err := c.fetch(ctx, acct, f)
		switch {
		case messaging.Hopeless(err):
			c.Config.Logger.Warn("telegram: a file was not taken in", "account", acct.ID, "message", m.MessageID, "file", f.FileID, "err", err)
		case err != nil:
			return in, fmt.Errorf("file %s of message %d: %w", f.FileID, m.MessageID, err)
		default:
			in.Files = append(in.Files, got)
		}
	}
	if in.Text == "" && len(in.Files) == 0 {
		// Something the desk cannot show (a sticker, a poll) or a file it
		// could not fetch: the agent still learns that the customer wrote.
		in.Text = "[" + strings.Join(kinds(m), ", ") + "]"
	}
	return in, nil
}

// kinds names what a message holds, for one the desk cannot show.
func kinds(m *message) []string {
	var out []string
	for name, present := range map[string]bool{"photo": len(m.Photo) > 0, "document": m.Document != nil, "audio": m.Audio != nil,
		"voice": m.Voice != nil, "video": m.Video != nil} {
		if present {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return []string{"message"}
	}
	slices.Sort(out)
	return out
}

// apiURL is the URL of a Bot API method; the token in the path is how
// Telegram knows the bot.
func apiURL(acct *kesher.ChannelAccount, method string) string {
	return acct.APIBase + "/bot" + acct.Token + "/" + method
}

// result is the envelope of every Bot API answer.
type result[T any] struct {
	OK          bool   `json:"ok"`
	Description string `json:"description"`
	ErrorCode   int    `json:"error_code"`
	Result      T      `json:"result"`
}

// call calls a Bot API method with a JSON body (GET without one).
func call[T any](ctx context.Context, c *Channel, acct *kesher.ChannelAccount, method string, in any) (T, error) {
	var body io.Reader
	verb := http.MethodGet
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			var zero T
			return zero, err
		}
		body, verb = bytes.NewReader(b), http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, verb, apiURL(acct, method), body)
	if err != nil {
		var zero T
		return zero, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return do[T](c, req)
}

// do runs a Bot API request and reads its envelope. Telegram answers
// refusals with a non-2xx status whose body is the envelope; its
// description is the reason.
func do[T any](c *Channel, req *http.Request) (T, error) {
	var out result[T]
	b, _, err := messaging.Fetch(c.Config.Client, req, messaging.DefaultMaxBody)
	if ae := (*messaging.APIError)(nil); errors.As(err, &ae) {
		var env result[json.RawMessage]
		if json.Unmarshal([]byte(ae.Message), &env) == nil && env.Description != "" {
			ae.Message = env.Description
		}
		return out.Result, ae
	} else if err != nil {
		return out.Result, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out.Result, fmt.Errorf("the Bot API's answer is not the JSON expected: %w", err)
	}
	if !out.OK {
		return out.Result, &messaging.APIError{Status: out.ErrorCode, Message: out.Description}
	}
	return out.Result, nil
}

// fetch downloads a file: getFile names its path, which is then read
// under /file/bot<token>/.
func (c *Channel) fetch(ctx context.Context, acct *kesher.ChannelAccount, f *file) (desk.InboundFile, error) {
	info, err := call[struct {
		FilePath string `json:"file_path"`
	}](ctx, c, acct, "getFile?file_id="+url.QueryEscape(f.FileID), nil)
	if err != nil {
		return desk.InboundFile{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, acct.APIBase+"/file/bot"+acct.Token+"/"+info.FilePath, nil)
	if err != nil {
		return desk.InboundFile{}, err
	}
	data, typ, err := messaging.Fetch(c.Config.Client, req, c.Config.MaxMedia)
	if err != nil {
		return desk.InboundFile{}, err
	}
	name := f.FileName
	if name == "" {
		name = path.Base(info.FilePath)
	}
	if f.MimeType != "" {
		typ = f.MimeType
	}
	return desk.InboundFile{Filename: name, ContentType: typ, Data: data}, nil
}

// sent is the part of a sent Message the desk keeps.
type sent struct {
	MessageID int64 `json:"message_id"`
}

// send sends one outbound message: its text with sendMessage, then each
// attached file with sendDocument. The provider's id of the first is the
// message's. A retry after a failure part way sends the whole message
// again: Telegram offers no way to recognise a repeat.
func (c *Channel) send(ctx context.Context, out *desk.OutboundChat) (string, error) {
	chat, err := strconv.ParseInt(out.Recipient, 10, 64)
	if err != nil {
		// No retry makes a chat id of a number.
		return "", &messaging.APIError{Status: http.StatusBadRequest, Message: fmt.Sprintf("chat id %q is not a number", out.Recipient)}
	}
	var ids []string
	if strings.TrimSpace(out.Message.BodyText) != "" {
		m, err := call[sent](ctx, c, out.Account, "sendMessage", map[string]any{"chat_id": chat, "text": out.Message.BodyText})
		if err != nil {
			return "", err
		}
		ids = append(ids, externalID(out.Account, chat, m.MessageID))
	}
	for _, a := range out.Message.Attachments {
		m, err := c.sendDocument(ctx, out.Account, chat, a)
		if err != nil {
			return "", fmt.Errorf("%s: %w", a.Filename, err)
		}
		ids = append(ids, externalID(out.Account, chat, m.MessageID))
	}
	if len(ids) == 0 {
		return "", &messaging.APIError{Status: http.StatusBadRequest, Message: "the message has neither text nor files"}
	}
	return ids[0], nil
}

// sendDocument uploads one stored file to the chat.
func (c *Channel) sendDocument(ctx context.Context, acct *kesher.ChannelAccount, chat int64, a kesher.Attachment) (sent, error) {
	data, err := c.Config.Blobs.Blob(ctx, a.SHA256)
	if err != nil {
		return sent{}, err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("chat_id", strconv.FormatInt(chat, 10)); err != nil {
		return sent{}, err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "document", "filename": a.Filename}))
	h.Set("Content-Type", cmp.Or(a.ContentType, "application/octet-stream"))
	part, err := mw.CreatePart(h)
	if err != nil {
		return sent{}, err
	}
	if _, err := part.Write(data); err != nil {
		return sent{}, err
	}
	if err := mw.Close(); err != nil {
		return sent{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL(acct, "sendDocument"), &body)
	if err != nil {
		return sent{}, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return do[sent](c, req)
}
