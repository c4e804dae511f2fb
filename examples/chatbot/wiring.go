package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/templates"
)

// wiring is everything the bot is built from. main fills it from flags;
// tests fill it with a sandbox on loopback.
type wiring struct {
	// GraphURL is Graph's service root, e.g. https://graph.microsoft.com/v1.0.
	GraphURL string
	// GraphClient sends Graph requests (nil: the graph package's default).
	GraphClient *http.Client
	// Profile is the app users sign in to; its redirect URL is CallbackURL.
	Profile *auth.Profile
	// IdentityClient calls the token endpoint (nil: a 30 s client).
	IdentityClient *http.Client
	// CallbackURL is where the identity platform sends users back.
	CallbackURL string
	// StateKey signs the sign-in links (at least 32 bytes); the key signing
	// the engine's saved states is derived from it (engineStateKey).
	StateKey []byte
	// Tokens keeps each user's grant; Sessions the paused flows.
	Tokens   auth.Store
	Sessions SessionStore
	// Templates are the flows offered.
	Templates []*engine.Template
	// APIKey, when set, guards POST /messages.
	APIKey string
	// SessionTTL, Now and Log: see BotConfig.
	SessionTTL time.Duration
	Now        func() time.Time
	Log        *slog.Logger
}

// botServer is a built bot and the HTTP handler serving it.
type botServer struct {
	bot    *Bot
	signIn *auth.BotSignIn
	engine *engine.Engine
	// Handler serves POST /messages and the sign-in callback.
	Handler http.Handler
}

// messagesPath is where the bot takes messages.
const messagesPath = "/messages"

// build assembles the auth provider, the engine, the bot and its routes.
func build(w wiring) (*botServer, error) {
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	signIn, err := auth.NewBotSignIn(auth.BotConfig{
		Profile: w.Profile, Store: w.Tokens, CallbackURL: w.CallbackURL, StateKey: w.StateKey,
		HTTPClient: w.IdentityClient, Now: w.Now, Log: w.Log,
	})
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(engine.Config{
		GraphURL: w.GraphURL, HTTPClient: w.GraphClient, Auth: signIn, Now: w.Now, Templates: w.Templates,
		// A stored session names whose grant the flow uses and the mailbox:
		// signed, an edited one is refused instead of obeyed.
		StateKey: engineStateKey(w.StateKey),
	})
	if err != nil {
		return nil, err
	}
	bot, err := NewBot(BotConfig{
		Engine: eng, Templates: w.Templates, Sessions: w.Sessions, SessionTTL: w.SessionTTL, Now: w.Now, Log: w.Log,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	if signIn.CallbackPath() == messagesPath {
		return nil, fmt.Errorf("the sign-in callback %s cannot be the messages endpoint %s", w.CallbackURL, messagesPath)
	}
	mux.Handle(messagesPath, MessagesHandler(bot, w.APIKey, w.Log))
	mux.Handle(signIn.CallbackPath(), signIn.CallbackHandler())
	return &botServer{bot: bot, signIn: signIn, engine: eng, Handler: mux}, nil
}

// engineStateLabel names the use of the key derived for the engine.
const engineStateLabel = "runflow engine state"

// engineStateKey derives the key signing the engine's saved states
// (engine.Config.StateKey) from the bot's key: HMAC-SHA256(key, label).
// One secret file serves both uses, and a signature made for one use
// (a sign-in link) is never valid for the other (a session state).
func engineStateKey(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(engineStateLabel))
	return m.Sum(nil)
}

// loadTemplates returns the built-in templates plus the *.yaml files of dir
// (when not empty). A file of dir with a built-in's id replaces it; two
// files of dir with one id are an error.
func loadTemplates(dir string, log *slog.Logger) ([]*engine.Template, error) {
	builtins, err := templates.Load()
	if err != nil {
		return nil, fmt.Errorf("loading the built-in templates: %w", err)
	}
	byID := map[string]*engine.Template{}
	for _, t := range builtins {
		byID[t.ID()] = t
	}
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("--templates %s: no *.yaml file in it", dir)
		}
		own := map[string]string{}
		var problems []error
		for _, f := range files {
			t, err := engine.LoadFile(f)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			if prev, dup := own[t.ID()]; dup {
				problems = append(problems, fmt.Errorf("%s: id %q is already used by %s", f, t.ID(), prev))
				continue
			}
			own[t.ID()] = f
			if _, builtin := byID[t.ID()]; builtin && log != nil {
				log.Info("chatbot: a template file replaces the built-in of the same id", "id", t.ID(), "file", f)
			}
			byID[t.ID()] = t
		}
		if len(problems) > 0 {
			return nil, errors.Join(problems...)
		}
	}
	all := make([]*engine.Template, 0, len(byID))
	for _, t := range byID {
		all = append(all, t)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID() < all[j].ID() })
	return all, nil
}

// readStateKey reads the key signing sign-in links from a file: at least
// 32 bytes, and a file only its owner can read.
func readStateKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--state-key-file: %v", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("--state-key-file %s: other users can read it (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	if fi.Size() > 4096 {
		return nil, fmt.Errorf("--state-key-file %s: larger than 4096 bytes, not a key file", path)
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--state-key-file: %v", err)
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("--state-key-file %s: %d bytes, at least 32 random bytes are needed (e.g. head -c 32 /dev/urandom > FILE)", path, len(key))
	}
	return key, nil
}
