package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"kesher"
	"kesher/internal/desk"
)

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("migrate", stderr)
	_, db, _, err := c.start(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied (%s)\n", c.describeDB())
	return db.Close()
}

func cmdUserCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("user create", stderr)
	email := fs.String("email", "", "the user's email (their sign-in name)")
	name := fs.String("name", "", "the user's name")
	role := fs.String("role", "agent", "admin, lead or agent")
	password := fs.String("password", "", "a password of at least 10 characters (optional: without one the user signs in after a reset)")
	lang := fs.String("language", "he", "he or en")
	_, db, d, err := c.start(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := d.CreateUser(ctx, desk.NewUser{Email: *email, Name: *name, Role: kesher.Role(*role), Password: *password, Language: *lang})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created %s %s (%s) id %s\n", u.Role, u.Name, u.Email, u.ID)
	return nil
}

func cmdTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("token create", stderr)
	email := fs.String("email", "", "the user the token acts as")
	name := fs.String("name", "cli", "a name to recognise the token by")
	_, db, d, err := c.start(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	addr, err := kesher.NormalizeEmail(*email)
	if err != nil {
		return describe(err)
	}
	u, err := db.UserByEmail(ctx, addr)
	if err != nil {
		return describe(err)
	}
	secret, _, err := d.CreateToken(ctx, u.ID, *name)
	if err != nil {
		return describe(err)
	}
	// The secret alone on stdout, so scripts can capture it.
	fmt.Fprintln(stdout, secret)
	return nil
}

// describe turns a desk error into a message for a person at a terminal.
func describe(err error) error {
	var e *kesher.Error
	if !errors.As(err, &e) {
		return err
	}
	if len(e.Fields) == 0 {
		return errors.New(e.Message)
	}
	var fields []string
	for f, why := range e.Fields {
		fields = append(fields, fmt.Sprintf("--%s %s", f, why))
	}
	slices.Sort(fields)
	return fmt.Errorf("%s: %s", e.Message, strings.Join(fields, "; "))
}
