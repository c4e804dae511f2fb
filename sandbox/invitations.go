package sandbox

import (
	"net/url"
	"reflect"
	"strings"
	"time"
)

// Meeting invitations between sandbox users, as Exchange delivers them:
// an organizer's meeting puts a copy (same iCalUId, its own id) in the
// default calendar of every attendee who is a sandbox user; the
// organizer's updates change those copies, removing an attendee or
// deleting the meeting cancels them. Addresses outside the sandbox get
// nothing. The fan-out of one request is bounded by maxAttendees (an
// event has at most 500 attendees, so at most 500 copies are written).
//
// user-post-events.md: "When you create an event that includes attendees,
// the server sends invitations to all attendees." event-delete.md: "If
// the event is a meeting, deleting the event on the organizer's calendar
// sends a cancellation message to the meeting attendees." responsestatus.md:
// an attendee who has not answered sees notResponded in their own
// calendar, and none everywhere else.

// unansweredTime is the time of a response nobody has given yet, as Graph
// writes it (event resource examples).
const unansweredTime = "0001-01-01T00:00:00Z"

// meetingProps are the properties an organizer's update carries to the
// attendees' copies. The others (categories, reminders, showAs,
// transactionId) belong to each calendar owner.
var meetingProps = []string{"subject", "body", "bodyPreview", "start", "end", "originalStartTimeZone", "originalEndTimeZone",
	"location", "locations", "isAllDay", "recurrence", "type", "importance", "sensitivity", "isOnlineMeeting",
	"onlineMeetingProvider", "onlineMeeting", "onlineMeetingUrl", "allowNewTimeProposals", "responseRequested",
	"hideAttendees", "organizer"}

// addressBook maps lower-cased mail addresses and user principal names to
// their mailboxes, built once per fan-out.
func (d *Data) addressBook() map[string]*Mailbox {
	book := make(map[string]*Mailbox, 2*len(d.Users))
	for _, m := range d.Users {
		if m.User.Mail != "" {
			book[strings.ToLower(m.User.Mail)] = m
		}
		book[strings.ToLower(m.User.UserPrincipalName)] = m
	}
	return book
}

func attendeeAddress(a any) string {
	return strings.TrimSpace(getString(getObject(asObject(a), "emailAddress"), "address"))
}

// invitees returns the sandbox mailboxes among ev's attendees, each once,
// in attendee order, without the organizer's own (org).
func invitees(book map[string]*Mailbox, ev Object, org *Mailbox) []*Mailbox {
	var out []*Mailbox
	seen := map[*Mailbox]bool{org: true}
	for _, a := range getArray(ev, "attendees") {
		m := book[strings.ToLower(attendeeAddress(a))]
		if m == nil || seen[m] {
			continue
		}
		seen[m] = true
		out = append(out, m)
	}
	return out
}

// findCopy returns the index of m's copy of the meeting whose iCalUId is
// uid (an event m does not organise), or -1.
func findCopy(m *Mailbox, uid string) int {
	for i, e := range m.Events {
		if !getBool(e, "isOrganizer") && getString(e, "iCalUId") == uid {
			return i
		}
	}
	return -1
}

// copyAttendees is the attendee list an attendee's copy shows: the
// organizer's, every status none (responses are tallied only by the
// organizer), or only the attendee themselves when the organizer hides
// attendees.
func copyAttendees(ev Object, m *Mailbox) []any {
	hide := getBool(ev, "hideAttendees")
	out := []any{}
	for _, a := range getArray(ev, "attendees") {
		if hide && !isAddressOf(m, attendeeAddress(a)) {
			continue
		}
		am := cloneObject(asObject(a))
		am["status"] = Object{"response": "none", "time": unansweredTime}
		out = append(out, am)
	}
	return out
}

func isAddressOf(m *Mailbox, addr string) bool {
	return strings.EqualFold(addr, m.User.Mail) || strings.EqualFold(addr, m.User.UserPrincipalName)
}

