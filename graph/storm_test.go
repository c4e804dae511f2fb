package graph

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// stormServer answers writes with a deterministic mix of faults, decided by
// the write's id and how many times that id has arrived, and records how
// many times each write was applied.
type stormServer struct {
	*scripted
	mu       sync.Mutex
	arrivals map[string]int
	applied  map[string]int
	outcomes map[string]int
}

var stormFaults = []string{"429", "503-graph", "503-plain-applied", "503-plain", "504-applied", "504", "drop-before", "drop-after", "slow-applied", "500", "201", "201", "201"}

func newStormServer(t *testing.T) *stormServer {
	s := &stormServer{scripted: newScripted(t), arrivals: map[string]int{}, applied: map[string]int{}, outcomes: map[string]int{}}
	s.setHandler(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := gjson.GetBytes(body, "id").String()
		txn := gjson.GetBytes(body, "transactionId").String()
		s.mu.Lock()
		s.arrivals[id]++
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%d", id, s.arrivals[id])
		fault := stormFaults[rand.New(rand.NewPCG(h.Sum64(), 7)).IntN(len(stormFaults))]
		s.outcomes[fault]++
		apply := func() {
			if txn != "" && s.applied[id] > 0 {
				return // Graph creates an event once per transactionId
			}
			s.applied[id]++
		}
		switch fault {
		case "503-plain-applied", "504-applied", "drop-after", "slow-applied", "201":
			apply()
		}
		s.mu.Unlock()

		switch fault {
		case "429":
			serveReply(w, r, reply{status: 429, header: map[string]string{"Retry-After": "0.5"}, body: body429})
		case "503-graph":
			serveReply(w, r, reply{status: 503, body: graphBody503})
		case "503-plain", "503-plain-applied":
			serveReply(w, r, reply{status: 503, header: map[string]string{"Content-Type": "text/html"}, body: "<h1>Service Unavailable</h1>"})
		case "504", "504-applied":
			serveReply(w, r, reply{status: 504})
		case "drop-before", "drop-after":
			hijackAndClose(w)
		case "slow-applied":
			<-r.Context().Done()
		case "500":
			serveReply(w, r, reply{status: 500, body: `{"error":{"code":"generalException","message":"x"}}`})
		case "201":
			serveReply(w, r, reply{status: 201, body: `{"id":"` + id + `"}`})
		}
	})
	return s
}

// TestFaultStormWritesLandAtMostOnce sends 120 writes at once through a
// storm of 429s, 503s, 504s, dropped and slow connections. Every write that
// succeeded was applied exactly once; every "may have been sent" write at
// most once; every other failure never. Idempotent writes (transactionId)
// are retried through everything and land exactly once when they succeed.
func TestFaultStormWritesLandAtMostOnce(t *testing.T) {
	srv := newStormServer(t)
	c, _ := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.MaxAttempts = 6
		cfg.RequestTimeout = 150 * time.Millisecond
	})
	const n = 120
	type result struct {
		id         string
		idempotent bool
		err        error
	}
	results := make(chan result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("w%03d", i)
			body := `{"id":"` + id + `"}`
			idem := i%3 == 0
			if idem {
				body = `{"id":"` + id + `","transactionId":"txn-` + id + `"}`
			}
			_, err := c.Do(context.Background(), &Request{Method: "POST", Path: fmt.Sprintf("/users/u%d/events", i%5), Body: []byte(body), Idempotent: idem})
			results <- result{id, idem, err}
		}()
	}
	wg.Wait()
	close(results)

	srv.mu.Lock()
	defer srv.mu.Unlock()
	var ok, maybe, failed int
	for r := range results {
		applied := srv.applied[r.id]
		var ms *MaybeSentError
		switch {
		case r.err == nil:
			ok++
			if applied != 1 {
				t.Errorf("%s succeeded but was applied %d times", r.id, applied)
			}
		case errors.As(r.err, &ms):
			maybe++
			if applied > 1 {
				t.Errorf("%s (maybe sent) was applied %d times", r.id, applied)
			}
			if r.idempotent && ms.Attempts < 2 {
				t.Errorf("%s is idempotent and should have been retried before 'maybe sent', got %v", r.id, r.err)
			}
		default:
			failed++
			if applied != 0 {
				t.Errorf("%s failed without 'maybe sent' (%v) but was applied %d times", r.id, r.err, applied)
			}
		}
	}
	t.Logf("%d writes: %d landed, %d maybe sent, %d failed (not applied); server saw %v", n, ok, maybe, failed, srv.outcomes)
	if ok == 0 || maybe == 0 || failed == 0 || len(srv.outcomes) != len(stormFaults)-2 {
		t.Errorf("the storm did not exercise every path: %d ok, %d maybe, %d failed, outcomes %v", ok, maybe, failed, srv.outcomes)
	}
}
