package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/graphref"
)

// zone is a resolved time zone with the name Graph should print for it.
type zone struct {
	name string // as the client wrote it, canonical case for Windows names
	loc  *time.Location
}

var utcZone = zone{name: "UTC", loc: time.UTC}

// resolveZone accepts "UTC", a Windows name or an IANA name (the same
// names the engine accepts, through graphref.LoadZone); the name is kept as
// the client wrote it, as Graph echoes it.
func resolveZone(name string) (zone, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "UTC") || strings.EqualFold(name, "Etc/UTC") {
		return utcZone, nil
	}
	loc, err := graphref.LoadZone(name)
	if err != nil {
		return zone{}, err
	}
	return zone{name: name, loc: loc}, nil
}

// formatDateTimeTimeZone renders t as Graph's dateTimeTimeZone in z.
func formatDateTimeTimeZone(t time.Time, z zone) Object {
	return Object{"dateTime": t.In(z.loc).Format(graphref.DateTimeLayout), "timeZone": z.name}
}

// parseLocalDateTime reads dateTimeTimeZone.dateTime: local wall time with
// up to seven fractional digits; an offset or Z, if present, wins over the
// zone (Graph accepts both).
func parseLocalDateTime(s string, z zone) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, z.loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a date and time (want YYYY-MM-DDThh:mm:ss)", s)
}

// parseDateTimeTimeZone reads a dateTimeTimeZone object.
func parseDateTimeTimeZone(v Object) (time.Time, zone, error) {
	dt, _ := v["dateTime"].(string)
	tzName, _ := v["timeZone"].(string)
	z, err := resolveZone(tzName)
	if err != nil {
		return time.Time{}, zone{}, err
	}
	t, err := parseLocalDateTime(dt, z)
	return t, z, err
}
