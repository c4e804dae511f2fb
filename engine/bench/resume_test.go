package bench

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
	"github.com/runflow/runflow/internal/testutil"
	"github.com/runflow/runflow/templates"
)

// stateKey signs the states, as a bot's engine does.
var stateKey = []byte("0123456789abcdef0123456789abcdef")

// resumeNow is the clock of the Resume benchmarks.
var resumeNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// newSettingsServer answers GET /v1.0/me/mailboxSettings with Graph's
// documented answer (example F5, zone Pacific), automatic replies included.
func newSettingsServer(tb testing.TB) *httptest.Server {
	body, err := os.ReadFile("testdata/mailboxsettings.json")
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1.0/me/mailboxSettings" {
			http.Error(w, `{"error":{"code":"BadRequest","message":"unexpected request"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// createEventEngine is a bot's engine: signed states, the built-ins.
func createEventEngine(tb testing.TB) (*engine.Engine, *engine.Template) {
	srv := newSettingsServer(tb)
	all, err := templates.Load()
	if err != nil {
		tb.Fatal(err)
	}
	e, err := engine.New(engine.Config{GraphURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Auth: auth.Static(Token),
		Now: func() time.Time { return resumeNow }, StateKey: stateKey, Templates: all})
	if err != nil {
		tb.Fatal(err)
	}
	t, err := templates.Get("create-event")
	if err != nil {
		tb.Fatal(err)
	}
	return e, t
}

// createEventStates walks create-event through every question and returns
// each paused state, keyed by the question it waits for.
func createEventStates(tb testing.TB, e *engine.Engine, t *engine.Template) ([]string, map[string][]byte) {
	ctx := context.Background()
	turn, err := e.Start(ctx, t, engine.StartOptions{Subject: "adele", Conversation: "19:abc@thread.v2"})
	if err != nil {
		tb.Fatal(err)
	}
	answers := map[string]string{"subject": "Team lunch", "start": "tomorrow 12:30", "attendees": "alexw@contoso.com, meganb@contoso.com",
		"location": "Harry's Bar", "body": "Let's try the new place.", "online": "no"}
	states := map[string][]byte{}
	var order []string
	for turn.Kind == engine.KindQuestion {
		q := turn.Question.Input
		order = append(order, q)
		states[q] = turn.State
		if turn, err = e.Resume(ctx, turn.State, answers[q]); err != nil {
			tb.Fatal(err)
		}
	}
	if turn.Kind != engine.KindFailed { // the loopback Graph has no POST /me/events
		tb.Fatalf("create-event ended %v", turn.Kind)
	}
	return order, states
}

// Every paused state of create-event fits in 1 KB, signed: the mailbox
// settings are kept as the one value later expressions read (timeZone),
// not as the whole 1.4 KB body.
func TestCreateEventStateSizes(t *testing.T) {
	e, tp := createEventEngine(t)
	order, states := createEventStates(t, e, tp)
	if len(order) != 7 {
		t.Fatalf("questions %v", order)
	}
	for _, q := range order {
		n := len(states[q])
		t.Logf("paused at %-9s %4d bytes signed", q, n)
		if n > 1024 {
			t.Errorf("the state paused at %s is %d bytes, more than 1 KB:\n%s", q, n, states[q])
		}
	}
}

// handState is what a hand-written create-event bot would keep between
// the start question and the end question.
type handState struct {
	Subject string    `json:"subject"`
	TZ      string    `json:"tz"`
	Start   time.Time `json:"start,omitzero"`
	Step    string    `json:"step"`
	Attempt int       `json:"attempt"`
}

type handQuestion struct {
	Input, Text, Hint, Default string
}

// handResume is the hand-written equivalent of the measured Resume: check
// the state's MAC, decode it, read the answer as a date and time in the
// mailbox zone, refuse a past time, compute the end's default, build the
// next question, encode and sign the state.
func handResume(state []byte, answer string) ([]byte, *handQuestion, error) {
	n := len(state)
	if n < 45 {
		return nil, nil, errors.New("short state")
	}
	mac := hmac.New(sha256.New, stateKey)
	mac.Write(state[:n-44])
	want := mac.Sum(nil)
	got, err := base64.RawURLEncoding.DecodeString(string(state[n-43:]))
	if err != nil || !hmac.Equal(got, want) {
		return nil, nil, errors.New("bad signature")
	}
	var st handState
	if err := json.Unmarshal(state[:n-44], &st); err != nil {
		return nil, nil, err
	}
	loc, err := input.LoadZone(st.TZ)
	if err != nil {
		return nil, nil, err
	}
	v, err := input.Parse(input.DateTime, answer, input.Context{Now: resumeNow, Zone: loc, Required: true})
	if err != nil {
		return nil, nil, err
	}
	start := v.(time.Time)
	if !start.After(resumeNow) {
		return nil, nil, errors.New("in the past")
	}
	st.Start, st.Step, st.Attempt = start, "end", 1
	q := &handQuestion{Input: "end", Text: "When does it end?", Hint: "press Enter for 30 minutes after the start, or e.g. \"tomorrow 10am\"",
		Default: input.Format(input.DateTime, start.Add(30*time.Minute))}
	out, err := json.Marshal(&st)
	if err != nil {
		return nil, nil, err
	}
	return signHand(out), q, nil
}

func signHand(data []byte) []byte {
	mac := hmac.New(sha256.New, stateKey)
	mac.Write(data)
	out := append(data, '.')
	return base64.RawURLEncoding.AppendEncode(out, mac.Sum(nil))
}

// BenchmarkResume measures one Resume of create-event that validates an
// answer ("tomorrow 12:30" for start) and asks the next question (end),
// with signed states, against the hand-written equivalent and the
// hand-written GET /me in the same run. state-B is the state it returns
// (for engine-handlemessage, the conversation record saved: the state, the
// current turn and the turns of the last message ids; its runs include
// making a memory store and putting the record in it).
func BenchmarkResume(b *testing.B) {
	ctx := context.Background()
	e, tp := createEventEngine(b)
	_, states := createEventStates(b, e, tp)
	atStart := states["start"]
	hand, err := json.Marshal(&handState{Subject: "Team lunch", TZ: "Pacific Standard Time", Step: "start", Attempt: 1})
	if err != nil {
		b.Fatal(err)
	}
	handSigned := signHand(hand)
	srv := newServer(b)
	base, hc := srv.URL+"/v1.0", srv.Client()
	// The same turn through a SessionStore: the record of a conversation
	// at the start question, put in a fresh memory store for each run.
	seedStore := new(engine.MemorySessionStore)
	if _, err := e.StartFlow(ctx, seedStore, "conv", tp, engine.StartOptions{Subject: "adele"}, "m1"); err != nil {
		b.Fatal(err)
	}
	if _, err := e.HandleMessage(ctx, seedStore, "conv", engine.Message{ID: "m2", Text: "Team lunch"}); err != nil {
		b.Fatal(err)
	}
	seed, _ := seedStore.Load(ctx, "conv")

	impls := []struct {
		name string
		run  func() (int, error)
	}{
		{"handwritten-get", func() (int, error) { _, _, err := HandWrittenMe(ctx, hc, base); return 0, err }},
		{"handwritten-resume", func() (int, error) {
			st, q, err := handResume(handSigned, "tomorrow 12:30")
			if err == nil && q.Input != "end" {
				err = fmt.Errorf("asked %s", q.Input)
			}
			return len(st), err
		}},
		{"engine-resume", func() (int, error) {
			turn, err := e.Resume(ctx, atStart, "tomorrow 12:30")
			if err == nil && (turn.Kind != engine.KindQuestion || turn.Question.Input != "end") {
				err = fmt.Errorf("turn %v %+v", turn.Kind, turn.Question)
			}
			if err != nil {
				return 0, err
			}
			return len(turn.State), nil
		}},
		{"engine-handlemessage", func() (int, error) {
			store := new(engine.MemorySessionStore)
			store.CompareAndSwap(ctx, "conv", 0, seed)
			turn, err := e.HandleMessage(ctx, store, "conv", engine.Message{ID: "m3", Text: "tomorrow 12:30"})
			if err == nil && (turn.Kind != engine.KindQuestion || turn.Question.Input != "end") {
				err = fmt.Errorf("turn %v %+v", turn.Kind, turn.Question)
			}
			if err != nil {
				return 0, err
			}
			rec, _ := store.Load(ctx, "conv")
			return len(rec.Data), nil
		}},
	}
	for _, impl := range impls {
		size, err := impl.run()
		if err != nil {
			b.Fatalf("%s: %v", impl.name, err)
		}
		b.Run("impl="+impl.name, func(b *testing.B) {
			testutil.BenchCPU(b, func() error { _, err := impl.run(); return err })
			b.ReportMetric(float64(size), "state-B")
		})
	}
}
