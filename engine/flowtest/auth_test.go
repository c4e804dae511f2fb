package flowtest

import (
	"context"
	"strings"
	"testing"

	"github.com/runflow/runflow/auth"
)

func TestTestAuthSignInWithMagicCode(t *testing.T) {
	ctx := context.Background()
	a := newTestAuth(AuthSpec{SignedIn: false, MagicCode: "493817"})
	req := auth.Request{Scopes: []string{"Tasks.Read", "User.Read"}}
	_, err := a.Token(ctx, req)
	s, ok := auth.IsSignInRequired(err)
	if !ok {
		t.Fatalf("signed out: got %v, want a sign-in request", err)
	}
	if s.URL != SignInURL+"?scope=Tasks.Read+User.Read" || !s.MagicCode || strings.Join(s.Scopes, " ") != "Tasks.Read User.Read" {
		t.Errorf("sign-in request: %+v", s)
	}
	a.completeInBrowser() // with a magic code, the browser alone does not sign in
	if _, err := a.Token(ctx, req); err == nil {
		t.Fatal("signed in without the magic code")
	}
	if s, ok := auth.IsSignInRequired(a.CompleteSignIn(ctx, req, "000000")); !ok || s.Reason != wrongCodeReason || !s.MagicCode {
		t.Fatalf("wrong code: got %+v, want the sign-in asked again", s)
	}
	if err := a.CompleteSignIn(ctx, req, " 493817 "); err != nil {
		t.Fatalf("right code: %v", err)
	}
	tok, err := a.Token(ctx, req)
	if err != nil || tok.AccessToken != a.token || !strings.HasPrefix(a.token, "flowtest.") || len(a.token) != len("flowtest.")+32 {
		t.Fatalf("token after sign-in: %v, %v", tok, err)
	}
	if len(a.asked) != 3 {
		t.Errorf("token requests recorded: %d, want 3", len(a.asked))
	}
}

func TestTestAuthSignInInBrowser(t *testing.T) {
	a := newTestAuth(AuthSpec{SignedIn: false})
	if _, err := a.Token(context.Background(), auth.Request{}); err == nil {
		t.Fatal("signed out gave a token")
	}
	a.completeInBrowser()
	if _, err := a.Token(context.Background(), auth.Request{}); err != nil {
		t.Fatalf("after sign-in: %v", err)
	}
	if b := newTestAuth(AuthSpec{SignedIn: true}); b.token == a.token {
		t.Error("two cases share a token")
	}
}
