package bench

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// newServer is a loopback Graph that answers GET /v1.0/me.
func newServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(MeHandler())
	b.Cleanup(srv.Close)
	return srv
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

	BenchMe(b,
		MeImpl{Name: "handwritten", Run: func() (string, string, error) { return HandWrittenMe(ctx, hc, base) }},
		MeImpl{Name: "engine", Run: func() (string, string, error) { return engineMe(ctx, eng, tpl) }},
	)
}
