package graphref

import (
	"fmt"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must load on machines without a tz database (Windows, scratch containers)
)

// zonePair is one Windows time zone id and an IANA zone.
type zonePair struct{ windows, iana string }

// ianaAlias is another name of an IANA zone.
type ianaAlias struct{ alias, canonical string }

// zoneLookups are the tables of windowszones.go as maps.
type zoneLookups struct {
	byLowerWindows map[string]string // lower-cased Windows id → IANA zone
	windowsByIANA  map[string]string // IANA zone → current Windows id
	canonical      map[string]string // IANA alias → canonical name
}

var (
	zoneCache sync.Map // name → *time.Location; loading parses tz data, so do it once per name

	lookups = sync.OnceValue(func() *zoneLookups {
		l := &zoneLookups{
			byLowerWindows: make(map[string]string, len(windowsZones)),
			windowsByIANA:  make(map[string]string, len(windowsZones)+len(moreWindowsZones)),
			canonical:      make(map[string]string, len(ianaAliases)),
		}
		retired := make(map[string]bool, len(retiredWindowsZones))
		for _, win := range retiredWindowsZones {
			retired[win] = true
		}
		for _, z := range windowsZones {
			l.byLowerWindows[strings.ToLower(z.windows)] = z.iana
			if !retired[z.windows] {
				l.windowsByIANA[z.iana] = z.windows
			}
		}
		for _, z := range moreWindowsZones {
			l.windowsByIANA[z.iana] = z.windows
		}
		for _, a := range ianaAliases {
			l.canonical[a.alias] = a.canonical
		}
		return l
	})
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
	if iana, ok := lookups().byLowerWindows[strings.ToLower(name)]; ok {
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
	l := lookups()
	name := loc.String()
	if canonical, ok := l.canonical[name]; ok {
		name = canonical
	}
	win, ok := l.windowsByIANA[name]
	return win, ok
}
