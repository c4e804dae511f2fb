package engine

import (
	"runtime"
	"strings"
	"testing"

	"github.com/expr-lang/expr/conf"
)

// One evaluation has one budget of Limits.MaxValueBytes for all the text
// it builds, and one of Limits.MaxValueDataBytes for the texts its value
// holds (inside lists and maps) and the data json() copies: with the
// default limits, map(1..300, repeat("x", 1000000)) would otherwise build
// 300 MB. Each case must fail before allocating much more than the limit.
func TestTextBudgetPerEvaluation(t *testing.T) {
	for i, c := range []struct{ name, expr string }{
		// Text built: Limits.MaxValueBytes.
		{"map of repeat", `map(1..300, repeat("x", 1000000))`},
		{"map of replace", `map(1..300, replace(repeat("x", 1000), "x", "yyyy"))`},
		{"map of join", `map(1..300, join(map(1..1000, repeat("x", 1000))))`},
		{"map of upper", `let s = repeat("x", 1000000); map(1..300, upper(s))`},
		{"map of toJSON", `let s = repeat("x", 500000); map(1..300, toJSON([s]))`},
		{"doubling by +", `let a = repeat("x", 1000); let b = a + a; let c = b + b; let d = c + c; let e = d + d; let f = e + e; let g = f + f; let h = g + g; let i = h + h; let j = i + i; let k = j + j; let l = k + k; let m = l + l; let n = m + m; let o = n + n; let p = o + o; let q = p + p; q`},
		{"+ of untyped values", `reduce(1..300, #acc + repeat("x", 10000), "")`},
		{"map of +", `let s = repeat("x", 500000); map(1..300, s + s)`},
		// Text held or copied: Limits.MaxValueDataBytes.
		{"list of shared text", `let s = repeat("x", 600000); map(1..100, s)`},
		{"map holding texts", `let s = repeat("x", 600000); {"a": map(1..30, s), "b": map(1..30, s)}`},
		{"json copies", `let s = toJSON([repeat("x", 400000)]); map(1..100, json(s, "0"))`},
	} {
		i := i
		t.Run(c.name, func(t *testing.T) {
			tp := loadInlineWithLimits(t, "steps:\n  - set:\n      v: '${ "+c.expr+" }'\n", Limits{})
			g := newFakeGraph(t)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			turn := runInline(t, g, tp, StartOptions{}, Limits{})
			runtime.ReadMemStats(&after)
			setting := "MaxValueBytes"
			if i >= 8 {
				setting = "MaxValueDataBytes"
			}
			wantLimit(t, turn, setting)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 50<<20 {
				t.Errorf("allocated %d MB before failing", grew>>20)
			}
		})
	}
}

// A text put together from many ${ } parts is bounded too.
func TestInterpolatedTextIsBounded(t *testing.T) {
	tp := loadInlineWithLimits(t, `
steps:
  - set:
      s: '${ repeat("x", 600000) }'
  - say: '${ vars.s }${ vars.s }'
`, Limits{})
	wantLimit(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{}), "MaxValueBytes")
}

// Under the budget, + and the charged builtins behave as expr's own:
// numbers, times and durations still add, texts still join.
func TestTextBudgetKeepsBehaviour(t *testing.T) {
	tp := loadInlineWithLimits(t, `
steps:
  - set:
      n: ${ 2 }
      s: ${ "b" }
      l: '${ map(1..3, repeat("ab", #)) }'
  - say: '${ "a" + vars.s } ${ vars.n + 1 } ${ vars.n + 0.5 } ${ 1 + 2 } ${ vars.s + vars.s } ${ reduce(1..3, #acc + #, 0) } ${ reduce(["x", "y"], #acc + #, "") }'
  - say: '${ upper("a") }${ lower("B") }${ trim(" c ") }${ trimPrefix("xd", "x") }${ trimSuffix("ex", "x") }${ string(1) }${ toJSON(1) }${ toBase64("f") }${ fromBase64("Zw==") } ${ join(vars.l, ",") } ${ (now + duration("1h")) > now }'
`, Limits{})
	turn := runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{})
	if turn.Kind != KindDone {
		t.Fatalf("turn %v %v", turn.Kind, turn.Err)
	}
	want := []string{"ab 3 2.5 3 bb 6 xy", "Abcde11Zg==g ab,abab,ababab true"}
	for i, w := range want {
		if i >= len(turn.Messages) || turn.Messages[i] != w {
			t.Errorf("message %d: got %q, want %q", i, turn.Messages, w)
		}
	}
}

