package sandbox

import (
	"bytes"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// seriesBody is a weekly series Adele organises (Mondays and Thursdays
// 11:00 Pacific, six occurrences: 30 Nov, 3, 7, 10, 14 and 17 Dec 2026)
// inviting Alex and Megan, with extra JSON members appended.
func seriesBody(extra string) string {
	return `{"subject":"Weekly sync","start":{"dateTime":"2026-11-30T11:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-11-30T11:30:00","timeZone":"Pacific Standard Time"},
		"recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday","thursday"]},"range":{"type":"numbered","startDate":"2026-11-30","numberOfOccurrences":6}},
		"attendees":[{"emailAddress":{"name":"Alex Wilber","address":"AlexW@contoso.onmicrosoft.com"}},{"emailAddress":{"name":"Megan Bowen","address":"MeganB@contoso.onmicrosoft.com"}}]` + extra + `}`
}

// occurrencesOf lists the token's user's occurrences of the series with
// subject in the series' two weeks and a half, by day (yyyy-mm-dd,
// Pacific).
func occurrencesOf(t *testing.T, ts *httptest.Server, tok, subject string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	q := "/v1.0/me/calendarView?startDateTime=2026-11-30T00:00:00-08:00&endDateTime=2026-12-22T00:00:00-08:00&$top=100&$filter=" +
		url.QueryEscape("subject eq '"+subject+"'")
	for _, o := range do(t, ts, tok, "GET", q, "", "Prefer", `outlook.timezone="Pacific Standard Time"`).wantStatus(t, 200).values(t) {
		out[startOf(o)[:10]] = o
	}
	return out
}

// occurrenceOn is the token's user's occurrence of the series on day.
func occurrenceOn(t *testing.T, ts *httptest.Server, tok, subject, day string) map[string]any {
	t.Helper()
	o := occurrencesOf(t, ts, tok, subject)[day]
	if o == nil {
		t.Fatalf("no occurrence of %q on %s", subject, day)
	}
	return o
}

// getOccurrence reads one occurrence by its id.
func getOccurrence(t *testing.T, ts *httptest.Server, tok string, o map[string]any) map[string]any {
	t.Helper()
	return do(t, ts, tok, "GET", "/v1.0/me/events/"+url.PathEscape(sv(o["id"])), "", "Prefer", `outlook.timezone="Pacific Standard Time"`).wantStatus(t, 200).json
}

func respond(t *testing.T, ts *httptest.Server, tok, action string, o map[string]any, body string) answer {
	t.Helper()
	return do(t, ts, tok, "POST", "/v1.0/me/events/"+url.PathEscape(sv(o["id"]))+"/"+action, body)
}

// answers summarises a user's occurrences: day → type/response/showAs.
func answers(occ map[string]map[string]any) map[string]string {
	out := map[string]string{}
	for day, o := range occ {
		out[day] = sv(o["type"]) + "/" + responseOf(o) + "/" + sv(o["showAs"])
	}
	return out
}

// An attendee answers single occurrences of a series: each answered one
// becomes an exception with its own response and showAs (in calendarView
// and GET by its unchanged id), the others keep the series' status; a
// declined one leaves the attendee's calendar; the organizer sees each
// answer on that occurrence's attendee list and the series' list stays
// as it was; sendResponse false keeps it from the organizer; free/busy
// follows the occurrence's own answer.
func TestRespondToOccurrence(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex, meg := s.Token(allScopes...), userToken(s, colleague), userToken(s, megan)
	org := do(t, ts, adele, "POST", "/v1.0/me/events", seriesBody("")).wantStatus(t, 201).json
	cp := theCopy(t, ts, alex, sv(org["iCalUId"]))

	dec3 := occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-03")
	a := respond(t, ts, alex, "tentativelyAccept", dec3, `{"comment":"Maybe this week","sendResponse":true}`).wantStatus(t, 202)
	if len(a.raw) != 0 {
		t.Errorf("202 with a body: %s", a.raw)
	}
	got := getOccurrence(t, ts, alex, dec3)
	checks := []struct {
		what      string
		got, want any
	}{
		{"id", got["id"], dec3["id"]},
		{"type", got["type"], "exception"},
		{"seriesMasterId", got["seriesMasterId"], cp["id"]},
		{"response", responseOf(got), "tentativelyAccepted"},
		{"showAs", got["showAs"], "tentative"},
		{"subject", got["subject"], "Weekly sync"},
		{"start", startOf(got), "2026-12-03T11:00:00.0000000"},
		{"originalStart", got["originalStart"], "2026-12-03T19:00:00Z"},
		{"isOrganizer", got["isOrganizer"], false},
	}
	for _, c := range checks {
		if !equalJSON(c.got, c.want) {
			t.Errorf("Alex's answered occurrence: %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if tm := sv(got["responseStatus"].(map[string]any)["time"]); !strings.HasPrefix(tm, "2026-11-25T18:00:00") {
		t.Errorf("response time %q, want the clock's", tm)
	}
	if got["changeKey"] == dec3["changeKey"] || got["@odata.etag"] != etagOf(sv(got["changeKey"])) {
		t.Errorf("the exception's changeKey %v (was %v), etag %v", got["changeKey"], dec3["changeKey"], got["@odata.etag"])
	}
	want := map[string]string{
		"2026-11-30": "occurrence/notResponded/tentative", "2026-12-03": "exception/tentativelyAccepted/tentative",
		"2026-12-07": "occurrence/notResponded/tentative", "2026-12-10": "occurrence/notResponded/tentative",
		"2026-12-14": "occurrence/notResponded/tentative", "2026-12-17": "occurrence/notResponded/tentative",
	}
	if got := answers(occurrencesOf(t, ts, alex, "Weekly sync")); !equalJSON(toAny(got), toAny(want)) {
		t.Errorf("Alex's occurrences %v, want %v", got, want)
	}
	master := do(t, ts, alex, "GET", "/v1.0/me/events/"+sv(cp["id"]), "").wantStatus(t, 200).json
	if responseOf(master) != "notResponded" || master["showAs"] != "tentative" || master["type"] != "seriesMaster" {
		t.Errorf("Alex's series after answering one occurrence: %v %v %v", responseOf(master), master["showAs"], master["type"])
	}
	if _, ok := master[exceptionsKey]; ok {
		t.Errorf("the series shows %s without $expand", exceptionsKey)
	}
	if got := theCopy(t, ts, meg, sv(org["iCalUId"])); responseOf(got) != "notResponded" || answers(occurrencesOf(t, ts, meg, "Weekly sync"))["2026-12-03"] != "occurrence/notResponded/tentative" {
		t.Errorf("Alex's answer reached Megan's calendar")
	}

	// The organizer: that occurrence lists Alex as tentative, the series
	// and the other occurrences do not.
	orgOcc := getOccurrence(t, ts, adele, occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-03"))
	if orgOcc["type"] != "exception" || attendeeStatus(orgOcc, colleague.Mail) != "tentativelyAccepted" || attendeeStatus(orgOcc, megan.Mail) != "none" {
		t.Errorf("organizer's 3 Dec: type %v, Alex %q, Megan %q", orgOcc["type"], attendeeStatus(orgOcc, colleague.Mail), attendeeStatus(orgOcc, megan.Mail))
	}
	if orgOcc["seriesMasterId"] != org["id"] || responseOf(orgOcc) != "organizer" || orgOcc["showAs"] != "busy" {
		t.Errorf("organizer's 3 Dec: seriesMasterId %v response %q showAs %v", orgOcc["seriesMasterId"], responseOf(orgOcc), orgOcc["showAs"])
	}
	orgMaster := do(t, ts, adele, "GET", "/v1.0/me/events/"+sv(org["id"]), "").wantStatus(t, 200).json
	if attendeeStatus(orgMaster, colleague.Mail) != "none" || orgMaster["changeKey"] == org["changeKey"] {
		t.Errorf("organizer's series: Alex %q, changeKey changed %v", attendeeStatus(orgMaster, colleague.Mail), orgMaster["changeKey"] != org["changeKey"])
	}
	if o := occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-07"); o["type"] != "occurrence" || attendeeStatus(o, colleague.Mail) != "none" {
		t.Errorf("organizer's 7 Dec: type %v, Alex %q", o["type"], attendeeStatus(o, colleague.Mail))
	}

	// Accepting another occurrence, then the tentative one: busy each.
	respond(t, ts, alex, "accept", occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-07"), `{}`).wantStatus(t, 202)
	respond(t, ts, alex, "accept", dec3, `{"sendResponse":true}`).wantStatus(t, 202)
	occ := answers(occurrencesOf(t, ts, alex, "Weekly sync"))
	if occ["2026-12-03"] != "exception/accepted/busy" || occ["2026-12-07"] != "exception/accepted/busy" || occ["2026-12-10"] != "occurrence/notResponded/tentative" {
		t.Errorf("Alex's occurrences after two accepts: %v", occ)
	}
	for _, day := range []string{"2026-12-03", "2026-12-07"} {
		if got := attendeeStatus(occurrenceOn(t, ts, adele, "Weekly sync", day), colleague.Mail); got != "accepted" {
			t.Errorf("organizer's %s shows Alex %q", day, got)
		}
	}

	// Megan declines 7 Dec: gone from her calendar (GET says not found),
	// the organizer sees both answers on that day.
	megDec7 := occurrenceOn(t, ts, meg, "Weekly sync", "2026-12-07")
	respond(t, ts, meg, "decline", megDec7, `{"comment":"Off that day"}`).wantStatus(t, 202)
	if _, ok := occurrencesOf(t, ts, meg, "Weekly sync")["2026-12-07"]; ok {
		t.Errorf("Megan's declined occurrence is still in her calendar view")
	}
	if n := len(occurrencesOf(t, ts, meg, "Weekly sync")); n != 5 {
		t.Errorf("Megan has %d occurrences after declining one, want 5", n)
	}
	do(t, ts, meg, "GET", "/v1.0/me/events/"+url.PathEscape(sv(megDec7["id"])), "").wantError(t, 404, "ErrorItemNotFound", msgNotFound)
	respond(t, ts, meg, "accept", megDec7, `{}`).wantError(t, 404, "ErrorItemNotFound", msgNotFound)
	o := occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-07")
	if attendeeStatus(o, megan.Mail) != "declined" || attendeeStatus(o, colleague.Mail) != "accepted" {
		t.Errorf("organizer's 7 Dec: Megan %q, Alex %q", attendeeStatus(o, megan.Mail), attendeeStatus(o, colleague.Mail))
	}
	if got := attendeeStatus(eventByID(t, s, demoUser.ID, sv(org["id"])), megan.Mail); got != "none" {
		t.Errorf("organizer's series shows Megan %q after she declined one occurrence", got)
	}

	// sendResponse false: Megan's calendar changes, the organizer's not.
	respond(t, ts, meg, "accept", occurrenceOn(t, ts, meg, "Weekly sync", "2026-12-10"), `{"sendResponse":false}`).wantStatus(t, 202)
	if got := answers(occurrencesOf(t, ts, meg, "Weekly sync"))["2026-12-10"]; got != "exception/accepted/busy" {
		t.Errorf("Megan's 10 Dec %s", got)
	}
	if o := occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-10"); o["type"] != "occurrence" || attendeeStatus(o, megan.Mail) != "none" {
		t.Errorf("sendResponse false reached the organizer: type %v, Megan %q", o["type"], attendeeStatus(o, megan.Mail))
	}

	// Answering the series afterwards: the answered occurrences keep their
	// own answer, the rest take the series'.
	respond(t, ts, alex, "tentativelyAccept", occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-10"), `{}`).wantStatus(t, 202)
	do(t, ts, alex, "POST", "/v1.0/me/events/"+sv(cp["id"])+"/accept", `{}`).wantStatus(t, 202)
	occ = answers(occurrencesOf(t, ts, alex, "Weekly sync"))
	if occ["2026-11-30"] != "occurrence/accepted/busy" || occ["2026-12-10"] != "exception/tentativelyAccepted/tentative" || occ["2026-12-03"] != "exception/accepted/busy" {
		t.Errorf("Alex's occurrences after accepting the series: %v", occ)
	}
	if o := occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-10"); attendeeStatus(o, colleague.Mail) != "tentativelyAccepted" ||
		attendeeStatus(eventByID(t, s, demoUser.ID, sv(org["id"])), colleague.Mail) != "accepted" {
		t.Errorf("organizer: 10 Dec Alex %q, series Alex %q", attendeeStatus(o, colleague.Mail), attendeeStatus(eventByID(t, s, demoUser.ID, sv(org["id"])), colleague.Mail))
	}

	// Free/busy reads each occurrence's own answer: on 10 Dec Alex is
	// tentative, on 14 Dec (the series' answer) busy.
	for day, want := range map[string]string{"2026-12-10": "1", "2026-12-14": "2"} {
		body := `{"schedules":["AlexW@contoso.onmicrosoft.com"],"startTime":{"dateTime":"` + day + `T11:00:00","timeZone":"Pacific Standard Time"},
			"endTime":{"dateTime":"` + day + `T11:30:00","timeZone":"Pacific Standard Time"},"availabilityViewInterval":30}`
		v := do(t, ts, adele, "POST", "/v1.0/me/calendar/getSchedule", body).wantStatus(t, 200).values(t)
		if v[0]["availabilityView"] != want {
			t.Errorf("Alex's availability on %s: %v, want %s", day, v[0]["availabilityView"], want)
		}
	}
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Occurrence ids that name nothing are not found, as Graph answers a bad
// id; the organizer cannot answer an occurrence of their own meeting;
// proposedNewTime follows the series' rules; a refused answer changes
// nothing.
func TestRespondToOccurrenceErrors(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex := s.Token(allScopes...), userToken(s, colleague)
	org := do(t, ts, adele, "POST", "/v1.0/me/events", seriesBody("")).wantStatus(t, 201).json
	cp := theCopy(t, ts, alex, sv(org["iCalUId"]))
	day := func(d string) string {
		t.Helper()
		tm, err := time.Parse("2006-01-02", d)
		if err != nil {
			t.Fatal(err)
		}
		return occurrenceID(sv(cp["id"]), tm)
	}
	do(t, ts, adele, "POST", "/v1.0/me/events/"+url.PathEscape(sv(occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-14")["id"]))+"/cancel", `{}`).wantStatus(t, 202)
	single := theCopy(t, ts, alex, sv(do(t, ts, adele, "POST", "/v1.0/me/events", meetingBody("")).wantStatus(t, 201).json["iCalUId"]))
	notFound := map[string]string{
		"not a day of the series (a Tuesday)":   day("2026-12-01"),
		"after the last occurrence":             day("2026-12-21"),
		"before the series":                     day("2026-11-26"),
		"cancelled by the organizer":            day("2026-12-14"),
		"of an unknown series":                  occurrenceID(newItemID(), time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)),
		"of a single event":                     occurrenceID(sv(single["id"]), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)),
		"of the organizer's series, not Alex's": sv(occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-03")["id"]),
	}
	for what, id := range notFound {
		for _, action := range []string{"accept", "tentativelyAccept", "decline"} {
			a := do(t, ts, alex, "POST", "/v1.0/me/events/"+url.PathEscape(id)+"/"+action, `{}`)
			if a.status != 404 || a.json["error"].(map[string]any)["code"] != "ErrorItemNotFound" {
				t.Errorf("%s on an occurrence %s: %d %s", action, what, a.status, a.raw)
			}
		}
	}

	// The organizer answering an occurrence of their own series.
	own := occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-03")
	respond(t, ts, adele, "accept", own, `{}`).wantError(t, 400, "ErrorCalendarIsOrganizerForAccept", msgOrganizerResponds)
	respond(t, ts, adele, "tentativelyAccept", own, `{}`).wantError(t, 400, "ErrorCalendarIsOrganizerForTentative", msgOrganizerResponds)
	respond(t, ts, adele, "decline", own, `{}`).wantError(t, 400, "ErrorCalendarIsOrganizerForDecline", msgOrganizerResponds)

	// proposedNewTime: not with accept, needs sendResponse, a start and a
	// later end.
	dec3 := occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-03")
	proposal := `"proposedNewTime":{"start":{"dateTime":"2026-12-03T14:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-12-03T14:30:00","timeZone":"Pacific Standard Time"}}`
	respond(t, ts, alex, "accept", dec3, `{`+proposal+`}`).wantError(t, 400, "RequestBodyRead", "")
	respond(t, ts, alex, "tentativelyAccept", dec3, `{"sendResponse":false,`+proposal+`}`).wantError(t, 400, "ErrorInvalidRequest", "")
	respond(t, ts, alex, "tentativelyAccept", dec3, `{"proposedNewTime":{"start":{"dateTime":"2026-12-03T14:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-03T13:00:00","timeZone":"UTC"}}}`).wantError(t, 400, "ErrorPropertyValidationFailure", "")
	respond(t, ts, alex, "decline", dec3, `{"sendResponse":"no"}`).wantError(t, 400, "RequestBodyRead", "")
	if got := answers(occurrencesOf(t, ts, alex, "Weekly sync"))["2026-12-03"]; got != "occurrence/notResponded/tentative" {
		t.Errorf("refused answers changed the occurrence: %s", got)
	}
	if got := eventByID(t, s, demoUser.ID, sv(org["id"])); got[exceptionsKey] != nil {
		t.Errorf("refused answers reached the organizer: %v", got[exceptionsKey])
	}
	respond(t, ts, alex, "tentativelyAccept", dec3, `{`+proposal+`}`).wantStatus(t, 202)

	// A meeting that does not allow proposals.
	org2 := do(t, ts, adele, "POST", "/v1.0/me/events", strings.Replace(seriesBody(`,"allowNewTimeProposals":false`), "Weekly sync", "Fixed sync", 1)).wantStatus(t, 201).json
	_ = org2
	respond(t, ts, alex, "decline", occurrenceOn(t, ts, alex, "Fixed sync", "2026-12-03"), `{`+proposal+`}`).wantError(t, 400, "ErrorProposedNewTimeNotAllowed", "")
}

// What the organizer's later changes do to answers given to single
// occurrences: a change that does not move the series keeps them (and the
// exceptions show the new subject); moving a meeting that asks for
// responses asks again, as for the series' answers; a new recurrence
// removes the exceptions even when no response is requested; cancelling
// an answered occurrence removes it with its answer; an attendee removed
// from the meeting leaves the organizer's tallies.
func TestOccurrenceAnswersAfterUpdates(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex, meg := s.Token(allScopes...), userToken(s, colleague), userToken(s, megan)
	org := do(t, ts, adele, "POST", "/v1.0/me/events", seriesBody("")).wantStatus(t, 201).json
	id := sv(org["id"])
	respond(t, ts, alex, "tentativelyAccept", occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-03"), `{}`).wantStatus(t, 202)
	respond(t, ts, meg, "accept", occurrenceOn(t, ts, meg, "Weekly sync", "2026-12-03"), `{}`).wantStatus(t, 202)

	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"subject":"Weekly sync (room 7)"}`).wantStatus(t, 200)
	if got := occurrenceOn(t, ts, alex, "Weekly sync (room 7)", "2026-12-03"); got["type"] != "exception" || responseOf(got) != "tentativelyAccepted" {
		t.Errorf("Alex's 3 Dec after a new subject: %v %q", got["type"], responseOf(got))
	}
	if got := occurrenceOn(t, ts, adele, "Weekly sync (room 7)", "2026-12-03"); attendeeStatus(got, colleague.Mail) != "tentativelyAccepted" {
		t.Errorf("organizer's 3 Dec after a new subject: Alex %q", attendeeStatus(got, colleague.Mail))
	}

	// Megan removed: she leaves the organizer's occurrence too; re-added,
	// she has not answered it.
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"attendees":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}}]}`).wantStatus(t, 200)
	if got := attendeeAddresses(occurrenceOn(t, ts, adele, "Weekly sync (room 7)", "2026-12-03")); len(got) != 1 {
		t.Errorf("organizer's 3 Dec lists %v after Megan was removed", got)
	}
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"attendees":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}},{"emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}]}`).wantStatus(t, 200)
	if got := occurrenceOn(t, ts, adele, "Weekly sync (room 7)", "2026-12-03"); attendeeStatus(got, megan.Mail) != "none" || attendeeStatus(got, colleague.Mail) != "tentativelyAccepted" {
		t.Errorf("organizer's 3 Dec after Megan was re-added: Megan %q, Alex %q", attendeeStatus(got, megan.Mail), attendeeStatus(got, colleague.Mail))
	}
	if got := occurrenceOn(t, ts, meg, "Weekly sync (room 7)", "2026-12-03"); got["type"] != "occurrence" || responseOf(got) != "notResponded" {
		t.Errorf("Megan's new copy's 3 Dec: %v %q", got["type"], responseOf(got))
	}
	for _, e := range eventsOf(t, s, megan) {
		if getString(e, "iCalUId") == sv(org["iCalUId"]) && e[exceptionsKey] != nil {
			t.Errorf("Megan's new copy carries exceptions: %v", e[exceptionsKey])
		}
	}

	// The organizer cancels an answered occurrence: gone, answer and all.
	respond(t, ts, alex, "accept", occurrenceOn(t, ts, alex, "Weekly sync (room 7)", "2026-12-10"), `{}`).wantStatus(t, 202)
	do(t, ts, adele, "DELETE", "/v1.0/me/events/"+url.PathEscape(sv(occurrenceOn(t, ts, adele, "Weekly sync (room 7)", "2026-12-10")["id"])), "").wantStatus(t, 204)
	if _, ok := occurrencesOf(t, ts, alex, "Weekly sync (room 7)")["2026-12-10"]; ok {
		t.Errorf("Alex still has the cancelled 10 Dec")
	}
	for _, who := range []User{demoUser, colleague} {
		for _, e := range eventsOf(t, s, who) {
			for _, ex := range getArray(e, exceptionsKey) {
				if _, d, _ := parseOccurrenceID(getString(asObject(ex), "id")); d == "20261210" {
					t.Errorf("%s's series keeps the exception of the cancelled 10 Dec", who.DisplayName)
				}
			}
		}
	}

	// Moving the series asks again: the occurrences' answers go with the
	// series' answers, on both sides.
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+id, `{"start":{"dateTime":"2026-11-30T12:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-11-30T12:30:00","timeZone":"Pacific Standard Time"}}`).wantStatus(t, 200)
	if got := answers(occurrencesOf(t, ts, alex, "Weekly sync (room 7)"))["2026-12-03"]; got != "occurrence/notResponded/tentative" {
		t.Errorf("Alex's 3 Dec after the series moved: %s", got)
	}
	if got := occurrenceOn(t, ts, adele, "Weekly sync (room 7)", "2026-12-03"); got["type"] != "occurrence" || attendeeStatus(got, colleague.Mail) != "none" {
		t.Errorf("organizer's 3 Dec after the series moved: %v, Alex %q", got["type"], attendeeStatus(got, colleague.Mail))
	}

	// No response requested: a move keeps the answers (as the series'),
	// a new recurrence does not.
	org2 := do(t, ts, adele, "POST", "/v1.0/me/events", strings.Replace(seriesBody(`,"responseRequested":false`), "Weekly sync", "Open sync", 1)).wantStatus(t, 201).json
	respond(t, ts, alex, "tentativelyAccept", occurrenceOn(t, ts, alex, "Open sync", "2026-12-03"), `{}`).wantStatus(t, 202)
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+sv(org2["id"]), `{"start":{"dateTime":"2026-11-30T13:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-11-30T13:30:00","timeZone":"Pacific Standard Time"}}`).wantStatus(t, 200)
	if got := answers(occurrencesOf(t, ts, alex, "Open sync"))["2026-12-03"]; got != "exception/tentativelyAccepted/tentative" {
		t.Errorf("Alex's 3 Dec after a move without responseRequested: %s", got)
	}
	if got := occurrenceOn(t, ts, adele, "Open sync", "2026-12-03"); attendeeStatus(got, colleague.Mail) != "tentativelyAccepted" || startOf(got) != "2026-12-03T13:00:00.0000000" {
		t.Errorf("organizer's 3 Dec after a move without responseRequested: Alex %q, start %s", attendeeStatus(got, colleague.Mail), startOf(got))
	}
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+sv(org2["id"]), `{"recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday","thursday"]},"range":{"type":"numbered","startDate":"2026-11-30","numberOfOccurrences":8}}}`).wantStatus(t, 200)
	if got := answers(occurrencesOf(t, ts, alex, "Open sync"))["2026-12-03"]; got != "occurrence/notResponded/tentative" {
		t.Errorf("Alex's 3 Dec after a new recurrence: %s", got)
	}
	if got := occurrenceOn(t, ts, adele, "Open sync", "2026-12-03"); got["type"] != "occurrence" {
		t.Errorf("organizer's 3 Dec after a new recurrence: %v", got["type"])
	}
}

// Answers to single occurrences are part of the saved data: after a
// reload both sides show them and the meeting goes on working.
func TestOccurrenceAnswersPersisted(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex := s.Token(allScopes...), userToken(s, colleague)
	org := do(t, ts, adele, "POST", "/v1.0/me/events", seriesBody("")).wantStatus(t, 201).json
	respond(t, ts, alex, "tentativelyAccept", occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-03"), `{}`).wantStatus(t, 202)
	respond(t, ts, alex, "decline", occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-07"), `{}`).wantStatus(t, 202)
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		t.Fatal(err)
	}
	s2, ts2 := newSandbox(t)
	if err := s2.Load(&buf); err != nil {
		t.Fatal(err)
	}
	adele, alex = s2.Token(allScopes...), userToken(s2, colleague)
	occ := answers(occurrencesOf(t, ts2, alex, "Weekly sync"))
	if occ["2026-12-03"] != "exception/tentativelyAccepted/tentative" || occ["2026-12-07"] != "" || occ["2026-12-10"] != "occurrence/notResponded/tentative" {
		t.Errorf("Alex's occurrences after a reload: %v", occ)
	}
	o := occurrenceOn(t, ts2, adele, "Weekly sync", "2026-12-03")
	if attendeeStatus(o, colleague.Mail) != "tentativelyAccepted" || attendeeStatus(occurrenceOn(t, ts2, adele, "Weekly sync", "2026-12-07"), colleague.Mail) != "declined" {
		t.Errorf("organizer's occurrences after a reload: 3 Dec Alex %q", attendeeStatus(o, colleague.Mail))
	}
	respond(t, ts2, alex, "accept", occurrenceOn(t, ts2, alex, "Weekly sync", "2026-12-03"), `{}`).wantStatus(t, 202)
	if got := attendeeStatus(occurrenceOn(t, ts2, adele, "Weekly sync", "2026-12-03"), colleague.Mail); got != "accepted" {
		t.Errorf("after a reload, a new answer to 3 Dec shows the organizer %q", got)
	}
	if got := attendeeStatus(eventByID(t, s2, demoUser.ID, sv(org["id"])), colleague.Mail); got != "none" {
		t.Errorf("the organizer's series shows Alex %q", got)
	}
}
