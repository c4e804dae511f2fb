package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/bot"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/mcpserver"
)

func init() {
	register(&command{
		name:    "mcp",
		args:    "--sandbox|--profile NAME|--graph-url URL [flags]",
		summary: "serve the templates as MCP tools over stdio, for AI assistants",
		run:     runMCP,
	})
}

func runMCP(ctx context.Context, e *env, args []string) error {
	c := commands["mcp"]
	var be backendFlags
	var dir, only, zone string
	fs := newFlagSet(c.name)
	be.add(fs, backendHelp{
		sandbox:     "act on the built-in Graph sandbox (data kept in the config directory)",
		graphURL:    "Graph service root `URL` with its version (default $RUNFLOW_GRAPH_URL, else Microsoft Graph)",
		token:       "access `TOKEN` to send (default $RUNFLOW_TOKEN; prefer the variable)",
		profile:     "sign in with the saved profile `NAME` (see runflow auth)",
		profileFile: "sign in with the profile in `FILE`",
	})
	fs.StringVar(&dir, "templates", "", "also serve the templates (*.yaml) in `DIR`; one with a built-in's id replaces it")
	fs.StringVar(&only, "tools", "", "serve only these template `ids` (comma-separated)")
	fs.StringVar(&zone, "zone", "", "time `ZONE` for dates given without one (default $RUNFLOW_ZONE, else the system's)")
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("mcp takes no arguments (got %q); it serves MCP on stdin and stdout", pos[0])
	}
	loc, err := userZone(e, zone)
	if err != nil {
		return err
	}
	all, err := bot.LoadTemplates(dir, nil)
	if err != nil {
		return templateError(err)
	}
	ts, err := pickTools(all, only)
	if err != nil {
		return err
	}
	b, err := chooseBackend(ctx, e, be, allScopes(ts))
	if err != nil {
		return err
	}
	// One key signs the engine's states and seals the request states: the
	// process is the only one continuing its calls.
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	if b.sandbox != nil {
		// An assistant may keep the server for days and end it abruptly:
		// the sandbox store saves every write as it is served; say so here
		// when a save fails rather than only at the end.
		b.sandbox.logErr = func(err error) { fmt.Fprintf(e.stderr, "runflow mcp: saving the sandbox: %v\n", err) }
	}
	eng, err := engine.New(engine.Config{
		GraphURL:   b.graphURL,
		HTTPClient: b.client,
		Auth:       b.auth,
		Zone:       engineZone(loc, e.getenv),
		Now:        e.now,
		Templates:  ts,
		StateKey:   key,
	})
	if err != nil {
		return usageErrorf("%v", err)
	}
	srv, err := mcpserver.New(eng, mcpserver.Options{
		Templates:      ts,
		StateKey:       key,
		Store:          &engine.MemorySessionStore{},
		Implementation: &mcp.Implementation{Name: "runflow", Version: versionString()},
	})
	if err != nil {
		return err
	}
	runErr := srv.Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(e.stdin), Writer: nopWriteCloser{uncleaned(e.stdout)}})
	if ctx.Err() != nil || errors.Is(runErr, io.EOF) || errors.Is(runErr, mcp.ErrConnectionClosed) {
		runErr = nil // the client left or the process was stopped
	}
	if err := b.finish(); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// pickTools keeps the templates of ts (sorted by id) that the --tools ids
// name, in the order named; all of them when only is "".
func pickTools(ts []*engine.Template, only string) ([]*engine.Template, error) {
	if only == "" {
		return ts, nil
	}
	byID := map[string]*engine.Template{}
	ids := make([]string, len(ts))
	for i, t := range ts {
		byID[t.ID()] = t
		ids[i] = t.ID()
	}
	var picked []*engine.Template
	for _, id := range strings.Split(only, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		t := byID[id]
		if t == nil {
			msg := fmt.Sprintf("--tools: no template %q", id)
			if s := suggest(id, ids); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return nil, usageErrorf("%s (the templates are %s)", msg, strings.Join(ids, ", "))
		}
		if !slices.Contains(picked, t) {
			picked = append(picked, t)
		}
	}
	if len(picked) == 0 {
		return nil, usageErrorf("--tools: give at least one template id")
	}
	return picked, nil
}

// nopWriteCloser keeps the process's stdout open when the MCP connection
// closes.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