// newCopy builds m's copy of the organizer's event ev under id: its own
// changeKey, not organised by m, not answered yet (shown as tentative),
// with m's own defaults for what is personal (categories, reminder).
func newCopy(ev Object, m *Mailbox, id string, now time.Time) Object {
	cp := cloneObject(ev)
	delete(cp, "transactionId")
	cp["id"] = id
	cp["changeKey"] = newChangeKey()
	cp["createdDateTime"] = timestamp(now)
	cp["lastModifiedDateTime"] = timestamp(now)
	cp["webLink"] = "https://outlook.office365.com/owa/?itemid=" + url.QueryEscape(id) + "&exvsurl=1&path=/calendar/item"
	cp["isOrganizer"] = false
	cp["isCancelled"] = false
	cp["isDraft"] = false
	cp["hasAttachments"] = false
	cp["responseStatus"] = Object{"response": "notResponded", "time": unansweredTime}
	cp["showAs"] = "tentative"
	cp["categories"] = []any{}
	cp["isReminderOn"] = true
	cp["reminderMinutesBeforeStart"] = float64(15)
	cp["attendees"] = copyAttendees(ev, m)
	cp["seriesMasterId"] = nil
	delete(cp, exceptionsKey) // the organizer's tally of answers to single occurrences
	if occ := getArray(ev, "cancelledOccurrences"); len(occ) > 0 {
		// Occurrence ids name their master: re-issue them under the copy's.
		var ids []any
		for _, o := range occ {
			if _, day, ok := parseOccurrenceID(asString(o)); ok {
				if d, err := time.Parse("20060102", day); err == nil {
					ids = append(ids, occurrenceID(id, d))
				}
			}
		}
		cp["cancelledOccurrences"] = ids
	}
	return cp
}

func asString(v any) string { s, _ := v.(string); return s }

// sendInvitations delivers a new meeting: each sandbox attendee's calendar
// gets a copy of ev.
func (c *call) sendInvitations(ev Object) {
	now := c.s.now()
	size := jsonLen(ev)
	for _, m := range invitees(c.s.data.addressBook(), ev, c.mbox) {
		c.deliverCopy(m, ev, size, now)
	}
}

// deliverCopy puts a fresh copy of ev (of size bytes) in m's calendar. A
// copy m still holds (a cancelled one, after the organizer removed and
// re-added m) is replaced in place, keeping its id. An attendee whose
// mailbox has no room for the copy gets nothing, as Exchange does not
// deliver to a full mailbox (the organizer's request succeeds).
func (c *call) deliverCopy(m *Mailbox, ev Object, size int64, now time.Time) {
	if i := findCopy(m, getString(ev, "iCalUId")); i >= 0 {
		old := m.Events[i]
		cp := newCopy(ev, m, getString(old, "id"), now)
		cp["createdDateTime"] = old["createdDateTime"]
		if c.s.take(m, sizeDelta(old, cp)) == nil {
			m.Events[i] = cp
		}
		return
	}
	cp := newCopy(ev, m, newItemID(), now)
	// The copy is measured as what differs from ev: a 500-attendee
	// meeting with a large body is not walked 500 times.
	if c.s.take(m, addLen(len(m.Events), size+sizeDelta(ev, cp))) == nil {
		m.Events = append(m.Events, cp)
	}
}

// significantChange reports whether an update moved the meeting: its
// start or end instant, or its recurrence, changed ([MS-OXOCAL]
// 3.1.4.7.3.1, "Detecting a Significant Change to the Meeting Object").
func significantChange(before, after Object) bool {
	for _, k := range []string{"start", "end"} {
		b, _, err1 := parseDateTimeTimeZone(getObject(before, k))
		a, _, err2 := parseDateTimeTimeZone(getObject(after, k))
		if err1 != nil || err2 != nil || !a.Equal(b) {
			return true
		}
	}
	return !reflect.DeepEqual(before["recurrence"], after["recurrence"])
}

// keepResponses carries the attendees' statuses from before into after's
// attendee list (an update does not forget who accepted), except when
// reset: a significant change to a meeting that asks for responses clears
// the tallied responses ([MS-OXOCAL] 3.1.4.7.3.2).
func keepResponses(before, after Object, reset bool) {
	if reset {
		return // normalizeEvent left every status none
	}
	old := map[string]any{}
	for _, a := range getArray(before, "attendees") {
		old[strings.ToLower(attendeeAddress(a))] = getObject(asObject(a), "status")
	}
	for _, a := range getArray(after, "attendees") {
		if st, ok := old[strings.ToLower(attendeeAddress(a))].(map[string]any); ok && st != nil {
			asObject(a)["status"] = cloneObject(st)
		}
	}
}

// keepExceptions decides what becomes of the exceptions (answers to single
// occurrences) of a series an update turned from before into after: they
// are dropped when the answers are asked again (reset, as keepResponses
// does for the series' answers) and when the recurrence changed, since
// [MS-OXOCAL] 3.1.4.7.3.5 removes every exception of a series whose
// pattern changes; otherwise they stay, and the organizer's lose the
// answers of attendees no longer invited.
func keepExceptions(before, after Object, reset bool) {
	if reset || !reflect.DeepEqual(before["recurrence"], after["recurrence"]) {
		delete(after, exceptionsKey)
		return
	}
	if !getBool(after, "isOrganizer") {
		return
	}
	invited := map[string]bool{}
	for _, a := range getArray(after, "attendees") {
		invited[strings.ToLower(attendeeAddress(a))] = true
	}
	for _, e := range getArray(after, exceptionsKey) {
		ex := asObject(e)
		if ex == nil || ex["attendees"] == nil {
			continue
		}
		kept := []any{}
		for _, a := range getArray(ex, "attendees") {
			if invited[strings.ToLower(attendeeAddress(a))] {
				kept = append(kept, a)
			}
		}
		ex["attendees"] = kept
	}
}

