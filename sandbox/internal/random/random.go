// Package random is the randomness both halves of the sandbox use (Graph's
// ids and the identity platform's codes and tokens), from crypto/rand: a
// code or token must not be guessable, even in a sandbox.
package random

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// Bytes returns n random bytes. It panics if the system's source fails,
// which crypto/rand documents as not happening on supported platforms.
func Bytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("sandbox: crypto/rand failed: " + err.Error())
	}
	return b
}

// String returns nbytes random bytes as unpadded URL-safe base64.
func String(nbytes int) string {
	return base64.RawURLEncoding.EncodeToString(Bytes(nbytes))
}

// GUID returns a random version-4 GUID, as Graph's request ids and Entra's
// trace ids are.
func GUID() string {
	b := Bytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
