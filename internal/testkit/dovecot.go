package testkit

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// DovecotEnv names the variable that may point the tests at a dovecot
// binary; without it they look for dovecot in PATH and in /usr/sbin.
const DovecotEnv = "KESHER_TEST_DOVECOT"

// Dovecot is a real IMAP server (Debian's Dovecot) that a test started on
// 127.0.0.1, configured in a scratch directory of its own: a generated
// minimal configuration (never the system's), one passwd-file user, and
// Maildir storage. It is stopped and its directory removed when the test
// ends.
type Dovecot struct {
	Host string
	// Port offers plain IMAP and STARTTLS; TLSPort offers implicit TLS.
	Port, TLSPort int
	// Username and Password are the one user's login.
	Username, Password string
	// RootCAs holds the self-signed certificate the server presents.
	RootCAs *x509.CertPool

	t        testing.TB
	bin, dir string
	users    dovecotUsers
	cmd      *exec.Cmd
	exited   chan struct{}
}

// DovecotOptions change the server a test gets. The zero value is a
// server with every capability Dovecot offers.
type DovecotOptions struct {
	// Capability, when set, replaces the capabilities the server announces
	// after login (Dovecot's imap_capability), e.g. "IMAP4rev1 LITERAL+"
	// for a server without IDLE, MOVE or UIDPLUS.
	Capability string
}

// dovecotConf is the whole configuration: nothing of /etc/dovecot is read.
// Plaintext logins are allowed (Dovecot counts loopback as secure anyway);
// a wrong password is refused at once and does not slow down the next
// login (Dovecot's defaults are a two-second delay and growing penalties
// per IP address); mail is owned by MailUID, which Dovecot requires not to
// be root; and no process chroots, so that the server also runs as a user
// who is not root. Folder names use "/" between levels, as most servers'.
var dovecotConf = template.Must(template.New("dovecot.conf").Parse(`# generated for one test
base_dir = {{.Dir}}/run
state_dir = {{.Dir}}/state
log_path = {{.Dir}}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{{.Dir}}/cert.pem
ssl_key = <{{.Dir}}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
default_internal_user = {{.InternalUser}}
default_internal_group = {{.InternalGroup}}
default_login_user = {{.LoginUser}}
first_valid_uid = {{.MailUID}}
first_valid_gid = {{.MailGID}}
mail_location = maildir:{{.Dir}}/mail/%u
namespace inbox {
  inbox = yes
  separator = /
}
{{with .Capability}}imap_capability = {{.}}
{{end -}}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {{.Dir}}/users
}
userdb {
  driver = static
  args = uid={{.MailUID}} gid={{.MailGID}} home={{.Dir}}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = {{.Port}}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = {{.TLSPort}}
    ssl = yes
  }
}
`))

// StartDovecot starts a Dovecot IMAP server for the test and returns once
// its user can log in. Without a dovecot binary the test skips, except in
// CI (CI set), where nothing may skip.
func StartDovecot(t testing.TB, opts DovecotOptions) *Dovecot {
	t.Helper()
	bin := dovecotBinary()
	if bin == "" {
		const msg = "Dovecot tests skipped: install Debian's dovecot-imapd (or set " + DovecotEnv + " to a dovecot binary) to run them"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set, so Dovecot tests may not skip)")
		}
		t.Skip(msg)
	}
	// The mail processes run as another user when the test runs as root,
	// so the directory must be theirs to enter: t.TempDir's is not.
	dir, err := os.MkdirTemp("", "kesher-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := &Dovecot{Host: "127.0.0.1", Username: "desk@noga.example", Password: "סיסמה-imap", t: t, bin: bin, dir: dir}
	if err := d.configure(opts); err != nil {
		t.Fatalf("dovecot: %v", err)
	}
	t.Cleanup(d.stop)
	// Another process may take a free port between choosing it and
	// Dovecot binding it: choose again.
	for attempt := 1; ; attempt++ {
		err := d.start()
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("dovecot: %v\n%s", err, d.Log())
		}
		if err := d.choosePorts(opts); err != nil {
			t.Fatalf("dovecot: %v", err)
		}
	}
	return d
}

func dovecotBinary() string {
	if bin := os.Getenv(DovecotEnv); bin != "" {
		return bin
	}
	if bin, err := exec.LookPath("dovecot"); err == nil {
		return bin
	}
	if _, err := os.Stat("/usr/sbin/dovecot"); err == nil {
		return "/usr/sbin/dovecot"
	}
	return ""
}

// configure writes the configuration, the user, the certificate and the
// mail directory.
func (d *Dovecot) configure(opts DovecotOptions) error {
	mailDir := filepath.Join(d.dir, "mail")
	if err := os.Mkdir(mailDir, 0o755); err != nil {
		return err
	}
	if err := d.chooseUsers(); err != nil {
		return err
	}
	uid, _ := strconv.Atoi(d.users.MailUID)
	gid, _ := strconv.Atoi(d.users.MailGID)
	if err := os.Chown(mailDir, uid, gid); err != nil {
		return err
	}
	if err := d.writeCertificate(); err != nil {
		return err
	}
	if err := d.writeUsers(); err != nil {
		return err
	}
	return d.choosePorts(opts)
}

