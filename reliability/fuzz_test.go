package reliability

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// expressionSeeds are expressions an author, a fuzzer or an attacker might
// write: valid ones of every helper, type errors, unknown names, runaway
// sizes, nesting, and text that tries to break out of ${ }.
var expressionSeeds = []struct{ expr, answer string }{
	{`1 + 2 * 3`, ""},
	{`inputs.s + "!"`, "hello"},
	{`upper(trim(inputs.s))`, "  mixed Case "},
	{`odataString(inputs.s)`, "O'Brien' or 1 eq 1 or 'x"},
	{`json('{"a":{"b":[1,2,3]}}', 'a.b.#')`, ""},
	{`json(inputs.s, 'value.0.id')`, `{"value":[{"id":"x"}]}`},
	{`json(inputs.s, '@this')`, `not json`},
	{`json(inputs.s, '..')`, `[[[[[[[[[[`},
	{`formatTime(now, "2006-01-02", "Europe/Berlin")`, ""},
	{`formatTime(now, "2006", inputs.s)`, "../../../../etc/passwd"},
	{`formatTime(now, "2006", inputs.s)`, strings.Repeat("Zone/", 100)},
	{`graphDateTime(now, "Pacific Standard Time")`, ""},
	{`graphTime(inputs.s, "UTC")`, "2026-13-45T99:99:99"},
	{`inZone(now, "UTC") > now`, ""},
	{`duration("1h30m") + duration(inputs.s)`, "-9999999999h"},
	{`len(inputs.s) / 0`, "x"},
	{`1 / 0`, ""},
	{`int(inputs.s)`, "99999999999999999999999999"},
	{`float(inputs.s) * 1e308 * 10`, "1e308"},
	{`map(1..1000000, {# * 2})`, ""},
	{`repeat(inputs.s, 100000000)`, "xxxxxxxxxx"},
	{`repeat("x", -1)`, ""},
	{`join(map(1..100000, {string(#)}), ",")`, ""},
	{`filter(1..10, {# > inputs.s})`, "5"},
	{`inputs.s[1000000]`, "short"},
	{`inputs.s[5:2]`, "abcdefgh"},
	{`split(inputs.s, "")`, strings.Repeat("ab", 1000)},
	{`replace(inputs.s, "", inputs.s)`, strings.Repeat("y", 200)},
	{`vars.nope.deeper`, ""},
	{`steps.nope.body`, ""},
	{`nope`, ""},
	{`now()`, ""},
	{`inputs`, ""},
	{`session.id + user + string(zone)`, ""},
	{`"}" + "${" + "${ 1 }"`, ""},
	{`} ${ 1`, ""},
	{`"\u0000\r\n"`, ""},
	{`((((((((((((((((((((1))))))))))))))))))))`, ""},
	{strings.Repeat("[", 500) + strings.Repeat("]", 500), ""},
	{strings.Repeat("1 + ", 3000) + "1", ""},
	{`let x = 1..100000; map(x, {map(x, {#})})`, ""},
	{`reduce(1..100000, #acc + #, 0)`, ""},
	{`toJSON(inputs)`, "secretive"},
	{`fromJSON(inputs.s)`, `{"a":` + strings.Repeat(`{"a":`, 200) + `1` + strings.Repeat("}", 201)},
	{`sortBy(1..1000, -#)`, ""},
	{`inputs.s matches "(a+)+$"`, strings.Repeat("a", 40) + "!"},
	{`inputs.s matches inputs.s`, "(["},
	{`date(inputs.s)`, "yesterday-ish"},
	{`$env`, ""},
	{`$env.inputs.s`, "x"},
}

// fuzzTemplate is a template whose only work is evaluating expr; its
// input s takes the fuzzed answer.
func fuzzTemplate(expr string) []byte {
	quoted, _ := json.Marshal("${ " + expr + " }")
	return []byte(`id: fuzz
name: Fuzz
description: evaluates one expression
scopes: []
inputs:
  - name: s
    type: string
    prompt: Anything?
    required: false
    default: x
steps:
  - set:
      v: ` + string(quoted) + `
  - say: done
output:
  v: ${ vars.v }
`)
}

// FuzzExpression puts an arbitrary expression into a template, loads it
// and, when it loads, runs it with an arbitrary answer under small limits.
// Nothing may panic; a refused template is a *engine.LoadError pointing at
// a line of the file; a run ends (done or failed) within its FlowTimeout
// and its memory budget, and no error spans several lines.
func FuzzExpression(f *testing.F) {
	for _, s := range expressionSeeds {
		f.Add(s.expr, s.answer)
	}
	g := newLoopback(f)
	e, err := engine.New(engine.Config{GraphURL: g.URL + "/v1.0", Auth: auth.Static(hostileToken),
		Limits: engine.Limits{MaxMemory: 200_000, FlowTimeout: 3 * time.Second, MaxStateBytes: 64 << 10}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr, answer string) {
		if len(expr) > 4096 || len(answer) > 4096 {
			return
		}
		tp, err := engine.Load("fuzz.yaml", fuzzTemplate(expr))
		if err != nil {
			var le *engine.LoadError
			if !errors.As(err, &le) || len(le.Problems) == 0 {
				t.Fatalf("Load failed without a *engine.LoadError listing problems: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("a load error without a position: %q", err)
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		turn, err := e.Run(ctx, tp, engine.StartOptions{Inputs: map[string]any{"s": answer}})
		if d := time.Since(start); d > 8*time.Second {
			t.Fatalf("the run took %v, past its FlowTimeout", d)
		}
		if err != nil {
			return // misuse errors (a preset the input refuses)
		}
		switch turn.Kind {
		case engine.KindDone, engine.KindFailed:
		default:
			t.Fatalf("a run with every input preset returned %v", turn.Kind)
		}
		if turn.Kind == engine.KindFailed && strings.Contains(turn.Err.Error(), hostileToken) {
			t.Fatalf("the error shows the token: %v", turn.Err)
		}
	})
}
