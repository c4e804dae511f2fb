package sandbox

import (
	"net/url"
	"strings"
	"testing"
)

func eventByID(t *testing.T, s *Server, user, id string) Object {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.data.mailbox(user).Events {
		if getString(e, "id") == id {
			return cloneObject(e)
		}
	}
	return nil
}

func attendeeStatus(e Object, addr string) string {
	for _, a := range getArray(e, "attendees") {
		am := asObject(a)
		if strings.EqualFold(getString(getObject(am, "emailAddress"), "address"), addr) {
			return getString(getObject(am, "status"), "response")
		}
	}
	return ""
}

// Responding to an invitation: accept, tentativelyAccept and decline
// answer 202 without a body, change the attendee's copy and, with
// sendResponse, the organizer's; the organizer cannot respond, an attendee
// cannot cancel, the organizer can.
func TestRespondAndCancel(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	invite := seededID("event:layout") // organised by Megan, Adele invited
	megansCopy := seededID("event:megan:layout")
	own := seededID("event:lunch") // organised by Adele

	a := do(t, ts, tok, "POST", "/v1.0/me/events/"+invite+"/tentativelyAccept", `{"comment":"Maybe","sendResponse":true}`).wantStatus(t, 202)
	if len(a.raw) != 0 {
		t.Errorf("202 with a body: %s", a.raw)
	}
	ev := do(t, ts, tok, "GET", "/v1.0/me/events/"+invite, "").wantStatus(t, 200).json
	if got := sv(ev["responseStatus"].(map[string]any)["response"]); got != "tentativelyAccepted" || ev["showAs"] != "tentative" {
		t.Errorf("after tentativelyAccept: response %q showAs %v", got, ev["showAs"])
	}
	if got := attendeeStatus(eventByID(t, s, megan.ID, megansCopy), demoUser.Mail); got != "tentativelyAccepted" {
		t.Errorf("organizer's copy shows Adele as %q", got)
	}
	do(t, ts, tok, "POST", "/v1.0/me/calendar/events/"+invite+"/accept", `{"sendResponse":false}`).wantStatus(t, 202)
	if got := attendeeStatus(eventByID(t, s, megan.ID, megansCopy), demoUser.Mail); got != "tentativelyAccepted" {
		t.Errorf("sendResponse false still told the organizer: %q", got)
	}
	ev = do(t, ts, tok, "GET", "/v1.0/me/events/"+invite, "").wantStatus(t, 200).json
	if got := sv(ev["responseStatus"].(map[string]any)["response"]); got != "accepted" || ev["showAs"] != "busy" {
		t.Errorf("after accept: response %q showAs %v", got, ev["showAs"])
	}

	// Errors, in Graph's shape.
	do(t, ts, tok, "POST", "/v1.0/me/events/"+own+"/accept", `{}`).wantError(t, 400, "ErrorCalendarIsOrganizerForAccept", msgOrganizerResponds)
	do(t, ts, tok, "POST", "/v1.0/me/events/"+invite+"/cancel", `{"comment":"no"}`).wantError(t, 400, "ErrorCalendarIsNotOrganizer", msgNotOrganizerCancel)
	do(t, ts, tok, "POST", "/v1.0/me/events/"+invite+"/decline", `{"sendResponse":"yes"}`).wantError(t, 400, "RequestBodyRead", "")
	do(t, ts, tok, "POST", "/v1.0/me/events/"+invite+"/accept", `{"proposedNewTime":{}}`).wantError(t, 400, "RequestBodyRead", "")
	do(t, ts, tok, "POST", "/v1.0/me/events/"+newItemID()+"/decline", `{}`).wantError(t, 404, "ErrorItemNotFound", msgNotFound)
	do(t, ts, s.Token("Calendars.Read"), "POST", "/v1.0/me/events/"+invite+"/decline", `{}`).wantError(t, 403, "ErrorAccessDenied", msgAccessDenied)

	// Decline: the meeting leaves the calendar; the organizer is told.
	do(t, ts, tok, "POST", "/v1.0/me/events/"+invite+"/decline", `{"comment":"Sorry","proposedNewTime":{"start":{"dateTime":"2026-11-26T10:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-11-26T10:30:00","timeZone":"Pacific Standard Time"}}}`).wantStatus(t, 202)
	do(t, ts, tok, "GET", "/v1.0/me/events/"+invite, "").wantError(t, 404, "ErrorItemNotFound", "")
	if got := attendeeStatus(eventByID(t, s, megan.ID, megansCopy), demoUser.Mail); got != "declined" {
		t.Errorf("organizer's copy shows Adele as %q after decline", got)
	}

	// Cancel by the organizer (Megan): gone from her calendar, cancelled in
	// Alex's.
	megTok := s.IssueToken(Grant{UserID: megan.ID, Scopes: allScopes})
	do(t, ts, megTok, "POST", "/v1.0/me/events/"+megansCopy+"/cancel", `{"Comment":"Cancelling for this week due to all hands"}`).wantStatus(t, 202)
	do(t, ts, megTok, "GET", "/v1.0/me/events/"+megansCopy, "").wantError(t, 404, "ErrorItemNotFound", "")
	alexCopy := eventByID(t, s, colleague.ID, seededID("event:alex:layout"))
	if !getBool(alexCopy, "isCancelled") || !strings.HasPrefix(getString(alexCopy, "subject"), "Canceled: ") {
		t.Errorf("Alex's copy after cancel: isCancelled %v subject %q", alexCopy["isCancelled"], alexCopy["subject"])
	}

	// Cancelling one occurrence of Adele's stand-up series.
	standup := seededID("event:standup")
	occ := do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime=2026-11-24T00:00:00-08:00&endDateTime=2026-11-25T00:00:00-08:00&$filter=subject%20eq%20%27Team%20stand-up%27", "").wantStatus(t, 200).values(t)
	if len(occ) != 1 {
		t.Fatalf("%d stand-ups on Tuesday", len(occ))
	}
	do(t, ts, tok, "POST", "/v1.0/me/events/"+url.PathEscape(sv(occ[0]["id"]))+"/cancel", `{"comment":"Skipping Tuesday"}`).wantStatus(t, 202)
	occ = do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime=2026-11-24T00:00:00-08:00&endDateTime=2026-11-25T00:00:00-08:00&$filter=subject%20eq%20%27Team%20stand-up%27", "").wantStatus(t, 200).values(t)
	if len(occ) != 0 || eventByID(t, s, demoUser.ID, standup) == nil {
		t.Errorf("after cancelling one occurrence: %d left that day; series kept: %v", len(occ), eventByID(t, s, demoUser.ID, standup) != nil)
	}
	// DELETE removes an event outright.
	do(t, ts, tok, "DELETE", "/v1.0/me/events/"+own, "").wantStatus(t, 204)
	do(t, ts, tok, "GET", "/v1.0/me/events/"+own, "").wantError(t, 404, "ErrorItemNotFound", "")
}

