package bot

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
)

// Limits on what a request may carry.
const (
	// MaxBodyBytes bounds a request body; more is refused with 413.
	MaxBodyBytes = 64 << 10
	maxIDBytes   = 256
	maxTextBytes = 16 << 10
)

// DefaultBusyWait is how long a message waits while another delivery of
// its conversation is sending a write, before the API answers 503.
const DefaultBusyWait = 15 * time.Second

// Config configures a Server.
type Config struct {
	// Engine runs the flows. Its Trace should be Metrics.Trace so that
	// /metrics counts Graph requests. Required.
	Engine *engine.Engine
	// Templates are the flows users may start, by id. Required; each must
	// be known to Engine (engine.Config.Templates).
	Templates []*engine.Template
	// Store keeps the conversations (and sign-ins, for SignIn). Required.
	Store Store
	// SignIn, when set, is the bot sign-in of the engine's auth provider:
	// its callback is served at its CallbackPath. It should keep its
	// pending sign-ins in Store (auth.BotConfig.Pending).
	SignIn *auth.BotSignIn
	// Metrics collects the counts for /metrics (nil: a new one).
	Metrics *Metrics
	// Extra are further handlers by pattern, e.g. "/mcp", guarded by
	// APIKey like the API.
	Extra map[string]http.Handler
	// BusyWait bounds the wait for another delivery's write (default
	// DefaultBusyWait).
	BusyWait time.Duration
	// Timeouts of HTTPServer; zero fields take DefaultTimeouts.
	Timeouts Timeouts
	// APIKey, when set, must come with every request of the API (/v1/...)
	// as "Authorization: Bearer KEY". The API trusts the user ids it is
	// sent, so whoever reaches it can speak as any user: without a key,
	// keep it on loopback or behind a proxy that authenticates. The chat
	// page asks for the key.
	APIKey []byte
	// Log receives one line per turn (conversation, session, template,
	// status); never a message's text, a code or a token.
	Log *slog.Logger
}

// Server is a bot host: the HTTP API of docs/serve.md, the web chat page,
// the sign-in callback, /healthz and /metrics, over an engine and a
// shared store. Any number of Servers (replicas) may share one Store.
type Server struct {
	cfg       Config
	templates map[string]*engine.Template // by lower-case id
	ids       []string
	mux       *http.ServeMux
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil || cfg.Store == nil {
		return nil, errors.New("bot: Config needs an Engine and a Store")
	}
	if len(cfg.Templates) == 0 {
		return nil, errors.New("bot: Config.Templates is empty: the bot would have nothing to run")
	}
	if cfg.Metrics == nil {
		cfg.Metrics = &Metrics{}
	}
	if cfg.BusyWait <= 0 {
		cfg.BusyWait = DefaultBusyWait
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, templates: map[string]*engine.Template{}}
	for _, t := range cfg.Templates {
		id := strings.ToLower(t.ID())
		if _, dup := s.templates[id]; dup {
			return nil, fmt.Errorf("bot: two templates have the id %q", t.ID())
		}
		s.templates[id] = t
		s.ids = append(s.ids, t.ID())
	}
	sort.Strings(s.ids)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", servePage)
	mux.HandleFunc("POST /v1/conversations/{conversation}/flows", s.guard(s.postFlow))
	mux.HandleFunc("POST /v1/conversations/{conversation}/messages", s.guard(s.postMessage))
	mux.HandleFunc("GET /v1/conversations/{conversation}", s.guard(s.getConversation))
	mux.HandleFunc("GET /v1/templates", s.guard(s.getTemplates))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.metrics)
	if cfg.SignIn != nil {
		mux.Handle(cfg.SignIn.CallbackPath(), cfg.SignIn.CallbackHandler())
	}
	for pattern, h := range cfg.Extra {
		mux.Handle(pattern, s.guard(h.ServeHTTP)) // they act as users too
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no %s %s here; see docs/serve.md for the API", r.Method, r.URL.Path))
	})
	s.mux = mux
	return s, nil
}

// guard checks Config.APIKey before h.
func (s *Server) guard(h http.HandlerFunc) http.HandlerFunc {
	if len(s.cfg.APIKey) == 0 {
		return h
	}
	want := sha256.Sum256(s.cfg.APIKey)
	return func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="runflow"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong API key (Authorization: Bearer KEY)")
			return
		}
		h(w, r)
	}
}

// Handler returns the HTTP handler of the whole API.
func (s *Server) Handler() http.Handler { return s.mux }

// Metrics returns the server's metrics.
func (s *Server) Metrics() *Metrics { return s.cfg.Metrics }

