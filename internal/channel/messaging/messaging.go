// Package messaging holds what the WhatsApp and Telegram channels share:
// reading and refusing webhook requests in the API's error format,
// fetching providers' files within a limit, the outbox sender that runs
// their send jobs, and their metrics. Like the channels themselves, it
// translates and transports; the rules are the desk's.
package messaging

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/jobs"
)

// DefaultMaxBody bounds a webhook request body. Providers batch a few
// messages or status reports per request, which is a few KiB.
const DefaultMaxBody = 1 << 20

// DefaultTimeout bounds one call to a provider's API, a file download
// included.
const DefaultTimeout = time.Minute

// Blobs reads stored files by their hex SHA-256: the store.
type Blobs interface {
	Blob(ctx context.Context, sha256 string) ([]byte, error)
}

// Config says what a messaging channel needs.
type Config struct {
	Desk *desk.Desk
	// Blobs holds the files agents attach to replies.
	Blobs Blobs
	// Client calls the provider's API; nil means one with DefaultTimeout.
	Client  *http.Client
	Metrics *Metrics
	Logger  *slog.Logger
	// MaxBody bounds a webhook body; zero means DefaultMaxBody.
	MaxBody int64
	// MaxMedia bounds one file; zero means kesher.MaxMediaBytes.
	MaxMedia int64
}

// WithDefaults fills in the zero fields.
func (c Config) WithDefaults() Config {
	if c.Client == nil {
		c.Client = &http.Client{Timeout: DefaultTimeout}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.MaxMedia <= 0 {
		c.MaxMedia = kesher.MaxMediaBytes
	}
	return c
}

// Metrics counts the messages the messaging channels carry.
type Metrics struct {
	messages *prometheus.CounterVec
	rejected *prometheus.CounterVec
}

// NewMetrics registers the channels' metrics with reg (none when nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kesher_messaging_messages_total",
			Help: "Messages of the messaging channels, by channel and direction (inbound, duplicate, outbound, failed).",
		}, []string{"channel", "direction"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kesher_messaging_rejected_total",
			Help: "Webhook requests refused, by channel and reason.",
		}, []string{"channel", "reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.messages, m.rejected)
	}
	return m
}

// Count adds one message of ch in direction dir.
func (m *Metrics) Count(ch kesher.Channel, dir string) {
	if m != nil {
		m.messages.WithLabelValues(string(ch), dir).Inc()
	}
}

// Reject counts a refused webhook request.
func (m *Metrics) Reject(ch kesher.Channel, reason string) {
	if m != nil {
		m.rejected.WithLabelValues(string(ch), reason).Inc()
	}
}

// Equal compares a secret a request presents with the stored one in time
// that does not depend on where they differ. An empty stored secret
// matches nothing.
func Equal(presented, stored string) bool {
	return stored != "" && subtle.ConstantTimeCompare([]byte(presented), []byte(stored)) == 1
}

// WriteError answers in the API's error format.
func WriteError(w http.ResponseWriter, code, message string) {
	status := map[string]int{
		kesher.ECodeInvalidJSON: http.StatusBadRequest, kesher.ECodeUnauthorized: http.StatusUnauthorized,
		kesher.ECodeForbidden: http.StatusForbidden, kesher.ECodeNotFound: http.StatusNotFound,
		kesher.ECodeTooLarge: http.StatusRequestEntityTooLarge,
	}[code]
	if status == 0 {
		code, status = kesher.ECodeInternal, http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// WriteOK answers a webhook that its request was taken in.
func WriteOK(w http.ResponseWriter, received int) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]int{"received": received})
}

