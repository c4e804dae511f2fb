package graph

import (
	"context"
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

// newBenchServer is engine/bench's loopback Graph: GET /v1.0/me?$select=...
// with enginebench.Token answered with benchMeBody, anything else with 400.
func newBenchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(enginebench.MeHandler())
	b.Cleanup(srv.Close)
	return srv
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
	srv := newBenchServer(b)
	base := srv.URL + "/v1.0"
	hc := srv.Client()
	benchGetMe(b, hc, base)
}

// BenchmarkGetMeNoNetwork is BenchmarkGetMe with an in-memory transport
// that answers at once: what is left is the client's own CPU and
// allocations, without the loopback round trip and the server, whose
// noise on a shared machine is larger than the client's cost. Compare
// with benchstat -col /impl as above.
func BenchmarkGetMeNoNetwork(b *testing.B) {
	const base = "https://graph.example.com/v1.0"
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: http.StatusOK, ContentLength: int64(len(benchMeBody)),
			Header: http.Header{"Content-Type": {"application/json"}, "Request-Id": {"0d6ee1f7-5a6c-4a5b-9f7e-6a1f2b3c4d5e"}},
			Body:   io.NopCloser(strings.NewReader(benchMeBody)),
		}, nil
	})}
	benchGetMe(b, hc, base)
}

// benchGetMe times GET /me by hand and through Client.Do, both over hc to
// the service root base.
func benchGetMe(b *testing.B, hc *http.Client, base string) {
	ctx := context.Background()
	c, err := New(Config{BaseURL: base, HTTPClient: hc, Auth: auth.Static(enginebench.Token)})
	if err != nil {
		b.Fatal(err)
	}
	enginebench.BenchMe(b,
		enginebench.MeImpl{Name: "handwritten", Run: func() (string, string, error) { return enginebench.HandWrittenMe(ctx, hc, base) }},
		enginebench.MeImpl{Name: "Do", Run: func() (string, string, error) { return clientMe(ctx, c) }},
	)
}
