package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

// allocatedBy returns the bytes allocated while f runs.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// An expression nested deeper than Limits.MaxExpressionDepth is refused
// before expr parses it: expr's parser would overflow the stack (a fatal
// error that no recover catches) at a few hundred thousand levels, and
// allocate its whole tree before MaxExprNodes is checked below that. The
// refusal is positioned at the bracket that goes too deep, and the scan
// allocates next to nothing.
func TestExpressionNestingIsRefusedBeforeParsing(t *testing.T) {
	head := "id: x\nname: x\ndescription: x\nscopes: [User.Read]\nsteps:\n  - say: '"
	deep := func(open, closing string, n int) string {
		return "${ " + strings.Repeat(open, n) + "1" + strings.Repeat(closing, n) + " }"
	}
	for _, c := range []struct {
		name, text string
		lim        Limits
		where      string // the position of the refusal
	}{
		{"400,000 brackets", deep("[", "]", 400_000), Limits{}, "t.yaml:6:114:"},
		{"520,000 parentheses", deep("(", ")", 520_000), Limits{}, "t.yaml:6:114:"},
		{"300,000 brackets", deep("[", "]", 300_000), Limits{}, "t.yaml:6:114:"},
		{"mixed, at a lower limit", "${ 1 + " + strings.Repeat("({[", 4) + "1" + strings.Repeat("]})", 4) + " }", Limits{MaxExpressionDepth: 10}, "t.yaml:6:28:"},
		{"after text and another expression", "a ${ 1 } b " + deep("[", "]", 200), Limits{}, "t.yaml:6:125:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := head + c.text + "'\n"
			var err error
			alloc := allocatedBy(func() { _, err = LoadWithLimits("t.yaml", []byte(src), c.lim) })
			var le *LimitError
			if !errors.As(err, &le) || le.Setting != "MaxExpressionDepth" {
				t.Fatalf("error %.300v: want a *LimitError for MaxExpressionDepth", err)
			}
			var load *LoadError
			if !errors.As(err, &load) || countErrors(load.Problems) != 1 {
				t.Fatalf("error %.300v: want a *LoadError with one problem", err)
			}
			if msg := le.Error(); !strings.HasPrefix(msg, c.where) || !strings.Contains(msg, "(Limits.MaxExpressionDepth)") {
				t.Errorf("message %.300q: want it to start with %q and name Limits.MaxExpressionDepth", msg, c.where)
			}
			// The template itself is up to 1 MB; parsing it as YAML takes
			// a few times that. expr's tree of it took about 1 GB.
			if limit := uint64(40*len(src)) + 1<<20; alloc > limit {
				t.Errorf("loading allocated %d bytes, want under %d", alloc, limit)
			}
		})
	}
	// Up to the limit, and brackets inside string literals, load.
	for _, text := range []string{
		deep("[", "]", 99),
		deep("(", ")", 100),
		`${ "` + strings.Repeat("[", 500) + `\"" + ` + "`" + strings.Repeat("{", 500) + "`" + ` }`,
	} {
		if _, err := Load("t.yaml", []byte(head+text+"'\n")); err != nil {
			t.Errorf("%.60s...: %.300v", text, err)
		}
	}
}

