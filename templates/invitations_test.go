package templates

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
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

// respond-event on one occurrence of a series, in the sandbox: Alex, who
// accepted Adele's daily stand-up, picks Monday's among his invitations
// and accepts it tentatively. Only that occurrence changes: Adele sees him
// tentative on Monday's stand-up and still not answered on the series,
// and the next run of respond-event shows Monday tentative and Tuesday
// accepted. Before the sandbox answered single occurrences, the response
// failed with 400.
func TestRespondToOneOccurrenceAcrossTemplates(t *testing.T) {
	now := func() time.Time { return start1 } // Wednesday 25 Nov 2026
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: now})
	scopes := []string{"MailboxSettings.Read", "Calendars.ReadWrite"}
	alexUser, ok := sb.LookupUser("AlexW@contoso.onmicrosoft.com")
	if !ok {
		t.Fatal("no Alex in the demo directory")
	}
	adeleTok := sb.Token(scopes...)
	alex, err := engine.New(engine.Config{GraphURL: ts.URL + "/v1.0", HTTPClient: ts.Client(),
		Auth: auth.Static(sb.IssueToken(sandbox.Grant{UserID: alexUser.ID, Scopes: scopes})), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := Get("respond-event")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// start runs respond-event as Alex up to the choice of invitation and
	// returns the question and the labels by day for the stand-up.
	start := func() (*engine.Turn, map[string]string, map[string]int) {
		t.Helper()
		turn, err := alex.Start(ctx, tp, engine.StartOptions{AutoConfirm: true,
			Inputs: map[string]any{"response": "tentative", "comment": "Might be late", "notify": true}})
		if err != nil || turn.Kind != engine.KindQuestion || turn.Question.Input != "event" {
			t.Fatalf("respond-event as Alex: %v %+v", err, turn)
		}
		labels, index := map[string]string{}, map[string]int{}
		for i, c := range turn.Question.Choices {
			// "Team stand-up (Mon 30 Nov 12:30, from ...)": keyed "Mon 30 Nov".
			if rest, ok := strings.CutPrefix(c.Label, "Team stand-up ("); ok {
				if f := strings.Fields(rest); len(f) > 3 {
					day := strings.Join(f[:3], " ")
					labels[day], index[day] = c.Label, i+1
				}
			}
		}
		return turn, labels, index
	}
	turn, labels, index := start()
	if index["Mon 30 Nov"] == 0 || index["Tue 1 Dec"] == 0 {
		t.Fatalf("Alex's invitations do not offer the stand-up on Monday and Tuesday: %v", labels)
	}
	turn, err = alex.Resume(ctx, turn.State, strconv.Itoa(index["Mon 30 Nov"]))
	if err != nil || turn.Status != engine.StatusCompleted {
		t.Fatalf("answering Monday's stand-up: %v %+v", err, turn)
	}

	// Adele's calendar: Monday's stand-up lists Alex as tentative, the
	// series and Tuesday's do not.
	adeleGet := func(path string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/v1.0/me/"+path, nil)
		req.Header.Set("Authorization", "Bearer "+adeleTok)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, raw)
		}
		return out
	}
	alexStatus := func(ev map[string]any) string {
		attendees, _ := ev["attendees"].([]any)
		for _, a := range attendees {
			am, _ := a.(map[string]any)
			ea, _ := am["emailAddress"].(map[string]any)
			if strings.EqualFold(fmt.Sprint(ea["address"]), "AlexW@contoso.onmicrosoft.com") {
				st, _ := am["status"].(map[string]any)
				return fmt.Sprint(st["response"])
			}
		}
		return "(not listed)"
	}
	standup := func(from, to string) map[string]any {
		t.Helper()
		v := adeleGet("calendarView?startDateTime=" + from + "&endDateTime=" + to + "&$filter=" + url.QueryEscape("subject eq 'Team stand-up'"))
		items, _ := v["value"].([]any)
		if len(items) != 1 {
			t.Fatalf("%d stand-ups from %s to %s in Adele's calendar", len(items), from, to)
		}
		return items[0].(map[string]any)
	}
	mon := standup("2026-11-30T00:00:00-08:00", "2026-12-01T00:00:00-08:00")
	tue := standup("2026-12-01T00:00:00-08:00", "2026-12-02T00:00:00-08:00")
	master := adeleGet("events/" + url.PathEscape(fmt.Sprint(mon["seriesMasterId"])))
	if mon["type"] != "exception" || alexStatus(mon) != "tentativelyAccepted" {
		t.Errorf("Adele's Monday stand-up: type %v, Alex %s", mon["type"], alexStatus(mon))
	}
	if tue["type"] != "occurrence" || alexStatus(tue) != "none" || alexStatus(master) != "none" {
		t.Errorf("Alex's answer went beyond Monday: Tuesday %v/%s, series %s", tue["type"], alexStatus(tue), alexStatus(master))
	}

	// Alex's next run shows each occurrence's own answer.
	_, labels, _ = start()
	if !strings.HasSuffix(labels["Mon 30 Nov"], "from Adele Vance, tentativelyAccepted)") || !strings.HasSuffix(labels["Tue 1 Dec"], "from Adele Vance, accepted)") {
		t.Errorf("Alex's invitations after answering Monday: %q and %q", labels["Mon 30 Nov"], labels["Tue 1 Dec"])
	}
}
