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
