// Package markdown turns the knowledge base's Markdown into HTML that is
// safe to show anyone, and into plain text for descriptions and excerpts.
// Authors write CommonMark with GitHub's tables, strikethrough, task lists
// and bare links; raw HTML in the source is dropped, and what the renderer
// writes is sanitised again, so a pasted <script> or a javascript: link
// never reaches a page. It is a leaf library: it knows nothing of articles.
package markdown

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// engine is the parser and renderer, built once: goldmark's are safe for
// concurrent use. Without html.WithUnsafe, goldmark leaves raw HTML out and
// refuses dangerous link destinations itself; the policy is the second
// line, and the only one that matters should the first ever change.
var engine = sync.OnceValue(func() goldmark.Markdown {
	return goldmark.New(goldmark.WithExtensions(extension.GFM))
})

// policy allows what the renderer writes for the Markdown above: the user
// content elements, tables, images with http(s) or relative sources, and
// the disabled checkboxes of task lists. Links to other sites get
// rel="nofollow"; links within the site keep their weight.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	return p
})

// HTML renders src as sanitised HTML. Markdown has no invalid input, so it
// never fails; "" renders as "".
func HTML(src string) string {
	if strings.TrimSpace(src) == "" {
		return ""
	}
	var buf bytes.Buffer
	// Rendering into a buffer fails only when the writer does.
	_ = engine().Convert([]byte(src), &buf)
	return policy().Sanitize(buf.String())
}

// Text returns the words of src without its markup: one line per block,
// images and raw HTML left out, code kept as written.
func Text(src string) string {
	var blocks []string
	eachBlock(src, func(s string) bool {
		blocks = append(blocks, s)
		return true
	})
	return strings.Join(blocks, "\n")
}

// Summary returns the first paragraph of src as plain text on one line,
// cut at a word boundary to at most max characters (with "…" when cut),
// for a page's meta description. Headings are skipped: a description that
// repeats the title says nothing.
func Summary(src string, max int) string {
	var first string
	eachBlock(src, func(s string) bool {
		first = s
		return false
	}, ast.KindParagraph)
	return Clip(first, max)
}

// Clip shortens s to at most max characters at a word boundary, ending it
// with "…" when it was cut; spaces are collapsed.
func Clip(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:–-") + "…"
}

// eachBlock calls fn with the text of each paragraph, heading, list item
// paragraph, table cell row and code block of src, in order, until fn
// returns false. With kinds, only blocks of those kinds are given.
func eachBlock(src string, fn func(string) bool, kinds ...ast.NodeKind) {
	source := []byte(src)
	doc := engine().Parser().Parse(text.NewReader(source))
	stop := false
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || stop {
			return ast.WalkContinue, nil
		}
		var s string
		switch n.Kind() {
		case ast.KindParagraph, ast.KindHeading, ast.KindTextBlock, extast.KindTableRow, extast.KindTableHeader:
			s = inlineText(n, source)
		case ast.KindCodeBlock, ast.KindFencedCodeBlock:
			s = linesText(n, source)
		default:
			return ast.WalkContinue, nil
		}
		if len(kinds) > 0 && !contains(kinds, n.Kind()) {
			return ast.WalkSkipChildren, nil
		}
		if s = strings.TrimSpace(s); s != "" {
			stop = !fn(s)
		}
		return ast.WalkSkipChildren, nil
	})
}

func contains(kinds []ast.NodeKind, k ast.NodeKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// inlineText collects the text of a block's inline children: the words,
// code spans and link texts, with line breaks as spaces and table cells
// apart. Images and raw HTML say nothing in plain text.
func inlineText(block ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(block, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Kind() == extast.KindTableCell {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			b.Write(n.Value(source))
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.URL(source))
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// linesText is a code block's text as written.
func linesText(n ast.Node, source []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(source))
	}
	return b.String()
}
