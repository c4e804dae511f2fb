package sandbox

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/internal/testutil"
)

func TestTokenErrors(t *testing.T) {
	clock := testutil.NewClock(testNow)
	s, ts := NewTestServer(t, Options{Now: clock.Now, TokenLifetime: time.Hour})
	good := s.Token("User.Read")
	soonExpired := s.Token("User.Read")
	for _, tc := range []struct {
		name, header, message string
	}{
		{"no header", "", msgTokenEmpty},
		{"empty bearer", "Bearer ", msgTokenEmpty},
		{"unknown token", "Bearer not-a-token", msgTokenMalformed},
		{"basic scheme", "Basic dXNlcjpwYXNz", msgTokenMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, ts, "", "GET", "/v1.0/me", "", "Authorization", tc.header)
			a.wantError(t, 401, "InvalidAuthenticationToken", tc.message)
			if a.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	do(t, ts, good, "GET", "/v1.0/me", "").wantStatus(t, 200)
	clock.Advance(time.Hour)
	do(t, ts, soonExpired, "GET", "/v1.0/me", "").wantError(t, 401, "InvalidAuthenticationToken", msgTokenExpired)
}

func TestPermissions(t *testing.T) {
	s, ts := newSandbox(t)
	me := s.Users()[0]
	other := s.Users()[1]
	for _, tc := range []struct {
		name   string
		token  string
		method string
		path   string
		body   string
		status int
		code   string
	}{
		{"User.Read cannot read events", s.Token("User.Read"), "GET", "/v1.0/me/events", "", 403, "ErrorAccessDenied"},
		{"Calendars.ReadBasic reads events", s.Token("Calendars.ReadBasic"), "GET", "/v1.0/me/events", "", 200, ""},
		{"Calendars.Read reads calendarView", s.Token("Calendars.Read"), "GET", "/v1.0/me/calendarView?startDateTime=2026-11-23&endDateTime=2026-11-24", "", 200, ""},
		{"Calendars.Read cannot create", s.Token("Calendars.Read"), "POST", "/v1.0/me/events", `{}`, 403, "ErrorAccessDenied"},
		{"Tasks.Read lists lists", s.Token("Tasks.Read"), "GET", "/v1.0/me/todo/lists", "", 200, ""},
		{"Tasks.Read cannot create lists", s.Token("Tasks.Read"), "POST", "/v1.0/me/todo/lists", `{"displayName":"x"}`, 403, "ErrorAccessDenied"},
		{"Mail.ReadBasic lists messages", s.Token("Mail.ReadBasic"), "GET", "/v1.0/me/messages", "", 200, ""},
		{"Mail.Read cannot send", s.Token("Mail.Read"), "POST", "/v1.0/me/sendMail", `{}`, 403, "ErrorAccessDenied"},
		{"resource-prefixed scope", s.Token("https://graph.microsoft.com/Mail.Send"), "POST", "/v1.0/me/sendMail", `{"message":{"toRecipients":[{"emailAddress":{"address":"a@b.com"}}]}}`, 202, ""},
		{"lower-case scope", s.Token("mailboxsettings.read"), "GET", "/v1.0/me/mailboxSettings", "", 200, ""},
		{"User.Read reads /me", s.Token("User.Read"), "GET", "/v1.0/me", "", 200, ""},
		{"Mail.Read cannot read /me", s.Token("Mail.Read"), "GET", "/v1.0/me", "", 403, "Authorization_RequestDenied"},
		{"delegated own mailbox by UPN", s.Token("Calendars.Read"), "GET", "/v1.0/users/" + url.PathEscape(me.UserPrincipalName) + "/events", "", 200, ""},
		{"delegated other mailbox", s.Token("Calendars.Read"), "GET", "/v1.0/users/" + other.ID + "/events", "", 403, "ErrorAccessDenied"},
		{"delegated other profile with User.Read.All", s.Token("User.Read.All"), "GET", "/v1.0/users/" + other.ID, "", 200, ""},
		{"app-only /me", s.AppToken("User.Read.All", "Calendars.Read"), "GET", "/v1.0/me/events", "", 400, "BadRequest"},
		{"app-only events by id", s.AppToken("Calendars.Read"), "GET", "/v1.0/users/" + me.ID + "/events", "", 200, ""},
		{"app-only events by UPN", s.AppToken("Calendars.ReadWrite"), "GET", "/v1.0/users/" + url.PathEscape(other.UserPrincipalName) + "/calendar/events", "", 200, ""},
		{"app-only with a delegated name", s.AppToken("Tasks.Read"), "GET", "/v1.0/users/" + me.ID + "/todo/lists", "", 403, "ErrorAccessDenied"},
		{"app-only Tasks.Read.All", s.AppToken("Tasks.Read.All"), "GET", "/v1.0/users/" + me.ID + "/todo/lists", "", 200, ""},
		{"app-only Tasks.Read.All cannot write", s.AppToken("Tasks.Read.All"), "POST", "/v1.0/users/" + me.ID + "/todo/lists", `{"displayName":"x"}`, 403, "ErrorAccessDenied"},
		{"app-only Mail.ReadBasic.All", s.AppToken("Mail.ReadBasic.All"), "GET", "/v1.0/users/" + me.ID + "/messages", "", 200, ""},
		{"app-only sendMail", s.AppToken("Mail.Send"), "POST", "/v1.0/users/" + me.ID + "/sendMail", `{"message":{"toRecipients":[{"emailAddress":{"address":"a@b.com"}}]}}`, 202, ""},
		{"app-only unknown user mailbox", s.AppToken("Calendars.Read"), "GET", "/v1.0/users/nobody@contoso.com/events", "", 404, "ErrorInvalidUser"},
		{"app-only unknown user", s.AppToken("User.Read.All"), "GET", "/v1.0/users/nobody@contoso.com", "", 404, "Request_ResourceNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, ts, tc.token, tc.method, tc.path, tc.body)
			if tc.code != "" {
				a.wantError(t, tc.status, tc.code, "")
				return
			}
			a.wantStatus(t, tc.status)
		})
	}
	t.Run("app-only /me message", func(t *testing.T) {
		do(t, ts, s.AppToken("User.Read.All"), "GET", "/v1.0/me", "").wantError(t, 400, "BadRequest", "/me request is only valid with delegated authentication flow.")
	})
}

