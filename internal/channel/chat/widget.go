package chat

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

//go:embed widget.js
var widgetSource []byte

// widgetWords is the catalogue prefix of the widget's strings.
const widgetWords = "chat.widget."

// buildScript puts the widget's strings, in both languages, into the
// script, so one request brings everything the widget shows.
func buildScript() ([]byte, error) {
	words := map[string]map[string]string{}
	for _, lang := range i18n.Languages() {
		l := i18n.New(lang, nil)
		words[lang] = map[string]string{}
		for _, key := range i18n.Keys() {
			if name, ok := strings.CutPrefix(key, widgetWords); ok {
				words[lang][name] = l.T(key)
			}
		}
	}
	b, err := json.Marshal(struct {
		Words    map[string]map[string]string `json:"words"`
		MaxText  int                          `json:"maxText"`
		MaxFile  int                          `json:"maxFile"`
		Accepted []string                     `json:"accept"`
	}{words, kesher.MaxChatText, MaxUpload, desk.ChatUploadTypes()})
	if err != nil {
		return nil, err
	}
	return bytes.Replace(widgetSource, []byte("/*CONFIG*/{}"), b, 1), nil
}

func (s *Server) serveScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	// Short: a new release's widget reaches every site within minutes.
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(s.script)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers an upload's failure with its code, which the widget
// words itself.
func writeError(w http.ResponseWriter, err error) {
	status := map[string]int{kesher.ECodeValidation: http.StatusUnprocessableEntity, kesher.ECodeUnauthorized: http.StatusUnauthorized,
		kesher.ECodeTooLarge: http.StatusRequestEntityTooLarge, kesher.ECodeRateLimited: http.StatusTooManyRequests,
		kesher.ECodeNotFound: http.StatusNotFound}[kesher.ErrorCode(err)]
	writeJSON(w, orDefault(status, http.StatusInternalServerError), frame{T: "error", Code: kesher.ErrorCode(err)})
}

var verifyPage = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="robots" content="noindex"><title>{{.Title}}</title></head>
<body><main><h1>{{.Title}}</h1><p>{{.Text}}</p></main></body></html>`))

// renderVerify shows the outcome of a proof's link.
func renderVerify(w http.ResponseWriter, status int, l *i18n.Locale, key string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = verifyPage.Execute(w, map[string]string{"Lang": l.Lang(), "Dir": l.Dir(), "Title": l.T("chat.verify.title"), "Text": l.T(key)})
}
