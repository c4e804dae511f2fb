package bot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/runflow/runflow/engine"
)

// Each reason a flow cannot be resumed gets its own words, and every one
// says how to start again.
func TestResumeFailureSaysWhy(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{engine.ErrTemplateChanged, "updated while it waited"},
		{fmt.Errorf("x: %w", engine.ErrUnknownTemplate), "no longer available"},
		{&engine.StateError{Reason: "state version 1 is not supported", Err: engine.ErrStateVersion}, "another version of runflow"},
		{&engine.StateError{Reason: "bad signature"}, "damaged, or saved with another key"},
	} {
		r := resumeFailure("c", c.err)
		if r.Status != StatusFailed || r.Error == nil || r.Error.Code != CodeCannotResume ||
			!strings.Contains(r.Error.Message, c.want) || !strings.Contains(r.Error.Message, `"run ID"`) {
			t.Errorf("%v: %+v; want %q and how to start again", c.err, r.Error, c.want)
		}
	}
}
