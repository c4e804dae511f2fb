package input

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must load on machines without a tz database (Windows, scratch containers)
)

var (
	zoneCache sync.Map // name → *time.Location; loading parses tz data, so do it once per name

	windowsByLower = func() map[string]string {
		m := make(map[string]string, len(windowsZones))
		for win, iana := range windowsZones {
			m[strings.ToLower(win)] = iana
		}
		return m
	}()

	windowsByIANA = func() map[string]string {
		m := make(map[string]string, len(windowsZones)+len(moreWindowsZones))
		for win, iana := range windowsZones {
			if !retiredWindowsZones[win] {
				m[iana] = win
			}
		}
		for iana, win := range moreWindowsZones {
			m[iana] = win
		}
		return m
	}()
)

// LoadZone returns the time zone called name: an IANA name
// ("Europe/Berlin"), "UTC", or a Windows time zone id as Microsoft Graph
// returns it in mailboxSettings.timeZone ("W. Europe Standard Time",
// "Pacific Standard Time"; any case). "Local" is refused: a flow must not
// depend on the machine it runs on. Locations are cached per name.
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := loadZone(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

func loadZone(name string) (*time.Location, error) {
	switch {
	case name == "":
		return nil, fmt.Errorf("no time zone given")
	case strings.EqualFold(name, "local"):
		return nil, fmt.Errorf("time zone %q is not allowed: name a zone such as Europe/Berlin or Pacific Standard Time", name)
	case strings.EqualFold(name, "utc") || strings.EqualFold(name, "z") || strings.EqualFold(name, "etc/utc"):
		return time.UTC, nil
	case len(name) > 64:
		return nil, fmt.Errorf("unknown time zone %q", name[:64]+"…")
	}
	if iana, ok := windowsByLower[strings.ToLower(name)]; ok {
		loc, err := time.LoadLocation(iana)
		if err != nil { // the table names only zones the embedded database has; a test checks it
			return nil, fmt.Errorf("time zone %q (%s): %v", name, iana, err)
		}
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Berlin or a Windows name such as W. Europe Standard Time", name)
	}
	return loc, nil
}

// WindowsZoneName returns the Windows time zone id for loc (for example
// "Pacific Standard Time" for America/Los_Angeles), which is what Graph
// expects in dateTimeTimeZone.timeZone when a Windows name is wanted. ok is
// false for zones without a known Windows id.
func WindowsZoneName(loc *time.Location) (string, bool) {
	if loc == nil {
		return "UTC", true
	}
	name := loc.String()
	if canonical, ok := ianaAliases[name]; ok {
		name = canonical
	}
	win, ok := windowsByIANA[name]
	return win, ok
}
