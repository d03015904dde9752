package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"unicode/utf8"

	"kesher"
)

// idempotencyHeader names the key a client sends so that a retried POST
// returns the first result and creates nothing.
const idempotencyHeader = "Idempotency-Key"

// maxIdempotencyKey is the longest key accepted, in characters.
const maxIdempotencyKey = 255

// idempotent runs a POST under its Idempotency-Key: a key seen before with
// the same request replays the stored response; a new key runs h and
// stores what it answered.
func (a *api) idempotent(w http.ResponseWriter, r *http.Request, rt route) {
	ctx := r.Context()
	key := r.Header.Get(idempotencyHeader)
	if utf8.RuneCountInString(key) > maxIdempotencyKey {
		a.writeError(w, r, kesher.FieldError(idempotencyHeader, "too_long", "the Idempotency-Key is longer than %d characters", maxIdempotencyKey))
		return
	}
	// The body is read here, within the size limit, to fingerprint the
	// request; the handler then decodes the copy.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		a.writeError(w, r, decodeError(err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	hash := hex.EncodeToString(sum[:])

	earlier, err := a.desk.BeginIdempotent(ctx, key, hash)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if earlier != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(earlier.Status)
		_, _ = w.Write(earlier.Body)
		return
	}
	rec := &recorder{header: w.Header(), status: http.StatusOK}
	a.serve(rec, r, rt.handle)
	status, stored := rec.status, rec.body.Bytes()
	if rt.oneTimeSecret && status < 300 {
		// The secret must not rest in the database in the clear: a retry
		// learns that the first request succeeded, and nothing more.
		status = http.StatusConflict
		stored, _ = json.Marshal(errorBody{Error: errorDetail{Code: kesher.ECodeConflict,
			Message: "the first request with this Idempotency-Key succeeded; its secret was shown once and is not stored"}})
	}
	// The response is stored before it is sent, so a client retrying the
	// moment it has the answer gets the replay, not "still in progress".
	// The request's work is done; a client that hung up must not undo the
	// record of it.
	if err := a.desk.FinishIdempotent(context.WithoutCancel(ctx), key, hash, status, stored); err != nil {
		a.log.Error("api: storing an idempotent response failed", "key", key, "err", err)
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// recorder holds a response back so it can be stored before it is sent.
// Headers go straight to the real writer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rec *recorder) Header() http.Header         { return rec.header }
func (rec *recorder) WriteHeader(status int)      { rec.status = status }
func (rec *recorder) Write(b []byte) (int, error) { return rec.body.Write(b) }
