package flowtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/runflow/runflow/engine"
)

// The runner must notice a token in anything a turn hands out, and a saved
// state that is not plain JSON.
func TestRunnerCatchesTokenLeaksAndBadStates(t *testing.T) {
	newRunner := func() *runner {
		return &runner{c: &Case{}, rec: &recorder{}, auth: newTestAuth(AuthSpec{SignedIn: true})}
	}
	r := newRunner()
	tok := r.auth.token
	turns := map[string]*engine.Turn{
		"a message":           {Messages: []string{"hi " + tok}},
		"the error":           {Err: errors.New("bearer " + tok)},
		"output x":            {Outputs: []engine.Output{{Name: "x", Value: map[string]any{"t": tok}}}},
		"the question":        {Question: &engine.Question{Hint: tok}},
		"the sign-in request": {SignIn: &engine.SignIn{URL: "https://x/?t=" + tok}},
		"the dry-run request": {DryRun: &engine.PlannedRequest{Body: []byte(tok)}},
		"nothing (clean)":     {Messages: []string{"hi"}, Outputs: []engine.Output{{Name: "x", Value: "y"}}},
	}
	for what, turn := range turns {
		r := newRunner()
		r.auth.token = tok
		r.checkNoToken("turn 1", turn)
		f := r.rec.list()
		if what == "nothing (clean)" {
			if len(f) != 0 {
				t.Errorf("clean turn: %+v", f)
			}
			continue
		}
		if len(f) != 1 || f[0].Message != "the access token appears in "+what {
			t.Errorf("%s: failures %+v", what, f)
		}
		if strings.Contains(f[0].Message, tok) {
			t.Errorf("%s: the failure shows the token", what)
		}
	}

	for _, tc := range []struct {
		state string
		ok    bool
		want  string
	}{
		{`{"v":1,"n":12345678901234567890}`, true, ""},
		{`{"v":1,"secret":"` + tok + `"}`, true, "the saved state contains the access token"},
		{`{"v":1`, false, "the saved state is not JSON"},
		{``, false, "the paused turn has no saved state"},
	} {
		r := newRunner()
		r.auth.token = tok
		out, ok := r.roundTrip("turn 1", 3, []byte(tc.state))
		f := r.rec.list()
		if ok != tc.ok {
			t.Errorf("state %q: ok=%v", tc.state, ok)
		}
		if tc.want == "" && len(f) > 0 || tc.want != "" && (len(f) == 0 || !strings.HasPrefix(f[0].Message, tc.want)) {
			t.Errorf("state %q: failures %+v, want %q", tc.state, f, tc.want)
		}
		// Keys come back sorted; big numbers must keep every digit.
		if tc.ok && tc.want == "" && string(out) != `{"n":12345678901234567890,"v":1}` {
			t.Errorf("round trip changed the state: %s", out)
		}
	}
}
