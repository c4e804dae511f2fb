package auth_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
)

func sampleToken(profile, subject string) *auth.StoredToken {
	return &auth.StoredToken{
		Profile: profile, Subject: subject,
		AccessToken: "access-" + subject, RefreshToken: "refresh-" + subject, TokenType: "Bearer",
		Expiry: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Scopes: []string{"User.Read", "Mail.Send"},
		Account: auth.Account{Username: "adele@contoso.example", TenantID: "t"},
	}
}

func TestStores(t *testing.T) {
	stores := map[string]func(t *testing.T) auth.Store{
		"memory": func(*testing.T) auth.Store { return auth.NewMemoryStore() },
		"file":   func(t *testing.T) auth.Store { return auth.NewFileStore(filepath.Join(t.TempDir(), "tokens")) },
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			ctx := context.Background()
			if _, err := s.Load(ctx, "p", "u"); !errors.Is(err, auth.ErrNotSignedIn) {
				t.Fatalf("empty store: %v", err)
			}
			in := sampleToken("p", "u")
			if err := s.Save(ctx, in); err != nil {
				t.Fatal(err)
			}
			in.Scopes[0] = "changed after save"
			out, err := s.Load(ctx, "p", "u")
			if err != nil {
				t.Fatal(err)
			}
			if out.RefreshToken != "refresh-u" || out.Scopes[0] != "User.Read" || !out.Expiry.Equal(in.Expiry) || out.Account.Username != "adele@contoso.example" {
				t.Fatalf("round trip: %v", out)
			}
			if _, err := s.Load(ctx, "p", "other"); !errors.Is(err, auth.ErrNotSignedIn) {
				t.Errorf("another subject sees the grant: %v", err)
			}
			if err := s.Delete(ctx, "p", "u"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "p", "u"); err != nil {
				t.Errorf("deleting twice: %v", err)
			}
			if _, err := s.Load(ctx, "p", "u"); !errors.Is(err, auth.ErrNotSignedIn) {
				t.Errorf("after Delete: %v", err)
			}
		})
	}
}

func TestFileStorePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX permissions")
	}
	dir := filepath.Join(t.TempDir(), "runflow", "tokens")
	s := auth.NewFileStore(dir)
	if err := s.Save(context.Background(), sampleToken("p", "u")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(s.Path("p", "u")); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	// A directory made too open by someone else is tightened.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(context.Background(), sampleToken("p", "u")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v after save, want 0700", fi.Mode().Perm())
	}
}

func TestFileStoreNamesStayInside(t *testing.T) {
	dir := t.TempDir()
	s := auth.NewFileStore(dir)
	ctx := context.Background()
	nasty := []string{"../../etc/passwd", `..\..\windows`, "/abs/path", "a/b", "", ".", "..", "con", strings.Repeat("x", 500), "ünïcode"}
	seen := map[string]bool{}
	for _, n := range nasty {
		p := s.Path("prof", n)
		if filepath.Dir(p) != dir {
			t.Errorf("subject %q maps to %s, outside %s", n, p, dir)
		}
		if seen[p] {
			t.Errorf("subject %q collides with another", n)
		}
		seen[p] = true
		if err := s.Save(ctx, sampleToken("prof", n)); err != nil {
			t.Errorf("save %q: %v", n, err)
		}
		if got, err := s.Load(ctx, "prof", n); err != nil || got.Subject != n {
			t.Errorf("load %q: %v", n, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(nasty) {
		t.Errorf("%d files for %d subjects", len(entries), len(nasty))
	}
}

// TestFileStoreAtomic: readers running beside writers always read a whole
// token, and no temporary file is left behind.
func TestFileStoreAtomic(t *testing.T) {
	dir := t.TempDir()
	s := auth.NewFileStore(dir)
	ctx := context.Background()
	if err := s.Save(ctx, sampleToken("p", "u")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				tok := sampleToken("p", "u")
				tok.AccessToken = fmt.Sprintf("access-%d-%s", i, strings.Repeat("z", 2000))
				if err := s.Save(ctx, tok); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				tok, err := s.Load(ctx, "p", "u")
				if err != nil {
					errs <- err
					continue
				}
				if tok.RefreshToken != "refresh-u" {
					errs <- fmt.Errorf("partial token read")
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left: %v", names)
	}
}

func TestFileStoreDamagedFile(t *testing.T) {
	s := auth.NewFileStore(t.TempDir())
	ctx := context.Background()
	if err := s.Save(ctx, sampleToken("p", "u")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path("p", "u"), []byte(`{"access_token": "leaky-secret-value", broken`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx, "p", "u")
	if err == nil || !strings.Contains(err.Error(), "damaged") || strings.Contains(err.Error(), "leaky-secret-value") {
		t.Fatalf("damaged file: %v", err)
	}
	// A file copied over another subject's is refused.
	if err := s.Save(ctx, sampleToken("p", "other")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(s.Path("p", "other"))
	_ = os.WriteFile(s.Path("p", "u"), b, 0o600)
	if _, err := s.Load(ctx, "p", "u"); err == nil || !strings.Contains(err.Error(), "another profile or subject") {
		t.Fatalf("swapped file: %v", err)
	}
}

func TestStoredTokenNeverPrintsTokens(t *testing.T) {
	tok := sampleToken("p", "u")
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v", tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%#v", tok), tok.String()} {
		if strings.Contains(s, "access-u") || strings.Contains(s, "refresh-u") {
			t.Errorf("printed a token: %s", s)
		}
	}
}

func TestGetStatus(t *testing.T) {
	s := auth.NewMemoryStore()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if _, err := auth.GetStatus(ctx, s, "p", "", now); !errors.Is(err, auth.ErrNotSignedIn) {
		t.Fatalf("no grant: %v", err)
	}
	_ = s.Save(ctx, sampleToken("p", auth.DefaultSubject))
	st, err := auth.GetStatus(ctx, s, "p", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Account != "adele@contoso.example" || st.Expired || !st.CanRefresh || len(st.Scopes) != 2 {
		t.Errorf("status %+v", st)
	}
	if late, _ := auth.GetStatus(ctx, s, "p", "", now.Add(2*time.Hour)); !late.Expired {
		t.Error("status not expired two hours later")
	}
	if err := auth.Logout(ctx, s, "p", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.GetStatus(ctx, s, "p", "", now); !errors.Is(err, auth.ErrNotSignedIn) {
		t.Fatalf("after logout: %v", err)
	}
}
