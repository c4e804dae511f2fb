package engine

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/graph"
)

// testClock is an engine clock a test moves.
type testClock struct{ ns atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *testClock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *testClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// listsGraphSlow is a Graph whose list creation takes a while, so that
// concurrent deliveries overlap; it counts the lists created.
func listsGraphSlow(t *testing.T, delay time.Duration) (*fakeGraph, *atomic.Int32) {
	g := newFakeGraph(t)
	var created atomic.Int32
	g.handleFunc("POST /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
		n := created.Add(1)
		time.Sleep(delay)
		writeJSON(w, 201, fmt.Sprintf(`{"id":"list-%d","displayName":"Groceries"}`, n))
	})
	return g, &created
}

func convEngine(t testing.TB, g *fakeGraph, clock *testClock, templates ...*Template) *Engine {
	t.Helper()
	cfg := Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("test-token"), Templates: templates, StateKey: testStateKey}
	if clock != nil {
		cfg.Now = clock.now
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func startTodo(t *testing.T, e *Engine, store SessionStore, key string) *Turn {
	t.Helper()
	tp := mustLoad(t, "../templates/create-todo-list.yaml")
	turn, err := e.StartFlow(context.Background(), store, key, tp, StartOptions{}, "m0")
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != KindQuestion || turn.Session == "" || turn.Seq != 1 || turn.State != nil {
		t.Fatalf("start: %+v", turn)
	}
	return turn
}

func TestConversationLifecycle(t *testing.T) {
	g, created := listsGraphSlow(t, 0)
	store := new(MemorySessionStore)
	e := convEngine(t, g, nil)
	ctx := context.Background()
	first := startTodo(t, e, store, "c1")

	cur, err := e.Conversation(ctx, store, "c1")
	if err != nil || cur.Kind != KindQuestion || !cur.Replay || cur.Question.Input != "name" || cur.Seq != 1 {
		t.Fatalf("Conversation while asking: %+v, %v", cur, err)
	}
	done, err := e.HandleMessage(ctx, store, "c1", Message{ID: "m1", Text: "Groceries"})
	if err != nil || done.Kind != KindDone || done.Status != StatusCompleted || done.Replay {
		t.Fatalf("answer: %+v, %v", done, err)
	}
	// Claimed (2) then saved (3).
	if done.Seq != 3 || done.Session != first.Session {
		t.Errorf("done turn: seq %d session %q; want 3 and %q", done.Seq, done.Session, first.Session)
	}
	again, err := e.HandleMessage(ctx, store, "c1", Message{ID: "m1", Text: "Groceries"})
	if err != nil || !again.Replay || again.Kind != KindDone || again.Seq != done.Seq || len(again.Outputs) != len(done.Outputs) {
		t.Fatalf("the same message again: %+v, %v", again, err)
	}
	if fmt.Sprint(again.Outputs) != fmt.Sprint(done.Outputs) || fmt.Sprint(again.Messages) != fmt.Sprint(done.Messages) {
		t.Errorf("replayed turn differs: %v %v, want %v %v", again.Outputs, again.Messages, done.Outputs, done.Messages)
	}
	idle, err := e.HandleMessage(ctx, store, "c1", Message{ID: "m2", Text: "Groceries"})
	if err != nil || idle.Kind != KindIdle || idle.Seq != 3 {
		t.Fatalf("a message with nothing running: %+v, %v", idle, err)
	}
	if n := created.Load(); n != 1 {
		t.Errorf("%d lists created, want 1", n)
	}
	if cur, _ := e.Conversation(ctx, store, "c1"); cur.Kind != KindDone || !cur.Replay {
		t.Errorf("Conversation after the end: %+v", cur)
	}
	if cur, _ := e.Conversation(ctx, store, "never"); cur.Kind != KindIdle || cur.Seq != 0 {
		t.Errorf("Conversation of an unknown key: %+v", cur)
	}
	// Every turn of the flow, replays included, names its template; an
	// idle conversation has none.
	for name, turn := range map[string]*Turn{"start": first, "Conversation": cur, "answer": done, "replay": again} {
		if turn.Template != "create-todo-list" {
			t.Errorf("%s: Template %q, want create-todo-list", name, turn.Template)
		}
	}
	if idle.Template != "" {
		t.Errorf("idle: Template %q, want none", idle.Template)
	}
	// A new flow in the same conversation goes on counting.
	tp := mustLoad(t, "../templates/create-todo-list.yaml")
	next, err := e.StartFlow(ctx, store, "c1", tp, StartOptions{}, "m3")
	if err != nil || next.Kind != KindQuestion || next.Seq != 4 || next.Session == first.Session {
		t.Fatalf("second flow: %+v, %v", next, err)
	}
	// StartFlow over a paused flow replaces it.
	repl, err := e.StartFlow(ctx, store, "c1", tp, StartOptions{}, "m4")
	if err != nil || repl.Kind != KindQuestion || repl.Seq != 5 || repl.Session == next.Session {
		t.Fatalf("replacing flow: %+v, %v", repl, err)
	}
}

// Many deliveries of one answer at once, on goroutines of one Engine and
// on two Engines sharing one store, with and without message ids: exactly
// one list is created, and every delivery gets a turn.
func TestConcurrentDeliveriesWriteOnce(t *testing.T) {
	for _, c := range []struct {
		name    string
		engines int
		ids     bool
	}{
		{"goroutines, same id", 1, true},
		{"goroutines, no id", 1, false},
		{"two engines, same id", 2, true},
		{"two engines, no id", 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, created := listsGraphSlow(t, 30*time.Millisecond)
			store := new(MemorySessionStore)
			engines := []*Engine{convEngine(t, g, nil)}
			for len(engines) < c.engines {
				engines = append(engines, convEngine(t, g, nil, mustLoad(t, "../templates/create-todo-list.yaml")))
			}
			startTodo(t, engines[0], store, "c1")
			const deliveries = 8
			turns := make([]*Turn, deliveries)
			var wg sync.WaitGroup
			for i := range deliveries {
				wg.Add(1)
				go func() {
					defer wg.Done()
					msg := Message{Text: "Groceries"}
					if c.ids {
						msg.ID = "m1"
					}
					turn, err := engines[i%len(engines)].HandleMessage(context.Background(), store, "c1", msg)
					if err != nil {
						t.Error(err)
						return
					}
					turns[i] = turn
				}()
			}
			wg.Wait()
			if n := created.Load(); n != 1 {
				t.Fatalf("%d lists created, want 1", n)
			}
			fresh := 0
			for _, turn := range turns {
				switch {
				case turn == nil:
				case !turn.Replay && turn.Kind == KindDone:
					fresh++
				case turn.Kind == KindBusy, turn.Replay && turn.Kind == KindDone, turn.Replay && turn.Kind == KindQuestion, turn.Kind == KindIdle:
				default:
					t.Errorf("unexpected turn %+v", turn)
				}
			}
			if fresh != 1 {
				t.Errorf("%d deliveries ran the flow, want 1", fresh)
			}
			// Afterwards every redelivery is harmless.
			again, err := engines[0].HandleMessage(context.Background(), store, "c1", Message{ID: "m1", Text: "Groceries"})
			if err != nil || created.Load() != 1 {
				t.Fatalf("redelivery: %+v %v, %d lists", again, err, created.Load())
			}
			if c.ids && (again.Kind != KindDone || !again.Replay) {
				t.Errorf("redelivery of m1: %+v, want the done turn replayed", again)
			}
		})
	}
}