// Receive takes a webhook request in up to its decoding: the body within
// cfg.MaxBody, the account of kind ch its URL names, the proof in header
// (compared in constant time with what want says the account expects for
// this body) and the JSON body decoded into into. When any of it fails it
// answers in the error format (413, 404, 401 for no proof, 403 for a wrong
// one, 400) and ok is false; nothing has been written to the desk.
func Receive(w http.ResponseWriter, r *http.Request, cfg Config, ch kesher.Channel, header string,
	want func(acct *kesher.ChannelAccount, body []byte) string, into any) (acct *kesher.ChannelAccount, ok bool) {
	body, ok := readBody(w, r, cfg.MaxBody)
	if !ok {
		cfg.Metrics.Reject(ch, "too_large")
		return nil, false
	}
	if acct, ok = Account(w, r, cfg.Desk, ch, cfg.Logger); !ok {
		return nil, false
	}
	switch proof := r.Header.Get(header); {
	case proof == "":
		cfg.Metrics.Reject(ch, "proof")
		WriteError(w, kesher.ECodeUnauthorized, header+" is missing")
		return nil, false
	case !Equal(proof, want(acct, body)):
		cfg.Metrics.Reject(ch, "proof")
		WriteError(w, kesher.ECodeForbidden, header+" does not match")
		return nil, false
	}
	if err := json.Unmarshal(body, into); err != nil {
		WriteError(w, kesher.ECodeInvalidJSON, "the body is not the JSON of a "+string(ch)+" webhook")
		return nil, false
	}
	return acct, true
}

// readBody reads a webhook request's body up to max bytes; a larger one
// is answered 413 and ok is false.
func readBody(w http.ResponseWriter, r *http.Request, max int64) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			WriteError(w, kesher.ECodeTooLarge, fmt.Sprintf("the body is larger than %d bytes", max))
		} else {
			WriteError(w, kesher.ECodeInvalidJSON, "the body could not be read")
		}
		return nil, false
	}
	return body, true
}

// Account returns the account a webhook URL names, when it is one of
// kind ch; else it answers 404 and ok is false. The error says nothing of
// other kinds' accounts.
func Account(w http.ResponseWriter, r *http.Request, d *desk.Desk, ch kesher.Channel, log *slog.Logger) (*kesher.ChannelAccount, bool) {
	a, err := d.ChannelAccount(r.Context(), r.PathValue("channel"))
	if err == nil && a.Kind == ch {
		return a, true
	}
	if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
		log.Error(string(ch)+": reading the account failed", "err", err)
		WriteError(w, kesher.ECodeInternal, "internal error")
		return nil, false
	}
	WriteError(w, kesher.ECodeNotFound, "no "+string(ch)+" account here")
	return nil, false
}

// APIError is a provider's refusal of a call.
type APIError struct {
	Status int
	// Message is the provider's description of the problem.
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }

// Retriable reports whether a call the provider refused may work later:
// it was rate-limited, timed out or failed on the provider's side. Other
// refusals (a bad token, a blocked recipient) need a person.
func (e *APIError) Retriable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout || e.Status >= 500
}

// Hopeless reports whether err is a provider's refusal that no retry
// changes: a file too large or no longer there. A webhook then takes the
// message in without the file instead of having it sent again for days.
func Hopeless(err error) bool {
	ae := (*APIError)(nil)
	return errors.As(err, &ae) && !ae.Retriable()
}

// Fetch runs req with client and returns the response body, at most max
// bytes, and its content type. A non-2xx answer is an *APIError with the
// start of its body.
func Fetch(client *http.Client, req *http.Request, max int64) ([]byte, string, error) {
	resp, err := client.Do(req)
	if err != nil {
		// The URL may carry a secret (Telegram's bot token is in its path,
		// a media URL is signed), and this error ends up in logs, the
		// outbox and the agent's view of a failed message.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			ue.URL = req.URL.Scheme + "://" + req.URL.Host + "/…"
		}
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return nil, "", &APIError{Status: resp.StatusCode, Message: strings.TrimSpace(string(b))}
	}
	if resp.ContentLength > max {
		return nil, "", &APIError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("%d bytes is more than the limit of %d", resp.ContentLength, max)}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(b)) > max {
		return nil, "", &APIError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("more than the limit of %d bytes", max)}
	}
	return b, resp.Header.Get("Content-Type"), nil
}

// CallJSON sends a JSON request (GET when in is nil) and decodes the JSON
// answer into out.
func CallJSON(ctx context.Context, client *http.Client, method, url, bearer string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	b, _, err := Fetch(client, req, DefaultMaxBody)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	return nil
}

// SendFunc sends one outbound message through a provider and returns the
// provider's id of it.
type SendFunc func(ctx context.Context, out *desk.OutboundChat) (externalID string, err error)

