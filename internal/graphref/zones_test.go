package graphref

import (
	"strings"
	"testing"
	"time"
)

var (
	january = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	july    = time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
)

func offsetAt(t time.Time, loc *time.Location) time.Duration {
	_, off := t.In(loc).Zone()
	return time.Duration(off) * time.Second
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatalf("LoadZone(%q): %v", name, err)
	}
	return loc
}

// TestWindowsTableIsConsistent: every id loads once, the "UTC±hh" ids have
// their offset, and WindowsZoneName inverts LoadZone for every current id.
func TestWindowsTableIsConsistent(t *testing.T) {
	retired := map[string]bool{}
	for _, id := range retiredWindowsZones {
		retired[id] = true
	}
	if n := len(windowsZones) - len(retired); n < 135 {
		t.Errorf("the table has %d current Windows ids; CLDR's 001 territory has about 139", n)
	}
	seen := map[string]bool{}
	for _, z := range windowsZones {
		id := z.windows
		if seen[strings.ToLower(id)] {
			t.Errorf("%q is listed twice", id)
		}
		seen[strings.ToLower(id)] = true
		loc, err := LoadZone(id)
		if err != nil {
			t.Errorf("LoadZone(%q): %v", id, err)
			continue
		}
		if loc.String() != z.iana && !(z.iana == "Etc/UTC" && loc == time.UTC) {
			t.Errorf("LoadZone(%q) = %s, want %s", id, loc, z.iana)
		}
		if strings.HasPrefix(id, "UTC") && len(id) == 6 {
			sign := time.Duration(1)
			if id[3] == '-' {
				sign = -1
			}
			want := sign * time.Duration((int(id[4])-'0')*10+int(id[5])-'0') * time.Hour
			if got := offsetAt(july, loc); got != want {
				t.Errorf("%s: offset %v, want %v", id, got, want)
			}
		}
		if retired[id] {
			continue
		}
		if back, ok := WindowsZoneName(loc); !ok || back != id {
			t.Errorf("WindowsZoneName(LoadZone(%q) = %s) = %q, %v", id, loc, back, ok)
		}
	}
	for id := range retired {
		if !seen[strings.ToLower(id)] {
			t.Errorf("retired id %q is not in the table", id)
		}
	}
}

// TestMoreWindowsZones: a zone listed under a Windows id keeps the same
// clock as that id's main zone, in winter and summer.
func TestMoreWindowsZones(t *testing.T) {
	main := map[string]string{}
	for _, z := range windowsZones {
		main[z.windows] = z.iana
	}
	seen := map[string]bool{}
	for _, z := range moreWindowsZones {
		iana, win := z.iana, z.windows
		if seen[iana] {
			t.Errorf("%s is listed twice", iana)
		}
		seen[iana] = true
		mainZone, ok := main[win]
		if !ok {
			t.Errorf("%s: unknown Windows id %q", iana, win)
			continue
		}
		loc, mainLoc := mustZone(t, iana), mustZone(t, mainZone)
		for _, when := range []time.Time{january, july} {
			if offsetAt(when, loc) != offsetAt(when, mainLoc) {
				t.Errorf("%s (%s) has offset %v on %s but %s has %v", iana, win, offsetAt(when, loc), when.Format("Jan"), mainZone, offsetAt(when, mainLoc))
			}
		}
		if got, ok := WindowsZoneName(loc); !ok || got != win {
			t.Errorf("WindowsZoneName(%s) = %q, %v; want %q", iana, got, ok, win)
		}
	}
	for _, a := range ianaAliases {
		loc, canon := mustZone(t, a.alias), mustZone(t, a.canonical)
		for _, when := range []time.Time{january, july} {
			if offsetAt(when, loc) != offsetAt(when, canon) {
				t.Errorf("alias %s differs from %s", a.alias, a.canonical)
			}
		}
		if _, ok := WindowsZoneName(loc); !ok {
			t.Errorf("WindowsZoneName(%s) has no answer", a.alias)
		}
	}
}

// TestLoadZoneErrors: the messages LoadZone gives for names it refuses.
func TestLoadZoneErrors(t *testing.T) {
	bad := map[string]string{
		"":                       "no time zone given",
		"Local":                  "not allowed",
		"Mars/Olympus_Mons":      `unknown time zone "Mars/Olympus_Mons": use an IANA name`,
		strings.Repeat("x", 300): "…",
	}
	for name, want := range bad {
		if _, err := LoadZone(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadZone(%.20q) error = %v, want %q", name, err, want)
		}
	}
}

// TestDateTimeLayout: the layout writes Graph's seven fractional digits
// and no offset.
func TestDateTimeLayout(t *testing.T) {
	when := time.Date(2026, 12, 4, 9, 30, 5, 120000000, time.UTC)
	if got, want := when.Format(DateTimeLayout), "2026-12-04T09:30:05.1200000"; got != want {
		t.Errorf("Format(DateTimeLayout) = %q, want %q", got, want)
	}
}