// failingStore is a MemorySessionStore whose swaps fail after n of them,
// as if the process lost its store (or died) mid-turn.
type failingStore struct {
	MemorySessionStore
	swaps, failAfter atomic.Int32
}

func (s *failingStore) CompareAndSwap(ctx context.Context, key string, old uint64, next SessionRecord) (bool, error) {
	if s.swaps.Add(1) > s.failAfter.Load() {
		return false, errors.New("store unreachable")
	}
	return s.MemorySessionStore.CompareAndSwap(ctx, key, old, next)
}

// An engine that claimed a write and never recorded its outcome leaves
// the conversation busy until the claim expires; then the next message
// ends the flow as "may have been sent", and nothing is sent again.
func TestAbandonedWriteIsNeverResent(t *testing.T) {
	g, created := listsGraphSlow(t, 0)
	clock := newTestClock(fixedNow)
	store := &failingStore{}
	store.failAfter.Store(2) // the start and the claim succeed
	e := convEngine(t, g, clock)
	ctx := context.Background()
	startTodo(t, e, store, "c1")
	if _, err := e.HandleMessage(ctx, store, "c1", Message{ID: "m1", Text: "Groceries"}); err == nil || !strings.Contains(err.Error(), "store unreachable") {
		t.Fatalf("the failed save: %v", err)
	}
	if created.Load() != 1 {
		t.Fatalf("%d lists created before the crash, want 1", created.Load())
	}
	store.failAfter.Store(1 << 30)
	other := convEngine(t, g, clock, mustLoad(t, "../templates/create-todo-list.yaml"))
	for _, msg := range []Message{{ID: "m1", Text: "Groceries"}, {ID: "m2", Text: "Groceries"}} {
		busy, err := other.HandleMessage(ctx, store, "c1", msg)
		if err != nil || busy.Kind != KindBusy || busy.Template != "create-todo-list" {
			t.Fatalf("%s while the claim is fresh: %+v, %v", msg.ID, busy, err)
		}
	}
	if cur, _ := other.Conversation(ctx, store, "c1"); cur.Kind != KindBusy {
		t.Fatalf("Conversation while the claim is fresh: %+v", cur)
	}
	clock.add(DefaultLimits().FlowTimeout + DefaultLimits().ClaimGrace + time.Second)
	if cur, _ := other.Conversation(ctx, store, "c1"); cur.Kind != KindFailed {
		t.Fatalf("Conversation after the claim expired: %+v", cur)
	}
	turn, err := other.HandleMessage(ctx, store, "c1", Message{ID: "m1", Text: "Groceries"})
	if err != nil || turn.Kind != KindFailed || turn.Template != "create-todo-list" {
		t.Fatalf("after the claim expired: %+v, %v", turn, err)
	}
	var maybe *graph.MaybeSentError
	var fe *FlowError
	if !errors.As(turn.Err, &maybe) || !errors.Is(turn.Err, ErrAbandonedWrite) || !errors.As(turn.Err, &fe) || fe.Step != "create" || maybe.Method != "POST" {
		t.Fatalf("error %v (%T), want a FlowError at create wrapping MaybeSentError(ErrAbandonedWrite)", turn.Err, turn.Err)
	}
	for _, msg := range []Message{{ID: "m1", Text: "Groceries"}, {ID: "m3", Text: "Groceries"}} {
		turn, err := other.HandleMessage(ctx, store, "c1", msg)
		if err != nil || (turn.Kind != KindIdle && !turn.Replay) {
			t.Fatalf("%s after the end: %+v, %v", msg.ID, turn, err)
		}
	}
	again, _ := other.HandleMessage(ctx, store, "c1", Message{ID: "m1", Text: "Groceries"})
	if !errors.Is(again.Err, ErrAbandonedWrite) {
		t.Errorf("the replayed failure lost its cause: %v", again.Err)
	}
	if created.Load() != 1 {
		t.Fatalf("%d lists created, want 1", created.Load())
	}
	// A new flow after an abandoned write says so.
	store2 := &failingStore{}
	store2.failAfter.Store(2)
	startTodo(t, e, store2, "c2")
	e.HandleMessage(ctx, store2, "c2", Message{Text: "Groceries"})
	store2.failAfter.Store(1 << 30)
	clock.add(DefaultLimits().FlowTimeout + DefaultLimits().ClaimGrace + time.Second)
	next, err := e.StartFlow(ctx, store2, "c2", mustLoad(t, "../templates/create-todo-list.yaml"), StartOptions{}, "")
	if err != nil || next.Kind != KindQuestion || len(next.Messages) != 1 || !strings.Contains(next.Messages[0], "may have been applied") {
		t.Fatalf("start after an abandoned write: %+v, %v", next, err)
	}
}

