package graph

import (
	"regexp"
	"testing"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewClientRequestIDIsARandomUUIDv4(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newClientRequestID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("%q is not a lower-case UUIDv4", id)
		}
		if seen[id] {
			t.Fatalf("%q made twice", id)
		}
		seen[id] = true
	}
	if raceEnabled {
		return
	}
	if n := testing.AllocsPerRun(100, func() { _ = newClientRequestID() }); n > 1 {
		t.Errorf("newClientRequestID allocates %v times; want 1 (the string)", n)
	}
}
