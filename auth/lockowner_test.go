package auth

import "testing"

func TestParseLockOwner(t *testing.T) {
	for _, c := range []struct {
		content string
		pid     int
		ok      bool
	}{
		{"4242 build-1\n", 4242, true},
		{"4242 build-1 9f86d081884c7d65\n", 4242, true},
		{"4242 build-2 9f86d081884c7d65\n", 0, false},
		{"4242 build-1", 4242, true},
		{"4242 build-2\n", 0, false}, // another host
		{"4242\n", 0, false},         // written before lock files named their host
		{"x build-1\n", 0, false},
		{"-3 build-1\n", 0, false},
		{"0 build-1\n", 0, false},
		{"", 0, false},
		{"4242 \n", 0, false},
	} {
		pid, ok := parseLockOwner(c.content, "build-1")
		if pid != c.pid || ok != c.ok {
			t.Errorf("parseLockOwner(%q) = %d, %v; want %d, %v", c.content, pid, ok, c.pid, c.ok)
		}
	}
}
