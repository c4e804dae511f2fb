package bot

import (
	"bytes"
	"context"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A conversation record edited in the store (another user's grant, another
// mailbox) is refused: the Reply says it cannot be resumed, nothing is
// sent, and "run ID" starts afresh.
func TestEditedSessionIsRefused(t *testing.T) {
	for _, tc := range []struct{ name, from, to string }{
		{"another user", `"subject":"u"`, `"subject":"mallory"`},
		{"another mailbox", `"conversation":"c"`, `"conversation":"c","user":"ceo@contoso.com"`},
		{"signature removed", `,"sig":"`, `,"gis":"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newTestFile(t)
			w := newWorld(t, store)
			_, ts := w.replica()
			call(t, ts.URL, "POST", "/v1/conversations/c/flows", `{"template":"create-todo-list","user":"u"}`)
			err := store.update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketSessions)
				v := b.Get([]byte("c"))
				if !bytes.Contains(v, []byte(tc.from)) {
					t.Fatalf("record has no %s: %s", tc.from, v)
				}
				return b.Put([]byte("c"), bytes.Replace(v, []byte(tc.from), []byte(tc.to), 1))
			})
			if err != nil {
				t.Fatal(err)
			}
			_, r, _ := call(t, ts.URL, "POST", "/v1/conversations/c/messages", `{"text":"Stolen","user":"u"}`)
			if r.Status != StatusFailed || r.Error == nil || r.Error.Code != CodeCannotResume {
				t.Fatalf("edited record: %+v", r)
			}
			if n := w.writes("POST", "/todo/lists"); n != 0 {
				t.Fatalf("%d lists created from an edited record", n)
			}
			_, r, _ = call(t, ts.URL, "POST", "/v1/conversations/c/messages", `{"text":"run create-todo-list","user":"u"}`)
			if r.Status != StatusQuestion {
				t.Fatalf("run after a refused record: %+v", r)
			}
			if rec, _ := store.Load(context.Background(), "c"); bytes.Contains(rec.Data, []byte("mallory")) {
				t.Fatalf("the edited state is still there")
			}
		})
	}
}
