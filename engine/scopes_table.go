package engine

// documentedPermissions are operations the reference extract
// (internal/graphref/permissions-extract.json) does not
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
