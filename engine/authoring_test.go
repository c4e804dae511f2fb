package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// What authors asked for while writing templates (issue 15): typed set
// variables, list inputs, the picked item of a live choice, wall-clock
// times and durations as people write them.

func TestTypedVariablesAndListConcat(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - name: pack
    type: list
    prompt: What to pack?
    max_items: 3
    max_item_length: 12
steps:
  - set:
      slots: []
      seen: {}
      n: 0
  - foreach: ${ inputs.pack }
    as: thing
    steps:
      - set:
          slots: ${ vars.slots + [upper(thing)] }
          seen: '${ {"last": thing, "count": vars.n + 1} }'
          n: ${ vars.n + 1 }
  - say: ${ join(vars.slots, "|") } ${ vars.seen.last } ${ vars.seen.count }
output:
  slots: ${ vars.slots }
  first: ${ vars.slots[0] }
`)
	turn := runInline(t, newFakeGraph(t), tp, StartOptions{Inputs: map[string]any{"pack": "socks, Socks; charger"}}, Limits{})
	if turn.Kind != KindDone {
		t.Fatalf("turn %v: %v", turn.Kind, turn.Err)
	}
	if got := turn.Messages; len(got) != 1 || got[0] != "SOCKS|CHARGER charger 2" {
		t.Errorf("messages %q", got)
	}
	if got := outputOf(turn, "slots"); !reflect.DeepEqual(got, []any{"SOCKS", "CHARGER"}) {
		t.Errorf("slots = %#v", got)
	}
	// The item rules refuse a preset like a typed answer.
	turn = runInline(t, newFakeGraph(t), tp, StartOptions{NoInput: true, Inputs: map[string]any{"pack": "a, b, c, d"}}, Limits{})
	wantFailure(t, turn, "Too many items: at most 3.")
	turn = runInline(t, newFakeGraph(t), tp, StartOptions{NoInput: true, Inputs: map[string]any{"pack": []any{"a very long item"}}}, Limits{})
	wantFailure(t, turn, "is too long: at most 12 characters")
}

func TestTimeFunctions(t *testing.T) {
	// 2026-03-29 is the day Berlin moves to summer time: 09:00 that day is
	// 07:00 UTC, while midnight + 9h is 10:00 local.
	day := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)
	got, err := fnAtTime(day, "09:00", "W. Europe Standard Time")
	if err != nil || !got.(time.Time).Equal(time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("atTime = %v, %v", got, err)
	}
	if got, err := fnAtTime(day, "17:30:15", "UTC"); err != nil || !got.(time.Time).Equal(time.Date(2026, 3, 29, 17, 30, 15, 0, time.UTC)) {
		t.Errorf("atTime seconds = %v, %v", got, err)
	}
	for _, bad := range []string{"9am", "24:00", "9:5", "09:00:00:00", "", "x:00"} {
		if _, err := fnAtTime(day, bad, "UTC"); err == nil || !strings.Contains(err.Error(), "not a time of day") {
			t.Errorf("atTime(%q) error %v", bad, err)
		}
	}
	if _, err := fnAtTime(day, "09:00", "Nowhere/Zone"); err == nil {
		t.Error("atTime accepted an unknown zone")
	}
	durations := map[time.Duration]string{
		45 * time.Minute:                   "45 min",
		90 * time.Minute:                   "1 h 30 min",
		2 * time.Hour:                      "2 h",
		30 * time.Second:                   "30 s",
		0:                                  "0 s",
		26*time.Hour + 29*time.Second:      "1 day 2 h",
		50*time.Hour + 5*time.Minute:       "2 days 2 h 5 min",
		-(45*time.Minute + 40*time.Second): "-46 min",
	}
	for d, want := range durations {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	tp := loadInline(t, `
inputs:
  - name: day
    type: date
    prompt: Which day?
steps:
  - say: ${ formatTime(atTime(inputs.day, "09:00", "Europe/Berlin"), "15:04 MST", "Europe/Berlin") } for ${ formatDuration(duration("1h30m")) }
`)
	turn := runInline(t, newFakeGraph(t), tp, StartOptions{Inputs: map[string]any{"day": "2026-03-29"}}, Limits{})
	if turn.Kind != KindDone || len(turn.Messages) != 1 || turn.Messages[0] != "09:00 CEST for 1 h 30 min" {
		t.Fatalf("turn %v %v %q", turn.Kind, turn.Err, turn.Messages)
	}
}

func TestChoiceItem(t *testing.T) {
	tp := loadInlineScopes(t, "[Calendars.Read]", `
inputs:
  - name: event
    type: choice
    prompt: Which event?
    choices_from:
      items: ${ json(steps.events.items, '@this') }
      value: ${ item.id }
      label: ${ item.subject }
steps:
  - id: events
    http:
      method: GET
      path: /me/events
  - ask: event
  - say: ${ choice(inputs.event).subject } at ${ choice(inputs.event).location.displayName }
output:
  subject: ${ choice(inputs.event).subject }
`)
	g := newFakeGraph(t)
	g.handle("GET /v1.0/me/events", 200, `{"value":[{"id":"e1","subject":"Standup","location":{"displayName":"Room 1"}},{"id":"e2","subject":"Review","location":{"displayName":"Room 2"}}]}`)
	// Answered by label on a question, through a state round trip.
	turn, _ := drive(t, g, nil, tp, StartOptions{}, "review")
	if turn.Kind != KindDone || outputOf(turn, "subject") != "Review" || turn.Messages[len(turn.Messages)-1] != "Review at Room 2" {
		t.Fatalf("turn %v %v %q %v", turn.Kind, turn.Err, turn.Messages, turn.Outputs)
	}
	// And as a preset value.
	turn = runInline(t, g, tp, StartOptions{Inputs: map[string]any{"event": "e1"}}, Limits{})
	if turn.Kind != KindDone || outputOf(turn, "subject") != "Standup" {
		t.Fatalf("preset: turn %v %v %v", turn.Kind, turn.Err, turn.Outputs)
	}
}

func TestEndRelativeToStart(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - name: start
    type: datetime
    prompt: Start?
  - name: end
    type: datetime
    prompt: End?
    relative_to: ${ inputs.start }
    validate:
      - check: ${ value > inputs.start }
        message: The end must be after the start.
steps:
  - say: ${ formatTime(inputs.start, "Mon 2 Jan 15:04", "UTC") } to ${ formatTime(inputs.end, "Mon 2 Jan 15:04", "UTC") }
`)
	for answer, want := range map[string]string{"4pm": "Fri 4 Dec 16:00", "1h": "Fri 4 Dec 16:00", "90 min": "Fri 4 Dec 16:30"} {
		turn, _ := drive(t, newFakeGraph(t), nil, tp, StartOptions{}, "2026-12-04 15:00", answer)
		if turn.Kind != KindDone || turn.Messages[0] != "Fri 4 Dec 15:00 to "+want {
			t.Errorf("%q: turn %v %v %q", answer, turn.Kind, turn.Err, turn.Messages)
		}
	}
	// A refused answer says how it was read.
	turn, qs := drive(t, newFakeGraph(t), nil, tp, StartOptions{}, "2026-12-04 15:00", "2pm")
	if turn.Kind != KindQuestion || turn.Question.Error != `The end must be after the start. ("2pm" was read as Fri 4 Dec 2026 14:00.)` {
		t.Errorf("turn %v, question %+v (%d asked)", turn.Kind, turn.Question, len(qs))
	}
}

