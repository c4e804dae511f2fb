package bot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/templates"
)

// The tests run real Servers on loopback against the sandbox (Graph in
// process, over HTTP); nothing is mocked.

// world is a sandbox and the templates; replicas are Servers on one store.
type world struct {
	t     testing.TB
	sb    *sandbox.Server
	sbURL string
	tpls  []*engine.Template
	store Store
}

func newWorld(t testing.TB, store Store) *world {
	t.Helper()
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{MaxConcurrentPerMailbox: -1})
	tpls, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, sb: sb, sbURL: ts.URL, tpls: tpls, store: store}
}

// replica starts a Server on the world's store, on its own loopback
// listener, with its own Engine and Metrics.
func (w *world) replica() (*Server, *httptest.Server) {
	w.t.Helper()
	var scopes []string
	for _, t := range w.tpls {
		scopes = append(scopes, t.Scopes()...)
	}
	m := &Metrics{}
	eng, err := engine.New(engine.Config{GraphURL: w.sbURL + "/v1.0", Auth: auth.Static(w.sb.Token(scopes...)),
		Templates: w.tpls, Trace: m.Trace, StateKey: []byte("0123456789abcdef0123456789abcdef-test")})
	if err != nil {
		w.t.Fatal(err)
	}
	s, err := New(Config{Engine: eng, Templates: w.tpls, Store: w.store, Metrics: m})
	if err != nil {
		w.t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	w.t.Cleanup(ts.Close)
	return s, ts
}

// writes counts the requests of method to a path ending with suffix that
// the sandbox answered with a 2xx.
func (w *world) writes(method, suffix string) int {
	n := 0
	for _, r := range w.sb.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) && r.Status/100 == 2 {
			n++
		}
	}
	return n
}

// call sends a JSON request and decodes the answer into a generic map
// and, for 200, a Reply.
func call(t testing.TB, base, method, path, body string) (int, Reply, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatalf("%s %s: answer is not JSON (%v): %s", method, path, err, raw)
	}
	var r Reply
	if resp.StatusCode == http.StatusOK {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%s %s: not a Reply: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, r, generic
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
