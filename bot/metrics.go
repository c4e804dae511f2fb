package bot

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/runflow/runflow/graph"
)

// turnBuckets are the upper bounds (seconds) of the turn duration
// histogram: a question answered in memory takes well under a millisecond,
// a turn with Graph calls tens to hundreds of milliseconds.
var turnBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Metrics counts turns and Graph requests for GET /metrics, in the
// Prometheus text exposition format (written by hand: no client library
// is needed for counters and one histogram). It is safe for concurrent
// use; the zero value is ready.
type Metrics struct {
	mu     sync.Mutex
	turns  map[[2]string]uint64 // template, status
	graph  map[string]uint64    // HTTP status ("0": no answer)
	counts []uint64             // per bucket of turnBuckets, then +Inf
	sum    float64
	n      uint64
}

// ObserveTurn counts one turn of template that ended with status (a
// Reply status) after d.
func (m *Metrics) ObserveTurn(template, status string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.turns == nil {
		m.turns = map[[2]string]uint64{}
		m.counts = make([]uint64, len(turnBuckets)+1)
	}
	m.turns[[2]string{template, status}]++
	s := d.Seconds()
	i := sort.SearchFloat64s(turnBuckets, s) // first bound >= s
	m.counts[i]++
	m.sum += s
	m.n++
}

// Trace counts one Graph exchange: pass it as engine.Config.Trace (it
// sees no token, only the method, URL and status).
func (m *Metrics) Trace(ev graph.TraceEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.graph == nil {
		m.graph = map[string]uint64{}
	}
	m.graph[strconv.Itoa(ev.Status)]++
}

// Gauge is a value read when the metrics are written.
type Gauge struct {
	Name, Help string
	Type       string // "gauge" or "counter"
	Value      float64
}

// WriteTo writes every metric, and the gauges given, in the text format.
func (m *Metrics) WriteTo(w io.Writer, gauges ...Gauge) error {
	m.mu.Lock()
	turns := make([][2]string, 0, len(m.turns))
	for k := range m.turns {
		turns = append(turns, k)
	}
	sort.Slice(turns, func(i, j int) bool {
		if turns[i][0] != turns[j][0] {
			return turns[i][0] < turns[j][0]
		}
		return turns[i][1] < turns[j][1]
	})
	var b strings.Builder
	b.WriteString("# HELP runflow_turns_total Turns handled, by template and the reply's status.\n# TYPE runflow_turns_total counter\n")
	for _, k := range turns {
		fmt.Fprintf(&b, "runflow_turns_total{template=\"%s\",status=\"%s\"} %d\n", escapeLabel(k[0]), escapeLabel(k[1]), m.turns[k])
	}
	b.WriteString("# HELP runflow_turn_duration_seconds Time to handle one turn, Graph calls included.\n# TYPE runflow_turn_duration_seconds histogram\n")
	var cum uint64
	for i, le := range turnBuckets {
		if m.counts != nil {
			cum += m.counts[i]
		}
		fmt.Fprintf(&b, "runflow_turn_duration_seconds_bucket{le=\"%s\"} %d\n", strconv.FormatFloat(le, 'g', -1, 64), cum)
	}
	fmt.Fprintf(&b, "runflow_turn_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.n)
	fmt.Fprintf(&b, "runflow_turn_duration_seconds_sum %s\n", strconv.FormatFloat(m.sum, 'g', -1, 64))
	fmt.Fprintf(&b, "runflow_turn_duration_seconds_count %d\n", m.n)
	codes := make([]string, 0, len(m.graph))
	for c := range m.graph {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	b.WriteString("# HELP runflow_graph_requests_total Graph HTTP exchanges, by status (0: no answer).\n# TYPE runflow_graph_requests_total counter\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "runflow_graph_requests_total{status=\"%s\"} %d\n", c, m.graph[c])
	}
	m.mu.Unlock()
	for _, g := range gauges {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n%s %s\n", g.Name, g.Help, g.Name, g.Type, g.Name, strconv.FormatFloat(g.Value, 'g', -1, 64))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeLabel escapes a label value as the text format wants.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
