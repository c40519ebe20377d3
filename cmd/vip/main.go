// Command vip is the command-line tool for the people who decide on a VIP program: it
// validates ladders and benefit catalogues, scores customers (RFM segments and
// predicted lifetime value), replays ladders over the shop's order history, and
// writes an HTML report, all from the shop's own CSV exports.
//
// Usage:
//
//	vip validate [--catalogue catalogue.json] [ladder.json ...]
//	vip score --orders orders.csv [--refunds refunds.csv] [--as-of DATE] [--out scores.csv]
//	vip simulate --ladder ladder.json [--ladder other.json] --orders orders.csv [--format csv|json]
//	vip report --ladder ladder.json --orders orders.csv [--catalogue c.json] --out report.html
//
// Every command takes --help. Exit status: 0 on success, 1 on a failure (bad input
// data, an invalid ladder, a model that does not fit), 2 on a usage error. Errors go
// to stderr. See docs/cli.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand: its name, one-line summary and the function running it.
type command struct {
	name, summary string
	run           func(args []string, env *env) error
}

var commands = []command{
	{"validate", "check ladder and benefit catalogue files, reporting every problem", runValidate},
	{"score", "RFM scores, segments and predicted CLV per customer, as CSV", runScore},
	{"simulate", "replay one or more ladders over the order history (backtest), as CSV or JSON", runSimulate},
	{"report", "write an HTML report of the program on the order history", runReport},
}

// env is what a command runs with: its streams, and whether stderr is a terminal.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	tty            bool
	// flags is the flag set of the command that ran, for the tests of its help.
	flags *flag.FlagSet
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// errHelp means the help was printed as asked: exit status 0.
var errHelp = errors.New("help requested")

// run runs the command line args (without the program name) and returns the exit
// status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, tty: isTerminal(stderr)}
	if len(args) == 0 {
		mainUsage(stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 && name == "help" {
			for _, c := range commands {
				if c.name == args[1] {
					return exit(c.run([]string{"--help"}, e), e)
				}
			}
			fmt.Fprintf(stderr, "vip: no command %q\n", args[1])
			return 2
		}
		mainUsage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == name {
			return exit(c.run(args[1:], e), e)
		}
	}
	fmt.Fprintf(stderr, "vip: no command %q\n\n", name)
	mainUsage(stderr)
	return 2
}

func exit(err error, e *env) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "vip: %s\n(run with --help for the usage)\n", ue.msg)
		return 2
	default:
		msg := err.Error()
		if !strings.HasPrefix(msg, "vip") {
			msg = "vip: " + msg
		}
		fmt.Fprintln(e.stderr, msg)
		return 1
	}
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `vip: decide on a VIP program from the shop's own data.

Usage: vip <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "vip <command> --help" for a command's flags and an example.
Exit status: 0 ok, 1 failure, 2 usage error.
`)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
