package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/graph"
)

// Config configures an Engine.
type Config struct {
	// GraphURL is the service root including the version, e.g.
	// https://graph.microsoft.com/v1.0 (or the sandbox's).
	GraphURL string
	// HTTPClient sends the requests; nil means the graph package's default.
	HTTPClient *http.Client
	// Auth gives the tokens. Required.
	Auth auth.Provider
	// AllowedHosts are further hosts that may receive a token (the GraphURL
	// host always may).
	AllowedHosts []string
	// Zone is the default zone of date and time inputs and of `zone` in
	// expressions; nil means UTC.
	Zone *time.Location
	// Now is the clock; nil means time.Now. Each Start and Resume reads it
	// once: `now` and relative answers ("tomorrow 9am", "in 2 hours") are
	// read against the time of the answer, not of the flow's start.
	Now func() time.Time
	// Limits bound sizes, counts and times; zero fields take DefaultLimits.
	Limits Limits
	// Graph are the settings of the Graph client: body size, timeouts,
	// retries, concurrency. Zero fields take the graph package's defaults.
	Graph GraphOptions
	// Trace, when set, is called once per HTTP exchange (never with a token).
	Trace func(graph.TraceEvent)
	// Templates are the templates Resume can find by id. Start adds its
	// template too.
	Templates []*Template
	// CancelWords are the answers that end a flow as cancelled, with
	// nothing sent, at any question, confirmation or sign-in: whole
	// answers, compared in lower case with spaces collapsed and a final .
	// or ! ignored. nil means DefaultCancelWords; an empty non-nil list
	// turns them off. A template's cancel_words replace them. A user who
	// means the word as data quotes it ("stop").
	CancelWords []string
	// StateKey, when set, signs every saved state (HMAC-SHA256) and makes
	// Resume refuse, with a *StateError, a state that is unsigned, altered
	// or signed with another key. A state names whose token is used
	// (StartOptions.Subject), the mailbox (User) and AutoConfirm: a bot, or
	// any host that lets a state pass through users' hands (a card, a
	// cookie, a shared cache), must set it. Use at least 32 random bytes,
	// kept secret and the same on every machine that resumes the sessions;
	// changing it invalidates the paused sessions. Without a key the state
	// must be stored where users cannot edit it.
	StateKey []byte
	// Files keeps the bytes of file inputs out of saved states (files.go);
	// nil keeps them in the state, bounded by Limits.MaxStateBytes.
	Files FileStore
}

// GraphOptions are the settings of the Graph client an Engine uses (see
// graph.Config). Zero fields take the graph package's defaults.
type GraphOptions struct {
	// MaxBodyBytes caps one response body (graph.DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// RequestTimeout bounds each attempt of a request
	// (graph.DefaultRequestTimeout); Limits.StepTimeout bounds the step.
	RequestTimeout time.Duration
	// MaxAttempts is how many times a request may be sent, retries
	// included (graph.DefaultMaxAttempts); 1 disables retries.
	MaxAttempts int
	// MaxRetryDelay caps the total wait between the attempts of one
	// request (graph.DefaultMaxRetryDelay).
	MaxRetryDelay time.Duration
	// MaxConcurrentPerMailbox caps the requests in flight per mailbox,
	// across the process (graph.DefaultMaxConcurrentPerMailbox).
	MaxConcurrentPerMailbox int
	// UserAgent replaces the default "runflow/<version>".
	UserAgent string
	// UploadChunkBytes is the range size of http steps with upload
	// (graph.DefaultUploadChunkBytes, 4 MiB, when 0).
	UploadChunkBytes int
	// UploadResumes is how many times an upload may resume after a lost
	// range (graph.DefaultUploadResumes when 0; negative: never).
	UploadResumes int
}

// Engine runs templates. It is safe for concurrent use: one Engine serves
// any number of sessions on any number of goroutines.
type Engine struct {
	cfg    Config
	lim    Limits
	client *graph.Client
	zone   *time.Location
	// zoneName is zone's name, boxed once for every session's environment.
	zoneName any
	// stepLimit and flowLimit are the causes of the http step contexts
	// that reach Limits.StepTimeout or Limits.FlowTimeout (made once).
	stepLimit, flowLimit *LimitError
	// macs sign and check states (Config.StateKey).
	macs *macs
	// cancelWords is Config.CancelWords, normalised.
	cancelWords map[string]bool

	mu        sync.RWMutex
	templates map[string]map[string]*Template // id → hash → template
}

