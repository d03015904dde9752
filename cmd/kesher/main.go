// Command kesher runs the Kesher service desk and its administrative tasks.
// It is the only place that knows every concrete type and wires them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// Users pick their time zone; the binary carries the zone database so
	// that works on hosts without one.
	_ "time/tzdata"
)

const usage = `kesher — a self-hosted omnichannel service desk

Usage:
  kesher serve [--addr 127.0.0.1:8080]      run the desk (migrations apply on start)
  kesher migrate                            apply database migrations and exit
  kesher user create --email E --name N --role admin|lead|agent [--password P]
  kesher token create --email E             print a new API token for that user
  kesher demo                               fill an empty database with a demo desk
  kesher bench seed|query|http|ui|email|timers|search|chat [flags]
                                            build a large dataset and measure the desk

Every command takes --data DIR (default ./kesher-data, env KESHER_DATA) and
--db DSN (default: SQLite in DIR; postgres://… for PostgreSQL; env KESHER_DB).
Run "kesher COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kesher:", err)
		}
		os.Exit(2)
	}
}

// run dispatches a command line; it is main without the process around it,
// so tests can run commands in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	if (cmd == "user" || cmd == "token" || cmd == "bench") && len(rest) > 0 {
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "user create":
		return cmdUserCreate(ctx, rest, stdout, stderr)
	case "token create":
		return cmdTokenCreate(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "bench seed":
		return cmdBenchSeed(ctx, rest, stdout, stderr)
	case "bench query":
		return cmdBenchQuery(ctx, rest, stdout, stderr)
	case "bench http":
		return cmdBenchHTTP(ctx, rest, stdout, stderr)
	case "bench ui":
		return cmdBenchUI(ctx, rest, stdout, stderr)
	case "bench email":
		return cmdBenchEmail(ctx, rest, stdout, stderr)
	case "bench search":
		return cmdBenchSearch(ctx, rest, stdout, stderr)
	case "bench chat":
		return cmdBenchChat(ctx, rest, stdout, stderr)
	case "bench timers":
		return cmdBenchTimers(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
