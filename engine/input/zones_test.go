package input

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
