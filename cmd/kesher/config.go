package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/store"
)

// common holds the flags every command takes. Each flag's default comes from
// its KESHER_* environment variable when set, so containers and service
// managers configure the desk without a command line.
type common struct {
	data     string
	db       string
	logLevel string
	// publisher receives the desk's committed events; serve sets it so that
	// open pages update live.
	publisher kesher.Publisher
	// timerDelay observes how late timers fire; serve sets it for metrics.
	timerDelay func(kesher.TimerKind, time.Duration)
	// ownership tunes reminders and alerts; serve sets it from its flags.
	ownership desk.OwnershipConfig
	// help tunes the help centre's statistics; serve sets it from its flags.
	help desk.HelpConfig
	// portal tunes sign-in links and portal sessions; serve sets it from
	// its flags.
	portal desk.PortalConfig
	// calls tunes phone calls; serve sets it from its flags.
	calls desk.CallConfig
	// chat tunes the chat channel; serve sets it from its flags.
	chat desk.ChatConfig
	// surveys tunes survey invitations; serve sets it from its flags.
	surveys desk.SurveyConfig
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", env("KESHER_DATA", "./kesher-data"), "data directory (SQLite database, files) [KESHER_DATA]")
	fs.StringVar(&c.db, "db", env("KESHER_DB", ""), "database DSN: empty for SQLite in --data, or postgres://… [KESHER_DB]")
	fs.StringVar(&c.logLevel, "log-level", env("KESHER_LOG_LEVEL", "info"), "log level: debug, info, warn, error [KESHER_LOG_LEVEL]")
}

// newFlags returns a flag set for a command with the common flags.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet("kesher "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &common{}
	c.register(fs)
	return fs, c
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envInt(key string, def int64) int64 {
	if v, ok := os.LookupEnv(key); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(key); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func envBool(key string, def bool) bool {
	if v, ok := os.LookupEnv(key); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}

func (c *common) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})), nil
}

// start parses a command's flags, then opens the database and the desk
// with the logger the flags ask for.
func (c *common) start(ctx context.Context, fs *flag.FlagSet, args []string, stderr io.Writer) (*slog.Logger, *store.DB, *desk.Desk, error) {
	if err := fs.Parse(args); err != nil {
		return nil, nil, nil, err
	}
	if fs.NArg() > 0 {
		return nil, nil, nil, fmt.Errorf("%s: unexpected arguments %q", fs.Name(), fs.Args())
	}
	log, err := c.logger(stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	db, d, err := c.open(ctx, log)
	return log, db, d, err
}

// open opens the database (applying migrations) and builds the desk on it.
func (c *common) open(ctx context.Context, log *slog.Logger) (*store.DB, *desk.Desk, error) {
	db, err := store.Open(ctx, store.Config{DSN: c.db, DataDir: c.data, GroupCommit: true, Logger: log})
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	return db, desk.New(desk.Config{Store: db, Logger: log, Publisher: c.publisher, TimerDelay: c.timerDelay, Ownership: c.ownership,
		Portal: c.portal, Help: c.help, Calls: c.calls, Chat: c.chat, Surveys: c.surveys}), nil
}

// describeDB names the database for logs without its password.
func (c *common) describeDB() string {
	if c.db == "" {
		return "sqlite in " + c.data
	}
	if i := strings.Index(c.db, "@"); i > 0 {
		if j := strings.Index(c.db, "://"); j > 0 && j < i {
			return c.db[:j+3] + "…" + c.db[i:]
		}
	}
	return c.db
}
