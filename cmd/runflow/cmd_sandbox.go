package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/templates"
)

func init() {
	register(&command{
		name:    "sandbox",
		args:    "serve|token|reset [flags]",
		summary: "run the built-in Microsoft Graph sandbox, mint tokens for it, or reset its data",
		run:     runSandbox,
	})
}

// The files `sandbox serve` leaves in the config directory while it runs,
// so that `sandbox token` and `sandbox reset` can find it.
const serveInfoFile = "sandbox-serve.json"

// serveInfo tells `sandbox token` where the served sandbox is and the key
// its admin endpoints want. The file is readable by its owner only.
type serveInfo struct {
	URL string `json:"url"`
	Key string `json:"key"`
	PID int    `json:"pid"`
}

// Admin endpoints the CLI adds in front of the served sandbox (not Graph).
const (
	adminTokenPath = "/_runflow/sandbox/token"
	adminResetPath = "/_runflow/sandbox/reset"
	adminKeyHeader = "Runflow-Sandbox-Key"
)

func runSandbox(ctx context.Context, e *env, args []string) error {
	subs := map[string]func(context.Context, *env, []string) error{
		"serve": runSandboxServe,
		"token": runSandboxToken,
		"reset": runSandboxReset,
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printSandboxUsage(e.stdout)
		if len(args) == 0 {
			return &exitError{code: exitUsage, err: errors.New("sandbox: want serve, token or reset"), reported: false}
		}
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		return usageErrorf("sandbox: unknown subcommand %q (want serve, token or reset)", args[0])
	}
	return sub(ctx, e, args[1:])
}

func printSandboxUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: runflow sandbox serve|token|reset [flags]

The sandbox is an in-process Microsoft Graph and identity platform with a
demo mailbox, kept in the config directory (sandbox.json) between runs.

  runflow sandbox serve [--addr 127.0.0.1:8080]   serve it over HTTP (Graph at URL/v1.0)
  runflow sandbox token [--scopes A,B]            print an access token for the served sandbox
  runflow sandbox reset                           start again from fresh demo data
`)
}

// allBuiltinScopes is the union of the built-in templates' scopes, the
// default for `sandbox token`.
func allBuiltinScopes() ([]string, error) {
	ts, err := templates.Load()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range ts {
		for _, s := range t.Scopes() {
			if !seen[strings.ToLower(s)] {
				seen[strings.ToLower(s)] = true
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func runSandboxServe(ctx context.Context, e *env, args []string) error {
	c := &command{name: "sandbox serve", args: "[--addr HOST:PORT]", summary: "serve the sandbox's Microsoft Graph and identity platform over HTTP until interrupted"}
	fs := newFlagSet(c.name)
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on (port 0 picks a free one)")
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("sandbox serve takes no arguments (got %q)", pos[0])
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageErrorf("sandbox serve: %v", err)
	}
	warnIfNotLoopback(e.stderr, ln.Addr())
	root := "http://" + ln.Addr().String()
	st, err := openSandbox(e, root)
	if err != nil {
		ln.Close()
		return err
	}
	key, err := randomHex(24)
	if err != nil {
		ln.Close()
		return err
	}
	dir, err := e.configDir()
	if err != nil {
		ln.Close()
		return err
	}
	infoPath := filepath.Join(dir, serveInfoFile)
	if err := writePrivateJSON(infoPath, serveInfo{URL: root, Key: key, PID: os.Getpid()}); err != nil {
		ln.Close()
		return err
	}
	defer removeIfExists(infoPath)

	st.logErr = func(err error) { fmt.Fprintf(e.stderr, "runflow sandbox: %v\n", err) }
	h := &servedSandbox{st: st, key: key}
	srv := newSandboxServer(h, sandboxReadTimeout)
	fmt.Fprintf(e.stdout, "Sandbox serving Microsoft Graph at %s/v1.0 and the identity platform at %s/%s/oauth2/v2.0\n", root, root, st.s.TenantID())
	fmt.Fprintf(e.stdout, "Data: %s (shared with 'runflow run --sandbox': every write is saved at once)\n", st.path)
	if note := st.staleDemoNote(e.now()); note != "" {
		fmt.Fprintln(e.stdout, note)
	}
	fmt.Fprintf(e.stdout, "Try:  runflow run whoami --graph-url %s/v1.0 --token \"$(runflow sandbox token)\"\n", root)
	fmt.Fprintln(e.stdout, "Stop with Ctrl-C.")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sandbox serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdownCtx)
	// Every write was saved as it was served; saving the data in memory
	// now could only overwrite what another runflow wrote since.
	if err := st.takeSaveError(); err != nil {
		return fmt.Errorf("sandbox serve: a write could not be saved: %w", err)
	}
	fmt.Fprintln(e.stdout, "Sandbox stopped; data saved.")
	return nil
}

// servedSandbox is the sandbox's handler (through its store, which keeps
// the data file the one source of truth) plus the CLI's admin endpoints
// (token, reset), guarded by the key in the serve file.
type servedSandbox struct {
	st  *sandboxStore
	key string
}

func (h *servedSandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case adminTokenPath, adminResetPath:
		h.admin(w, r)
		return
	}
	h.st.ServeHTTP(w, r)
}

func (h *servedSandbox) admin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(adminKeyHeader)), []byte(h.key)) != 1 {
		http.Error(w, "wrong or missing "+adminKeyHeader, http.StatusForbidden)
		return
	}
	if r.URL.Path == adminResetPath {
		if err := h.st.Reset(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var req struct {
		Scopes []string `json:"scopes"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		http.Error(w, "want {\"scopes\": [...]}: "+err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"access_token": h.st.s.Token(req.Scopes...)})
}