// Sender runs one messaging channel's send jobs: it asks the desk what to
// send, sends it, and records how it went. The runner runs a job at least
// once; a message the desk records as sent is not sent again.
type Sender struct {
	desk    *desk.Desk
	channel kesher.Channel
	job     string
	send    SendFunc
	metrics *Metrics
	log     *slog.Logger
}

// NewSender returns the sender of channel ch's job kind job; cfg has its
// defaults.
func NewSender(cfg Config, ch kesher.Channel, job string, send SendFunc) *Sender {
	return &Sender{desk: cfg.Desk, channel: ch, job: job, send: send, metrics: cfg.Metrics, log: cfg.Logger}
}

// Adapter is what each provider's channel is built on: its configuration,
// with defaults, and the sender of its outbox jobs.
type Adapter struct {
	Config Config
	sender *Sender
}

// NewAdapter returns the adapter of a provider's channel: replies on ch
// are outbox jobs of kind job, which send delivers.
func NewAdapter(cfg Config, ch kesher.Channel, job string, send SendFunc) Adapter {
	cfg = cfg.WithDefaults()
	return Adapter{Config: cfg, sender: NewSender(cfg, ch, job, send)}
}

// Sender returns the sender of the channel's outbox jobs.
func (a *Adapter) Sender() *Sender { return a.sender }

// Handlers returns the job handler by kind.
func (s *Sender) Handlers() map[string]jobs.Handler {
	return map[string]jobs.Handler{s.job: s.run}
}

func (s *Sender) run(ctx context.Context, job *kesher.Job) error {
	var p desk.SendChatJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("%s job payload: %w", s.channel, err))
	}
	out, err := s.desk.OutboundChat(ctx, p)
	if err != nil {
		if c := kesher.ErrorCode(err); c == kesher.ECodeNotFound || c == kesher.ECodeConflict {
			return jobs.Permanent(err)
		}
		return err
	}
	if out.Message.Delivery != kesher.DeliveryQueued && out.Message.Delivery != kesher.DeliveryFailed {
		return nil
	}
	id, err := s.send(ctx, out)
	if err != nil {
		if ae := (*APIError)(nil); errors.As(err, &ae) && !ae.Retriable() {
			return jobs.Permanent(err)
		}
		return err
	}
	s.metrics.Count(s.channel, "outbound")
	return s.desk.RecordDelivery(ctx, out.Message.ID, desk.DeliveryResult{State: kesher.DeliverySent, MessageID: id})
}

// OnFinish is the runner's hook: when a send job has failed for good, it
// marks the message failed with the provider's reason, so that the agent
// sees that the customer did not get it.
func (s *Sender) OnFinish(job *kesher.Job, err error, final bool) {
	if err == nil || !final || job.Kind != s.job {
		return
	}
	var p desk.SendChatJob
	if json.Unmarshal(job.Payload, &p) != nil || p.MessageID == "" {
		return
	}
	s.metrics.Count(s.channel, "failed")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if rerr := s.desk.RecordDelivery(ctx, p.MessageID, desk.DeliveryResult{State: kesher.DeliveryFailed, Error: err.Error()}); rerr != nil {
		s.log.Error(string(s.channel)+": recording a failed delivery failed", "job", job.ID, "message", p.MessageID, "err", rerr)
	}
}

// Ingest hands one inbound message to the desk and counts it. A message
// the desk refuses as invalid is logged and skipped: the provider would
// send it again and again otherwise. Any other failure is returned, so
// the webhook answers 500 and the provider retries.
func Ingest(ctx context.Context, d *desk.Desk, in desk.InboundMessage, ch kesher.Channel, m *Metrics, log *slog.Logger) error {
	res, err := d.IngestMessage(ctx, in)
	switch {
	case kesher.ErrorCode(err) == kesher.ECodeValidation:
		log.Warn(string(ch)+": an inbound message was skipped", "account", in.AccountID, "external_id", in.ExternalID, "err", err)
		return nil
	case err != nil:
		return err
	case res.Duplicate:
		m.Count(ch, "duplicate")
	default:
		m.Count(ch, "inbound")
	}
	return nil
}
