package engine

import (
	"strings"
	"testing"
)

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
		{"GET /users/{id}", "User.ReadBasic.All"},
		{"GET /users", "User.ReadBasic.All"},
		{"GET /me/people", "People.Read"},
		{"POST /me/calendar/getSchedule", "Calendars.ReadBasic"},
		{"POST /me/findMeetingTimes", "Calendars.Read.Shared"},
		{"POST /me/events/{id}/accept", "Calendars.ReadWrite"},
		{"POST /users/{id}/events/{id}/decline", "Calendars.ReadWrite"},
		{"PATCH /me/todo/lists/{id}/tasks/{id}", "Tasks.ReadWrite"},
		{"GET /me/todo/lists/{id}/tasks/{id}/checklistItems", "Tasks.Read"},
		{"DELETE /me/todo/lists/{id}/tasks/{id}/checklistItems/{id}", "Tasks.ReadWrite"},
		{"GET /groups", ""},
		// Mail operations the extract lacks, from their docs pages
		// (internal/graphref/documented.go).
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

// A user named by an expression is another user: reading their profile
// needs User.ReadBasic.All at least, so `runflow validate` refuses
// scopes: [User.Read] for it (issue 14), while /me keeps User.Read.
func TestScopesOtherUserProfile(t *testing.T) {
	const head = "id: x\nname: x\ndescription: x\n"
	for _, tc := range []struct {
		scopes, path string
		wantErr      string
	}{
		{"[User.Read]", "/users/${ inputs.who }", "GET /users/{id} is not allowed by the declared scopes: add User.ReadBasic.All"},
		{"[User.ReadBasic.All]", "/users/${ inputs.who }", ""},
		{"[User.Read.All]", "/users/${ inputs.who }", ""},
		{"[User.Read]", "/me", ""},
	} {
		t.Run(tc.scopes+" "+tc.path, func(t *testing.T) {
			src := head + "scopes: " + tc.scopes + "\ninputs:\n  - {name: who, type: string, prompt: Who}\nsteps:\n  - http: {method: GET, path: \"" + tc.path + "\"}\n"
			if tc.path == "/me" {
				src = head + "scopes: " + tc.scopes + "\nsteps:\n  - http: {method: GET, path: /me}\n"
			}
			_, err := Load("x.yaml", []byte(src))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
