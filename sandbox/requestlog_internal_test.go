package sandbox

import "testing"

// TestRequestLogStatusFollowsItsRequest: the status of a request answered
// after the log dropped older entries, or was cleared, goes to that
// request, not to whichever now sits at its old index.
func TestRequestLogStatusFollowsItsRequest(t *testing.T) {
	var l requestLog
	slow := l.add(RecordedRequest{Path: "/slow"})
	for i := 1; i < maxLoggedRequests; i++ {
		l.add(RecordedRequest{Path: "/fast"})
	}
	// The log is full: the next request drops the older half, /slow with it.
	last := l.add(RecordedRequest{Path: "/last"})
	l.setStatus(slow, 503)
	for _, e := range l.entries {
		if e.Status != 0 {
			t.Fatalf("the status of a forgotten request went to %s", e.Path)
		}
	}
	l.setStatus(last, 201)
	if e := l.entries[len(l.entries)-1]; e.Path != "/last" || e.Status != 201 {
		t.Errorf("last entry = %s %d, want /last 201", e.Path, e.Status)
	}

	// Cleared while a request is being answered: its status is dropped,
	// and the requests that come after are numbered on.
	pending := l.add(RecordedRequest{Path: "/pending"})
	l.clear()
	next := l.add(RecordedRequest{Path: "/next"})
	l.setStatus(pending, 500)
	l.setStatus(next, 200)
	if len(l.entries) != 1 || l.entries[0].Path != "/next" || l.entries[0].Status != 200 {
		t.Errorf("after clear: %+v, want /next with 200", l.entries)
	}
}