// One evaluation runs at most Limits.MaxEvalSteps predicate steps, and
// stops promptly when its call is cancelled or reaches FlowTimeout: the
// nested reduce below is about 10^12 steps.
func TestEvaluationIsBounded(t *testing.T) {
	nested := "steps:\n  - set:\n      v: '${ let r = 1..1000; reduce(r, reduce(r, reduce(r, reduce(r, #acc + 1, 0), 0), 0), 0) }'\n"
	tp := loadInline(t, nested)
	t.Run("MaxEvalSteps", func(t *testing.T) {
		turn := runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{})
		wantLimit(t, turn, "MaxEvalSteps")
		wantFailure(t, turn, "more than 1000000 steps")
	})
	t.Run("a lower MaxEvalSteps", func(t *testing.T) {
		small := loadInline(t, "steps:\n  - set:\n      v: '${ count(1..100, # > 50) + len(filter(1..100, all(1..10, # > 0))) }'\n")
		wantLimit(t, runInline(t, newFakeGraph(t), small, StartOptions{}, Limits{MaxEvalSteps: 500}), "MaxEvalSteps")
		turn := runInline(t, newFakeGraph(t), small, StartOptions{}, Limits{MaxEvalSteps: 1300})
		if turn.Kind != KindDone {
			t.Fatalf("1,300 steps allowed: %v %v", turn.Kind, turn.Err)
		}
	})
	endless := Limits{MaxEvalSteps: 1 << 62}
	t.Run("cancelled", func(t *testing.T) {
		e, err := New(Config{GraphURL: "https://graph.example/v1.0", Auth: auth.Static("t"), Limits: endless})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		turn, err := e.Run(ctx, tp, StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wantFailure(t, turn, "cancelled")
		if !errors.Is(turn.Err, context.Canceled) {
			t.Errorf("error %v: want it to wrap context.Canceled", turn.Err)
		}
	})
	t.Run("FlowTimeout", func(t *testing.T) {
		lim := endless
		lim.FlowTimeout = 50 * time.Millisecond
		turn := runInline(t, newFakeGraph(t), tp, StartOptions{}, lim)
		wantLimit(t, turn, "FlowTimeout")
		if !errors.Is(turn.Err, context.DeadlineExceeded) {
			t.Errorf("error %v: want it to wrap context.DeadlineExceeded", turn.Err)
		}
	})
}

// Counting steps changes no result: every builtin with a predicate, nested
// ones, and the optimizer's rewrites (sum of a range, filter then map,
// all && all) give what they gave before.
func TestEvaluationStepsKeepResults(t *testing.T) {
	for expr, want := range map[string]string{
		`map(1..5, # * 2)`:                           "[2,4,6,8,10]",
		`filter(1..10, # % 3 == 0)`:                  "[3,6,9]",
		`reduce(1..4, #acc * #, 1)`:                  "24",
		`all(1..3, # > 0) && all(1..3, # < 4)`:       "true",
		`any(["a", "b"], # == "b")`:                  "true",
		`none(1..3, # > 3)`:                          "true",
		`one(1..3, # == 2)`:                          "true",
		`count(1..10, # > 7)`:                        "3",
		`sum(1..10, #)`:                              "55",
		`find(1..10, # > 4)`:                         "5",
		`findIndex(1..10, # > 4)`:                    "4",
		`findLast(1..10, # < 4)`:                     "3",
		`sortBy(["bb", "a", "ccc"], len(#))`:         "a, bb, ccc",
		`len(groupBy(1..10, # % 2 == 0)[true])`:      "5",
		`map(filter(1..6, # > 3), # + 1)`:            "[5,6,7]",
		`map(1..2, map(1..2, # * 10))`:               "[[10,20],[10,20]]",
		`reduce(map(1..3, string(#)), #acc + #, "")`: "123",
	} {
		tp := loadInline(t, "steps:\n  - say: '${ "+expr+" }'\n")
		turn := runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{})
		if turn.Kind != KindDone || len(turn.Messages) != 1 || turn.Messages[0] != want {
			t.Errorf("%s: %v %v %q, want %q", expr, turn.Kind, turn.Err, turn.Messages, want)
		}
	}
}

