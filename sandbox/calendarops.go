package sandbox

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/lazyregexp"
)

// Calendar actions: responding to and cancelling meetings, free/busy
// (getSchedule) and meeting suggestions (findMeetingTimes).

// msgNotOrganizerCancel is Exchange's answer to an attendee calling cancel
// (event-cancel.md quotes it).
const msgNotOrganizerCancel = "Your request can't be completed. You need to be an organizer to cancel a meeting."

// msgOrganizerResponds is the sandbox's answer to the organizer accepting
// or declining their own meeting (Exchange refuses it; its exact text is
// not in the docs).
const msgOrganizerResponds = "Your request can't be completed. You can't respond to this meeting because you're the meeting organizer."

var timeSlotType = lazyType{build: func() *objType {
	return newObjType("timeSlot", map[string]*field{
		"start": object(dateTimeTimeZoneType.get()), "end": object(dateTimeTimeZoneType.get()),
	})
}}

// eventResponseType is the body of accept, tentativelyAccept and decline
// (event-accept.md, event-decline.md, event-tentativelyaccept.md).
var eventResponseType = lazyType{build: func() *objType {
	return newObjType("eventResponse", map[string]*field{
		"comment": str(), "sendResponse": boolean(), "proposedNewTime": object(timeSlotType.get()),
	})
}}

var eventCancelType = lazyType{build: func() *objType {
	return newObjType("eventCancel", map[string]*field{"comment": str()})
}}

func acceptEvent(c *call) (result, *graphError)  { return respondToEvent(c, "accepted") }
func declineEvent(c *call) (result, *graphError) { return respondToEvent(c, "declined") }
func tentativelyAcceptEvent(c *call) (result, *graphError) {
	return respondToEvent(c, "tentativelyAccepted")
}

// respondToEvent records the mailbox owner's response to a meeting they
// were invited to: 202 and no body. The organizer's copy (when the
// organizer is a sandbox user and sendResponse is not false) gets the
// attendee's new status. A declined meeting leaves the calendar, as
// Outlook moves it to Deleted Items. An occurrence id answers that
// occurrence only (respondToOccurrence).
func respondToEvent(c *call, response string) (result, *graphError) {
	masterID, day, isOcc := parseOccurrenceID(c.ids[0])
	var ev Object // the event answered, as the caller sees it
	i := -1
	if isOcc {
		occ, err := c.occurrence(masterID, day)
		if err != nil {
			return result{}, err
		}
		ev = occ
	} else {
		var err *graphError
		if i, err = c.findEvent(c.ids[0]); err != nil {
			return result{}, err
		}
		ev = c.mbox.Events[i]
	}
	body, err := c.decodeObject(eventResponseType.get())
	if err != nil {
		return result{}, err
	}
	if getBool(ev, "isOrganizer") {
		// Exchange's codes for it (EWS's ResponseCodeType names).
		code := map[string]string{"accepted": "ErrorCalendarIsOrganizerForAccept", "declined": "ErrorCalendarIsOrganizerForDecline",
			"tentativelyAccepted": "ErrorCalendarIsOrganizerForTentative"}[response]
		return result{}, newError(400, code, msgOrganizerResponds)
	}
	if pt := getObject(body, "proposedNewTime"); pt != nil {
		if response == "accepted" {
			return result{}, errBodyRead("The property 'proposedNewTime' does not exist on type 'microsoft.graph.eventResponse'.")
		}
		if send, ok := body["sendResponse"].(bool); ok && !send {
			return result{}, newError(400, "ErrorInvalidRequest", "proposedNewTime needs sendResponse true: the proposal goes to the organizer with the response.")
		}
		if v, ok := ev["allowNewTimeProposals"].(bool); ok && !v {
			return result{}, newError(400, "ErrorProposedNewTimeNotAllowed", "The organizer does not allow new time proposals for this meeting.")
		}
		s, _, err1 := parseDateTimeTimeZone(getObject(pt, "start"))
		e, _, err2 := parseDateTimeTimeZone(getObject(pt, "end"))
		if err1 != nil || err2 != nil || !e.After(s) {
			return result{}, validationFailed("proposedNewTime", "a proposed new time needs a start and a later end")
		}
	}
	now := timestamp(c.s.now())
	status := Object{"response": response, "time": now}
	send, ok := body["sendResponse"].(bool)
	send = !ok || send
	if isOcc {
		if err := c.respondToOccurrence(ev, day, status, send); err != nil {
			return result{}, err
		}
		return result{status: 202}, nil
	}
	if response == "declined" {
		c.s.charge(c.mbox, removeLen(len(c.mbox.Events), jsonLen(ev)))
		c.mbox.Events = append(c.mbox.Events[:i:i], c.mbox.Events[i+1:]...)
	} else if err := c.s.edit(c.mbox, ev, func(ev Object) {
		ev["responseStatus"] = status
		if sa := answeredShowAs(getString(ev, "showAs"), response); sa != "" {
			ev["showAs"] = sa
		}
		ev["changeKey"] = newChangeKey()
		ev["lastModifiedDateTime"] = now
	}); err != nil {
		return result{}, err
	}
	if send {
		c.updateOrganizerCopy(ev, status)
	}
	return result{status: 202}, nil
}

