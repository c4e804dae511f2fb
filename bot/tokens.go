package bot

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/runflow/runflow/auth"
)

// kv is the part of a shared store that keeps the users' grants.
type kv interface {
	get(ctx context.Context, key string) ([]byte, error) // nil: none
	set(ctx context.Context, key string, value []byte) error
	del(ctx context.Context, key string) error
}

// sealedTokens is an auth.Store over a kv that never sees a token in
// clear: each grant is sealed with AES-256-GCM under a key derived from
// the host's state key, bound to its profile and subject.
type sealedTokens struct {
	kv   kv
	aead cipher.AEAD
}

func newSealedTokens(store kv, key []byte) (*sealedTokens, error) {
	if len(key) < 32 {
		return nil, errors.New("bot: the key sealing the users' grants must be at least 32 bytes")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("runflow bot grants"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealedTokens{kv: store, aead: aead}, nil
}

// tokenKey names a grant; the length prefix keeps ("a:b", "c") and
// ("a", "b:c") apart.
func tokenKey(profile, subject string) string {
	return fmt.Sprintf("%d:%s:%s", len(profile), profile, subject)
}

// Load implements auth.Store.
func (s *sealedTokens) Load(ctx context.Context, profile, subject string) (*auth.StoredToken, error) {
	key := tokenKey(profile, subject)
	sealed, err := s.kv.get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("bot: reading a grant: %w", err)
	}
	n := s.aead.NonceSize()
	if sealed == nil {
		return nil, auth.ErrNotSignedIn
	}
	if len(sealed) < n {
		return nil, fmt.Errorf("bot: the stored grant of %q is damaged: %w", subject, auth.ErrNotSignedIn)
	}
	js, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(key))
	if err != nil {
		// Sealed with another key (the state key changed): sign in again.
		return nil, fmt.Errorf("bot: the stored grant of %q was sealed with another key: %w", subject, auth.ErrNotSignedIn)
	}
	var tok auth.StoredToken
	if err := json.Unmarshal(js, &tok); err != nil {
		return nil, fmt.Errorf("bot: the stored grant of %q is damaged: %w", subject, auth.ErrNotSignedIn)
	}
	return &tok, nil
}

// Save implements auth.Store.
func (s *sealedTokens) Save(ctx context.Context, tok *auth.StoredToken) error {
	if tok == nil {
		return errors.New("bot: saving a nil grant")
	}
	js, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	key := tokenKey(tok.Profile, tok.Subject)
	if err := s.kv.set(ctx, key, s.aead.Seal(nonce, nonce, js, []byte(key))); err != nil {
		return fmt.Errorf("bot: saving a grant: %w", err)
	}
	return nil
}

// Delete implements auth.Store.
func (s *sealedTokens) Delete(ctx context.Context, profile, subject string) error {
	return s.kv.del(ctx, tokenKey(profile, subject))
}
