package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/runflow/runflow/auth"
	"golang.org/x/oauth2"
)

// appOnlyProvider gives a fixed app-only token, as client credentials do.
type appOnlyProvider struct{ auth.Provider }

func (appOnlyProvider) AppOnly() bool { return true }

func (p appOnlyProvider) Token(ctx context.Context, req auth.Request) (*oauth2.Token, error) {
	return p.Provider.Token(ctx, req)
}

func TestAppOnlyRunNeedsAUser(t *testing.T) {
	src := []byte(`id: me-name
name: Me
description: Reads the mailbox owner's name.
scopes: [User.Read]
steps:
  - id: me
    http: {method: GET, path: /me}
output:
  name: ${ json(steps.me.body, 'displayName') }
`)
	tp, err := Load("me-name.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	g := newFakeGraph(t)
	g.handle("GET /v1.0/users/adele@contoso.com", 200, `{"displayName":"Adele Vance"}`)
	e := newTestEngine(t, g, appOnlyProvider{auth.Static("app-token")}, tp)

	for _, user := range []string{"", "me", "ME"} {
		turn, err := e.Start(context.Background(), tp, StartOptions{User: user})
		if err != nil {
			t.Fatal(err)
		}
		if turn.Kind != KindFailed || !errors.Is(turn.Err, ErrAppOnlyNeedsUser) {
			t.Fatalf("user %q: got kind %v, err %v; want a failed turn with ErrAppOnlyNeedsUser", user, turn.Kind, turn.Err)
		}
	}
	if n := len(g.sent()); n != 0 {
		t.Fatalf("an app-only run with no user sent %d requests; want none", n)
	}

	turn, err := e.Start(context.Background(), tp, StartOptions{User: "adele@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if turn.Kind != KindDone {
		t.Fatalf("with a user: got kind %v, err %v; want done", turn.Kind, turn.Err)
	}
	if got := g.sent(); len(got) != 1 || got[0].Path != "/v1.0/users/adele@contoso.com" {
		t.Fatalf("with a user: requests %+v; want one GET /users/adele@contoso.com", got)
	}
	if turn.Outputs[0].Value != "Adele Vance" {
		t.Fatalf("output %v; want Adele Vance", turn.Outputs[0].Value)
	}
}
