package random

import (
	"regexp"
	"testing"
)

func TestGUIDIsVersion4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := GUID(), GUID()
	if !re.MatchString(a) || a == b {
		t.Errorf("GUID() = %q, %q: want two different version-4 GUIDs", a, b)
	}
}

func TestString(t *testing.T) {
	if s := String(32); len(s) != 43 || s == String(32) {
		t.Errorf("String(32) = %q: want 43 characters, different each time", s)
	}
}
