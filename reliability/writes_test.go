package reliability

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
	"github.com/runflow/runflow/sandbox"
)

// TestEngineReportsA504WriteAsMaybeSent: a gateway timeout on a write that
// is not idempotent has an unknown outcome. The graph client says so with a
// *graph.MaybeSentError wrapping the 504's *graph.Error; the flow's error
// must keep saying so, or a user told "504 GatewayTimeout" sends again.
func TestEngineReportsA504WriteAsMaybeSent(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	r.sb.Faults().Add(sandbox.Fault{Method: "POST", Path: "/v1.0/me/todo/lists", Status: 504, Count: 1})
	e := r.engine(t, nil)
	turn, err := e.Run(ctxTimeout(t, 30*time.Second), builtin(t, "create-todo-list"), engine.StartOptions{Inputs: map[string]any{"name": "gateway"}})
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != engine.KindFailed {
		t.Fatalf("turn %v, want failed", turn.Kind)
	}
	var maybe *graph.MaybeSentError
	if !errors.As(turn.Err, &maybe) || !strings.Contains(turn.Err.Error(), "may have been sent") {
		t.Errorf("the flow's error lost the unknown outcome of the write (want a *graph.MaybeSentError saying \"may have been sent\"): %v", turn.Err)
	}
}

// TestEngineRetriesEventCreationWithTransactionID: a POST whose body
// carries transactionId is idempotent (Graph creates the event once), so a
// 504 on it is retried and the flow completes with exactly one event, as
// docs/reliability.md says.
func TestEngineRetriesEventCreationWithTransactionID(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	r.sb.Faults().Add(sandbox.Fault{Method: "POST", Path: "/v1.0/me/events", Status: 504, RetryAfter: "0", Count: 1})
	e := r.engine(t, nil)
	turn, err := e.Run(ctxTimeout(t, 30*time.Second), builtin(t, "create-event"),
		engine.StartOptions{Inputs: map[string]any{"subject": "txn retry", "start": "tomorrow 15:00"}})
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != engine.KindDone || turn.Status != engine.StatusCompleted {
		t.Errorf("the flow did not complete after one 504 on an idempotent write: %v %v", turn.Kind, turn.Err)
	}
	if n := countWrites(r.data(t))["create-event"]["txn retry"]; n != 1 {
		t.Errorf("the event is in the calendar %d times, want 1", n)
	}
}

// TestCLICtrlCMidWriteSaysMaybeSent: Ctrl-C while a write is in flight
// leaves its outcome unknown (the engine's error is a
// *graph.MaybeSentError). The CLI must say so instead of "cancelled;
// nothing more was sent", or the user runs it again and the write lands
// twice.
func TestCLICtrlCMidWriteSaysMaybeSent(t *testing.T) {
	bin := buildCLI(t)
	r := newRig(t, sandbox.Options{})
	code, out, _ := interruptCLI(t, bin, r, "POST", "/v1.0/me/todo/lists", []string{"run", "create-todo-list", "--set", "name=interrupted"})
	if code != 4 || !strings.Contains(out, "may have been sent") {
		t.Errorf("exit %d, output without \"may have been sent\":\n%s", code, out)
	}
}
