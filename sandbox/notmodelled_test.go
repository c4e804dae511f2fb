package sandbox

import (
	"strings"
	"testing"
)

// A Graph operation the sandbox does not model says so, naming it, in
// Graph's error shape; a segment Graph does not know either keeps Graph's
// own wrong-segment answer.
func TestNotModelledOperations(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	app := s.AppToken("Calendars.ReadWrite")
	id := newItemID()
	for _, tc := range []struct {
		token, method, path, op string
	}{
		{tok, "POST", "/v1.0/me/events/" + id + "/forward", "POST /me/events/{id}/forward"},
		// instances is served under /me/events/{id}, not under a calendar
		// the sandbox does not model.
		{tok, "GET", "/v1.0/me/calendars/" + id + "/events/" + id + "/instances", "GET /me/calendars/{id}/events/{id}/instances"},
		{tok, "GET", "/v1.0/me/calendars", "GET /me/calendars"},
		{tok, "GET", "/v1.0/me/contacts/" + id, "GET /me/contacts/{id}"},
		{tok, "POST", "/v1.0/me/getMailTips", "POST /me/getMailTips"},
		{app, "GET", "/v1.0/users/" + s.Users()[0].ID + "/drive", "GET /users/{id}/drive"},
		{tok, "GET", "/v1.0/sites/root", "GET /sites/..."},
	} {
		t.Run(tc.op, func(t *testing.T) {
			a := do(t, ts, tc.token, tc.method, tc.path, "{}")
			a.wantError(t, 501, "NotImplemented", "")
			msg := sv(a.json["error"].(map[string]any)["message"])
			if !strings.Contains(msg, "'"+tc.op+"'") || !strings.Contains(msg, "sandbox does not model") {
				t.Errorf("message %q does not name %s", msg, tc.op)
			}
		})
	}
	do(t, ts, tok, "GET", "/v1.0/me/nonsense", "").wantError(t, 400, "BadRequest", "Resource not found for the segment 'nonsense'.")
	do(t, ts, tok, "GET", "/v1.0/me/events/"+id+"/nonsense", "").wantError(t, 400, "BadRequest", "")
}
