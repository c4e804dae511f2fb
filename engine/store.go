package engine

import (
	"bytes"
	"context"
	"errors"
	"sync"
)

// SessionRecord is one conversation's entry in a SessionStore: a sequence
// number that the store compares, and data that only the engine reads.
//
// Seq is the conversation's turn number. It starts at 1 with the first
// record and grows by at least one with every record that replaces it; 0
// means "no record". Data is opaque to the store: the engine encodes in it
// the paused state (if a flow is running) and what it needs to answer a
// message delivered twice.
type SessionRecord struct {
	Seq  uint64
	Data []byte
}

// SessionStore keeps the records of conversations between messages. It is
// the one place where the truth about a conversation lives: several
// Engines, in one process or many, may share one store, and the
// compare-and-swap on Seq is what lets exactly one of them act on a given
// turn (see Engine.HandleMessage).
//
// Implementations must be safe for concurrent use, and CompareAndSwap must
// be atomic across every process that shares the store.
type SessionStore interface {
	// Load returns the record of key. A key with no record (never written,
	// deleted, or expired) gives SessionRecord{} and a nil error.
	Load(ctx context.Context, key string) (SessionRecord, error)
	// CompareAndSwap stores next under key if the current record's Seq is
	// oldSeq (0: there must be no record), and reports whether it did.
	// next.Seq must be greater than oldSeq; a store refuses anything else
	// with ErrBadSeq. A lost race is (false, nil), not an error.
	CompareAndSwap(ctx context.Context, key string, oldSeq uint64, next SessionRecord) (bool, error)
	// Delete removes the record of key; removing nothing is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrBadSeq is returned by SessionStore.CompareAndSwap when the new
// record's Seq does not grow.
var ErrBadSeq = errors.New("engine: a session record's Seq must grow with each swap")

// MemorySessionStore is a SessionStore in one process's memory: for tests
// and single-process hosts. Records end with the process. The zero value
// is ready to use.
type MemorySessionStore struct {
	mu sync.Mutex
	m  map[string]SessionRecord
}

// Load implements SessionStore.
func (s *MemorySessionStore) Load(_ context.Context, key string) (SessionRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.m[key]
	return SessionRecord{Seq: r.Seq, Data: bytes.Clone(r.Data)}, nil
}

// CompareAndSwap implements SessionStore.
func (s *MemorySessionStore) CompareAndSwap(_ context.Context, key string, oldSeq uint64, next SessionRecord) (bool, error) {
	if next.Seq <= oldSeq {
		return false, ErrBadSeq
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[key].Seq != oldSeq {
		return false, nil
	}
	if s.m == nil {
		s.m = map[string]SessionRecord{}
	}
	s.m[key] = SessionRecord{Seq: next.Seq, Data: bytes.Clone(next.Data)}
	return true, nil
}

// Delete implements SessionStore.
func (s *MemorySessionStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}