// New checks cfg and returns an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Auth == nil {
		return nil, errors.New("engine: Config.Auth is required")
	}
	if err := checkStateKey(cfg.StateKey); err != nil {
		return nil, err
	}
	cfg.StateKey = bytes.Clone(cfg.StateKey)
	if g := cfg.Limits.ClaimGrace; g > 0 && g < MinClaimGrace {
		return nil, fmt.Errorf("engine: Limits.ClaimGrace %v is below %v (MinClaimGrace): a turn recorded right at FlowTimeout would find its claim ended by another engine", g, MinClaimGrace)
	}
	client, err := graph.New(graph.Config{
		BaseURL:      cfg.GraphURL,
		HTTPClient:   cfg.HTTPClient,
		Auth:         cfg.Auth,
		AllowedHosts: cfg.AllowedHosts,
		Trace:        cfg.Trace,

		MaxBodyBytes:            cfg.Graph.MaxBodyBytes,
		RequestTimeout:          cfg.Graph.RequestTimeout,
		MaxAttempts:             cfg.Graph.MaxAttempts,
		MaxRetryDelay:           cfg.Graph.MaxRetryDelay,
		MaxConcurrentPerMailbox: cfg.Graph.MaxConcurrentPerMailbox,
		UserAgent:               cfg.Graph.UserAgent,
	})
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	e := &Engine{cfg: cfg, lim: cfg.Limits.withDefaults(), client: client, zone: cfg.Zone, templates: map[string]map[string]*Template{}}
	if e.zone == nil {
		e.zone = time.UTC
	}
	e.zoneName = e.zone.String()
	if len(cfg.StateKey) > 0 {
		e.macs = newMACs(cfg.StateKey)
	}
	if cfg.CancelWords == nil {
		e.cancelWords = cancelSet(DefaultCancelWords)
	} else {
		e.cancelWords = cancelSet(cfg.CancelWords)
	}
	e.stepLimit = &LimitError{Setting: "StepTimeout", Message: fmt.Sprintf("the step took longer than %v", e.lim.StepTimeout), Err: context.DeadlineExceeded}
	e.flowLimit = &LimitError{Setting: "FlowTimeout", Message: fmt.Sprintf("the flow took longer than %v", e.lim.FlowTimeout), Err: context.DeadlineExceeded}
	for _, t := range cfg.Templates {
		e.Add(t)
	}
	return e, nil
}

// Add makes t known to Resume. Templates are found by id and hash, so two
// versions of one template may be added while old sessions finish.
func (e *Engine) Add(t *Template) {
	if t == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	byHash := e.templates[t.id]
	if byHash == nil {
		byHash = map[string]*Template{}
		e.templates[t.id] = byHash
	}
	byHash[t.hash] = t
}

// Templates returns the templates the engine knows, sorted by id.
func (e *Engine) Templates() []*Template {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []*Template
	for _, byHash := range e.templates {
		for _, t := range byHash {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].id != out[j].id {
			return out[i].id < out[j].id
		}
		return out[i].hash < out[j].hash
	})
	return out
}

func (e *Engine) lookup(id, hash string) (*Template, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	byHash, ok := e.templates[id]
	if !ok {
		return nil, fmt.Errorf("%w (template %q)", ErrUnknownTemplate, id)
	}
	t, ok := byHash[hash]
	if !ok {
		return nil, fmt.Errorf("%w (template %q)", ErrTemplateChanged, id)
	}
	return t, nil
}

func (e *Engine) now() time.Time {
	if e.cfg.Now != nil {
		return e.cfg.Now()
	}
	return time.Now()
}

// StartOptions are the settings of a new session.
type StartOptions struct {
	// Inputs are preset answers by input name: strings are parsed exactly
	// like typed answers; JSON numbers, booleans and string lists are
	// accepted where they fit the type. A preset is validated like an answer
	// and is not asked.
	Inputs map[string]any
	// User is the mailbox the flow acts on: "" or "me", else a user id or
	// UPN; then /me/... paths are sent as /users/{user}/....
	User string
	// Subject says whose token to use (auth.Request.Subject).
	Subject string
	// Conversation is passed to the auth provider (auth.Request.Conversation).
	Conversation string
	// NoInput: a required value with no preset and no default fails the flow
	// with a *MissingInputsError instead of asking.
	NoInput bool
	// AutoConfirm answers yes to confirm steps.
	AutoConfirm bool
	// DryRun runs reads and stops before the first write (any method but
	// GET), reporting it in Turn.DryRun without sending it.
	DryRun bool
	// Zone is the user's time zone, an IANA name (Europe/Paris) or a
	// Windows one (Romance Standard Time), as chat platforms pass it; ""
	// means Config.Zone. Answers to date and time inputs are read in it,
	// and `zone` and `session.zone` in expressions give its name, so that
	// templates show times in it; the built-ins still give Graph the
	// mailbox's zone where Graph wants one (an event's start and end).
	Zone string
}