// getSchedule: one availabilityView digit per interval, the caller's own
// items with subject and location, others' with status and times only,
// unknown addresses as error entries, items in the Prefer time zone.
func TestGetSchedule(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token("Calendars.ReadBasic")
	// Tuesday 24 Nov 2026, 08:00-12:00 Pacific, hourly.
	body := `{"schedules":["AdeleV@contoso.onmicrosoft.com","alexw@contoso.onmicrosoft.com","LeeG@contoso.onmicrosoft.com","nobody@fabrikam.com"],
		"startTime":{"dateTime":"2026-11-24T08:00:00","timeZone":"Pacific Standard Time"},
		"endTime":{"dateTime":"2026-11-24T12:00:00","timeZone":"Pacific Standard Time"},"availabilityViewInterval":60}`
	a := do(t, ts, tok, "POST", "/v1.0/me/calendar/getSchedule", body, "Prefer", `outlook.timezone="Pacific Standard Time"`).wantStatus(t, 200)
	if !strings.HasSuffix(sv(a.json["@odata.context"]), "$metadata#Collection(microsoft.graph.scheduleInformation)") {
		t.Errorf("@odata.context %v", a.json["@odata.context"])
	}
	vs := a.values(t)
	if len(vs) != 4 {
		t.Fatalf("%d schedules", len(vs))
	}
	// Adele: dentist 08:00-08:45, stand-up 09:30-09:45; Alex: stand-up,
	// marketing sync 10:00-11:00; Lee: board prep 09:00-12:00.
	for i, want := range []string{"2200", "0220", "0222"} {
		if got := vs[i]["availabilityView"]; got != want {
			t.Errorf("%s availabilityView %v, want %s", vs[i]["scheduleId"], got, want)
		}
	}
	adele := vs[0]["scheduleItems"].([]any)
	first := adele[0].(map[string]any)
	if first["subject"] != "Dentist" || first["location"] != "Main St Dental" || first["isPrivate"] != false ||
		sv(first["start"].(map[string]any)["dateTime"]) != "2026-11-24T08:00:00.0000000" {
		t.Errorf("Adele's first item %v", first)
	}
	lee := vs[2]["scheduleItems"].([]any)[0].(map[string]any)
	if _, ok := lee["subject"]; ok || lee["status"] != "busy" {
		t.Errorf("another user's item shows details: %v", lee)
	}
	if e, _ := vs[3]["error"].(map[string]any); e == nil || e["responseCode"] == nil {
		t.Errorf("unknown address: %v", vs[3])
	}
	if vs[0]["workingHours"].(map[string]any)["startTime"] != "08:00:00.0000000" {
		t.Errorf("workingHours %v", vs[0]["workingHours"])
	}

	for _, tc := range []struct{ name, body, code string }{
		{"no schedules", `{"schedules":[],"startTime":{"dateTime":"2026-11-24T08:00:00","timeZone":"UTC"},"endTime":{"dateTime":"2026-11-24T09:00:00","timeZone":"UTC"}}`, "ErrorPropertyValidationFailure"},
		{"end before start", `{"schedules":["a@b.com"],"startTime":{"dateTime":"2026-11-24T08:00:00","timeZone":"UTC"},"endTime":{"dateTime":"2026-11-24T07:00:00","timeZone":"UTC"}}`, "ErrorPropertyValidationFailure"},
		{"interval too small", `{"schedules":["a@b.com"],"startTime":{"dateTime":"2026-11-24T08:00:00","timeZone":"UTC"},"endTime":{"dateTime":"2026-11-24T09:00:00","timeZone":"UTC"},"availabilityViewInterval":4}`, "ErrorPropertyValidationFailure"},
		{"window over 62 days", `{"schedules":["a@b.com"],"startTime":{"dateTime":"2026-01-01T00:00:00","timeZone":"UTC"},"endTime":{"dateTime":"2026-04-01T00:00:00","timeZone":"UTC"}}`, "ErrorPropertyValidationFailure"},
		{"schedules not strings", `{"schedules":[1]}`, "RequestBodyRead"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(t, ts, tok, "POST", "/v1.0/me/calendar/getSchedule", tc.body).wantError(t, 400, tc.code, "")
		})
	}
	do(t, ts, s.Token("User.Read"), "POST", "/v1.0/me/calendar/getSchedule", body).wantError(t, 403, "ErrorAccessDenied", "")
}

