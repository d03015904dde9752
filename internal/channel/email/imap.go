package email

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/jobs"
	"kesher/internal/mail"
)

// IMAPDesk is what the IMAP pollers need of the desk; *desk.Desk is one.
// They call it as the system (no user in the context), which sees the
// mailboxes' connection passwords.
type IMAPDesk interface {
	Mailboxes(ctx context.Context, p kesher.Page) ([]*kesher.Mailbox, string, error)
	IngestEmail(ctx context.Context, in desk.InboundEmail) (*desk.EmailResult, error)
	IMAPState(ctx context.Context, mailboxID, folder string) (*kesher.IMAPState, error)
	SaveIMAPState(ctx context.Context, s *kesher.IMAPState) error
	RecordSkippedEmail(ctx context.Context, s desk.SkippedEmail) error
}

// IMAPConfig says how the IMAP pollers run. Zero values take the defaults.
type IMAPConfig struct {
	Desk   IMAPDesk
	Logger *slog.Logger
	// Registerer, when set, receives the pollers' metrics.
	Registerer prometheus.Registerer
	Clock      kesher.Clock
	// Poll is how often a folder is read when its server offers no IDLE;
	// default 60 s. With IDLE, new mail is read as soon as it arrives.
	Poll time.Duration
	// Reload is how often the list of mailboxes is read again, so that
	// mailboxes added, changed or removed are picked up; default 60 s.
	Reload time.Duration
	// MinBackoff and MaxBackoff bound the wait after a failed poll, which
	// doubles with each failure in a row; default 5 s and 5 min.
	MinBackoff, MaxBackoff time.Duration
	// TLS, when set, is the base of the TLS configuration (RootCAs, for
	// a server with a private certificate); nil trusts the system's roots.
	TLS *tls.Config
	// MaxBytes is the largest message fetched; default the largest email
	// the desk takes in (mail.DefaultLimits.MaxTotalBytes). A larger one is
	// recorded and left on the server.
	MaxBytes int64
}

// Defaults of IMAPConfig.
const (
	DefaultIMAPPoll       = time.Minute
	DefaultIMAPReload     = time.Minute
	DefaultIMAPMinBackoff = 5 * time.Second
	DefaultIMAPMaxBackoff = 5 * time.Minute
)

const (
	// imapStepTimeout bounds one exchange with a server (a login, the
	// fetch of one batch): a server that stops answering fails the poll
	// instead of holding its poller forever. It leaves a batch of
	// imapBatchBytes five minutes, enough on a slow line.
	imapStepTimeout = 5 * time.Minute
	// imapIdleRefresh is how long a poller idles before it reads the folder
	// anyway, so that a lost notification or a silently dead connection
	// costs minutes, and the state shows the folder was read lately.
	imapIdleRefresh = 10 * time.Minute
	// imapBatchBytes and imapBatchMessages bound the messages fetched by
	// one command, and so the mail held in memory at once.
	imapBatchBytes    = 32 << 20
	imapBatchMessages = 100
	// imapSourceName is the InboundEmail.Source of mail read over IMAP.
	imapSourceName = "imap"
)

// IMAPPollers read the desk's mailboxes that have IMAP settings, one
// poller per mailbox. Each one takes in every message of its folder
// exactly once, in UID order: the desk commits it (and recognises a
// message it has by Message-ID or content, from SMTP or an earlier read),
// then the poller saves how far it has read, then it does the mailbox's
// after-import action. A crash between two steps loses nothing and
// imports nothing twice; at worst one message is left unmarked. Several
// nodes of one PostgreSQL database each poll every mailbox: the desk still
// takes each message in once, but the work is done on each node.
type IMAPPollers struct {
	cfg     IMAPConfig
	metrics imapMetrics
	stop    context.CancelFunc
	done    chan struct{}
}

