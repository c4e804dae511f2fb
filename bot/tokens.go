package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/internal/sealbox"
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
	kv  kv
	box *sealbox.Box
}

func newSealedTokens(store kv, key []byte) (*sealedTokens, error) {
	if len(key) < 32 {
		return nil, errors.New("bot: the key sealing the users' grants must be at least 32 bytes")
	}
	box, err := sealbox.New(key, "runflow bot grants")
	if err != nil {
		return nil, err
	}
	return &sealedTokens{kv: store, box: box}, nil
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
	if sealed == nil {
		return nil, auth.ErrNotSignedIn
	}
	js, err := s.box.Open(sealed, []byte(key))
	if err != nil {
		// Damaged, or sealed with another key (the state key changed):
		// sign in again.
		return nil, fmt.Errorf("bot: the stored grant of %q is damaged or was sealed with another key: %w", subject, auth.ErrNotSignedIn)
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
	key := tokenKey(tok.Profile, tok.Subject)
	sealed, err := s.box.Seal(js, []byte(key))
	if err != nil {
		return err
	}
	if err := s.kv.set(ctx, key, sealed); err != nil {
		return fmt.Errorf("bot: saving a grant: %w", err)
	}
	return nil
}

// Delete implements auth.Store.
func (s *sealedTokens) Delete(ctx context.Context, profile, subject string) error {
	return s.kv.del(ctx, tokenKey(profile, subject))
}
