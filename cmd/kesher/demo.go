package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"kesher/internal/demo"
)

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("demo", stderr)
	seed := fs.Int64("seed", 1, "seed of the generated content (the same seed gives the same desk)")
	_, db, _, err := c.start(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := demo.Fill(ctx, db, time.Now().UTC(), *seed)
	if err != nil {
		return describe(err)
	}
	fmt.Fprint(stdout, sum.String())
	return nil
}
