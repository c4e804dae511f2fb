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

func hm(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }

// TestWindowsZoneSample checks a sample of Windows ids against the IANA zone
// CLDR maps them to and against the UTC offsets Windows shows for them.
func TestWindowsZoneSample(t *testing.T) {
	tests := []struct {
		windows, iana string
		jan, jul      time.Duration
	}{
		{"Pacific Standard Time", "America/Los_Angeles", hm(-8, 0), hm(-7, 0)},
		{"Eastern Standard Time", "America/New_York", hm(-5, 0), hm(-4, 0)},
		{"Central Standard Time", "America/Chicago", hm(-6, 0), hm(-5, 0)},
		{"Mountain Standard Time", "America/Denver", hm(-7, 0), hm(-6, 0)},
		{"US Mountain Standard Time", "America/Phoenix", hm(-7, 0), hm(-7, 0)},
		{"Hawaiian Standard Time", "Pacific/Honolulu", hm(-10, 0), hm(-10, 0)},
		{"Alaskan Standard Time", "America/Anchorage", hm(-9, 0), hm(-8, 0)},
		{"Newfoundland Standard Time", "America/St_Johns", hm(-3, -30), hm(-2, -30)},
		{"Marquesas Standard Time", "Pacific/Marquesas", hm(-9, -30), hm(-9, -30)},
		{"Venezuela Standard Time", "America/Caracas", hm(-4, 0), hm(-4, 0)},
		{"E. South America Standard Time", "America/Sao_Paulo", hm(-3, 0), hm(-3, 0)},
		{"GMT Standard Time", "Europe/London", 0, hm(1, 0)},
		{"Greenwich Standard Time", "Atlantic/Reykjavik", 0, 0},
		{"UTC", "Etc/UTC", 0, 0},
		{"W. Europe Standard Time", "Europe/Berlin", hm(1, 0), hm(2, 0)},
		{"Romance Standard Time", "Europe/Paris", hm(1, 0), hm(2, 0)},
		{"Central Europe Standard Time", "Europe/Budapest", hm(1, 0), hm(2, 0)},
		{"Central European Standard Time", "Europe/Warsaw", hm(1, 0), hm(2, 0)},
		{"FLE Standard Time", "Europe/Kyiv", hm(2, 0), hm(3, 0)},
		{"GTB Standard Time", "Europe/Bucharest", hm(2, 0), hm(3, 0)},
		{"Russian Standard Time", "Europe/Moscow", hm(3, 0), hm(3, 0)},
		{"Turkey Standard Time", "Europe/Istanbul", hm(3, 0), hm(3, 0)},
		{"Israel Standard Time", "Asia/Jerusalem", hm(2, 0), hm(3, 0)},
		{"South Africa Standard Time", "Africa/Johannesburg", hm(2, 0), hm(2, 0)},
		{"Arabian Standard Time", "Asia/Dubai", hm(4, 0), hm(4, 0)},
		{"Iran Standard Time", "Asia/Tehran", hm(3, 30), hm(3, 30)},
		{"Afghanistan Standard Time", "Asia/Kabul", hm(4, 30), hm(4, 30)},
		{"Pakistan Standard Time", "Asia/Karachi", hm(5, 0), hm(5, 0)},
		{"India Standard Time", "Asia/Kolkata", hm(5, 30), hm(5, 30)},
		{"Sri Lanka Standard Time", "Asia/Colombo", hm(5, 30), hm(5, 30)},
		{"Nepal Standard Time", "Asia/Kathmandu", hm(5, 45), hm(5, 45)},
		{"Central Asia Standard Time", "Asia/Bishkek", hm(6, 0), hm(6, 0)},
		{"Myanmar Standard Time", "Asia/Yangon", hm(6, 30), hm(6, 30)},
		{"SE Asia Standard Time", "Asia/Bangkok", hm(7, 0), hm(7, 0)},
		{"China Standard Time", "Asia/Shanghai", hm(8, 0), hm(8, 0)},
		{"Singapore Standard Time", "Asia/Singapore", hm(8, 0), hm(8, 0)},
		{"Aus Central W. Standard Time", "Australia/Eucla", hm(8, 45), hm(8, 45)},
		{"Tokyo Standard Time", "Asia/Tokyo", hm(9, 0), hm(9, 0)},
		{"Korea Standard Time", "Asia/Seoul", hm(9, 0), hm(9, 0)},
		{"Cen. Australia Standard Time", "Australia/Adelaide", hm(10, 30), hm(9, 30)},
		{"AUS Central Standard Time", "Australia/Darwin", hm(9, 30), hm(9, 30)},
		{"E. Australia Standard Time", "Australia/Brisbane", hm(10, 0), hm(10, 0)},
		{"AUS Eastern Standard Time", "Australia/Sydney", hm(11, 0), hm(10, 0)},
		{"Lord Howe Standard Time", "Australia/Lord_Howe", hm(11, 0), hm(10, 30)},
		{"New Zealand Standard Time", "Pacific/Auckland", hm(13, 0), hm(12, 0)},
		{"Chatham Islands Standard Time", "Pacific/Chatham", hm(13, 45), hm(12, 45)},
		{"Tonga Standard Time", "Pacific/Tongatapu", hm(13, 0), hm(13, 0)},
		{"Samoa Standard Time", "Pacific/Apia", hm(13, 0), hm(13, 0)},
		{"Line Islands Standard Time", "Pacific/Kiritimati", hm(14, 0), hm(14, 0)},
		{"Dateline Standard Time", "Etc/GMT+12", hm(-12, 0), hm(-12, 0)},
	}
	for _, tc := range tests {
		for _, spelling := range []string{tc.windows, strings.ToUpper(tc.windows), " " + strings.ToLower(tc.windows) + " "} {
			loc, err := LoadZone(spelling)
			if err != nil {
				t.Errorf("LoadZone(%q): %v", spelling, err)
				continue
			}
			if loc.String() != tc.iana && !(tc.iana == "Etc/UTC" && loc == time.UTC) {
				t.Errorf("LoadZone(%q) = %s, want %s", spelling, loc, tc.iana)
			}
			if got := offsetAt(january, loc); got != tc.jan {
				t.Errorf("%s in January: offset %v, want %v", tc.windows, got, tc.jan)
			}
			if got := offsetAt(july, loc); got != tc.jul {
				t.Errorf("%s in July: offset %v, want %v", tc.windows, got, tc.jul)
			}
		}
	}
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
		loc, err := LoadZone(iana)
		mainLoc, mainErr := LoadZone(mainZone)
		if err != nil || mainErr != nil {
			t.Errorf("%s (%s): %v, %v", iana, mainZone, err, mainErr)
			continue
		}
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
		loc, err := LoadZone(a.alias)
		canon, canonErr := LoadZone(a.canonical)
		if err != nil || canonErr != nil {
			t.Errorf("alias %s of %s: %v, %v", a.alias, a.canonical, err, canonErr)
			continue
		}
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
