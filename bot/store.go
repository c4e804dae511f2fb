package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// DefaultSessionTTL is how long a conversation's record stays in a file or
// Redis store after its last turn: an idle conversation is forgotten after
// it (its paused flow is dropped).
const DefaultSessionTTL = 24 * time.Hour

// Store is everything a bot host keeps between messages: the conversations
// (engine.SessionStore, whose compare-and-swap makes turns exactly-once),
// the sign-ins in progress (auth.SignInStore) and the users' grants
// (Tokens). Replicas that share a Store can each take any message, any
// sign-in callback and any magic code.
type Store interface {
	engine.SessionStore
	auth.SignInStore
	// Tokens returns the store of the users' grants, sealed with a key
	// derived from key (AES-256-GCM) where the store is not private to
	// this process.
	Tokens(key []byte) (auth.Store, error)
	// Ping checks that the store answers (GET /healthz).
	Ping(ctx context.Context) error
	// Active counts the conversations with a record that has not been idle
	// longer than the store's session TTL.
	Active(ctx context.Context) (int, error)
	// Close releases the store's connections and files.
	Close() error
}

// Open opens the store named by spec, as `runflow serve --store` takes it:
//
//	memory                    this process only (tests, a demo)
//	file:PATH                 a bbolt file on this machine (several processes may share it)
//	redis://HOST:PORT/DB      Redis, for several replicas (rediss:// for TLS)
//	redis+cluster://HOST:PORT Redis Cluster (?addr=HOST:PORT for more seed nodes;
//	                          rediss+cluster:// for TLS)
//
// prefix is the Redis key prefix ("" means "runflow:"); ttl is the idle
// TTL of conversations (0 means DefaultSessionTTL).
func Open(spec, prefix string, ttl time.Duration) (Store, error) {
	switch {
	case spec == "memory":
		return NewMemoryStore(), nil
	case strings.HasPrefix(spec, "file:"):
		path := strings.TrimPrefix(spec, "file:")
		if path == "" {
			return nil, errors.New("--store file:PATH: the path is empty")
		}
		return OpenFileStore(path, FileOptions{SessionTTL: ttl})
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"),
		strings.HasPrefix(spec, "redis+cluster://"), strings.HasPrefix(spec, "rediss+cluster://"):
		return OpenRedisStore(spec, RedisOptions{Prefix: prefix, SessionTTL: ttl})
	}
	return nil, fmt.Errorf("--store %q: want memory, file:PATH or redis://HOST:PORT/DB (redis+cluster://HOST:PORT for Redis Cluster)", spec)
}

// MemoryStore is a Store in this process's memory: for tests and a single
// process. Nothing outlives the process.
type MemoryStore struct {
	auth.MemorySignInStore
	sessions engine.MemorySessionStore
	tokens   auth.MemoryStore

	mu   sync.Mutex
	keys map[string]struct{} // the conversations with a record, for Active
}

// Load implements engine.SessionStore.
func (s *MemoryStore) Load(ctx context.Context, key string) (engine.SessionRecord, error) {
	return s.sessions.Load(ctx, key)
}

// CompareAndSwap implements engine.SessionStore.
func (s *MemoryStore) CompareAndSwap(ctx context.Context, key string, oldSeq uint64, next engine.SessionRecord) (bool, error) {
	ok, err := s.sessions.CompareAndSwap(ctx, key, oldSeq, next)
	if ok && oldSeq == 0 {
		s.mu.Lock()
		if s.keys == nil {
			s.keys = map[string]struct{}{}
		}
		s.keys[key] = struct{}{}
		s.mu.Unlock()
	}
	return ok, err
}

// Delete implements engine.SessionStore.
func (s *MemoryStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	delete(s.keys, key)
	s.mu.Unlock()
	return s.sessions.Delete(ctx, key)
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Tokens implements Store: the grants stay in this process's memory.
func (s *MemoryStore) Tokens([]byte) (auth.Store, error) { return &s.tokens, nil }

// Ping implements Store.
func (s *MemoryStore) Ping(context.Context) error { return nil }

// Active implements Store: memory records do not expire, so this counts
// every conversation seen.
func (s *MemoryStore) Active(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys), nil
}

// Close implements Store.
func (s *MemoryStore) Close() error { return nil }

// WithPrefix returns a view of s whose keys all start with prefix, so that
// another user of the same store (the MCP server's request states) cannot
// meet a conversation's key.
func WithPrefix(s engine.SessionStore, prefix string) engine.SessionStore {
	return prefixed{s, prefix}
}

type prefixed struct {
	s      engine.SessionStore
	prefix string
}

func (p prefixed) Load(ctx context.Context, key string) (engine.SessionRecord, error) {
	return p.s.Load(ctx, p.prefix+key)
}

func (p prefixed) CompareAndSwap(ctx context.Context, key string, oldSeq uint64, next engine.SessionRecord) (bool, error) {
	return p.s.CompareAndSwap(ctx, p.prefix+key, oldSeq, next)
}

func (p prefixed) Delete(ctx context.Context, key string) error { return p.s.Delete(ctx, p.prefix+key) }
