package sandbox

import (
	"bytes"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// meetingBody is a meeting Adele organises on Tuesday 1 Dec 2026 with
// extra JSON members appended: Alex (his address in another case, with
// spaces), Megan, Adele herself and an address outside the sandbox are
// invited.
func meetingBody(extra string) string {
	return `{"subject":"Launch review","body":{"contentType":"text","content":"Agenda to follow."},
		"start":{"dateTime":"2026-12-01T10:00:00","timeZone":"Pacific Standard Time"},
		"end":{"dateTime":"2026-12-01T11:00:00","timeZone":"Pacific Standard Time"},
		"location":{"displayName":"Conf Room 3"},"categories":["Red category"],"reminderMinutesBeforeStart":30,
		"attendees":[
			{"type":"required","emailAddress":{"name":"Alex Wilber","address":"  alexw@CONTOSO.onmicrosoft.com "}},
			{"type":"optional","emailAddress":{"name":"Megan Bowen","address":"MeganB@contoso.onmicrosoft.com"}},
			{"type":"required","emailAddress":{"address":"AdeleV@contoso.onmicrosoft.com"}},
			{"type":"required","emailAddress":{"name":"Samantha Booth","address":"samanthab@fabrikam.com"}}]` + extra + `}`
}

// userToken is a delegated token of another demo user.
func userToken(s *Server, u User) string {
	return s.IssueToken(Grant{UserID: u.ID, Scopes: allScopes})
}

// inCalendar lists the token's user's events through Graph (one page of
// 100, in Pacific time) and returns those with iCalUId uid.
func inCalendar(t *testing.T, ts *httptest.Server, tok, uid string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range do(t, ts, tok, "GET", "/v1.0/me/events?$top=100", "", "Prefer", `outlook.timezone="Pacific Standard Time"`).wantStatus(t, 200).values(t) {
		if e["iCalUId"] == uid {
			out = append(out, e)
		}
	}
	return out
}

// theCopy is the one event with iCalUId uid in the token's user's calendar.
func theCopy(t *testing.T, ts *httptest.Server, tok, uid string) map[string]any {
	t.Helper()
	got := inCalendar(t, ts, tok, uid)
	if len(got) != 1 {
		t.Fatalf("%d events with iCalUId %s in the calendar, want 1", len(got), uid)
	}
	return got[0]
}

func responseOf(e map[string]any) string {
	r, _ := e["responseStatus"].(map[string]any)
	return sv(r["response"])
}

func startOf(e map[string]any) string {
	s, _ := e["start"].(map[string]any)
	return sv(s["dateTime"])
}

func attendeeAddresses(e map[string]any) []string {
	var out []string
	for _, a := range e["attendees"].([]any) {
		out = append(out, sv(a.(map[string]any)["emailAddress"].(map[string]any)["address"]))
	}
	return out
}

// An organizer's new meeting lands in the calendar of every attendee who
// is a sandbox user, once, as their own unanswered copy; the organizer's
// own address and addresses outside the sandbox get nothing; responses to
// the copies reach the organizer's event.
func TestInvitationCreated(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex, meg := s.Token(allScopes...), userToken(s, colleague), userToken(s, megan)
	leeBefore := len(eventsOf(t, s, leeGu))

	org := do(t, ts, adele, "POST", "/v1.0/me/events", meetingBody(`,"responseRequested":true,"transactionId":"tx-1"`)).wantStatus(t, 201).json
	uid := sv(org["iCalUId"])
	if responseOf(org) != "organizer" || org["isOrganizer"] != true {
		t.Errorf("organizer's event: responseStatus %v isOrganizer %v", org["responseStatus"], org["isOrganizer"])
	}
	for _, a := range org["attendees"].([]any) {
		st := a.(map[string]any)["status"].(map[string]any)
		if st["response"] != "none" || st["time"] != "0001-01-01T00:00:00Z" {
			t.Errorf("organizer sees attendee status %v, want none", st)
		}
	}
	if n := len(inCalendar(t, ts, adele, uid)); n != 1 {
		t.Errorf("Adele, organizer and listed as attendee, has %d events of the meeting, want 1", n)
	}

	cp := theCopy(t, ts, alex, uid)
	if cp["id"] == org["id"] || cp["changeKey"] == org["changeKey"] || cp["@odata.etag"] == org["@odata.etag"] {
		t.Errorf("the copy shares the organizer's id or changeKey: %v / %v", cp["id"], cp["changeKey"])
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"isOrganizer", cp["isOrganizer"], false},
		{"responseStatus", cp["responseStatus"], map[string]any{"response": "notResponded", "time": "0001-01-01T00:00:00Z"}},
		{"responseRequested", cp["responseRequested"], true},
		{"organizer", cp["organizer"], org["organizer"]},
		{"subject", cp["subject"], "Launch review"},
		{"start", startOf(cp), "2026-12-01T10:00:00.0000000"},
		{"location", cp["location"], org["location"]},
		{"body", cp["body"], org["body"]},
		{"type", cp["type"], "singleInstance"},
		{"showAs", cp["showAs"], "tentative"},
		{"categories", cp["categories"], []any{}},
		{"reminderMinutesBeforeStart", cp["reminderMinutesBeforeStart"], float64(15)},
		{"attendees", strings.Join(attendeeAddresses(cp), ","), strings.Join(attendeeAddresses(org), ",")},
	}
	for _, c := range checks {
		if !equalJSON(c.got, c.want) {
			t.Errorf("Alex's copy: %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if _, ok := cp["transactionId"]; ok && cp["transactionId"] != nil {
		t.Errorf("the copy carries the organizer's transactionId %v", cp["transactionId"])
	}
	if !strings.Contains(sv(cp["webLink"]), url.QueryEscape(sv(cp["id"]))) {
		t.Errorf("webLink %v does not name the copy's id", cp["webLink"])
	}
	// The copy is an event of Alex's like any other: GET by its id.
	do(t, ts, alex, "GET", "/v1.0/me/events/"+sv(cp["id"]), "").wantStatus(t, 200)
	megCopy := theCopy(t, ts, meg, uid)
	if megCopy["id"] == cp["id"] {
		t.Errorf("Megan's and Alex's copies share an id")
	}
	if n := len(eventsOf(t, s, leeGu)); n != leeBefore {
		t.Errorf("Lee, not invited, has %d events, had %d", n, leeBefore)
	}

	// A retried POST (same transactionId) invites nobody twice.
	do(t, ts, adele, "POST", "/v1.0/me/events", meetingBody(`,"transactionId":"tx-1"`)).wantStatus(t, 201)
	if n := len(inCalendar(t, ts, alex, uid)); n != 1 {
		t.Errorf("after a retried POST Alex has %d copies", n)
	}

	// Responses to the delivered copies reach the organizer.
	do(t, ts, alex, "POST", "/v1.0/me/events/"+sv(cp["id"])+"/accept", `{"comment":"See you","sendResponse":true}`).wantStatus(t, 202)
	do(t, ts, meg, "POST", "/v1.0/me/calendar/events/"+sv(megCopy["id"])+"/tentativelyAccept", `{}`).wantStatus(t, 202)
	org = do(t, ts, adele, "GET", "/v1.0/me/events/"+sv(org["id"]), "").wantStatus(t, 200).json
	if got := attendeeStatus(org, colleague.Mail); got != "accepted" {
		t.Errorf("organizer sees Alex as %q after his accept", got)
	}
	if got := attendeeStatus(org, megan.Mail); got != "tentativelyAccepted" {
		t.Errorf("organizer sees Megan as %q", got)
	}
	if got := responseOf(theCopy(t, ts, alex, uid)); got != "accepted" {
		t.Errorf("Alex's copy says %q after accept", got)
	}
	// Decline: Megan's copy leaves her calendar, the organizer is told.
	do(t, ts, meg, "POST", "/v1.0/me/events/"+sv(megCopy["id"])+"/decline", `{}`).wantStatus(t, 202)
	if n := len(inCalendar(t, ts, meg, uid)); n != 0 {
		t.Errorf("Megan still has %d copies after declining", n)
	}
	if got := attendeeStatus(eventByID(t, s, demoUser.ID, sv(org["id"])), megan.Mail); got != "declined" {
		t.Errorf("organizer sees Megan as %q after her decline", got)
	}
}

// equalJSON compares decoded JSON values.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !equalJSON(v, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// Every route that creates an event invites: /me/calendar/events and an
// app's /users/{id}/events; responseRequested false is carried; an
// organizer who hides attendees shows each attendee only themselves.
func TestInvitationRoutes(t *testing.T) {
	s, ts := newSandbox(t)
	alex := userToken(s, colleague)
	body := meetingBody(`,"responseRequested":false,"hideAttendees":true`)
	org := do(t, ts, s.Token(allScopes...), "POST", "/v1.0/me/calendar/events", body).wantStatus(t, 201).json
	cp := theCopy(t, ts, alex, sv(org["iCalUId"]))
	if cp["responseRequested"] != false || cp["hideAttendees"] != true {
		t.Errorf("copy: responseRequested %v hideAttendees %v", cp["responseRequested"], cp["hideAttendees"])
	}
	if got := attendeeAddresses(cp); len(got) != 1 || !strings.EqualFold(strings.TrimSpace(got[0]), colleague.Mail) {
		t.Errorf("with hideAttendees Alex sees attendees %v, want only himself", got)
	}

	app := s.AppToken("Calendars.ReadWrite")
	org = do(t, ts, app, "POST", "/v1.0/users/"+megan.UserPrincipalName+"/events", `{"subject":"Budget","start":{"dateTime":"2026-12-02T15:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-02T16:00:00","timeZone":"UTC"},
		"attendees":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}},{"emailAddress":{"address":"LeeG@contoso.onmicrosoft.com"}}]}`).wantStatus(t, 201).json
	for _, u := range []User{colleague, leeGu} {
		cp := theCopy(t, ts, userToken(s, u), sv(org["iCalUId"]))
		if sv(cp["organizer"].(map[string]any)["emailAddress"].(map[string]any)["address"]) != megan.Mail || cp["isOrganizer"] != false {
			t.Errorf("%s's copy: organizer %v isOrganizer %v", u.DisplayName, cp["organizer"], cp["isOrganizer"])
		}
	}
	// An event without attendees is the organizer's alone.
	before := len(eventsOf(t, s, colleague))
	do(t, ts, s.Token(allScopes...), "POST", "/v1.0/me/events", validEvent).wantStatus(t, 201)
	if n := len(eventsOf(t, s, colleague)); n != before {
		t.Errorf("an appointment without attendees changed Alex's calendar (%d → %d events)", before, n)
	}
}

// The organizer's PATCH reaches the copies: changed meeting properties,
// new attendees invited, removed ones cancelled; a new time asks for the
// answers again; the organizer's personal properties stay theirs. An
// attendee's PATCH changes their copy only.
func TestInvitationUpdated(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex, meg, lee := s.Token(allScopes...), userToken(s, colleague), userToken(s, megan), userToken(s, leeGu)
	org := do(t, ts, adele, "POST", "/v1.0/me/events", meetingBody("")).wantStatus(t, 201).json
	id, uid := sv(org["id"]), sv(org["iCalUId"])
	cp := theCopy(t, ts, alex, uid)
	do(t, ts, alex, "POST", "/v1.0/me/events/"+sv(cp["id"])+"/accept", `{}`).wantStatus(t, 202)

	// Location and body: the copies follow; Alex's answer stands, on both sides.
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"location":{"displayName":"Conf Room 7"},"body":{"contentType":"text","content":"New agenda."}}`).wantStatus(t, 200)
	cp = theCopy(t, ts, alex, uid)
	if sv(cp["location"].(map[string]any)["displayName"]) != "Conf Room 7" || sv(cp["body"].(map[string]any)["content"]) != "New agenda." {
		t.Errorf("Alex's copy after the location change: location %v body %v", cp["location"], cp["body"])
	}
	if responseOf(cp) != "accepted" || attendeeStatus(eventByID(t, s, demoUser.ID, id), colleague.Mail) != "accepted" {
		t.Errorf("a location change lost Alex's answer: copy %q, organizer sees %q", responseOf(cp), attendeeStatus(eventByID(t, s, demoUser.ID, id), colleague.Mail))
	}

	// The organizer's own categories and reminder are not sent.
	key := cp["changeKey"]
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"categories":["Blue category"],"reminderMinutesBeforeStart":5,"showAs":"oof"}`).wantStatus(t, 200)
	cp = theCopy(t, ts, alex, uid)
	if cp["changeKey"] != key || len(cp["categories"].([]any)) != 0 || cp["showAs"] != "busy" {
		t.Errorf("personal properties reached the copy: changeKey changed %v, categories %v, showAs %v", cp["changeKey"] != key, cp["categories"], cp["showAs"])
	}

	// A new time and subject: every copy shows them, answers are asked again.
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"subject":"Launch review (moved)","start":{"dateTime":"2026-12-02T14:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-12-02T15:00:00","timeZone":"Pacific Standard Time"}}`).wantStatus(t, 200)
	for _, tok := range []string{alex, meg} {
		cp := theCopy(t, ts, tok, uid)
		if startOf(cp) != "2026-12-02T14:00:00.0000000" || cp["subject"] != "Launch review (moved)" {
			t.Errorf("copy after the move: start %s subject %v", startOf(cp), cp["subject"])
		}
		if responseOf(cp) != "notResponded" || cp["showAs"] != "tentative" {
			t.Errorf("copy after the move: response %q showAs %v, want notResponded and tentative", responseOf(cp), cp["showAs"])
		}
	}
	if got := attendeeStatus(eventByID(t, s, demoUser.ID, id), colleague.Mail); got != "none" {
		t.Errorf("organizer still tallies Alex as %q after the move", got)
	}

	// Attendees: Megan removed (her copy cancelled), Lee added (invited).
	megCopyID := sv(theCopy(t, ts, meg, uid)["id"])
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"attendees":[
		{"type":"required","emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}},
		{"type":"required","emailAddress":{"address":"LeeG@contoso.onmicrosoft.com"}}]}`).wantStatus(t, 200)
	mc := theCopy(t, ts, meg, uid)
	if mc["isCancelled"] != true || mc["subject"] != "Canceled: Launch review (moved)" {
		t.Errorf("Megan's copy after her removal: isCancelled %v subject %v", mc["isCancelled"], mc["subject"])
	}
	lc := theCopy(t, ts, lee, uid)
	if responseOf(lc) != "notResponded" || startOf(lc) != "2026-12-02T14:00:00.0000000" {
		t.Errorf("Lee's new copy: response %q start %s", responseOf(lc), startOf(lc))
	}
	if got := strings.Join(attendeeAddresses(theCopy(t, ts, alex, uid)), ","); got != "AlexW@contoso.onmicrosoft.com,LeeG@contoso.onmicrosoft.com" {
		t.Errorf("Alex's copy lists attendees %s", got)
	}
	// Megan re-added: her cancelled copy becomes the invitation again, same id.
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"attendees":[
		{"type":"required","emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}},
		{"type":"required","emailAddress":{"address":"LeeG@contoso.onmicrosoft.com"}},
		{"type":"required","emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}]}`).wantStatus(t, 200)
	mc = theCopy(t, ts, meg, uid)
	if mc["id"] != megCopyID || mc["isCancelled"] != false || mc["subject"] != "Launch review (moved)" || responseOf(mc) != "notResponded" {
		t.Errorf("Megan re-invited: id kept %v, isCancelled %v, subject %v, response %q", mc["id"] == megCopyID, mc["isCancelled"], mc["subject"], responseOf(mc))
	}

	// An attendee's PATCH stays in their calendar.
	orgBefore := eventByID(t, s, demoUser.ID, id)
	lc = theCopy(t, ts, lee, uid)
	do(t, ts, lee, "PATCH", "/v1.0/me/events/"+sv(lc["id"]), `{"subject":"Launch (Lee's note)","categories":["Green category"],"isReminderOn":false}`).wantStatus(t, 200)
	if got := theCopy(t, ts, lee, uid); got["subject"] != "Launch (Lee's note)" || got["isReminderOn"] != false {
		t.Errorf("Lee's own change: %v %v", got["subject"], got["isReminderOn"])
	}
	if got := eventByID(t, s, demoUser.ID, id); got["changeKey"] != orgBefore["changeKey"] || got["subject"] != "Launch review (moved)" {
		t.Errorf("Lee's change reached the organizer: subject %v", got["subject"])
	}
	if got := theCopy(t, ts, alex, uid); got["subject"] != "Launch review (moved)" {
		t.Errorf("Lee's change reached Alex: subject %v", got["subject"])
	}
}

// DELETE by the organizer cancels the meeting for the attendees, like
// cancel; DELETE by an attendee removes only their copy.
func TestInvitationDeleted(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex, meg := s.Token(allScopes...), userToken(s, colleague), userToken(s, megan)

	org := do(t, ts, adele, "POST", "/v1.0/me/events", meetingBody("")).wantStatus(t, 201).json
	uid := sv(org["iCalUId"])
	alexCopy := theCopy(t, ts, alex, uid)
	do(t, ts, alex, "DELETE", "/v1.0/me/events/"+sv(alexCopy["id"]), "").wantStatus(t, 204)
	if n := len(inCalendar(t, ts, alex, uid)); n != 0 {
		t.Errorf("Alex's deleted copy is still there (%d)", n)
	}
	if got := eventByID(t, s, demoUser.ID, sv(org["id"])); got == nil || got["isCancelled"] != false || theCopy(t, ts, meg, uid)["isCancelled"] != false {
		t.Errorf("an attendee's delete touched the meeting: organizer's %v", got)
	}

	do(t, ts, adele, "DELETE", "/v1.0/me/events/"+sv(org["id"]), "").wantStatus(t, 204)
	mc := theCopy(t, ts, meg, uid)
	if mc["isCancelled"] != true || mc["subject"] != "Canceled: Launch review" {
		t.Errorf("Megan's copy after the organizer's delete: isCancelled %v subject %v", mc["isCancelled"], mc["subject"])
	}
	if n := len(inCalendar(t, ts, alex, uid)); n != 0 {
		t.Errorf("the cancellation brought back Alex's deleted copy")
	}

	// cancel on a created meeting works the same way.
	org = do(t, ts, adele, "POST", "/v1.0/me/events", meetingBody("")).wantStatus(t, 201).json
	do(t, ts, adele, "POST", "/v1.0/me/events/"+sv(org["id"])+"/cancel", `{"comment":"Postponed"}`).wantStatus(t, 202)
	if cp := theCopy(t, ts, alex, sv(org["iCalUId"])); cp["isCancelled"] != true || cp["subject"] != "Canceled: Launch review" {
		t.Errorf("Alex's copy after cancel: isCancelled %v subject %v", cp["isCancelled"], cp["subject"])
	}
}

// A series master is delivered as the attendee's own series; cancelling
// or deleting one occurrence on the organizer's side removes it from the
// attendees' series.
func TestInvitationSeries(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex := s.Token(allScopes...), userToken(s, colleague)
	body := `{"subject":"Weekly sync","start":{"dateTime":"2026-11-30T11:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-11-30T11:30:00","timeZone":"Pacific Standard Time"},
		"recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday","thursday"]},"range":{"type":"numbered","startDate":"2026-11-30","numberOfOccurrences":6}},
		"attendees":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}}]}`
	org := do(t, ts, adele, "POST", "/v1.0/me/events", body).wantStatus(t, 201).json
	cp := theCopy(t, ts, alex, sv(org["iCalUId"]))
	if cp["type"] != "seriesMaster" || !equalJSON(cp["recurrence"], org["recurrence"]) {
		t.Errorf("Alex's copy: type %v recurrence %v", cp["type"], cp["recurrence"])
	}
	view := func(tok string) []string {
		var days []string
		for _, o := range do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime=2026-11-30T00:00:00-08:00&endDateTime=2026-12-14T00:00:00-08:00&$top=100&$filter=subject%20eq%20%27Weekly%20sync%27", "",
			"Prefer", `outlook.timezone="Pacific Standard Time"`).wantStatus(t, 200).values(t) {
			days = append(days, startOf(o)[:10])
			if tok == alex && o["seriesMasterId"] != cp["id"] {
				t.Errorf("Alex's occurrence names master %v, want his copy %v", o["seriesMasterId"], cp["id"])
			}
		}
		return days
	}
	if got := strings.Join(view(alex), " "); got != "2026-11-30 2026-12-03 2026-12-07 2026-12-10" {
		t.Fatalf("Alex's occurrences %s", got)
	}
	occ := func(day string) string {
		for _, o := range do(t, ts, adele, "GET", "/v1.0/me/calendarView?startDateTime="+day+"T00:00:00-08:00&endDateTime="+day+"T23:59:00-08:00&$filter=subject%20eq%20%27Weekly%20sync%27", "").wantStatus(t, 200).values(t) {
			return sv(o["id"])
		}
		t.Fatalf("no occurrence on %s", day)
		return ""
	}
	do(t, ts, adele, "POST", "/v1.0/me/events/"+url.PathEscape(occ("2026-12-03"))+"/cancel", `{}`).wantStatus(t, 202)
	do(t, ts, adele, "DELETE", "/v1.0/me/events/"+url.PathEscape(occ("2026-12-07")), "").wantStatus(t, 204)
	if got := strings.Join(view(alex), " "); got != "2026-11-30 2026-12-10" {
		t.Errorf("Alex's occurrences after two were cancelled: %s", got)
	}
	if got := strings.Join(view(adele), " "); got != "2026-11-30 2026-12-10" {
		t.Errorf("Adele's occurrences: %s", got)
	}
	// Lee, invited later, gets the series without the cancelled days.
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+sv(org["id"]), `{"attendees":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}},{"emailAddress":{"address":"LeeG@contoso.onmicrosoft.com"}}]}`).wantStatus(t, 200)
	if got := strings.Join(view(userToken(s, leeGu)), " "); got != "2026-11-30 2026-12-10" {
		t.Errorf("Lee's occurrences: %s", got)
	}
}

