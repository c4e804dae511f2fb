package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// newServer is a loopback Graph that answers GET /v1.0/me.
func newServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(MeHandler())
	b.Cleanup(srv.Close)
	return srv
}

// handWrittenMe is what a Go developer writes without runflow: one
// request with net/http, two fields read with gjson.
func handWrittenMe(ctx context.Context, hc *http.Client, baseURL string) (name, mail string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/me?%24select=displayName%2Cmail", nil)
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Authorization", "Bearer "+Token)
	resp, err := hc.Do(req)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("GET /me: %s", resp.Status)
	}
	fields := gjson.GetManyBytes(body, "displayName", "mail")
	return fields[0].String(), fields[1].String(), nil
}

// engineMe runs the template and returns the same two fields.
func engineMe(ctx context.Context, e *engine.Engine, t *engine.Template) (name, mail string, err error) {
	turn, err := e.Run(ctx, t, engine.StartOptions{})
	if err != nil {
		return "", "", err
	}
	if turn.Kind != engine.KindDone {
		return "", "", fmt.Errorf("flow ended %v: %v", turn.Kind, turn.Err)
	}
	for _, o := range turn.Outputs {
		switch o.Name {
		case "name":
			name, _ = o.Value.(string)
		case "mail":
			mail, _ = o.Value.(string)
		}
	}
	return name, mail, nil
}

// BenchmarkGetMe runs the same request both ways against the same loopback
// server and client. Compare with: benchstat -col /impl bench.txt
func BenchmarkGetMe(b *testing.B) {
	ctx := context.Background()
	srv := newServer(b)
	base := srv.URL + "/v1.0"
	hc := srv.Client()

	tpl, err := engine.Load("bench-me.yaml", []byte(MeTemplate))
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(engine.Config{GraphURL: base, HTTPClient: hc, Auth: auth.Static(Token)})
	if err != nil {
		b.Fatal(err)
	}

	impls := []struct {
		name string
		run  func() (string, string, error)
	}{
		{"handwritten", func() (string, string, error) { return handWrittenMe(ctx, hc, base) }},
		{"engine", func() (string, string, error) { return engineMe(ctx, eng, tpl) }},
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
