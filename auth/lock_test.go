package auth_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

// Runs started together with an expired access token (each with its own
// FileStore on the same directory, as separate processes have) all get a
// token from an identity platform whose refresh tokens rotate and work
// once: the refreshes are serialised by the lock file beside the store, and
// whoever waited reads the grant the first one saved instead of redeeming
// the spent refresh token.
func TestConcurrentRefreshAcrossStores(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	e.loginToFileStore(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const runs, rounds = 4, 5
	for round := range rounds {
		e.clock.Advance(2 * time.Hour)
		start := make(chan struct{})
		var wg sync.WaitGroup
		toks := make([]string, runs)
		errs := make([]error, runs)
		for i := range runs {
			// A provider and a store of its own: nothing shared in memory.
			p, err := auth.NewUserProvider(auth.UserConfig{Profile: e.profile, Store: auth.NewFileStore(dir), HTTPClient: e.ts.Client(), Now: e.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tok, err := p.Token(ctx, auth.Request{Scopes: []string{"User.Read"}})
				errs[i] = err
				if err == nil {
					toks[i] = tok.AccessToken
				}
			}()
		}
		close(start)
		wg.Wait()
		for i := range runs {
			if errs[i] != nil {
				t.Fatalf("round %d, run %d: %v", round, i, errs[i])
			}
			if toks[i] != toks[0] {
				t.Errorf("round %d, run %d got another access token than run 0: the grant was refreshed twice", round, i)
			}
		}
		if got := e.graphGet("/me", toks[0]); got != 200 {
			t.Errorf("round %d: GET /me with the refreshed token: %d", round, got)
		}
	}
	if locks, _ := filepath.Glob(filepath.Join(dir, "*.lock")); len(locks) != 0 {
		t.Errorf("lock files left behind: %v", locks)
	}
}

// A lock file left by a process that died is taken over once it is old;
// a fresh one makes the next refresh wait, until its context ends.
func TestRefreshLockFile(t *testing.T) {
	dir := t.TempDir()
	s := auth.NewFileStore(dir)
	ctx := context.Background()
	unlock, err := s.LockRefresh(ctx, "p", "u")
	if err != nil {
		t.Fatal(err)
	}
	lock := s.Path("p", "u") + ".lock"
	if _, err := os.Stat(lock); err != nil {
		t.Fatalf("no lock file beside the grant: %v", err)
	}
	// Held: another store waits until its context ends.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := auth.NewFileStore(dir).LockRefresh(short, "p", "u"); err == nil {
		t.Fatal("a held lock was taken again")
	}
	// Another grant's lock is another file.
	other, err := s.LockRefresh(ctx, "p", "someone-else")
	if err != nil {
		t.Fatal(err)
	}
	other()
	unlock()
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Fatalf("the lock file is still there after unlock: %v", err)
	}
	// Left by a dead process two minutes ago: taken over at once.
	if err := os.WriteFile(lock, []byte("12345\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Minute)
	_ = os.Chtimes(lock, old, old)
	short2, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	unlock, err = s.LockRefresh(short2, "p", "u")
	if err != nil {
		t.Fatalf("a stale lock was not taken over: %v", err)
	}
	unlock()
}

// A save cut short by SIGKILL leaves an empty .tmp-*.json behind; the
// next save (or refresh) removes it, but not a fresh one of a save in
// progress elsewhere.
func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	s := auth.NewFileStore(dir)
	stale := filepath.Join(dir, ".tmp-123456.json")
	fresh := filepath.Join(dir, ".tmp-654321.json")
	for _, f := range []string{stale, fresh} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	_ = os.Chtimes(stale, old, old)
	if err := s.Save(context.Background(), &auth.StoredToken{Profile: "p", Subject: "u", AccessToken: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale temporary file is still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, n := range names {
		if strings.Contains(filepath.Base(n), ".tmp-") && n != fresh {
			t.Errorf("left behind: %s", n)
		}
	}
}

// refreshHelperEnv, when set, makes TestRefreshHelperProcess act as one
// runflow process for TestConcurrentRefreshAcrossProcesses: "store
// directory|authority|start (Unix ns)|clock offset".
const refreshHelperEnv = "RUNFLOW_TEST_REFRESH_HELPER"

// TestRefreshHelperProcess is not a test: it is the child process of
// TestConcurrentRefreshAcrossProcesses. At the given start, it asks a
// provider over a FileStore of the given directory for a token, and
// prints it (hashed) or the error.
func TestRefreshHelperProcess(t *testing.T) {
	arg := os.Getenv(refreshHelperEnv)
	if arg == "" {
		t.Skip("the child process of TestConcurrentRefreshAcrossProcesses")
	}
	parts := strings.Split(arg, "|")
	start, _ := strconv.ParseInt(parts[2], 10, 64)
	offset, _ := time.ParseDuration(parts[3])
	p := auth.SystemProfile().WithAuthority(parts[1])
	p.RedirectURL = "http://127.0.0.1"
	prov, err := auth.NewUserProvider(auth.UserConfig{Profile: p, Store: auth.NewFileStore(parts[0]), Now: func() time.Time { return time.Now().Add(offset) }})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	time.Sleep(time.Until(time.Unix(0, start)))
	tok, err := prov.Token(context.Background(), auth.Request{Scopes: []string{"User.Read"}})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	sum := sha256.Sum256([]byte(tok.AccessToken))
	fmt.Printf("TOKEN %x\n", sum[:8])
	os.Exit(0)
}

// Two runflow processes started at the same moment with an expired access
// token both get a token, against an identity platform whose refresh
// tokens rotate and work once (the issue: one of them failed 10 times out
// of 10), and only one refresh reaches it per round.
func TestConcurrentRefreshAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	e := newEnv(t)
	dir := t.TempDir()
	e.loginToFileStore(dir)
	for round := range 3 {
		// The children's clocks are past the grant's expiry: the saved
		// expiry follows the sandbox's clock, in March 2026.
		offset := time.Duration(round) * 2 * time.Hour
		start := time.Now().Add(500 * time.Millisecond).UnixNano()
		var wg sync.WaitGroup
		outs := make([]string, 2)
		for i := range outs {
			cmd := exec.Command(os.Args[0], "-test.run=^TestRefreshHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%d|%s", refreshHelperEnv, dir, e.ts.URL, start, offset))
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, _ := cmd.CombinedOutput()
				outs[i] = string(out)
			}()
		}
		wg.Wait()
		for i, out := range outs {
			if !strings.Contains(out, "TOKEN ") {
				t.Fatalf("round %d, process %d: %s", round, i, out)
			}
		}
		if tok := func(s string) string { return s[strings.Index(s, "TOKEN "):][:22] }; tok(outs[0]) != tok(outs[1]) {
			t.Errorf("round %d: the processes got different access tokens: the grant was refreshed twice", round)
		}
	}
}

