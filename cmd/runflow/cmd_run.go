package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
)

func init() {
	register(&command{
		name:    "run",
		args:    "ID|FILE [flags]",
		summary: "run a built-in template (by id) or a template file",
		run:     runRun,
	})
}

// runOptions are the parsed flags of `runflow run`.
type runOptions struct {
	ref       string
	sets      setFlag
	inputFile string
	output    string
	dryRun    bool
	yes       bool
	noInput   bool
	verbose   bool
	user      string
	zone      string
	backend   backendFlags
}

func runRun(ctx context.Context, e *env, args []string) error {
	c := commands["run"]
	var o runOptions
	fs := newFlagSet(c.name)
	fs.Var(&o.sets, "set", "give input `name=value` (repeatable; lists comma-separated)")
	fs.StringVar(&o.inputFile, "input", "", "read input values from a JSON or YAML `FILE` (- for stdin)")
	fs.StringVar(&o.output, "output", "text", "output `FORMAT`: text or json")
	fs.BoolVar(&o.dryRun, "dry-run", false, "run the reads, then print the first write instead of sending it")
	fs.BoolVar(&o.yes, "yes", false, "answer yes to confirmations")
	fs.BoolVar(&o.noInput, "no-input", false, "never ask: a missing required input is an error")
	fs.BoolVar(&o.verbose, "v", false, "trace every HTTP request on stderr (tokens redacted)")
	fs.StringVar(&o.user, "user", "", "the mailbox to act on: me (default), a user id or a `UPN`")
	fs.StringVar(&o.zone, "zone", "", "time `ZONE` for dates you type and dates shown (IANA or Windows name; default $RUNFLOW_ZONE, else the system's)")
	o.backend.add(fs, backendHelp{
		sandbox:     "run against the built-in Graph sandbox (data kept in the config directory)",
		graphURL:    "Graph service root `URL` with its version, e.g. http://127.0.0.1:8080/v1.0 (default $RUNFLOW_GRAPH_URL, else Microsoft Graph)",
		token:       "access `TOKEN` to send (default $RUNFLOW_TOKEN; prefer the variable, command lines are visible to other users)",
		profile:     "sign in with the saved profile `NAME` (see runflow auth)",
		profileFile: "sign in with the profile in `FILE`",
		secretFile:  true,
	})
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("run wants one template id or file, got %d arguments (usage: runflow run ID|FILE [flags])", len(pos))
	}
	o.ref = pos[0]
	if o.output != "text" && o.output != "json" {
		return usageErrorf("--output %q: want text or json", o.output)
	}
	return execRun(ctx, e, &o)
}

// execRun runs a template with parsed options and prints the result.
func execRun(ctx context.Context, e *env, o *runOptions) error {
	loc, err := userZone(e, o.zone)
	if err != nil {
		return err
	}
	t, err := resolveTemplate(o.ref)
	if err != nil {
		return err
	}
	values, err := collectInputs(o.inputFile, &o.sets, e.stdin)
	if err != nil {
		return err
	}
	if err := checkInputNames(t, values); err != nil {
		return err
	}
	if err := readFileInputs(t, values); err != nil { // files.go
		return err
	}
	interactive := e.stdinTTY && !o.noInput && o.inputFile != "-"
	if !interactive {
		if missing := t.MissingInputs(values); len(missing) > 0 {
			return usageErrorf("%s; nothing was sent", missingInputsText(missing, o.noInput))
		}
		if t.HasConfirm() && !o.yes && !o.dryRun {
			return usageErrorf("template %s asks for a confirmation before it writes, and nothing can be asked here; give --yes to confirm, or --dry-run to see the write first; nothing was sent", t.ID())
		}
	}
	be, err := chooseBackend(ctx, e, o.backend, t.Scopes())
	if err != nil {
		return err
	}
	tr := &tracer{w: e.stderr, verbose: o.verbose, progress: e.stderrTTY && o.output == "text" && !o.verbose, secrets: be.secrets}
	client := be.client
	if tr.progress {
		client = withProgress(client, tr)
	}
	eng, err := engine.New(engine.Config{
		GraphURL:   be.graphURL,
		HTTPClient: client,
		Auth:       be.auth,
		Zone:       engineZone(loc, e.getenv),
		Now:        e.now,
		Trace:      tr.event,
		Templates:  []*engine.Template{t},
		// Files keeps the bytes of file inputs out of the states passed
		// between turns (the CLI resumes in the same process).
		Files: &engine.MemoryFiles{},
	})
	if err != nil {
		return usageErrorf("%v", err)
	}
	r := &runner{e: e, o: o, eng: eng, t: t, loc: loc, tr: tr, interactive: interactive, signIn: be.signIn}
	if interactive {
		r.prompt = newPrompter(e.stdin, e.stderr)
	}
	runErr := r.run(ctx, values)
	if err := be.finish(); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// userZone is --zone, else $RUNFLOW_ZONE, else nil: the system's zone
// for typed dates, and each time's own zone (the mailbox's, for the
// built-ins) for dates shown.
func userZone(e *env, flagZone string) (*time.Location, error) {
	name, from := flagZone, "--zone"
	if name == "" {
		name, from = e.getenv("RUNFLOW_ZONE"), "RUNFLOW_ZONE"
	}
	if name == "" {
		return nil, nil
	}
	loc, err := input.LoadZone(name)
	if err != nil {
		return nil, usageErrorf("%s %q: %v (want an IANA name such as Europe/Berlin, or a Windows name such as W. Europe Standard Time)", from, name, err)
	}
	return loc, nil
}

// checkInputNames refuses values for inputs the template does not have
// (as Start would), before anything is sent, naming the inputs it has.
func checkInputNames(t *engine.Template, values map[string]any) error {
	bad := t.UnknownInputs(values)
	if len(bad) == 0 {
		return nil
	}
	var names []string
	for _, in := range t.Inputs() {
		names = append(names, in.Name)
	}
	msg := fmt.Sprintf("template %s has no input %q", t.ID(), bad[0])
	if s := suggest(bad[0], names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(names) == 0 {
		msg += "; it takes no inputs"
	} else {
		msg += "; its inputs are " + strings.Join(names, ", ")
	}
	return usageErrorf("%s", msg)
}

func missingInputsText(missing []string, noInput bool) string {
	why := "stdin is not a terminal, so nothing can be asked"
	if noInput {
		why = "--no-input was given"
	}
	word := "input"
	if len(missing) > 1 {
		word = "inputs"
	}
	sets := make([]string, len(missing))
	for i, m := range missing {
		sets[i] = "--set " + m + "=..."
	}
	return fmt.Sprintf("missing required %s: %s (%s; give %s)", word, strings.Join(missing, ", "), why, strings.Join(sets, " "))
}

// engineZone is the engine's default zone: the user's, else the system's.
func engineZone(loc *time.Location, getenv func(string) string) *time.Location {
	if loc == nil {
		return systemZone(getenv)
	}
	return loc
}
