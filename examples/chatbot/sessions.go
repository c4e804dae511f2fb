package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// sessionVersion is the version of the Session record format. The engine's
// state inside it carries its own version.
const sessionVersion = 1

// maxSessionBytes bounds a session file read back from disk: the engine's
// state (at most engine.Limits.MaxStateBytes, 1 MiB by default) plus a
// little bookkeeping.
const maxSessionBytes = 1<<20 + 4096

// Session is what the bot keeps for one user in one conversation while a
// flow is paused: which template, the engine's state, and when. It holds
// no token: the engine's state is free of them, and the auth package keeps
// the user's grant in its own store.
type Session struct {
	// V is the record format version (sessionVersion).
	V int `json:"v"`
	// Conversation and User say whose session this is; a loaded record
	// must match the key it was loaded by.
	Conversation string `json:"conversation"`
	User         string `json:"user"`
	// Template is the id of the running template, for messages.
	Template string `json:"template"`
	// State is engine.Turn.State, passed back to engine.Resume.
	State json.RawMessage `json:"state"`
	// Started is when the flow began; Updated when it last paused.
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated"`
}

// SessionKey identifies a session: one user in one conversation. Each
// member of a group conversation runs their own flows with their own
// sign-in, so an answer from one member never resumes another's flow.
type SessionKey struct {
	Conversation, User string
}

// SessionStore keeps paused sessions between messages. Implementations must
// be safe for concurrent use; the bot serialises the messages of one key, so
// a store need not order writes to the same key.
type SessionStore interface {
	// Load returns the session of key, or (nil, nil) when there is none.
	Load(ctx context.Context, key SessionKey) (*Session, error)
	// Save stores s under key, replacing any.
	Save(ctx context.Context, key SessionKey, s *Session) error
	// Delete forgets the session of key; deleting nothing is not an error.
	Delete(ctx context.Context, key SessionKey) error
}

// Pruner is implemented by stores that can drop sessions nobody came back
// to: every session last updated before the given time. It returns how
// many were removed.
type Pruner interface {
	Prune(ctx context.Context, before time.Time) (int, error)
}

// MemorySessions is a SessionStore in memory: sessions end with the
// process. The zero value is ready to use.
type MemorySessions struct {
	mu sync.Mutex
	m  map[SessionKey][]byte
}

// Load implements SessionStore.
func (s *MemorySessions) Load(_ context.Context, key SessionKey) (*Session, error) {
	s.mu.Lock()
	data, ok := s.m[key]
	s.mu.Unlock()
	if !ok {
		return nil, nil
	}
	return decodeSession(data, key, "memory")
}

// Save implements SessionStore. The session is stored encoded, so that the
// caller's later changes to s do not reach the store.
func (s *MemorySessions) Save(_ context.Context, key SessionKey, sess *Session) error {
	data, err := encodeSession(sess, key)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[SessionKey][]byte{}
	}
	s.m[key] = data
	return nil
}

// Delete implements SessionStore.
func (s *MemorySessions) Delete(_ context.Context, key SessionKey) error {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
	return nil
}

// Prune implements Pruner.
func (s *MemorySessions) Prune(_ context.Context, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for key, data := range s.m {
		var rec struct {
			Updated time.Time `json:"updated"`
		}
		if json.Unmarshal(data, &rec) != nil || rec.Updated.Before(before) {
			delete(s.m, key)
			n++
		}
	}
	return n, nil
}

