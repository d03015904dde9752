package mail

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// The charset policy, in the order it is applied:
//
//  1. A charset the message declares is trusted. Automatic detection is
//     turned off for declared charsets because it cannot tell windows-1255
//     from ISO-8859-8 in short Hebrew texts, and guessing ISO-8859-8 turns
//     the shekel sign into "¤" and drops niqqud.
//  2. A label nobody knows ("win-1255", a typo) and "us-ascii" on a body that
//     is not ASCII count as no declaration at all, so enmime's detector gets
//     a chance to guess.
//  3. Whatever is still not UTF-8 after that (and raw 8-bit header values,
//     which have no charset at all) is read as windows-1255, the encoding
//     Israeli mail used before UTF-8.
//
// ISO-8859-8 is formally "visual" Hebrew (stored in display order) and
// ISO-8859-8-i "logical"; both decode through the same character table, and
// the characters are kept in the order the message stored them.

// parseMediaType is enmime's media type parser with the charset label
// normalised by the policy above.
func parseMediaType(ctype string) (string, map[string]string, []string, error) {
	mtype, params, invalid, err := mediatype.Parse(ctype)
	if label, ok := params["charset"]; ok {
		if name := charsetName(label); name != "" {
			params["charset"] = name
		} else {
			delete(params, "charset")
		}
	}
	return mtype, params, invalid, err
}

// undeclared are the labels that say nothing about 8-bit text: enmime
// gives "us-ascii" to parts without a Content-Type, and senders that never
// chose a charset write it too.
var undeclared = map[string]bool{"": true, "us-ascii": true, "ascii": true}

func normalLabel(label string) string { return strings.ToLower(strings.Trim(label, " \t\"'")) }

// charsetName returns the canonical name of a charset label, the label
// itself when it is a registered name enmime may still handle (UTF-7), or ""
// when the label should be treated as undeclared.
func charsetName(label string) string {
	label = normalLabel(label)
	if undeclared[label] {
		return ""
	}
	if enc, err := htmlindex.Get(label); err == nil {
		if name, err := htmlindex.Name(enc); err == nil {
			return name
		}
	}
	if _, err := ianaindex.MIME.Encoding(label); err == nil {
		return label
	}
	return ""
}

// toUTF8 returns s as valid UTF-8. Text that is mostly valid UTF-8 with a few
// damaged bytes keeps its UTF-8 and loses the damaged bytes; text with no
// UTF-8 in it is legacy 8-bit Hebrew and is decoded as windows-1255.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var multibyte, invalid int
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			multibyte++
		}
		i += size
	}
	if multibyte >= invalid {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	// A charmap decoder maps every byte, unknown ones to U+FFFD, and never
	// fails.
	out, _ := charmap.Windows1255.NewDecoder().String(s)
	return out
}

// unknownCharsets reports the charset labels the policy had to ignore, so an
// agent wondering about odd letters can see why.
func unknownCharsets(root *enmime.Part) []string {
	var out []string
	_ = root.DepthMatchAll(func(p *enmime.Part) bool {
		_, params, _, err := mediatype.Parse(p.Header.Get("Content-Type"))
		if label := normalLabel(params["charset"]); err == nil && !undeclared[label] && charsetName(label) == "" {
			out = append(out, toUTF8(fmt.Sprintf("unknown charset %q in part %s; the text was decoded by guessing", label, p.PartID)))
		}
		return false
	})
	return out
}
