// Package kesher holds the domain of the Kesher service desk: its entities,
// value types, typed errors and the interfaces the outer layers implement.
// It imports nothing of the project's own.
package kesher

import (
	"errors"
	"fmt"
)

// Error codes. Anything that is not an *Error is reported as ECodeInternal.
// The API maps each code to an HTTP status in one place.
const (
	ECodeInvalidJSON  = "invalid_json"
	ECodeValidation   = "validation_failed"
	ECodeUnauthorized = "unauthorized"
	ECodeForbidden    = "forbidden"
	ECodeNotFound     = "not_found"
	ECodeConflict     = "conflict"
	ECodeTooLarge     = "too_large"
	ECodeRateLimited  = "rate_limited"
	ECodeInternal     = "internal"
)

// Error is the desk's error value: a machine-readable code, a message for
// developers, and for validation failures the offending fields, each with a
// short machine-readable reason (e.g. "required", "invalid").
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns a validation error that names one field.
func FieldError(field, reason, format string, args ...any) *Error {
	return &Error{Code: ECodeValidation, Message: fmt.Sprintf(format, args...), Fields: map[string]string{field: reason}}
}

// ErrorCode returns the code of err, or ECodeInternal when err is not an
// *Error, or "" when err is nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// Validation gathers field errors so a request reports every bad field at once.
type Validation struct{ fields map[string]string }

// Add records that field failed for reason. The first reason per field wins.
func (v *Validation) Add(field, reason string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = reason
	}
}

// Check adds field with reason when ok is false.
func (v *Validation) Check(ok bool, field, reason string) {
	if !ok {
		v.Add(field, reason)
	}
}

// Err returns the gathered failures as one validation *Error, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: ECodeValidation, Message: "some fields are invalid", Fields: v.fields}
}
