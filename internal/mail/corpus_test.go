package mail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // invitations in Asia/Jerusalem must read the same on every machine
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

var (
	update   = flag.Bool("update", false, "rewrite testdata/corpus/*.golden.json from Parse")
	generate = flag.Bool("generate", false, "rewrite testdata/corpus/*.eml from testdata/corpus-src")
)

// The corpus is written as UTF-8 templates (testdata/corpus-src/*.eml.tmpl),
// so that a reader can review the Hebrew, and turned into real mail bytes by
// generateEML: a first line "#charset: windows-1255" makes the whole message
// that charset (8-bit), and «…» markers produce encoded parts:
//
//	«qp:text»            quoted-printable of text in the file's charset
//	«b64:text»           base64 of text in the file's charset
//	«ewb:charset:text»   an RFC 2047 B encoded-word of text in charset
//	«ewq:charset:text»   an RFC 2047 Q encoded-word of text in charset
//	«png:WxH», «jpg:WxH» base64 of a generated image
//	«pdf:title»          base64 of a small generated PDF document
var marker = regexp.MustCompile(`(?s)«(qp|b64|ewb|ewq|png|jpg|pdf):(.*?)»`)

var charsets = map[string]encoding.Encoding{
	"windows-1255": charmap.Windows1255,
	"iso-8859-8":   charmap.ISO8859_8,
	"iso-8859-8-i": charmap.ISO8859_8,
}

func encodeIn(t *testing.T, cs, s string) []byte {
	t.Helper()
	enc, ok := charsets[strings.ToLower(cs)]
	if !ok {
		return []byte(s) // UTF-8
	}
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q in %s: %v", s, cs, err)
	}
	return b
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

func generateEML(t *testing.T, src []byte) []byte {
	t.Helper()
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	cs := "utf-8"
	if rest, ok := strings.CutPrefix(text, "#charset: "); ok {
		cs, text, _ = strings.Cut(rest, "\n")
	}
	text = strings.ReplaceAll(text, "\n", "\r\n")
	var out bytes.Buffer
	last := 0
	for _, m := range marker.FindAllStringSubmatchIndex(text, -1) {
		out.Write(encodeIn(t, cs, text[last:m[0]]))
		kind, arg := text[m[2]:m[3]], text[m[4]:m[5]]
		switch kind {
		case "qp":
			w := quotedprintable.NewWriter(&out)
			if _, err := w.Write(encodeIn(t, cs, arg)); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		case "b64":
			out.WriteString(wrap76(base64.StdEncoding.EncodeToString(encodeIn(t, cs, arg))))
		case "ewb", "ewq":
			wcs, words, _ := strings.Cut(arg, ":")
			enc := mime.BEncoding
			if kind == "ewq" {
				enc = mime.QEncoding
			}
			out.WriteString(enc.Encode(wcs, string(encodeIn(t, wcs, words))))
		case "png", "jpg":
			out.WriteString(wrap76(base64.StdEncoding.EncodeToString(testImage(t, kind, arg))))
		case "pdf":
			out.WriteString(wrap76(base64.StdEncoding.EncodeToString(testPDF(arg))))
		}
		last = m[1]
	}
	out.Write(encodeIn(t, cs, text[last:]))
	return out.Bytes()
}

