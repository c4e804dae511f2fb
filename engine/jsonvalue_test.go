package engine

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/runflow/runflow/engine/input"
)

// TestJSONForm pins the forms the CLI's --output json and the MCP server's
// structured content rely on, beside the engine's own.
func TestJSONForm(t *testing.T) {
	f := input.FileValue{Name: "a.pdf", ContentType: "application/pdf", Size: 3, SHA256: "ab"}
	when := time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
	outputs := JSONForm{TimeLayout: time.RFC3339, GoDurations: true, FileStructs: true}
	for _, c := range []struct {
		name string
		form JSONForm
		v    any
		want string
	}{
		{"file as map", JSONForm{}, f, `{"content_type":"application/pdf","name":"a.pdf","sha256":"ab","size":3}`},
		{"file as struct", outputs, f, `{"name":"a.pdf","content_type":"application/pdf","size":3,"sha256":"ab"}`},
		{"files in a list", JSONForm{}, []input.FileValue{f}, `[{"content_type":"application/pdf","name":"a.pdf","sha256":"ab","size":3}]`},
		{"time", JSONForm{}, when, `"2026-03-04T05:06:07.891Z"`},
		{"time to the second", outputs, when, `"2026-03-04T05:06:07Z"`},
		{"time in a zone", JSONForm{Zone: time.FixedZone("", -3600)}, &when, `"2026-03-04T04:06:07.891-01:00"`},
		{"nil time", outputs, (*time.Time)(nil), `null`},
		{"duration", JSONForm{}, 36*time.Hour + time.Second, `"P1DT12H1S"`},
		{"Go duration", outputs, 36*time.Hour + time.Second, `"36h0m1s"`},
		{"deep", JSONForm{}, map[string]any{"l": []any{math.Inf(1), time.Minute}}, `{"l":[null,"PT1M"]}`},
		{"typed list and map", outputs, map[string][]float64{"x": {1, math.NaN()}}, `{"x":[1,null]}`},
		{"nil typed list", JSONForm{}, []string(nil), `[]`},
	} {
		b, err := json.Marshal(c.form.Value(c.v))
		if err != nil || string(b) != c.want {
			t.Errorf("%s: got %s (%v), want %s", c.name, b, err, c.want)
		}
	}
}
