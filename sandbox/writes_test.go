package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const validEvent = `{"subject":"Plan","start":{"dateTime":"2026-12-01T10:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-12-01T11:00:00","timeZone":"Pacific Standard Time"}}`

// eventWith returns validEvent with key set to the raw JSON value.
func eventWith(key, raw string) string {
	var m map[string]any
	json.Unmarshal([]byte(validEvent), &m)
	if raw == "" {
		delete(m, key)
	} else {
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			panic(err)
		}
		m[key] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func attendeesJSON(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"emailAddress":{"address":"p%d@contoso.com"},"type":"required"}`, i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestWriteValidation(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	lists := do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "").values(t)
	listID := sv(lists[0]["id"])
	for _, tc := range []struct {
		name, method, path, body string
		code                     string
	}{
		{"malformed JSON", "POST", "/v1.0/me/events", `{"subject": "x",`, "BadRequest"},
		{"not an object", "POST", "/v1.0/me/events", `["x"]`, "BadRequest"},
		{"empty body", "POST", "/v1.0/me/events", ``, "BadRequest"},
		{"unknown property", "POST", "/v1.0/me/events", eventWith("subjekt", `"x"`), "RequestBodyRead"},
		{"wrong type", "POST", "/v1.0/me/events", eventWith("subject", `5`), "RequestBodyRead"},
		{"bad enum", "POST", "/v1.0/me/events", eventWith("importance", `"urgent"`), "RequestBodyRead"},
		{"bad nested enum", "POST", "/v1.0/me/events", eventWith("attendees", `[{"emailAddress":{"address":"a@b.com"},"type":"maybe"}]`), "RequestBodyRead"},
		{"bool as string", "POST", "/v1.0/me/events", eventWith("isAllDay", `"true"`), "RequestBodyRead"},
		{"missing start", "POST", "/v1.0/me/events", eventWith("start", ""), "ErrorPropertyValidationFailure"},
		{"end before start", "POST", "/v1.0/me/events", eventWith("end", `{"dateTime":"2026-12-01T09:00:00","timeZone":"Pacific Standard Time"}`), "ErrorPropertyValidationFailure"},
		{"unknown time zone", "POST", "/v1.0/me/events", eventWith("end", `{"dateTime":"2026-12-01T12:00:00","timeZone":"Mars/Olympus"}`), "ErrorPropertyValidationFailure"},
		{"bad date", "POST", "/v1.0/me/events", eventWith("end", `{"dateTime":"tomorrow","timeZone":"UTC"}`), "ErrorPropertyValidationFailure"},
		{"501 attendees", "POST", "/v1.0/me/events", eventWith("attendees", attendeesJSON(501)), "ErrorPropertyValidationFailure"},
		{"attendee without address", "POST", "/v1.0/me/events", eventWith("attendees", `[{"emailAddress":{"name":"Bob"}}]`), "ErrorPropertyValidationFailure"},
		{"all-day not at midnight", "POST", "/v1.0/me/events", eventWith("isAllDay", `true`), "ErrorPropertyValidationFailure"},
		{"weekly without days", "POST", "/v1.0/me/events", eventWith("recurrence", `{"pattern":{"type":"weekly","interval":1},"range":{"type":"noEnd","startDate":"2026-12-01"}}`), "ErrorPropertyValidationFailure"},
		{"recurrence without range", "POST", "/v1.0/me/events", eventWith("recurrence", `{"pattern":{"type":"daily","interval":1}}`), "ErrorPropertyValidationFailure"},
		{"patch end before start", "PATCH", "/v1.0/me/events/" + seededID("event:lunch"), `{"end":{"dateTime":"2000-01-01T00:00:00","timeZone":"UTC"}}`, "ErrorPropertyValidationFailure"},
		{"list without name", "POST", "/v1.0/me/todo/lists", `{}`, "ErrorPropertyValidationFailure"},
		{"list with blank name", "POST", "/v1.0/me/todo/lists", `{"displayName":"  "}`, "ErrorPropertyValidationFailure"},
		{"list read-only only", "POST", "/v1.0/me/todo/lists", `{"wellknownListName":"defaultList"}`, "ErrorPropertyValidationFailure"},
		{"task without title", "POST", "/v1.0/me/todo/lists/" + listID + "/tasks", `{"importance":"high"}`, "ErrorPropertyValidationFailure"},
		{"task bad status", "POST", "/v1.0/me/todo/lists/" + listID + "/tasks", `{"title":"x","status":"done"}`, "RequestBodyRead"},
		{"task bad due date", "POST", "/v1.0/me/todo/lists/" + listID + "/tasks", `{"title":"x","dueDateTime":{"dateTime":"soon","timeZone":"UTC"}}`, "ErrorPropertyValidationFailure"},
		{"rename well-known list", "PATCH", "/v1.0/me/todo/lists/" + listID, `{"displayName":"Mine"}`, "invalidRequest"},
		{"delete well-known list", "DELETE", "/v1.0/me/todo/lists/" + listID, ``, "invalidRequest"},
		{"mail without recipients", "POST", "/v1.0/me/sendMail", `{"message":{"subject":"x"}}`, "ErrorInvalidRecipients"},
		{"mail with a bad address", "POST", "/v1.0/me/sendMail", `{"message":{"toRecipients":[{"emailAddress":{"address":"bob at contoso"}}]}}`, "ErrorInvalidRecipients"},
		{"mail without message", "POST", "/v1.0/me/sendMail", `{"saveToSentItems":true}`, "ErrorInvalidParameter"},
		{"saveToSentItems not boolean", "POST", "/v1.0/me/sendMail", `{"message":{"toRecipients":[{"emailAddress":{"address":"a@b.com"}}]},"saveToSentItems":"maybe"}`, "RequestBodyRead"},
		{"header without x-", "POST", "/v1.0/me/sendMail", `{"message":{"toRecipients":[{"emailAddress":{"address":"a@b.com"}}],"internetMessageHeaders":[{"name":"Subject","value":"x"}]}}`, "InvalidInternetMessageHeader"},
		{"attachment bad base64", "POST", "/v1.0/me/sendMail", `{"message":{"toRecipients":[{"emailAddress":{"address":"a@b.com"}}],"attachments":[{"@odata.type":"#microsoft.graph.fileAttachment","name":"a.txt","contentBytes":"%%%"}]}}`, "RequestBodyRead"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := json.Marshal(s.data)
			a := do(t, ts, tok, tc.method, tc.path, tc.body)
			a.wantError(t, 400, tc.code, "")
			after, _ := json.Marshal(s.data)
			if string(before) != string(after) {
				t.Error("a rejected write changed the data")
			}
		})
	}
	t.Run("500 attendees accepted", func(t *testing.T) {
		do(t, ts, tok, "POST", "/v1.0/me/events", eventWith("attendees", attendeesJSON(500))).wantStatus(t, 201)
	})
	t.Run("messages name the property", func(t *testing.T) {
		a := do(t, ts, tok, "POST", "/v1.0/me/events", eventWith("importance", `"urgent"`))
		msg := sv(a.json["error"].(map[string]any)["message"])
		if !strings.Contains(msg, "'urgent'") || !strings.Contains(msg, "importance") {
			t.Errorf("message %q", msg)
		}
		a = do(t, ts, tok, "POST", "/v1.0/me/events", eventWith("end", `{"dateTime":"2026-12-01T09:00:00","timeZone":"Pacific Standard Time"}`))
		details, _ := a.json["error"].(map[string]any)["details"].([]any)
		if len(details) != 1 || details[0].(map[string]any)["target"] != "end" {
			t.Errorf("details %v", details)
		}
	})
}

func TestEventLifecycle(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	body := `{"subject":"Design review","body":{"contentType":"HTML","content":"<b>Agenda</b> &amp; notes"},
		"start":{"dateTime":"2026-12-02T15:00:00","timeZone":"W. Europe Standard Time"},
		"end":{"dateTime":"2026-12-02T16:00:00","timeZone":"W. Europe Standard Time"},
		"attendees":[{"emailAddress":{"address":" AlexW@contoso.onmicrosoft.com "},"type":"Optional"}],
		"importance":"HIGH","transactionId":"tx-1"}`
	created := do(t, ts, tok, "POST", "/v1.0/me/events", body).wantStatus(t, 201).json
	id := sv(created["id"])
	if !wellFormedID(id) || created["type"] != "singleInstance" || created["importance"] != "high" {
		t.Fatalf("created %v", created)
	}
	if b := created["body"].(map[string]any); b["contentType"] != "html" || created["bodyPreview"] != "Agenda & notes" {
		t.Errorf("body %v preview %q", b, created["bodyPreview"])
	}
	att := created["attendees"].([]any)[0].(map[string]any)
	if att["type"] != "optional" || att["emailAddress"].(map[string]any)["address"] != "AlexW@contoso.onmicrosoft.com" {
		t.Errorf("attendee %v", att)
	}
	// Without Prefer the answer is in UTC.
	if st := created["start"].(map[string]any); st["dateTime"] != "2026-12-02T14:00:00.0000000" || st["timeZone"] != "UTC" {
		t.Errorf("start %v", st)
	}
	if created["originalStartTimeZone"] != "W. Europe Standard Time" {
		t.Errorf("originalStartTimeZone %v", created["originalStartTimeZone"])
	}
	// The same transactionId does not create a second event.
	again := do(t, ts, tok, "POST", "/v1.0/me/events", body).wantStatus(t, 201).json
	if again["id"] != id {
		t.Errorf("retry with the same transactionId created %v", again["id"])
	}

	got := do(t, ts, tok, "GET", "/v1.0/me/events/"+id, "", "Prefer", `outlook.timezone="Europe/Berlin"`).wantStatus(t, 200)
	if st := got.json["start"].(map[string]any); st["dateTime"] != "2026-12-02T15:00:00.0000000" || st["timeZone"] != "Europe/Berlin" {
		t.Errorf("start in Berlin %v", st)
	}
	if got.header.Get("Preference-Applied") != `outlook.timezone="Europe/Berlin"` {
		t.Errorf("Preference-Applied %q", got.header.Get("Preference-Applied"))
	}
	text := do(t, ts, tok, "GET", "/v1.0/me/events/"+id+"?$select=body", "", "Prefer", `outlook.body-content-type="text"`).wantStatus(t, 200)
	if b := text.json["body"].(map[string]any); b["contentType"] != "text" || b["content"] != "Agenda & notes" {
		t.Errorf("text body %v", b)
	}
	if text.header.Get("Preference-Applied") != `outlook.body-content-type="text"` {
		t.Errorf("Preference-Applied %q", text.header.Get("Preference-Applied"))
	}

	patched := do(t, ts, tok, "PATCH", "/v1.0/me/events/"+id, `{"subject":"Design review (moved)","end":{"dateTime":"2026-12-02T17:00:00","timeZone":"W. Europe Standard Time"}}`).wantStatus(t, 200).json
	if patched["subject"] != "Design review (moved)" || patched["@odata.etag"] == created["@odata.etag"] {
		t.Errorf("patched %v", patched)
	}
	if en := patched["end"].(map[string]any); en["dateTime"] != "2026-12-02T16:00:00.0000000" {
		t.Errorf("patched end %v", en)
	}
	if patched["createdDateTime"] != created["createdDateTime"] {
		t.Error("PATCH changed createdDateTime")
	}
	do(t, ts, tok, "DELETE", "/v1.0/me/events/"+id, "").wantStatus(t, 204)
	do(t, ts, tok, "GET", "/v1.0/me/events/"+id, "").wantError(t, 404, "ErrorItemNotFound", "")
}

func TestTodoLifecycle(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	list := do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"Trip"}`).wantStatus(t, 201).json
	lid := sv(list["id"])
	renamed := do(t, ts, tok, "PATCH", "/v1.0/me/todo/lists/"+lid, `{"displayName":"Trip to Oslo"}`).wantStatus(t, 200).json
	if renamed["displayName"] != "Trip to Oslo" {
		t.Errorf("renamed %v", renamed)
	}
	task := do(t, ts, tok, "POST", "/v1.0/me/todo/lists/"+lid+"/tasks", `{"title":"Passport","dueDateTime":{"dateTime":"2026-12-10T00:00:00","timeZone":"UTC"},"checklistItems":[{"displayName":"Photo"}]}`).wantStatus(t, 201).json
	tid := sv(task["id"])
	if task["status"] != "notStarted" || task["importance"] != "normal" || task["dueDateTime"].(map[string]any)["dateTime"] != "2026-12-10T00:00:00.0000000" {
		t.Errorf("task %v", task)
	}
	if _, ok := task["checklistItems"]; ok {
		t.Error("checklistItems returned without $select")
	}
	done := do(t, ts, tok, "PATCH", "/v1.0/me/todo/lists/"+lid+"/tasks/"+tid, `{"status":"completed"}`).wantStatus(t, 200).json
	if done["status"] != "completed" || done["completedDateTime"] == nil {
		t.Errorf("completed task %v", done)
	}
	sel := do(t, ts, tok, "GET", "/v1.0/me/todo/lists/"+lid+"/tasks/"+tid+"?$select=title,checklistItems", "").wantStatus(t, 200).json
	if items, _ := sel["checklistItems"].([]any); len(items) != 1 {
		t.Errorf("checklistItems %v", sel["checklistItems"])
	}
	do(t, ts, tok, "DELETE", "/v1.0/me/todo/lists/"+lid+"/tasks/"+tid, "").wantStatus(t, 204)
	if n := len(do(t, ts, tok, "GET", "/v1.0/me/todo/lists/"+lid+"/tasks", "").values(t)); n != 0 {
		t.Errorf("%d tasks after delete", n)
	}
	do(t, ts, tok, "DELETE", "/v1.0/me/todo/lists/"+lid, "").wantStatus(t, 204)
	do(t, ts, tok, "GET", "/v1.0/me/todo/lists/"+lid, "").wantError(t, 404, "ErrorItemNotFound", "")
}

