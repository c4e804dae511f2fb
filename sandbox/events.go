package sandbox

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxAttendees is Exchange's limit on an event's attendees.
const maxAttendees = 500

var eventType = lazyType{build: func() *objType {
	return newObjType("event", map[string]*field{
		"subject":                    str(),
		"body":                       object(itemBodyType.get()),
		"start":                      object(dateTimeTimeZoneType.get()),
		"end":                        object(dateTimeTimeZoneType.get()),
		"location":                   object(locationType.get()),
		"locations":                  arrayOf(object(locationType.get())),
		"attendees":                  arrayOf(object(attendeeType.get())),
		"organizer":                  object(recipientType.get()),
		"importance":                 importanceEnum,
		"sensitivity":                enum("sensitivity", "normal", "personal", "private", "confidential"),
		"showAs":                     enum("freeBusyStatus", "unknown", "free", "tentative", "busy", "oof", "workingElsewhere"),
		"isAllDay":                   boolean(),
		"isOnlineMeeting":            boolean(),
		"onlineMeetingProvider":      enum("onlineMeetingProviderType", "unknown", "skypeForBusiness", "skypeForConsumer", "teamsForBusiness"),
		"allowNewTimeProposals":      boolean(),
		"isReminderOn":               boolean(),
		"reminderMinutesBeforeStart": integer(),
		"responseRequested":          boolean(),
		"hideAttendees":              boolean(),
		"categories":                 arrayOf(str()),
		"recurrence":                 object(patternedRecurrenceType.get()),
		"transactionId":              str(),
		"originalStartTimeZone":      str(),
		"originalEndTimeZone":        str(),
		"id":                         readOnly(str()),
		"createdDateTime":            readOnly(str()),
		"lastModifiedDateTime":       readOnly(str()),
		"changeKey":                  readOnly(str()),
		"iCalUId":                    readOnly(str()),
		"type":                       readOnly(str()),
		"webLink":                    readOnly(str()),
		"onlineMeetingUrl":           readOnly(str()),
		"onlineMeeting":              readOnly(anyValue()),
		"seriesMasterId":             readOnly(str()),
		"bodyPreview":                readOnly(str()),
		"responseStatus":             readOnly(anyValue()),
		"isOrganizer":                readOnly(boolean()),
		"isCancelled":                readOnly(boolean()),
		"isDraft":                    readOnly(boolean()),
		"hasAttachments":             readOnly(boolean()),
		"cancelledOccurrences":       readOnly(anyValue()),
		"originalStart":              readOnly(str()),
	})
}}

var eventKind = &entityKind{
	typeName: "event",
	props: []string{"id", "categories", "changeKey", "createdDateTime", "lastModifiedDateTime", "allowNewTimeProposals",
		"attendees", "body", "bodyPreview", "cancelledOccurrences", "end", "hasAttachments", "hideAttendees", "iCalUId",
		"importance", "isAllDay", "isCancelled", "isDraft", "isOnlineMeeting", "isOrganizer", "isReminderOn", "location",
		"locations", "onlineMeeting", "onlineMeetingProvider", "onlineMeetingUrl", "organizer", "originalEndTimeZone",
		"originalStart", "originalStartTimeZone", "recurrence", "reminderMinutesBeforeStart", "responseRequested",
		"responseStatus", "sensitivity", "seriesMasterId", "showAs", "start", "subject", "transactionId", "type", "webLink"},
	view: eventView,
}

// eventView renders a stored event: start and end in zone z, the body as
// Prefer asks, @odata.etag from the changeKey.
func eventView(c *call, o Object, z zone) Object {
	v := cloneObject(o)
	delete(v, exceptionsKey) // a navigation property: Graph shows it only with $expand
	for _, k := range []string{"start", "end"} {
		if t, _, err := parseDateTimeTimeZone(getObject(o, k)); err == nil {
			v[k] = formatDateTimeTimeZone(t, z)
		}
	}
	v["body"] = viewBody(v["body"], c.bodyType)
	v["@odata.etag"] = etagOf(getString(o, "changeKey"))
	if c.basicOnly {
		delete(v, "body")
		delete(v, "bodyPreview")
	}
	return v
}

func listEvents(c *call) (result, *graphError) {
	return c.collection(c.mbox.Events, eventKind, 10, c.subject+"/events")
}

