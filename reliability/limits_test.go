package reliability

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// limitEngine is an engine on a loopback "Graph" with the given limits.
func limitEngine(t *testing.T, lim engine.Limits) (*loopback, *engine.Engine) {
	t.Helper()
	g := newLoopback(t)
	e, err := engine.New(engine.Config{GraphURL: g.URL + "/v1.0", Auth: auth.Static(hostileToken), Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	return g, e
}

// runFails runs tp and returns the flow's error, failing the test when the
// flow does not fail.
func runFails(t *testing.T, e *engine.Engine, tp *engine.Template, inputs map[string]any) error {
	t.Helper()
	turn, err := e.Run(ctxTimeout(t, 30*time.Second), tp, engine.StartOptions{Inputs: inputs})
	if err != nil {
		return err
	}
	if turn.Kind != engine.KindFailed {
		t.Fatalf("the flow did not fail: %v %v", turn.Kind, turn.Status)
	}
	return turn.Err
}

func wantNamed(t *testing.T, err error, names ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("the error does not name %q: %v", n, err)
		}
	}
}

const pagingTemplate = `id: paging
name: Paging
description: follows pages
scopes: [Calendars.Read]
steps:
  - id: events
    http:
      method: GET
      path: /me/events
      paging: true
output:
  count: ${ steps.events.count }
  truncated: ${ steps.events.truncated }
`

// endlessPages answers every GET with 3 items and a nextLink to more.
func endlessPages(g *loopback) {
	n := 0
	g.setAnswer(func(w http.ResponseWriter, r *http.Request) {
		n++
		jsonAnswer(200, fmt.Sprintf(`{"value":[{"id":"%d-1"},{"id":"%d-2"},{"id":"%d-3"}],"@odata.nextLink":"http://%s/v1.0/me/events?$skip=%d"}`, n, n, n, r.Host, 3*n))(w, r)
	})
}

func outputs(turn *engine.Turn) map[string]any {
	out := map[string]any{}
	for _, o := range turn.Outputs {
		out[o.Name] = o.Value
	}
	return out
}

func TestLimitResponseBodySize(t *testing.T) {
	g, e := limitEngine(t, engine.Limits{})
	big := `{"value":[{"id":"` + strings.Repeat("x", 8<<20) + `"}]}`
	g.setAnswer(jsonAnswer(200, big))
	err := runFails(t, e, load(t, "paging.yaml", pagingTemplate), nil)
	wantNamed(t, err, "MaxBodyBytes")
}

func TestLimitPagesAndItems(t *testing.T) {
	// MaxPages: paging stops at the engine's cap and says truncated.
	g, e := limitEngine(t, engine.Limits{MaxPages: 4})
	endlessPages(g)
	turn, err := e.Run(ctxTimeout(t, 30*time.Second), load(t, "paging.yaml", pagingTemplate), engine.StartOptions{})
	if err != nil || turn.Kind != engine.KindDone {
		t.Fatalf("%v %v", err, turn.Err)
	}
	if out := outputs(turn); out["truncated"] != true || len(g.requests()) != 4 {
		t.Errorf("MaxPages 4: outputs %v after %d requests, want truncated after 4", out, len(g.requests()))
	}
	// A template's max_pages may ask for less, never more.
	g, e = limitEngine(t, engine.Limits{MaxPages: 2})
	endlessPages(g)
	more := strings.Replace(pagingTemplate, "paging: true", "paging:\n        max_pages: 40", 1)
	turn, err = e.Run(ctxTimeout(t, 30*time.Second), load(t, "paging.yaml", more), engine.StartOptions{})
	if err != nil || turn.Kind != engine.KindDone || len(g.requests()) != 2 {
		t.Errorf("max_pages 40 under MaxPages 2: %v %v after %d requests, want done after 2", err, turn.Err, len(g.requests()))
	}
	// MaxItems.
	g, e = limitEngine(t, engine.Limits{MaxItems: 7})
	endlessPages(g)
	turn, err = e.Run(ctxTimeout(t, 30*time.Second), load(t, "paging.yaml", pagingTemplate), engine.StartOptions{})
	if err != nil || turn.Kind != engine.KindDone {
		t.Fatalf("%v %v", err, turn.Err)
	}
	if out := outputs(turn); out["truncated"] != true || fmt.Sprint(out["count"]) != "7" {
		t.Errorf("MaxItems 7: outputs %v, want 7 items, truncated", out)
	}
}

func TestLimitForeach(t *testing.T) {
	wantNamed(t, foreachOverLimit(t), "foreach.yaml:6:5", "5 items", "maximum of 3")
}

