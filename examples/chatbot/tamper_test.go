package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestEditedSessionIsRefused: a stored session names whose grant the flow
// uses (the chat user) and the mailbox it acts on. Whoever can edit the
// session store (a shared cache, a copied directory) must not be able to
// act as another user or on another mailbox: the engine's states are
// signed with a key derived from the bot's, so an edited session is
// refused with a clear reply, dropped, and nothing is sent to Graph.
func TestEditedSessionIsRefused(t *testing.T) {
	sessions := NewDirSessions(filepath.Join(t.TempDir(), "sessions"))
	h := newHarness(t, harnessOptions{sessions: sessions})
	h.preAuthorize("u-alice") // the victim has signed in to the bot before
	ctx := context.Background()
	key := SessionKey{Conversation: "c-mallory", User: "u-mallory"}
	refusals := 0

	for _, c := range []struct {
		name string
		edit func(state []byte) []byte
	}{
		{"another user's grant", func(s []byte) []byte {
			return bytes.Replace(s, []byte(`"subject":"u-mallory"`), []byte(`"subject":"u-alice"`), 1)
		}},
		{"another mailbox", func(s []byte) []byte {
			return bytes.Replace(s, []byte(`"subject":"u-mallory"`), []byte(`"subject":"u-mallory","user":"AlexW@contoso.onmicrosoft.com"`), 1)
		}},
		{"re-encoded with the edit", func(s []byte) []byte {
			var m map[string]any
			if err := json.Unmarshal(s, &m); err != nil {
				t.Fatal(err)
			}
			m["subject"] = "u-alice"
			out, _ := json.Marshal(m)
			return out
		}},
		{"signature removed", func(s []byte) []byte {
			var m map[string]any
			if err := json.Unmarshal(s, &m); err != nil {
				t.Fatal(err)
			}
			delete(m, "sig")
			m["subject"] = "u-alice"
			out, _ := json.Marshal(m)
			return out
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.script(key.Conversation, key.User, []step{{"create-todo-list", KindQuestion, []string{"What should the list be called?"}}})
			sess, err := sessions.Load(ctx, key)
			if err != nil || sess == nil {
				t.Fatalf("the paused flow was not stored: %v", err)
			}
			edited := c.edit(sess.State)
			if bytes.Equal(edited, sess.State) {
				t.Fatalf("the edit changed nothing: %s", sess.State)
			}
			sess.State = edited
			if err := sessions.Save(ctx, key, sess); err != nil {
				t.Fatal(err)
			}
			before := h.listCreations()
			r := h.send(key.Conversation, key.User, "Stolen")
			for _, want := range []string{"Your create-todo-list flow could not be resumed", "changed outside the bot", "Type create-todo-list to start it again."} {
				if r.Kind != KindFailed || !strings.Contains(r.Text, want) {
					t.Errorf("reply %s %q, want failed saying %q", r.Kind, r.Text, want)
				}
			}
			if strings.Contains(r.Text, "StateKey") || strings.Contains(r.Text, "signature") {
				t.Errorf("the reply shows the engine's reason to the chat user: %q", r.Text)
			}
			if n := h.listCreations() - before; n != 0 {
				t.Errorf("%d To Do lists were created from an edited session", n)
			}
			if got, _ := sessions.Load(ctx, key); got != nil {
				t.Error("the edited session was kept")
			}
			refusals++
			if log := h.log.String(); strings.Count(log, "a saved flow could not be resumed") != refusals || !strings.Contains(log, "signed") {
				t.Errorf("the refusal and its reason were not logged:\n%s", log)
			}
		})
	}
	if names := h.listNames(userID(t, h.sb, "AlexW@contoso.onmicrosoft.com")); contains(names, "Stolen") {
		t.Errorf("AlexW's lists %v include the list of an edited session", names)
	}
	if names := h.listNames(""); contains(names, "Stolen") {
		t.Errorf("the demo user's lists %v include the list of an edited session", names)
	}

	// The same session, untouched, still resumes (after a restart, with the
	// same key file): only edits are refused.
	h.preAuthorize("u-mallory")
	h.script(key.Conversation, key.User, []step{{"create-todo-list", KindQuestion, nil}})
	h.restart()
	h.script(key.Conversation, key.User, []step{{"Mine", KindDone, []string{`Created the list "Mine".`}}})
}

// TestEngineStateKeyIsDerived: the engine's key is HMAC-SHA256 of the
// bot's key and a fixed label: 32 bytes, the same for the same key (so
// sessions survive restarts), never the bot's key itself, and different
// for different keys.
func TestEngineStateKeyIsDerived(t *testing.T) {
	a := []byte(strings.Repeat("a", 32))
	b := []byte(strings.Repeat("b", 32))
	ka, kb := engineStateKey(a), engineStateKey(b)
	if len(ka) != 32 {
		t.Fatalf("derived key of %d bytes, want 32", len(ka))
	}
	if !bytes.Equal(ka, engineStateKey(a)) {
		t.Error("the derived key is not deterministic")
	}
	if bytes.Equal(ka, a) || bytes.Equal(ka, kb) {
		t.Error("the derived key is the bot's key, or the same for two keys")
	}
}
