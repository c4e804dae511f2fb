package sandbox

import (
	"net/url"
	"testing"
)

// Messages with $filter and $orderby follow Exchange's rule: the $orderby
// properties are filtered on too, in the same order, first; otherwise 400
// InefficientFilter (user-list-messages.md).
func TestInefficientFilter(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token("Mail.Read")
	q := url.QueryEscape
	for _, tc := range []struct {
		name, filter, orderby string
		ok                    bool
	}{
		{"orderby not filtered", "isRead eq false", "receivedDateTime desc", false},
		{"orderby filtered first", "receivedDateTime ge 2020-01-01T00:00:00Z and isRead eq false", "receivedDateTime desc", true},
		{"orderby filtered after another", "isRead eq false and receivedDateTime ge 2020-01-01T00:00:00Z", "receivedDateTime desc", false},
		{"two keys, same order", "receivedDateTime ge 2020-01-01T00:00:00Z and subject ne 'x'", "receivedDateTime desc,subject", true},
		{"two keys, other order", "subject ne 'x' and receivedDateTime ge 2020-01-01T00:00:00Z", "receivedDateTime desc,subject", false},
		{"path, any case", "From/EmailAddress/Address eq 'AlexW@contoso.onmicrosoft.com'", "from/emailAddress/address", true},
		{"startswith counts", "startswith(subject,'Re') and isRead eq true", "subject", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/v1.0/me/messages", "/v1.0/me/mailFolders/inbox/messages"} {
				a := do(t, ts, tok, "GET", path+"?$filter="+q(tc.filter)+"&$orderby="+q(tc.orderby), "")
				if tc.ok {
					a.wantStatus(t, 200)
				} else {
					a.wantError(t, 400, "InefficientFilter", "The restriction or sort order is too complex for this operation.")
				}
			}
		})
	}
	// $orderby alone, and events (for which the docs state no such rule),
	// are unaffected.
	do(t, ts, tok, "GET", "/v1.0/me/messages?$orderby=subject", "").wantStatus(t, 200)
	do(t, ts, s.Token("Calendars.Read"), "GET", "/v1.0/me/events?$filter="+q("isAllDay eq false")+"&$orderby=start/dateTime", "").wantStatus(t, 200)
}