// findMeetingTimes: suggestions inside working hours where everyone is
// free, ordered by confidence then time; the documented reasons when there
// are none.
func TestFindMeetingTimes(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token("Calendars.Read.Shared")
	req := func(attendees, slotStart, slotEnd, extra string) string {
		return `{"attendees":[` + attendees + `],"timeConstraint":{"activityDomain":"work","timeSlots":[{"start":{"dateTime":"` + slotStart +
			`","timeZone":"Pacific Standard Time"},"end":{"dateTime":"` + slotEnd + `","timeZone":"Pacific Standard Time"}}]},"meetingDuration":"PT1H"` + extra + `}`
	}
	lee := `{"type":"required","emailAddress":{"address":"LeeG@contoso.onmicrosoft.com"}}`
	// Friday 27 Nov, 08:00-12:00: Adele has the interview 09:00-10:00; Lee is free.
	a := do(t, ts, tok, "POST", "/v1.0/me/findMeetingTimes", req(lee, "2026-11-27T08:00:00", "2026-11-27T12:00:00", `,"returnSuggestionReasons":"true","maxCandidates":10`),
		"Prefer", `outlook.timezone="Pacific Standard Time"`).wantStatus(t, 200).json
	sugg := a["meetingTimeSuggestions"].([]any)
	var starts []string
	for _, x := range sugg {
		m := x.(map[string]any)
		starts = append(starts, sv(m["meetingTimeSlot"].(map[string]any)["start"].(map[string]any)["dateTime"])[11:16])
		if m["confidence"] != float64(100) || m["suggestionReason"] == nil {
			t.Errorf("suggestion %v", m)
		}
	}
	if strings.Join(starts, " ") != "08:00 10:00 10:30 11:00" || a["emptySuggestionsReason"] != "" {
		t.Errorf("suggestions at %v (reason %q), want 08:00 10:00 10:30 11:00", starts, a["emptySuggestionsReason"])
	}
	for _, tc := range []struct{ name, body, reason string }{
		{"attendee busy", req(lee, "2026-11-27T13:00:00", "2026-11-27T15:00:00", ""), "attendeesUnavailable"},
		{"in the past", req(lee, "2026-11-24T10:00:00", "2026-11-24T12:00:00", ""), "unknown"},
		{"unknown attendee, busy organizer", req(`{"emailAddress":{"address":"x@fabrikam.com"}}`, "2026-11-27T09:00:00", "2026-11-27T10:00:00", `,"minimumAttendeePercentage":100`), "organizerUnavailable"},
		{"unknown attendee", req(`{"emailAddress":{"address":"x@fabrikam.com"}}`, "2026-11-27T10:00:00", "2026-11-27T11:00:00", `,"minimumAttendeePercentage":"100"`), "attendeesUnavailableOrUnknown"},
		{"outside working hours", req(lee, "2026-11-28T09:00:00", "2026-11-28T12:00:00", ""), "unknown"},
		{"location required, none given", req(lee, "2026-11-27T08:00:00", "2026-11-27T12:00:00", `,"locationConstraint":{"isRequired":true,"suggestLocation":false}`), "locationsUnavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := do(t, ts, tok, "POST", "/v1.0/me/findMeetingTimes", tc.body).wantStatus(t, 200).json
			if got["emptySuggestionsReason"] != tc.reason || len(got["meetingTimeSuggestions"].([]any)) != 0 {
				t.Errorf("reason %v, %d suggestions; want %s and none", got["emptySuggestionsReason"], len(got["meetingTimeSuggestions"].([]any)), tc.reason)
			}
		})
	}
	do(t, ts, tok, "POST", "/v1.0/me/findMeetingTimes", `{"meetingDuration":"an hour"}`).wantError(t, 400, "RequestBodyRead", "")
	many := strings.Repeat(lee+",", maxMeetingAttendees) + lee
	do(t, ts, tok, "POST", "/v1.0/me/findMeetingTimes", `{"attendees":[`+many+`]}`).wantError(t, 400, "ErrorPropertyValidationFailure", "")
	do(t, ts, s.Token("Calendars.ReadWrite"), "POST", "/v1.0/me/findMeetingTimes", `{}`).wantError(t, 403, "ErrorAccessDenied", "")
}