// answeredShowAs is how an answered meeting shows: tentative when
// accepted tentatively; an accepted meeting that showed as tentative (not
// answered yet, or tentatively accepted before) becomes busy; anything
// else keeps what it was.
func answeredShowAs(showAs, response string) string {
	if response == "tentativelyAccepted" {
		return "tentative"
	}
	if showAs == "tentative" {
		return "busy"
	}
	return showAs
}

// respondToOccurrence records the mailbox owner's answer to one
// occurrence occ (as built by c.occurrence, on day yyyymmdd) of a series
// they attend. Accepting, even tentatively, makes the occurrence an
// exception of the attendee's series with its own responseStatus and
// showAs; declining removes it from their calendar, as a cancelled
// occurrence. With send, the organizer's series records the answer on the
// same occurrence. A mailbox with no room for the change gets the quota
// error, and nothing changes.
func (c *call) respondToOccurrence(occ Object, day string, status Object, send bool) *graphError {
	i, _ := c.findEvent(getString(occ, "seriesMasterId"))
	master := c.mbox.Events[i]
	id := getString(occ, "id")
	now := getString(status, "time")
	if err := c.s.edit(c.mbox, master, func(master Object) {
		if getString(status, "response") == "declined" {
			cancelOccurrence(master, id)
		} else {
			ex := exceptionFor(master, id)
			ex["responseStatus"] = cloneObject(status)
			if sa := answeredShowAs(getString(occ, "showAs"), getString(status, "response")); sa != "" {
				ex["showAs"] = sa
			}
			ex["changeKey"] = newChangeKey()
			ex["lastModifiedDateTime"] = now
		}
		// The exception is part of the series' item, as in Exchange.
		master["changeKey"] = newChangeKey()
	}); err != nil {
		return err
	}
	if send {
		c.updateOrganizerOccurrence(master, day, status)
	}
	return nil
}

// organizerEvents returns the organizer's mailbox and own events of the
// meeting ev (same iCalUId), when the organizer is another sandbox user.
func (c *call) organizerEvents(ev Object) (*Mailbox, []Object) {
	org := c.s.data.mailboxByAddress(strings.TrimSpace(getString(getObject(getObject(ev, "organizer"), "emailAddress"), "address")))
	if org == nil || org == c.mbox {
		return nil, nil
	}
	var out []Object
	for _, oe := range org.Events {
		if getBool(oe, "isOrganizer") && getString(oe, "iCalUId") == getString(ev, "iCalUId") {
			out = append(out, oe)
		}
	}
	return org, out
}

// updateOrganizerCopy sets the mailbox owner's status among the attendees
// of the organizer's copy of ev (same iCalUId), if the organizer is in the
// sandbox and their mailbox has room for it (a full mailbox does not get
// the response).
func (c *call) updateOrganizerCopy(ev Object, status Object) {
	org, events := c.organizerEvents(ev)
	for _, oe := range events {
		c.s.edit(org, oe, func(oe Object) {
			for _, a := range getArray(oe, "attendees") {
				am := asObject(a)
				if isAddressOf(c.mbox, strings.TrimSpace(getString(getObject(am, "emailAddress"), "address"))) {
					am["status"] = cloneObject(status)
				}
			}
			oe["changeKey"] = newChangeKey()
		})
	}
}

