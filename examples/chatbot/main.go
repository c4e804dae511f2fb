// Command chatbot is a small chat bot host that embeds the runflow engine
// the way a developer would: every message either starts a flow (a
// template's id or name), answers the paused flow's question, or is a
// command (/help, /cancel). Paused flows are kept per user and
// conversation in a session store; users sign in in the middle of the
// conversation through a link, and type back the code the sign-in page
// shows.
//
// Two ways to talk to it:
//
//	go run ./examples/chatbot                 # console: stdin is one user's chat
//	go run ./examples/chatbot --serve         # HTTP: POST /messages {conversation, user, text}
//
// By default it runs against an in-process sandbox of Microsoft Graph and
// the identity platform (--sandbox); sign in there as
// AdeleV@contoso.onmicrosoft.com with the password "sandbox", or pass
// --approve-as to skip the sign-in page. Against a real tenant, give a
// profile file whose redirect_url is where this bot serves its callback:
//
//	go run ./examples/chatbot --profile-file bot.yaml --serve --addr 127.0.0.1:8080 \
//	    --tokens ./tokens --sessions ./sessions --api-key-env CHATBOT_API_KEY
//
// docs/embedding.md explains the code.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/runflow/runflow/auth"
)

// options are the command line settings.
type options struct {
	sandbox      bool
	approveAs    string
	sandboxAddr  string
	profileFile  string
	graphURL     string
	serve        bool
	addr         string
	apiKeyEnv    string
	sessionsDir  string
	tokensDir    string
	templatesDir string
	stateKeyFile string
	sessionTTL   time.Duration
	user         string
	conversation string
	verbose      bool
}

const callbackPath = "/auth/callback"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program until ctx ends (Ctrl-C) or, on the console, the
// input does; it returns the exit code: 0, 1 for a failure, 2 for bad
// flags.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "chatbot:", err)
		return 2
	}
	if err := serve(ctx, opts, stdin, stdout, stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "chatbot:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("chatbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.sandbox, "sandbox", true, "run against an in-process sandbox (the default unless --profile-file is given)")
	fs.StringVar(&o.approveAs, "approve-as", "", "sandbox: approve sign-ins at once as this user (UPN or id) instead of showing the sign-in page")
	fs.StringVar(&o.sandboxAddr, "sandbox-addr", "127.0.0.1:0", "sandbox: where the sandbox listens (the sign-in page must be reachable from your browser)")
	fs.StringVar(&o.profileFile, "profile-file", "", "real tenant: the app users sign in to (YAML; redirect_url is the bot's callback)")
	fs.StringVar(&o.graphURL, "graph-url", "", "real tenant: Graph's service root (default: the profile's graph_url, else https://graph.microsoft.com/v1.0)")
	fs.BoolVar(&o.serve, "serve", false, "serve POST /messages instead of chatting on the console")
	fs.StringVar(&o.addr, "addr", "", "where the bot listens (sign-in callback, and /messages with --serve); default 127.0.0.1:0, or the redirect_url's port")
	fs.StringVar(&o.apiKeyEnv, "api-key-env", "", "name of an environment variable holding the key POST /messages requires (Authorization: Bearer KEY)")
	fs.StringVar(&o.sessionsDir, "sessions", "", "directory keeping paused flows across restarts (default: in memory)")
	fs.StringVar(&o.tokensDir, "tokens", "", "directory keeping users' sign-ins (default: in memory)")
	fs.StringVar(&o.templatesDir, "templates", "", "directory of your own *.yaml templates, offered with the built-ins")
	fs.StringVar(&o.stateKeyFile, "state-key-file", "", "file with at least 32 random bytes signing sign-in links and saved sessions (default: random per run; required with --sessions)")
	fs.DurationVar(&o.sessionTTL, "session-ttl", DefaultSessionTTL, "how long a paused flow waits for an answer")
	fs.StringVar(&o.user, "user", "console-user", "console: the user id you chat as")
	fs.StringVar(&o.conversation, "conversation", "console", "console: the conversation id")
	fs.BoolVar(&o.verbose, "verbose", false, "log every turn on stderr (ids and outcomes only, never text or tokens)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if o.profileFile != "" {
		if explicit["sandbox"] && o.sandbox {
			return nil, errors.New("--sandbox and --profile-file exclude each other: choose the sandbox or a real tenant")
		}
		o.sandbox = false
	}
	if !o.sandbox && o.profileFile == "" {
		return nil, errors.New("--sandbox=false needs --profile-file (the app your users sign in to)")
	}
	if o.sandbox && (o.graphURL != "") {
		return nil, errors.New("--graph-url is for a real tenant (with --profile-file); the sandbox serves its own")
	}
	if !o.sandbox && (o.approveAs != "" || explicit["sandbox-addr"]) {
		return nil, errors.New("--approve-as and --sandbox-addr are for the sandbox")
	}
	if o.sessionsDir != "" && o.stateKeyFile == "" {
		// Saved sessions are signed; a key made at random per run would
		// refuse every session of the previous run.
		return nil, errors.New("--sessions keeps paused flows across restarts, which needs the same signing key on every run: give --state-key-file (e.g. head -c 32 /dev/urandom > state.key && chmod 600 state.key)")
	}
	if o.sessionTTL <= 0 {
		return nil, fmt.Errorf("--session-ttl %s: give a positive duration such as 30m or 24h", o.sessionTTL)
	}
	return o, nil
}

