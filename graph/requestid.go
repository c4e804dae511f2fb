package graph

import "crypto/rand"

// newClientRequestID returns a random (version 4) UUID for the
// client-request-id header, in the canonical lower-case 8-4-4-4-12 form.
// It is formatted by hand into a fixed array: one crypto/rand read and one
// allocation (the string), where fmt took seven.
func newClientRequestID() string {
	var b [16]byte
	rand.Read(b[:])         // never fails (crypto/rand.Read panics rather than fail)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	const hexDigits = "0123456789abcdef"
	var out [36]byte
	j := 0
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hexDigits[x>>4], hexDigits[x&15]
		j += 2
	}
	return string(out[:])
}
