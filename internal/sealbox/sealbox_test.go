package sealbox_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/runflow/runflow/internal/sealbox"
)

func TestSealAndOpen(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	box, err := sealbox.New(secret, "purpose A")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal([]byte(`{"token":"x"}`), []byte("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("token")) {
		t.Fatal("the sealed record shows its content")
	}
	if plain, err := box.Open(sealed, []byte("key-1")); err != nil || string(plain) != `{"token":"x"}` {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	other, _ := sealbox.New(secret, "purpose B")
	otherSecret, _ := sealbox.New([]byte("another secret of thirty-two b.."), "purpose A")
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for _, tc := range []struct {
		what   string
		box    *sealbox.Box
		sealed []byte
		bound  string
	}{
		{"another purpose", other, sealed, "key-1"},
		{"another secret", otherSecret, sealed, "key-1"},
		{"another bound key", box, sealed, "key-2"},
		{"a flipped bit", box, flipped, "key-1"},
		{"too short", box, sealed[:5], "key-1"},
		{"empty", box, nil, "key-1"},
	} {
		if _, err := tc.box.Open(tc.sealed, []byte(tc.bound)); !errors.Is(err, sealbox.ErrOpen) {
			t.Errorf("%s: Open error %v, want ErrOpen", tc.what, err)
		}
	}
	again, _ := box.Seal([]byte(`{"token":"x"}`), []byte("key-1"))
	if bytes.Equal(again, sealed) {
		t.Error("two seals of one record are equal: the nonce is not fresh")
	}
}

// Records sealed before this package existed (by hand with HMAC-SHA256 of
// the purpose as the AES-256 key, the nonce first) still open.
func TestOpensTheEarlierFormat(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("runflow bot grants"))
	block, _ := aes.NewCipher(m.Sum(nil))
	aead, _ := cipher.NewGCM(block)
	nonce := bytes.Repeat([]byte{7}, aead.NonceSize())
	old := aead.Seal(bytes.Clone(nonce), nonce, []byte("grant"), []byte("3:sys:u"))
	box, _ := sealbox.New(secret, "runflow bot grants")
	if plain, err := box.Open(old, []byte("3:sys:u")); err != nil || string(plain) != "grant" {
		t.Fatalf("Open(earlier record) = %q, %v", plain, err)
	}
}

func ExampleBox() {
	box, _ := sealbox.New([]byte("a host secret of at least 32 bytes"), "example records")
	sealed, _ := box.Seal([]byte("hello"), []byte("record-7"))
	plain, _ := box.Open(sealed, []byte("record-7"))
	_, err := box.Open(sealed, []byte("record-8"))
	fmt.Println(string(plain), errors.Is(err, sealbox.ErrOpen))
	// Output: hello true
}