// updateOrganizerOccurrence records the mailbox owner's status for the
// occurrence on day (yyyymmdd) of the organizer's series of master: the
// occurrence becomes (or stays) an exception listing the attendee with
// that status; the series' attendee list is unchanged. As [MS-OXOCAL]
// 3.1.4.8.5.2 says, an answer for an occurrence the organizer has
// cancelled is discarded, and so is one from an address the series does
// not list.
func (c *call) updateOrganizerOccurrence(master Object, day string, status Object) {
	d, err := time.Parse("20060102", day)
	if err != nil {
		return
	}
	org, events := c.organizerEvents(master)
	for _, oe := range events {
		if _, ok := seriesOccurrence(oe, day); !ok {
			continue
		}
		var attendee Object
		for _, a := range getArray(oe, "attendees") {
			if isAddressOf(c.mbox, attendeeAddress(a)) {
				attendee = cloneObject(asObject(a))
				break
			}
		}
		if attendee == nil {
			continue
		}
		attendee["status"] = cloneObject(status)
		// A full organizer's mailbox does not get the response.
		c.s.edit(org, oe, func(oe Object) {
			ex := exceptionFor(oe, occurrenceID(getString(oe, "id"), d))
			answered := getArray(ex, "attendees")
			found := false
			for j, a := range answered {
				if isAddressOf(c.mbox, attendeeAddress(a)) {
					answered[j], found = attendee, true
				}
			}
			if !found {
				answered = append(answered, attendee)
			}
			ex["attendees"] = answered
			ex["changeKey"] = newChangeKey()
			ex["lastModifiedDateTime"] = getString(status, "time")
			oe["changeKey"] = newChangeKey()
		})
	}
}

// cancelEvent is the organizer cancelling a meeting: 202 and no body; the
// event leaves the organizer's calendar (Deleted Items), and attendees in
// the sandbox see their copy as cancelled. An occurrence id cancels that
// occurrence only, in the attendees' copies of the series too. An attendee
// gets Exchange's 400.
func cancelEvent(c *call) (result, *graphError) {
	masterID, day, isOcc := parseOccurrenceID(c.ids[0])
	id := c.ids[0]
	if isOcc {
		if _, err := c.occurrence(masterID, day); err != nil {
			return result{}, err
		}
		id = masterID
	}
	i, err := c.findEvent(id)
	if err != nil {
		return result{}, err
	}
	if _, err := c.decodeObject(eventCancelType.get()); err != nil {
		return result{}, err
	}
	ev := c.mbox.Events[i]
	if !getBool(ev, "isOrganizer") {
		return result{}, newError(400, "ErrorCalendarIsNotOrganizer", msgNotOrganizerCancel)
	}
	if isOcc {
		if err := c.s.edit(c.mbox, ev, func(ev Object) {
			cancelOccurrence(ev, c.ids[0])
			ev["changeKey"] = newChangeKey()
		}); err != nil {
			return result{}, err
		}
		c.cancelOccurrenceForAttendees(ev, day)
		return result{status: 202}, nil
	}
	c.s.charge(c.mbox, removeLen(len(c.mbox.Events), jsonLen(ev)))
	c.mbox.Events = append(c.mbox.Events[:i:i], c.mbox.Events[i+1:]...)
	c.sendCancellations(ev)
	return result{status: 202}, nil
}

// busyItem is one event as free/busy sees it.
type busyItem struct {
	start, end time.Time
	status     string // free, tentative, busy, oof, workingElsewhere
	ev         Object
}

