package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"kesher"
)

// decode reads the request body as one JSON value into dst. It reports an
// oversized body as too_large, unparseable JSON and unknown fields as
// invalid_json, and values of the wrong type as validation_failed on the
// field. Handlers decode before calling the desk, so bad input changes
// nothing.
func decode(r *http.Request, dst any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		// Anything after the value means the client sent something else
		// than it thinks.
		_, next := dec.Token()
		switch {
		case next == io.EOF:
		case errors.As(next, new(*http.MaxBytesError)):
			err = next
		default:
			err = errTrailing
		}
	}
	return decodeError(err)
}

var errTrailing = errors.New("data after the JSON value")

// decodeError translates encoding/json's errors into the desk's.
func decodeError(err error) error {
	var (
		maxBytes *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &maxBytes):
		return kesher.Errorf(kesher.ECodeTooLarge, "the request body is larger than %d bytes", maxBytes.Limit)
	case errors.Is(err, io.EOF):
		return kesher.Errorf(kesher.ECodeInvalidJSON, "the request body is empty; send a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errTrailing):
		return kesher.Errorf(kesher.ECodeInvalidJSON, "the request body is not valid JSON: %v", err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return &kesher.Error{Code: kesher.ECodeValidation, Message: "a value has the wrong type: " + typ.Error(), Fields: map[string]string{field: "invalid_type"}}
	}
	// encoding/json has no error type for unknown fields; its message is
	// `json: unknown field "name"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return &kesher.Error{Code: kesher.ECodeInvalidJSON, Message: "unknown field " + name, Fields: map[string]string{name: "unknown"}}
	}
	// What is left are values a type refused while parsing, such as a
	// malformed timestamp.
	return kesher.Errorf(kesher.ECodeValidation, "a value is invalid: %v", err)
}

// writeJSON writes v with status. Marshalling happens before anything is
// written, so a value that cannot be encoded still gets a proper 500.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // a client that went away cannot be told
	return nil
}

// clearable is a string field of a partial update where absent, null and
// "" differ from a value: absent leaves the field alone, null or "" clear it.
type clearable struct {
	set   bool
	value string
}

// UnmarshalJSON is called for null too (clearable is not a pointer), which
// is how null becomes "clear".
func (c *clearable) UnmarshalJSON(b []byte) error {
	c.set = true
	if string(b) == "null" {
		c.value = ""
		return nil
	}
	return json.Unmarshal(b, &c.value)
}

// ptr returns the update for the desk: nil when absent.
func (c clearable) ptr() *string {
	if !c.set {
		return nil
	}
	return &c.value
}

// timestamp is an RFC 3339 time whose parse errors name their field: a
// plain time.Time reports them without saying which field was wrong.
type timestamp struct{ time.Time }

func (t *timestamp) UnmarshalJSON(b []byte) error {
	if err := t.Time.UnmarshalJSON(b); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[time.Time]()}
	}
	return nil
}
