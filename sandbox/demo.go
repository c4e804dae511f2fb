package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/runflow/runflow/internal/graphref"
)

// Demo directory: the signed-in demo user and a colleague.
var (
	demoUser = User{
		ID: "5f1c2a9e-3b7d-4e8a-9c61-0d2e4f6a8b1c", UserPrincipalName: "AdeleV@contoso.onmicrosoft.com",
		DisplayName: "Adele Vance", GivenName: "Adele", Surname: "Vance", Mail: "AdeleV@contoso.onmicrosoft.com",
		JobTitle: "Retail Manager", MobilePhone: "+1 425 555 0109", OfficeLocation: "18/2111",
		PreferredLanguage: "en-US", PostalCode: "98004", BusinessPhones: []string{"+1 425 555 0109"},
		Password: "sandbox",
	}
	colleague = User{
		ID: "a3b9c1d7-6e2f-4a8b-b5c4-9d0e1f2a3b4c", UserPrincipalName: "AlexW@contoso.onmicrosoft.com",
		DisplayName: "Alex Wilber", GivenName: "Alex", Surname: "Wilber", Mail: "AlexW@contoso.onmicrosoft.com",
		JobTitle: "Marketing Assistant", OfficeLocation: "131/1104", PreferredLanguage: "en-US",
		BusinessPhones: []string{"+1 858 555 0110"}, Password: "sandbox",
	}
	// More of the directory: Megan sends a third of the seeded mail and
	// organises a meeting Adele is invited to; Lee and Diego are there to
	// be found (GET /users, $search) and asked (getSchedule).
	megan = User{
		ID: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f", UserPrincipalName: "MeganB@contoso.onmicrosoft.com",
		DisplayName: "Megan Bowen", GivenName: "Megan", Surname: "Bowen", Mail: "MeganB@contoso.onmicrosoft.com",
		JobTitle: "Marketing Manager", OfficeLocation: "12/1110", PreferredLanguage: "en-US",
		BusinessPhones: []string{"+1 412 555 0109"}, Password: "sandbox",
	}
	leeGu = User{
		ID: "d4c3b2a1-9f8e-4d7c-a6b5-f4e3d2c1b0a9", UserPrincipalName: "LeeG@contoso.onmicrosoft.com",
		DisplayName: "Lee Gu", GivenName: "Lee", Surname: "Gu", Mail: "LeeG@contoso.onmicrosoft.com",
		JobTitle: "Director", OfficeLocation: "23/3101", PreferredLanguage: "en-US",
		BusinessPhones: []string{"+1 913 555 0101"}, Password: "sandbox",
	}
	diego = User{
		ID: "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b", UserPrincipalName: "DiegoS@contoso.onmicrosoft.com",
		DisplayName: "Diego Siciliani", GivenName: "Diego", Surname: "Siciliani", Mail: "DiegoS@contoso.onmicrosoft.com",
		JobTitle: "HR Manager", OfficeLocation: "14/1108", PreferredLanguage: "en-US",
		BusinessPhones: []string{"+1 205 555 0108"}, Password: "sandbox",
	}
)

// DemoTimeZone is the demo user's mailbox time zone.
const DemoTimeZone = "Pacific Standard Time"

// seededID is a stable Graph-looking id derived from a name, so the demo
// mailbox has the same ids every time.
func seededID(name string) string {
	h := sha256.Sum256([]byte("runflow-sandbox:" + name))
	b := append(append([]byte{}, idPrefix...), 0x00)
	b = append(b, h[:22]...)
	return base64.URLEncoding.EncodeToString(b)
}

func seededKey(name string) string {
	h := sha256.Sum256([]byte("runflow-sandbox-key:" + name))
	return base64.StdEncoding.EncodeToString(h[:16])
}

