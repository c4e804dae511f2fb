package engine

import (
	"net/http"
	"testing"
)

// The fields of a step result that are filled (headers; items, count and
// truncated) follow the expressions' reads, in any spelling of a static
// member access, and not the words appearing elsewhere in the text.
func TestStepFieldsKeptFollowTheReads(t *testing.T) {
	for _, c := range []struct {
		name, say      string
		headers, items bool
		want           string
	}{
		{"index spelling", `${ steps.l["headers"]["etag"] } ${ steps.l["count"] }`, true, true, "W/1 2"},
		{"dot spelling", `${ steps.l.headers.etag } ${ steps.l.truncated }`, true, true, "W/1 false"},
		{"optional chaining", `${ steps.l?.headers?.etag }`, true, false, "W/1"},
		{"words in text only", `headers items count: ${ "headers" } ${ steps.l.status }`, false, false, "headers items count: headers 200"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := loadInline(t, `
steps:
  - id: l
    http:
      method: GET
      path: /me/todo/lists
  - say: '`+c.say+`'
`)
			if tp.needHeaders != c.headers || tp.needItems != c.items {
				t.Errorf("needHeaders %v needItems %v, want %v %v", tp.needHeaders, tp.needItems, c.headers, c.items)
			}
			g := newFakeGraph(t)
			g.handleFunc("GET /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", "W/1")
				writeJSON(w, 200, `{"value":[{"id":"a"},{"id":"b"}]}`)
			})
			turn := runInline(t, g, tp, StartOptions{}, Limits{})
			if turn.Kind != KindDone || len(turn.Messages) != 1 || turn.Messages[0] != c.want {
				t.Fatalf("turn %v %v %q, want %q", turn.Kind, turn.Err, turn.Messages, c.want)
			}
		})
	}
}