func TestSendMailDelivers(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	alex := s.Users()[1]
	do(t, ts, tok, "POST", "/v1.0/me/sendMail", `{"message":{"subject":"Launch","body":{"contentType":"Text","content":"Ready?"},
		"toRecipients":[{"emailAddress":{"address":"`+alex.Mail+`"}}],"bccRecipients":[{"emailAddress":{"address":"boss@contoso.com"}}]},"saveToSentItems":true}`).wantStatus(t, 202)
	sent := do(t, ts, tok, "GET", "/v1.0/me/mailFolders/sentitems/messages", "").values(t)
	if len(sent) != 1 || sent[0]["subject"] != "Launch" || sent[0]["bodyPreview"] != "Ready?" {
		t.Fatalf("sent items %v", sent)
	}
	all := do(t, ts, tok, "GET", "/v1.0/me/messages?$top=1", "").values(t)
	if all[0]["subject"] != "Launch" {
		t.Errorf("newest message %v: /me/messages includes Sent Items, newest first", all[0]["subject"])
	}
	inbox := do(t, ts, s.AppToken("Mail.Read"), "GET", "/v1.0/users/"+alex.ID+"/mailFolders/inbox/messages", "").values(t)
	if len(inbox) != 1 || inbox[0]["isRead"] != false || len(inbox[0]["bccRecipients"].([]any)) != 0 {
		t.Errorf("Alex's inbox %v", inbox)
	}
}