// sendUpdates carries an organizer's update of a meeting to the
// attendees: existing copies get the meeting properties that changed (and,
// after a significant change to a meeting that asks for responses, are
// unanswered again); attendees added get a copy; attendees removed see
// theirs cancelled. An attendee who declined (and so has no copy) gets no
// new one unless re-added.
func (c *call) sendUpdates(before, after Object) {
	book := c.s.data.addressBook()
	now := c.s.now()
	uid := getString(after, "iCalUId")
	var changed []string
	for _, k := range meetingProps {
		if !reflect.DeepEqual(before[k], after[k]) {
			changed = append(changed, k)
		}
	}
	reanswer := significantChange(before, after) && getBool(after, "responseRequested")

	wasInvited := map[*Mailbox]bool{}
	for _, m := range invitees(book, before, c.mbox) {
		wasInvited[m] = true
	}
	afterSize := int64(-1) // measured when a copy is delivered
	for _, m := range invitees(book, after, c.mbox) {
		if !wasInvited[m] {
			if afterSize < 0 {
				afterSize = jsonLen(after)
			}
			c.deliverCopy(m, after, afterSize, now)
			continue
		}
		delete(wasInvited, m)
		i := findCopy(m, uid)
		if i < 0 {
			continue // declined or deleted by the attendee
		}
		cp := cloneObject(m.Events[i])
		for _, k := range changed {
			cp[k] = cloneValue(after[k])
		}
		cp["attendees"] = copyAttendees(after, m)
		if reanswer {
			cp["responseStatus"] = Object{"response": "notResponded", "time": unansweredTime}
			cp["showAs"] = "tentative"
		}
		if reanswer || !reflect.DeepEqual(before["recurrence"], after["recurrence"]) {
			delete(cp, exceptionsKey) // as keepExceptions does for the organizer
		}
		if reflect.DeepEqual(cp, m.Events[i]) {
			continue
		}
		cp["changeKey"] = newChangeKey()
		cp["lastModifiedDateTime"] = timestamp(now)
		if c.s.take(m, sizeDelta(m.Events[i], cp)) != nil {
			continue // a full mailbox does not get the update
		}
		m.Events[i] = cp
	}
	// Those left were removed from the meeting.
	for _, m := range invitees(book, before, c.mbox) {
		if wasInvited[m] {
			c.s.cancelCopy(m, uid, now)
		}
	}
}

// sendCancellations cancels the meeting ev for every sandbox attendee:
// their copy stays in their calendar, isCancelled, its subject prefixed
// "Canceled: ", as Outlook shows a cancelled meeting until it is removed.
func (c *call) sendCancellations(ev Object) {
	now := c.s.now()
	for _, m := range invitees(c.s.data.addressBook(), ev, c.mbox) {
		c.s.cancelCopy(m, getString(ev, "iCalUId"), now)
	}
}

// cancelCopy marks m's copy of the meeting uid cancelled, unless m's
// mailbox has no room for the change (a full mailbox does not get the
// cancellation).
func (s *Server) cancelCopy(m *Mailbox, uid string, now time.Time) {
	i := findCopy(m, uid)
	if i < 0 {
		return
	}
	if getBool(m.Events[i], "isCancelled") {
		return
	}
	s.edit(m, m.Events[i], func(cp Object) {
		cp["isCancelled"] = true
		cp["subject"] = "Canceled: " + strings.TrimPrefix(getString(cp, "subject"), "Canceled: ")
		cp["changeKey"] = newChangeKey()
		cp["lastModifiedDateTime"] = timestamp(now)
	})
}

// cancelOccurrenceForAttendees removes the occurrence of the series ev on
// day (yyyymmdd) from every sandbox attendee's copy of the series.
func (c *call) cancelOccurrenceForAttendees(ev Object, day string) {
	d, err := time.Parse("20060102", day)
	if err != nil {
		return
	}
	now := c.s.now()
	for _, m := range invitees(c.s.data.addressBook(), ev, c.mbox) {
		i := findCopy(m, getString(ev, "iCalUId"))
		if i < 0 || m.Events[i]["recurrence"] == nil {
			continue
		}
		c.s.edit(m, m.Events[i], func(cp Object) {
			if cancelOccurrence(cp, occurrenceID(getString(cp, "id"), d)) {
				cp["changeKey"] = newChangeKey()
				cp["lastModifiedDateTime"] = timestamp(now)
			}
		})
	}
}