// busyItems lists a mailbox's events overlapping [from, to), series
// expanded, cancelled ones left out; a meeting not yet answered counts as
// tentative, as Exchange shows it.
func busyItems(m *Mailbox, from, to time.Time) []busyItem {
	var out []busyItem
	status := func(e Object) string {
		if r := getString(getObject(e, "responseStatus"), "response"); r == "none" || r == "notResponded" {
			return "tentative"
		}
		return firstNonEmpty(getString(e, "showAs"), "busy")
	}
	for _, e := range m.Events {
		if getBool(e, "isCancelled") {
			continue
		}
		if e["recurrence"] != nil {
			for _, occ := range expandSeries(e, from, to) {
				o := occurrenceObject(e, occ) // an exception has its own answer
				out = append(out, busyItem{occ.start, occ.end, status(o), o})
			}
			continue
		}
		s, _, err1 := parseDateTimeTimeZone(getObject(e, "start"))
		en, _, err2 := parseDateTimeTimeZone(getObject(e, "end"))
		if err1 != nil || err2 != nil || !s.Before(to) || !en.After(from) {
			continue
		}
		out = append(out, busyItem{s, en, status(e), e})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out
}

// availabilityDigit is the availabilityView code of a status.
var availabilityDigit = map[string]byte{"free": '0', "tentative": '1', "busy": '2', "oof": '3', "workingElsewhere": '4'}

// statusRank orders statuses for a slot several items overlap.
var statusRank = map[string]int{"free": 0, "workingElsewhere": 1, "tentative": 2, "busy": 3, "oof": 4}

var getScheduleType = lazyType{build: func() *objType {
	return newObjType("getSchedule", map[string]*field{
		"schedules": arrayOf(str()), "startTime": object(dateTimeTimeZoneType.get()), "endTime": object(dateTimeTimeZoneType.get()),
		"availabilityViewInterval": integer(),
	})
}}

// Bounds on getSchedule the sandbox enforces (Graph documents the interval
// range; the schedule count and window are the sandbox's own bounds, chosen
// at Exchange's documented free/busy limits of 100 and 62 days).
const (
	maxSchedules      = 100
	maxScheduleWindow = 62 * 24 * time.Hour
)

// getSchedule answers POST /me/calendar/getSchedule (calendar-getschedule.md):
// for each address, the scheduleItems overlapping the window, an
// availabilityView of one digit per interval, and the working hours. The
// mailbox owner's own items carry subject, location and isPrivate; other
// users' only status and times (the default sharing shows free/busy only).
// An address that is not a sandbox user gets an error entry, as Graph does
// for an unknown recipient.
func getSchedule(c *call) (result, *graphError) {
	body, err := c.decodeObject(getScheduleType.get())
	if err != nil {
		return result{}, err
	}
	schedules := getArray(body, "schedules")
	if len(schedules) == 0 {
		return result{}, validationFailed("schedules", "getSchedule needs at least one address in schedules")
	}
	if len(schedules) > maxSchedules {
		return result{}, validationFailed("schedules", "getSchedule takes at most 100 addresses")
	}
	for _, k := range []string{"startTime", "endTime"} {
		if body[k] == nil {
			return result{}, validationFailed(k, "getSchedule needs "+k+" (a dateTimeTimeZone)")
		}
	}
	from, _, perr := parseDateTimeTimeZone(getObject(body, "startTime"))
	if perr != nil {
		return result{}, validationFailed("startTime", perr.Error())
	}
	to, _, perr := parseDateTimeTimeZone(getObject(body, "endTime"))
	if perr != nil {
		return result{}, validationFailed("endTime", perr.Error())
	}
	if !to.After(from) {
		return result{}, validationFailed("endTime", "endTime must be after startTime")
	}
	if to.Sub(from) > maxScheduleWindow {
		return result{}, validationFailed("endTime", "the window is longer than 62 days")
	}
	interval := 30
	if v, ok := body["availabilityViewInterval"].(float64); ok {
		interval = int(v)
	}
	if interval < 5 || interval > 1440 {
		return result{}, validationFailed("availabilityViewInterval", "availabilityViewInterval is from 5 to 1440 minutes")
	}
	step := time.Duration(interval) * time.Minute
	slots := int(math.Ceil(float64(to.Sub(from)) / float64(step)))
	value := make([]any, 0, len(schedules))
	for _, s := range schedules {
		addr := strings.TrimSpace(s.(string))
		m := c.s.data.mailbox(addr)
		if m == nil {
			value = append(value, Object{"scheduleId": addr, "availabilityView": "", "scheduleItems": []any{},
				"error": Object{"message": "The user '" + addr + "' is not in the sandbox's directory.", "responseCode": "ErrorMailRecipientNotFound"}})
			continue
		}
		items := busyItems(m, from, to)
		view := make([]byte, slots)
		for i := range view {
			ss, se := from.Add(time.Duration(i)*step), from.Add(time.Duration(i+1)*step)
			best := "free"
			for _, it := range items {
				if it.start.Before(se) && it.end.After(ss) && statusRank[it.status] > statusRank[best] {
					best = it.status
				}
			}
			view[i] = availabilityDigit[best]
		}
		own := m == c.mbox
		out := make([]any, 0, len(items))
		for _, it := range items {
			if it.status == "free" {
				continue
			}
			si := Object{"status": it.status, "start": formatDateTimeTimeZone(it.start, c.tz), "end": formatDateTimeTimeZone(it.end, c.tz)}
			if own {
				si["isPrivate"] = getString(it.ev, "sensitivity") == "private"
				si["subject"] = getString(it.ev, "subject")
				si["location"] = getString(getObject(it.ev, "location"), "displayName")
			}
			out = append(out, si)
		}
		value = append(value, Object{"scheduleId": addr, "availabilityView": string(view), "scheduleItems": out,
			"workingHours": cloneObject(getObject(m.MailboxSettings, "workingHours"))})
	}
	return ok(Object{"@odata.context": c.contextURL("Collection(microsoft.graph.scheduleInformation)"), "value": value})
}

var locationConstraintItemType = lazyType{build: func() *objType {
	return newObjType("locationConstraintItem", map[string]*field{
		"resolveAvailability": boolean(), "displayName": str(), "locationEmailAddress": str(), "address": anyValue(),
		"coordinates": anyValue(), "locationUri": str(), "locationType": str(), "uniqueId": str(), "uniqueIdType": str(),
	})
}}

var findMeetingTimesType = lazyType{build: func() *objType {
	return newObjType("findMeetingTimes", map[string]*field{
		"attendees": arrayOf(object(newObjType("attendeeBase", map[string]*field{
			"type": enum("attendeeType", "required", "optional", "resource"), "emailAddress": object(emailAddressType.get()),
		}))),
		"locationConstraint": object(newObjType("locationConstraint", map[string]*field{
			"isRequired": anyValue(), "suggestLocation": anyValue(), "locations": arrayOf(object(locationConstraintItemType.get())),
		})),
		"timeConstraint": object(newObjType("timeConstraint", map[string]*field{
			"activityDomain": enum("activityDomain", "unknown", "work", "personal", "unrestricted"),
			"timeSlots":      arrayOf(object(timeSlotType.get())),
		})),
		// The docs' own example sends these four as strings ("false", "100");
		// they are read leniently (boolish, numberish).
		"isOrganizerOptional":       anyValue(),
		"meetingDuration":           str(),
		"maxCandidates":             anyValue(),
		"minimumAttendeePercentage": anyValue(),
		"returnSuggestionReasons":   anyValue(),
	})
}}

var isoDuration = lazyregexp.New(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// parseISODuration reads an Edm.Duration such as PT1H30M.
func parseISODuration(s string) (time.Duration, bool) {
	m := isoDuration.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || s == "P" || strings.HasSuffix(strings.ToUpper(s), "T") {
		return 0, false
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * unit
		}
	}
	return d, d > 0
}

// boolish and numberish read a value sent as JSON or as a string.
func boolish(v any, def bool) (bool, bool) {
	switch x := v.(type) {
	case nil:
		return def, true
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return b, err == nil
	}
	return false, false
}

func numberish(v any, def float64) (float64, bool) {
	switch x := v.(type) {
	case nil:
		return def, true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// attendance is the chance an availability gives for attending
// (user-findmeetingtimes.md: free 100, unknown 49, busy 0; the docs do not
// say for tentative and oof: the sandbox takes 50 and 0).
var attendance = map[string]float64{"free": 100, "tentative": 50, "busy": 0, "oof": 0, "workingElsewhere": 100, "unknown": 49}

// Bounds on one findMeetingTimes call (Graph documents none; the sandbox's
// own, so a request cannot make it work without end): candidate slots
// looked at, attendees, time slots.
const (
	maxSuggestionSlots  = 2000
	maxMeetingAttendees = 100
	maxTimeSlots        = 50
)

// findMeetingTimes answers POST /me/findMeetingTimes: candidate slots of
// meetingDuration (default 30 minutes) on the half hour inside the time
// slots (default: the next two days) and the activity domain's hours (work:
// the organizer's working hours; personal: every day 08:00-17:00 in the
// mailbox's zone; unrestricted: any time), each attendee's availability from
// their calendar (unknown when not in the sandbox), confidence as the docs
// define it. Suggestions at or above minimumAttendeePercentage (default 50)
// with the organizer available (unless optional) are returned by confidence
// then time, at most maxCandidates (default 5); none gives the documented
// emptySuggestionsReason.
func findMeetingTimes(c *call) (result, *graphError) {
	body, err := c.decodeObject(findMeetingTimesType.get())
	if err != nil {
		return result{}, err
	}
	orgOptional, okB := boolish(body["isOrganizerOptional"], false)
	withReasons, okR := boolish(body["returnSuggestionReasons"], false)
	maxCand, okM := numberish(body["maxCandidates"], 5)
	minPct, okP := numberish(body["minimumAttendeePercentage"], 50)
	switch {
	case !okB:
		return result{}, errBodyRead("Cannot convert the literal to the expected type 'Edm.Boolean' (property 'isOrganizerOptional').")
	case !okR:
		return result{}, errBodyRead("Cannot convert the literal to the expected type 'Edm.Boolean' (property 'returnSuggestionReasons').")
	case !okM || maxCand < 0 || maxCand > 1000:
		return result{}, errBodyRead("Cannot convert the literal to the expected type 'Edm.Int32' (property 'maxCandidates').")
	case !okP || minPct < 0 || minPct > 100:
		return result{}, validationFailed("minimumAttendeePercentage", "minimumAttendeePercentage is from 0 to 100")
	}
	dur := 30 * time.Minute
	if s := getString(body, "meetingDuration"); s != "" {
		d, ok := parseISODuration(s)
		if !ok {
			return result{}, errBodyRead("Cannot convert the literal '%s' to the expected type 'Edm.Duration' (property 'meetingDuration').", s)
		}
		dur = d
	}
	mz, _ := resolveZone(getString(c.mbox.MailboxSettings, "timeZone"))
	tc := getObject(body, "timeConstraint")
	domain := firstNonEmpty(getString(tc, "activityDomain"), "work")
	type window struct{ from, to time.Time }
	var windows []window
	for i, ts := range getArray(tc, "timeSlots") {
		tm := asObject(ts)
		s, _, err1 := parseDateTimeTimeZone(getObject(tm, "start"))
		e, _, err2 := parseDateTimeTimeZone(getObject(tm, "end"))
		if err1 != nil || err2 != nil || !e.After(s) {
			return result{}, validationFailed("timeConstraint.timeSlots", "time slot "+strconv.Itoa(i)+" needs a start and a later end")
		}
		windows = append(windows, window{s, e})
	}
	now := c.s.now()
	if len(windows) == 0 {
		windows = []window{{now, now.Add(48 * time.Hour)}}
	}
	type person struct {
		addr string
		m    *Mailbox
	}
	if len(getArray(body, "attendees")) > maxMeetingAttendees {
		return result{}, validationFailed("attendees", "findMeetingTimes takes at most 100 attendees in the sandbox")
	}
	if len(getArray(tc, "timeSlots")) > maxTimeSlots {
		return result{}, validationFailed("timeConstraint.timeSlots", "findMeetingTimes takes at most 50 time slots in the sandbox")
	}
	var people []person
	for i, a := range getArray(body, "attendees") {
		addr := strings.TrimSpace(getString(getObject(asObject(a), "emailAddress"), "address"))
		if !validAddress(addr) {
			return result{}, validationFailed("attendees", "attendee "+strconv.Itoa(i)+" needs a valid emailAddress.address")
		}
		people = append(people, person{addr, c.s.data.mailbox(addr)})
	}
	var locs []any
	lc := getObject(body, "locationConstraint")
	for _, l := range getArray(lc, "locations") {
		locs = append(locs, Object{"displayName": getString(asObject(l), "displayName")})
	}
	if req, _ := boolish(lc["isRequired"], false); req && len(locs) == 0 {
		return ok(meetingResult(c, "locationsUnavailable", nil))
	}
	if locs == nil {
		locs = []any{}
	}
	inHours := func(s, e time.Time) bool {
		switch domain {
		case "unrestricted":
			return true
		case "personal":
			ls, le := s.In(mz.loc), e.Add(-time.Nanosecond).In(mz.loc)
			return ls.YearDay() == le.YearDay() && ls.Hour() >= 8 && (le.Hour() < 17)
		}
		return withinWorkingHours(c.mbox.MailboxSettings, mz, s, e)
	}
	availability := func(m *Mailbox, s, e time.Time) string {
		if m == nil {
			return "unknown"
		}
		best := "free"
		for _, it := range busyItems(m, s, e) {
			if statusRank[it.status] > statusRank[best] {
				best = it.status
			}
		}
		return best
	}
	type suggestion struct {
		start      time.Time
		confidence float64
		org        string
		avail      []string
	}
	var sugg []suggestion
	candidates, orgBusyEverywhere := 0, true
	for _, w := range windows {
		s := w.from.Truncate(30 * time.Minute)
		if s.Before(w.from) {
			s = s.Add(30 * time.Minute)
		}
		for ; !s.Add(dur).After(w.to) && candidates < maxSuggestionSlots; s = s.Add(30 * time.Minute) {
			e := s.Add(dur)
			if !inHours(s, e) || s.Before(now) {
				continue
			}
			candidates++
			org := availability(c.mbox, s, e)
			if org == "free" || org == "tentative" || org == "workingElsewhere" {
				orgBusyEverywhere = false
			} else if !orgOptional {
				continue
			}
			var avail []string
			total := 0.0
			for _, p := range people {
				a := availability(p.m, s, e)
				avail = append(avail, a)
				total += attendance[a]
			}
			conf := 100.0
			if len(people) > 0 {
				conf = total / float64(len(people))
			}
			if conf < minPct {
				continue
			}
			sugg = append(sugg, suggestion{s, conf, org, avail})
		}
	}
	if len(sugg) == 0 {
		reason := "attendeesUnavailable"
		switch {
		case candidates == 0:
			reason = "unknown"
		case orgBusyEverywhere && !orgOptional:
			reason = "organizerUnavailable"
		default:
			for _, p := range people {
				if p.m == nil {
					reason = "attendeesUnavailableOrUnknown"
				}
			}
		}
		return ok(meetingResult(c, reason, nil))
	}
	sort.SliceStable(sugg, func(i, j int) bool {
		if sugg[i].confidence != sugg[j].confidence {
			return sugg[i].confidence > sugg[j].confidence
		}
		return sugg[i].start.Before(sugg[j].start)
	})
	if n := int(maxCand); n > 0 && len(sugg) > n {
		sugg = sugg[:n]
	}
	out := make([]any, 0, len(sugg))
	for i, s := range sugg {
		aa := make([]any, 0, len(people))
		for j, p := range people {
			aa = append(aa, Object{"availability": s.avail[j], "attendee": Object{"emailAddress": Object{"address": p.addr}}})
		}
		o := Object{
			"confidence": s.confidence, "order": i + 1, "organizerAvailability": s.org,
			"attendeeAvailability": aa, "locations": locs,
			"meetingTimeSlot": Object{"start": formatDateTimeTimeZone(s.start, c.tz), "end": formatDateTimeTimeZone(s.start.Add(dur), c.tz)},
		}
		if withReasons {
			o["suggestionReason"] = "Suggested because it is one of the nearest times when all attendees are available."
			if s.confidence < 100 {
				o["suggestionReason"] = "Suggested because it is one of the nearest times when most attendees are available."
			}
		}
		out = append(out, o)
	}
	return ok(meetingResult(c, "", out))
}

func meetingResult(c *call, reason string, suggestions []any) Object {
	if suggestions == nil {
		suggestions = []any{}
	}
	return Object{"@odata.context": c.contextURL("microsoft.graph.meetingTimeSuggestionsResult"),
		"emptySuggestionsReason": reason, "meetingTimeSuggestions": suggestions}
}

// withinWorkingHours reports whether [s, e) lies inside one working day of
// the mailbox's workingHours (days, start and end time in its zone).
func withinWorkingHours(settings Object, mz zone, s, e time.Time) bool {
	wh := getObject(settings, "workingHours")
	z := mz
	if name := getString(getObject(wh, "timeZone"), "name"); name != "" {
		if wz, err := resolveZone(name); err == nil {
			z = wz
		}
	}
	ls, le := s.In(z.loc), e.In(z.loc)
	day := strings.ToLower(ls.Weekday().String())
	onDay := false
	for _, d := range getArray(wh, "daysOfWeek") {
		if strings.EqualFold(d.(string), day) {
			onDay = true
		}
	}
	if !onDay {
		return false
	}
	clock := func(v string, def int) int {
		t, err := time.Parse("15:04:05.9999999", v)
		if err != nil {
			return def
		}
		return t.Hour()*60 + t.Minute()
	}
	startMin, endMin := clock(getString(wh, "startTime"), 8*60), clock(getString(wh, "endTime"), 17*60)
	midnight := time.Date(ls.Year(), ls.Month(), ls.Day(), 0, 0, 0, 0, z.loc)
	return !ls.Before(midnight.Add(time.Duration(startMin)*time.Minute)) && !le.After(midnight.Add(time.Duration(endMin)*time.Minute))
}