// foreachOverLimit runs a foreach of 5 items under MaxForeach 3.
func foreachOverLimit(t *testing.T) error {
	_, e := limitEngine(t, engine.Limits{MaxForeach: 3})
	tp := load(t, "foreach.yaml", `id: loop
name: Loop
description: loops
scopes: []
steps:
  - foreach: ${ [1, 2, 3, 4, 5] }
    as: n
    steps:
      - say: ${ n }
`)
	return runFails(t, e, tp, nil)
}

func TestLimitExpressionSize(t *testing.T) {
	wantNamed(t, exprOverLimit(t), "big.yaml:6:", "exceeds maximum allowed nodes")
}

// exprOverLimit loads a 601-node expression under MaxExprNodes 100.
func exprOverLimit(t *testing.T) error {
	expr := strings.Repeat("1 + ", 300) + "1"
	src := `id: big
name: Big
description: a big expression
scopes: []
steps:
  - say: ${ ` + expr + ` }
`
	if _, err := engine.LoadWithLimits("big.yaml", []byte(src), engine.Limits{MaxExprNodes: 1000}); err != nil {
		t.Errorf("under a larger MaxExprNodes the template should load: %v", err)
	}
	_, err := engine.LoadWithLimits("big.yaml", []byte(src), engine.Limits{MaxExprNodes: 100})
	return err
}

func TestLimitExpressionMemory(t *testing.T) {
	wantNamed(t, memoryOverLimit(t), "memory.yaml:6:5", "memory budget exceeded")
}

// memoryOverLimit builds a million-item list under MaxMemory 10000.
func memoryOverLimit(t *testing.T) error {
	_, e := limitEngine(t, engine.Limits{MaxMemory: 10000})
	tp := load(t, "memory.yaml", `id: memory
name: Memory
description: builds a big list
scopes: []
steps:
  - set:
      big: ${ map(1..1000000, {# * 2}) }
  - say: ${ len(vars.big) }
`)
	return runFails(t, e, tp, nil)
}

func TestLimitTemplateFileSize(t *testing.T) {
	small, dflt := templateOverLimit(t)
	wantNamed(t, small, "big.yaml", "more than the limit of 4096")
	wantNamed(t, dflt, "huge.yaml", "more than the limit of 1048576")
}

// templateOverLimit loads a 5 kB template under MaxTemplateBytes 4096 and
// a 1 MiB one under the default.
func templateOverLimit(t *testing.T) (small, dflt error) {
	src := "id: big\nname: Big\ndescription: " + strings.Repeat("x", 5000) + "\nscopes: []\nsteps:\n  - say: hi\n"
	_, small = engine.LoadWithLimits("big.yaml", []byte(src), engine.Limits{MaxTemplateBytes: 4096})
	_, dflt = engine.Load("huge.yaml", []byte("id: x\n# "+strings.Repeat("y", 1<<20)+"\n"))
	return small, dflt
}

func TestLimitYAMLAliasExpansion(t *testing.T) {
	// A "billion laughs": 9 levels of 9 aliases would be 9^9 values.
	var b strings.Builder
	b.WriteString("id: laughs\nname: Laughs\ndescription: alias bomb\nscopes: []\nx0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "x%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("steps:\n  - set: {v: *l8}\n")
	start := time.Now()
	_, err := engine.Load("laughs.yaml", []byte(b.String()))
	wantNamed(t, err, "aliases")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("refusing the alias bomb took %v", d)
	}
}

// engineLimitsState are the limits of the state size tests.
var engineLimitsState = engine.Limits{MaxStateBytes: 4096}