// Copies are ordinary events of the attendee's mailbox: saved and loaded
// with the data, and the meeting keeps working across a restart.
func TestInvitationPersisted(t *testing.T) {
	s, ts := newSandbox(t)
	org := do(t, ts, s.Token(allScopes...), "POST", "/v1.0/me/events", meetingBody("")).wantStatus(t, 201).json
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		t.Fatal(err)
	}
	s2, ts2 := newSandbox(t)
	if err := s2.Load(&buf); err != nil {
		t.Fatal(err)
	}
	alex := userToken(s2, colleague)
	cp := theCopy(t, ts2, alex, sv(org["iCalUId"]))
	do(t, ts2, alex, "POST", "/v1.0/me/events/"+sv(cp["id"])+"/accept", `{}`).wantStatus(t, 202)
	if got := attendeeStatus(eventByID(t, s2, demoUser.ID, sv(org["id"])), colleague.Mail); got != "accepted" {
		t.Errorf("after a reload, the organizer sees Alex as %q", got)
	}
	do(t, ts2, s2.Token(allScopes...), "PATCH", "/v1.0/me/events/"+sv(org["id"]), `{"subject":"Renamed"}`).wantStatus(t, 200)
	if got := theCopy(t, ts2, alex, sv(org["iCalUId"])); got["subject"] != "Renamed" || responseOf(got) != "accepted" {
		t.Errorf("after a reload, Alex's copy: subject %v response %q", got["subject"], responseOf(got))
	}
}

func eventsOf(t *testing.T, s *Server, user User) []Object {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Object
	for _, e := range s.data.mailbox(user.ID).Events {
		out = append(out, cloneObject(e))
	}
	return out
}