// DemoData builds the demo directory and mailbox, seeded relative to now:
// this week's events in the mailbox's zone (a recurring stand-up, an
// all-day offsite, a Teams meeting and ordinary meetings), To Do lists with
// the well-known "Tasks" and "Flagged Emails", tasks, and messages in the
// Inbox and Sent Items. The same now gives the same data, ids included.
func DemoData(now time.Time) *Data {
	z, _ := resolveZone(DemoTimeZone)
	local := now.In(z.loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, z.loc)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	at := func(day time.Time, h, m int) Object {
		return Object{"dateTime": time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, z.loc).Format(graphref.DateTimeLayout), "timeZone": DemoTimeZone}
	}
	attendee := func(u User) any {
		return Object{"type": "required", "emailAddress": Object{"name": u.DisplayName, "address": u.Mail}}
	}
	m := &Mailbox{User: demoUser, MailboxSettings: defaultMailboxSettings(DemoTimeZone)}
	alex := &Mailbox{User: colleague, MailboxSettings: defaultMailboxSettings("Eastern Standard Time")}
	meg := &Mailbox{User: megan, MailboxSettings: defaultMailboxSettings(DemoTimeZone)}
	lee := &Mailbox{User: leeGu, MailboxSettings: defaultMailboxSettings(DemoTimeZone)}
	dgo := &Mailbox{User: diego, MailboxSettings: defaultMailboxSettings("Central Standard Time")}
	addEvent := func(key string, e Object) { addDemoEvent(m, key, e, monday) }
	addEvent("standup", Object{
		"subject": "Team stand-up", "body": Object{"contentType": "html", "content": "Fifteen minutes: yesterday, today, blockers."},
		"start": at(monday, 9, 30), "end": at(monday, 9, 45), "location": Object{"displayName": "Team room"},
		"attendees": []any{attendee(colleague)},
		"recurrence": Object{
			"pattern": Object{"type": "weekly", "interval": float64(1), "daysOfWeek": []any{"monday", "tuesday", "wednesday", "thursday", "friday"}},
			"range":   Object{"type": "endDate", "startDate": monday.Format("2006-01-02"), "endDate": monday.AddDate(0, 0, 27).Format("2006-01-02")},
		},
	})
	addEvent("offsite", Object{
		"subject": "Company offsite", "isAllDay": true, "showAs": "oof",
		"start": at(monday.AddDate(0, 0, 3), 0, 0), "end": at(monday.AddDate(0, 0, 4), 0, 0),
		"location": Object{"displayName": "Lakeside Lodge"},
	})
	addEvent("teams", Object{
		"subject": "Project sync", "body": Object{"contentType": "html", "content": "Status of the spring launch."},
		"start": at(monday.AddDate(0, 0, 1), 14, 0), "end": at(monday.AddDate(0, 0, 1), 15, 0),
		"isOnlineMeeting": true, "onlineMeetingProvider": "teamsForBusiness", "attendees": []any{attendee(colleague)},
	})
	plain := []struct {
		key, subject, where string
		day, h, m, mins     int
	}{
		{"lunch", "Lunch with Megan", "Fourth Coffee", 2, 12, 0, 60},
		{"one-on-one", "1:1 with Alex", "Room 2/1104", 0, 11, 0, 30},
		{"review", "Quarterly business review", "Conf Room 3", 4, 15, 0, 90},
		{"dentist", "Dentist", "Main St Dental", 1, 8, 0, 45},
		{"focus-mon", "Focus time", "", 0, 13, 0, 120},
		{"focus-wed", "Focus time", "", 2, 14, 0, 120},
		{"training", "Security training", "Online", 3, 10, 0, 60},
		{"interview", "Interview: store lead", "Room 1/2200", 4, 9, 0, 60},
		{"planning", "Sprint planning", "Team room", 0, 15, 0, 60},
		{"retro", "Retrospective", "Team room", 4, 16, 45, 45},
	}
	for _, p := range plain {
		day := monday.AddDate(0, 0, p.day)
		start := time.Date(day.Year(), day.Month(), day.Day(), p.h, p.m, 0, 0, z.loc)
		end := start.Add(time.Duration(p.mins) * time.Minute)
		e := Object{"subject": p.subject, "start": at(day, p.h, p.m),
			"end": Object{"dateTime": end.Format(graphref.DateTimeLayout), "timeZone": DemoTimeZone}}
		if p.where != "" {
			e["location"] = Object{"displayName": p.where}
		}
		addEvent(p.key, e)
	}

	// The attendees' copies of Adele's meetings, their own meetings, and a
	// meeting Megan organises that Adele has not answered yet.
	invite := func(mb *Mailbox, key string, of Object, response string) {
		e := Object{"subject": of["subject"], "start": of["start"], "end": of["end"], "location": of["location"],
			"recurrence": of["recurrence"], "attendees": of["attendees"], "isOnlineMeeting": of["isOnlineMeeting"],
			"onlineMeetingProvider": of["onlineMeetingProvider"], "body": of["body"],
			"isOrganizer": false, "organizer": of["organizer"],
			"responseStatus": Object{"response": response, "time": "0001-01-01T00:00:00Z"}}
		if response == "notResponded" {
			e["showAs"] = "tentative"
		}
		c := addDemoEvent(mb, key, e, monday)
		c["iCalUId"] = of["iCalUId"]
	}
	// The invitation is for the next weekday, so it is always ahead.
	inviteDay := today.AddDate(0, 0, 1)
	for inviteDay.Weekday() == time.Saturday || inviteDay.Weekday() == time.Sunday {
		inviteDay = inviteDay.AddDate(0, 0, 1)
	}
	invite(alex, "alex:standup", m.Events[0], "accepted")
	invite(alex, "alex:teams", m.Events[2], "accepted")
	addDemoEvent(alex, "alex:marketing", Object{"subject": "Marketing sync", "start": at(monday.AddDate(0, 0, 1), 10, 0), "end": at(monday.AddDate(0, 0, 1), 11, 0)}, monday)
	addDemoEvent(alex, "alex:campaign", Object{"subject": "Campaign review", "start": at(monday.AddDate(0, 0, 2), 13, 0), "end": at(monday.AddDate(0, 0, 2), 14, 30)}, monday)
	layout := addDemoEvent(meg, "megan:layout", Object{
		"subject": "Store layout review", "body": Object{"contentType": "html", "content": "Walk through the new floor plan before it goes to the stores."},
		"start": at(inviteDay, 10, 0), "end": at(inviteDay, 10, 30), "location": Object{"displayName": "Conf Room 2"},
		"attendees": []any{attendee(demoUser), attendee(colleague)},
	}, monday)
	invite(m, "layout", layout, "notResponded")
	invite(alex, "alex:layout", layout, "notResponded")
	addDemoEvent(meg, "megan:customer", Object{"subject": "Customer visit", "start": at(monday, 13, 0), "end": at(monday, 15, 0)}, monday)
	addDemoEvent(lee, "lee:board", Object{"subject": "Board prep", "start": at(monday.AddDate(0, 0, 1), 9, 0), "end": at(monday.AddDate(0, 0, 1), 12, 0)}, monday)
	addDemoEvent(lee, "lee:budget", Object{"subject": "Budget planning", "start": at(monday.AddDate(0, 0, 4), 13, 0), "end": at(monday.AddDate(0, 0, 4), 15, 0)}, monday)

	stamp := timestamp(now.Add(-72 * time.Hour))
	addList := func(key, name, wellKnown string, tasks ...Object) {
		l := newTodoList(name, wellKnown)
		l["id"] = seededID("list:" + key)
		ld := &TodoListData{List: l, Tasks: []Object{}}
		for i, t := range tasks {
			full := Object{"importance": "normal", "isReminderOn": false, "status": "notStarted", "createdDateTime": stamp,
				"bodyLastModifiedDateTime": stamp, "hasAttachments": false, "categories": []any{},
				"body": Object{"content": "", "contentType": "text"}}
			for k, v := range t {
				full[k] = v
			}
			if err := normalizeTask(full, stamp); err != nil {
				panic("sandbox: demo task: " + err.Error())
			}
			full["id"] = seededID("task:" + key + ":" + strconv.Itoa(i))
			full["@odata.etag"] = etagOf(seededKey("task:" + key + ":" + strconv.Itoa(i)))
			ld.Tasks = append(ld.Tasks, full)
		}
		m.TodoLists = append(m.TodoLists, ld)
	}
	due := func(days int) Object {
		d := today.AddDate(0, 0, days)
		return Object{"dateTime": time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).Format(graphref.DateTimeLayout), "timeZone": "UTC"}
	}
	addList("tasks", "Tasks", "defaultList",
		Object{"title": "Submit expense report", "importance": "high", "dueDateTime": due(1)},
		Object{"title": "Book flights for the offsite", "status": "inProgress", "dueDateTime": due(2)},
		Object{"title": "Renew parking permit", "status": "completed"},
	)
	addList("flagged", "Flagged Emails", "flaggedEmails",
		Object{"title": "Reply to Alex about the launch plan", "body": Object{"contentType": "text", "content": "Alex asked for comments by Friday."}},
	)
	addList("groceries", "Groceries", "none",
		Object{"title": "Coffee beans"},
		Object{"title": "Oat milk", "categories": []any{"Errands"}},
	)

	senders := []User{colleague,
		{DisplayName: "Microsoft Planner", Mail: "noreply@planner.office365.com"},
		megan,
	}
	subjects := []string{"Launch plan comments", "You have late tasks!", "Lunch on Wednesday?", "Offsite agenda",
		"Re: Quarterly numbers", "Your weekly digest", "Training reminder", "Store lead candidates",
		"Re: Lunch on Wednesday?", "Parking permit renewed", "Coffee order", "Sprint goals"}
	for i, subj := range subjects {
		from := senders[i%len(senders)]
		addr := Object{"emailAddress": Object{"name": from.DisplayName, "address": from.Mail}}
		when := timestamp(now.Add(-time.Duration(len(subjects)-i) * 5 * time.Hour))
		body, preview := normalizeBody(Object{"contentType": "html", "content": "<p>" + subj + ": see the details below.</p>"})
		id := seededID("message:" + strconv.Itoa(i))
		m.Messages = append(m.Messages, Object{
			"id": id, "createdDateTime": when, "lastModifiedDateTime": when, "changeKey": seededKey("message:" + strconv.Itoa(i)),
			"categories": []any{}, "receivedDateTime": when, "sentDateTime": when, "hasAttachments": false,
			"internetMessageId": "<demo-" + strconv.Itoa(i) + "@contoso.onmicrosoft.com>", "subject": subj, "bodyPreview": preview,
			"importance": "normal", "parentFolderId": FolderID(demoUser.ID, "inbox"), "conversationId": seededID("conversation:" + strconv.Itoa(i)),
			"isDeliveryReceiptRequested": false, "isReadReceiptRequested": false, "isRead": i < 8, "isDraft": false,
			"webLink":                 "https://outlook.office365.com/owa/?ItemID=" + id + "&exvsurl=1&viewmodel=ReadMessageItem",
			"inferenceClassification": "focused", "body": body, "sender": addr, "from": addr,
			"toRecipients": []any{Object{"emailAddress": Object{"name": demoUser.DisplayName, "address": demoUser.Mail}}},
			"ccRecipients": []any{}, "bccRecipients": []any{}, "replyTo": []any{}, "flag": Object{"flagStatus": "notFlagged"},
			"internetMessageHeaders": []any{},
		})
	}
	return &Data{Version: dataVersion, Seeded: now.UTC().Format(time.RFC3339Nano), Users: []*Mailbox{m, alex, meg, lee, dgo}}
}

