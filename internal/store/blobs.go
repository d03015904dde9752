package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"time"

	"kesher"
)

// gzipWriters are reused: a compressor carries about a megabyte of state,
// and PutBlob runs while the database's write lock is held. BestSpeed,
// because mail (text, and attachments mostly compressed already) gains
// little from harder work there.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level never fails
	return zw
}}

// PutBlob stores data gzipped under its hex SHA-256; bytes stored already
// are not compressed or written again. The hash is checked, because a blob
// stored under the wrong name would be served for another file forever.
func (t *tx) PutBlob(ctx context.Context, hash string, data []byte) error {
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != hash {
		return kesher.FieldError("sha256", "mismatch", "the data does not have the SHA-256 %s", hash)
	}
	var exists int
	switch err := t.q.QueryRowContext(ctx, "SELECT 1 FROM blobs WHERE sha256 = $1", hash).Scan(&exists); {
	case err == nil:
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return t.dbErr(err, "blob "+hash)
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	// ON CONFLICT DO NOTHING: another node may store the same bytes
	// meanwhile, which is as good. created_at only informs whoever reads
	// the table; no rule depends on it, so it needs no injected clock.
	_, err := t.q.ExecContext(ctx, "INSERT INTO blobs (sha256, size, compressed, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
		hash, len(data), buf.Bytes(), micros(time.Now()))
	return t.dbErr(err, "blob "+hash)
}

// Blob returns the bytes stored under their hex SHA-256, uncompressed.
func (q *queries) Blob(ctx context.Context, hash string) ([]byte, error) {
	var compressed []byte
	if err := q.q.QueryRowContext(ctx, "SELECT compressed FROM blobs WHERE sha256 = $1", hash).Scan(&compressed); err != nil {
		return nil, q.dbErr(err, "blob "+hash)
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
