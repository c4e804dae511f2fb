package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/bot"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/mcpserver"
)

func init() {
	register(&command{
		name:    "serve",
		args:    "[--addr HOST:PORT] [--store memory|file:PATH|redis://HOST:PORT/DB] (--sandbox | --graph-url URL --token TOKEN | --profile NAME | --profile-file FILE)",
		summary: "run the templates as a bot service: an HTTP API, a web chat page, /metrics",
		run:     runServe,
	})
}

// callbackPath is where serve takes the sign-in redirect; mcpPath where it
// serves MCP.
const (
	callbackPath = "/auth/callback"
	mcpPath      = "/mcp"
)

// mcpStateKey derives the key sealing MCP request states from the state
// key, as bot.EngineStateKey does for the engine's.
func mcpStateKey(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("runflow mcp request state"))
	return m.Sum(nil)
}

type serveOptions struct {
	addr, store, prefix, templates, stateKey, publicURL, apiKey string
	sessionTTL, turnTimeout, claimGrace                         time.Duration
	backend                                                     backendFlags
}

func runServe(ctx context.Context, e *env, args []string) error {
	c := commands["serve"]
	var o serveOptions
	fs := newFlagSet(c.name)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`HOST:PORT` to listen on (port 0 picks a free one)")
	fs.StringVar(&o.store, "store", "", "where conversations live: memory, file:`PATH` or redis://HOST:PORT/DB (default a file in the state directory)")
	fs.StringVar(&o.prefix, "redis-prefix", bot.DefaultRedisPrefix, "`PREFIX` of every Redis key (several bots can share a database)")
	fs.DurationVar(&o.sessionTTL, "session-ttl", bot.DefaultSessionTTL, "forget a conversation idle for `DURATION`")
	fs.DurationVar(&o.turnTimeout, "turn-timeout", 2*time.Minute, "bound one turn (its Graph calls included) to `DURATION`; a replica that dies while sending a write leaves it unresolved for this long plus --claim-grace")
	fs.DurationVar(&o.claimGrace, "claim-grace", engine.DefaultLimits().ClaimGrace, "how long past --turn-timeout a dead replica's write claim still blocks its conversation: `DURATION` covering the replicas' clock skew and a store round trip (at least 1s)")
	fs.StringVar(&o.templates, "templates", "", "also offer the *.yaml templates of `DIR` (a file with a built-in's id replaces it)")
	fs.StringVar(&o.stateKey, "state-key", "", "the secret signing states and sign-in links: env:`VAR` or file:PATH (required with Redis: the same on every replica)")
	fs.StringVar(&o.apiKey, "api-key", "", "require `env:VAR` or file:PATH's secret as \"Authorization: Bearer KEY\" on the API (needed to listen beyond loopback)")
	fs.StringVar(&o.publicURL, "public-url", "", "`URL` where users reach this server, for the sign-in callback (default http://ADDR)")
	o.backend.add(fs, backendHelp{
		sandbox:     "answer from the built-in Graph sandbox (data kept in the config directory)",
		graphURL:    "Graph service root `URL` with its version (default $RUNFLOW_GRAPH_URL)",
		token:       "access `TOKEN` for every user (default $RUNFLOW_TOKEN)",
		profile:     "users sign in with the saved profile `NAME`",
		profileFile: "users sign in with the profile in `FILE`",
	})
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("serve takes no arguments (got %q)", pos[0])
	}
	return execServe(ctx, e, &o)
}

// stateDir is where serve keeps its default store and key:
// $XDG_STATE_HOME/runflow, else ~/.local/state/runflow.
func stateDir(e *env) (string, error) {
	if d := e.getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "runflow"), nil
	}
	if h := e.getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "runflow"), nil
	}
	return "", errors.New("serve: neither XDG_STATE_HOME nor HOME is set; give --store")
}