// A + whose operands turn out not to add fails the flow as expr's + does.
func TestPatchedAddReportsBadOperands(t *testing.T) {
	tp := loadInlineWithLimits(t, `
steps:
  - set:
      n: ${ json("2", "@this") }
      s: ${ json("\"b\"", "@this") }
  - say: '${ vars.n + vars.s }'
`, Limits{})
	wantFailure(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{}), "invalid operation")
}

// Lists read from Graph may hold more text than MaxValueBytes: they are
// bounded by MaxValueDataBytes, so an ordinary large page still flows.
func TestLargeGraphListsStillFlow(t *testing.T) {
	tp := loadInlineWithLimits(t, `
steps:
  - id: list
    http:
      method: GET
      path: /me/todo/lists
  - set:
      items: ${ json(steps.list.body, "value") }
  - say: '${ len(vars.items) } ${ len(join(map(vars.items, #.name), "")) }'
`, Limits{})
	g := newFakeGraph(t)
	var body strings.Builder
	body.WriteString(`{"value":[`)
	for i := 0; i < 2000; i++ {
		if i > 0 {
			body.WriteByte(',')
		}
		body.WriteString(`{"name":"` + strings.Repeat("n", 500) + `"}`)
	}
	body.WriteString(`]}`)
	g.handle("GET /v1.0/me/todo/lists", 200, body.String())
	turn := runInline(t, g, tp, StartOptions{}, Limits{})
	if turn.Kind != KindDone || len(turn.Messages) != 1 || turn.Messages[0] != "2000 1000000" {
		t.Fatalf("turn %v %v %q", turn.Kind, turn.Err, turn.Messages)
	}
}

// A value that holds itself ($env kept in a variable) is refused when it
// is set (the session's count of what it holds walks it) or when an
// expression yields it, instead of being walked forever.
func TestSelfHoldingValueIsRefused(t *testing.T) {
	tp := loadInlineWithLimits(t, `
steps:
  - set:
      e: ${ $env }
  - set:
      again: ${ vars }
`, Limits{})
	wantLimit(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{}), "MaxSessionBytes")
}

// A request body made of many bounded values is bounded as a whole.
func TestRequestBodyIsBounded(t *testing.T) {
	items := strings.Repeat("        - ${ vars.s }\n", 40)
	tp := loadInlineWithLimits(t, `
steps:
  - set:
      s: '${ repeat("x", 1000000) }'
  - http:
      method: POST
      path: /me/todo/lists
      body:
        displayName: x
        extra:
`+items, Limits{})
	g := newFakeGraph(t)
	g.handle("POST /v1.0/me/todo/lists", 201, `{"id":"l1"}`)
	wantLimit(t, runInline(t, g, tp, StartOptions{}, Limits{}), "MaxValueDataBytes")
	if n := len(g.sent()); n != 0 {
		t.Errorf("sent %d requests, want none", n)
	}
}

// TestBudgetedSignaturesCoverEveryFunction checks that every charged
// function's types are in budgetedSignatures, so that loading a template
// never derives one with reflect.FuncOf, and that each pair is the type
// with the budget first.
func TestBudgetedSignaturesCoverEveryFunction(t *testing.T) {
	for plain, budgeted := range budgetedSignatures() {
		if want := withBudgetParam(plain); budgeted != want {
			t.Errorf("budgetedSignatures pairs %v with %v, want %v", plain, budgeted, want)
		}
	}
	c := conf.CreateNew()
	for _, opt := range exprFuncs(1 << 20) {
		opt(c)
	}
	checked := 0
	for name := range budgetedFuncs {
		fn, ok := c.Functions[name]
		if !ok {
			t.Errorf("%s is charged (budgetedFuncs) but not declared by exprFuncs", name)
			continue
		}
		for _, typ := range fn.Types {
			if typ.NumIn() > 0 && typ.In(0) == budgetType {
				continue // the patched call's type
			}
			checked++
			if _, ok := budgetedSignatures()[typ]; !ok {
				t.Errorf("%s: type %v is not in budgetedSignatures", name, typ)
			}
		}
	}
	if checked < len(budgetedFuncs) {
		t.Errorf("checked %d types of %d charged functions: the walk missed some", checked, len(budgetedFuncs))
	}
}