// choosePorts picks two free ports and writes the configuration for them.
func (d *Dovecot) choosePorts(opts DovecotOptions) error {
	ports := [2]int{}
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close() // held until both are chosen, so they differ
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	d.Port, d.TLSPort = ports[0], ports[1]
	var conf bytes.Buffer
	err := dovecotConf.Execute(&conf, struct {
		dovecotUsers
		Dir           string
		Port, TLSPort int
		Capability    string
	}{d.users, d.dir, d.Port, d.TLSPort, opts.Capability})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.dir, "dovecot.conf"), conf.Bytes(), 0o644)
}

// dovecotUsers are who Dovecot's processes run as.
type dovecotUsers struct {
	InternalUser, InternalGroup, LoginUser string
	// MailUID and MailGID own the mail.
	MailUID, MailGID string
}

// chooseUsers runs everything as the current user, except that Dovecot
// runs neither its login processes nor mail access as root: a test run
// as root leaves them to nobody.
func (d *Dovecot) chooseUsers() error {
	cur, err := user.Current()
	if err != nil {
		return err
	}
	group, err := user.LookupGroupId(cur.Gid)
	if err != nil {
		return err
	}
	d.users = dovecotUsers{InternalUser: cur.Username, InternalGroup: group.Name, LoginUser: cur.Username, MailUID: cur.Uid, MailGID: cur.Gid}
	if cur.Uid == "0" {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			return fmt.Errorf("running as root, Dovecot needs a user who is not: %w", err)
		}
		d.users.LoginUser, d.users.MailUID, d.users.MailGID = nobody.Username, nobody.Uid, nobody.Gid
	}
	return nil
}

// writeCertificate makes a self-signed certificate for 127.0.0.1.
func (d *Dovecot) writeCertificate() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kesher test IMAP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	d.RootCAs = x509.NewCertPool()
	d.RootCAs.AddCert(cert)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
}

// writeUsers writes the passwd-file. Dovecot reads it again when it
// changes, so a new password takes effect at the next login.
func (d *Dovecot) writeUsers() error {
	line := d.Username + ":{PLAIN}" + d.Password + "\n"
	tmp := filepath.Join(d.dir, "users.tmp")
	if err := os.WriteFile(tmp, []byte(line), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(d.dir, "users"))
}

// SetPassword changes the user's password on the running server.
func (d *Dovecot) SetPassword(password string) {
	d.t.Helper()
	d.Password = password
	if err := d.writeUsers(); err != nil {
		d.t.Fatalf("dovecot: %v", err)
	}
	// Dovecot looks at the file at most once a second: wait for the
	// next look.
	time.Sleep(1100 * time.Millisecond)
}

// start runs the server in the foreground of a child process and waits
// until the user can log in.
func (d *Dovecot) start() error {
	cmd := exec.Command(d.bin, "-F", "-c", filepath.Join(d.dir, "dovecot.conf"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // see stop
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	d.cmd, d.exited = cmd, exited
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-exited:
			d.cmd = nil
			return fmt.Errorf("dovecot exited at start: %s", strings.TrimSpace(out.String()))
		default:
		}
		c, err := d.login(d.Password)
		if err == nil {
			_ = c.Logout().Wait()
			_ = c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			d.stop()
			return fmt.Errorf("dovecot did not accept a login within 15 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server, if it runs, and its child processes with it. The
// whole process group is signalled: told alone, the master waits ten
// seconds for the IMAP processes that hold connections.
func (d *Dovecot) stop() {
	if d.cmd == nil {
		return
	}
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.exited
	}
	d.cmd = nil
}

// Stop stops the server; its mail stays for Start.
func (d *Dovecot) Stop() { d.stop() }

// Start starts a stopped server again, on the same ports.
func (d *Dovecot) Start() {
	d.t.Helper()
	if d.cmd != nil {
		return
	}
	if err := d.start(); err != nil {
		d.t.Fatalf("dovecot: %v\n%s", err, d.Log())
	}
}

// Restart stops and starts the server, ending every connection.
func (d *Dovecot) Restart() {
	d.t.Helper()
	d.Stop()
	d.Start()
}

// Log returns the server's log, for a failing test to show.
func (d *Dovecot) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	return string(b)
}

// Addr is the host:port of the plain (and STARTTLS) listener.
func (d *Dovecot) Addr() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.Port)) }

// TLSAddr is the host:port of the implicit-TLS listener.
func (d *Dovecot) TLSAddr() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.TLSPort)) }

