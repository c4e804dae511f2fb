package engine

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

func loadInlineWithLimits(t *testing.T, body string, lim Limits) *Template {
	t.Helper()
	src := "id: edge\nname: Edge\ndescription: An edge case.\nscopes: [Tasks.ReadWrite]\n" + body
	tp, err := LoadWithLimits("edge.yaml", []byte(src), lim)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// wantLimit checks that a failed turn's error is a *LimitError for setting
// and that its text names Limits.<setting>.
func wantLimit(t *testing.T, turn *Turn, setting string) {
	t.Helper()
	wantFailure(t, turn, "Limits."+setting)
	var le *LimitError
	if !errors.As(turn.Err, &le) || le.Setting != setting {
		t.Errorf("error %v: want a *LimitError for %s", turn.Err, setting)
	}
}

// Text-building functions work out the size of their result before
// building it: a nested replace that would grow to gigabytes fails at the
// first result over Limits.MaxValueBytes, at once.
func TestStringGrowthIsBounded(t *testing.T) {
	lim := Limits{MaxValueBytes: 1 << 16}
	for _, c := range []struct{ name, expr string }{
		{"nested replace", `replace(replace(replace(replace(repeat("x", 100), "x", repeat("x", 100)), "x", repeat("x", 100)), "x", repeat("x", 100)), "x", repeat("x", 100))`},
		{"replace of empty", `replace(repeat("x", 60000), "", "yy")`},
		{"replace with count", `replace(repeat("x", 40000), "x", "yy", 30000)`},
		{"repeat", `repeat(repeat("ab", 1000), 1000)`},
		{"join", `join(map(1..100, repeat("x", 1000)), ",")`},
		{"concatenation", `repeat("x", 40000) + repeat("y", 40000)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := loadInlineWithLimits(t, "steps:\n  - set:\n      v: '${ "+c.expr+" }'\n", lim)
			start := time.Now()
			turn := runInline(t, newFakeGraph(t), tp, StartOptions{}, lim)
			wantLimit(t, turn, "MaxValueBytes")
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// Under the limit, the functions behave as expr's builtins.
	tp := loadInlineWithLimits(t, `
steps:
  - say: '${ replace("a-b-c", "-", "+") } ${ replace("a-b-c", "-", "+", 1) } ${ repeat("ab", 3) } ${ join(["a", "b"], "/") } ${ join(split("x y", " ")) }'
`, lim)
	turn := runInline(t, newFakeGraph(t), tp, StartOptions{}, lim)
	if turn.Kind != KindDone || turn.Messages[0] != "a+b+c a+b-c ababab a/b xy" {
		t.Fatalf("turn %v %v %q", turn.Kind, turn.Err, turn.Messages)
	}
}

// Every limit reached at run time is a *LimitError naming its setting.
func TestRunTimeLimitsAreNamed(t *testing.T) {
	t.Run("MaxForeach", func(t *testing.T) {
		tp := loadInline(t, "steps:\n  - foreach: ${ [1, 2, 3] }\n    as: n\n    steps:\n      - say: ${ n }\n")
		wantLimit(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{MaxForeach: 2}), "MaxForeach")
	})
	t.Run("MaxMemory", func(t *testing.T) {
		tp := loadInline(t, "steps:\n  - set:\n      big: '${ map(1..100000, # * 2) }'\n")
		wantLimit(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{MaxMemory: 1000}), "MaxMemory")
	})
	slow := func(t *testing.T) *fakeGraph {
		g := newFakeGraph(t)
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		g.handleFunc("GET /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		return g
	}
	get := "steps:\n  - http:\n      method: GET\n      path: /me/todo/lists\n"
	t.Run("StepTimeout", func(t *testing.T) {
		turn := runInline(t, slow(t), loadInline(t, get), StartOptions{}, Limits{StepTimeout: 50 * time.Millisecond})
		wantLimit(t, turn, "StepTimeout")
		wantFailure(t, turn, "deadline exceeded")
	})
	t.Run("FlowTimeout", func(t *testing.T) {
		turn := runInline(t, slow(t), loadInline(t, get), StartOptions{}, Limits{FlowTimeout: 50 * time.Millisecond})
		wantLimit(t, turn, "FlowTimeout")
		wantFailure(t, turn, "deadline exceeded")
	})
	t.Run("FlowTimeout between steps", func(t *testing.T) {
		// Many cheap steps: the deadline is checked between steps too.
		tp := loadInline(t, "steps:\n  - foreach: ${ 1..1000 }\n    as: n\n    steps:\n      - set:\n          v: '${ map(1..2000, # * n) }'\n")
		wantLimit(t, runInline(t, newFakeGraph(t), tp, StartOptions{}, Limits{FlowTimeout: time.Nanosecond}), "FlowTimeout")
	})
}

// Limits.ClaimGrace defaults to a minute, and New refuses one below
// MinClaimGrace, naming the setting.
func TestClaimGraceSetting(t *testing.T) {
	if got := DefaultLimits().ClaimGrace; got != time.Minute {
		t.Errorf("default ClaimGrace %v, want 1m", got)
	}
	if got := (Limits{}).withDefaults().ClaimGrace; got != time.Minute {
		t.Errorf("zero ClaimGrace becomes %v, want 1m", got)
	}
	g := newFakeGraph(t)
	for _, c := range []struct {
		grace time.Duration
		ok    bool
	}{{0, true}, {-time.Second, true}, {MinClaimGrace, true}, {MinClaimGrace - time.Millisecond, false}, {time.Millisecond, false}} {
		_, err := New(Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("t"), Limits: Limits{ClaimGrace: c.grace}})
		if c.ok && err != nil {
			t.Errorf("ClaimGrace %v: %v", c.grace, err)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "Limits.ClaimGrace")) {
			t.Errorf("ClaimGrace %v: error %v, want one naming Limits.ClaimGrace", c.grace, err)
		}
	}
}

// The Graph client's settings pass through engine.Config.Graph.
func TestGraphOptionsPassThrough(t *testing.T) {
	tp := loadInline(t, "steps:\n  - http:\n      method: GET\n      path: /me/todo/lists\n")
	busy := func(t *testing.T) (*fakeGraph, *atomic.Int32) {
		g := newFakeGraph(t)
		var n atomic.Int32
		g.handleFunc("GET /v1.0/me/todo/lists", func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				writeJSON(w, 503, `{"error":{"code":"ServiceUnavailable","message":"busy"}}`)
				return
			}
			writeJSON(w, 200, `{"value":[]}`)
		})
		return g, &n
	}
	run := func(t *testing.T, g *fakeGraph, opts GraphOptions) *Turn {
		e := engineWith(t, g, func(c *Config) { c.Graph = opts })
		turn, err := e.Run(t.Context(), tp, StartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return turn
	}
	g, n := busy(t)
	if turn := run(t, g, GraphOptions{}); turn.Kind != KindDone || n.Load() != 2 {
		t.Errorf("default: %v %v after %d sends, want done after 2", turn.Kind, turn.Err, n.Load())
	}
	g, n = busy(t)
	if turn := run(t, g, GraphOptions{MaxAttempts: 1}); turn.Kind != KindFailed || n.Load() != 1 {
		t.Errorf("MaxAttempts 1: %v after %d sends, want failed after 1", turn.Kind, n.Load())
	}
	big := newFakeGraph(t)
	big.handle("GET /v1.0/me/todo/lists", 200, `{"value":["`+strings.Repeat("x", 5000)+`"]}`)
	wantFailure(t, run(t, big, GraphOptions{MaxBodyBytes: 1000}), "MaxBodyBytes")
}

func engineWith(t *testing.T, g *fakeGraph, edit func(*Config)) *Engine {
	t.Helper()
	cfg := Config{GraphURL: g.URL + "/v1.0", HTTPClient: g.Client(), Auth: auth.Static("test-token"), Now: func() time.Time { return fixedNow }}
	edit(&cfg)
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