func execServe(ctx context.Context, e *env, o *serveOptions) error {
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	if o.store == "" {
		dir, err := stateDir(e)
		if err != nil {
			return usageErrorf("%v", err)
		}
		o.store = "file:" + filepath.Join(dir, "serve.db")
	}
	key, err := serveKey(e, o)
	if err != nil {
		return err
	}
	var apiKey []byte
	if o.apiKey != "" {
		if apiKey, err = bot.ReadSecret("--api-key", o.apiKey, e.getenv); err != nil {
			return usageErrorf("%v", err)
		}
	} else if host, _, err := net.SplitHostPort(o.addr); err == nil && !isLoopback(host) {
		return usageErrorf("--addr %s listens beyond loopback, and the API trusts the user ids it is sent: give --api-key env:VAR (a secret the chat platform sends as \"Authorization: Bearer KEY\"), or listen on loopback behind a proxy that authenticates", o.addr)
	}
	tpls, err := bot.LoadTemplates(o.templates, log)
	if err != nil {
		return templateError(err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return usageErrorf("serve: %v", err)
	}
	defer ln.Close()
	root := "http://" + ln.Addr().String()
	if o.publicURL == "" {
		o.publicURL = root
	}
	store, err := bot.Open(o.store, o.prefix, o.sessionTTL)
	if err != nil {
		return usageErrorf("%v", err)
	}
	defer store.Close()
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = store.Ping(pingCtx)
	cancel()
	if err != nil {
		return fmt.Errorf("serve: %v", err)
	}

	metrics := &bot.Metrics{}
	if o.turnTimeout <= 0 {
		return usageErrorf("--turn-timeout %v: want a positive duration", o.turnTimeout)
	}
	if o.claimGrace < engine.MinClaimGrace {
		return usageErrorf("--claim-grace %v: want at least %v (it covers the replicas' clock skew and the time a live replica takes to record a turn at --turn-timeout)", o.claimGrace, engine.MinClaimGrace)
	}
	cfg := engine.Config{Templates: tpls, Trace: metrics.Trace, StateKey: bot.EngineStateKey(key),
		Limits: engine.Limits{FlowTimeout: o.turnTimeout, ClaimGrace: o.claimGrace}}
	var signIn *auth.BotSignIn
	var be *backend
	if o.backend.usesProfile() {
		if o.backend.sandbox || o.backend.token != "" {
			return usageErrorf("--profile/--profile-file is one way to sign in; it cannot be combined with --sandbox or --token")
		}
		cfg.Auth, cfg.GraphURL, signIn, err = serveSignIn(e, o, store, key, log)
		if err != nil {
			return err
		}
	} else {
		be, err = chooseBackend(ctx, e, o.backend, allScopes(tpls))
		if err != nil {
			return err
		}
		cfg.GraphURL, cfg.HTTPClient, cfg.Auth = be.graphURL, be.client, be.auth
	}
	eng, err := engine.New(cfg)
	if err != nil {
		return err
	}
	var extra map[string]http.Handler
	if signIn == nil {
		// MCP clients act as the one identity of the backend; with users
		// signing in per conversation there is no identity to give them.
		mcpSrv, err := mcpserver.New(eng, mcpserver.Options{Templates: tpls, StateKey: mcpStateKey(key),
			Store: bot.WithPrefix(store, "mcp:"), Implementation: &mcp.Implementation{Name: "runflow", Version: versionString()}})
		if err != nil {
			return err
		}
		extra = map[string]http.Handler{mcpPath: mcpSrv.Handler()}
	}
	srv, err := bot.New(bot.Config{Engine: eng, Templates: tpls, Store: store, SignIn: signIn, Metrics: metrics, Log: log, Extra: extra, APIKey: apiKey})
	if err != nil {
		return err
	}
	hs := srv.HTTPServer(ln.Addr().String())
	fmt.Fprintf(e.stdout, "runflow serve: chat page at %s/\n", root)
	fmt.Fprintf(e.stdout, "API: %s/v1/conversations/{conversation}/... (docs/serve.md); store: %s\n", root, describeStore(o.store))
	if extra != nil {
		fmt.Fprintf(e.stdout, "MCP (streamable HTTP): %s%s\n", root, mcpPath)
	}
	fmt.Fprintln(e.stdout, "Stop with Ctrl-C.")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hs.Shutdown(shutdownCtx)
	if be != nil {
		if err := be.finish(); err != nil {
			return err
		}
	}
	fmt.Fprintln(e.stdout, "runflow serve: stopped.")
	return nil
}

// describeStore names a store without a Redis password.
func describeStore(spec string) string {
	if u, err := url.Parse(spec); err == nil && u.User != nil {
		return u.Redacted()
	}
	return spec
}

// serveKey is the --state-key, or the default: a random key for a memory
// store, a key file next to a file store. Replicas on Redis must share one.
func serveKey(e *env, o *serveOptions) ([]byte, error) {
	if o.stateKey != "" {
		key, err := bot.ReadStateKey(o.stateKey, e.getenv)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		return key, nil
	}
	switch {
	case o.store == "memory":
		// Nothing outlives the process: neither must the key.
		key := make([]byte, 32)
		_, err := rand.Read(key)
		return key, err
	case strings.HasPrefix(o.store, "file:"):
		path := strings.TrimPrefix(o.store, "file:")
		key, err := bot.KeyFile(path + ".key")
		if err != nil {
			return nil, fmt.Errorf("serve: the state key next to the store: %w", err)
		}
		return key, nil
	}
	if !strings.HasPrefix(o.store, "redis") {
		_, err := bot.Open(o.store, "", 0) // says what is wrong with it
		return nil, usageErrorf("%v", err)
	}
	return nil, usageErrorf("--store %s is shared by replicas: give them one secret with --state-key env:VAR or file:PATH (32 random bytes or more)", describeStore(o.store))
}

// serveSignIn builds the users' sign-in for --profile/--profile-file: an
// app-only profile uses its own credentials; a delegated one signs each
// chat user in with a link, a callback on this server and a magic code,
// all kept in the shared store.
func serveSignIn(e *env, o *serveOptions, store bot.Store, key []byte, log *slog.Logger) (auth.Provider, string, *auth.BotSignIn, error) {
	p, err := loadAuthProfile(e, o.backend.profile)
	if err != nil {
		return nil, "", nil, err
	}
	graphURL := p.GraphURL
	if graphURL == "" {
		graphURL = defaultGraphURL
	}
	if p.AppOnly {
		prov, err := auth.ClientCredentialsFromProfile(p, e.authHTTPClient)
		if err != nil {
			return nil, "", nil, usageErrorf("%v", err)
		}
		return prov, graphURL, nil, nil
	}
	tokens, err := store.Tokens(key)
	if err != nil {
		return nil, "", nil, err
	}
	callback := strings.TrimRight(o.publicURL, "/") + callbackPath
	si, err := auth.NewBotSignIn(auth.BotConfig{Profile: p, Store: tokens, Pending: store, CallbackURL: callback,
		StateKey: key, HTTPClient: e.authHTTPClient, Log: log})
	if err != nil {
		return nil, "", nil, usageErrorf("%v (the profile's app must accept the redirect URI %s; set --public-url)", err, callback)
	}
	return si, graphURL, si, nil
}