// findEvent returns the index of a stored event, or an error for a
// malformed or unknown id.
func (c *call) findEvent(id string) (int, *graphError) {
	return indexByID(c.mbox.Events, id)
}

func getEvent(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(eventKind)
	if err != nil {
		return result{}, err
	}
	var o Object
	if masterID, day, isOcc := parseOccurrenceID(c.ids[0]); isOcc {
		o, err = c.occurrence(masterID, day)
		if err != nil {
			return result{}, err
		}
	} else {
		i, err := c.findEvent(c.ids[0])
		if err != nil {
			return result{}, err
		}
		o = c.mbox.Events[i]
	}
	v := applySelect(eventView(c, o, c.tz), sel)
	v["@odata.context"] = c.contextURL(c.subject + "/events" + selectSuffix(sel) + "/$entity")
	return ok(v)
}

// occurrence builds one occurrence (or exception) of a series from its
// id's parts. An id naming no occurrence (not a series of this mailbox,
// not a day of the series, cancelled) is not found, as Graph answers a
// bad id.
func (c *call) occurrence(masterID, day string) (Object, *graphError) {
	i, err := c.findEvent(masterID)
	if err != nil {
		return nil, errNotFound()
	}
	m := c.mbox.Events[i]
	occ, ok := seriesOccurrence(m, day)
	if !ok {
		return nil, errNotFound()
	}
	return occurrenceObject(m, occ), nil
}

func createEvent(c *call) (result, *graphError) {
	ev, err := c.decodeObject(eventType.get())
	if err != nil {
		return result{}, err
	}
	if tid := getString(ev, "transactionId"); tid != "" {
		// transactionId makes a retried POST idempotent: answer the event
		// the first attempt created.
		for _, e := range c.mbox.Events {
			if getString(e, "transactionId") == tid {
				v := eventView(c, e, c.tz)
				v["@odata.context"] = c.contextURL(c.subject + "/events/$entity")
				return created(v)
			}
		}
	}
	for _, req := range []string{"start", "end"} {
		if ev[req] == nil {
			return result{}, validationFailed(req, "an event needs '"+req+"' (a dateTimeTimeZone)")
		}
	}
	now := c.s.now()
	id := newItemID()
	stored := Object{
		"id":                         id,
		"createdDateTime":            timestamp(now),
		"categories":                 []any{},
		"reminderMinutesBeforeStart": float64(15),
		"isReminderOn":               true,
		"hasAttachments":             false,
		"hideAttendees":              false,
		"subject":                    "",
		"importance":                 "normal",
		"sensitivity":                "normal",
		"isAllDay":                   false,
		"isCancelled":                false,
		"isDraft":                    false,
		"isOrganizer":                true,
		"responseRequested":          true,
		"seriesMasterId":             nil,
		"showAs":                     "busy",
		"webLink":                    "https://outlook.office365.com/owa/?itemid=" + url.QueryEscape(id) + "&exvsurl=1&path=/calendar/item",
		"onlineMeetingUrl":           nil,
		"isOnlineMeeting":            false,
		"onlineMeetingProvider":      "unknown",
		"onlineMeeting":              nil,
		"allowNewTimeProposals":      true,
		"responseStatus":             Object{"response": "organizer", "time": "0001-01-01T00:00:00Z"},
		"body":                       Object{"contentType": "text", "content": ""},
		"recurrence":                 nil,
		"attendees":                  []any{},
		"organizer":                  Object{"emailAddress": Object{"name": c.mbox.User.DisplayName, "address": c.mbox.User.Mail}},
		"iCalUId":                    iCalUID(),
	}
	for k, v := range ev {
		if strings.HasPrefix(k, "@") {
			continue
		}
		if v != nil || k == "recurrence" {
			stored[k] = v
		}
	}
	if err := normalizeEvent(stored, now, c.mbox.User); err != nil {
		return result{}, err
	}
	if err := c.s.take(c.mbox, addLen(len(c.mbox.Events), jsonLen(stored))); err != nil {
		return result{}, err
	}
	c.mbox.Events = append(c.mbox.Events, stored)
	c.sendInvitations(stored)
	v := eventView(c, stored, c.tz)
	v["@odata.context"] = c.contextURL(c.subject + "/events/$entity")
	return created(v)
}

