package engine

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"sync"
)

// A signed state is the state's JSON with one last member, "sig": the
// HMAC-SHA256, keyed by Config.StateKey, of the same JSON without it.
// Appending the member (rather than wrapping the state) keeps the state one
// flat, small JSON object that bots can store as it is.

// stateSigLabel separates the MAC of a state from any other use of the key.
const stateSigLabel = "runflow session state v1\n"

// minStateKeyBytes is the shortest StateKey New accepts.
const minStateKeyBytes = 32

var sigPrefix = []byte(`,"sig":"`)

// sigSuffixLen is the length of `,"sig":"<43 base64url chars>"}`.
var sigSuffixLen = len(sigPrefix) + base64.RawURLEncoding.EncodedLen(sha256.Size) + len(`"}`)

func stateMAC(key, unsigned []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(stateSigLabel))
	m.Write(unsigned)
	return m.Sum(nil)
}

// macs pools the HMACs of one key: a keyed HMAC is reset, not made
// again, for every state signed or checked.
type macs struct {
	key  []byte
	pool sync.Pool
}

func newMACs(key []byte) *macs {
	m := &macs{key: key}
	m.pool.New = func() any { return hmac.New(sha256.New, key) }
	return m
}

// sum returns the MAC of the concatenated parts, appended to dst.
func (m *macs) sum(dst []byte, parts ...[]byte) []byte {
	h := m.pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(stateSigLabel))
	for _, p := range parts {
		h.Write(p)
	}
	dst = h.Sum(dst)
	m.pool.Put(h)
	return dst
}

// signState signs an unsigned state with the engine's key.
func (e *Engine) signState(unsigned []byte) []byte {
	var buf [sha256.Size]byte
	return appendSig(unsigned, e.macs.sum(buf[:0], unsigned))
}

// verifyState checks a state signed with the engine's key and returns it
// as it is, its "sig" member last (parseState skips it): the MAC is taken
// over the parts of the unsigned state, which is never copied.
func (e *Engine) verifyState(data []byte) ([]byte, error) {
	if _, err := verifyWith(data, nil, func(body []byte) []byte {
		var buf [sha256.Size]byte
		return e.macs.sum(buf[:0], body, closeBrace)
	}); err != nil {
		return nil, err
	}
	return data, nil
}

var closeBrace = []byte("}")

// signState appends the signature member to an unsigned state (a JSON
// object).
func signState(key, unsigned []byte) []byte {
	return appendSig(unsigned, stateMAC(key, unsigned))
}

// appendSig puts the member "sig" holding mac at the end of unsigned, in
// place when its capacity allows.
func appendSig(unsigned, mac []byte) []byte {
	out := unsigned[:len(unsigned)-1]
	if cap(out)-len(out) < sigSuffixLen {
		out = make([]byte, 0, len(unsigned)+sigSuffixLen)
		out = append(out, unsigned[:len(unsigned)-1]...)
	}
	out = append(out, sigPrefix...)
	out = base64.RawURLEncoding.AppendEncode(out, mac)
	return append(out, '"', '}')
}

// verifyState checks a signed state and returns it without its signature.
func verifyState(key, data []byte) ([]byte, error) {
	return verifyWith(data, func(unsigned []byte) []byte { return stateMAC(key, unsigned) }, nil)
}

// verifyWith checks data's signature with mac (given the unsigned state)
// or, when mac is nil, with macBody (given the unsigned state without its
// closing brace, which is not copied then).
func verifyWith(data []byte, mac, macBody func([]byte) []byte) ([]byte, error) {
	n := len(data)
	if n < sigSuffixLen+2 || !bytes.Equal(data[n-sigSuffixLen:n-sigSuffixLen+len(sigPrefix)], sigPrefix) || !bytes.HasSuffix(data, []byte(`"}`)) {
		return nil, badState("the state is not signed, and this engine only resumes states it signed (Config.StateKey is set)")
	}
	var gotBuf [sha256.Size + 2]byte
	m, err := base64.RawURLEncoding.Decode(gotBuf[:], data[n-sigSuffixLen+len(sigPrefix):n-2])
	got := gotBuf[:m]
	if err != nil {
		return nil, badState("the state's signature is not valid base64url")
	}
	var want, unsigned []byte
	if mac == nil {
		want = macBody(data[:n-sigSuffixLen])
	} else {
		unsigned = make([]byte, 0, n-sigSuffixLen+1)
		unsigned = append(unsigned, data[:n-sigSuffixLen]...)
		unsigned = append(unsigned, '}')
		want = mac(unsigned)
	}
	if !hmac.Equal(got, want) {
		return nil, badState("the state's signature does not match: it was altered, or signed with another Config.StateKey")
	}
	return unsigned, nil
}

// checkStateKey refuses a key too short to resist guessing.
func checkStateKey(key []byte) error {
	if len(key) > 0 && len(key) < minStateKeyBytes {
		return fmt.Errorf("engine: Config.StateKey is %d bytes; use at least %d random bytes", len(key), minStateKeyBytes)
	}
	return nil
}