func TestRoutingErrorsAndHeaders(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	do(t, ts, tok, "GET", "/v1.0/me/calendars/x/foo", "").wantError(t, 400, "BadRequest", "Resource not found for the segment 'calendars'.")
	do(t, ts, tok, "GET", "/v1.0/groups", "").wantError(t, 501, "NotImplemented", "The sandbox does not model the Graph operation 'GET /groups'. It serves the operations listed in docs/sandbox.md; against Microsoft Graph this request may well work.")
	do(t, ts, tok, "PUT", "/v1.0/me/events", "{}").wantError(t, 405, "Request_BadRequest", msgMethod)
	do(t, ts, tok, "GET", "/beta/me", "").wantError(t, 400, "BadRequest", "")
	do(t, ts, tok, "GET", "/v1.0/me/events?$expand=attachments", "").wantError(t, 400, "BadRequest", "")

	big := `{"displayName":"` + strings.Repeat("x", maxRequestBytes) + `"}`
	do(t, ts, tok, "POST", "/v1.0/me/todo/lists", big).wantError(t, 413, "RequestEntityTooLarge", "")

	a := do(t, ts, tok, "GET", "/v1.0/me", "", "client-request-id", "my-id-123").wantStatus(t, 200)
	if a.header.Get("client-request-id") != "my-id-123" || a.header.Get("request-id") == "" || a.header.Get("request-id") == "my-id-123" {
		t.Errorf("id headers: %v", a.header)
	}
	b := do(t, ts, tok, "GET", "/v1.0/me", "").wantStatus(t, 200)
	if b.header.Get("request-id") == a.header.Get("request-id") {
		t.Error("request-id repeats")
	}
	e := do(t, ts, tok, "GET", "/v1.0/me/events/"+newItemID(), "", "client-request-id", "cid-7")
	inner := e.json["error"].(map[string]any)["innerError"].(map[string]any)
	if inner["client-request-id"] != "cid-7" || inner["request-id"] != e.header.Get("request-id") || inner["date"] != "2026-11-25T18:00:00" {
		t.Errorf("innerError %v", inner)
	}
}