func (d *Dovecot) login(password string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(d.Addr(), nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(d.Username, password).Wait(); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// Client returns an IMAP client logged in as the user, closed when the
// test ends.
func (d *Dovecot) Client() *imapclient.Client {
	d.t.Helper()
	c, err := d.login(d.Password)
	if err != nil {
		d.t.Fatalf("dovecot login: %v", err)
	}
	d.t.Cleanup(func() { _ = c.Close() })
	return c
}

// session runs fn with a fresh client, logged out afterwards.
func (d *Dovecot) session(fn func(c *imapclient.Client) error) {
	d.t.Helper()
	c, err := d.login(d.Password)
	if err != nil {
		d.t.Fatalf("dovecot login: %v", err)
	}
	defer func() { _ = c.Logout().Wait(); _ = c.Close() }()
	if err := fn(c); err != nil {
		d.t.Fatalf("dovecot: %v", err)
	}
}

// createFolder creates a folder unless it exists.
func createFolder(c *imapclient.Client, folder string) error {
	err := c.Create(folder, nil).Wait()
	if ie := (*imap.Error)(nil); errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists {
		return nil
	}
	return err
}

// Append adds a message to a folder, created when missing, and returns
// its UID.
func (d *Dovecot) Append(folder string, raw []byte, flags ...imap.Flag) imap.UID {
	d.t.Helper()
	var uid imap.UID
	d.session(func(c *imapclient.Client) error {
		var err error
		uid, err = appendMessage(c, folder, raw, flags)
		return err
	})
	return uid
}

func appendMessage(c *imapclient.Client, folder string, raw []byte, flags []imap.Flag) (imap.UID, error) {
	if err := createFolder(c, folder); err != nil {
		return 0, err
	}
	cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write(raw); err != nil {
		return 0, err
	}
	if err := cmd.Close(); err != nil {
		return 0, err
	}
	data, err := cmd.Wait()
	if err != nil {
		return 0, err
	}
	return data.UID, nil
}

// DovecotMessage is a message of a folder as the server holds it.
type DovecotMessage struct {
	UID   imap.UID
	Flags []imap.Flag
	Raw   []byte
}

// Seen reports whether the message has the \Seen flag.
func (m DovecotMessage) Seen() bool {
	return slices.ContainsFunc(m.Flags, func(f imap.Flag) bool { return strings.EqualFold(string(f), string(imap.FlagSeen)) })
}

// Messages lists a folder's messages in UID order, without marking them
// read; a folder that does not exist has none.
func (d *Dovecot) Messages(folder string) []DovecotMessage {
	d.t.Helper()
	var out []DovecotMessage
	d.session(func(c *imapclient.Client) error {
		var err error
		out, err = messages(c, folder)
		return err
	})
	return out
}

func messages(c *imapclient.Client, folder string) ([]DovecotMessage, error) {
	// Dovecot answers a SELECT of a missing folder with no response code
	// that says so: ask first.
	if list, err := c.List("", folder, nil).Collect(); err != nil || len(list) == 0 {
		return nil, err
	}
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, err
	}
	if sel.NumMessages == 0 {
		return nil, nil
	}
	body := &imap.FetchItemBodySection{Peek: true}
	bufs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		return nil, err
	}
	out := make([]DovecotMessage, len(bufs))
	for i, b := range bufs {
		out[i] = DovecotMessage{UID: b.UID, Flags: b.Flags, Raw: b.FindBodySection(body)}
	}
	return out, nil
}

// UIDValidity returns a folder's UIDVALIDITY.
func (d *Dovecot) UIDValidity(folder string) uint32 {
	d.t.Helper()
	var v uint32
	d.session(func(c *imapclient.Client) error {
		sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err == nil {
			v = sel.UIDValidity
		}
		return err
	})
	return v
}

// RecreateFolder deletes a folder (not INBOX, which IMAP cannot delete)
// and creates it again with the same messages and flags, so that it has
// a new UIDVALIDITY and its messages new UIDs: what a server does after
// its index is rebuilt or the mailbox is migrated. It returns the new
// UIDVALIDITY.
func (d *Dovecot) RecreateFolder(folder string) uint32 {
	d.t.Helper()
	before := d.UIDValidity(folder)
	d.session(func(c *imapclient.Client) error {
		msgs, err := messages(c, folder)
		if err != nil {
			return err
		}
		if err := c.Unselect().Wait(); err != nil {
			return err
		}
		if err := c.Delete(folder).Wait(); err != nil {
			return err
		}
		if err := createFolder(c, folder); err != nil {
			return err
		}
		for _, m := range msgs {
			var flags []imap.Flag
			for _, f := range m.Flags {
				if f != `\Recent` { // set by the server only
					flags = append(flags, f)
				}
			}
			if _, err := appendMessage(c, folder, m.Raw, flags); err != nil {
				return err
			}
		}
		return nil
	})
	after := d.UIDValidity(folder)
	if after == before {
		d.t.Fatalf("dovecot: folder %s kept UIDVALIDITY %d", folder, before)
	}
	return after
}

// TLSConfig returns a client configuration that trusts the server.
func (d *Dovecot) TLSConfig() *tls.Config { return &tls.Config{RootCAs: d.RootCAs} }
