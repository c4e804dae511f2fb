package graph

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	enginebench "github.com/runflow/runflow/engine/bench"
)

// benchMeBody is Graph's documented answer to GET /me (reference example
// F4), the same body engine/bench serves.
const benchMeBody = enginebench.MeResponse

// newBenchServer is a loopback Graph answering GET /v1.0/me?$select=...
// with benchMeBody, and anything else with 400 so that a wrong request
// fails the benchmark instead of being timed.
func newBenchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1.0/me" || r.URL.RawQuery != "%24select=displayName%2Cmail" ||
			r.Header.Get("Authorization") != "Bearer "+testToken {
			http.Error(w, `{"error":{"code":"BadRequest","message":"unexpected request"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("request-id", "0d6ee1f7-5a6c-4a5b-9f7e-6a1f2b3c4d5e")
		_, _ = io.WriteString(w, benchMeBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// handWrittenMe is what a Go developer writes without runflow: one request
// with net/http, the body read within a size limit, two fields read with
// gjson.
func handWrittenMe(ctx context.Context, hc *http.Client, baseURL string) (name, mail string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/me?%24select=displayName%2Cmail", nil)
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := hc.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxBodyBytes))
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("GET /me: %s", resp.Status)
	}
	fields := gjson.GetManyBytes(body, "displayName", "mail")
	return fields[0].String(), fields[1].String(), nil
}

// clientMe does the same through Client.Do, building the Request as a
// caller would.
func clientMe(ctx context.Context, c *Client) (name, mail string, err error) {
	resp, err := c.Do(ctx, &Request{Path: "/me", Query: url.Values{"$select": {"displayName,mail"}}})
	if err != nil {
		return "", "", err
	}
	fields := gjson.GetManyBytes(resp.Body, "displayName", "mail")
	return fields[0].String(), fields[1].String(), nil
}

// BenchmarkGetMe runs GET /me both ways, in the same run, against the same
// loopback server and *http.Client, so that the Client's own cost shows as
// a ratio. Compare with:
//
//	go test -run='^$' -bench=GetMe -benchmem -count=6 ./graph/ | tee bench.txt
//	benchstat -col /impl bench.txt
func BenchmarkGetMe(b *testing.B) {
	ctx := context.Background()
	srv := newBenchServer(b)
	base := srv.URL + "/v1.0"
	hc := srv.Client()
	c, err := New(Config{BaseURL: base, HTTPClient: hc, Auth: auth.Static(testToken)})
	if err != nil {
		b.Fatal(err)
	}
	impls := []struct {
		name string
		run  func() (string, string, error)
	}{
		{"handwritten", func() (string, string, error) { return handWrittenMe(ctx, hc, base) }},
		{"Do", func() (string, string, error) { return clientMe(ctx, c) }},
	}
	for _, impl := range impls {
		// Both must read the same values before they are timed.
		name, mail, err := impl.run()
		if err != nil || name != "Adele Vance" || mail != "AdeleV@contoso.com" {
			b.Fatalf("%s: got %q, %q, %v", impl.name, name, mail, err)
		}
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0, ok := processCPU()
			n := 0
			for b.Loop() {
				if _, _, err := impl.run(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			// CPU time of the whole process (client, server and GC) per
			// run: steadier than ns/op on a machine shared with other work.
			if cpu1, ok1 := processCPU(); ok && ok1 && n > 0 {
				b.ReportMetric(float64(cpu1-cpu0)/float64(n), "cpu-ns/op")
			}
		})
	}
}

// BenchmarkGetMeNoNetwork is BenchmarkGetMe with an in-memory transport
// that answers at once: what is left is the client's own CPU and
// allocations, without the loopback round trip and the server, whose
// noise on a shared machine is larger than the client's cost. Compare
// with benchstat -col /impl as above.
func BenchmarkGetMeNoNetwork(b *testing.B) {
	ctx := context.Background()
	const base = "https://graph.example.com/v1.0"
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: http.StatusOK, ContentLength: int64(len(benchMeBody)),
			Header: http.Header{"Content-Type": {"application/json"}, "Request-Id": {"0d6ee1f7-5a6c-4a5b-9f7e-6a1f2b3c4d5e"}},
			Body:   io.NopCloser(strings.NewReader(benchMeBody)),
		}, nil
	})}
	c, err := New(Config{BaseURL: base, HTTPClient: hc, Auth: auth.Static(testToken)})
	if err != nil {
		b.Fatal(err)
	}
	impls := []struct {
		name string
		run  func() (string, string, error)
	}{
		{"handwritten", func() (string, string, error) { return handWrittenMe(ctx, hc, base) }},
		{"Do", func() (string, string, error) { return clientMe(ctx, c) }},
	}
	for _, impl := range impls {
		name, mail, err := impl.run()
		if err != nil || name != "Adele Vance" || mail != "AdeleV@contoso.com" {
			b.Fatalf("%s: got %q, %q, %v", impl.name, name, mail, err)
		}
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := impl.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
