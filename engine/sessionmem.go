package engine

import "fmt"

// A session's variables and step results live in memory while it runs;
// each one is bounded (MaxValueBytes, MaxValueDataBytes, the Graph
// client's MaxBodyBytes) but their number is not, so their total is
// bounded too (Limits.MaxSessionBytes), each time a variable or a step
// result is set. The saved state is bounded separately (MaxStateBytes)
// and only when it is saved, which a run that never pauses never does.

// liveData is the count of the bytes a session holds.
type liveData struct {
	n int
	// counted says whether n counts the session's values; a session
	// restored from a state is counted in full at its first change.
	counted bool
}

// holdLive accounts for a value set in the session in place of old, and
// fails with a *LimitError for MaxSessionBytes when the session now holds
// more than the limit.
func (s *session) holdLive(old, v any) error {
	lim := s.e.lim.MaxSessionBytes
	if !s.live.counted {
		s.live.n = 0
		for _, m := range []map[string]any{s.inputs, s.vars, s.steps} {
			for k, x := range m {
				s.live.n += len(k) + liveBytes(x, lim)
			}
		}
		s.live.counted = true
	} else {
		s.live.n += liveBytes(v, lim) - liveBytes(old, lim)
	}
	if s.live.n > lim {
		return &LimitError{Setting: "MaxSessionBytes", Message: fmt.Sprintf("the session holds more than %d bytes in its variables, answers and step results (or a value that holds itself)", lim)}
	}
	return nil
}

// liveBytes counts the bytes of the texts in one value of the session,
// a step result's included; past limit (or past the depth and element
// bounds of valueBytes, which a value holding itself reaches) it returns
// at most limit+1.
func liveBytes(v any, limit int) int {
	if r, ok := v.(*stepResult); ok {
		n := len(r.Body) + len(r.Items)
		for k, h := range r.Headers {
			n += len(k) + len(h)
		}
		return n
	}
	return valueBytes(v, limit)
}