// StartIMAP reads the mailboxes and starts a poller for each one with IMAP
// settings. The pollers run until ctx ends or Stop is called. It returns
// an error when the desk cannot list the mailboxes.
func StartIMAP(ctx context.Context, cfg IMAPConfig) (*IMAPPollers, error) {
	if cfg.Desk == nil {
		return nil, errors.New("imap: no desk")
	}
	cfg.Poll = cmp.Or(cfg.Poll, DefaultIMAPPoll)
	cfg.Reload = cmp.Or(cfg.Reload, DefaultIMAPReload)
	cfg.MinBackoff = cmp.Or(cfg.MinBackoff, DefaultIMAPMinBackoff)
	cfg.MaxBackoff = max(cmp.Or(cfg.MaxBackoff, DefaultIMAPMaxBackoff), cfg.MinBackoff)
	cfg.MaxBytes = cmp.Or(cfg.MaxBytes, mail.DefaultLimits.MaxTotalBytes)
	if cfg.Clock == nil {
		cfg.Clock = kesher.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &IMAPPollers{cfg: cfg, metrics: newIMAPMetrics(), done: make(chan struct{})}
	mbs, err := p.mailboxes(ctx)
	if err != nil {
		return nil, fmt.Errorf("imap: list the mailboxes: %w", err)
	}
	if cfg.Registerer != nil {
		if err := p.metrics.register(cfg.Registerer); err != nil {
			return nil, err
		}
	}
	ctx, p.stop = context.WithCancel(ctx)
	go p.supervise(ctx, mbs)
	return p, nil
}

// Stop stops every poller and returns once they have stopped. A message
// being taken in is either committed or not; the next start goes on from
// where the pollers stood.
func (p *IMAPPollers) Stop() {
	p.stop()
	<-p.done
}

// mailboxes lists the mailboxes that have IMAP settings.
func (p *IMAPPollers) mailboxes(ctx context.Context) ([]*kesher.Mailbox, error) {
	var out []*kesher.Mailbox
	page := kesher.Page{Limit: kesher.MaxPageLimit}
	for {
		ms, next, err := p.cfg.Desk.Mailboxes(ctx, page)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.IMAP != nil {
				out = append(out, m)
			}
		}
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}

// supervise keeps one poller running per mailbox with IMAP settings,
// reading the list again every Reload: a mailbox whose address or IMAP
// settings changed gets a new poller, so a corrected password is tried at
// once rather than after the old settings' backoff.
func (p *IMAPPollers) supervise(ctx context.Context, mbs []*kesher.Mailbox) {
	defer close(p.done)
	running := map[string]*imapPoller{}
	defer func() {
		for _, pl := range running {
			pl.stop()
		}
	}()
	tick := time.NewTicker(p.cfg.Reload)
	defer tick.Stop()
	for {
		seen := map[string]bool{}
		for _, mb := range mbs {
			seen[mb.ID] = true
			if pl := running[mb.ID]; pl != nil && pl.address == mb.Address && pl.settings == *mb.IMAP {
				continue
			} else if pl != nil {
				pl.stop()
			}
			running[mb.ID] = p.startPoller(ctx, mb)
		}
		for id, pl := range running {
			if !seen[id] {
				pl.stop()
				delete(running, id)
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			var err error
			if mbs, err = p.mailboxes(ctx); err == nil {
				break
			} else if ctx.Err() == nil {
				p.cfg.Logger.Error("imap: listing the mailboxes failed; the pollers go on as they were", "err", err)
			}
		}
	}
}

// imapPoller reads one mailbox's folder.
type imapPoller struct {
	cfg      *IMAPConfig
	metrics  imapMetrics
	log      *slog.Logger
	id       string
	address  string
	settings kesher.IMAPSettings
	// state is how far the folder has been read; the poller is its only
	// writer. It is saved only once loaded, so that a database that failed
	// to answer never has its record replaced by an empty one.
	state  kesher.IMAPState
	loaded bool
	cancel context.CancelFunc
	done   chan struct{}
}

func (p *IMAPPollers) startPoller(ctx context.Context, mb *kesher.Mailbox) *imapPoller {
	pl := &imapPoller{
		cfg: &p.cfg, metrics: p.metrics, id: mb.ID, address: mb.Address, settings: *mb.IMAP, done: make(chan struct{}),
		// The settings are logged by name, never whole: they hold the password.
		log: p.cfg.Logger.With("mailbox", mb.Address, "host", mb.IMAP.Host, "folder", mb.IMAP.Folder),
	}
	ctx, pl.cancel = context.WithCancel(ctx)
	go pl.run(ctx)
	return pl
}

// stop stops the poller and waits for it. Its failing gauge goes with it:
// a removed mailbox is not failing.
func (pl *imapPoller) stop() {
	pl.cancel()
	<-pl.done
	pl.metrics.failing.DeleteLabelValues(pl.address)
}

// run reads the folder, idling between reads where the server offers
// IDLE and waiting Poll where it does not, until ctx ends; after a
// failure it waits longer each time.
func (pl *imapPoller) run(ctx context.Context) {
	defer close(pl.done)
	for {
		var err error
		if !pl.loaded {
			err = pl.load(ctx)
		}
		if err == nil {
			err = pl.session(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		wait := pl.cfg.Poll
		if err != nil {
			wait = pl.failed(ctx, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// load reads the folder's state; a folder never read starts from nothing.
func (pl *imapPoller) load(ctx context.Context) error {
	st, err := pl.cfg.Desk.IMAPState(ctx, pl.id, pl.settings.Folder)
	switch kesher.ErrorCode(err) {
	case "":
		pl.state = *st
	case kesher.ECodeNotFound:
		pl.state = kesher.IMAPState{MailboxID: pl.id, Folder: pl.settings.Folder}
	default:
		return fmt.Errorf("read the IMAP state: %w", err)
	}
	pl.loaded = true
	failing := 0.0
	if pl.state.Failures > 0 {
		failing = 1
	}
	pl.metrics.failing.WithLabelValues(pl.address).Set(failing)
	return nil
}

// failed records a failed poll where the admin page and /metrics show it,
// and returns how long to wait before the next one.
func (pl *imapPoller) failed(ctx context.Context, err error) time.Duration {
	pl.state.Failures++
	pl.state.LastError = err.Error()
	pl.metrics.polls.WithLabelValues(pl.address, "error").Inc()
	pl.metrics.failing.WithLabelValues(pl.address).Set(1)
	wait := imapBackoff(pl.state.Failures, pl.cfg.MinBackoff, pl.cfg.MaxBackoff)
	pl.log.Warn("imap: reading the mailbox failed", "err", err, "failures", pl.state.Failures, "retry_in", wait.Round(time.Millisecond))
	if !pl.loaded {
		return wait
	}
	if err := pl.save(ctx); err != nil && ctx.Err() == nil {
		pl.log.Error("imap: recording the failure failed", "err", err)
	}
	return wait
}

// succeeded records a poll that read the whole folder.
func (pl *imapPoller) succeeded(ctx context.Context) error {
	if pl.state.Failures > 0 {
		pl.log.Info("imap: reading the mailbox works again", "failures", pl.state.Failures)
	}
	pl.state.Failures, pl.state.LastError, pl.state.LastOKAt = 0, "", pl.cfg.Clock.Now()
	pl.metrics.polls.WithLabelValues(pl.address, "ok").Inc()
	pl.metrics.failing.WithLabelValues(pl.address).Set(0)
	return pl.save(ctx)
}

func (pl *imapPoller) save(ctx context.Context) error {
	st := pl.state
	return pl.cfg.Desk.SaveIMAPState(ctx, &st)
}

// imapBackoff is the wait after failures failed polls in a row: lo,
// doubled for each further failure up to hi, less up to a fifth so that
// pollers that failed together (their server went down) come back apart.
func imapBackoff(failures int, lo, hi time.Duration) time.Duration {
	d := jobs.Doubling(failures, lo, hi)
	return d - time.Duration(rand.Float64()*0.2*float64(d))
}

// session connects once and reads the folder, then, where the server
// offers IDLE, waits for new mail and reads again until the connection
// fails or ctx ends. Without IDLE it reads once and logs out.
func (pl *imapPoller) session(ctx context.Context) error {
	s := pl.settings
	if s.AfterImport == kesher.AfterImportMove && sameFolder(s.MoveTo, s.Folder) {
		// Each move would make a new message to read and move again.
		return fmt.Errorf("imported mail is to move to %q, the folder it is read from", s.MoveTo)
	}
	c, err := pl.connect(ctx)
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.do("log in as "+s.Username, func() error { return c.Login(s.Username, s.Password).Wait() }); err != nil {
		return err
	}
	if s.AfterImport == kesher.AfterImportMove {
		if err := c.ensureFolder(s.MoveTo); err != nil {
			return err
		}
	}
	idle := c.Caps().Has(imap.CapIdle)
	for {
		if err := pl.selectFolder(ctx, c, idle); err != nil {
			return err
		}
		for news := true; news; {
			select { // what is announced from now on is read by this pass
			case <-c.exists:
			default:
			}
			if err := pl.readNew(ctx, c); err != nil {
				return err
			}
			if err := pl.succeeded(ctx); err != nil {
				return err
			}
			if !idle {
				return c.do("log out", func() error { return c.Logout().Wait() })
			}
			// After a quiet spell the folder is selected afresh, which
			// tells whether its UIDVALIDITY changed meanwhile.
			if news, err = c.idle(ctx); err != nil {
				return err
			}
		}
	}
}

// selectFolder selects the folder and checks its UIDVALIDITY against the
// state's.
func (pl *imapPoller) selectFolder(ctx context.Context, c *imapConn, idle bool) error {
	folder := pl.settings.Folder
	var sel *imap.SelectData
	if err := c.do("select "+folder, func() (err error) { sel, err = c.Select(folder, nil).Wait(); return err }); err != nil {
		return err
	}
	pl.log.Debug("imap: folder selected", "idle", idle, "uidvalidity", sel.UIDValidity, "last_uid", pl.state.LastUID)
	if sel.UIDValidity == pl.state.UIDValidity {
		return nil
	}
	// The UIDs read so far mean nothing now: read the folder from the
	// start. The desk knows the messages it has, so none is taken in
	// twice.
	if pl.state.UIDValidity != 0 {
		pl.log.Warn("imap: the folder's UIDVALIDITY changed; reading it again from the start",
			"uidvalidity", sel.UIDValidity, "was", pl.state.UIDValidity)
	}
	pl.state.UIDValidity, pl.state.LastUID = sel.UIDValidity, 0
	return pl.save(ctx)
}

// imapListed is a message of the folder not read yet.
type imapListed struct {
	uid  imap.UID
	size int64
}

// readNew takes in the messages after the last UID read, in UID order, in
// batches that bound the mail held in memory.
func (pl *imapPoller) readNew(ctx context.Context, c *imapConn) error {
	if mb := c.Mailbox(); mb != nil && mb.NumMessages == 0 {
		return nil
	}
	from := imap.UID(pl.state.LastUID + 1)
	var bufs []*imapclient.FetchMessageBuffer
	err := c.do("list new messages", func() (err error) {
		bufs, err = c.Fetch(imap.UIDSet{{Start: from, Stop: 0}}, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		return err
	})
	if err != nil {
		return err
	}
	var todo []imapListed
	for _, b := range bufs {
		// "n:*" names the last message even when its UID is below n.
		if b.UID >= from {
			todo = append(todo, imapListed{b.UID, b.RFC822Size})
		}
	}
	slices.SortFunc(todo, func(a, b imapListed) int { return cmp.Compare(a.uid, b.uid) })
	for len(todo) > 0 {
		n, size := 0, int64(0)
		for n < len(todo) && n < imapBatchMessages && (n == 0 || size+todo[n].size <= imapBatchBytes) {
			size += todo[n].size
			n++
		}
		if err := pl.readBatch(ctx, c, todo[:n]); err != nil {
			return err
		}
		todo = todo[n:]
	}
	return nil
}

// readBatch fetches a batch of messages without marking them read (a
// message the desk did not take is left as it was) and takes each one in.
func (pl *imapPoller) readBatch(ctx context.Context, c *imapConn, batch []imapListed) error {
	var uids imap.UIDSet
	for _, m := range batch {
		if m.size <= pl.cfg.MaxBytes {
			uids.AddNum(m.uid)
		}
	}
	raws := map[imap.UID][]byte{}
	if len(uids) > 0 {
		body := &imap.FetchItemBodySection{Peek: true}
		var bufs []*imapclient.FetchMessageBuffer
		err := c.do("fetch messages "+uids.String(), func() (err error) {
			bufs, err = c.Fetch(uids, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
			return err
		})
		if err != nil {
			return err
		}
		for _, b := range bufs {
			raws[b.UID] = b.FindBodySection(body)
		}
	}
	for _, m := range batch {
		if err := pl.take(ctx, c, m, raws[m.uid]); err != nil {
			return err
		}
	}
	return nil
}

// take hands one message to the desk, then records that it was read, then
// does the after-import action. A message the desk cannot take (too large,
// unreadable) is recorded and left on the server untouched, so that it is
// neither lost nor tried for ever. raw is nil for a message too large to
// fetch or one deleted from the folder since it was listed.
func (pl *imapPoller) take(ctx context.Context, c *imapConn, m imapListed, raw []byte) error {
	skip := ""
	switch {
	case m.size > pl.cfg.MaxBytes:
		skip = desk.SkipTooLarge
	case raw != nil:
		res, err := pl.cfg.Desk.IngestEmail(ctx, desk.InboundEmail{MailboxID: pl.id, Raw: raw, Source: imapSourceName})
		switch kesher.ErrorCode(err) {
		case "":
			if !res.Duplicate {
				pl.metrics.imported.WithLabelValues(pl.address).Inc()
			}
		case kesher.ECodeTooLarge:
			skip = desk.SkipTooLarge
		case kesher.ECodeValidation:
			skip = desk.SkipUnreadable
		default:
			return fmt.Errorf("take in message %d: %w", m.uid, err)
		}
	}
	if skip != "" {
		if err := pl.skip(ctx, c, m, skip); err != nil {
			return err
		}
	}
	pl.state.LastUID = uint32(m.uid)
	if err := pl.save(ctx); err != nil {
		return err
	}
	if raw == nil || skip != "" {
		return nil
	}
	return pl.afterImport(c, m.uid)
}

// skip records a message the desk cannot take in, with its header.
func (pl *imapPoller) skip(ctx context.Context, c *imapConn, m imapListed, reason string) error {
	header := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true}
	var bufs []*imapclient.FetchMessageBuffer
	err := c.do(fmt.Sprintf("fetch the header of message %d", m.uid), func() (err error) {
		bufs, err = c.Fetch(imap.UIDSetNum(m.uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{header}}).Collect()
		return err
	})
	if err != nil {
		return err
	}
	sk := desk.SkippedEmail{MailboxID: pl.id, Source: imapSourceName, Reason: reason, Size: m.size}
	for _, b := range bufs {
		if b.UID == m.uid {
			sk.Header = b.FindBodySection(header)
		}
	}
	if err := pl.cfg.Desk.RecordSkippedEmail(ctx, sk); err != nil {
		return fmt.Errorf("record skipped message %d: %w", m.uid, err)
	}
	pl.metrics.skipped.WithLabelValues(pl.address, reason).Inc()
	pl.log.Warn("imap: a message the desk cannot take in is left on the server", "uid", m.uid, "size", m.size, "reason", reason)
	return nil
}

// afterImport marks a message read, moves it or deletes it, as the
// mailbox says.
func (pl *imapPoller) afterImport(c *imapConn, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	switch pl.settings.AfterImport {
	case kesher.AfterImportMove:
		return c.do(fmt.Sprintf("move message %d to %s", uid, pl.settings.MoveTo), func() error {
			if c.Caps().Has(imap.CapMove) {
				_, err := c.Move(set, pl.settings.MoveTo).Wait()
				return err
			}
			// The client library's own fallback pipelines COPY, STORE
			// and EXPUNGE, and Dovecot then leaves some messages behind:
			// one command at a time.
			if _, err := c.Copy(set, pl.settings.MoveTo).Wait(); err != nil {
				return err
			}
			return c.remove(set)
		})
	case kesher.AfterImportDelete:
		return c.do(fmt.Sprintf("delete message %d", uid), func() error { return c.remove(set) })
	default:
		return c.do(fmt.Sprintf("mark message %d read", uid), func() error {
			return c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
		})
	}
}

// sameFolder reports whether two folder names name one folder: INBOX is
// case-insensitive, other names are not.
func sameFolder(a, b string) bool {
	if strings.EqualFold(a, "INBOX") {
		return strings.EqualFold(b, "INBOX")
	}
	return a == b
}

// imapConn is one connection to a mailbox's server.
type imapConn struct {
	*imapclient.Client
	raw net.Conn
	// exists is signalled when the server announces new messages.
	exists   chan struct{}
	timedOut atomic.Bool
	// unwatch stops closing the connection when the poller's ctx ends.
	unwatch func() bool
}

// connect dials the server with the mailbox's security and waits for its
// greeting.
func (pl *imapPoller) connect(ctx context.Context) (*imapConn, error) {
	s := pl.settings
	dialer := net.Dialer{Timeout: 30 * time.Second}
	raw, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
	if err != nil {
		return nil, err
	}
	c := &imapConn{raw: raw, exists: make(chan struct{}, 1)}
	// Closing the connection is how a blocked command is given up.
	c.unwatch = context.AfterFunc(ctx, func() { _ = raw.Close() })
	tlsConfig := &tls.Config{}
	if pl.cfg.TLS != nil {
		tlsConfig = pl.cfg.TLS.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = s.Host
	}
	opts := &imapclient.Options{
		TLSConfig: tlsConfig,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case c.exists <- struct{}{}:
				default:
				}
			}
		}},
	}
	switch s.Security {
	case kesher.SecurityTLS:
		tlsConfig.NextProtos = []string{"imap"}
		tc := tls.Client(raw, tlsConfig)
		err = c.do("TLS handshake", func() error { return tc.HandshakeContext(ctx) })
		if err == nil {
			c.Client = imapclient.New(tc, opts)
		}
	case kesher.SecurityStartTLS:
		err = c.do("STARTTLS", func() (err error) { c.Client, err = imapclient.NewStartTLS(raw, opts); return err })
	case kesher.SecurityNone:
		c.Client = imapclient.New(raw, opts)
	default:
		err = fmt.Errorf("unknown security %q", s.Security)
	}
	if err == nil {
		err = c.do("greeting", c.WaitGreeting)
	}
	if err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// do runs one exchange with the server, giving it up (the connection is
// closed) when the server takes longer than imapStepTimeout, and names
// what failed.
func (c *imapConn) do(what string, fn func() error) error {
	t := time.AfterFunc(imapStepTimeout, func() { c.timedOut.Store(true); _ = c.raw.Close() })
	err := fn()
	t.Stop()
	if err != nil && c.timedOut.Load() {
		return fmt.Errorf("%s: the server did not answer within %v", what, imapStepTimeout)
	} else if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// remove marks a message deleted and expunges it. UID EXPUNGE, where the
// server has it, removes this message only, not others that someone marked
// deleted and may still undelete.
func (c *imapConn) remove(set imap.UIDSet) error {
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	if c.Caps().Has(imap.CapUIDPlus) {
		return c.UIDExpunge(set).Close()
	}
	return c.Expunge().Close()
}

// ensureFolder creates a folder unless it exists.
func (c *imapConn) ensureFolder(name string) error {
	var list []*imap.ListData
	if err := c.do("look for folder "+name, func() (err error) { list, err = c.List("", name, nil).Collect(); return err }); err != nil {
		return err
	}
	if len(list) > 0 {
		return nil
	}
	return c.do("create folder "+name, func() error { return c.Create(name, nil).Wait() })
}

// idle waits until the server announces new messages (news) or
// imapIdleRefresh passes (no news); it fails when the connection does or
// ctx ends.
func (c *imapConn) idle(ctx context.Context) (news bool, err error) {
	var cmd *imapclient.IdleCommand
	if err := c.do("idle", func() (err error) { cmd, err = c.Idle(); return err }); err != nil {
		return false, err
	}
	refresh := time.NewTimer(imapIdleRefresh)
	defer refresh.Stop()
	select {
	case <-c.exists:
		news = true
	case <-refresh.C:
	case <-ctx.Done():
		return false, ctx.Err()
	case <-c.Closed():
		return false, errors.New("the server closed the connection")
	}
	return news, c.do("end idle", func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
}

func (c *imapConn) close() {
	c.unwatch()
	if c.Client != nil {
		_ = c.Client.Close()
	}
	_ = c.raw.Close()
}

// imapMetrics are the pollers' metrics, by mailbox address.
type imapMetrics struct {
	polls    *prometheus.CounterVec
	imported *prometheus.CounterVec
	skipped  *prometheus.CounterVec
	failing  *prometheus.GaugeVec
}

func newIMAPMetrics() imapMetrics {
	return imapMetrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kesher_imap_polls_total",
			Help: "Reads of IMAP folders by mailbox and result: ok, or error (the poller backs off).",
		}, []string{"mailbox", "result"}),
		imported: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kesher_imap_imported_total",
			Help: "Messages read over IMAP that the desk took in for the first time, by mailbox.",
		}, []string{"mailbox"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kesher_imap_skipped_total",
			Help: "Messages left on the IMAP server because the desk cannot take them in, by mailbox and reason (too_large, unreadable).",
		}, []string{"mailbox", "reason"}),
		failing: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kesher_imap_failing",
			Help: "1 while a mailbox's IMAP polls fail, else 0.",
		}, []string{"mailbox"}),
	}
}

func (m imapMetrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.polls, m.imported, m.skipped, m.failing} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("imap: register metrics: %w", err)
		}
	}
	return nil
}