// Start begins a session of t. The error is for misuse (nil template,
// unknown preset names, a bad zone); flow failures are KindFailed turns.
func (e *Engine) Start(ctx context.Context, t *Template, opts StartOptions) (*Turn, error) {
	if err := e.checkStart(t, opts); err != nil {
		return nil, err
	}
	s, early := e.startSession(t, opts)
	if early != nil {
		early.Seq, early.Template = 1, t.id
		return early, nil
	}
	s.seq = 1
	s.deadline = time.Now().Add(e.lim.FlowTimeout)
	turn := s.run(ctx)
	turn.Seq, turn.Template = s.seq, t.id
	return turn, nil
}

// checkStart refuses what Start cannot run.
func (e *Engine) checkStart(t *Template, opts StartOptions) error {
	if t == nil {
		return errors.New("engine: Start needs a template")
	}
	if opts.Zone != "" {
		if _, err := zoneArg("StartOptions.Zone", opts.Zone); err != nil {
			return fmt.Errorf("engine: %v (want an IANA name such as Europe/Paris, or a Windows name such as Romance Standard Time)", err)
		}
	}
	if bad := t.UnknownInputs(opts.Inputs); len(bad) > 0 {
		return fmt.Errorf("engine: template %s has no input %q%s", t.id, bad[0], didYouMean(bad[0], t.inputNames()))
	}
	return nil
}

// startSession makes the session of a new flow, or the turn that ends it
// before it runs.
func (e *Engine) startSession(t *Template, opts StartOptions) (*session, *Turn) {
	e.Add(t)
	s := e.newSession(t, opts)
	// Graph refuses /me with an app-only token; say so before asking
	// anything or sending anything, rather than after Graph's 400.
	if auth.IsAppOnly(e.cfg.Auth) && (opts.User == "" || strings.EqualFold(opts.User, "me")) {
		return s, s.failed(nil, ErrAppOnlyNeedsUser)
	}
	if opts.NoInput {
		if missing := t.MissingInputs(opts.Inputs); len(missing) > 0 {
			return s, s.failed(nil, &MissingInputsError{Names: missing})
		}
	}
	return s, nil
}

// Run runs t non-interactively: inputs come from opts.Inputs and defaults
// only (NoInput is forced), confirm steps are answered by AutoConfirm. It
// never returns a Question; it may return a SignIn turn.
func (e *Engine) Run(ctx context.Context, t *Template, opts StartOptions) (*Turn, error) {
	opts.NoInput = true
	return e.Start(ctx, t, opts)
}

// Resume continues a paused session with the user's answer (for a sign-in
// turn: the magic code, or ""). The error is for a state that cannot be
// resumed: garbled, too large, or made by a template that is not loaded
// (ErrUnknownTemplate) or has changed (ErrTemplateChanged).
func (e *Engine) Resume(ctx context.Context, state []byte, answer string) (*Turn, error) {
	s, err := e.restore(state)
	if err != nil {
		return nil, err
	}
	s.seq++
	s.deadline = time.Now().Add(e.lim.FlowTimeout)
	turn := s.resume(ctx, answer)
	turn.Seq, turn.Template = s.seq, s.t.id
	if turn.Session == "" {
		turn.Session = s.id
	}
	return turn, nil
}

func (e *Engine) newSession(t *Template, opts StartOptions) *session {
	// The session id is random and fixed for the session's life.
	// It is made when first needed (an expression reads session.id, or
	// the session is saved); the maps of inputs, variables and results
	// when first written: a one-request flow makes none of them.
	user := opts.User
	if user == "" {
		user = "me"
	}
	s := &session{e: e, t: t, now: e.now(), zone: e.zone, user: user, opts: opts}
	if opts.Zone != "" {
		s.zone, _ = loadZone(opts.Zone) // checked by checkStart
	}
	if len(opts.Inputs) > 0 {
		s.presets = make(map[string]any, len(opts.Inputs))
		for k, v := range opts.Inputs {
			s.presets[k] = s.readFilePreset(k, v)
		}
	}
	s.opts.Inputs = nil
	s.stack = append(s.stackBuf[:0], frame{blk: t.main})
	s.initEnv()
	return s
}

// newSessionID returns a random session id: an idempotency key, not a
// secret, so the runtime's per-thread generator is enough and costs no
// system call.
func newSessionID() string {
	var id [12]byte
	binary.LittleEndian.PutUint64(id[:8], rand.Uint64())
	binary.LittleEndian.PutUint32(id[8:], rand.Uint32())
	return hex.EncodeToString(id[:])
}
