package auth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

// deviceRun drives LoginDeviceCode with a fake Sleep: each wait advances
// the clock by advance(d) and then runs onWait(n) (n counts the waits).
type deviceRun struct {
	prompt auth.DeviceCodePrompt
	waits  []time.Duration
}

func runDeviceCode(t *testing.T, e *env, advance func(time.Duration) time.Duration, onWait func(r *deviceRun, n int)) (*deviceRun, *auth.StoredToken, error) {
	t.Helper()
	r := &deviceRun{}
	opts := e.loginOptions()
	opts.OnDeviceCode = func(p auth.DeviceCodePrompt) { r.prompt = p }
	opts.Sleep = func(ctx context.Context, d time.Duration) error {
		r.waits = append(r.waits, d)
		if len(r.waits) > 50 {
			t.Fatal("device code sign-in never ended")
		}
		e.clock.Advance(advance(d))
		onWait(r, len(r.waits))
		return ctx.Err()
	}
	st, err := auth.LoginDeviceCode(context.Background(), e.profile, opts)
	return r, st, err
}

func same(d time.Duration) time.Duration { return d }

func TestDeviceCodePendingThenApproved(t *testing.T) {
	e := newEnv(t)
	r, st, err := runDeviceCode(t, e, same, func(r *deviceRun, n int) {
		if n == 3 {
			if err := e.sb.ApproveDeviceCode(r.prompt.UserCode, ""); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.waits) != 3 || r.waits[0] != 5*time.Second || r.waits[2] != 5*time.Second {
		t.Errorf("waits %v, want three of 5s (pending, pending, approved)", r.waits)
	}
	if r.prompt.UserCode == "" || !strings.Contains(r.prompt.Message, r.prompt.UserCode) || !strings.HasSuffix(r.prompt.VerificationURI, "/devicelogin") {
		t.Errorf("prompt %+v", r.prompt)
	}
	if st.Account.Username != demoUPN || st.RefreshToken == "" {
		t.Errorf("stored %v", st)
	}
	tok, err := e.userProvider().Token(context.Background(), auth.Request{Scopes: []string{"Calendars.ReadWrite"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.graphGet("/me/events", tok.AccessToken); got != 200 {
		t.Errorf("GET /me/events: %d", got)
	}
}

func TestDeviceCodeSlowDown(t *testing.T) {
	e := newEnv(t)
	// The second wait passes no time at the server, so the second poll comes
	// too fast and gets slow_down: the interval must grow by 5 s for good.
	calls := 0
	r, _, err := runDeviceCode(t, e, func(d time.Duration) time.Duration {
		calls++
		if calls == 2 {
			return 0
		}
		return d
	}, func(r *deviceRun, n int) {
		if n == 4 {
			_ = e.sb.ApproveDeviceCode(r.prompt.UserCode, "")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{5 * time.Second, 5 * time.Second, 10 * time.Second, 10 * time.Second}
	if fmt.Sprint(r.waits) != fmt.Sprint(want) {
		t.Fatalf("waits %v, want %v (the interval grows by 5 s after slow_down)", r.waits, want)
	}
}

func TestDeviceCodeDeclined(t *testing.T) {
	e := newEnv(t)
	_, _, err := runDeviceCode(t, e, same, func(r *deviceRun, n int) {
		if n == 1 {
			_ = e.sb.DeclineDeviceCode(r.prompt.UserCode)
		}
	})
	if te, ok := auth.IsTokenError(err, auth.KindDeclined); !ok || !strings.Contains(err.Error(), "declined") || te.Hint == "" {
		t.Fatalf("err = %v, want a declined TokenError", err)
	}
}

func TestDeviceCodeExpired(t *testing.T) {
	t.Run("client deadline", func(t *testing.T) {
		e := newEnv(t)
		_, _, err := runDeviceCode(t, e, func(time.Duration) time.Duration { return 4 * time.Minute }, func(*deviceRun, int) {})
		if _, ok := auth.IsTokenError(err, auth.KindExpired); !ok || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("err = %v, want an expired TokenError", err)
		}
	})
	t.Run("server says expired_token", func(t *testing.T) {
		e := newEnv(t)
		// The client's clock lags (it thinks 5 s passed); the server's
		// code has expired all the same.
		opts := e.loginOptions()
		start := e.clock.Now()
		opts.Now = func() time.Time { return start }
		opts.Sleep = func(ctx context.Context, d time.Duration) error { e.clock.Advance(16 * time.Minute); return nil }
		_, err := auth.LoginDeviceCode(context.Background(), e.profile, opts)
		if te, ok := auth.IsTokenError(err, auth.KindExpired); !ok || te.Code != "expired_token" || te.AADSTS != "70019" {
			t.Fatalf("err = %v, want expired_token AADSTS70019", err)
		}
	})
}

func TestDeviceCodeCancelled(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	opts := e.loginOptions()
	opts.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	_, err := auth.LoginDeviceCode(ctx, e.profile, opts)
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err = %v", err)
	}
}

func TestDeviceCodeStartFailures(t *testing.T) {
	e := newEnv(t)
	p := *e.profile
	p.ClientID = "00000000-0000-0000-0000-00000000dead"
	_, err := auth.LoginDeviceCode(context.Background(), &p, e.loginOptions())
	if te, ok := auth.IsTokenError(err, auth.KindInvalidClient); !ok || te.AADSTS != "700016" {
		t.Fatalf("unknown client: %v", err)
	}
	p = *e.profile
	p.Scopes = []string{"https://foo.microsoft.com/mail.read"}
	_, err = auth.LoginDeviceCode(context.Background(), &p, e.loginOptions())
	if _, ok := auth.IsTokenError(err, auth.KindInvalidScope); !ok {
		t.Fatalf("bad scope: %v", err)
	}
}