// testImage draws a deterministic gradient of the given size.
func testImage(t *testing.T, kind, size string) []byte {
	t.Helper()
	ws, hs, _ := strings.Cut(size, "x")
	w, _ := strconv.Atoi(ws)
	h, _ := strconv.Atoi(hs)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 4), 0x80, 0xff})
		}
	}
	var b bytes.Buffer
	var err error
	if kind == "png" {
		// Stored deflate blocks keep the bytes the same across Go releases.
		err = (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testPDF is a one-page PDF showing title; enough for a viewer to open.
func testPDF(title string) []byte {
	content := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", title)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// TestCorpusGenerated keeps the committed .eml files and their templates in
// step; run with -generate after editing a template.
func TestCorpusGenerated(t *testing.T) {
	srcs, err := filepath.Glob("testdata/corpus-src/*.eml.tmpl")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, src := range srcs {
		raw, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		want := generateEML(t, raw)
		dst := filepath.Join("testdata/corpus", strings.TrimSuffix(filepath.Base(src), ".tmpl"))
		if *generate {
			if err := os.WriteFile(dst, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(dst)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not generated from %s (run go test -run TestCorpusGenerated -generate)", dst, src)
		}
	}
}

// golden is what a corpus message is expected to parse to.
type golden struct {
	From        Address
	ReplyTo     []Address `json:",omitempty"`
	To          []Address `json:",omitempty"`
	Cc          []Address `json:",omitempty"`
	Subject     string
	Date        string
	MessageID   string
	InReplyTo   []string `json:",omitempty"`
	References  []string `json:",omitempty"`
	Auto        AutoKind
	Forwarded   bool
	Invite      *Invite        `json:",omitempty"`
	Bounce      *BounceReport  `json:",omitempty"`
	Attachments []goldenAttach `json:",omitempty"`
	Problems    []string       `json:",omitempty"`
	Visible     string
	TextStart   string // the first 200 characters of Text
	HTML        bool   // whether there is an HTML body
}

type goldenAttach struct {
	Filename, ContentType, ContentID string `json:",omitempty"`
	Inline                           bool   `json:",omitempty"`
	Size                             int
	SHA256                           string
}

func toGolden(m *Message) golden {
	g := golden{
		From: m.From, ReplyTo: m.ReplyTo, To: m.To, Cc: m.Cc, Subject: m.Subject,
		MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References,
		Auto: m.Auto, Forwarded: m.Forwarded, Invite: m.Invite, Bounce: m.Bounce,
		Problems: m.Problems, Visible: m.Visible, HTML: m.HTML != "",
	}
	if !m.Date.IsZero() {
		g.Date = m.Date.Format(time.RFC3339)
	}
	g.TextStart = m.Text
	if r := []rune(m.Text); len(r) > 200 {
		g.TextStart = string(r[:200])
	}
	for _, a := range m.Attachments {
		g.Attachments = append(g.Attachments, goldenAttach{
			Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID,
			Inline: a.Inline, Size: len(a.Data), SHA256: a.SHA256,
		})
	}
	return g
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 corpus messages, have %d (%v)", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkUTF8(t, m)
			got := toGolden(m)
			path := strings.TrimSuffix(file, ".eml") + ".golden.json"
			if *update {
				// Unescaped, so that a reviewer reads "<" and Hebrew as they are.
				var b bytes.Buffer
				enc := json.NewEncoder(&b)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(got); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestCorpus -update)", err)
			}
			var want golden
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			// Compare through JSON so times and empty slices compare as stored.
			var gotRT golden
			rt, _ := json.Marshal(got)
			if err := json.Unmarshal(rt, &gotRT); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, gotRT); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkUTF8 fails when any text Parse returns is not valid UTF-8.
func checkUTF8(t *testing.T, m *Message) {
	t.Helper()
	check := func(field, s string) {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", field, s)
		}
	}
	addrs := func(field string, list ...Address) {
		for _, a := range list {
			check(field, a.Name)
			check(field, a.Email)
		}
	}
	addrs("From", m.From)
	addrs("ReplyTo", m.ReplyTo...)
	addrs("To", m.To...)
	addrs("Cc", m.Cc...)
	for _, s := range []string{m.MessageID, m.Subject, m.Text, m.HTML, m.Visible} {
		check("body or header", s)
	}
	for _, list := range [][]string{m.InReplyTo, m.References, m.Problems} {
		for _, s := range list {
			check("list", s)
		}
	}
	for k, vs := range m.Headers {
		check("header key", k)
		for _, v := range vs {
			check("header "+k, v)
		}
	}
	for _, a := range m.Attachments {
		check("attachment", a.Filename+a.ContentType+a.ContentID)
	}
	if m.Invite != nil {
		check("invite", m.Invite.Method+m.Invite.Summary+m.Invite.Location)
	}
	if m.Bounce != nil {
		check("bounce", strings.Join(m.Bounce.Recipients, "")+m.Bounce.Status+m.Bounce.Diagnostic+m.Bounce.MessageID)
	}
}