// addDemoEvent stores a demo event in mb's calendar with the defaults
// Exchange fills, organised by mb's owner unless e says otherwise, with ids
// derived from key. It returns the stored event.
func addDemoEvent(mb *Mailbox, key string, e Object, monday time.Time) Object {
	owner := mb.User
	base := Object{
		"createdDateTime": timestamp(monday.AddDate(0, 0, -7)), "categories": []any{}, "reminderMinutesBeforeStart": float64(15),
		"isReminderOn": true, "hasAttachments": false, "hideAttendees": false, "importance": "normal", "sensitivity": "normal",
		"isAllDay": false, "isCancelled": false, "isDraft": false, "isOrganizer": true, "responseRequested": true,
		"seriesMasterId": nil, "showAs": "busy", "onlineMeetingUrl": nil, "isOnlineMeeting": false,
		"onlineMeetingProvider": "unknown", "onlineMeeting": nil, "allowNewTimeProposals": true,
		"responseStatus": Object{"response": "organizer", "time": "0001-01-01T00:00:00Z"},
		"attendees":      []any{}, "recurrence": nil,
		"organizer": Object{"emailAddress": Object{"name": owner.DisplayName, "address": owner.Mail}},
	}
	for k, v := range e {
		if v != nil || k == "recurrence" {
			base[k] = v
		}
	}
	if base["isOnlineMeeting"] == nil {
		base["isOnlineMeeting"] = false
	}
	if err := normalizeEvent(base, monday.AddDate(0, 0, -7), owner); err != nil {
		panic("sandbox: demo event " + key + ": " + err.Error())
	}
	id := seededID("event:" + key)
	base["id"] = id
	base["changeKey"] = seededKey("event:" + key)
	base["iCalUId"] = "040000008200E00074C5B7101A82E00800000000" + hexString([]byte(id))[:56]
	base["webLink"] = "https://outlook.office365.com/owa/?itemid=" + id + "&exvsurl=1&path=/calendar/item"
	if getBool(base, "isOnlineMeeting") {
		base["onlineMeeting"] = Object{"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + id[4:24] + "%40thread.v2/0", "conferenceId": "177513992", "tollNumber": "+1 425 555 0123"}
	}
	mb.Events = append(mb.Events, base)
	return base
}
