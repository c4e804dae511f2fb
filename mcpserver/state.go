package mcpserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/runflow/runflow/internal/sealbox"
)

// pending is what a call waits for, carried in the request state of a
// multi round-trip call (protocol 2026-07-28) so that any replica can take
// the client's next round.
type pending struct {
	// Call is the call's random id: the key of its turn counter in the
	// SessionStore, and the Conversation the auth provider sees.
	Call string `json:"call"`
	// Seq is the call's round; a round is answered once (see Options.Store).
	Seq uint64 `json:"seq"`
	// Kind is what was asked: "question", "signin" or "code" (a sign-in's
	// magic code).
	Kind string `json:"kind"`
	// Input and Type are the question's input name and type ("confirm"
	// for a confirm step).
	Input string `json:"input,omitempty"`
	Type  string `json:"type,omitempty"`
	// Magic: the sign-in asked is followed by its magic code.
	Magic bool `json:"magic,omitempty"`
	// Subject and User are whose call it is; a round from another caller
	// is refused.
	Subject string `json:"subject,omitempty"`
	User    string `json:"user,omitempty"`
	// Given are the inputs the caller gave as arguments.
	Given []string `json:"given,omitempty"`
	// Messages are what the flow said in earlier rounds.
	Messages []string `json:"messages,omitempty"`
	// State is the engine's paused session (signed when the engine has a
	// StateKey).
	State []byte `json:"state"`
	// Expires is when the round may no longer be answered (Unix seconds).
	Expires int64 `json:"exp"`
}

// maxRequestState bounds a request state a client sends back, before any
// decoding: the engine's state (Limits.MaxStateBytes, 1 MiB by default)
// plus the envelope, in base64.
const maxRequestState = 2 << 20

// errBadState is every refused request state: one message, so that a
// client learns nothing about why.
var errBadState = errors.New("the request state is not valid for this tool (altered, expired, or from another server or caller); call the tool again")

// sealer encrypts and authenticates request states (AES-256-GCM), bound to
// the tool they were made for: a request state crosses the client, and may
// hold the user's answers and what Graph returned.
type sealer struct{ box *sealbox.Box }

func newSealer(key []byte) (*sealer, error) {
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	box, err := sealbox.New(key, "runflow mcpserver request state v1")
	if err != nil {
		return nil, err
	}
	return &sealer{box: box}, nil
}

func (s *sealer) seal(toolName string, p *pending) (string, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("encoding the request state: %w", err)
	}
	sealed, err := s.box.Seal(plain, []byte(toolName))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (s *sealer) open(toolName, state string, now time.Time) (*pending, error) {
	if len(state) > maxRequestState {
		return nil, errBadState
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(state)
	if err != nil {
		return nil, errBadState
	}
	plain, err := s.box.Open(raw, []byte(toolName))
	if err != nil {
		return nil, errBadState
	}
	var p pending
	if err := json.Unmarshal(plain, &p); err != nil || p.Call == "" || len(p.State) == 0 {
		return nil, errBadState
	}
	if now.Unix() > p.Expires {
		return nil, errBadState
	}
	return &p, nil
}
