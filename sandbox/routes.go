package sandbox

import (
	"net/http"
	"net/url"
	"strings"
)

// call is one Graph request being served.
type call struct {
	s     *Server
	r     *http.Request
	grant Grant
	query url.Values
	body  []byte

	mbox *Mailbox
	// subject is the OData context prefix for the addressed user, e.g.
	// "users('5f1c...')".
	subject string
	// ids are the {id} segments the route captured, in order.
	ids []string

	// basicOnly is set when the token reads with a ...ReadBasic permission
	// only: Graph then leaves out bodies (Calendars.ReadBasic,
	// Mail.ReadBasic[.All]).
	basicOnly bool

	tz          zone   // response time zone (Prefer: outlook.timezone)
	tzApplied   bool   // whether the Prefer time zone was honoured
	bodyType    string // "text", "html" or "" (Prefer: outlook.body-content-type)
	maxPageSize int    // Prefer: odata.maxpagesize, 0 if absent
}

// result is what a handler answers.
type result struct {
	status int
	body   any // nil for no body
	header http.Header
}

type handlerFunc func(c *call) (result, *graphError)

// route is one Graph operation under /me or /users/{id}.
type route struct {
	method  string
	pattern string // segments after the user; "{id}" captures
	perm    permission
	handle  handlerFunc
}

// routes lists every operation the sandbox serves. Segment matching is
// case-insensitive, as in Graph.
var routes []route

func init() {
	routes = []route{
		{"GET", "", permUserRead, getUser},
		{"GET", "mailboxSettings", permMailboxSettingsRead, getMailboxSettings},
		{"GET", "mailboxSettings/{id}", permMailboxSettingsRead, getMailboxSetting},
		{"GET", "events", permCalendarsRead, listEvents},
		{"POST", "events", permCalendarsWrite, createEvent},
		{"GET", "events/{id}", permCalendarsRead, getEvent},
		{"PATCH", "events/{id}", permCalendarsWrite, updateEvent},
		{"DELETE", "events/{id}", permCalendarsWrite, deleteEvent},
		{"GET", "calendar/events", permCalendarsRead, listEvents},
		{"POST", "calendar/events", permCalendarsWrite, createEvent},
		{"GET", "calendarView", permCalendarsRead, calendarView},
		{"GET", "calendar/calendarView", permCalendarsRead, calendarView},
		{"GET", "todo/lists", permTasksRead, listTodoLists},
		{"POST", "todo/lists", permTasksWrite, createTodoList},
		{"GET", "todo/lists/{id}", permTasksRead, getTodoList},
		{"PATCH", "todo/lists/{id}", permTasksWrite, updateTodoList},
		{"DELETE", "todo/lists/{id}", permTasksWrite, deleteTodoList},
		{"GET", "todo/lists/{id}/tasks", permTasksRead, listTasks},
		{"POST", "todo/lists/{id}/tasks", permTasksWrite, createTask},
		{"GET", "todo/lists/{id}/tasks/{id}", permTasksRead, getTask},
		{"PATCH", "todo/lists/{id}/tasks/{id}", permTasksWrite, updateTask},
		{"DELETE", "todo/lists/{id}/tasks/{id}", permTasksWrite, deleteTask},
		{"POST", "sendMail", permMailSend, sendMail},
		{"GET", "messages", permMailRead, listMessages},
		{"GET", "messages/{id}", permMailRead, getMessage},
		{"GET", "mailFolders/{id}/messages", permMailRead, listFolderMessages},
	}
	// Message operations and attachments (mailops.go, attachments.go).
	routes = append(routes, []route{
		{"POST", "messages", permMailReadWrite, createDraft},
		{"PATCH", "messages/{id}", permMailReadWrite, updateMessage},
		{"DELETE", "messages/{id}", permMailReadWrite, deleteMessage},
		{"POST", "messages/{id}/reply", permMailSend, replyMessage},
		{"POST", "messages/{id}/replyAll", permMailSend, replyAllMessage},
		{"POST", "messages/{id}/forward", permMailSend, forwardMessage},
		{"POST", "messages/{id}/createReply", permMailReadWrite, createReply},
		{"POST", "messages/{id}/createReplyAll", permMailReadWrite, createReplyAll},
		{"POST", "messages/{id}/createForward", permMailReadWrite, createForward},
		{"POST", "messages/{id}/move", permMailReadWrite, moveMessage},
		{"POST", "messages/{id}/send", permMailSend, sendDraft},
		{"GET", "messages/{id}/attachments", permMailReadNotBasic, listAttachments},
		{"POST", "messages/{id}/attachments", permMailReadWrite, addAttachment},
		{"POST", "messages/{id}/attachments/createUploadSession", permMailReadWrite, createUploadSession},
		{"GET", "messages/{id}/attachments/{id}", permMailReadNotBasic, getAttachment},
	}...)
	// Calendar actions, To Do checklist items and people (issue 14, i14a).
	for _, prefix := range []string{"events/{id}/", "calendar/events/{id}/"} {
		routes = append(routes,
			route{"POST", prefix + "accept", permCalendarsWrite, acceptEvent},
			route{"POST", prefix + "tentativelyAccept", permCalendarsWrite, tentativelyAcceptEvent},
			route{"POST", prefix + "decline", permCalendarsWrite, declineEvent},
			route{"POST", prefix + "cancel", permCalendarsWrite, cancelEvent},
		)
	}
	routes = append(routes,
		route{"GET", "calendar/events/{id}", permCalendarsRead, getEvent},
		route{"PATCH", "calendar/events/{id}", permCalendarsWrite, updateEvent},
		route{"DELETE", "calendar/events/{id}", permCalendarsWrite, deleteEvent},
		route{"POST", "calendar/getSchedule", permCalendarsRead, getSchedule},
		route{"POST", "findMeetingTimes", permFindMeetingTimes, findMeetingTimes},
		route{"GET", "todo/lists/{id}/tasks/{id}/checklistItems", permTasksRead, listChecklistItems},
		route{"POST", "todo/lists/{id}/tasks/{id}/checklistItems", permTasksWrite, createChecklistItem},
		route{"GET", "todo/lists/{id}/tasks/{id}/checklistItems/{id}", permTasksRead, getChecklistItem},
		route{"PATCH", "todo/lists/{id}/tasks/{id}/checklistItems/{id}", permTasksWrite, updateChecklistItem},
		route{"DELETE", "todo/lists/{id}/tasks/{id}/checklistItems/{id}", permTasksWrite, deleteChecklistItem},
		route{"GET", "people", permPeopleRead, listPeople},
	)
}

