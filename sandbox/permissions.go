package sandbox

// permission lists the permissions that allow an operation: the least
// privileged first, then the higher ones, delegated and application, as in
// Microsoft's permissions reference (graph-reference/permissions-extract.json;
// operations missing there follow the docs page of the operation).
type permission struct {
	delegated   []string
	application []string
}

var (
	permUserRead = permission{
		delegated:   []string{"User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
		application: []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
	}
	permMailboxSettingsRead = permission{
		delegated:   []string{"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
		application: []string{"MailboxSettings.Read", "MailboxSettings.ReadWrite"},
	}
	permCalendarsRead = permission{
		delegated:   []string{"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"},
		application: []string{"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"},
	}
	permCalendarsWrite = permission{
		delegated:   []string{"Calendars.ReadWrite"},
		application: []string{"Calendars.ReadWrite"},
	}
	permTasksRead = permission{
		delegated:   []string{"Tasks.Read", "Tasks.ReadWrite"},
		application: []string{"Tasks.Read.All", "Tasks.ReadWrite.All"},
	}
	permTasksWrite = permission{
		delegated:   []string{"Tasks.ReadWrite"},
		application: []string{"Tasks.ReadWrite.All"},
	}
	permMailSend = permission{
		delegated:   []string{"Mail.Send"},
		application: []string{"Mail.Send"},
	}
	permMailRead = permission{
		delegated:   []string{"Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"},
		application: []string{"Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite"},
	}
	// Message operations (mailops.go, attachments.go): as each
	// operation's docs page lists them.
	permMailReadWrite = permission{
		delegated:   []string{"Mail.ReadWrite"},
		application: []string{"Mail.ReadWrite"},
	}
	// Attachments need Mail.Read at least: Mail.ReadBasic excludes them.
	permMailReadNotBasic = permission{
		delegated:   []string{"Mail.Read", "Mail.ReadWrite"},
		application: []string{"Mail.Read", "Mail.ReadWrite"},
	}
)

// Permissions of the operations added for issue 14, from
// microsoftgraph/microsoft-graph-devx-content permissions/new/permissions.json
// @ 6cbd6bbd665a877560fdefbad74f3bdb5b57af88 and the operations' docs pages
// (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/).
var (
	// permOtherUserRead reads users other than the signed-in one (and lists
	// the directory): User.Read covers only one's own profile (user-get.md).
	permOtherUserRead = permission{
		delegated:   []string{"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
		application: []string{"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
	}
	// permPeopleRead: user-list-people.md.
	permPeopleRead = permission{
		delegated:   []string{"People.Read", "People.Read.All"},
		application: []string{"People.Read.All"},
	}
	// permFindMeetingTimes: user-findmeetingtimes.md (delegated work
	// accounts only; no application permission).
	permFindMeetingTimes = permission{
		delegated: []string{"Calendars.Read.Shared", "Calendars.ReadWrite.Shared"},
	}
)
