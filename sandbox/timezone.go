package sandbox

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the sandbox must resolve zones on machines without zoneinfo
)

// windowsZones maps Windows time zone names, which Outlook uses, to IANA
// names (CLDR's "001" territory mapping) for the zones people commonly use.
var windowsZones = map[string]string{
	"Dateline Standard Time":          "Etc/GMT+12",
	"UTC-11":                          "Etc/GMT+11",
	"Hawaiian Standard Time":          "Pacific/Honolulu",
	"Alaskan Standard Time":           "America/Anchorage",
	"Pacific Standard Time (Mexico)":  "America/Tijuana",
	"Pacific Standard Time":           "America/Los_Angeles",
	"US Mountain Standard Time":       "America/Phoenix",
	"Mountain Standard Time (Mexico)": "America/Mazatlan",
	"Mountain Standard Time":          "America/Denver",
	"Central America Standard Time":   "America/Guatemala",
	"Central Standard Time":           "America/Chicago",
	"Central Standard Time (Mexico)":  "America/Mexico_City",
	"Canada Central Standard Time":    "America/Regina",
	"SA Pacific Standard Time":        "America/Bogota",
	"Eastern Standard Time":           "America/New_York",
	"Eastern Standard Time (Mexico)":  "America/Cancun",
	"US Eastern Standard Time":        "America/Indianapolis",
	"Venezuela Standard Time":         "America/Caracas",
	"Atlantic Standard Time":          "America/Halifax",
	"SA Western Standard Time":        "America/La_Paz",
	"Pacific SA Standard Time":        "America/Santiago",
	"Newfoundland Standard Time":      "America/St_Johns",
	"E. South America Standard Time":  "America/Sao_Paulo",
	"Argentina Standard Time":         "America/Buenos_Aires",
	"SA Eastern Standard Time":        "America/Cayenne",
	"Greenland Standard Time":         "America/Godthab",
	"Montevideo Standard Time":        "America/Montevideo",
	"UTC-02":                          "Etc/GMT+2",
	"Azores Standard Time":            "Atlantic/Azores",
	"Cape Verde Standard Time":        "Atlantic/Cape_Verde",
	"UTC":                             "Etc/UTC",
	"GMT Standard Time":               "Europe/London",
	"Greenwich Standard Time":         "Atlantic/Reykjavik",
	"Morocco Standard Time":           "Africa/Casablanca",
	"W. Europe Standard Time":         "Europe/Berlin",
	"Central Europe Standard Time":    "Europe/Budapest",
	"Romance Standard Time":           "Europe/Paris",
	"Central European Standard Time":  "Europe/Warsaw",
	"W. Central Africa Standard Time": "Africa/Lagos",
	"GTB Standard Time":               "Europe/Bucharest",
	"Middle East Standard Time":       "Asia/Beirut",
	"Egypt Standard Time":             "Africa/Cairo",
	"E. Europe Standard Time":         "Europe/Chisinau",
	"South Africa Standard Time":      "Africa/Johannesburg",
	"FLE Standard Time":               "Europe/Kiev",
	"Israel Standard Time":            "Asia/Jerusalem",
	"Jordan Standard Time":            "Asia/Amman",
	"Arabic Standard Time":            "Asia/Baghdad",
	"Turkey Standard Time":            "Europe/Istanbul",
	"Arab Standard Time":              "Asia/Riyadh",
	"Russian Standard Time":           "Europe/Moscow",
	"E. Africa Standard Time":         "Africa/Nairobi",
	"Iran Standard Time":              "Asia/Tehran",
	"Arabian Standard Time":           "Asia/Dubai",
	"Azerbaijan Standard Time":        "Asia/Baku",
	"Georgian Standard Time":          "Asia/Tbilisi",
	"Afghanistan Standard Time":       "Asia/Kabul",
	"West Asia Standard Time":         "Asia/Tashkent",
	"Pakistan Standard Time":          "Asia/Karachi",
	"India Standard Time":             "Asia/Calcutta",
	"Sri Lanka Standard Time":         "Asia/Colombo",
	"Nepal Standard Time":             "Asia/Katmandu",
	"Central Asia Standard Time":      "Asia/Almaty",
	"Bangladesh Standard Time":        "Asia/Dhaka",
	"Myanmar Standard Time":           "Asia/Rangoon",
	"SE Asia Standard Time":           "Asia/Bangkok",
	"China Standard Time":             "Asia/Shanghai",
	"Singapore Standard Time":         "Asia/Singapore",
	"Taipei Standard Time":            "Asia/Taipei",
	"W. Australia Standard Time":      "Australia/Perth",
	"Tokyo Standard Time":             "Asia/Tokyo",
	"Korea Standard Time":             "Asia/Seoul",
	"Cen. Australia Standard Time":    "Australia/Adelaide",
	"AUS Central Standard Time":       "Australia/Darwin",
	"E. Australia Standard Time":      "Australia/Brisbane",
	"AUS Eastern Standard Time":       "Australia/Sydney",
	"West Pacific Standard Time":      "Pacific/Port_Moresby",
	"Tasmania Standard Time":          "Australia/Hobart",
	"New Zealand Standard Time":       "Pacific/Auckland",
	"Fiji Standard Time":              "Pacific/Fiji",
	"Tonga Standard Time":             "Pacific/Tongatapu",
	"Samoa Standard Time":             "Pacific/Apia",
}

// zone is a resolved time zone with the name Graph should print for it.
type zone struct {
	name string // as the client wrote it, canonical case for Windows names
	loc  *time.Location
}

var utcZone = zone{name: "UTC", loc: time.UTC}

// resolveZone accepts "UTC", a Windows name or an IANA name.
func resolveZone(name string) (zone, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "UTC") || strings.EqualFold(name, "Etc/UTC") {
		return utcZone, nil
	}
	for win, iana := range windowsZones {
		if strings.EqualFold(win, name) {
			loc, err := time.LoadLocation(iana)
			if err != nil {
				return zone{}, err
			}
			return zone{name: win, loc: loc}, nil
		}
	}
	if strings.ContainsAny(name, "\\.") || strings.HasPrefix(name, "/") {
		return zone{}, fmt.Errorf("unknown time zone %q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return zone{}, fmt.Errorf("unknown time zone %q", name)
	}
	return zone{name: name, loc: loc}, nil
}

// graphDateTimeLayout is dateTimeTimeZone.dateTime as Graph writes it: no
// offset and seven fractional digits.
const graphDateTimeLayout = "2006-01-02T15:04:05.0000000"

// formatDateTimeTimeZone renders t as Graph's dateTimeTimeZone in z.
func formatDateTimeTimeZone(t time.Time, z zone) Object {
	return Object{"dateTime": t.In(z.loc).Format(graphDateTimeLayout), "timeZone": z.name}
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
