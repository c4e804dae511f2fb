package auth

import (
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
	"runtime"
	"strings"
)

// maxStoredTokenBytes bounds a token file read back from disk.
const maxStoredTokenBytes = 1 << 20

// FileStore keeps one JSON file per profile and subject in a directory
// readable only by its owner (0700), each file 0600, written atomically
// (a temporary file renamed over the old one), so a crash or a concurrent
// reader never sees half a token.
type FileStore struct {
	dir string
}

// NewFileStore returns a FileStore in dir (created on first save).
func NewFileStore(dir string) *FileStore { return &FileStore{dir: dir} }

// DefaultTokenDir is where the CLI keeps tokens:
// os.UserConfigDir()/runflow/tokens.
func DefaultTokenDir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("auth: cannot find the user config directory for the token store: %w", err)
	}
	return filepath.Join(base, "runflow", "tokens"), nil
}

// DefaultFileStore is a FileStore in DefaultTokenDir.
func DefaultFileStore() (*FileStore, error) {
	dir, err := DefaultTokenDir()
	if err != nil {
		return nil, err
	}
	return NewFileStore(dir), nil
}

// Dir is the store's directory.
func (s *FileStore) Dir() string { return s.dir }

// Path is the file that holds the grant of profile and subject. The name is
// a readable, sanitised prefix plus a hash of the exact pair, so no profile
// or subject can reach outside the directory or collide with another.
func (s *FileStore) Path(profile, subject string) string {
	sum := sha256.Sum256([]byte(profile + "\x00" + subject))
	return filepath.Join(s.dir, safeName(profile)+"."+safeName(subject)+"-"+hex.EncodeToString(sum[:8])+".json")
}

func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 32 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// Load implements Store.
func (s *FileStore) Load(_ context.Context, profile, subject string) (*StoredToken, error) {
	path := s.Path(profile, subject)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (no token file for profile %q)", ErrNotSignedIn, profile)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: reading the token store: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStoredTokenBytes+1))
	if err != nil {
		return nil, fmt.Errorf("auth: reading %s: %w", path, err)
	}
	if len(b) > maxStoredTokenBytes {
		return nil, fmt.Errorf("auth: token file %s is larger than %d bytes; delete it and sign in again", path, maxStoredTokenBytes)
	}
	var t StoredToken
	if err := json.Unmarshal(b, &t); err != nil {
		// The JSON error could quote file content; name only the file.
		return nil, fmt.Errorf("auth: token file %s is damaged (not valid JSON); delete it and sign in again", path)
	}
	if t.Profile != profile || t.Subject != subject {
		return nil, fmt.Errorf("auth: token file %s belongs to another profile or subject; delete it and sign in again", path)
	}
	return &t, nil
}

// Save implements Store.
func (s *FileStore) Save(_ context.Context, tok *StoredToken) error {
	if tok == nil {
		return errors.New("auth: FileStore.Save: nil token")
	}
	if err := s.ensureDir(); err != nil {
		return err
	}
	s.removeStaleTemps()
	b, err := json.MarshalIndent(tok, "", "  ")
	if err != nil {
		return fmt.Errorf("auth: encoding the token: %w", err)
	}
	path := s.Path(tok.Profile, tok.Subject)
	f, err := os.CreateTemp(s.dir, ".tmp-*.json") // created 0600
	if err != nil {
		return fmt.Errorf("auth: writing the token store: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return fmt.Errorf("auth: writing the token store: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("auth: writing the token store: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("auth: writing the token store: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("auth: writing the token store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("auth: writing the token store: %w", err)
	}
	return nil
}

// Delete implements Store.
func (s *FileStore) Delete(_ context.Context, profile, subject string) error {
	err := os.Remove(s.Path(profile, subject))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("auth: deleting the token: %w", err)
	}
	return nil
}

// ensureDir creates the directory 0700, and tightens it if it exists with
// looser permissions: it holds refresh tokens.
func (s *FileStore) ensureDir() error {
	if s.dir == "" {
		return errors.New("auth: FileStore has no directory")
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("auth: creating the token directory: %w", err)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(s.dir)
	if err != nil {
		return fmt.Errorf("auth: creating the token directory: %w", err)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(s.dir, 0o700); err != nil {
			return fmt.Errorf("auth: restricting the token directory to its owner: %w", err)
		}
	}
	return nil
}