// directoryRoute is GET /users, the directory's list of users.
var directoryRoute = route{"GET", "", permOtherUserRead, listUsers}

// resolve finds the addressed mailbox and route and checks the token's
// permissions, in the order Graph does.
func (c *call) resolve(segs []string) (*route, *graphError) {
	var rest []string
	prefix := "/me"
	switch {
	case strings.EqualFold(segs[0], "me"):
		if c.grant.AppOnly {
			return nil, newError(400, "BadRequest", msgMeAppOnly)
		}
		c.mbox = c.s.mailboxLocked(c.grant.UserID)
		if c.mbox == nil {
			return nil, newError(404, "ErrorInvalidUser", "The requested user '%s' is invalid.", c.grant.UserID)
		}
		rest = segs[1:]
	case strings.EqualFold(segs[0], "users") && len(segs) == 1:
		// The directory itself: no mailbox is addressed; the caller's own
		// stands in so handlers have a subject.
		if c.r.Method != http.MethodGet {
			return nil, newError(405, "Request_BadRequest", msgMethod)
		}
		c.mbox = c.s.mailboxLocked(c.grant.UserID)
		if c.mbox == nil {
			c.mbox = c.s.firstMailbox()
		}
		c.subject = "users('" + c.mbox.User.ID + "')"
		allowed := directoryRoute.perm.delegated
		if c.grant.AppOnly {
			allowed = directoryRoute.perm.application
		}
		if !hasAnyScope(c.grant, allowed...) {
			return nil, newError(403, "Authorization_RequestDenied", msgInsufficientPrivileges)
		}
		return &directoryRoute, nil
	case strings.EqualFold(segs[0], "users") && len(segs) >= 2:
		c.mbox = c.s.mailboxLocked(segs[1])
		rest = segs[2:]
		prefix = "/users/{id}"
		if c.mbox == nil {
			if len(rest) == 0 {
				return nil, newError(404, "Request_ResourceNotFound", "Resource '%s' does not exist or one of its queried reference-property objects are not present.", segs[1])
			}
			return nil, newError(404, "ErrorInvalidUser", "The requested user '%s' is invalid.", segs[1])
		}
	default:
		if e := notModelledRoot(c.r.Method, segs); e != nil {
			return nil, e
		}
		return nil, newError(400, "BadRequest", "Resource not found for the segment '%s'.", segs[0])
	}
	c.subject = "users('" + c.mbox.User.ID + "')"

	var pathMatched *route
	for i := range routes {
		rt := &routes[i]
		ids, ok := matchPattern(rt.pattern, rest)
		if !ok {
			continue
		}
		if pathMatched == nil {
			pathMatched = rt
		}
		if rt.method != c.r.Method {
			continue
		}
		c.ids = ids
		if err := c.authorize(rt, len(rest) == 0); err != nil {
			return nil, err
		}
		return rt, nil
	}
	if pathMatched != nil {
		return nil, newError(405, "Request_BadRequest", msgMethod)
	}
	if e := notModelled(c.r.Method, prefix, rest); e != nil {
		return nil, e
	}
	return nil, newError(400, "BadRequest", "Resource not found for the segment '%s'.", firstUnknownSegment(rest))
}

