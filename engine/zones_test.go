package engine

import (
	"testing"
)

// TestAnswersReadInTheMailboxZone follows create-event's pattern: the zone
// comes from Graph (a Windows name) at run time, and date/time answers are
// read in it.
func TestAnswersReadInTheMailboxZone(t *testing.T) {
	tp := loadInlineScopes(t, "[MailboxSettings.Read]", `
inputs:
  - name: start
    type: datetime
    prompt: When?
    zone: ${ vars.tz }
  - name: day
    type: date
    prompt: Which day?
    zone: ${ vars.tz }
  - name: at
    type: time
    prompt: What time?
    zone: Asia/Tokyo
steps:
  - id: settings
    http:
      method: GET
      path: /me/mailboxSettings
  - set:
      tz: ${ json(steps.settings.body, 'timeZone') }
  - ask: start
  - ask: day
  - ask: at
output:
  local: ${ graphDateTime(inputs.start, vars.tz) }
  utc: ${ graphDateTime(inputs.start, "UTC") }
  day: ${ formatTime(inputs.day, "2006-01-02 15:04 -0700", vars.tz) }
  at: ${ formatTime(inputs.at, "2006-01-02 15:04 -0700", "Asia/Tokyo") }
`)
	cases := []struct {
		zone               string
		start, day, at     string
		local, utc, dayOut string
		atOut              string
	}{
		{"W. Europe Standard Time", "tomorrow 9am", "dec 24", "9:30 pm", "2026-11-26T09:00:00.0000000", "2026-11-26T08:00:00.0000000", "2026-12-24 00:00 +0100", "2026-11-25 21:30 +0900"},
		{"Pacific Standard Time", "2026-07-01 15:00", "2026-07-04", "07:15", "2026-07-01T15:00:00.0000000", "2026-07-01T22:00:00.0000000", "2026-07-04 00:00 -0700", "2026-11-25 07:15 +0900"},
		{"Asia/Kolkata", "in 2 hours", "tomorrow", "noon", "2026-11-25T17:30:00.0000000", "2026-11-25T12:00:00.0000000", "2026-11-26 00:00 +0530", "2026-11-25 12:00 +0900"},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			g := newFakeGraph(t)
			g.handle("GET /v1.0/me/mailboxSettings", 200, `{"timeZone":"`+c.zone+`"}`)
			turn, qs := drive(t, g, nil, tp, StartOptions{}, "someday", c.start, c.day, c.at)
			if qs[1].Input != "start" || qs[1].Attempt != 2 || qs[1].Error == "" {
				t.Errorf("a bad date must be asked again with a reason: %+v", qs[1])
			}
			if turn.Kind != KindDone {
				t.Fatalf("turn %v: %v", turn.Kind, turn.Err)
			}
			got := map[string]any{}
			for _, o := range turn.Outputs {
				got[o.Name] = o.Value
			}
			want := map[string]string{"local": c.local, "utc": c.utc, "day": c.dayOut, "at": c.atOut}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %v, want %s", k, got[k], v)
				}
			}
		})
	}
}