// Len returns the number of sessions stored.
func (s *MemorySessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// DirSessions is a SessionStore keeping one JSON file per session in a
// directory, so that paused flows survive a restart of the bot. The
// directory is created 0700 and files are 0600, written atomically (a
// temporary file renamed over the old one). File names are a hash of the
// key: no conversation or user id can reach outside the directory.
type DirSessions struct {
	dir string
}

// NewDirSessions returns a DirSessions in dir (created on first save).
func NewDirSessions(dir string) *DirSessions { return &DirSessions{dir: dir} }

// Path is the file holding the session of key.
func (s *DirSessions) Path(key SessionKey) string {
	sum := sha256.Sum256([]byte(key.Conversation + "\x00" + key.User))
	return filepath.Join(s.dir, "session-"+hex.EncodeToString(sum[:16])+".json")
}

// Load implements SessionStore.
func (s *DirSessions) Load(_ context.Context, key SessionKey) (*Session, error) {
	path := s.Path(key)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session store: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSessionBytes+1))
	if err != nil {
		return nil, fmt.Errorf("session store: reading %s: %v", path, err)
	}
	if len(data) > maxSessionBytes {
		return nil, fmt.Errorf("session store: %s is larger than %d bytes", path, maxSessionBytes)
	}
	return decodeSession(data, key, path)
}

// Save implements SessionStore.
func (s *DirSessions) Save(_ context.Context, key SessionKey, sess *Session) error {
	data, err := encodeSession(sess, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("session store: %v", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".session-*.tmp")
	if err != nil {
		return fmt.Errorf("session store: %v", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("session store: %v", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("session store: writing %s: %v", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("session store: %v", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("session store: %v", err)
	}
	if err := os.Rename(tmp.Name(), s.Path(key)); err != nil {
		return fmt.Errorf("session store: %v", err)
	}
	return nil
}

// Delete implements SessionStore.
func (s *DirSessions) Delete(_ context.Context, key SessionKey) error {
	err := os.Remove(s.Path(key))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("session store: %v", err)
	}
	return nil
}

// Prune implements Pruner: it removes the session files last updated
// before the given time, and files that are not session records, judged by
// the record's own Updated time (not the file's, which a copy changes).
func (s *DirSessions) Prune(ctx context.Context, before time.Time) (int, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("session store: %v", err)
	}
	n := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, "session-") || !strings.HasSuffix(name, ".json") {
			continue
		}
		path := filepath.Join(s.dir, name)
		if !s.stale(path, before) {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("session store: %v", err)
		}
		n++
	}
	return n, nil
}

// stale reports whether the record at path was last updated before the
// given time, or cannot be read as a record at all.
func (s *DirSessions) stale(path string, before time.Time) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var rec struct {
		Updated time.Time `json:"updated"`
	}
	if json.NewDecoder(io.LimitReader(f, maxSessionBytes)).Decode(&rec) != nil {
		return true
	}
	return rec.Updated.Before(before)
}

func encodeSession(s *Session, key SessionKey) ([]byte, error) {
	if s == nil || !isJSONObject(s.State) {
		return nil, errors.New("session store: refusing to save a session without engine state (a JSON object)")
	}
	c := *s
	c.V, c.Conversation, c.User = sessionVersion, key.Conversation, key.User
	data, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("session store: %v", err)
	}
	if len(data) > maxSessionBytes {
		return nil, fmt.Errorf("session store: the session is %d bytes, more than %d", len(data), maxSessionBytes)
	}
	return data, nil
}

// isJSONObject reports whether raw looks like a JSON object, as the
// engine's state always is (null, a string or a number are not states).
func isJSONObject(raw json.RawMessage) bool {
	trimmed := bytes.TrimSpace(raw)
	return len(trimmed) >= 2 && trimmed[0] == '{'
}

// decodeSession checks a stored record: its version, that it belongs to
// key (a file copied under another name must not resume someone else's
// flow), and that it carries a state.
func decodeSession(data []byte, key SessionKey, where string) (*Session, error) {
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("session store: %s is not a session record: %v", where, err)
	}
	switch {
	case s.V != sessionVersion:
		return nil, fmt.Errorf("session store: %s has record version %d, this bot reads version %d", where, s.V, sessionVersion)
	case s.Conversation != key.Conversation || s.User != key.User:
		return nil, fmt.Errorf("session store: %s belongs to another conversation or user", where)
	case !isJSONObject(s.State):
		return nil, fmt.Errorf("session store: %s has no engine state", where)
	}
	return &s, nil
}