// normalizeEvent checks the rules a whole event must satisfy and fills
// the properties Exchange derives. It changes e only when it succeeds.
func normalizeEvent(e Object, now time.Time, user User) *graphError {
	start, sz, err := parseDateTimeTimeZone(getObject(e, "start"))
	if err != nil {
		return validationFailed("start", err.Error())
	}
	end, ez, err := parseDateTimeTimeZone(getObject(e, "end"))
	if err != nil {
		return validationFailed("end", err.Error())
	}
	if end.Before(start) {
		return validationFailed("end", "the event ends before it starts")
	}
	if getBool(e, "isAllDay") {
		ls, le := start.In(sz.loc), end.In(ez.loc)
		if !isMidnight(ls) || !isMidnight(le) || !end.After(start) {
			return validationFailed("start", "an all-day event starts and ends at midnight in its time zone, at least one day apart")
		}
	}
	attendees := getArray(e, "attendees")
	if len(attendees) > maxAttendees {
		return validationFailed("attendees", "an event can have at most 500 attendees")
	}
	normAttendees := make([]any, 0, len(attendees))
	for i, a := range attendees {
		am, _ := a.(map[string]any)
		ea := getObject(am, "emailAddress")
		addr := strings.TrimSpace(getString(ea, "address"))
		if !validAddress(addr) {
			return validationFailed("attendees", "attendee "+strconv.Itoa(i)+" needs a valid emailAddress.address")
		}
		name := getString(ea, "name")
		if name == "" {
			name = addr
		}
		typ := getString(am, "type")
		if typ == "" {
			typ = "required"
		}
		normAttendees = append(normAttendees, Object{
			"type":         typ,
			"status":       Object{"response": "none", "time": "0001-01-01T00:00:00Z"},
			"emailAddress": Object{"name": name, "address": addr},
		})
	}
	var rec Object
	if r := getObject(e, "recurrence"); r != nil {
		rec, err = normalizeRecurrence(r, start.In(sz.loc), sz)
		if err != nil {
			return validationFailed("recurrence", err.Error())
		}
	}
	body, preview := normalizeBody(e["body"])
	loc, locs := normalizeLocations(getObject(e, "location"), getArray(e, "locations"))

	// Everything is valid: apply.
	e["start"] = formatDateTimeTimeZone(start, sz)
	e["end"] = formatDateTimeTimeZone(end, ez)
	if getString(e, "originalStartTimeZone") == "" {
		e["originalStartTimeZone"] = sz.name
	}
	if getString(e, "originalEndTimeZone") == "" {
		e["originalEndTimeZone"] = ez.name
	}
	e["attendees"] = normAttendees
	e["body"], e["bodyPreview"] = body, preview
	e["location"], e["locations"] = loc, locs
	if rec != nil {
		e["recurrence"] = rec
		e["type"] = "seriesMaster"
	} else {
		e["recurrence"] = nil
		e["type"] = "singleInstance"
	}
	if getBool(e, "isOnlineMeeting") {
		if p := getString(e, "onlineMeetingProvider"); p == "" || p == "unknown" {
			e["onlineMeetingProvider"] = "teamsForBusiness"
		}
		if getObject(e, "onlineMeeting") == nil {
			e["onlineMeeting"] = Object{
				"joinUrl":      "https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + strings.TrimRight(newChangeKey(), "=") + "%40thread.v2/0",
				"conferenceId": strconv.Itoa(int(randomBytes(1)[0])*1000003 + 100000000),
				"tollNumber":   "+1 425 555 0123",
			}
		}
	} else {
		e["onlineMeeting"] = nil
		e["onlineMeetingProvider"] = "unknown"
	}
	if getBool(e, "isAllDay") {
		e["showAs"] = firstNonEmpty(getString(e, "showAs"), "free")
	}
	e["lastModifiedDateTime"] = timestamp(now)
	e["changeKey"] = newChangeKey()
	return nil
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// normalizeLocations fills location and locations from each other, as
// Exchange does.
func normalizeLocations(loc Object, locs []any) (Object, []any) {
	norm := func(l Object, single bool) Object {
		out := cloneObject(l)
		if out == nil {
			out = Object{}
		}
		name := getString(out, "displayName")
		out["displayName"] = name
		if getString(out, "locationType") == "" {
			out["locationType"] = "default"
		}
		if getString(out, "uniqueIdType") == "" {
			if single || out["address"] != nil {
				out["uniqueId"] = name
				out["uniqueIdType"] = "private"
			} else {
				out["uniqueIdType"] = "unknown"
			}
		}
		return out
	}
	outLocs := make([]any, 0, len(locs))
	for _, l := range locs {
		lm, _ := l.(map[string]any)
		outLocs = append(outLocs, norm(lm, false))
	}
	switch {
	case loc == nil && len(locs) == 0:
		return Object{"displayName": "", "locationType": "default", "uniqueIdType": "unknown", "address": Object{}, "coordinates": Object{}}, outLocs
	case loc == nil:
		var names []string
		for _, l := range outLocs {
			names = append(names, getString(l.(map[string]any), "displayName"))
		}
		loc = Object{"displayName": strings.Join(names, "; ")}
	case len(locs) == 0 && getString(loc, "displayName") != "":
		outLocs = append(outLocs, Object{"displayName": getString(loc, "displayName"), "locationType": "default", "uniqueIdType": "unknown"})
	}
	return norm(loc, true), outLocs
}

func updateEvent(c *call) (result, *graphError) {
	if _, _, isOcc := parseOccurrenceID(c.ids[0]); isOcc {
		return result{}, newError(400, "ErrorInvalidRequest", "The sandbox does not support changing a single occurrence of a series; change the series master.")
	}
	i, err := c.findEvent(c.ids[0])
	if err != nil {
		return result{}, err
	}
	if err := c.checkIfMatch(etagOf(getString(c.mbox.Events[i], "changeKey"))); err != nil {
		return result{}, err
	}
	patch, err := c.decodeObject(eventType.get())
	if err != nil {
		return result{}, err
	}
	merged := cloneObject(c.mbox.Events[i])
	for k, v := range patch {
		if !strings.HasPrefix(k, "@") {
			merged[k] = v
		}
	}
	if _, ok := patch["start"]; ok && patch["originalStartTimeZone"] == nil {
		merged["originalStartTimeZone"] = ""
	}
	if _, ok := patch["end"]; ok && patch["originalEndTimeZone"] == nil {
		merged["originalEndTimeZone"] = ""
	}
	if merged["start"] == nil || merged["end"] == nil {
		return result{}, validationFailed("start", "an event needs both start and end")
	}
	if err := normalizeEvent(merged, c.s.now(), c.mbox.User); err != nil {
		return result{}, err
	}
	before := c.mbox.Events[i]
	organizer := getBool(before, "isOrganizer")
	reset := organizer && getBool(merged, "responseRequested") && significantChange(before, merged)
	keepResponses(before, merged, reset)
	keepExceptions(before, merged, reset)
	if err := c.s.take(c.mbox, sizeDelta(before, merged)); err != nil {
		return result{}, err
	}
	c.mbox.Events[i] = merged
	if organizer {
		// The organizer's change goes to the attendees; an attendee's
		// stays in their own calendar.
		c.sendUpdates(before, merged)
	}
	v := eventView(c, merged, c.tz)
	v["@odata.context"] = c.contextURL(c.subject + "/events/$entity")
	return ok(v)
}

func deleteEvent(c *call) (result, *graphError) {
	if masterID, day, isOcc := parseOccurrenceID(c.ids[0]); isOcc {
		if _, err := c.occurrence(masterID, day); err != nil {
			return result{}, err
		}
		i, _ := c.findEvent(masterID)
		m := c.mbox.Events[i]
		if err := c.s.edit(c.mbox, m, func(m Object) {
			cancelOccurrence(m, c.ids[0])
			m["changeKey"] = newChangeKey()
		}); err != nil {
			return result{}, err
		}
		if getBool(m, "isOrganizer") {
			c.cancelOccurrenceForAttendees(m, day)
		}
		return noContent()
	}
	i, err := c.findEvent(c.ids[0])
	if err != nil {
		return result{}, err
	}
	ev := c.mbox.Events[i]
	if err := c.checkIfMatch(etagOf(getString(ev, "changeKey"))); err != nil {
		return result{}, err
	}
	c.s.charge(c.mbox, removeLen(len(c.mbox.Events), jsonLen(ev)))
	c.mbox.Events = append(c.mbox.Events[:i:i], c.mbox.Events[i+1:]...)
	if getBool(ev, "isOrganizer") {
		// Deleting a meeting on the organizer's calendar cancels it for
		// the attendees (event-delete.md); an attendee's delete removes
		// only their copy.
		c.sendCancellations(ev)
	}
	return noContent()
}

// calendarView lists the occurrences, exceptions and single instances in
// the window [startDateTime, endDateTime), ordered by start.
func calendarView(c *call) (result, *graphError) {
	from, to, err := c.calendarWindow()
	if err != nil {
		return result{}, err
	}
	var items []instance
	for _, e := range c.mbox.Events {
		if e["recurrence"] != nil {
			items = append(items, seriesInstances(e, from, to)...)
			continue
		}
		s, _, err1 := parseDateTimeTimeZone(getObject(e, "start"))
		en, _, err2 := parseDateTimeTimeZone(getObject(e, "end"))
		if err1 != nil || err2 != nil {
			continue
		}
		if s.Before(to) && (en.After(from) || (en.Equal(s) && !s.Before(from))) {
			items = append(items, instance{e, s})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].start.Before(items[j].start) })
	objs := make([]Object, len(items))
	for i, it := range items {
		objs[i] = it.o
	}
	return c.collection(objs, eventKind, 10, c.subject+"/calendarView")
}

