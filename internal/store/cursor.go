package store

import (
	"encoding/base64"
	"strconv"
	"strings"

	"kesher"
)

// A cursor is the sort key and id of the last item of a page, opaque to
// clients: base64url of "key,id", or of "id" alone for lists ordered by id.
// The next page starts strictly after that row, so rows that share a
// timestamp are neither skipped nor repeated.

func encodeCursor(key int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(key, 10) + "," + id))
}

// decodeCursor returns ok false for the first page ("").
func decodeCursor(s string) (key int64, id string, ok bool, err error) {
	if s == "" {
		return 0, "", false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		k, rest, found := strings.Cut(string(b), ",")
		key, err = strconv.ParseInt(k, 10, 64)
		if err == nil && found && rest != "" {
			return key, rest, true, nil
		}
	}
	return 0, "", false, badCursor()
}

func encodeIDCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id))
}

func decodeIDCursor(s string) (id string, ok bool, err error) {
	if s == "" {
		return "", false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return "", false, badCursor()
	}
	return string(b), true, nil
}

func badCursor() error {
	return kesher.FieldError("cursor", "invalid", "the cursor is not one this list returned")
}
