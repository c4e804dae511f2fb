package input

import (
	"time"

	"github.com/runflow/runflow/internal/graphref"
)

// LoadZone returns the time zone called name: an IANA name
// ("Europe/Berlin"), "UTC", or a Windows time zone id as Microsoft Graph
// returns it in mailboxSettings.timeZone ("W. Europe Standard Time",
// "Pacific Standard Time"; any case). "Local" is refused: a flow must not
// depend on the machine it runs on. Locations are cached per name.
//
// The table of Windows ids lives in internal/graphref, shared with the
// sandbox.
func LoadZone(name string) (*time.Location, error) { return graphref.LoadZone(name) }

// WindowsZoneName returns the Windows time zone id for loc (for example
// "Pacific Standard Time" for America/Los_Angeles), which is what Graph
// expects in dateTimeTimeZone.timeZone when a Windows name is wanted. ok is
// false for zones without a known Windows id.
func WindowsZoneName(loc *time.Location) (string, bool) { return graphref.WindowsZoneName(loc) }
