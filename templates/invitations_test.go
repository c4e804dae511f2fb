package templates

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
)

// The built-ins end to end on one sandbox, as two users: Adele invites
// Alex with create-event; Alex finds the meeting among his invitations in
// respond-event and accepts it; Adele's event then shows him as accepted.
// Without delivered invitations respond-event would find nothing to
// answer.
func TestMeetingInvitationAcrossTemplates(t *testing.T) {
	now := func() time.Time { return start1 } // Wednesday 25 Nov 2026
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: now})
	scopes := []string{"MailboxSettings.Read", "Calendars.ReadWrite"}
	alexUser, ok := sb.LookupUser("AlexW@contoso.onmicrosoft.com")
	if !ok {
		t.Fatal("no Alex in the demo directory")
	}
	adeleTok, alexTok := sb.Token(scopes...), sb.IssueToken(sandbox.Grant{UserID: alexUser.ID, Scopes: scopes})
	engineAs := func(token string) *engine.Engine {
		eng, err := engine.New(engine.Config{GraphURL: ts.URL + "/v1.0", HTTPClient: ts.Client(), Auth: auth.Static(token), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}
	get := func(id string) *engine.Template {
		tp, err := Get(id)
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	ctx := context.Background()

	turn, err := engineAs(adeleTok).Run(ctx, get("create-event"), engine.StartOptions{Inputs: map[string]any{
		"subject": "Launch review", "start": "2026-11-30 10:00", "end": "2026-11-30 11:00",
		"attendees": "AlexW@contoso.onmicrosoft.com, samanthab@fabrikam.com",
	}})
	if err != nil || turn.Status != engine.StatusCompleted {
		t.Fatalf("create-event: %v %+v", err, turn)
	}
	eventID := ""
	for _, o := range turn.Outputs {
		if o.Name == "id" {
			eventID, _ = o.Value.(string)
		}
	}

	alex := engineAs(alexTok)
	turn, err = alex.Start(ctx, get("respond-event"), engine.StartOptions{AutoConfirm: true,
		Inputs: map[string]any{"response": "accept", "comment": "Count me in", "notify": true}})
	if err != nil || turn.Kind != engine.KindQuestion || turn.Question.Input != "event" {
		t.Fatalf("respond-event as Alex: %v %+v", err, turn)
	}
	pick := ""
	for i, c := range turn.Question.Choices {
		if strings.HasPrefix(c.Label, "Launch review (") && strings.Contains(c.Label, "from Adele Vance, not answered") {
			pick = strconv.Itoa(i + 1)
		}
	}
	if pick == "" {
		t.Fatalf("Alex's invitations do not offer the meeting: %+v", turn.Question.Choices)
	}
	turn, err = alex.Resume(ctx, turn.State, pick)
	if err != nil || turn.Status != engine.StatusCompleted {
		t.Fatalf("accepting: %v %+v", err, turn)
	}

	req, _ := http.NewRequest("GET", ts.URL+"/v1.0/me/events/"+eventID, nil)
	req.Header.Set("Authorization", "Bearer "+adeleTok)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var ev struct {
		Attendees []struct {
			Status       struct{ Response string }
			EmailAddress struct{ Address string }
		}
	}
	if err := json.Unmarshal(raw, &ev); err != nil || resp.StatusCode != 200 {
		t.Fatalf("Adele's event: %d %s", resp.StatusCode, raw)
	}
	got := map[string]string{}
	for _, a := range ev.Attendees {
		got[strings.ToLower(a.EmailAddress.Address)] = a.Status.Response
	}
	if got["alexw@contoso.onmicrosoft.com"] != "accepted" || got["samanthab@fabrikam.com"] != "none" {
		t.Errorf("Adele's event shows the attendees as %v, want Alex accepted and Samantha none", got)
	}
}
