package api

import (
	"net/http"
	"strconv"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// search serves GET /search?q=: the desk's full-text search. Filters are
// repeatable or comma-separated like the conversation list's; from and to
// are RFC 3339 times or dates.
func (a *api) search(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var v kesher.Validation
	req := desk.SearchRequest{
		Query:    q.Get("q"),
		Kinds:    enumValues(q["type"], kesher.SearchKind.Valid, "type", &v),
		Statuses: enumValues(q["status"], kesher.Status.Valid, "status", &v),
		Channels: enumValues(q["channel"], kesher.Channel.Valid, "channel", &v),
		Owner:    q.Get("owner"),
		Cursor:   q.Get("cursor"),
		Language: q.Get("language"),
	}
	req.Typing = q.Get("typing") == "true"
	v.Check(q.Get("typing") == "" || q.Get("typing") == "true" || q.Get("typing") == "false", "typing", "invalid")
	req.From = timeParam(q.Get("from"), "from", &v)
	req.To = timeParam(q.Get("to"), "to", &v)
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		v.Check(err == nil && n >= 1, "limit", "invalid")
		req.Limit = n
	}
	if err := v.Err(); err != nil {
		return err
	}
	hits, next, err := a.desk.Search(r.Context(), req)
	return writeList(w, hits, next, err)
}

// timeParam reads an RFC 3339 time or a date (midnight UTC); "" is none.
func timeParam(s, field string, v *kesher.Validation) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	t, err := time.Parse(time.DateOnly, s)
	v.Check(err == nil, field, "invalid")
	return t
}
