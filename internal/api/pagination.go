package api

import (
	"net/http"
	"strconv"

	"kesher"
)

// listBody is the envelope of every list response.
type listBody[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// pageOf reads limit and cursor from the query. A limit that is not a
// number from 1 to kesher.MaxPageLimit is a validation error: silently
// clamping it would hide a client bug.
func pageOf(r *http.Request) (kesher.Page, error) {
	p := kesher.Page{Limit: kesher.DefaultPageLimit, Cursor: r.URL.Query().Get("cursor")}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > kesher.MaxPageLimit {
			return p, kesher.FieldError("limit", "invalid", "limit must be a number from 1 to %d", kesher.MaxPageLimit)
		}
		p.Limit = n
	}
	return p, nil
}

// writeList writes one page of a list, or err from the call that made it.
// Items are never null, so clients can iterate without a check.
func writeList[T any](w http.ResponseWriter, items []T, next string, err error) error {
	if err != nil {
		return err
	}
	if items == nil {
		items = []T{}
	}
	return writeJSON(w, http.StatusOK, listBody[T]{Items: items, NextCursor: next})
}
