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

// route is one Graph operation under /me or /users/{id}. Its permissions
// are Microsoft's for the operation, looked up in internal/graphref
// (permissions.go).
type route struct {
	method  string
	pattern string // segments after the user; "{id}" captures
	handle  handlerFunc
}

// routes lists every operation the sandbox serves. Segment matching is
// case-insensitive, as in Graph.
var routes []route

func init() {
	routes = []route{
		{"GET", "", getUser},
		{"GET", "mailboxSettings", getMailboxSettings},
		{"GET", "mailboxSettings/{id}", getMailboxSetting},
		{"GET", "events", listEvents},
		{"POST", "events", createEvent},
		{"GET", "events/{id}", getEvent},
		{"PATCH", "events/{id}", updateEvent},
		{"DELETE", "events/{id}", deleteEvent},
		{"GET", "calendar/events", listEvents},
		{"POST", "calendar/events", createEvent},
		{"GET", "calendarView", calendarView},
		{"GET", "calendar/calendarView", calendarView},
		{"GET", "todo/lists", listTodoLists},
		{"POST", "todo/lists", createTodoList},
		{"GET", "todo/lists/{id}", getTodoList},
		{"PATCH", "todo/lists/{id}", updateTodoList},
		{"DELETE", "todo/lists/{id}", deleteTodoList},
		{"GET", "todo/lists/{id}/tasks", listTasks},
		{"POST", "todo/lists/{id}/tasks", createTask},
		{"GET", "todo/lists/{id}/tasks/{id}", getTask},
		{"PATCH", "todo/lists/{id}/tasks/{id}", updateTask},
		{"DELETE", "todo/lists/{id}/tasks/{id}", deleteTask},
		{"POST", "sendMail", sendMail},
		{"GET", "messages", listMessages},
		{"GET", "messages/{id}", getMessage},
		{"GET", "mailFolders/{id}/messages", listFolderMessages},
	}
	// Message operations and attachments (mailops.go, attachments.go).
	routes = append(routes, []route{
		{"POST", "messages", createDraft},
		{"PATCH", "messages/{id}", updateMessage},
		{"DELETE", "messages/{id}", deleteMessage},
		{"POST", "messages/{id}/reply", replyMessage},
		{"POST", "messages/{id}/replyAll", replyAllMessage},
		{"POST", "messages/{id}/forward", forwardMessage},
		{"POST", "messages/{id}/createReply", createReply},
		{"POST", "messages/{id}/createReplyAll", createReplyAll},
		{"POST", "messages/{id}/createForward", createForward},
		{"POST", "messages/{id}/move", moveMessage},
		{"POST", "messages/{id}/send", sendDraft},
		{"GET", "messages/{id}/attachments", listAttachments},
		{"POST", "messages/{id}/attachments", addAttachment},
		{"POST", "messages/{id}/attachments/createUploadSession", createUploadSession},
		{"GET", "messages/{id}/attachments/{id}", getAttachment},
	}...)
	// Calendar actions, a series' instances, To Do checklist items and
	// people (issue 14, i14a).
	for _, prefix := range []string{"events/{id}/", "calendar/events/{id}/"} {
		routes = append(routes,
			route{"POST", prefix + "accept", acceptEvent},
			route{"POST", prefix + "tentativelyAccept", tentativelyAcceptEvent},
			route{"POST", prefix + "decline", declineEvent},
			route{"POST", prefix + "cancel", cancelEvent},
			route{"GET", prefix + "instances", listInstances},
		)
	}
	routes = append(routes,
		route{"GET", "calendar/events/{id}", getEvent},
		route{"PATCH", "calendar/events/{id}", updateEvent},
		route{"DELETE", "calendar/events/{id}", deleteEvent},
		route{"POST", "calendar/getSchedule", getSchedule},
		route{"POST", "findMeetingTimes", findMeetingTimes},
		route{"GET", "todo/lists/{id}/tasks/{id}/checklistItems", listChecklistItems},
		route{"POST", "todo/lists/{id}/tasks/{id}/checklistItems", createChecklistItem},
		route{"GET", "todo/lists/{id}/tasks/{id}/checklistItems/{id}", getChecklistItem},
		route{"PATCH", "todo/lists/{id}/tasks/{id}/checklistItems/{id}", updateChecklistItem},
		route{"DELETE", "todo/lists/{id}/tasks/{id}/checklistItems/{id}", deleteChecklistItem},
		route{"GET", "people", listPeople},
	)
}

// directoryRoute is GET /users, the directory's list of users.
var directoryRoute = route{"GET", "", listUsers}

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
		if !hasAnyScope(c.grant, allowedBy(opDirectory, c.grant)...) {
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
		if !hasAnyScope(g, allowedBy(opOtherUser, g)...) {
			// The directory answers, not Exchange: its code, not ErrorAccessDenied.
			return newError(403, "Authorization_RequestDenied", msgInsufficientPrivileges)
		}
		return nil
	}
	allowed := allowedBy(rt.operation(g.AppOnly), g)
	if hasAnyScope(g, allowed...) {
		c.basicOnly = onlyBasic(g, allowed)
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
