package reliability

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
	"github.com/runflow/runflow/sandbox"
)

// The storm: stormRounds rounds, each running stormFlowsPerKind flows of
// each write kind at once (24 concurrent flows) through a fresh set of
// stormFaults.
const (
	stormRounds       = 3
	stormFlowsPerKind = 8
)

// stormFaults is what the sandbox injects. Faults on one path are used up
// in order, whichever flow's request comes first; every one is used (the
// test checks), so the storm is the same on every run. Retry-After values
// are tiny (one whole-second wait in all) so the test takes seconds.
var stormFaults = []sandbox.Fault{
	// mailbox settings (the read create-event does first)
	{Method: "GET", Path: "/v1.0/me/mailboxSettings", Status: 429, RetryAfter: "0.01", Count: 2},
	{Method: "GET", Path: "/v1.0/me/mailboxSettings", Status: 503, RetryAfter: "0", Count: 1},
	{Method: "GET", Path: "/v1.0/me/mailboxSettings", Status: 504, RetryAfter: "0.02", Count: 1},
	{Method: "GET", Path: "/v1.0/me/mailboxSettings", DropConnection: true, Count: 1},
	{Method: "GET", Path: "/v1.0/me/mailboxSettings", Delay: 40 * time.Millisecond, Count: 2},
	// To Do lists
	{Method: "POST", Path: "/v1.0/me/todo/lists", Status: 429, RetryAfter: "0.01", Count: 3},
	{Method: "POST", Path: "/v1.0/me/todo/lists", Status: 429, RetryAfter: "0", Count: 1},
	{Method: "POST", Path: "/v1.0/me/todo/lists", Status: 503, RetryAfter: "0.02", Count: 2},
	{Method: "POST", Path: "/v1.0/me/todo/lists", Status: 504, Count: 1},
	{Method: "POST", Path: "/v1.0/me/todo/lists", DropConnection: true, Count: 1},
	{Method: "POST", Path: "/v1.0/me/todo/lists", Delay: 30 * time.Millisecond, Count: 2},
	// events
	{Method: "POST", Path: "/v1.0/me/events", Status: 429, RetryAfter: "0.05", Count: 2},
	{Method: "POST", Path: "/v1.0/me/events", Status: 503, RetryAfter: "0.01", Count: 2},
	{Method: "POST", Path: "/v1.0/me/events", Status: 504, RetryAfter: "0.01", Count: 2},
	{Method: "POST", Path: "/v1.0/me/events", DropConnection: true, Count: 1},
	{Method: "POST", Path: "/v1.0/me/events", Delay: 30 * time.Millisecond, Count: 2},
	// mail
	{Method: "POST", Path: "/v1.0/me/sendMail", Status: 429, RetryAfter: "1", Count: 1},
	{Method: "POST", Path: "/v1.0/me/sendMail", Status: 429, RetryAfter: "0.02", Count: 2},
	{Method: "POST", Path: "/v1.0/me/sendMail", Status: 503, RetryAfter: "0.01", Count: 2},
	{Method: "POST", Path: "/v1.0/me/sendMail", Status: 504, Count: 1},
	{Method: "POST", Path: "/v1.0/me/sendMail", DropConnection: true, Count: 2},
	{Method: "POST", Path: "/v1.0/me/sendMail", Delay: 30 * time.Millisecond, Count: 2},
}

// lostAnswers is a transport fault the sandbox cannot inject: the server
// receives and applies a write, then the connection breaks before the
// answer arrives. Every every-th applied write is hit, at most max times.
type lostAnswers struct {
	base   http.RoundTripper
	every  int64
	max    int64
	writes atomic.Int64
	hits   atomic.Int64
}

func (l *lostAnswers) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(req)
	if err != nil || req.Method == http.MethodGet || resp.StatusCode/100 != 2 {
		return resp, err // only writes the server applied lose their answer
	}
	if n := l.writes.Add(1); n%l.every != 0 || l.hits.Load() >= l.max {
		return resp, err
	}
	l.hits.Add(1)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errors.New("read tcp: connection reset by peer (injected after the server answered)")
}

