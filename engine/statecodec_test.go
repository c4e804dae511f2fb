package engine

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// codecValues are values a session may hold, with the awkward texts.
var codecValues = map[string]any{
	"str":      "plain",
	"escapes":  "quote \" backslash \\ tab \t nl \n cr \r nul \x00 bell \x07",
	"html":     "<b>&amp;</b>",
	"unicode":  "Zoë 東京 \u2028 \u2029 🎉",
	"invalid":  "bad \xff\xfe utf8",
	"empty":    "",
	"float":    1.5,
	"tiny":     1e-9,
	"huge":     1e21,
	"negzero":  math.Copysign(0, -1),
	"int":      42,
	"int64":    int64(-7),
	"bool":     true,
	"nil":      nil,
	"time":     time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.FixedZone("X", 3600)),
	"duration": 90 * time.Minute,
	"strings":  []string{"a", "", "c\"d"},
	"list":     []any{"x", 1.0, []any{true}, map[string]any{"k": int64(1)}},
	"map":      map[string]any{"b": "2", "a": []string{}},
	"float32":  float32(0.25),
	"ints":     []int{1, 2},
	"strmap":   map[string]string{"z": "1"},
}

// appendValue writes exactly what encoding/json writes for encodeValue's
// form, and gjsonValue reads back what decodeValue reads.
func TestStateCodecMatchesJSON(t *testing.T) {
	for name, v := range codecValues {
		enc, err := encodeValue(v)
		if err != nil {
			t.Fatal(name, err)
		}
		want, err := json.Marshal(enc)
		if err != nil {
			t.Fatal(name, err)
		}
		got, err := appendValue(nil, v, 0)
		if err != nil {
			t.Fatal(name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: wrote %s, encoding/json %s", name, got, want)
		}
		var generic any
		if err := json.Unmarshal(got, &generic); err != nil {
			t.Fatal(name, err)
		}
		viaJSON, err1 := decodeValue(generic, 0)
		viaGJSON, err2 := gjsonValue(gjson.ParseBytes(got), 0)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(viaJSON, viaGJSON) {
			t.Errorf("%s: read back %#v (%v), encoding/json %#v (%v)", name, viaGJSON, err2, viaJSON, err1)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := appendValue(nil, bad, 0); err == nil {
			t.Errorf("%v was written", bad)
		}
	}
}

// A whole state is the JSON of savedState: encoding/json reads it with
// unknown fields refused, and parseState reads the same values.
func TestStateIsSavedStateJSON(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - {name: x, type: string, prompt: x}
steps:
  - id: s
    http: {method: GET, path: /me/todo/lists, headers: {Prefer: 'odata.maxpagesize=1'}}
  - set:
      str: ${ "a\"<b>" }
      n: ${ 1 }
  - foreach: ${ ["a", "b"] }
    as: it
    steps:
      - ask: x
  - say: '${ steps.s.headers["content-type"] } ${ json(steps.s.body, "value") }'
`)
	g := newFakeGraph(t)
	g.handle("GET /v1.0/users/ann@contoso.com/todo/lists", 200, `{"value":[{"displayName":"Tasks <1>"}],"other":"x"}`)
	e := newTestEngine(t, g, nil, tp)
	turn, err := e.Start(t.Context(), tp, StartOptions{Subject: "ann", Conversation: "c\"1", Zone: "Europe/Paris", User: "ann@contoso.com", Inputs: map[string]any{}})
	if err != nil || turn.Kind != KindQuestion {
		t.Fatal(err, turn)
	}
	var st savedState
	dec := json.NewDecoder(bytes.NewReader(turn.State))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		t.Fatalf("%v\n%s", err, turn.State)
	}
	ps, err := parseState(turn.State, false)
	if err != nil {
		t.Fatal(err)
	}
	if st.Template != ps.Template || st.Hash != ps.Hash || st.Session != ps.Session || st.Seq != ps.Seq || st.Zone != ps.Zone ||
		st.User != ps.User || st.Subject != ps.Subject || st.Conversation != ps.Conversation || st.Wait != ps.Wait || len(st.Cursor) != len(ps.Cursor) {
		t.Errorf("encoding/json read %+v\nparseState read %+v", st, ps)
	}
	for k, v := range st.Vars {
		d, err := decodeValue(v, 0)
		if err != nil || !reflect.DeepEqual(d, ps.Vars[k]) {
			t.Errorf("var %s: %#v and %#v", k, d, ps.Vars[k])
		}
	}
	if r := ps.Steps["s"]; r == nil || r.Body != `{"value":[{"displayName":"Tasks <1>"}]}` || !strings.HasPrefix(r.Headers["content-type"], "application/json") || st.Steps["s"].Body != r.Body {
		t.Errorf("step result %+v / %+v", r, st.Steps["s"])
	}
	// And it resumes, inside the loop, twice.
	for range 2 {
		if turn, err = e.Resume(t.Context(), turn.State, "y"); err != nil {
			t.Fatal(err)
		}
	}
	if turn.Kind != KindDone || !strings.Contains(turn.Messages[0], "Tasks") {
		t.Errorf("%+v", turn)
	}
}
