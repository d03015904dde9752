package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc describes every route of the table in routes.go; a test keeps
// the two in step.
//
//go:embed openapi.json
var openAPIDoc []byte

func (a *api) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPIDoc)
	return nil
}
