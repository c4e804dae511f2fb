package engine_test

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/runflow/runflow/engine"
)

// A value the engine holds (here a map with a time, a duration and a
// number JSON cannot hold) written as JSON the way request bodies are.
func ExampleJSONValue() {
	v := map[string]any{
		"start":    time.Date(2026, 12, 1, 15, 0, 0, 500_000_000, time.UTC),
		"duration": 90 * time.Minute,
		"ratio":    math.NaN(),
		"tags":     []string{"a", "b"},
	}
	b, _ := json.Marshal(engine.JSONValue(v))
	fmt.Println(string(b))
	// Output:
	// {"duration":"PT1H30M","ratio":null,"start":"2026-12-01T15:00:00.5Z","tags":["a","b"]}
}

// The same value in the form of a document that promised times to the
// second in a given zone and durations in Go's notation.
func ExampleJSONForm_Value() {
	v := map[string]any{
		"start":    time.Date(2026, 12, 1, 15, 0, 0, 500_000_000, time.UTC),
		"duration": 90 * time.Minute,
	}
	form := engine.JSONForm{Zone: time.FixedZone("CET", 3600), TimeLayout: time.RFC3339, GoDurations: true}
	b, _ := json.Marshal(form.Value(v))
	fmt.Println(string(b))
	// Output:
	// {"duration":"1h30m0s","start":"2026-12-01T16:00:00+01:00"}
}
