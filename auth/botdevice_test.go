package auth_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

var userCodeRE = regexp.MustCompile(`enter the code (\w+)`)

func newBotDevice(t *testing.T, e *env, expected func(string) string) *auth.BotDeviceCode {
	t.Helper()
	b, err := auth.NewBotDeviceCode(auth.BotDeviceCodeConfig{Profile: e.profile, Store: e.store, HTTPClient: e.ts.Client(), Now: e.clock.Now, Log: e.log, ExpectedAccount: expected})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deviceSignIn asks for a token and returns the user code of the sign-in.
func deviceSignIn(t *testing.T, b *auth.BotDeviceCode, req auth.Request) string {
	t.Helper()
	_, err := b.Token(context.Background(), req)
	sir, ok := auth.IsSignInRequired(err)
	if !ok || !strings.HasSuffix(sir.URL, "/devicelogin") || sir.MagicCode {
		t.Fatalf("Token = %v, want a device code sign-in request", err)
	}
	m := userCodeRE.FindStringSubmatch(sir.Reason)
	if m == nil {
		t.Fatalf("reason %q has no user code", sir.Reason)
	}
	return m[1]
}

func TestBotDeviceCodeSignIn(t *testing.T) {
	e := newEnv(t)
	b := newBotDevice(t, e, nil)
	ctx := context.Background()
	req := auth.Request{Subject: "u1", Conversation: "c1", Scopes: []string{"Tasks.ReadWrite"}}
	code := deviceSignIn(t, b, req)

	// "done" before the user finished: the same code is shown again.
	err := b.CompleteSignIn(ctx, req, "done")
	if sir, ok := auth.IsSignInRequired(err); !ok || !strings.Contains(sir.Reason, code) {
		t.Fatalf("CompleteSignIn while pending = %v", err)
	}
	if err := e.sb.ApproveDeviceCode(code, ""); err != nil {
		t.Fatal(err)
	}
	// Answering again at once would poll too fast: still pending, no error.
	if err := b.CompleteSignIn(ctx, req, "done"); err == nil {
		t.Fatal("polled before the interval had passed")
	}
	e.clock.Advance(5 * time.Second)
	if err := b.CompleteSignIn(ctx, req, "done"); err != nil {
		t.Fatalf("CompleteSignIn after approval: %v", err)
	}
	tok, err := b.Token(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.graphGet("/me/todo/lists", tok.AccessToken); got != 200 {
		t.Errorf("GET /me/todo/lists: %d", got)
	}
	// The grant is the user's: another conversation of the same user works.
	if _, err := b.Token(ctx, auth.Request{Subject: "u1", Conversation: "c2", Scopes: []string{"Tasks.ReadWrite"}}); err != nil {
		t.Errorf("same user, other conversation: %v", err)
	}
}

func TestBotDeviceCodeTokenPollsToo(t *testing.T) {
	e := newEnv(t)
	b := newBotDevice(t, e, nil)
	req := auth.Request{Subject: "u1", Conversation: "c1"}
	code := deviceSignIn(t, b, req)
	_ = e.sb.ApproveDeviceCode(code, "")
	e.clock.Advance(5 * time.Second)
	if _, err := b.Token(context.Background(), req); err != nil {
		t.Fatalf("Token after approval: %v", err)
	}
}

func TestBotDeviceCodeDeclinedStartsOver(t *testing.T) {
	e := newEnv(t)
	b := newBotDevice(t, e, nil)
	req := auth.Request{Subject: "u1", Conversation: "c1"}
	code := deviceSignIn(t, b, req)
	_ = e.sb.DeclineDeviceCode(code)
	e.clock.Advance(5 * time.Second)
	err := b.CompleteSignIn(context.Background(), req, "done")
	if sir, ok := auth.IsSignInRequired(err); !ok || !strings.Contains(sir.Reason, "declined") {
		t.Fatalf("after decline: %v", err)
	}
	if again := deviceSignIn(t, b, req); again == code {
		t.Error("the declined code was offered again")
	}
	if err := b.CompleteSignIn(context.Background(), auth.Request{Subject: "u9", Conversation: "c9"}, "x"); !errors.Is(err, auth.ErrNoPendingSignIn) {
		t.Errorf("no sign-in pending: %v", err)
	}
}

func TestBotDeviceCodeRefusesAnotherAccount(t *testing.T) {
	e := newEnv(t)
	b := newBotDevice(t, e, func(subject string) string { return "someone.else@contoso.onmicrosoft.com" })
	req := auth.Request{Subject: "u1", Conversation: "c1"}
	code := deviceSignIn(t, b, req)
	_ = e.sb.ApproveDeviceCode(code, "") // the demo user, not the expected one
	e.clock.Advance(5 * time.Second)
	if err := b.CompleteSignIn(context.Background(), req, "done"); !errors.Is(err, auth.ErrWrongAccount) {
		t.Fatalf("another account: %v", err)
	}
	if _, err := e.store.Load(context.Background(), e.profile.Name, "u1"); !errors.Is(err, auth.ErrNotSignedIn) {
		t.Error("the other account's grant was stored")
	}

	ok := newBotDevice(t, e, func(string) string { return demoUPN })
	code = deviceSignIn(t, ok, req)
	_ = e.sb.ApproveDeviceCode(code, "")
	e.clock.Advance(5 * time.Second)
	if err := ok.CompleteSignIn(context.Background(), req, "done"); err != nil {
		t.Fatalf("expected account: %v", err)
	}
}
