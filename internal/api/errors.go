package api

import (
	"errors"
	"log/slog"
	"net/http"

	"kesher"
)

// codeMethodNotAllowed is the API's own code for a known path asked with a
// method it does not serve; the desk never returns it.
const codeMethodNotAllowed = "method_not_allowed"

// errorBody is the error format of every API response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// StatusOf maps an error code to its HTTP status. It is the only place that
// does; codes it does not know are internal errors.
func StatusOf(code string) int {
	switch code {
	case kesher.ECodeInvalidJSON:
		return http.StatusBadRequest
	case kesher.ECodeValidation:
		return http.StatusUnprocessableEntity
	case kesher.ECodeUnauthorized:
		return http.StatusUnauthorized
	case kesher.ECodeForbidden:
		return http.StatusForbidden
	case kesher.ECodeNotFound:
		return http.StatusNotFound
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case kesher.ECodeConflict:
		return http.StatusConflict
	case kesher.ECodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case kesher.ECodeRateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// writeError writes err in the error format. Internal errors are logged
// and answered with a generic message: their text may hold SQL, paths or
// other details a client must not see.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := kesher.ErrorCode(err)
	status := StatusOf(code)
	detail := errorDetail{Code: code, Message: "internal error"}
	var e *kesher.Error
	if status == http.StatusInternalServerError || !errors.As(err, &e) {
		a.log.LogAttrs(r.Context(), slog.LevelError, "api: internal error",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		detail.Code = kesher.ECodeInternal
		status = http.StatusInternalServerError
	} else {
		detail.Message, detail.Fields = e.Message, e.Fields
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kesher"`)
	}
	if err := writeJSON(w, status, errorBody{Error: detail}); err != nil {
		a.log.Warn("api: writing an error response failed", "err", err)
	}
}
