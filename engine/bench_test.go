package engine

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/graph"
)

const benchTemplate = `
id: bench-lists
name: Bench
description: One request, two fields read.
scopes: [Tasks.Read]
steps:
  - id: lists
    http:
      method: GET
      path: /me/todo/lists
output:
  names: ${ json(steps.lists.body, 'value.#.displayName') }
  first: ${ json(steps.lists.body, 'value.0.id') }
`

const benchBody = `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users('x')/todo/lists","value":[{"id":"AAMkADIy","displayName":"Tasks","isOwner":true,"isShared":false,"wellknownListName":"defaultList"},{"id":"AAMkADIz","displayName":"Groceries","isOwner":true,"isShared":false,"wellknownListName":"none"}]}`

func benchServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, benchBody)
	}))
}

// handWritten is the baseline: the same request and reads with net/http
// and gjson, no engine.
func handWritten(ctx context.Context, c *http.Client, base string) ([]string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1.0/me/todo/lists", nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", "Bearer token")
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("status %d", resp.StatusCode)
	}
	var names []string
	for _, n := range gjson.GetBytes(body, "value.#.displayName").Array() {
		names = append(names, n.String())
	}
	return names, gjson.GetBytes(body, "value.0.id").String(), nil
}

func benchEngine(b *testing.B, srv *httptest.Server) func() {
	tp, err := Load("bench.yaml", []byte(benchTemplate))
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(Config{GraphURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Auth: auth.Static("token")})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	return func() {
		turn, err := e.Run(ctx, tp, StartOptions{})
		if err != nil || turn.Kind != KindDone || turn.Outputs[1].Value != "AAMkADIy" {
			b.Fatalf("%v %v", err, turn.Err)
		}
	}
}

func benchHand(b *testing.B, srv *httptest.Server) func() {
	c := srv.Client()
	ctx := context.Background()
	return func() {
		names, first, err := handWritten(ctx, c, srv.URL)
		if err != nil || len(names) != 2 || first != "AAMkADIy" {
			b.Fatal(err)
		}
	}
}

// BenchmarkOneRequestFlow runs a one-request flow through the engine and
// the hand-written baseline in the same run. TestOneRequestFlowRatio
// (go test -run Ratio -ratio) prints engine/baseline for time and
// allocations.
func BenchmarkOneRequestFlow(b *testing.B) {
	srv := benchServer()
	defer srv.Close()
	b.Run("engine", func(b *testing.B) {
		run := benchEngine(b, srv)
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		run := benchHand(b, srv)
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
	})
}

var ratio = flag.Bool("ratio", false, "run TestOneRequestFlowRatio: benchmark the engine against the hand-written baseline and print the ratios")

// TestOneRequestFlowRatio measures both sides of BenchmarkOneRequestFlow in
// one run and prints the ratios. It asserts nothing about time: it only
// runs with -ratio.
func TestOneRequestFlowRatio(t *testing.T) {
	if !*ratio {
		t.Skip("run with -ratio")
	}
	srv := benchServer()
	defer srv.Close()
	eng := testing.Benchmark(func(b *testing.B) {
		run := benchEngine(b, srv)
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
	})
	hand := testing.Benchmark(func(b *testing.B) {
		run := benchHand(b, srv)
		b.ReportAllocs()
		for b.Loop() {
			run()
		}
	})
	client, err := graph.New(graph.Config{BaseURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Auth: auth.Static("token")})
	if err != nil {
		t.Fatal(err)
	}
	viaGraph := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := client.Do(context.Background(), &graph.Request{Method: "GET", Path: "/me/todo/lists"})
			if err != nil || gjson.GetBytes(resp.Body, "value.0.id").String() != "AAMkADIy" {
				b.Fatal(err)
			}
			_ = gjson.GetBytes(resp.Body, "value.#.displayName").Array()
		}
	})
	t.Logf("engine:      %v %v", eng, eng.MemString())
	t.Logf("graph.Client: %v %v (the engine's HTTP layer alone)", viaGraph, viaGraph.MemString())
	t.Logf("handwritten: %v %v", hand, hand.MemString())
	t.Logf("ratio: time %.2fx, allocations %.2fx, bytes %.2fx",
		float64(eng.NsPerOp())/float64(hand.NsPerOp()),
		float64(eng.AllocsPerOp())/float64(hand.AllocsPerOp()),
		float64(eng.AllocedBytesPerOp())/float64(hand.AllocedBytesPerOp()))
}
