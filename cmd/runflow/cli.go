package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	didyoumean "github.com/runflow/runflow/internal/suggest"
)

// command is one `runflow NAME ...` command. Each lives in its own file and
// registers itself in an init function, so adding a command is adding a
// file.
type command struct {
	name    string
	args    string // what follows the name in the usage line, e.g. "ID|FILE [flags]"
	summary string // one line for `runflow help`
	// run executes the command with the arguments after its name.
	run func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]*command{}

// register adds c to the command table; a duplicate name is a programming
// error.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("runflow: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func init() {
	register(&command{
		name:    "help",
		args:    "[COMMAND]",
		summary: "show help for runflow or one command",
		run:     runHelp,
	})
}

// dispatch runs the command named by args[0].
func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printOverview(e.stderr)
		return &exitError{code: exitUsage, err: errors.New("no command given"), reported: true}
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		printOverview(e.stdout)
		return nil
	case "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		msg := fmt.Sprintf("unknown command %q", name)
		if s := suggest(name, commandNames()); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return usageErrorf("%s (run 'runflow help' for the list)", msg)
	}
	return c.run(ctx, e, args[1:])
}

func runHelp(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printOverview(e.stdout)
		return nil
	}
	if strings.HasPrefix(args[0], "-") {
		printUsage(e.stdout, commands["help"], nil)
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		return usageErrorf("unknown command %q (run 'runflow help' for the list)", args[0])
	}
	// Every command prints its own usage for -h.
	return c.run(context.Background(), e, []string{"-h"})
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func printOverview(w io.Writer) {
	fmt.Fprintln(w, "runflow runs dialog templates against Microsoft Graph.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	width := 0
	for _, n := range commandNames() {
		c := commands[n]
		width = max(width, len(strings.TrimSpace(c.name+" "+c.args)))
	}
	for _, n := range commandNames() {
		c := commands[n]
		fmt.Fprintf(w, "  runflow %-*s  %s\n", width, strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Try:  runflow run list-events --sandbox")
	fmt.Fprintln(w, "Docs: docs/cli.md (commands, flags, exit codes), docs/templates.md (writing templates)")
}

// newFlagSet returns a flag set that reports errors to the caller instead of
// printing them, so that every error goes through reportError.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("runflow "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses flags that may come before, between or after the
// positional arguments (`runflow run list-events --sandbox`), which the
// standard flag package alone does not allow. Everything after "--" is
// positional.
func parseArgs(c *command, fs *flag.FlagSet, e *env, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(e.stdout, c, fs)
				return nil, errHelpShown
			}
			return nil, usageErrorf("%s: %s (run 'runflow %s -h' for help)", c.name, flagErrorText(err, fs), c.name)
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagErrorText rewrites the flag package's errors in the double-dash
// spelling the docs use, with a suggestion for a misspelt flag.
func flagErrorText(err error, fs *flag.FlagSet) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		msg = fmt.Sprintf("unknown flag --%s", name)
		if s := suggest(name, names); s != "" {
			msg += fmt.Sprintf("; did you mean --%s?", s)
		}
		return msg
	}
	if rest, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + rest + " needs a value"
	}
	if strings.HasPrefix(msg, "invalid value ") {
		return strings.Replace(msg, " for flag -", " for flag --", 1)
	}
	return msg
}

// errHelpShown ends a command after -h printed its usage; it exits 0.
var errHelpShown = &exitError{code: exitOK, reported: true}

// printUsage prints a command's usage line, summary and flags, with the
// double-dash spelling the docs use.
func printUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: runflow %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.args), upperFirst(c.summary)+".")
	if fs == nil {
		return
	}
	var lines [][2]string
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if len(f.Name) == 1 {
			left = "-" + f.Name
		}
		if name != "" {
			left += " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		lines = append(lines, [2]string{left, usage})
		width = max(width, len(left))
	})
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l[0], l[1])
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// suggest returns the candidate closest to s (at most 2 edits, any case),
// or "".
func suggest(s string, candidates []string) string {
	return didyoumean.Closest(s, candidates, 2)
}
