package graphref

// documented is the supplement to the permissions data: the operations
// runflow's templates or its sandbox use that permissions-extract.json does
// not cover, as Microsoft's docs give them. Source is the operation's page
// in microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/api/,
// read with microsoftgraph/microsoft-graph-devx-content
// permissions/new/permissions.json @ 6cbd6bbd665a877560fdefbad74f3bdb5b57af88.
//
// Each entry is keyed as the docs' /me/... request (Find merges /me/... and
// /users/{id}/...); DelegatedWork is the page's delegated (work or school)
// row, least privileged first, and Application its application row for
// /users/{id}/... (the "acting on other users" table where the page has
// one). Only the permissions meant for the operation are kept, not the
// device-management or agent-identity ones the data also lists.
// TestDocumentedAreNotInTheData keeps each operation in one source.
var documented = []Operation{
	// Another user's profile, and the directory: User.Read and
	// User.ReadWrite cover only the signed-in user's own, so /users/{id} is
	// not /me.
	{Op: "GET /users/{id}", Source: "user-get.md", DelegatedWork: otherUserRead, Application: otherUserRead},
	{Op: "GET /users", Source: "user-list.md", DelegatedWork: otherUserRead, Application: otherUserRead},
	{Op: "GET /me/people", Source: "user-list-people.md", DelegatedWork: []Permission{{"People.Read", true}, {"People.Read.All", false}}, Application: []Permission{{"People.Read.All", true}}},

	// Events of the default calendar by way of /calendar: the same
	// permissions as /events.
	{Op: "GET /me/calendar/events", Source: "calendar-list-events.md", DelegatedWork: calendarsRead, Application: calendarsRead},
	{Op: "POST /me/calendar/events", Source: "calendar-post-events.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/calendar/getschedule", Source: "calendar-getschedule.md", DelegatedWork: calendarsRead, Application: calendarsRead},
	// Delegated work accounts only: no application permission.
	{Op: "POST /me/findmeetingtimes", Source: "user-findmeetingtimes.md", DelegatedWork: []Permission{{"Calendars.Read.Shared", true}, {"Calendars.ReadWrite.Shared", false}}},
	{Op: "DELETE /me/events/{id}", Source: "event-delete.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/events/{id}/accept", Source: "event-accept.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/events/{id}/tentativelyaccept", Source: "event-tentativelyaccept.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/events/{id}/decline", Source: "event-decline.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/events/{id}/cancel", Source: "event-cancel.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/calendar/events/{id}/accept", Source: "event-accept.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/calendar/events/{id}/tentativelyaccept", Source: "event-tentativelyaccept.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/calendar/events/{id}/decline", Source: "event-decline.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	{Op: "POST /me/calendar/events/{id}/cancel", Source: "event-cancel.md", DelegatedWork: calendarsWrite, Application: calendarsWrite},
	// The occurrences of a series. The page and the full permissions.json
	// name Calendars.ReadBasic (least) and Calendars.Read; Calendars.ReadWrite
	// is kept as a higher one, since it reads events too ("create, read,
	// update, and delete events", its description in the same data) and
	// every other read of events here allows it (GET /me/events/{id} by way
	// of /me/events): a series the token may read, it may expand.
	{Op: "GET /me/events/{id}/instances", Source: "event-list-instances.md", DelegatedWork: calendarsRead, Application: calendarsRead},
	{Op: "GET /me/calendar/events/{id}/instances", Source: "event-list-instances.md", DelegatedWork: calendarsRead, Application: calendarsRead},

	{Op: "DELETE /me/todo/lists/{id}", Source: "todotasklist-delete.md", DelegatedWork: tasksWrite, Application: tasksWriteAll},
	{Op: "PATCH /me/todo/lists/{id}/tasks/{id}", Source: "todotask-update.md", DelegatedWork: tasksWrite, Application: tasksWriteAll},
	{Op: "DELETE /me/todo/lists/{id}/tasks/{id}", Source: "todotask-delete.md", DelegatedWork: tasksWrite, Application: tasksWriteAll},
	{Op: "GET /me/todo/lists/{id}/tasks/{id}/checklistitems", Source: "todotask-list-checklistitems.md", DelegatedWork: []Permission{{"Tasks.Read", true}, {"Tasks.ReadWrite", false}}, Application: []Permission{{"Tasks.Read.All", true}}},
	{Op: "POST /me/todo/lists/{id}/tasks/{id}/checklistitems", Source: "todotask-post-checklistitems.md", DelegatedWork: tasksWrite, Application: tasksWriteAll},
	{Op: "PATCH /me/todo/lists/{id}/tasks/{id}/checklistitems/{id}", Source: "checklistitem-update.md", DelegatedWork: tasksWrite, Application: tasksWriteAll},
	{Op: "DELETE /me/todo/lists/{id}/tasks/{id}/checklistitems/{id}", Source: "checklistitem-delete.md", DelegatedWork: tasksWrite, Application: tasksWriteAll},

	{Op: "GET /me/mailfolders/{id}/messages", Source: "mailfolder-list-messages.md", DelegatedWork: mailRead, Application: []Permission{{"Mail.ReadBasic.All", true}, {"Mail.Read", false}, {"Mail.ReadWrite", false}}},
	{Op: "POST /me/messages", Source: "user-post-messages.md", DelegatedWork: mailWrite, Application: mailWrite},
	{Op: "PATCH /me/messages/{id}", Source: "message-update.md", DelegatedWork: mailWrite, Application: mailWrite},
	{Op: "DELETE /me/messages/{id}", Source: "message-delete.md", DelegatedWork: mailWrite, Application: mailWrite},
	{Op: "POST /me/messages/{id}/reply", Source: "message-reply.md", DelegatedWork: mailSend, Application: mailSend},
	{Op: "POST /me/messages/{id}/replyall", Source: "message-replyall.md", DelegatedWork: mailSend, Application: mailSend},
	{Op: "POST /me/messages/{id}/forward", Source: "message-forward.md", DelegatedWork: mailSend, Application: mailSend},
	{Op: "POST /me/messages/{id}/createreply", Source: "message-createreply.md", DelegatedWork: mailWrite, Application: mailWrite},
	{Op: "POST /me/messages/{id}/createreplyall", Source: "message-createreplyall.md", DelegatedWork: mailWrite, Application: mailWrite},
	{Op: "POST /me/messages/{id}/createforward", Source: "message-createforward.md", DelegatedWork: mailWrite, Application: mailWrite},
	{Op: "POST /me/messages/{id}/move", Source: "message-move.md", DelegatedWork: mailWrite, Application: mailWrite},
	{Op: "POST /me/messages/{id}/send", Source: "message-send.md", DelegatedWork: mailSend, Application: mailSend},
	// Attachments need Mail.Read at least: Mail.ReadBasic excludes them.
	{Op: "GET /me/messages/{id}/attachments", Source: "message-list-attachments.md", DelegatedWork: []Permission{{"Mail.Read", true}, {"Mail.ReadWrite", false}}, Application: []Permission{{"Mail.Read", true}, {"Mail.ReadWrite", false}}},
	{Op: "POST /me/messages/{id}/attachments", Source: "message-post-attachments.md", DelegatedWork: mailWrite, Application: mailWrite},
	{Op: "POST /me/messages/{id}/attachments/createuploadsession", Source: "attachment-createuploadsession.md", DelegatedWork: mailWrite, Application: mailWrite},
}

// Permission lists several documented operations share.
var (
	otherUserRead  = []Permission{{"User.ReadBasic.All", true}, {"User.Read.All", false}, {"User.ReadWrite.All", false}, {"Directory.Read.All", false}, {"Directory.ReadWrite.All", false}}
	calendarsRead  = []Permission{{"Calendars.ReadBasic", true}, {"Calendars.Read", false}, {"Calendars.ReadWrite", false}}
	calendarsWrite = []Permission{{"Calendars.ReadWrite", true}}
	tasksWrite     = []Permission{{"Tasks.ReadWrite", true}}
	tasksWriteAll  = []Permission{{"Tasks.ReadWrite.All", true}}
	mailRead       = []Permission{{"Mail.ReadBasic", true}, {"Mail.Read", false}, {"Mail.ReadWrite", false}}
	mailWrite      = []Permission{{"Mail.ReadWrite", true}}
	mailSend       = []Permission{{"Mail.Send", true}}
)
