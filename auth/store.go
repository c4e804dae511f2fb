package auth

import (
	"context"
	"errors"
	"sync"
)

// ErrNotSignedIn is returned (wrapped) by Store.Load when nothing is stored
// for the profile and subject.
var ErrNotSignedIn = errors.New("auth: not signed in")

// Store keeps signed-in grants, one per profile and subject. FileStore and
// MemoryStore are provided; a bot can plug in its own (a database, a
// secrets manager). Implementations must be safe for concurrent use and
// must keep what they store private: it holds refresh tokens.
type Store interface {
	// Load returns the grant, or an error wrapping ErrNotSignedIn.
	Load(ctx context.Context, profile, subject string) (*StoredToken, error)
	// Save stores tok for tok.Profile and tok.Subject, replacing any.
	Save(ctx context.Context, tok *StoredToken) error
	// Delete forgets the grant; deleting nothing is not an error.
	Delete(ctx context.Context, profile, subject string) error
}

// MemoryStore is a Store in memory, for tests and short-lived processes.
// The zero value is ready to use.
type MemoryStore struct {
	mu sync.Mutex
	m  map[[2]string]*StoredToken
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Load implements Store.
func (s *MemoryStore) Load(_ context.Context, profile, subject string) (*StoredToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[[2]string{profile, subject}]
	if !ok {
		return nil, ErrNotSignedIn
	}
	return t.clone(), nil
}

// Save implements Store.
func (s *MemoryStore) Save(_ context.Context, tok *StoredToken) error {
	if tok == nil {
		return errors.New("auth: MemoryStore.Save: nil token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[[2]string]*StoredToken{}
	}
	s.m[[2]string{tok.Profile, tok.Subject}] = tok.clone()
	return nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(_ context.Context, profile, subject string) error {
	s.mu.Lock()
	delete(s.m, [2]string{profile, subject})
	s.mu.Unlock()
	return nil
}