// The data a session holds while it runs is bounded by
// Limits.MaxSessionBytes, checked as each variable or step result is set:
// 300 variables of 1 MB each (300 MB; the issue had 3,000) stop after a few, without a state
// ever being saved. Setting one variable again and again replaces it.
func TestSessionMemoryIsBounded(t *testing.T) {
	var sets strings.Builder
	for i := range 300 {
		fmt.Fprintf(&sets, "      v%d: '${ repeat(\"abcdefgh\", 125000) }'\n", i)
	}
	lim := Limits{MaxSessionBytes: 8 << 20}
	t.Run("variables", func(t *testing.T) {
		tp := loadInline(t, "steps:\n  - set:\n"+sets.String())
		var turn *Turn
		alloc := allocatedBy(func() { turn = runInline(t, newFakeGraph(t), tp, StartOptions{}, lim) })
		wantLimit(t, turn, "MaxSessionBytes")
		if alloc > 100<<20 {
			t.Errorf("the run allocated %d bytes, want under 100 MB", alloc)
		}
	})
	t.Run("step results", func(t *testing.T) {
		g := newFakeGraph(t)
		big := `{"value":"` + strings.Repeat("x", 600<<10) + `"}`
		g.handle("GET /v1.0/me", 200, big)
		var steps strings.Builder
		for i := range 5 {
			fmt.Fprintf(&steps, "  - id: s%d\n    http: {method: GET, path: /me}\n", i)
		}
		steps.WriteString("  - say: '${ len(steps.s0.body) + len(steps.s1.body) + len(steps.s2.body) + len(steps.s3.body) + len(steps.s4.body) }'\n")
		tp := loadInlineScopes(t, "[User.Read]", "steps:\n"+steps.String())
		wantLimit(t, runInline(t, g, tp, StartOptions{}, Limits{MaxSessionBytes: 2 << 20}), "MaxSessionBytes")
	})
	t.Run("replaced values", func(t *testing.T) {
		lim := Limits{MaxSessionBytes: 1 << 20, MaxMemory: 50_000_000}
		tp := loadInlineWithLimits(t, "steps:\n  - foreach: '${ map(1..50, #) }'\n    as: n\n    steps:\n      - set:\n          v: '${ repeat(string(n), 200000) }'\n          w: '${ repeat(\"y\", 200000) }'\n", lim)
		turn := runInline(t, newFakeGraph(t), tp, StartOptions{}, lim)
		if turn.Kind != KindDone {
			t.Fatalf("%v %v: want the flow to complete (it holds under 600 KB at a time)", turn.Kind, turn.Err)
		}
	})
	t.Run("counted after resume", func(t *testing.T) {
		lim := Limits{MaxSessionBytes: 500_000, MaxMemory: 50_000_000}
		tp := loadInlineWithLimits(t, "inputs:\n  - name: go\n    type: string\n    prompt: Go on\nsteps:\n  - set:\n      a: '${ repeat(\"a\", 300000) }'\n  - ask: go\n  - set:\n      b: '${ repeat(\"b\", 300000) }'\n", lim)
		g := newFakeGraph(t)
		e, err := New(Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("t"), Limits: lim})
		if err != nil {
			t.Fatal(err)
		}
		turn, err := e.Start(context.Background(), tp, StartOptions{})
		if err != nil || turn.Kind != KindQuestion {
			t.Fatalf("%v %v", turn, err)
		}
		turn, err = e.Resume(context.Background(), turn.State, "yes")
		if err != nil {
			t.Fatal(err)
		}
		wantLimit(t, turn, "MaxSessionBytes")
	})
}

func countErrors(ps []Problem) int {
	n := 0
	for _, p := range ps {
		if p.Severity == Error {
			n++
		}
	}
	return n
}

// concat counts the elements of its result before it builds it: fifty
// ranges of a million numbers (5 GB built before expr's own memory check)
// are refused under MaxMemory at once; under the budget it behaves as
// expr's concat.
func TestConcatIsSizedFirst(t *testing.T) {
	args := strings.TrimSuffix(strings.Repeat("r, ", 50), ", ")
	for _, c := range []struct{ name, expr, want string }{
		{"fifty ranges", "let r = 1..999999; len(concat(" + args + "))", ""},
		{"in a loop", "let r = 1..999; len(reduce(1..2000, concat(#acc, r), []))", ""},
		{"small", `concat([1, 2], [3], ["a"])`, "[1,2,3,\"a\"]"},
		{"nested", `concat(concat([1], [2]), [3])`, "[1,2,3]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := loadInline(t, "steps:\n  - say: '${ toJSON("+c.expr+") }'\n")
			var turn *Turn
			alloc := allocatedBy(func() { turn = runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{}) })
			if c.want == "" {
				wantLimit(t, turn, "MaxMemory")
				if alloc > 200<<20 {
					t.Errorf("allocated %d MB before refusing, want under 200", alloc>>20)
				}
				return
			}
			if turn.Kind != KindDone || len(turn.Messages) != 1 || strings.Join(strings.Fields(turn.Messages[0]), "") != c.want {
				t.Fatalf("%v %v %q, want %s", turn.Kind, turn.Err, turn.Messages, c.want)
			}
		})
	}
}
