// Command chatbot is the smallest Go program that hosts runflow as a chat
// bot: an engine, a store and a bot.Server, serving the HTTP API of
// docs/serve.md and the web chat page. Everything else (exactly-once
// turns, deduplicated deliveries, sign-in across replicas, metrics) is in
// package bot; `runflow serve` is the same thing with every option.
//
//	go run ./examples/chatbot                        # in-process sandbox, memory store, 127.0.0.1:8080
//	go run ./examples/chatbot --store redis://127.0.0.1:6379/0 --state-key-env BOT_KEY
//	RUNFLOW_TOKEN=... go run ./examples/chatbot --graph-url https://graph.microsoft.com/v1.0
//
// docs/embedding.md and docs/serve.md explain the pieces.
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
	"syscall"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/bot"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chatbot:", err)
		os.Exit(1)
	}
}

// run serves the bot until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chatbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "HOST:PORT to serve the bot on")
	storeSpec := fs.String("store", "memory", "memory, file:PATH or redis://HOST:PORT/DB")
	graphURL := fs.String("graph-url", "", "Graph service root; the token comes from $RUNFLOW_TOKEN (default: an in-process sandbox)")
	keyEnv := fs.String("state-key-env", "", "the variable holding the state key (32+ bytes; required with a shared store)")
	templatesDir := fs.String("templates", "", "also offer the *.yaml templates of DIR")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	// The key signs the paused states; replicas sharing a store share it.
	key := make([]byte, 32)
	rand.Read(key)
	if *keyEnv != "" {
		var err error
		if key, err = bot.ReadStateKey("env:"+*keyEnv, os.Getenv); err != nil {
			return err
		}
	} else if *storeSpec != "memory" {
		return errors.New("a store other than memory needs --state-key-env: the key must outlive the process")
	}
	tpls, err := bot.LoadTemplates(*templatesDir, log)
	if err != nil {
		return err
	}
	store, err := bot.Open(*storeSpec, "", 0)
	if err != nil {
		return err
	}
	defer store.Close()

	// Where Graph requests go, and with which token.
	var provider auth.Provider
	if *graphURL == "" {
		sb := sandbox.New(sandbox.Options{})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		go http.Serve(ln, sb)
		*graphURL = "http://" + ln.Addr().String() + "/v1.0"
		var scopes []string
		for _, t := range tpls {
			scopes = append(scopes, t.Scopes()...)
		}
		provider = auth.Static(sb.Token(scopes...))
	} else {
		tok := os.Getenv("RUNFLOW_TOKEN")
		if tok == "" {
			return errors.New("--graph-url needs a token in $RUNFLOW_TOKEN")
		}
		provider = auth.Static(tok)
	}

	metrics := &bot.Metrics{}
	eng, err := engine.New(engine.Config{GraphURL: *graphURL, Auth: provider, Templates: tpls,
		StateKey: bot.EngineStateKey(key), Trace: metrics.Trace})
	if err != nil {
		return err
	}
	srv, err := bot.New(bot.Config{Engine: eng, Templates: tpls, Store: store, Metrics: metrics, Log: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := srv.HTTPServer(ln.Addr().String())
	fmt.Fprintf(stdout, "chatbot: chat page at http://%s/\n", ln.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(shutdown)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