// Timeouts bound slow clients (no slowloris).
type Timeouts struct {
	// ReadHeader: to send the request's headers.
	ReadHeader time.Duration
	// Read: to send the whole request, body included.
	Read time.Duration
	// Write: to answer, a turn's Graph calls included.
	Write time.Duration
	// Idle: a kept-alive connection waiting for its next request.
	Idle time.Duration
}

// DefaultTimeouts are 5 s for the headers, 15 s for the body, 2 minutes
// to answer and 2 minutes idle.
var DefaultTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: 15 * time.Second, Write: 2 * time.Minute, Idle: 2 * time.Minute}

// HTTPServer returns an http.Server for the handler with Config.Timeouts
// and headers of at most 16 KiB.
func (s *Server) HTTPServer(addr string) *http.Server {
	t := s.cfg.Timeouts
	orDefault := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	orDefault(&t.ReadHeader, DefaultTimeouts.ReadHeader)
	orDefault(&t.Read, DefaultTimeouts.Read)
	orDefault(&t.Write, DefaultTimeouts.Write)
	orDefault(&t.Idle, DefaultTimeouts.Idle)
	return &http.Server{
		Addr:              addr,
		Handler:           s.mux,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    16 << 10,
	}
}

// FlowRequest is the body of POST /v1/conversations/{c}/flows.
type FlowRequest struct {
	Template string         `json:"template"`
	User     string         `json:"user"`
	Inputs   map[string]any `json:"inputs,omitempty"`
	// ID is an optional delivery id, deduplicated like a message's.
	ID string `json:"id,omitempty"`
	// Zone is the user's time zone as the chat platform knows it, an IANA
	// name ("Europe/Paris") or a Windows one ("Romance Standard Time");
	// optional. The flow reads date and time answers in it and shows it
	// as session.zone (engine.StartOptions.Zone).
	Zone string `json:"zone,omitempty"`
}

// MessageRequest is the body of POST /v1/conversations/{c}/messages.
type MessageRequest struct {
	Text string `json:"text"`
	User string `json:"user"`
	// ID is an optional delivery id: the same id delivered twice, to any
	// replica, gets the same Reply and is handled once.
	ID string `json:"id,omitempty"`
	// Zone is the user's time zone, as in FlowRequest; optional. It is
	// used only when the message starts a flow ("run ID").
	Zone string `json:"zone,omitempty"`
}

// RequestError is a request refused before any flow ran: HTTP status,
// a stable code and a message.
type RequestError struct {
	Status  int
	Code    string
	Message string
}

func (e *RequestError) Error() string { return e.Message }

func badRequest(format string, a ...any) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Code: "bad_request", Message: fmt.Sprintf(format, a...)}
}

// StartFlow starts a flow in a conversation (POST .../flows).
func (s *Server) StartFlow(ctx context.Context, conversation string, req FlowRequest) (Reply, error) {
	if err := checkIDs(conversation, req.User, req.ID); err != nil {
		return Reply{}, err
	}
	t, ok := s.templates[strings.ToLower(req.Template)]
	if !ok {
		return Reply{}, &RequestError{Status: http.StatusNotFound, Code: "unknown_template",
			Message: fmt.Sprintf("no template %q; the templates are: %s", req.Template, strings.Join(s.ids, ", "))}
	}
	if err := checkZone(req.Zone); err != nil {
		return Reply{}, err
	}
	return s.start(ctx, conversation, t, req.User, req.Inputs, req.ID, req.Zone)
}

// checkZone refuses a zone the engine could not read answers in; the
// empty zone is the engine's default.
func checkZone(zone string) error {
	if zone == "" {
		return nil
	}
	if _, err := input.LoadZone(zone); err != nil {
		return badRequest("zone: %v", err)
	}
	return nil
}

func (s *Server) start(ctx context.Context, conversation string, t *engine.Template, user string, inputs map[string]any, id, zone string) (Reply, error) {
	if err := checkInputs(t, inputs); err != nil {
		return Reply{}, err
	}
	opts := engine.StartOptions{Inputs: inputs, Subject: user, Conversation: conversation, Zone: zone}
	begin := time.Now()
	turn, err := s.untilFree(ctx, func() (*engine.Turn, error) {
		return s.cfg.Engine.StartFlow(ctx, s.cfg.Store, conversation, t, opts, id)
	})
	if err != nil {
		return Reply{}, err
	}
	return s.finish(conversation, t.ID(), turn, begin), nil
}

