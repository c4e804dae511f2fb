package engine

// permissionTable lists, for each Graph operation the permissions data
// knows, every permission that allows it (delegated work and personal
// accounts, then application), least privileged first. It is derived from
// graph-reference/permissions-extract.json (paths lower-cased as there);
// TestPermissionTableMatchesReference keeps it in step with that file.
var permissionTable = map[string][]string{
	"GET /me":                                {"User.Read", "User.ReadBasic.All", "AgentIdUser.ReadWrite.All", "AgentIdUser.ReadWrite.IdentityParentedBy", "Directory.Read.All", "User.Read.All", "User.ReadWrite", "Directory.ReadWrite.All", "User.ReadWrite.All"},
	"GET /me/calendar/calendarview":          {"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"},
	"GET /me/events":                         {"Calendars.ReadBasic", "Calendars.ReadWrite", "Calendars.Read"},
	"GET /users/{id}/calendarview":           {"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"},
	"POST /me/events":                        {"Calendars.ReadWrite"},
	"GET /me/messages":                       {"Mail.ReadBasic", "Mail.ReadWrite", "Mail.Read", "Mail.ReadBasic.All"},
	"POST /me/sendmail":                      {"Mail.Send"},
	"GET /me/mailboxsettings":                {"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
	"GET /me/todo/lists":                     {"Tasks.Read", "Tasks.ReadWrite", "Tasks.Read.All"},
	"GET /me/todo/lists/{id}/tasks":          {"Tasks.Read", "Tasks.ReadWrite", "Tasks.Read.All"},
	"GET /users/{id}/todo/lists":             {"Tasks.Read", "Tasks.ReadWrite", "Tasks.Read.All", "Tasks.ReadWrite.All"},
	"POST /me/todo/lists":                    {"Tasks.ReadWrite"},
	"POST /me/todo/lists/{id}/tasks":         {"Tasks.ReadWrite"},
	"POST /users/{id}/todo/lists":            {"Tasks.ReadWrite", "Tasks.ReadWrite.All"},
	"POST /users/{id}/todo/lists/{id}/tasks": {"Tasks.ReadWrite", "Tasks.ReadWrite.All"},
}

// documentedPermissions are operations the reference extract above does not
// cover, least privileged first, from the same source at the same commit
// (microsoftgraph/microsoft-graph-devx-content permissions/new/permissions.json
// @ 6cbd6bbd665a877560fdefbad74f3bdb5b57af88) and the operations' docs pages
// (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/). Only
// the delegated-work and application permissions meant for the operation are
// kept (not the device-management or agent-identity ones the data also lists).
var documentedPermissions = map[string][]string{
	// Another user's profile: User.Read and User.ReadWrite cover only the
	// signed-in user's own (user-get.md), so /users/{id} is not /me.
	"GET /users/{id}": {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
	"GET /users":      {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
	"GET /me/people":  {"People.Read", "People.Read.All"},

	"POST /me/calendar/getschedule":          {"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"},
	"POST /me/findmeetingtimes":              {"Calendars.Read.Shared", "Calendars.ReadWrite.Shared"},
	"POST /me/events/{id}/accept":            {"Calendars.ReadWrite"},
	"POST /me/events/{id}/tentativelyaccept": {"Calendars.ReadWrite"},
	"POST /me/events/{id}/decline":           {"Calendars.ReadWrite"},
	"POST /me/events/{id}/cancel":            {"Calendars.ReadWrite"},
	"DELETE /me/events/{id}":                 {"Calendars.ReadWrite"},

	"GET /me/todo/lists/{id}/tasks/{id}/checklistitems":         {"Tasks.Read", "Tasks.ReadWrite", "Tasks.Read.All"},
	"POST /me/todo/lists/{id}/tasks/{id}/checklistitems":        {"Tasks.ReadWrite"},
	"PATCH /me/todo/lists/{id}/tasks/{id}/checklistitems/{id}":  {"Tasks.ReadWrite"},
	"DELETE /me/todo/lists/{id}/tasks/{id}/checklistitems/{id}": {"Tasks.ReadWrite"},
	"PATCH /me/todo/lists/{id}/tasks/{id}":                      {"Tasks.ReadWrite"},
	"DELETE /me/todo/lists/{id}/tasks/{id}":                     {"Tasks.ReadWrite"},
	"DELETE /me/todo/lists/{id}":                                {"Tasks.ReadWrite"},
}