// listInstances answers GET /me/events/{id}/instances: the occurrences and
// exceptions of the series master {id} that overlap the window
// [startDateTime, endDateTime), cancelled ones left out, with the query
// options and paging of any event collection. Graph lists the exceptions
// before the occurrences (the docs' example and answers seen from Graph):
// so does the sandbox, each group in start order, so that a template that
// needs an order asks for it ($orderby=start/dateTime). An event that is
// not a series master (a single event, an occurrence, an exception) has
// no instances: an empty list (a guess, see docs/sandbox.md).
func listInstances(c *call) (result, *graphError) {
	from, to, err := c.calendarWindow()
	if err != nil {
		return result{}, err
	}
	id := c.ids[0]
	var objs []Object
	if masterID, day, isOcc := parseOccurrenceID(id); isOcc {
		// An occurrence id must still name an occurrence, as for GET.
		if _, err := c.occurrence(masterID, day); err != nil {
			return result{}, err
		}
	} else {
		i, err := c.findEvent(id)
		if err != nil {
			return result{}, err
		}
		if m := c.mbox.Events[i]; m["recurrence"] != nil {
			items := seriesInstances(m, from, to)
			objs = make([]Object, 0, len(items))
			for _, exceptions := range []bool{true, false} {
				for _, it := range items {
					if (getString(it.o, "type") == "exception") == exceptions {
						objs = append(objs, it.o)
					}
				}
			}
		}
	}
	// Graph's context names the series: events('{id}')/instances, the id
	// escaped as in the docs' example ("=" as %3D).
	return c.collection(objs, eventKind, 10, c.subject+"/events('"+url.QueryEscape(id)+"')/instances")
}

