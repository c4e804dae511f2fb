package engine

import (
	"fmt"
	"time"
)

// loadZone loads an IANA zone name. Until engine/input's LoadZone (which
// also reads Windows names) lands, this is the standard library's.
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return nil, fmt.Errorf("empty time zone name")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}