func outputOf(turn *Turn, name string) any {
	for _, o := range turn.Outputs {
		if o.Name == name {
			return o.Value
		}
	}
	return nil
}

func TestAddDays(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Midnight before the spring-forward day: the next midnight is 23
	// hours later, the one after the autumn change 25.
	spring := time.Date(2026, 3, 29, 0, 0, 0, 0, berlin)
	got, err := fnAddDays(spring, 1, "Europe/Berlin")
	if err != nil || !got.(time.Time).Equal(time.Date(2026, 3, 30, 0, 0, 0, 0, berlin)) || got.(time.Time).Sub(spring) != 23*time.Hour {
		t.Errorf("addDays(spring day, 1) = %v, %v", got, err)
	}
	autumn := time.Date(2026, 10, 25, 0, 0, 0, 0, berlin)
	if got, err := fnAddDays(autumn, 1, "W. Europe Standard Time"); err != nil || got.(time.Time).Sub(autumn) != 25*time.Hour {
		t.Errorf("addDays(autumn day, 1) = %v, %v", got, err)
	}
	if got, err := fnAddDays(autumn, -7, "UTC"); err != nil || !got.(time.Time).Equal(autumn.Add(-7*24*time.Hour)) {
		t.Errorf("addDays(-7) in UTC = %v, %v", got, err)
	}
	if _, err := fnAddDays(autumn, 40000, "UTC"); err == nil || !strings.Contains(err.Error(), "more than a century") {
		t.Errorf("addDays(40000) error %v", err)
	}
	if _, err := fnAddDays(autumn, 1, "Nowhere/Zone"); err == nil {
		t.Error("addDays accepted an unknown zone")
	}
	// A call with a non-integer count is a load-time error.
	if _, err := Load("t.yaml", []byte("id: t\nname: t\nsteps:\n  - say: ${ addDays(now, \"1\", \"UTC\") }\n")); err == nil {
		t.Error("addDays with a text count loaded")
	}
}
