package markdown

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // substrings of the output
		not       []string // substrings it must not hold
	}{
		{"Hebrew paragraphs and a heading", "## החזרת מוצר\n\nאפשר **להחזיר מוצר** תוך 14 יום.",
			[]string{"<h2>החזרת מוצר</h2>", "<p>אפשר <strong>להחזיר מוצר</strong> תוך 14 יום.</p>"}, nil},
		{"lists and tables", "- אחד\n- שניים\n\n| ימים | עלות |\n| --- | --- |\n| 3 | ₪29 |",
			[]string{"<li>אחד</li>", "<table>", "<td>₪29</td>"}, nil},
		{"task list", "- [x] done\n- [ ] open", []string{`type="checkbox"`, "checked", "disabled"}, nil},
		{"pasted script is gone", "hello <script>alert(1)</script> world\n\n<script>alert(2)</script>",
			[]string{"hello", "world"}, []string{"<script", "alert(2)"}},
		{"event handlers are gone", `<img src="x" onerror="alert(1)">` + "\n\n" + `<a href="/x" onclick="alert(1)">x</a>`,
			nil, []string{"onerror", "onclick"}},
		{"javascript links are gone", "[click](javascript:alert(1)) and <javascript:alert(2)>", []string{"click"}, []string{`href="javascript`, "<a"}},
		{"data links are gone", "[x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"data:"}},
		{"images keep their source", "![תרשים](/kb/images/abc.png)", []string{`<img src="/kb/images/abc.png" alt="תרשים"`}, nil},
		{"links elsewhere get nofollow, links here do not", "[a](https://example.com/x) [b](/help/he/articles/x)",
			[]string{`href="https://example.com/x" rel="nofollow"`, `<a href="/help/he/articles/x">b</a>`}, nil},
		{"iframes and styles are gone", "<iframe src=\"https://evil.example\"></iframe>\n\n<p style=\"color:red\">x</p>", nil, []string{"iframe", "style="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.src)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("HTML(%q) = %q, want it to contain %q", tt.src, got, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("HTML(%q) = %q, must not contain %q", tt.src, got, n)
				}
			}
		})
	}
	if got := HTML("  \n "); got != "" {
		t.Errorf("HTML of blank = %q, want empty", got)
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		src  string
		max  int
		want string
	}{
		{"# מדיניות החזרות\n\n![x](/a.png)\n\nאפשר להחזיר מוצר\nתוך **14 יום** מיום המסירה.\n\nפסקה שנייה.", 160, "אפשר להחזיר מוצר תוך 14 יום מיום המסירה."},
		{"Returns are free within fourteen days of delivery for every order.", 30, "Returns are free within…"},
		{"# Only a heading", 100, ""},
		{"", 100, ""},
	}
	for _, tt := range tests {
		if got := Summary(tt.src, tt.max); got != tt.want {
			t.Errorf("Summary(%q, %d) = %q, want %q", tt.src, tt.max, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	src := "## משלוחים\n\nמשלוח עד **3 ימי עסקים**, ראו [מדיניות](/x).\n\n- שליח עד הבית\n- איסוף מנקודה\n\n```\ncode <b>\n```\n\n<div>raw</div>"
	want := "משלוחים\nמשלוח עד 3 ימי עסקים, ראו מדיניות.\nשליח עד הבית\nאיסוף מנקודה\ncode <b>"
	if got := Text(src); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestClip(t *testing.T) {
	if got := Clip("  a  b\n c ", 10); got != "a b c" {
		t.Errorf("Clip collapses spaces: %q", got)
	}
	if got := Clip("שלום עולם ומלואו", 8); got != "שלום…" {
		t.Errorf("Clip Hebrew = %q", got)
	}
}
