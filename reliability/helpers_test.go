package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/templates"
)

// allScopes are the delegated permissions the built-in writes need.
var allScopes = []string{"User.Read", "Tasks.ReadWrite", "Calendars.ReadWrite", "Mail.Send", "Mail.ReadWrite", "MailboxSettings.Read"}

// rig is a sandbox on loopback plus a token for its demo user.
type rig struct {
	sb       *sandbox.Server
	ts       *httptest.Server
	token    string
	graphURL string
}

func newRig(t testing.TB, opts sandbox.Options) *rig {
	t.Helper()
	sb, ts := sandbox.NewTestServer(t, opts)
	return &rig{sb: sb, ts: ts, token: sb.Token(allScopes...), graphURL: ts.URL + "/v1.0"}
}

// engine builds an engine on the rig with a fixed-token provider; edit
// changes the configuration before New.
func (r *rig) engine(t testing.TB, edit func(*engine.Config)) *engine.Engine {
	t.Helper()
	cfg := engine.Config{GraphURL: r.graphURL, HTTPClient: r.ts.Client(), Auth: auth.Static(r.token)}
	if edit != nil {
		edit(&cfg)
	}
	e, err := engine.New(cfg)
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	return e
}

// data decodes the sandbox's current data.
func (r *rig) data(t testing.TB) *sandbox.Data {
	t.Helper()
	var buf bytes.Buffer
	if err := r.sb.Save(&buf); err != nil {
		t.Fatalf("sandbox Save: %v", err)
	}
	d, err := sandbox.ReadData(&buf)
	if err != nil {
		t.Fatalf("sandbox ReadData: %v", err)
	}
	return d
}

// builtin returns a built-in template.
func builtin(t testing.TB, id string) *engine.Template {
	t.Helper()
	tp, err := templates.Get(id)
	if err != nil {
		t.Fatalf("built-in %s: %v", id, err)
	}
	return tp
}

// load loads a template from YAML text and fails the test on errors.
func load(t testing.TB, name, src string) *engine.Template {
	t.Helper()
	tp, err := engine.Load(name, []byte(src))
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return tp
}

// traceLog collects trace events from many goroutines.
type traceLog struct {
	mu     sync.Mutex
	events []graph.TraceEvent
}

func (l *traceLog) add(ev graph.TraceEvent) {
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
}

// text renders every event, error included, the way a -v trace would.
func (l *traceLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, ev := range l.events {
		j, _ := json.Marshal(ev)
		b.Write(j)
		b.WriteString(" ")
		b.WriteString(ev.Method + " " + ev.URL + " " + ev.RequestID + " " + ev.ClientRequestID)
		if ev.Err != nil {
			b.WriteString(" " + ev.Err.Error())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// turnText renders everything a Turn can show or store: question, sign-in,
// outputs, messages, error, dry-run request and state.
func turnText(turn *engine.Turn) string {
	if turn == nil {
		return ""
	}
	var b strings.Builder
	j, _ := json.Marshal(struct {
		Q *engine.Question
		S *engine.SignIn
		O []engine.Output
		M []string
		D *engine.PlannedRequest
	}{turn.Question, turn.SignIn, turn.Outputs, turn.Messages, turn.DryRun})
	b.Write(j)
	if turn.Err != nil {
		b.WriteString("\n" + turn.Err.Error())
		if ej, err := json.Marshal(turn.Err); err == nil {
			b.Write(ej)
		}
	}
	b.WriteString("\n")
	b.Write(turn.State)
	return b.String()
}

// ctxTimeout is a context for one test call, bounded so that a hang fails
// the test instead of the whole run.
func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