// calendarWindow reads the window calendarView and instances require:
// startDateTime and endDateTime, both present and valid.
func (c *call) calendarWindow() (from, to time.Time, gerr *graphError) {
	rawStart, okS := c.queryParam("startDateTime")
	rawEnd, okE := c.queryParam("endDateTime")
	if !okS || !okE || rawStart == "" || rawEnd == "" {
		return from, to, newError(400, "ErrorInvalidParameter", msgCalendarWindow)
	}
	if from, gerr = parseWindowTime(rawStart, "StartDateTime"); gerr != nil {
		return from, to, gerr
	}
	to, gerr = parseWindowTime(rawEnd, "EndDateTime")
	return from, to, gerr
}

// parseWindowTime reads calendarView's startDateTime/endDateTime: ISO 8601,
// the offset honoured, none meaning UTC.
func parseWindowTime(raw, name string) (time.Time, *graphError) {
	raw = strings.TrimSpace(raw)
	if t, err := time.Parse(time.RFC3339Nano, raw); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t, nil
		}
	}
	return time.Time{}, newError(400, "ErrorInvalidParameter", "The value '%s' of parameter '%s' is invalid.", raw, name)
}

func iCalUID() string {
	return "040000008200E00074C5B7101A82E00800000000" + strings.ToUpper(hexString(randomBytes(28)))
}
