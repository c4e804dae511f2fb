// Package sealbox seals small records (a sign-in in progress, a user's
// grant, an MCP request state) with AES-256-GCM, so that a shared store or
// a client holds them without being able to read or alter them.
//
// Each Box has its own key, HMAC-SHA256(secret, purpose): one host secret
// serves several purposes without a record of one being accepted as
// another. A sealed record is the 12-byte nonce followed by the
// ciphertext; the bound data (a store key, a tool name) is authenticated
// but not stored, so a record moved to another key does not open.
package sealbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// ErrOpen is returned for a record that does not open: damaged, sealed
// with another secret or purpose, or bound to other data.
var ErrOpen = errors.New("sealbox: the record does not open (damaged, or sealed with another key)")

// A Box seals and opens records for one purpose. It is safe for
// concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns the Box of secret for purpose (a fixed label, e.g.
// "runflow bot grants"). Changing either makes earlier records unopenable.
func New(secret []byte, purpose string) (*Box, error) {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal returns plain sealed and bound to bound, under a fresh random nonce.
func (b *Box) Seal(plain, bound []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	out := make([]byte, n, n+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return b.aead.Seal(out, out, plain, bound), nil
}

// Open returns the plain text of a record Seal made with the same secret,
// purpose and bound data, or ErrOpen.
func (b *Box) Open(sealed, bound []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], bound)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