// A record put back with an older state (a replay through the store), or
// a finished conversation, sends nothing.
func TestReplayedStateSendsNothing(t *testing.T) {
	g, created := listsGraphSlow(t, 0)
	store := new(MemorySessionStore)
	e := convEngine(t, g, nil)
	ctx := context.Background()
	startTodo(t, e, store, "c1")
	old, _ := store.Load(ctx, "c1")
	if _, err := e.HandleMessage(ctx, store, "c1", Message{Text: "Groceries"}); err != nil {
		t.Fatal(err)
	}
	cur, _ := store.Load(ctx, "c1")
	// The old paused record, written back under a newer Seq.
	if ok, _ := store.CompareAndSwap(ctx, "c1", cur.Seq, SessionRecord{Seq: cur.Seq + 1, Data: old.Data}); !ok {
		t.Fatal("swap")
	}
	_, err := e.HandleMessage(ctx, store, "c1", Message{Text: "Groceries"})
	var se *StateError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("replayed state: %v, want a *StateError", err)
	}
	// A finished flow's old paused state given to Resume elsewhere is not
	// the store's business; the store's finished record answers idle.
	store.CompareAndSwap(ctx, "c1", cur.Seq+1, SessionRecord{Seq: cur.Seq + 2, Data: cur.Data})
	for range 3 {
		turn, err := e.HandleMessage(ctx, store, "c1", Message{Text: "Groceries"})
		if err != nil || turn.Kind != KindIdle {
			t.Fatalf("finished conversation: %+v, %v", turn, err)
		}
	}
	if n := created.Load(); n != 1 {
		t.Fatalf("%d lists created, want 1", n)
	}
}