func runSandboxToken(ctx context.Context, e *env, args []string) error {
	c := &command{name: "sandbox token", args: "[--scopes A,B]", summary: "print an access token for the sandbox that `runflow sandbox serve` is serving"}
	fs := newFlagSet(c.name)
	scopes := fs.String("scopes", "", "comma-separated `SCOPES` the token carries (default: every scope the built-in templates need)")
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("sandbox token takes no arguments (got %q)", pos[0])
	}
	var list []string
	for _, s := range strings.Split(*scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	if len(list) == 0 {
		if list, err = allBuiltinScopes(); err != nil {
			return err
		}
	}
	info, err := readServeInfo(e)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{"scopes": list})
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := postAdmin(ctx, info, adminTokenPath, body, &out); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, out.AccessToken)
	return nil
}

func runSandboxReset(ctx context.Context, e *env, args []string) error {
	c := &command{name: "sandbox reset", summary: "replace the sandbox's data with a fresh demo mailbox"}
	fs := newFlagSet(c.name)
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("sandbox reset takes no arguments (got %q)", pos[0])
	}
	// A running `sandbox serve` owns the data: ask it to reset, so that it
	// does not write its old data back over the file later.
	if info, err := readServeInfo(e); err == nil {
		if err := postAdmin(ctx, info, adminResetPath, []byte("{}"), nil); err == nil {
			fmt.Fprintf(e.stdout, "Reset the sandbox served at %s.\n", info.URL)
			return nil
		}
	}
	path, err := sandboxDataFile(e)
	if err != nil {
		return err
	}
	// Under the data's lock, so a write of another runflow in flight is
	// not written back over the fresh data.
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	s := sandbox.New(sandbox.Options{Now: e.now})
	if err := s.SaveFile(path); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Reset the sandbox's data in %s.\n", path)
	return nil
}

func readServeInfo(e *env) (serveInfo, error) {
	var info serveInfo
	dir, err := e.configDir()
	if err != nil {
		return info, err
	}
	data, err := os.ReadFile(filepath.Join(dir, serveInfoFile))
	if errors.Is(err, fs.ErrNotExist) {
		return info, usageErrorf("no sandbox is being served; start one with 'runflow sandbox serve' (or use 'runflow run ID --sandbox', which needs no token)")
	}
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(data, &info); err != nil || info.URL == "" || info.Key == "" {
		return info, fmt.Errorf("%s is damaged; restart 'runflow sandbox serve'", filepath.Join(dir, serveInfoFile))
	}
	return info, nil
}

func postAdmin(ctx context.Context, info serveInfo, path string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, info.URL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set(adminKeyHeader, info.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("the sandbox at %s does not answer (is 'runflow sandbox serve' still running?): %w", info.URL, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the sandbox at %s answered %s: %s", info.URL, resp.Status, strings.TrimSpace(string(data)))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("the sandbox at %s answered something unexpected: %w", info.URL, err)
		}
	}
	return nil
}

// writePrivateJSON writes v to path readable by the owner only, creating
// the directory (owner only) if needed. The file appears whole (written
// aside, then renamed), so a reader never sees half of it.
func writePrivateJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".serve-*.json") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
