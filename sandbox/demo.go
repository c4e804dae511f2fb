package sandbox

import "time"

// DemoData builds the demo directory and mailbox, seeded relative to now.
func DemoData(now time.Time) *Data {
	return &Data{Version: dataVersion, Users: []*Mailbox{{
		User:            User{ID: "5f1c2a9e-3b7d-4e8a-9c61-0d2e4f6a8b1c", UserPrincipalName: "AdeleV@contoso.onmicrosoft.com", DisplayName: "Adele Vance", Mail: "AdeleV@contoso.onmicrosoft.com"},
		MailboxSettings: defaultMailboxSettings("Pacific Standard Time"),
	}}}
}

func defaultMailboxSettings(tz string) Object { return Object{"timeZone": tz} }