func TestConversationBadInput(t *testing.T) {
	g, _ := listsGraphSlow(t, 0)
	e := convEngine(t, g, nil)
	ctx := context.Background()
	store := new(MemorySessionStore)
	for name, err := range map[string]error{
		"nil store": func() error { _, err := e.HandleMessage(ctx, nil, "c", Message{}); return err }(),
		"empty key": func() error { _, err := e.HandleMessage(ctx, store, "", Message{}); return err }(),
		"long key":  func() error { _, err := e.Conversation(ctx, store, strings.Repeat("k", 600)); return err }(),
		"long id": func() error {
			_, err := e.HandleMessage(ctx, store, "c", Message{ID: strings.Repeat("i", 300)})
			return err
		}(),
		"long text": func() error {
			_, err := e.HandleMessage(ctx, store, "c", Message{Text: strings.Repeat("t", 20000)})
			return err
		}(),
		"nil tmpl": func() error { _, err := e.StartFlow(ctx, store, "c", nil, StartOptions{}, ""); return err }(),
		"bad record": func() error {
			store.CompareAndSwap(ctx, "bad", 0, SessionRecord{Seq: 1, Data: []byte("{")})
			_, err := e.HandleMessage(ctx, store, "bad", Message{})
			return err
		}(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Start, Resume and Run name the template of the turn they return, also
// for a flow that ends before it runs.
func TestTurnTemplateOfStartAndResume(t *testing.T) {
	g, _ := listsGraphSlow(t, 0)
	e := convEngine(t, g, nil)
	ctx := context.Background()
	tp := mustLoad(t, "../templates/create-todo-list.yaml")
	q, err := e.Start(ctx, tp, StartOptions{})
	if err != nil || q.Kind != KindQuestion || q.Template != "create-todo-list" {
		t.Fatalf("Start: %+v, %v", q, err)
	}
	done, err := e.Resume(ctx, q.State, "Groceries")
	if err != nil || done.Kind != KindDone || done.Template != "create-todo-list" {
		t.Fatalf("Resume: %+v, %v", done, err)
	}
	early, err := e.Run(ctx, tp, StartOptions{})
	if err != nil || early.Kind != KindFailed || early.Template != "create-todo-list" {
		t.Fatalf("Run without its input: %+v, %v", early, err)
	}
}

// Limits.ClaimGrace sets how long past FlowTimeout an abandoned claim
// blocks its conversation; the write is still never sent again.
func TestClaimGraceIsASetting(t *testing.T) {
	g, created := listsGraphSlow(t, 0)
	clock := newTestClock(fixedNow)
	lim := Limits{FlowTimeout: 5 * time.Second, ClaimGrace: 2 * time.Second}
	newEngine := func() *Engine {
		e, err := New(Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("test-token"),
			StateKey: testStateKey, Now: clock.now, Limits: lim, Templates: []*Template{mustLoad(t, "../templates/create-todo-list.yaml")}})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	ctx := context.Background()
	store := &failingStore{}
	store.failAfter.Store(2) // the start and the claim succeed, the outcome is lost
	dead := newEngine()
	startTodo(t, dead, store, "c1")
	if _, err := dead.HandleMessage(ctx, store, "c1", Message{Text: "Groceries"}); err == nil {
		t.Fatal("the lost save: no error")
	}
	store.failAfter.Store(1 << 30)
	other := newEngine()
	clock.add(lim.FlowTimeout + lim.ClaimGrace - time.Millisecond)
	if turn, err := other.HandleMessage(ctx, store, "c1", Message{Text: "Groceries"}); err != nil || turn.Kind != KindBusy {
		t.Fatalf("just before FlowTimeout+ClaimGrace: %+v, %v", turn, err)
	}
	clock.add(2 * time.Millisecond)
	turn, err := other.HandleMessage(ctx, store, "c1", Message{Text: "Groceries"})
	if err != nil || turn.Kind != KindFailed || !errors.Is(turn.Err, ErrAbandonedWrite) {
		t.Fatalf("just after FlowTimeout+ClaimGrace: %+v, %v", turn, err)
	}
	if n := created.Load(); n != 1 {
		t.Errorf("%d lists created, want 1", n)
	}
}
