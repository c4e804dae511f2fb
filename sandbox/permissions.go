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
