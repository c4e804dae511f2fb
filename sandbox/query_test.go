package sandbox

import (
	"net/url"
	"strings"
	"testing"
)

// q escapes a query value the way a client would.
func q(s string) string { return url.QueryEscape(s) }

func subjects(vs []map[string]any, key string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = sv(v[key])
	}
	return out
}

func TestPagingFollowsNextLink(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	for _, tc := range []struct {
		path      string
		total     int
		firstPage int
	}{
		{"/v1.0/me/events", 14, 10},
		{"/v1.0/me/messages?$select=subject", 12, 10},
		{"/v1.0/me/events?$top=5&$select=subject", 14, 5},
		{"/v1.0/me/calendarView?startDateTime=2026-11-23T00:00:00-08:00&endDateTime=2026-11-30T00:00:00-08:00", 18, 10},
	} {
		t.Run(tc.path, func(t *testing.T) {
			next := tc.path
			seen := map[string]bool{}
			pages := 0
			for next != "" {
				a := do(t, ts, tok, "GET", next, "").wantStatus(t, 200)
				vs := a.values(t)
				if pages == 0 && len(vs) != tc.firstPage {
					t.Errorf("first page has %d items, want %d", len(vs), tc.firstPage)
				}
				for _, v := range vs {
					if seen[sv(v["id"])] {
						t.Errorf("id %s on two pages", v["id"])
					}
					seen[sv(v["id"])] = true
				}
				pages++
				link := sv(a.json["@odata.nextLink"])
				if link == "" {
					break
				}
				if !strings.HasPrefix(link, ts.URL+"/v1.0/") || !strings.Contains(link, "$skip=") {
					t.Fatalf("nextLink %q", link)
				}
				if strings.Contains(tc.path, "$select") && !strings.Contains(link, "$select=subject") {
					t.Errorf("nextLink %q dropped $select", link)
				}
				next = strings.TrimPrefix(link, ts.URL)
				if pages > 10 {
					t.Fatal("paging does not end")
				}
			}
			if len(seen) != tc.total {
				t.Errorf("%d items over %d pages, want %d", len(seen), pages, tc.total)
			}
		})
	}
}

