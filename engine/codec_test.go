package engine

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestCodecRoundTrip(t *testing.T) {
	when := time.Date(2026, 12, 1, 15, 0, 0, 123, time.FixedZone("", 3600))
	values := []any{
		nil, "text", true, 4.5, 42, int64(-7), when, 90 * time.Minute,
		[]string{"a@b.co", "c@d.co"}, []any{1, "x", []any{when}},
		map[string]any{"$i": "not a tag inside a map", "n": 1.5, "d": time.Second, "l": []any{"x"}},
	}
	for _, v := range values {
		enc, err := encodeValue(v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		data, err := json.Marshal(enc)
		if err != nil {
			t.Fatal(err)
		}
		var raw any
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Fatal(err)
		}
		back, err := decodeValue(raw, 0)
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if tm, ok := v.(time.Time); ok {
			if !back.(time.Time).Equal(tm) {
				t.Errorf("time %v came back as %v", v, back)
			}
			continue
		}
		if list, ok := v.([]any); ok {
			// The time inside keeps its instant, not its *time.Location.
			got := back.([]any)
			if got[0] != list[0] || got[1] != list[1] || !got[2].([]any)[0].(time.Time).Equal(when) {
				t.Errorf("%#v came back as %#v", v, back)
			}
			continue
		}
		if !reflect.DeepEqual(back, v) {
			t.Errorf("%#v came back as %#v (%s)", v, back, data)
		}
	}
	// Other Go shapes expressions make are saved in their plain form.
	enc, err := encodeValue([]int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	back, _ := decodeValue(mustJSON(t, enc), 0)
	if !reflect.DeepEqual(back, []any{1, 2}) {
		t.Errorf("[]int came back as %#v", back)
	}
	if _, err := encodeValue(make(chan int)); err == nil {
		t.Error("a channel must not be saved")
	}
	for _, bad := range []string{`{"$t":"x"}`, `{"$i":1}`, `{"$zz":"1"}`, `{"$m":{"a":{"$d":"x"}}}`, `{"a":1,"b":2}`} {
		if _, err := decodeValue(mustJSON(t, json.RawMessage(bad)), 0); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

func mustJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	return raw
}