// serve builds the bot from opts and runs it until ctx ends (HTTP) or the
// console's input ends.
func serve(ctx context.Context, o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	level := slog.LevelWarn
	if o.verbose || o.serve {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	w := wiring{SessionTTL: o.sessionTTL, Log: log}
	var err error
	if w.Templates, err = loadTemplates(o.templatesDir, log); err != nil {
		return err
	}
	w.Sessions = &MemorySessions{}
	if o.sessionsDir != "" {
		w.Sessions = NewDirSessions(o.sessionsDir)
	}
	w.Tokens = auth.NewMemoryStore()
	if o.tokensDir != "" {
		w.Tokens = auth.NewFileStore(o.tokensDir)
	}
	if o.stateKeyFile != "" {
		if w.StateKey, err = readStateKey(o.stateKeyFile); err != nil {
			return err
		}
	} else {
		w.StateKey = make([]byte, 32)
		if _, err := rand.Read(w.StateKey); err != nil {
			return err
		}
	}
	if o.apiKeyEnv != "" {
		if w.APIKey = os.Getenv(o.apiKeyEnv); len(w.APIKey) < 16 {
			return fmt.Errorf("--api-key-env %s: the variable must hold a key of at least 16 characters", o.apiKeyEnv)
		}
	}

	var (
		servers []*http.Server
		running sync.WaitGroup
	)
	defer func() {
		for _, s := range servers {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = s.Shutdown(sctx)
			cancel()
		}
		running.Wait() // nothing writes to stderr after run returns
	}()
	start := func(ln net.Listener, h http.Handler) {
		s := newHTTPServer(h)
		servers = append(servers, s)
		running.Add(1)
		go func() {
			defer running.Done()
			if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("chatbot: server stopped", "addr", ln.Addr().String(), "error", err.Error())
			}
		}()
	}

	var botLn net.Listener
	var intro string
	if o.sandbox {
		botLn, intro, err = wireSandbox(o, &w, start)
	} else {
		botLn, intro, err = wireTenant(o, &w)
	}
	if err != nil {
		return err
	}
	bs, err := build(w)
	if err != nil {
		botLn.Close()
		return err
	}
	start(botLn, handlerFor(o, bs))
	return talk(ctx, o, bs, "http://"+botLn.Addr().String(), intro, stdin, stdout)
}

// handlerFor is what the bot's listener serves: everything with --serve,
// only the sign-in callback on the console.
func handlerFor(o *options, bs *botServer) http.Handler {
	if o.serve {
		return bs.Handler
	}
	mux := http.NewServeMux()
	mux.Handle(bs.signIn.CallbackPath(), bs.signIn.CallbackHandler())
	return mux
}

// talk runs the console, or waits for ctx with --serve.
func talk(ctx context.Context, o *options, bs *botServer, botURL, intro string, stdin io.Reader, stdout io.Writer) error {
	fmt.Fprintln(stdout, intro)
	if o.serve {
		fmt.Fprintf(stdout, "Listening: POST %s%s {\"conversation\", \"user\", \"text\"}. Ctrl-C stops.\n", botURL, messagesPath)
		prune := time.NewTicker(pruneEvery(o.sessionTTL))
		defer prune.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-prune.C:
				_, _ = bs.bot.Prune(ctx) // failures are logged by Prune
			}
		}
	}
	fmt.Fprintf(stdout, "You are %s in conversation %s. Type /help for the flows, Ctrl-D to quit.\n", o.user, o.conversation)
	return runConsole(ctx, bs.bot, stdin, stdout, o.conversation, o.user)
}

// pruneEvery is how often a serving bot removes expired sessions: a
// quarter of their lifetime, between a minute and an hour.
func pruneEvery(ttl time.Duration) time.Duration {
	return min(max(ttl/4, time.Minute), time.Hour)
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// A message may run a whole flow step (engine FlowTimeout bounds it).
		WriteTimeout:   11 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
}