// firstUnknownSegment names the segment Graph would complain about.
func firstUnknownSegment(rest []string) string {
	for _, s := range rest {
		if !servedSegment(s) {
			return s
		}
	}
	if len(rest) > 0 {
		return rest[len(rest)-1]
	}
	return ""
}

func matchPattern(pattern string, segs []string) ([]string, bool) {
	var parts []string
	if pattern != "" {
		parts = strings.Split(pattern, "/")
	}
	if len(parts) != len(segs) {
		return nil, false
	}
	var ids []string
	for i, p := range parts {
		if p == "{id}" {
			ids = append(ids, segs[i])
			continue
		}
		if !strings.EqualFold(p, segs[i]) {
			return nil, false
		}
	}
	return ids, true
}

// authorize checks the grant's scopes (delegated) or roles (app-only)
// against the operation's permissions. A delegated token may address only
// its own user.
func (c *call) authorize(rt *route, userEntity bool) *graphError {
	g := c.grant
	if !g.AppOnly && c.mbox.User.ID != g.UserID {
		// Reading another user's profile needs a directory-wide scope;
		// their mailbox needs .Shared permissions the sandbox does not model.
		if !userEntity {
			return newError(403, "ErrorAccessDenied", msgAccessDenied)
		}
		if !hasAnyScope(g, permOtherUserRead.delegated...) {
			// The directory answers, not Exchange: its code, not ErrorAccessDenied.
			return newError(403, "Authorization_RequestDenied", msgInsufficientPrivileges)
		}
		return nil
	}
	allowed := rt.perm.delegated
	if g.AppOnly {
		allowed = rt.perm.application
	}
	if hasAnyScope(g, allowed...) {
		basic := map[string]bool{"calendars.readbasic": true, "mail.readbasic": true, "mail.readbasic.all": true}
		if basic[strings.ToLower(allowed[0])] && !hasAnyScope(g, allowed[1:]...) {
			c.basicOnly = true
		}
		return nil
	}
	if userEntity {
		return newError(403, "Authorization_RequestDenied", msgInsufficientPrivileges)
	}
	return newError(403, "ErrorAccessDenied", msgAccessDenied)
}

// hasAnyScope compares permission names case-insensitively, ignoring a
// resource prefix ("https://graph.microsoft.com/Mail.Read").
func hasAnyScope(g Grant, perms ...string) bool {
	for _, have := range g.Scopes {
		if i := strings.LastIndex(have, "/"); i >= 0 {
			have = have[i+1:]
		}
		for _, want := range perms {
			if strings.EqualFold(have, want) {
				return true
			}
		}
	}
	return false
}

// firstMailbox is the directory's first user (the demo user).
func (s *Server) firstMailbox() *Mailbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.Users[0]
}

// mailboxLocked looks a mailbox up under the data lock.
func (s *Server) mailboxLocked(idOrUPN string) *Mailbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.mailbox(idOrUPN)
}
