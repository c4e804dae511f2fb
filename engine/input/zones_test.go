package input

import (
	"strings"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	for _, name := range []string{"UTC", "utc", "Etc/UTC", "Z"} {
		if loc, err := LoadZone(name); err != nil || loc != time.UTC {
			t.Errorf("LoadZone(%q) = %v, %v; want time.UTC", name, loc, err)
		}
	}
	for _, name := range []string{"Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Calcutta", "Pacific/Chatham"} {
		loc, err := LoadZone(name)
		if err != nil || loc.String() != name {
			t.Errorf("LoadZone(%q) = %v, %v", name, loc, err)
		}
		again, _ := LoadZone(name)
		if again != loc {
			t.Errorf("LoadZone(%q) is not cached", name)
		}
	}
	bad := map[string]string{
		"":                         "no time zone given",
		"Local":                    "not allowed",
		"Mars/Olympus_Mons":        `unknown time zone "Mars/Olympus_Mons"`,
		"Pacific Standard":         "unknown time zone",
		"../../etc/passwd":         "unknown time zone",
		strings.Repeat("x", 300):   "…",
		"tzone://Microsoft/Custom": "unknown time zone",
	}
	for name, want := range bad {
		_, err := LoadZone(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadZone(%.20q) error = %v, want %q", name, err, want)
		}
	}
	if name, ok := WindowsZoneName(nil); !ok || name != "UTC" {
		t.Errorf("WindowsZoneName(nil) = %q, %v", name, ok)
	}
	if name, ok := WindowsZoneName(time.UTC); !ok || name != "UTC" {
		t.Errorf("WindowsZoneName(UTC) = %q, %v", name, ok)
	}
	if name, ok := WindowsZoneName(time.FixedZone("X", 3600)); ok {
		t.Errorf("WindowsZoneName(fixed zone) = %q, true; want false", name)
	}
}
