package engine

import (
	"time"

	"github.com/runflow/runflow/engine/input"
)

// loadZone loads a zone by IANA or Windows name (as Graph's mailbox
// settings give it).
func loadZone(name string) (*time.Location, error) {
	return input.LoadZone(name)
}
