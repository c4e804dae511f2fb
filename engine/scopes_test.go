package engine

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// derivePermissionTable builds permissionTable from the permissions extract:
// every permission of every kind, in file order, without repeats.
func derivePermissionTable(t *testing.T, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("reference not present: %v", err)
	}
	var doc struct {
		Paths map[string]map[string][]struct {
			Permission string `json:"permission"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for op, kinds := range doc.Paths {
		var perms []string
		for _, kind := range []string{"DelegatedWork", "DelegatedPersonal", "Application"} {
			for _, p := range kinds[kind] {
				if !contains(perms, p.Permission) {
					perms = append(perms, p.Permission)
				}
			}
		}
		out[op] = perms
	}
	return out
}

// TestPermissionTableMatchesReference keeps the embedded table in step with
// the copy in testdata and, when present (CI), with the shared reference.
func TestPermissionTableMatchesReference(t *testing.T) {
	for _, path := range []string{"testdata/permissions-extract.json", "../../shared/graph-reference/permissions-extract.json"} {
		t.Run(path, func(t *testing.T) {
			want := derivePermissionTable(t, path)
			if !reflect.DeepEqual(permissionTable, want) {
				t.Errorf("permissionTable differs from %s:\n got %v\nwant %v", path, permissionTable, want)
			}
		})
	}
}

func TestPermissionsFor(t *testing.T) {
	cases := []struct {
		op    string
		first string // least privileged; "" = unknown
	}{
		{"GET /me", "User.Read"},
		{"GET /me/todo/lists", "Tasks.Read"},
		{"GET /users/{id}/todo/lists", "Tasks.Read"},
		{"POST /me/todo/lists/{id}/tasks", "Tasks.ReadWrite"},
		{"GET /me/calendarView", "Calendars.ReadBasic"},
		{"GET /me/mailboxSettings/timeZone", "MailboxSettings.Read"},
		{"GET /me/events/{id}", "Calendars.ReadBasic"},
		{"PATCH /me/events/{id}", "Calendars.ReadWrite"},
		{"DELETE /me/todo/lists/{id}", "Tasks.ReadWrite"},
		{"POST /me/sendMail", "Mail.Send"},
		{"GET /groups", ""},
		// Mail operations the extract lacks, from their docs pages
		// (scopes_mail.go).
		{"POST /me/messages", "Mail.ReadWrite"},
		{"POST /users/{id}/messages/{id}/reply", "Mail.Send"},
		{"GET /me/messages/{id}/attachments", "Mail.Read"},
		{"POST /me/messages/{id}/attachments/createUploadSession", "Mail.ReadWrite"},
		{"POST /me/messages/{id}/unknownAction", ""},
	}
	for _, c := range cases {
		perms, ok := permissionsFor(c.op)
		if c.first == "" {
			if ok {
				t.Errorf("%s: known as %v, want unknown", c.op, perms)
			}
			continue
		}
		if !ok || perms[0] != c.first {
			t.Errorf("%s: %v %v, want %s first", c.op, perms, ok, c.first)
		}
	}
}