// loginToFileStore signs the demo user in through the loopback flow, saving
// the grant in a FileStore in dir.
func (e *env) loginToFileStore(dir string) {
	e.t.Helper()
	opts := e.loginOptions()
	opts.Store = auth.NewFileStore(dir)
	e.sb.ApproveSignIns("")
	opts.OpenBrowser = func(u string) error { go e.visit(u); return nil }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := auth.LoginLoopback(ctx, e.profile, opts); err != nil {
		e.t.Fatal(err)
	}
}

// A fresh lock file whose owner, a process of this host, has exited is
// taken over at once, without waiting for it to age; one whose owner runs
// is not.
func TestRefreshLockOfAnExitedProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process liveness is checked on Unix only; elsewhere a lock ages out")
	}
	dir := t.TempDir()
	s := auth.NewFileStore(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	lock := s.Path("p", "u") + ".lock"
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	exited := exec.Command(os.Args[0], "-test.run=^$")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	owner := fmt.Sprintf("%d %s\n", exited.Process.Pid, host)

	// Its owner runs (this test): held, however the holder is written.
	if err := os.WriteFile(lock, fmt.Appendf(nil, "%d %s\n", os.Getpid(), host), 0o600); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := s.LockRefresh(short, "p", "u"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the lock of a running process: %v, want a wait until the context ended", err)
	}
	// The same host but an exited process: taken at once. The context
	// is far shorter than the age rule's minute and the 45 s wait.
	if err := os.WriteFile(lock, []byte(owner), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	unlock, err := s.LockRefresh(ctx, "p", "u")
	if err != nil {
		t.Fatalf("the fresh lock of an exited process (%q) was not taken over: %v", owner, err)
	}
	b, _ := os.ReadFile(lock)
	if want := fmt.Sprintf("%d %s ", os.Getpid(), host); !strings.HasPrefix(string(b), want) || !strings.HasSuffix(string(b), "\n") {
		t.Errorf("the lock file says %q, want %q and a nonce (this process and host)", b, want)
	}
	unlock()
	// Another host's process cannot be checked: it waits for the age rule.
	if err := os.WriteFile(lock, fmt.Appendf(nil, "%d other-%s\n", exited.Process.Pid, host), 0o600); err != nil {
		t.Fatal(err)
	}
	short3, cancel3 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel3()
	if _, err := s.LockRefresh(short3, "p", "u"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the fresh lock of another host's process: %v, want a wait", err)
	}
}