func TestLimitStateSize(t *testing.T) {
	_, e := limitEngine(t, engineLimitsState)
	tp := load(t, "state.yaml", `id: state
name: State
description: grows its state, then asks
scopes: []
inputs:
  - name: go
    type: string
    prompt: Go on?
steps:
  - set:
      big: ${ repeat("x", 10000) }
  - ask: go
  - say: ${ len(vars.big) }
`)
	turn, err := e.Start(ctxTimeout(t, 10*time.Second), tp, engine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != engine.KindFailed {
		t.Fatalf("a state over MaxStateBytes was saved: %v (%d bytes)", turn.Kind, len(turn.State))
	}
	wantNamed(t, turn.Err, "MaxStateBytes")

	// Resume refuses an oversized state before decoding it.
	err = resumeOverLimit(t, e)
	var se *engine.StateError
	if !errors.As(err, &se) {
		t.Fatalf("Resume of an oversized state: %v, want a *engine.StateError", err)
	}
	wantNamed(t, err, "more than the limit of 4096")
}

// resumeOverLimit resumes a 5 kB state on an engine with MaxStateBytes 4096.
func resumeOverLimit(t *testing.T, e *engine.Engine) error {
	_, err := e.Resume(ctxTimeout(t, 10*time.Second), []byte(`{"v":1,"pad":"`+strings.Repeat("x", 5000)+`"}`), "")
	return err
}

func TestLimitPromptsReasked(t *testing.T) {
	_, e := limitEngine(t, engine.Limits{MaxAttempts: 2})
	tp := load(t, "ask.yaml", `id: ask
name: Ask
description: asks a number
scopes: []
inputs:
  - name: n
    type: integer
    prompt: How many?
steps:
  - say: ${ inputs.n }
`)
	ctx := ctxTimeout(t, 10*time.Second)
	turn, err := e.Start(ctx, tp, engine.StartOptions{})
	if err != nil || turn.Kind != engine.KindQuestion || turn.Question.MaxAttempts != 2 {
		t.Fatalf("%v %+v", err, turn)
	}
	for i, answer := range []string{"many", "lots"} {
		turn, err = e.Resume(ctx, turn.State, answer)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && turn.Kind != engine.KindQuestion {
			t.Fatalf("first bad answer: %v, want the question again", turn.Kind)
		}
	}
	if turn.Kind != engine.KindFailed {
		t.Fatalf("after 2 bad answers: %v, want failed", turn.Kind)
	}
	var ie *engine.InputError
	if !errors.As(turn.Err, &ie) || ie.Attempts != 2 {
		t.Errorf("want an *engine.InputError after 2 attempts: %v", turn.Err)
	}
	wantNamed(t, turn.Err, "2")
}

func TestLimitStepAndFlowTimeouts(t *testing.T) {
	step, flow := timeoutsHit(t)
	wantNamed(t, step, "slow.yaml:6:5", "deadline exceeded")
	wantNamed(t, flow, "slow.yaml:6:5", "deadline exceeded")
}

// timeoutsHit runs a step against a server that does not answer, once under
// StepTimeout 200ms and once under FlowTimeout 200ms.
func timeoutsHit(t *testing.T) (step, flow error) {
	slow := func(g *loopback) {
		g.setAnswer(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		})
	}
	tp := load(t, "slow.yaml", pagingTemplate)
	g, e := limitEngine(t, engine.Limits{StepTimeout: 200 * time.Millisecond})
	slow(g)
	start := time.Now()
	step = runFails(t, e, tp, nil)
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the step ran %v past its 200ms StepTimeout", d)
	}
	g, e = limitEngine(t, engine.Limits{FlowTimeout: 200 * time.Millisecond})
	slow(g)
	return step, runFails(t, e, tp, nil)
}

func TestLimitExpressionText(t *testing.T) {
	err := valueOverLimit(t)
	wantNamed(t, err, "MaxValueBytes")
	var lim *engine.LimitError
	if !errors.As(err, &lim) || lim.Setting != "MaxValueBytes" {
		t.Errorf("want a *engine.LimitError for MaxValueBytes: %#v", err)
	}
}

// valueOverLimit nests replace(x, "", x) over a 1 KiB answer: without a
// bound on the text an expression builds, a few levels make gigabytes.
// Refused, with the default limits, before the text is built.
func valueOverLimit(t *testing.T) error {
	_, e := limitEngine(t, engine.Limits{})
	tp := load(t, "text.yaml", `id: text
name: Text
description: builds a huge text from an answer
scopes: []
inputs:
  - name: x
    type: string
    prompt: Some text?
steps:
  - set:
      big: '${ replace(replace(replace(replace(inputs.x, "", inputs.x), "", inputs.x), "", inputs.x), "", inputs.x) }'
  - say: ${ len(vars.big) }
`)
	start := time.Now()
	err := runFails(t, e, tp, map[string]any{"x": strings.Repeat("a", 1024)})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing the text took %v", d)
	}
	return err
}

// aliasesOverLimit loads a template whose aliases reach more nodes than a
// configured MaxAliasNodes.
func aliasesOverLimit(t *testing.T) error {
	src := "id: a\nname: A\ndescription: aliases\nscopes: []\nsteps:\n  - set: {v: &l [a, b, c, d, e, f, g, h, i, j]}\n  - set: {w: [*l, *l, *l, *l, *l]}\n"
	if _, err := engine.LoadWithLimits("ok.yaml", []byte(src), engine.Limits{}); err != nil {
		t.Fatalf("under the default MaxAliasNodes: %v", err)
	}
	_, err := engine.LoadWithLimits("aliases.yaml", []byte(src), engine.Limits{MaxAliasNodes: 20})
	return err
}
