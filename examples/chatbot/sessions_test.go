package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// failingSessions finds nothing and cannot save.
type failingSessions struct{}

func (failingSessions) Load(context.Context, SessionKey) (*Session, error) { return nil, nil }
func (failingSessions) Save(context.Context, SessionKey, *Session) error {
	return errors.New("session store: disk on fire")
}
func (failingSessions) Delete(context.Context, SessionKey) error { return nil }

func TestSessionStores(t *testing.T) {
	ctx := context.Background()
	stores := map[string]func(t *testing.T) SessionStore{
		"memory": func(*testing.T) SessionStore { return &MemorySessions{} },
		"dir":    func(t *testing.T) SessionStore { return NewDirSessions(filepath.Join(t.TempDir(), "s")) },
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			a := SessionKey{"conv", "alice"}
			b := SessionKey{"conv", "bob"}
			if got, err := s.Load(ctx, a); got != nil || err != nil {
				t.Fatalf("empty store: %v %v", got, err)
			}
			when := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			in := &Session{Template: "create-todo-list", State: json.RawMessage(`{"v":1}`), Started: when, Updated: when}
			if err := s.Save(ctx, a, in); err != nil {
				t.Fatal(err)
			}
			in.Template = "changed after saving"
			got, err := s.Load(ctx, a)
			if err != nil || got == nil || got.Template != "create-todo-list" || string(got.State) != `{"v":1}` ||
				got.User != "alice" || got.Conversation != "conv" || !got.Updated.Equal(when) || got.V != sessionVersion {
				t.Fatalf("Load = %+v, %v", got, err)
			}
			if got, _ := s.Load(ctx, b); got != nil {
				t.Fatal("bob sees alice's session")
			}
			if err := s.Save(ctx, a, &Session{Template: "x"}); err == nil {
				t.Fatal("saving a session without state was accepted")
			}
			if err := s.Delete(ctx, a); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Load(ctx, a); got != nil {
				t.Fatal("deleted session still loads")
			}
			if err := s.Delete(ctx, a); err != nil {
				t.Fatalf("deleting nothing: %v", err)
			}
		})
	}
}

func TestDirSessionsFiles(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "sessions")
	s := NewDirSessions(dir)
	evil := SessionKey{"../../etc", "/passwd\x00"}
	if err := s.Save(ctx, evil, &Session{Template: "t", State: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	path := s.Path(evil)
	if filepath.Dir(path) != dir || strings.Contains(filepath.Base(path), "etc") {
		t.Fatalf("path %s escapes or shows the key", path)
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
			fi, err := os.Stat(p)
			if err != nil || fi.Mode().Perm() != want {
				t.Fatalf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files in the directory, want 1 (no temporary files left)", len(entries))
	}

	for _, tc := range []struct {
		name, content, want string
	}{
		{"not JSON", "{", "not a session record"},
		{"other version", `{"v": 2, "conversation": "c", "user": "u", "state": {}}`, "record version 2"},
		{"another key's record", `{"v": 1, "conversation": "c", "user": "mallory", "state": {}}`, "belongs to another"},
		{"no state", `{"v": 1, "conversation": "c", "user": "u"}`, "no engine state"},
		{"null state", `{"v": 1, "conversation": "c", "user": "u", "state": null}`, "no engine state"},
		{"string state", `{"v": 1, "conversation": "c", "user": "u", "state": "{}"}`, "no engine state"},
		{"too large", `{"v": 1, "conversation": "c", "user": "u", "state": "` + strings.Repeat("x", maxSessionBytes) + `"}`, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := SessionKey{"c", "u"}
			if err := os.WriteFile(s.Path(key), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load(ctx, key)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, %v; want an error containing %q", got, err, tc.want)
			}
		})
	}
}

// TestUnreadableSessionIsDiscarded: a damaged record does not block the
// user: the bot forgets it and handles the message as a new one.
func TestUnreadableSessionIsDiscarded(t *testing.T) {
	sessions := NewDirSessions(t.TempDir())
	h := newHarness(t, harnessOptions{sessions: sessions})
	key := SessionKey{"c", "u"}
	if err := os.WriteFile(sessions.Path(key), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.script("c", "u", []step{{"create-todo-list", KindQuestion, []string{"What should the list be called?"}}})
	if got, err := sessions.Load(context.Background(), key); err != nil || got == nil {
		t.Fatalf("the new flow's session: %v %v", got, err)
	}
	if !strings.Contains(h.log.String(), "discarding an unreadable session") {
		t.Fatal("the discarded record was not logged")
	}
}

func TestPruneExpiredSessions(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	for name, s := range map[string]SessionStore{
		"memory": &MemorySessions{},
		"dir":    NewDirSessions(filepath.Join(t.TempDir(), "s")),
	} {
		t.Run(name, func(t *testing.T) {
			eng := newHarness(t, harnessOptions{}).current.engine
			ts, _ := loadTemplates("", nil)
			bot, err := NewBot(BotConfig{Engine: eng, Templates: ts, Sessions: s, SessionTTL: time.Hour, Now: c.Now})
			if err != nil {
				t.Fatal(err)
			}
			save := func(user string, updated time.Time) {
				if err := s.Save(ctx, SessionKey{"c", user}, &Session{Template: "t", State: json.RawMessage(`{}`), Updated: updated}); err != nil {
					t.Fatal(err)
				}
			}
			save("old", c.Now().Add(-2*time.Hour))
			save("fresh", c.Now().Add(-30*time.Minute))
			if ds, ok := s.(*DirSessions); ok {
				writeFile(t, ds.Path(SessionKey{"c", "garbage"}), "not json")
				writeFile(t, filepath.Join(ds.dir, "unrelated.txt"), "keep me")
			}
			n, err := bot.Prune(ctx)
			want := 1
			if name == "dir" {
				want = 2 // the unreadable record too
			}
			if err != nil || n != want {
				t.Fatalf("Prune = %d, %v; want %d", n, err, want)
			}
			if got, _ := s.Load(ctx, SessionKey{"c", "old"}); got != nil {
				t.Fatal("the expired session is still there")
			}
			if got, _ := s.Load(ctx, SessionKey{"c", "fresh"}); got == nil {
				t.Fatal("the fresh session was removed")
			}
			if ds, ok := s.(*DirSessions); ok {
				if _, err := os.Stat(filepath.Join(ds.dir, "unrelated.txt")); err != nil {
					t.Fatal("Prune removed a file that is not a session")
				}
			}
		})
	}
	if n, err := NewDirSessions(filepath.Join(t.TempDir(), "never-created")).Prune(ctx, c.Now()); n != 0 || err != nil {
		t.Fatalf("Prune of a missing directory = %d, %v", n, err)
	}
	if got := pruneEvery(24 * time.Hour); got != time.Hour {
		t.Fatalf("pruneEvery(24h) = %v", got)
	}
	if got := pruneEvery(2 * time.Minute); got != time.Minute {
		t.Fatalf("pruneEvery(2m) = %v", got)
	}
}