func TestMalformedAndUnknownIDs(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	list := do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "").values(t)[0]["id"].(string)
	unknown := newItemID()
	for _, path := range []string{"/v1.0/me/events/%s", "/v1.0/me/todo/lists/%s", "/v1.0/me/todo/lists/%s/tasks", "/v1.0/me/messages/%s",
		"/v1.0/me/todo/lists/" + list + "/tasks/%s"} {
		t.Run(path, func(t *testing.T) {
			for _, bad := range []string{"not-an-id", "12345", "AAMk!!"} {
				do(t, ts, tok, "GET", sprintf(path, url.PathEscape(bad)), "").wantError(t, 400, "ErrorInvalidIdMalformed", msgIDMalformed)
			}
			do(t, ts, tok, "GET", sprintf(path, unknown), "").wantError(t, 404, "ErrorItemNotFound", msgNotFound)
		})
	}
	do(t, ts, tok, "DELETE", "/v1.0/me/events/"+unknown, "").wantError(t, 404, "ErrorItemNotFound", "")
	do(t, ts, tok, "PATCH", "/v1.0/me/todo/lists/bad-id", `{"displayName":"x"}`).wantError(t, 400, "ErrorInvalidIdMalformed", "")
	do(t, ts, tok, "GET", "/v1.0/me/mailFolders/"+unknown+"/messages", "").wantError(t, 404, "ErrorItemNotFound", "")
	do(t, ts, tok, "GET", "/v1.0/me/mailFolders/Inbox/messages", "").wantStatus(t, 200)
}

// sprintf substitutes %s (no other verbs) so paths can hold '%' safely.
func sprintf(pattern, arg string) string {
	out := ""
	for i := 0; i < len(pattern); i++ {
		if i+1 < len(pattern) && pattern[i] == '%' && pattern[i+1] == 's' {
			out += arg
			i++
			continue
		}
		out += string(pattern[i])
	}
	return out
}

func TestReadBasicHidesBodies(t *testing.T) {
	s, ts := newSandbox(t)
	for _, tc := range []struct {
		name, token, path string
		hidden            bool
	}{
		{"Calendars.ReadBasic", s.Token("Calendars.ReadBasic"), "/v1.0/me/events?$top=1", true},
		{"Calendars.Read", s.Token("Calendars.ReadBasic", "Calendars.Read"), "/v1.0/me/events?$top=1", false},
		{"Mail.ReadBasic", s.Token("Mail.ReadBasic"), "/v1.0/me/messages?$top=1", true},
		{"Mail.ReadBasic.All (app)", s.AppToken("Mail.ReadBasic.All"), "/v1.0/users/" + s.Users()[0].ID + "/messages?$top=1", true},
		{"Mail.Read", s.Token("Mail.Read"), "/v1.0/me/messages?$top=1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := do(t, ts, tc.token, "GET", tc.path, "").wantStatus(t, 200).values(t)[0]
			_, hasBody := v["body"]
			_, hasPreview := v["bodyPreview"]
			if hasBody == tc.hidden || hasPreview == tc.hidden || v["subject"] == nil {
				t.Errorf("body shown %v, preview shown %v, want hidden=%v", hasBody, hasPreview, tc.hidden)
			}
		})
	}
}
