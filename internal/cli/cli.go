// Package cli is hearme's command line: one file per subcommand, each a
// function of a context that returns an error.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
)

// Env is what every subcommand gets.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type command struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server (the default)", runServe},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"admin", "manage staff accounts: create, reset, disable, enable, list", runAdmin},
		{"demo", "load or reset the demo programme configuration, or remove the demo content", runDemo},
		{"audit", "check the audit trail: audit verify", runAudit},
		{"retention", "show or apply the retention rules: retention --dry-run | --apply", runRetention},
		{"backup", "encrypted online backup of the SQLite database: backup FILE [--passphrase-file F]", runBackup},
		{"restore", "restore a backup into an empty data directory: restore FILE --data DIR --identity F --audit-key F", runRestore},
		{"keys", "rotate the encryption keys: keys status | keys rotate | keys retire", runKeys},
		{"jobs", "list background jobs or run one now: jobs list | jobs run NAME", runJobs},
		{"mail", "email: mail test ADDRESS | mail send | mail status", runMail},
		{"synthetic", "an invented programme for measuring: synthetic seed --experiences N | synthetic finish", runSynthetic},
		{"version", "print the version", runVersion},
		{"help", "show this help", nil},
	}
}

// errUsage marks a mistake in how the command was called (exit code 2).
var errUsage = errors.New("usage")

// Run runs the command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := Env{Stdout: stdout, Stderr: stderr, Getenv: config.Getenv}
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			err := c.run(ctx, env, args)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				fmt.Fprintln(stderr, "hearme:", err)
				return 2
			default:
				fmt.Fprintln(stderr, "hearme:", err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "hearme: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `hearme: the working system behind community cancer engagement programmes.

Usage: hearme [command] [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Flags (every command; each also read from its HEARME_* environment variable):
`)
	config.PrintDefaults(w)
	fmt.Fprint(w, `
Examples:
  hearme                                   run on http://127.0.0.1:8080 with SQLite in ./hearme-data
  hearme --database postgres://u@db/hearme run against PostgreSQL
  hearme admin create --email a@example.org --name "A Person" --role connector
  hearme audit verify
`)
}

// loadConfig parses the shared flags plus any the command adds.
func loadConfig(env Env, name string, args []string, extra func(fs *flag.FlagSet)) (config.Config, *flag.FlagSet, error) {
	var cfg config.Config
	fs := flag.NewFlagSet("hearme "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	finish := config.FlagSet(fs, &cfg, env.Getenv)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, fs, err
		}
		return cfg, fs, fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := finish(); err != nil {
		return cfg, fs, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, fs, nil
}

func logger(env Env, cfg config.Config) *slog.Logger { return app.NewLogger(env.Stderr, cfg.LogLevel) }
