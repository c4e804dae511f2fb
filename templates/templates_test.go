package templates

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/runflow/runflow/engine"
)

// builtinScopes is the built-in set the CLI, the README (readme_test.go) and the smoke test
// promise, with the delegated scopes each template declares: exactly the
// least-privileged permissions of the Graph operations it calls. It is the
// one hand-kept list a new built-in joins (besides its flow tests); the
// other lists derive from the embedded files.
var builtinScopes = map[string][]string{
	"agenda":           {"Calendars.ReadBasic", "MailboxSettings.Read"},
	"create-event":     {"Calendars.ReadWrite", "MailboxSettings.Read"},
	"create-task":      {"Tasks.ReadWrite"},
	"create-todo-list": {"Tasks.ReadWrite"},
	"list-events":      {"Calendars.ReadBasic", "MailboxSettings.Read"},
	"list-messages":    {"Mail.ReadBasic"},
	"list-tasks":       {"Tasks.Read"},
	"list-todo-lists":  {"Tasks.Read"},
	"next-meeting":     {"Calendars.ReadBasic", "MailboxSettings.Read"},
	"reply-mail":       {"Mail.Read", "Mail.Send"},
	"send-mail":        {"Mail.ReadWrite", "Mail.Send"},
	"whoami":           {"User.Read"},
	// issue 14: free/busy needs the user's own address (User.Read).
	"find-time":     {"Calendars.ReadBasic", "MailboxSettings.Read", "User.Read"},
	"respond-event": {"Calendars.ReadWrite", "MailboxSettings.Read"},
	"complete-task": {"Tasks.ReadWrite"},
}

// wantIDs are builtinScopes' ids, sorted.
var wantIDs = slices.Sorted(maps.Keys(builtinScopes))

func TestBuiltinsLoadCleanly(t *testing.T) {
	if got := IDs(); !slices.Equal(got, wantIDs) {
		t.Fatalf("IDs() = %v, want %v", got, wantIDs)
	}
	ts, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != len(wantIDs) {
		t.Fatalf("Load returned %d templates, want %d", len(ts), len(wantIDs))
	}
	for _, id := range wantIDs {
		src, err := Source(id)
		if err != nil {
			t.Fatal(err)
		}
		// Warnings count too: a built-in declares exactly the scopes its
		// steps need, and nothing the checker frowns upon.
		for _, p := range engine.Check(id+".yaml", src) {
			t.Errorf("%s", p)
		}
		first, _, _ := bytes.Cut(src, []byte("\n"))
		if string(first) != "# yaml-language-server: $schema=../engine/template.schema.json" {
			t.Errorf("%s.yaml: first line is %q, want the yaml-language-server schema comment", id, first)
		}
	}
}

// Least privilege: each template declares exactly its builtinScopes.
func TestBuiltinScopes(t *testing.T) {
	for id, scopes := range builtinScopes {
		tpl, err := Get(id)
		if err != nil {
			t.Fatal(err)
		}
		got := tpl.Scopes()
		slices.Sort(got)
		if !slices.Equal(got, scopes) {
			t.Errorf("%s scopes = %v, want %v", id, got, scopes)
		}
	}
}

func TestGetUnknown(t *testing.T) {
	_, err := Get("list-event")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(unknown) error = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "list-events") {
		t.Errorf("error %q does not list the built-in ids", err)
	}
	if _, err := Source("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Source(unknown) error = %v, want ErrNotFound", err)
	}
}

func TestLoadReturnsACopy(t *testing.T) {
	a, _ := Load()
	a[0] = nil
	b, _ := Load()
	if b[0] == nil {
		t.Fatal("Load shares its slice with callers")
	}
}
