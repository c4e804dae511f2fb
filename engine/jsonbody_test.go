package engine

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// json(steps.<id>.body, path) is compiled into the call that validates a
// body once per response, and behaves as json() does: values, nil for a
// missing path, an error for a body that is not JSON.
func TestJSONOfStepBody(t *testing.T) {
	tp := loadInline(t, `
steps:
  - id: l
    http:
      method: GET
      path: /me/todo/lists
    on_error:
      - status: [404]
        continue: true
  - say: '${ json(steps.l.body, "value.0.id") } ${ json(steps.l.body, "nope") ?? "none" } ${ json(steps.l?.body, "value.#") }'
`)
	say := tp.main.steps[1].text.exprs(nil)
	if len(say) != 3 {
		t.Fatalf("%d expressions", len(say))
	}
	for i, want := range []bool{true, true, false} {
		if got := strings.Contains(say[i].prog.Disassemble(), jsonBodyFunc); got != want {
			t.Errorf("expression %d (%s): patched %v, want %v", i, say[i].src, got, want)
		}
	}
	g := newFakeGraph(t)
	g.handle("GET /v1.0/me/todo/lists", 200, `{"value":[{"id":"a"},{"id":"b"}]}`)
	turn := runInline(t, g, tp, StartOptions{}, Limits{})
	if turn.Kind != KindDone || turn.Messages[0] != "a none 2" {
		t.Fatalf("turn %v %v %q", turn.Kind, turn.Err, turn.Messages)
	}
	g.handleFunc("GET /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(404)
		io.WriteString(w, "not found, not JSON")
	})
	wantFailure(t, runInline(t, g, tp, StartOptions{}, Limits{}), "json: the text is not valid JSON")
}
