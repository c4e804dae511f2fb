package bot

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
)

// DefaultLockTimeout is how long a FileStore operation waits for another
// process holding the file.
const DefaultLockTimeout = 5 * time.Second

// FileOptions configure a FileStore.
type FileOptions struct {
	// SessionTTL: a conversation idle longer is forgotten (default
	// DefaultSessionTTL).
	SessionTTL time.Duration
	// LockTimeout bounds the wait for the file's lock (default
	// DefaultLockTimeout).
	LockTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// FileStore is a Store in one bbolt file on this machine. Several
// processes may share the file: every operation opens it, which takes
// bbolt's exclusive lock on it (flock), runs one transaction and closes it,
// so a compare-and-swap is atomic across processes. A process waits at
// most LockTimeout for the lock; within one process a mutex keeps
// operations from waiting on each other's locks.
type FileStore struct {
	path string
	opt  FileOptions

	mu     sync.Mutex
	writes int
}

var (
	bucketSessions = []byte("sessions")
	bucketSignIns  = []byte("signins")
	bucketTokens   = []byte("tokens")
)

// OpenFileStore opens or creates the store file at path (and its
// directory, private to the user).
func OpenFileStore(path string, opt FileOptions) (*FileStore, error) {
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = DefaultSessionTTL
	}
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = DefaultLockTimeout
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("file store %s: %w", path, err)
	}
	s := &FileStore{path: path, opt: opt}
	err := s.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSessions, bucketSignIns, bucketTokens} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *FileStore) open(readOnly bool) (*bolt.DB, error) {
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: s.opt.LockTimeout, ReadOnly: readOnly})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("file store %s: another process kept it locked for more than %v", s.path, s.opt.LockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("file store %s: %w", s.path, err)
	}
	return db, nil
}

func (s *FileStore) update(fn func(tx *bolt.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.open(false)
	if err != nil {
		return err
	}
	err = db.Update(fn)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("file store %s: %w", s.path, cerr)
	}
	return err
}

func (s *FileStore) view(fn func(tx *bolt.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.open(true)
	if err != nil {
		return err
	}
	err = db.View(fn)
	db.Close()
	return err
}

// A record is its Seq (8 bytes), its expiry in Unix milliseconds (8
// bytes) and its data.
func encodeRecord(seq uint64, expiry time.Time, data []byte) []byte {
	v := make([]byte, 16+len(data))
	binary.BigEndian.PutUint64(v, seq)
	binary.BigEndian.PutUint64(v[8:], uint64(expiry.UnixMilli()))
	copy(v[16:], data)
	return v
}

// decodeRecord returns the record of v, or the zero record when v is
// missing, short or expired.
func decodeRecord(v []byte, now time.Time) (seq uint64, data []byte) {
	if len(v) < 16 || now.UnixMilli() >= int64(binary.BigEndian.Uint64(v[8:])) {
		return 0, nil
	}
	return binary.BigEndian.Uint64(v), bytes.Clone(v[16:])
}

// Load implements engine.SessionStore.
func (s *FileStore) Load(_ context.Context, key string) (engine.SessionRecord, error) {
	var r engine.SessionRecord
	now := s.opt.Now()
	err := s.view(func(tx *bolt.Tx) error {
		r.Seq, r.Data = decodeRecord(tx.Bucket(bucketSessions).Get([]byte(key)), now)
		return nil
	})
	return r, err
}

// CompareAndSwap implements engine.SessionStore. An expired record counts
// as no record.
func (s *FileStore) CompareAndSwap(_ context.Context, key string, oldSeq uint64, next engine.SessionRecord) (bool, error) {
	if next.Seq <= oldSeq {
		return false, engine.ErrBadSeq
	}
	now := s.opt.Now()
	swapped := false
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if cur, _ := decodeRecord(b.Get([]byte(key)), now); cur != oldSeq {
			return nil
		}
		swapped = true
		if s.writes++; s.writes%256 == 0 {
			pruneBucket(b, now)
		}
		return b.Put([]byte(key), encodeRecord(next.Seq, now.Add(s.opt.SessionTTL), next.Data))
	})
	return swapped, err
}

// pruneBucket deletes the expired records of b.
func pruneBucket(b *bolt.Bucket, now time.Time) {
	var expired [][]byte
	_ = b.ForEach(func(k, v []byte) error {
		if seq, _ := decodeRecord(v, now); seq == 0 {
			expired = append(expired, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range expired {
		_ = b.Delete(k)
	}
}

// Delete implements engine.SessionStore.
func (s *FileStore) Delete(_ context.Context, key string) error {
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete([]byte(key)) })
}

// Put implements auth.SignInStore.
func (s *FileStore) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	now := s.opt.Now()
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSignIns)
		if s.writes++; s.writes%64 == 0 {
			pruneBucket(b, now)
		}
		// The Seq of a sign-in record is unused; 1 marks it present.
		return b.Put([]byte(key), encodeRecord(1, now.Add(ttl), value))
	})
}

// Take implements auth.SignInStore: the read and the delete are one
// transaction under the file's lock.
func (s *FileStore) Take(_ context.Context, key string) ([]byte, error) {
	now := s.opt.Now()
	var value []byte
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSignIns)
		seq, data := decodeRecord(b.Get([]byte(key)), now)
		if seq != 0 {
			value = data
		}
		return b.Delete([]byte(key))
	})
	return value, err
}

// Tokens implements Store: the grants are sealed in the same file.
func (s *FileStore) Tokens(key []byte) (auth.Store, error) { return newSealedTokens(fileKV{s}, key) }

type fileKV struct{ s *FileStore }

func (f fileKV) get(_ context.Context, key string) ([]byte, error) {
	var v []byte
	err := f.s.view(func(tx *bolt.Tx) error {
		v = bytes.Clone(tx.Bucket(bucketTokens).Get([]byte(key)))
		return nil
	})
	return v, err
}

func (f fileKV) set(_ context.Context, key string, value []byte) error {
	return f.s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTokens).Put([]byte(key), value) })
}

func (f fileKV) del(_ context.Context, key string) error {
	return f.s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketTokens).Delete([]byte(key)) })
}

// Ping implements Store: the file can be opened and read.
func (s *FileStore) Ping(context.Context) error {
	return s.view(func(*bolt.Tx) error { return nil })
}

// Active implements Store.
func (s *FileStore) Active(context.Context) (int, error) {
	now := s.opt.Now()
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).ForEach(func(_, v []byte) error {
			if seq, _ := decodeRecord(v, now); seq != 0 {
				n++
			}
			return nil
		})
	})
	return n, err
}

// Close implements Store; the file is not held between operations.
func (s *FileStore) Close() error { return nil }
