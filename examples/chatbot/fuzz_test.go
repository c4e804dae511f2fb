package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzDecodeMessage: any request body either decodes to a message that
// passes or fails checkMessage with a *MessageError, or is refused with
// an error; nothing panics.
func FuzzDecodeMessage(f *testing.F) {
	for _, seed := range []string{
		`{"conversation":"c","user":"u","text":"create-todo-list"}`,
		`{"conversation":"c","user":"u","text":""}`,
		`{"conversation":"c\u0000","user":"u","text":"x"}`,
		`{"conversation":"c","user":"u","text":"\ud800"}`,
		`{"conversation":"c","user":"u","text":"x","extra":1}`,
		`{} {}`, `[]`, `null`, ``, `{"text": 5}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := decodeMessage(bytes.NewReader(body))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if err := checkMessage(m); err != nil {
			var merr *MessageError
			if !errors.As(err, &merr) || merr.Field == "" {
				t.Fatalf("checkMessage = %v, want a *MessageError naming the field", err)
			}
		}
	})
}

// FuzzDecodeSession: a stored record either decodes for its own key with a
// state, or is an error; nothing panics.
func FuzzDecodeSession(f *testing.F) {
	for _, seed := range []string{
		`{"v":1,"conversation":"c","user":"u","template":"t","state":{"v":1},"updated":"2026-03-02T09:00:00Z"}`,
		`{"v":1,"conversation":"c","user":"x","state":{}}`,
		`{"v":2,"conversation":"c","user":"u","state":{}}`,
		`{"v":1,"conversation":"c","user":"u","state":null}`,
		`{"v":1,"conversation":"c","user":"u","updated":"yesterday","state":{}}`,
		`{`, ``, `[]`,
	} {
		f.Add([]byte(seed))
	}
	key := SessionKey{"c", "u"}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeSession(data, key, "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "session store: ") {
				t.Fatalf("error %q does not say where it comes from", err)
			}
			return
		}
		if s.Conversation != key.Conversation || s.User != key.User || !isJSONObject(s.State) {
			t.Fatalf("accepted %+v for %+v", s, key)
		}
	})
}