// checkInputs refuses preset inputs the template does not have.
func checkInputs(t *engine.Template, inputs map[string]any) error {
	if len(inputs) == 0 {
		return nil
	}
	known := map[string]bool{}
	var names []string
	for _, in := range t.Inputs() {
		known[in.Name] = true
		names = append(names, in.Name)
	}
	for name := range inputs {
		if !known[name] {
			return badRequest("inputs: template %s has no input %q; its inputs are: %s", t.ID(), name, strings.Join(names, ", "))
		}
	}
	return nil
}

// HandleMessage handles one message of a conversation (POST .../messages):
// the answer to the question waiting, a magic code, a cancel word, or,
// when nothing runs, "run ID" to start a flow.
func (s *Server) HandleMessage(ctx context.Context, conversation string, req MessageRequest) (Reply, error) {
	if err := checkIDs(conversation, req.User, req.ID); err != nil {
		return Reply{}, err
	}
	if len(req.Text) > maxTextBytes || !utf8.ValidString(req.Text) {
		return Reply{}, badRequest("text must be valid UTF-8 of at most %d bytes", maxTextBytes)
	}
	if err := checkZone(req.Zone); err != nil {
		return Reply{}, err
	}
	begin := time.Now()
	msg := engine.Message{ID: req.ID, Text: req.Text}
	turn, err := s.untilFree(ctx, func() (*engine.Turn, error) {
		return s.cfg.Engine.HandleMessage(ctx, s.cfg.Store, conversation, msg)
	})
	var se *engine.StateError
	if err != nil && (errors.Is(err, engine.ErrTemplateChanged) || errors.Is(err, engine.ErrUnknownTemplate) || errors.As(err, &se)) {
		if t := s.runCommand(req.Text); t != nil {
			return s.start(ctx, conversation, t, req.User, nil, req.ID, req.Zone)
		}
		s.cfg.Log.Warn("bot: a conversation's flow cannot be resumed", "conversation", conversation, "error", err.Error())
		r := resumeFailure(conversation, err)
		s.cfg.Metrics.ObserveTurn("unknown", r.Status, time.Since(begin))
		return r, nil
	}
	if err != nil {
		return Reply{}, err
	}
	if turn.Kind == engine.KindIdle {
		if t := s.runCommand(req.Text); t != nil {
			return s.start(ctx, conversation, t, req.User, nil, req.ID, req.Zone)
		}
		r := replyFor(conversation, turn)
		r.Messages = append(r.Messages, s.idleHelp(req.Text))
		s.cfg.Metrics.ObserveTurn("none", r.Status, time.Since(begin))
		return r, nil
	}
	return s.finish(conversation, "", turn, begin), nil
}

// Conversation returns the Reply for a conversation's current state (GET).
func (s *Server) Conversation(ctx context.Context, conversation string) (Reply, error) {
	if err := checkIDs(conversation, "-", ""); err != nil {
		return Reply{}, err
	}
	turn, err := s.untilFree(ctx, func() (*engine.Turn, error) {
		return s.cfg.Engine.Conversation(ctx, s.cfg.Store, conversation)
	})
	if err != nil {
		return Reply{}, err
	}
	r := replyFor(conversation, turn)
	if turn.Kind == engine.KindIdle {
		r.Messages = append(r.Messages, s.idleHelp(""))
	}
	return r, nil
}

