package store

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is the seam between the two databases. The query code is written
// once, with $N placeholders (which modernc's SQLite binds by position too),
// byte-wise ordering (SQLite's BINARY collation, COLLATE "C" columns on
// PostgreSQL) and ON CONFLICT DO NOTHING; what cannot be shared lives here.
type dialect struct {
	name  string // "sqlite" or "postgres"
	goose goose.Dialect
	// uniqueViolation and foreignKeyViolation recognise the driver's
	// constraint errors, so that they become conflict and not_found.
	uniqueViolation     func(error) bool
	foreignKeyViolation func(error) bool
	// deadlock recognises a statement the database aborted to break a
	// deadlock: PostgreSQL's group commits of two nodes can lock the same
	// rows in opposite orders. SQLite has one writer and none.
	deadlock func(error) bool
	// cacheStatements keeps prepared statements in a stmtCache; pgx
	// already caches them per connection.
	cacheStatements bool
}

var sqliteDialect = dialect{
	name:  "sqlite",
	goose: goose.DialectSQLite3,
	uniqueViolation: func(err error) bool {
		return sqliteCode(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	foreignKeyViolation: func(err error) bool { return sqliteCode(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY) },
	deadlock:            func(error) bool { return false },
	cacheStatements:     true,
}

var postgresDialect = dialect{
	name:                "postgres",
	goose:               goose.DialectPostgres,
	uniqueViolation:     func(err error) bool { return pgCode(err, "23505") },
	foreignKeyViolation: func(err error) bool { return pgCode(err, "23503") },
	deadlock:            func(err error) bool { return pgCode(err, "40P01") },
}

// indexedBy returns the clause that makes SQLite read table through index,
// to follow the table's name in a FROM. SQLite's planner knows nothing of
// how few rows a partial index holds, and would rather read a wide index
// that matches an equality (status = 'open') and sort than read a small
// partial index in order and stop at the LIMIT. PostgreSQL's planner,
// which keeps statistics, needs no hint and has no syntax for one.
func (d *dialect) indexedBy(index string) string {
	if d == &sqliteDialect {
		return " INDEXED BY " + index
	}
	return ""
}

// forUpdate returns the clause that locks the rows a query reads inside a
// transaction until it ends; SQLite's writer holds the whole database.
func (d *dialect) forUpdate() string {
	if d == &postgresDialect {
		return " FOR UPDATE"
	}
	return ""
}

func sqliteCode(err error, codes ...int) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, c := range codes {
		if e.Code() == c {
			return true
		}
	}
	return false
}

func pgCode(err error, code string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == code
}

// isPostgresDSN reports whether dsn names a PostgreSQL server; anything
// else is an SQLite database file.
func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqlitePragmas make every connection durable and well-behaved: WAL lets
// readers run beside the writer, synchronous(FULL) fsyncs the WAL on every
// commit so an acknowledged write survives power loss, busy_timeout waits
// for another process (the CLI) instead of failing, and foreign keys are
// off by default in SQLite. temp_store(MEMORY) keeps the sub-journals of
// group commit's savepoints in memory instead of temporary files, which
// otherwise cost a write system call for every page a unit touches.
// _txlock=immediate takes the write lock at BEGIN,
// so a transaction never fails half-way because another process wrote.
var sqlitePragmas = []string{
	"_pragma=journal_mode(WAL)",
	"_pragma=synchronous(FULL)",
	"_pragma=busy_timeout(10000)",
	"_pragma=foreign_keys(ON)",
	"_pragma=temp_store(MEMORY)",
	"_txlock=immediate",
}

// readerMmap is how much of the database file each reader maps into
// memory: reads then copy from the page cache the kernel already holds
// instead of a system call per page, which made full-text searches three
// times faster. It is address space, not memory: pages are shared with the
// kernel's cache and resident only while used. The writer reads through
// system calls as before (a mapped writer measured slower at intake).
const readerMmap = 16 << 30

// sqliteDSNs returns the DSNs of the writer and the reader pool for the
// database named by dsn: "" means kesher.db in dataDir, "sqlite:PATH" and
// plain paths name the file.
func sqliteDSNs(dsn, dataDir string) (writer, reader string, err error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	path = strings.TrimPrefix(path, "//")
	var query string
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	if path == "" {
		if dataDir == "" {
			return "", "", errors.New("store: neither a database DSN nor a data directory was given")
		}
		path = filepath.Join(dataDir, "kesher.db")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", "", err
	}
	params := strings.Join(sqlitePragmas, "&")
	if query != "" {
		params += "&" + query
	}
	u := "file:" + path
	return u + "?" + params, u + "?" + params + "&_pragma=query_only(1)&_pragma=mmap_size(" + strconv.Itoa(readerMmap) + ")", nil
}

// configurePool sizes a pool. SQLite allows one writer at a time, so the
// writer pool has exactly one connection and Write calls queue in Go rather
// than spin on SQLITE_BUSY.
func configurePool(db *sql.DB, conns int) {
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
}