func TestIfMatch(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	ev := do(t, ts, tok, "POST", "/v1.0/me/events", validEvent).wantStatus(t, 201).json
	id, etag := sv(ev["id"]), sv(ev["@odata.etag"])
	changed := do(t, ts, tok, "PATCH", "/v1.0/me/events/"+id, `{"subject":"v2"}`, "If-Match", etag).wantStatus(t, 200).json
	do(t, ts, tok, "PATCH", "/v1.0/me/events/"+id, `{"subject":"v3"}`, "If-Match", etag).wantError(t, 412, "ErrorIrresolvableConflict", "")
	do(t, ts, tok, "DELETE", "/v1.0/me/events/"+id, "", "If-Match", etag).wantError(t, 412, "ErrorIrresolvableConflict", "")
	if got := do(t, ts, tok, "GET", "/v1.0/me/events/"+id, "").json; got["subject"] != "v2" {
		t.Errorf("subject %v after a rejected PATCH", got["subject"])
	}
	do(t, ts, tok, "DELETE", "/v1.0/me/events/"+id, "", "If-Match", sv(changed["@odata.etag"])).wantStatus(t, 204)

	list := seededID("list:tasks")
	task := do(t, ts, tok, "POST", "/v1.0/me/todo/lists/"+list+"/tasks", `{"title":"x"}`).wantStatus(t, 201).json
	tid := sv(task["id"])
	do(t, ts, tok, "PATCH", "/v1.0/me/todo/lists/"+list+"/tasks/"+tid, `{"title":"y"}`, "If-Match", `W/"stale"`).wantError(t, 412, "ErrorIrresolvableConflict", "")
	do(t, ts, tok, "PATCH", "/v1.0/me/todo/lists/"+list+"/tasks/"+tid, `{"title":"y"}`, "If-Match", "*").wantStatus(t, 200)
}