// untilFree calls do again while another delivery of the conversation is
// sending a write (KindBusy), for up to BusyWait: with a message id the
// later call gets the winner's Reply; without one, the message is handled
// after the write, in order.
func (s *Server) untilFree(ctx context.Context, do func() (*engine.Turn, error)) (*engine.Turn, error) {
	deadline := time.Now().Add(s.cfg.BusyWait)
	wait := 10 * time.Millisecond
	for {
		turn, err := do()
		if err != nil || turn.Kind != engine.KindBusy {
			return turn, err
		}
		if time.Now().Add(wait).After(deadline) {
			return nil, &RequestError{Status: http.StatusServiceUnavailable, Code: "busy",
				Message: "another message of this conversation is still being handled; send this one again in a moment"}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}

// finish counts and logs a turn and builds its Reply.
func (s *Server) finish(conversation, template string, turn *engine.Turn, begin time.Time) Reply {
	r := replyFor(conversation, turn)
	if template == "" {
		template = turn.Template
	}
	if template == "" {
		template = "unknown" // a turn replayed from a record that did not keep it
	}
	if !turn.Replay {
		s.cfg.Metrics.ObserveTurn(template, r.Status, time.Since(begin))
	}
	s.cfg.Log.Info("bot: turn", "conversation", conversation, "session", turn.Session, "seq", turn.Seq,
		"template", template, "status", r.Status, "replay", turn.Replay)
	return r
}

// runCommand returns the template named by "run ID", or nil.
func (s *Server) runCommand(text string) *engine.Template {
	f := strings.Fields(text)
	if len(f) != 2 || !strings.EqualFold(f[0], "run") {
		return nil
	}
	return s.templates[strings.ToLower(f[1])]
}

func (s *Server) idleHelp(text string) string {
	var b strings.Builder
	if f := strings.Fields(text); len(f) == 2 && strings.EqualFold(f[0], "run") {
		fmt.Fprintf(&b, "There is no flow %q. ", f[1])
	}
	b.WriteString("Nothing is running. Send \"run ID\" to start one of:")
	for _, id := range s.ids {
		fmt.Fprintf(&b, "\n- %s: %s", id, s.templates[strings.ToLower(id)].Name())
	}
	return b.String()
}

// checkIDs refuses ids that are empty, too long or not printable text.
func checkIDs(conversation, user, msgID string) error {
	for _, f := range []struct{ name, value string }{{"conversation", conversation}, {"user", user}} {
		switch {
		case f.value == "":
			return badRequest("%s is required", f.name)
		case len(f.value) > maxIDBytes:
			return badRequest("%s is %d bytes, more than %d", f.name, len(f.value), maxIDBytes)
		case !printable(f.value):
			return badRequest("%s must be printable UTF-8 text", f.name)
		}
	}
	if len(msgID) > maxIDBytes || !printable(msgID) {
		return badRequest("id must be printable UTF-8 text of at most %d bytes", maxIDBytes)
	}
	return nil
}

func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

func (s *Server) postFlow(w http.ResponseWriter, r *http.Request) {
	var req FlowRequest
	if !decodeBody(w, r, &req) {
		return
	}
	reply, err := s.StartFlow(r.Context(), r.PathValue("conversation"), req)
	s.answer(w, r, reply, err)
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	var req MessageRequest
	if !decodeBody(w, r, &req) {
		return
	}
	reply, err := s.HandleMessage(r.Context(), r.PathValue("conversation"), req)
	s.answer(w, r, reply, err)
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) {
	reply, err := s.Conversation(r.Context(), r.PathValue("conversation"))
	s.answer(w, r, reply, err)
}

// TemplateInfo describes a template offered (GET /v1/templates).
type TemplateInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

func (s *Server) getTemplates(w http.ResponseWriter, _ *http.Request) {
	out := make([]TemplateInfo, 0, len(s.ids))
	for _, id := range s.ids {
		t := s.templates[strings.ToLower(id)]
		out = append(out, TemplateInfo{ID: t.ID(), Name: t.Name(), Description: t.Description()})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, reply Reply, err error) {
	if err == nil {
		writeJSON(w, http.StatusOK, reply)
		return
	}
	var re *RequestError
	switch {
	case errors.As(err, &re):
		if re.Status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "1")
		}
		writeError(w, re.Status, re.Code, re.Message)
	case r.Context().Err() != nil:
		writeError(w, http.StatusServiceUnavailable, "cancelled", "the request ended before the turn finished")
	default:
		s.cfg.Log.Error("bot: handling a request failed", "conversation", r.PathValue("conversation"), "error", err.Error())
		writeError(w, http.StatusInternalServerError, "internal", "the bot could not handle this request (the store may be unavailable); try again")
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		s.cfg.Log.Warn("bot: health check: the store does not answer", "error", err.Error())
		writeError(w, http.StatusServiceUnavailable, "store_unavailable", "the store does not answer")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	var gauges []Gauge
	if n, err := s.cfg.Store.Active(ctx); err == nil {
		gauges = append(gauges, Gauge{Name: "runflow_sessions_active", Type: "gauge", Value: float64(n),
			Help: "Conversations with a record in the store, not idle longer than its TTL."})
	}
	if rs, ok := s.cfg.Store.(*RedisStore); ok {
		gauges = append(gauges, Gauge{Name: "runflow_redis_round_trips_total", Type: "counter", Value: float64(rs.RoundTrips()),
			Help: "Requests this process sent to Redis (a pipeline counts once)."})
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_ = s.cfg.Metrics.WriteTo(w, gauges...)
}

// decodeBody reads one JSON object with known fields from a body of at
// most MaxBodyBytes, or answers 400/413/415 and returns false.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be JSON (Content-Type: application/json)")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = terr
			if err == nil {
				err = errors.New("the body has more than one JSON value")
			}
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes))
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "bad_json", "the body is empty; send a JSON object")
	default:
		writeError(w, http.StatusBadRequest, "bad_json", "the body is not the JSON expected: "+err.Error())
	}
	return false
}

type errorBody struct {
	Error ErrorInfo `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Error: ErrorInfo{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