// stormFlow is one flow of the storm and the mark its write leaves.
type stormFlow struct {
	kind   string // create-todo-list, create-event or send-mail
	mark   string // the list name, event subject or mail subject
	inputs map[string]any
	turn   *engine.Turn
	err    error
}

// stormOutcome is the tally of a storm.
type stormOutcome struct {
	completed, maybeSent, notSent  int
	maybeLanded, maybeNotLanded    int
	lost, duplicated, notSentButIn int
}

// TestFaultStormEveryWriteLandsOnceOrIsReported runs 3 rounds of 24
// concurrent flows through the real engine and the built-in templates (create-todo-list,
// create-event with its transactionId, send-mail) against the sandbox while
// it answers with 429s (whole and decimal Retry-After), 503s, 504s, slow
// answers and dropped connections, and a transport loses the answers of
// some writes the sandbox applied. Afterwards it reads the sandbox's data:
// a completed flow's write is there exactly once; a flow that failed with
// "may have been sent" left it at most once (both cases are counted); any
// other failure left nothing. Writes lost and writes duplicated are zero.
// The flows share two engines, and the sandbox answers exactly the faults
// injected: its own 429 for a fifth concurrent request to one mailbox never
// happens, so the limit of 4 in flight per mailbox holds process-wide.
func TestFaultStormEveryWriteLandsOnceOrIsReported(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	transport := &lostAnswers{base: r.ts.Client().Transport, every: 5, max: 4 * stormRounds}
	client := &http.Client{Transport: transport}
	// Two engines, as two bots in one process would have: the limit of 4
	// requests in flight per mailbox is shared by both.
	engines := []*engine.Engine{
		r.engine(t, func(c *engine.Config) { c.HTTPClient = client }),
		r.engine(t, func(c *engine.Config) { c.HTTPClient = client }),
	}

	var flows []*stormFlow
	for round := range stormRounds {
		for _, f := range stormFaults {
			r.sb.Faults().Add(f)
		}
		var batch []*stormFlow
		for i := range stormFlowsPerKind {
			day := round*stormFlowsPerKind + i + 1
			batch = append(batch,
				&stormFlow{kind: "create-todo-list", mark: fmt.Sprintf("storm list %d.%d", round, i),
					inputs: map[string]any{"name": fmt.Sprintf("storm list %d.%d", round, i)}},
				&stormFlow{kind: "create-event", mark: fmt.Sprintf("storm event %d.%d", round, i),
					inputs: map[string]any{"subject": fmt.Sprintf("storm event %d.%d", round, i), "start": fmt.Sprintf("2026-12-%02d 15:00", day)}},
				&stormFlow{kind: "send-mail", mark: fmt.Sprintf("storm mail %d.%d", round, i),
					inputs: map[string]any{"subject": fmt.Sprintf("storm mail %d.%d", round, i), "to": "someone@example.com", "body": "hello"}},
			)
		}
		ctx := ctxTimeout(t, 90*time.Second)
		var wg sync.WaitGroup
		for i, f := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f.turn, f.err = engines[i%2].Run(ctx, builtin(t, f.kind), engine.StartOptions{Inputs: f.inputs, AutoConfirm: true})
			}()
		}
		wg.Wait()
		flows = append(flows, batch...)
	}

	landed := countWrites(r.data(t))
	var out stormOutcome
	for _, f := range flows {
		if f.err != nil {
			t.Fatalf("%s %q: Run: %v", f.kind, f.mark, f.err)
		}
		n := landed[f.kind][f.mark]
		var maybe *graph.MaybeSentError
		switch {
		case f.turn.Kind == engine.KindDone && f.turn.Status == engine.StatusCompleted:
			out.completed++
			if n == 0 {
				out.lost++
				t.Errorf("%s %q completed but its write is not in the mailbox", f.kind, f.mark)
			}
		case f.turn.Kind == engine.KindFailed && errors.As(f.turn.Err, &maybe):
			out.maybeSent++
			if msg := f.turn.Err.Error(); !strings.Contains(msg, "may have been sent") && !strings.Contains(msg, "may have been applied") {
				t.Errorf("%s %q: a maybe-sent failure does not say so: %v", f.kind, f.mark, f.turn.Err)
			}
			if n == 0 {
				out.maybeNotLanded++
			} else {
				out.maybeLanded++
			}
		case f.turn.Kind == engine.KindFailed:
			out.notSent++
			if n > 0 {
				out.notSentButIn++
				t.Errorf("%s %q failed as not sent (%v) but its write is in the mailbox %d time(s)", f.kind, f.mark, f.turn.Err, n)
			}
		default:
			t.Fatalf("%s %q: unexpected turn %v/%v", f.kind, f.mark, f.turn.Kind, f.turn.Status)
		}
		if n > 1 {
			out.duplicated += n - 1
			t.Errorf("%s %q landed %d times", f.kind, f.mark, n)
		}
	}

	faults := 0
	for _, req := range r.sb.Requests() {
		switch req.Status {
		case 0, 429, 503, 504:
			faults++
		}
	}
	injected, byKind := 0, map[string]int{}
	for _, f := range stormFaults {
		switch {
		case f.DropConnection:
			byKind["dropped"] += f.Count * stormRounds
		case f.Status != 0:
			byKind[fmt.Sprint(f.Status)] += f.Count * stormRounds
		default:
			byKind["slow"] += f.Count * stormRounds
			continue
		}
		injected += f.Count * stormRounds
	}
	// Exactly the injected faults: none unused, and no 429 of the sandbox's
	// own limit of 4 concurrent requests per mailbox, which the engines'
	// shared limiter never lets 24 concurrent flows reach.
	if faults != injected {
		t.Errorf("the sandbox answered %d requests with a fault, want exactly the %d injected", faults, injected)
	}
	if hits := transport.hits.Load(); hits == 0 {
		t.Error("no answer of an applied write was lost: the transport fault never fired")
	}
	t.Logf("storm: flows %d: completed %d, may have been sent %d (landed %d, not landed %d), not sent %d", len(flows),
		out.completed, out.maybeSent, out.maybeLanded, out.maybeNotLanded, out.notSent)
	t.Logf("storm: faults injected %d: 429 %d, 503 %d, 504 %d, dropped %d, slow %d, answers lost after the write applied %d",
		injected+byKind["slow"]+int(transport.hits.Load()), byKind["429"], byKind["503"], byKind["504"], byKind["dropped"], byKind["slow"], transport.hits.Load())
	t.Logf("storm: writes lost %d, duplicated %d, reported not sent but applied %d", out.lost, out.duplicated, out.notSentButIn)
	if out.lost != 0 || out.duplicated != 0 || out.notSentButIn != 0 {
		t.Fatalf("writes lost %d, duplicated %d, reported not sent but applied %d: all must be 0", out.lost, out.duplicated, out.notSentButIn)
	}
	if out.completed == 0 {
		t.Fatal("no flow completed: the storm is too strong to prove anything")
	}
}

// countWrites counts, per kind and mark, how many times each write is in
// the demo mailbox: To Do lists by name, events by subject, sent mail by
// subject in Sent Items.
func countWrites(d *sandbox.Data) map[string]map[string]int {
	out := map[string]map[string]int{"create-todo-list": {}, "create-event": {}, "send-mail": {}}
	mb := d.Users[0]
	for _, l := range mb.TodoLists {
		if name, _ := l.List["displayName"].(string); name != "" {
			out["create-todo-list"][name]++
		}
	}
	for _, ev := range mb.Events {
		if s, _ := ev["subject"].(string); s != "" {
			out["create-event"][s]++
		}
	}
	sent := sandbox.FolderID(mb.User.ID, "sentitems")
	for _, m := range mb.Messages {
		if m["parentFolderId"] == sent {
			if s, _ := m["subject"].(string); s != "" {
				out["send-mail"][s]++
			}
		}
	}
	return out
}