func TestFilterOrderBySelect(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"Bob's list"}`).wantStatus(t, 201)
	for _, tc := range []struct {
		name, path string
		key        string
		want       []string
	}{
		{"eq with '' escape", "/v1.0/me/todo/lists?$filter=" + q("displayName eq 'Bob''s list'"), "displayName", []string{"Bob's list"}},
		{"eq is case-insensitive", "/v1.0/me/todo/lists?$filter=" + q("displayName eq 'TASKS'"), "displayName", []string{"Tasks"}},
		{"ne enum", "/v1.0/me/todo/lists?$filter=" + q("wellknownListName ne 'none'"), "displayName", []string{"Tasks", "Flagged Emails"}},
		{"startswith", "/v1.0/me/events?$filter=" + q("startswith(subject,'Focus')"), "subject", []string{"Focus time", "Focus time"}},
		{"startswith eq false", "/v1.0/me/todo/lists?$filter=" + q("startswith(displayName,'T') eq false and isOwner eq true") + "&$orderby=displayName", "displayName", []string{"Bob's list", "Flagged Emails", "Groceries"}},
		{"and, or, not, parentheses", "/v1.0/me/events?$filter=" + q("(subject eq 'Dentist' or subject eq 'Retrospective') and not isAllDay eq true") + "&$orderby=subject", "subject", []string{"Dentist", "Retrospective"}},
		{"bool", "/v1.0/me/events?$filter=" + q("isAllDay eq true"), "subject", []string{"Company offsite"}},
		// start/dateTime is compared in UTC whatever Prefer says: Friday's
		// 16:45 Pacific retrospective is Saturday in UTC.
		{"dateTime string ge/lt", "/v1.0/me/events?$filter=" + q("start/dateTime ge '2026-11-27T00:00:00' and start/dateTime lt '2026-11-28T00:00:00'") + "&$orderby=" + q("start/dateTime desc"), "subject", []string{"Quarterly business review", "Interview: store lead"}},
		{"DateTimeOffset literal gt", "/v1.0/me/messages?$filter=" + q("receivedDateTime gt 2026-11-25T07:00:00Z") + "&$orderby=receivedDateTime", "subject", []string{"Coffee order", "Sprint goals"}},
		{"lt and eq null", "/v1.0/me/todo/lists/" + seededID("list:tasks") + "/tasks?$filter=" + q("completedDateTime eq null and title lt 'C'"), "title", []string{"Book flights for the offsite"}},
		{"orderby two keys", "/v1.0/me/todo/lists/" + seededID("list:tasks") + "/tasks?$orderby=" + q("status desc,title"), "title", []string{"Submit expense report", "Book flights for the offsite", "Renew parking permit"}},
		{"skip and top", "/v1.0/me/messages?$orderby=subject&$skip=2&$top=2", "subject", []string{"Lunch on Wednesday?", "Offsite agenda"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := subjects(do(t, ts, tok, "GET", tc.path, "").wantStatus(t, 200).values(t), tc.key)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("select keeps id and etag only", func(t *testing.T) {
		v := do(t, ts, tok, "GET", "/v1.0/me/events?$select=subject&$top=1", "").values(t)[0]
		if len(v) != 3 || v["id"] == nil || v["@odata.etag"] == nil || v["subject"] == nil {
			t.Errorf("selected %v", v)
		}
	})
	t.Run("count", func(t *testing.T) {
		a := do(t, ts, tok, "GET", "/v1.0/me/events?$count=true&$top=1", "").wantStatus(t, 200)
		if a.json["@odata.count"] != float64(14) {
			t.Errorf("@odata.count %v", a.json["@odata.count"])
		}
	})
	for _, tc := range []struct{ name, path, code string }{
		{"unknown $select property", "/v1.0/me/events?$select=subjekt", "RequestBroker--ParseUri"},
		{"unknown $filter property", "/v1.0/me/events?$filter=" + q("colour eq 'red'"), "RequestBroker--ParseUri"},
		{"unknown $orderby property", "/v1.0/me/events?$orderby=colour", "RequestBroker--ParseUri"},
		{"bad $orderby direction", "/v1.0/me/events?$orderby=" + q("subject up"), "BadRequest"},
		{"unterminated string", "/v1.0/me/events?$filter=" + q("subject eq 'x"), "BadRequest"},
		{"missing operator", "/v1.0/me/events?$filter=subject", "BadRequest"},
		{"unsupported function", "/v1.0/me/events?$filter=" + q("contains(subject,'x')"), "BadRequest"},
		{"trailing junk", "/v1.0/me/events?$filter=" + q("isAllDay eq true true"), "BadRequest"},
		{"boolean ordering", "/v1.0/me/events?$filter=" + q("isAllDay gt true"), "BadRequest"},
		{"top zero", "/v1.0/me/events?$top=0", "BadRequest"},
		{"top too big", "/v1.0/me/messages?$top=1001", "BadRequest"},
		{"skip negative", "/v1.0/me/messages?$skip=-1", "BadRequest"},
		{"deep nesting", "/v1.0/me/events?$filter=" + q(strings.Repeat("(", 40)+"isAllDay eq true"+strings.Repeat(")", 40)), "BadRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(t, ts, tok, "GET", tc.path, "").wantError(t, 400, tc.code, "")
		})
	}
}

func TestCalendarView(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	week := "startDateTime=" + q("2026-11-23T00:00:00-08:00") + "&endDateTime=" + q("2026-11-30T00:00:00-08:00")
	t.Run("window required", func(t *testing.T) {
		for _, p := range []string{"", "?startDateTime=2026-11-23T00:00:00Z", "?endDateTime=2026-11-23T00:00:00Z", "?startDateTime=&endDateTime="} {
			do(t, ts, tok, "GET", "/v1.0/me/calendarView"+p, "").wantError(t, 400, "ErrorInvalidParameter", msgCalendarWindow)
		}
		do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime=monday&endDateTime=2026-11-23T00:00:00Z", "").wantError(t, 400, "ErrorInvalidParameter", "")
	})
	t.Run("series expanded into occurrences", func(t *testing.T) {
		vs := do(t, ts, tok, "GET", "/v1.0/me/calendarView?"+week+"&$top=100", "", "Prefer", `outlook.timezone="Pacific Standard Time"`).values(t)
		var standups, allDay int
		last := ""
		for _, v := range vs {
			st := v["start"].(map[string]any)["dateTime"].(string)
			if st < last {
				t.Errorf("not ordered by start: %s after %s", st, last)
			}
			last = st
			if v["type"] == "seriesMaster" {
				t.Errorf("calendarView returned the series master")
			}
			if v["subject"] == "Team stand-up" {
				standups++
				if v["type"] != "occurrence" || v["seriesMasterId"] != seededID("event:standup") || !strings.HasSuffix(st, "T09:30:00.0000000") {
					t.Errorf("occurrence %v", v)
				}
			}
			if v["isAllDay"] == true {
				allDay++
			}
		}
		if standups != 5 || allDay != 1 || len(vs) != 18 {
			t.Errorf("%d items, %d stand-ups (want 5 of 18), %d all-day", len(vs), standups, allDay)
		}
		// /me/events lists the master once, not the occurrences.
		evs := do(t, ts, tok, "GET", "/v1.0/me/events?$filter="+q("subject eq 'Team stand-up'"), "").values(t)
		if len(evs) != 1 || evs[0]["type"] != "seriesMaster" {
			t.Errorf("events %v", evs)
		}
	})
	t.Run("window offset honoured", func(t *testing.T) {
		// 09:30-09:45 Pacific on Monday is 17:30-17:45 UTC.
		in := do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime=2026-11-23T17:40:00Z&endDateTime=2026-11-23T17:41:00Z", "").values(t)
		noOffset := do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime=2026-11-23T17:40:00&endDateTime=2026-11-23T17:41:00", "").values(t)
		out := do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime="+q("2026-11-23T17:40:00-08:00")+"&endDateTime="+q("2026-11-23T17:41:00-08:00"), "").values(t)
		if len(in) != 1 || in[0]["subject"] != "Team stand-up" || len(noOffset) != 1 || len(out) != 0 {
			t.Errorf("in %v, no offset %v, out %v", subjects(in, "subject"), subjects(noOffset, "subject"), subjects(out, "subject"))
		}
	})
	t.Run("occurrence by id and cancelling one", func(t *testing.T) {
		vs := do(t, ts, tok, "GET", "/v1.0/me/calendarView?"+week+"&$filter="+q("subject eq 'Team stand-up'"), "").values(t)
		occ := sv(vs[2]["id"])
		got := do(t, ts, tok, "GET", "/v1.0/me/events/"+occ, "").wantStatus(t, 200).json
		if got["type"] != "occurrence" || got["start"].(map[string]any)["dateTime"] != vs[2]["start"].(map[string]any)["dateTime"] {
			t.Errorf("occurrence %v", got)
		}
		do(t, ts, tok, "DELETE", "/v1.0/me/events/"+occ, "").wantStatus(t, 204)
		if n := len(do(t, ts, tok, "GET", "/v1.0/me/calendarView?"+week+"&$filter="+q("subject eq 'Team stand-up'"), "").values(t)); n != 4 {
			t.Errorf("%d stand-ups after cancelling one, want 4", n)
		}
		do(t, ts, tok, "GET", "/v1.0/me/events/"+occ, "").wantError(t, 404, "ErrorItemNotFound", "")
	})
	for _, tc := range []struct {
		name, recurrence, from, to string
		want                       []string // start dates (UTC)
	}{
		{"daily every 2nd day, 3 times", `{"pattern":{"type":"daily","interval":2},"range":{"type":"numbered","startDate":"2027-01-04","numberOfOccurrences":3}}`,
			"2027-01-01", "2027-02-01", []string{"2027-01-04", "2027-01-06", "2027-01-08"}},
		{"absolute monthly on the 31st", `{"pattern":{"type":"absoluteMonthly","interval":1,"dayOfMonth":31},"range":{"type":"endDate","startDate":"2027-01-01","endDate":"2027-05-31"}}`,
			"2027-01-01", "2028-01-01", []string{"2027-01-31", "2027-03-31", "2027-05-31"}},
		{"relative monthly, second Tuesday", `{"pattern":{"type":"relativeMonthly","interval":1,"daysOfWeek":["Tuesday"],"index":"second"},"range":{"type":"noEnd","startDate":"2027-01-01"}}`,
			"2027-01-01", "2027-04-01", []string{"2027-01-12", "2027-02-09", "2027-03-09"}},
		{"relative monthly, last Friday", `{"pattern":{"type":"relativeMonthly","interval":2,"daysOfWeek":["friday"],"index":"last"},"range":{"type":"numbered","startDate":"2027-01-01","numberOfOccurrences":2}}`,
			"2027-01-01", "2028-01-01", []string{"2027-01-29", "2027-03-26"}},
		{"absolute yearly", `{"pattern":{"type":"absoluteYearly","interval":1,"month":2,"dayOfMonth":14},"range":{"type":"noEnd","startDate":"2027-01-01"}}`,
			"2027-01-01", "2029-12-31", []string{"2027-02-14", "2028-02-14", "2029-02-14"}},
		{"every other week, Mon and Thu", `{"pattern":{"type":"weekly","interval":2,"daysOfWeek":["monday","thursday"],"firstDayOfWeek":"monday"},"range":{"type":"endDate","startDate":"2027-01-04","endDate":"2027-01-31"}}`,
			"2027-01-01", "2027-03-01", []string{"2027-01-04", "2027-01-07", "2027-01-18", "2027-01-21"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := do(t, ts, tok, "POST", "/v1.0/me/events", `{"subject":"`+tc.name+`","start":{"dateTime":"2027-01-01T12:00:00","timeZone":"UTC"},"end":{"dateTime":"2027-01-01T13:00:00","timeZone":"UTC"},"recurrence":`+tc.recurrence+`}`).wantStatus(t, 201).json
			if ev["type"] != "seriesMaster" {
				t.Fatalf("type %v", ev["type"])
			}
			vs := do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime="+tc.from+"&endDateTime="+tc.to+"&$top=100&$filter="+q("subject eq '"+tc.name+"'"), "").values(t)
			var got []string
			for _, v := range vs {
				got = append(got, sv(v["start"].(map[string]any)["dateTime"])[:10])
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("occurrences %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMailboxSettingsAndUsers(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	tz := do(t, ts, tok, "GET", "/v1.0/me/mailboxSettings/timeZone", "").wantStatus(t, 200).json
	if tz["value"] != DemoTimeZone || !strings.HasSuffix(sv(tz["@odata.context"]), "/mailboxSettings/timeZone") {
		t.Errorf("timeZone %v", tz)
	}
	sel := do(t, ts, tok, "GET", "/v1.0/me/mailboxSettings?$select=timeZone,dateFormat", "").wantStatus(t, 200).json
	if len(sel) != 3 || sel["timeZone"] != DemoTimeZone {
		t.Errorf("selected settings %v", sel)
	}
	do(t, ts, tok, "GET", "/v1.0/me/mailboxSettings/colour", "").wantError(t, 400, "BadRequest", "")
	me := do(t, ts, tok, "GET", "/v1.0/me?$select=displayName,mail", "").wantStatus(t, 200).json
	if me["displayName"] != "Adele Vance" || me["id"] != nil || len(me) != 3 {
		t.Errorf("/me $select %v", me)
	}
}

func TestTodoPageSize(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	for i := 0; i < todoPageSize; i++ {
		do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"List `+strings.Repeat("x", i%5+1)+`"}`).wantStatus(t, 201)
	}
	a := do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "").wantStatus(t, 200)
	if n := len(a.values(t)); n != 50 || a.json["@odata.nextLink"] == nil {
		t.Errorf("first page %d lists, nextLink %v; want 50 and a link", n, a.json["@odata.nextLink"])
	}
}
