package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/runflow/runflow/auth"
)

// The limits checked at load are *LimitError too: errors.As finds one,
// naming the setting, inside the *LoadError that still lists every
// problem with its position.
func TestLoadLimitsAreLimitErrors(t *testing.T) {
	head := "id: x\nname: x\ndescription: x\nscopes: [User.Read]\n"
	bomb := head + "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nsteps:\n  - set:\n      boom: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	for _, c := range []struct {
		name, src, setting, where string
		lim                       Limits
	}{
		{"template size", "id: x\n" + strings.Repeat("# padding\n", 200), "MaxTemplateBytes", "t.yaml: ", Limits{MaxTemplateBytes: 100}},
		{"aliases", bomb, "MaxAliasNodes", "t.yaml:", Limits{MaxAliasNodes: 500}},
		{"expression nodes", head + "steps:\n  - say: ${ " + strings.Repeat("1 + ", 300) + "1 }\n", "MaxExprNodes", "t.yaml:6:", Limits{MaxExprNodes: 50}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadWithLimits("t.yaml", []byte(c.src), c.lim)
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("error %v: want a *LimitError", err)
			}
			if le.Setting != c.setting {
				t.Errorf("setting %q, want %q", le.Setting, c.setting)
			}
			if msg := le.Error(); !strings.HasPrefix(msg, c.where) || !strings.HasSuffix(msg, "(Limits."+c.setting+")") || strings.Count(msg, "Limits.") != 1 {
				t.Errorf("message %q: want it to start with %q and name Limits.%s once, at the end", msg, c.where, c.setting)
			}
			var load *LoadError
			if !errors.As(err, &load) || !strings.Contains(load.Error(), "(Limits."+c.setting+")") {
				t.Errorf("error %v: want a *LoadError naming Limits.%s", err, c.setting)
			}
		})
	}
	// Other load errors unwrap to no LimitError.
	_, err := Load("t.yaml", []byte(head+"steps:\n  - say: ${ nope }\n"))
	var le *LimitError
	if err == nil || errors.As(err, &le) {
		t.Errorf("error %v: want a load error that is not a *LimitError", err)
	}
}

// An oversized state given to Resume is a *StateError wrapping a
// *LimitError for MaxStateBytes.
func TestResumeOversizedStateIsALimitError(t *testing.T) {
	e, err := New(Config{GraphURL: "https://graph.example/v1.0", Auth: auth.Static("t"), Limits: Limits{MaxStateBytes: 100}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Resume(context.Background(), []byte(`{"v":1,"pad":"`+strings.Repeat("x", 200)+`"}`), "")
	var se *StateError
	var le *LimitError
	if !errors.As(err, &se) || !errors.As(err, &le) || le.Setting != "MaxStateBytes" {
		t.Fatalf("error %v: want a *StateError wrapping a *LimitError for MaxStateBytes", err)
	}
	if !strings.Contains(err.Error(), "more than the limit of 100 (Limits.MaxStateBytes)") {
		t.Errorf("message %q", err)
	}
}
