package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, and a
// template it accepts must describe itself without panicking.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"../testdata/templates/*.yaml", "testdata/errors/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if src, err := os.ReadFile(file); err == nil {
				f.Add(src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		problems := Check("fuzz.yaml", src)
		tp, err := Load("fuzz.yaml", src)
		if err == nil {
			for _, p := range problems {
				if p.Severity == Error {
					t.Fatalf("Load accepted a template Check rejects: %v", p)
				}
			}
			_ = tp.Steps()
			_ = tp.Inputs()
			_ = tp.MissingInputs(nil)
		}
	})
}

// FuzzResumeState feeds arbitrary states to Resume: it must refuse or run
// them, never panic.
func FuzzResumeState(f *testing.F) {
	tp := mustLoad(f, "../testdata/templates/all-steps.yaml")
	srv := newFuzzGraph(f)
	e := newTestEngine(f, srv, nil, tp)
	turn, err := e.Start(context.Background(), tp, StartOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(turn.State, "add")
	turn, err = e.Resume(context.Background(), turn.State, "add")
	if err != nil || turn.Kind != KindQuestion {
		f.Fatalf("%v %v", err, turn.Err)
	}
	f.Add(turn.State, "Work")
	f.Add([]byte(`{"v":1}`), "")
	f.Add([]byte(`{"v":2,"template":"all-steps","hash":"`+tp.Hash()+`","session":"s","seq":1,"cursor":[{"b":"main","i":0}],"wait":"input"}`), "x")
	f.Fuzz(func(t *testing.T, state []byte, answer string) {
		turn, err := e.Resume(context.Background(), state, answer)
		if err == nil && turn == nil {
			t.Fatal("no turn and no error")
		}
	})
}

func newFuzzGraph(tb testing.TB) *fakeGraph {
	t, ok := tb.(*testing.T)
	if !ok {
		// testing.F: build the server by hand with the same routes.
		g := &fakeGraph{routes: map[string]func(w http.ResponseWriter, r *http.Request){}}
		g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, `{"value":[{"id":"a/b","displayName":"Work"}]}`)
		}))
		tb.Cleanup(g.Close)
		return g
	}
	return listsGraph(t)
}

// FuzzExpression compiles arbitrary expression text in a template and, when
// it compiles, runs it: neither may panic or run away (the node limit and
// memory budget bound it).
func FuzzExpression(f *testing.F) {
	for _, seed := range []string{
		`inputs.n * 2`, `json(inputs.s, 'a.b')`, `graphDateTime(now, "W. Europe Standard Time")`,
		`formatTime(inputs.t, "2006", zone)`, `odataString(inputs.s)`, `inZone(now, "Asia/Tokyo")`,
		`map(1..10, # * 2)`, `{a: [1, 2], b: "}"}`, `1..100000000 | map(# * 2)`, `split(inputs.s, "")`,
		`graphTime("2026-12-01T15:00:00.0000000", inputs.s)`, `inputs.s[1:]`, `now + duration(inputs.s)`,
	} {
		f.Add(seed)
	}
	g := newFuzzGraph(f)
	e := newTestEngine(f, g, nil)
	f.Fuzz(func(t *testing.T, src string) {
		if strings.ContainsAny(src, "\n\r") {
			return
		}
		doc := "id: fx\nname: x\ndescription: x\nscopes: [User.Read]\ninputs:\n  - {name: s, type: string, prompt: s}\n  - {name: n, type: integer, prompt: n}\n  - {name: t, type: datetime, prompt: t}\nsteps:\n  - set:\n      v: " + strconv.Quote("${ "+src+" }") + "\n"
		tp, err := Load("fx.yaml", []byte(doc))
		if err != nil {
			return
		}
		turn, err := e.Run(context.Background(), tp, StartOptions{Inputs: map[string]any{"s": "a{b}'c", "n": 3, "t": "2026-12-01 15:00"}})
		if err != nil || turn == nil {
			t.Fatalf("%v %v", turn, err)
		}
	})
}
