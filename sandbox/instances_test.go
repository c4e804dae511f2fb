package sandbox

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

const pacific = `outlook.timezone="Pacific Standard Time"`

// instancesPath is the instances of event id in the window [from, to).
func instancesPath(prefix, id, from, to string) string {
	return prefix + "/events/" + url.PathEscape(id) + "/instances?startDateTime=" + url.QueryEscape(from) + "&endDateTime=" + url.QueryEscape(to)
}

// summary is "type start" for each instance, the start as answered.
func summary(vs []map[string]any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = sv(v["type"]) + " " + startOf(v)
	}
	return out
}

// The instances of a weekly series in a window: its occurrences and
// exceptions, the exceptions first, a cancelled one left out; the same ids,
// times and answers calendarView shows; under /me/calendar/events too; for
// the organizer and for an attendee's copy.
func TestInstancesOfASeries(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex := s.Token(allScopes...), userToken(s, colleague)
	org := do(t, ts, adele, "POST", "/v1.0/me/events", seriesBody("")).wantStatus(t, 201).json
	masterID := sv(org["id"])
	cp := theCopy(t, ts, alex, sv(org["iCalUId"]))

	// Alex answers 3 Dec on its own (an exception on both sides); Adele
	// cancels 10 Dec.
	respond(t, ts, alex, "tentativelyAccept", occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-03"), `{"sendResponse":true}`).wantStatus(t, 202)
	dec10 := occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-10")
	do(t, ts, adele, "DELETE", "/v1.0/me/events/"+url.PathEscape(sv(dec10["id"])), "").wantStatus(t, 204)

	from, to := "2026-11-30T00:00:00-08:00", "2026-12-15T00:00:00-08:00" // 17 Dec is after it
	a := do(t, ts, adele, "GET", "/v1.0"+instancesPath("/me", masterID, from, to), "", "Prefer", pacific).wantStatus(t, 200)
	got := a.values(t)
	want := []string{
		"exception 2026-12-03T11:00:00.0000000",
		"occurrence 2026-11-30T11:00:00.0000000",
		"occurrence 2026-12-07T11:00:00.0000000",
		"occurrence 2026-12-14T11:00:00.0000000",
	}
	if !reflect.DeepEqual(summary(got), want) {
		t.Fatalf("instances %v, want %v", summary(got), want)
	}
	if h := a.header.Get("Preference-Applied"); h != pacific {
		t.Errorf("Preference-Applied %q, want %q", h, pacific)
	}
	wantCtx := ts.URL + "/v1.0/$metadata#users('" + s.Users()[0].ID + "')/events('" + url.QueryEscape(masterID) + "')/instances"
	if a.json["@odata.context"] != wantCtx {
		t.Errorf("@odata.context %v, want %s", a.json["@odata.context"], wantCtx)
	}
	if _, ok := a.json["@odata.nextLink"]; ok {
		t.Errorf("four instances on one page, yet a nextLink: %v", a.json["@odata.nextLink"])
	}

	// One expansion: each instance is what calendarView lists for that day.
	view := occurrencesOf(t, ts, adele, "Weekly sync")
	for _, v := range got {
		day := startOf(v)[:10]
		if !reflect.DeepEqual(v, view[day]) {
			t.Errorf("%s: instances answer %v\ncalendarView answers %v", day, v, view[day])
		}
		if v["seriesMasterId"] != masterID || v["recurrence"] != nil || sv(v["start"].(map[string]any)["timeZone"]) != "Pacific Standard Time" {
			t.Errorf("%s: seriesMasterId %v recurrence %v start %v", day, v["seriesMasterId"], v["recurrence"], v["start"])
		}
	}
	if got[0]["originalStart"] != "2026-12-03T19:00:00Z" || attendeeStatus(got[0], colleague.Mail) != "tentativelyAccepted" {
		t.Errorf("the exception: originalStart %v, Alex %q", got[0]["originalStart"], attendeeStatus(got[0], colleague.Mail))
	}

	// /me/calendar/events/{id}/instances answers the same.
	viaCalendar := do(t, ts, adele, "GET", "/v1.0"+instancesPath("/me/calendar", masterID, from, to), "", "Prefer", pacific).wantStatus(t, 200).values(t)
	if !reflect.DeepEqual(viaCalendar, got) {
		t.Errorf("/me/calendar/events/{id}/instances %v, want %v", summary(viaCalendar), summary(got))
	}

	// Alex's copy: his own answer on 3 Dec, 10 Dec cancelled for him too.
	mine := do(t, ts, alex, "GET", "/v1.0"+instancesPath("/me", sv(cp["id"]), from, to), "", "Prefer", pacific).wantStatus(t, 200).values(t)
	if !reflect.DeepEqual(summary(mine), want) || responseOf(mine[0]) != "tentativelyAccepted" || responseOf(mine[1]) != "notResponded" || mine[0]["seriesMasterId"] != cp["id"] {
		t.Errorf("Alex's instances %v, responses %q %q", summary(mine), responseOf(mine[0]), responseOf(mine[1]))
	}

	// Without Prefer, times are in UTC.
	utc := do(t, ts, adele, "GET", "/v1.0"+instancesPath("/me", masterID, from, to), "").wantStatus(t, 200)
	if st := utc.values(t)[1]["start"].(map[string]any); st["dateTime"] != "2026-11-30T19:00:00.0000000" || st["timeZone"] != "UTC" || utc.header.Get("Preference-Applied") != "" {
		t.Errorf("without Prefer: start %v, Preference-Applied %q", st, utc.header.Get("Preference-Applied"))
	}
}

// The window is half-open and overlapping counts, as in calendarView: an
// occurrence that has begun when the window opens is in it, one that
// starts when it closes is not.
func TestInstancesWindow(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	id := sv(do(t, ts, tok, "POST", "/v1.0/me/events", seriesBody("")).wantStatus(t, 201).json["id"])
	for _, tc := range []struct {
		from, to string
		want     []string
	}{
		{"2026-11-30T11:15:00-08:00", "2026-12-03T11:00:00-08:00", []string{"occurrence 2026-11-30T11:00:00.0000000"}},
		{"2026-11-30T11:30:00-08:00", "2026-12-03T11:00:00-08:00", []string{}},
		{"2026-12-17T11:00:00-08:00", "2027-06-01T00:00:00Z", []string{"occurrence 2026-12-17T11:00:00.0000000"}},
		// After the sixth and last occurrence, and a window that ends
		// before it starts: nothing.
		{"2026-12-18T00:00:00Z", "2027-12-01T00:00:00Z", []string{}},
		{"2026-12-17T00:00:00Z", "2026-11-30T00:00:00Z", []string{}},
	} {
		got := do(t, ts, tok, "GET", "/v1.0"+instancesPath("/me", id, tc.from, tc.to), "", "Prefer", pacific).wantStatus(t, 200).values(t)
		if !reflect.DeepEqual(summary(got), tc.want) {
			t.Errorf("[%s, %s): %v, want %v", tc.from, tc.to, summary(got), tc.want)
		}
	}
}

// A daily series with an end date, in a window in another zone: every
// day in the window, in start order.
func TestInstancesOfADailySeries(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	body := `{"subject":"Daily check","start":{"dateTime":"2026-12-01T08:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-01T08:15:00","timeZone":"UTC"},
		"recurrence":{"pattern":{"type":"daily","interval":2},"range":{"type":"endDate","startDate":"2026-12-01","endDate":"2026-12-31"}}}`
	id := sv(do(t, ts, tok, "POST", "/v1.0/me/events", body).wantStatus(t, 201).json["id"])
	got := do(t, ts, tok, "GET", "/v1.0"+instancesPath("/me", id, "2026-12-04T00:00:00+01:00", "2026-12-11T09:00:01+01:00"), "").wantStatus(t, 200).values(t)
	want := []string{
		"occurrence 2026-12-05T08:00:00.0000000", "occurrence 2026-12-07T08:00:00.0000000",
		"occurrence 2026-12-09T08:00:00.0000000", "occurrence 2026-12-11T08:00:00.0000000",
	}
	if !reflect.DeepEqual(summary(got), want) {
		t.Errorf("every other day: %v, want %v", summary(got), want)
	}
}

// startDateTime and endDateTime are required and must be dates and times,
// with calendarView's errors; they are checked before the id.
func TestInstancesNeedAWindow(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	base := "/v1.0/me/events/" + seededID("event:standup") + "/instances"
	for _, p := range []string{"", "?startDateTime=2026-11-23T00:00:00Z", "?endDateTime=2026-11-23T00:00:00Z", "?startDateTime=&endDateTime=2026-11-23T00:00:00Z"} {
		do(t, ts, tok, "GET", base+p, "").wantError(t, 400, "ErrorInvalidParameter", msgCalendarWindow)
	}
	do(t, ts, tok, "GET", base+"?startDateTime=monday&endDateTime=2026-11-23T00:00:00Z", "").
		wantError(t, 400, "ErrorInvalidParameter", "The value 'monday' of parameter 'StartDateTime' is invalid.")
	do(t, ts, tok, "GET", base+"?startDateTime=2026-11-23T00:00:00Z&endDateTime=2026-13-01", "").
		wantError(t, 400, "ErrorInvalidParameter", "The value '2026-13-01' of parameter 'EndDateTime' is invalid.")
	do(t, ts, tok, "GET", "/v1.0/me/events/"+newItemID()+"/instances", "").wantError(t, 400, "ErrorInvalidParameter", msgCalendarWindow)
}

// $top pages through the instances with @odata.nextLink (the window and
// $select kept), $select narrows each, and $orderby, $filter and $count
// work as on any event collection.
func TestInstancesQueryOptions(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	id := seededID("event:standup") // weekdays for four weeks from this Monday, 23 Nov
	path := "/v1.0" + instancesPath("/me", id, "2026-11-23T00:00:00-08:00", "2026-12-21T00:00:00-08:00")
	all := do(t, ts, tok, "GET", path+"&$top=100", "").wantStatus(t, 200).values(t)
	if len(all) != 20 {
		t.Fatalf("%d instances of the stand-up in four weeks, want 20", len(all))
	}
	if def := do(t, ts, tok, "GET", path, "").wantStatus(t, 200); len(def.values(t)) != 10 || def.json["@odata.nextLink"] == nil {
		t.Errorf("default page: %d instances, nextLink %v; want 10 and a nextLink", len(def.values(t)), def.json["@odata.nextLink"])
	}

	next := path + "&$top=7&$select=subject,start,type"
	var paged []any
	pages := 0
	for next != "" {
		if pages++; pages > 5 {
			t.Fatal("paging does not end")
		}
		a := do(t, ts, tok, "GET", strings.TrimPrefix(next, ts.URL), "").wantStatus(t, 200)
		if ctx := sv(a.json["@odata.context"]); !strings.HasSuffix(ctx, "/instances(subject,start,type)") {
			t.Errorf("@odata.context %q lacks the $select", ctx)
		}
		for _, v := range a.values(t) {
			for k := range v {
				switch k {
				case "id", "@odata.etag", "subject", "start", "type":
				default:
					t.Errorf("$select=subject,start,type answered %s", k)
				}
			}
			paged = append(paged, v["id"])
		}
		next = sv(a.json["@odata.nextLink"])
		if next != "" && (!strings.Contains(next, "startDateTime=") || !strings.Contains(next, "endDateTime=") || !strings.Contains(next, "$select=")) {
			t.Errorf("nextLink %q does not keep the window and $select", next)
		}
	}
	var ids []any
	for _, v := range all {
		ids = append(ids, v["id"])
	}
	if pages != 3 || !reflect.DeepEqual(paged, ids) {
		t.Errorf("%d pages of $top=7 gave %d ids; want 3 pages and the 20 ids in order", pages, len(paged))
	}

	desc := do(t, ts, tok, "GET", path+"&$orderby="+q("start/dateTime desc")+"&$top=1&$count=true", "").wantStatus(t, 200)
	if v := desc.values(t); len(v) != 1 || v[0]["id"] != all[19]["id"] || desc.json["@odata.count"] != float64(20) {
		t.Errorf("$orderby desc: %v, count %v; want the last instance and 20", summary(v), desc.json["@odata.count"])
	}
	firstDay := do(t, ts, tok, "GET", path+"&$filter="+q("start/dateTime lt '2026-11-24T00:00:00Z'"), "").wantStatus(t, 200).values(t)
	if len(firstDay) != 1 || firstDay[0]["id"] != all[0]["id"] {
		t.Errorf("$filter on start: %v", summary(firstDay))
	}
	do(t, ts, tok, "GET", path+"&$select=nonsense", "").wantError(t, 400, "RequestBroker--ParseUri", "")
	do(t, ts, tok, "GET", path+"&$expand=attachments", "").wantError(t, 400, "BadRequest", "")
}

// An event that is not a series master has no instances; an id naming no
// event is not found, a malformed one is refused.
func TestInstancesOfOtherEvents(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	week := func(id string) string {
		return "/v1.0" + instancesPath("/me", id, "2026-11-23T00:00:00-08:00", "2026-11-30T00:00:00-08:00")
	}
	// A single event in the window: an empty list, not the event.
	if v := do(t, ts, tok, "GET", week(seededID("event:lunch")), "").wantStatus(t, 200).values(t); len(v) != 0 {
		t.Errorf("instances of a single event: %v, want none", summary(v))
	}
	// An occurrence (and so an exception) is not a master either.
	occ := do(t, ts, tok, "GET", week(seededID("event:standup")), "").wantStatus(t, 200).values(t)[1] // Tuesday 24 Nov
	if !strings.HasPrefix(startOf(occ), "2026-11-24") {
		t.Fatalf("second instance of the stand-up starts %s, want 24 Nov", startOf(occ))
	}
	if v := do(t, ts, tok, "GET", week(sv(occ["id"])), "").wantStatus(t, 200).values(t); len(v) != 0 {
		t.Errorf("instances of an occurrence: %v, want none", summary(v))
	}
	// A cancelled occurrence's id names nothing any more.
	do(t, ts, tok, "DELETE", "/v1.0/me/events/"+url.PathEscape(sv(occ["id"])), "").wantStatus(t, 204)
	do(t, ts, tok, "GET", week(sv(occ["id"])), "").wantError(t, 404, "ErrorItemNotFound", "")
	if v := do(t, ts, tok, "GET", week(seededID("event:standup")), "").wantStatus(t, 200).values(t); len(v) != 4 {
		t.Errorf("the stand-up after cancelling 24 Nov: %v, want the four other weekdays", summary(v))
	}

	do(t, ts, tok, "GET", week(newItemID()), "").wantError(t, 404, "ErrorItemNotFound", "The specified object was not found in the store.")
	do(t, ts, tok, "GET", week("not-an-id"), "").wantError(t, 400, "ErrorInvalidIdMalformed", "Id is malformed.")
	do(t, ts, tok, "POST", week(seededID("event:standup")), "{}").wantError(t, 405, "Request_BadRequest", "")
}

// Another user's series through /users/{id}: an app-only token with a
// calendar permission reads it, one without is refused; a delegated
// Calendars.ReadBasic token gets the instances without their bodies, and
// another user's mailbox stays closed to it.
func TestInstancesPermissions(t *testing.T) {
	s, ts := newSandbox(t)
	adeleID := s.Users()[0].ID
	id := seededID("event:standup")
	path := func(user string) string {
		return "/v1.0" + instancesPath("/users/"+user, id, "2026-11-23T00:00:00-08:00", "2026-11-30T00:00:00-08:00")
	}
	for _, user := range []string{adeleID, s.Users()[0].UserPrincipalName} {
		a := do(t, ts, s.AppToken("Calendars.Read"), "GET", path(user), "").wantStatus(t, 200)
		if v := a.values(t); len(v) != 5 || v[0]["seriesMasterId"] != id || v[0]["body"] == nil {
			t.Errorf("app-only via %s: %d instances, first %v", user, len(v), v[0])
		}
		if ctx := sv(a.json["@odata.context"]); !strings.Contains(ctx, "users('"+adeleID+"')/events('") {
			t.Errorf("app-only context %q", ctx)
		}
	}
	do(t, ts, s.AppToken("Mail.Read"), "GET", path(adeleID), "").wantError(t, 403, "ErrorAccessDenied", "")
	do(t, ts, s.AppToken("Calendars.Read"), "GET", "/v1.0"+instancesPath("/me", id, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"), "").
		wantError(t, 400, "BadRequest", msgMeAppOnly)

	basic := do(t, ts, s.Token("Calendars.ReadBasic"), "GET", "/v1.0"+instancesPath("/me", id, "2026-11-23T00:00:00-08:00", "2026-11-30T00:00:00-08:00"), "").wantStatus(t, 200).values(t)
	if len(basic) != 5 {
		t.Fatalf("Calendars.ReadBasic: %d instances, want 5", len(basic))
	}
	if _, hasBody := basic[0]["body"]; hasBody {
		t.Errorf("Calendars.ReadBasic answered a body: %v", basic[0]["body"])
	}
	do(t, ts, s.Token("Mail.Read"), "GET", "/v1.0"+instancesPath("/me", id, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"), "").wantError(t, 403, "ErrorAccessDenied", "")
	do(t, ts, s.Token("Calendars.Read"), "GET", path(colleague.ID), "").wantError(t, 403, "ErrorAccessDenied", "")
}
