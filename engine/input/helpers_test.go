package input

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// mustZone loads a zone or stops the test.
func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatalf("LoadZone(%q): %v", name, err)
	}
	return loc
}

// wantUserError checks that err is an *Error whose message contains every
// fragment.
func wantUserError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	var ue *Error
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v (%T), want an *input.Error containing %q", err, err, fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(ue.Message, f) {
			t.Errorf("message %q does not contain %q", ue.Message, f)
		}
	}
}
