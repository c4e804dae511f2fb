package sandbox

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/internal/testutil"
)

func TestPersistenceRoundTrip(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"Kept across runs"}`).wantStatus(t, 201)
	path := filepath.Join(t.TempDir(), "runflow", "sandbox.json")
	if err := s.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), tok) || strings.Contains(string(raw), "sbx.") {
		t.Error("saved data contains a token")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("saved with mode %v, want 0600", fi.Mode().Perm())
	}

	// A second sandbox (another run of the CLI) loads it.
	s2, ts2 := newSandbox(t)
	if err := s2.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	tok2 := s2.Token(allScopes...)
	names := subjects(do(t, ts2, tok2, "GET", "/v1.0/me/todo/lists", "").values(t), "displayName")
	if !strings.Contains(strings.Join(names, "|"), "Kept across runs") {
		t.Errorf("lists after load: %v", names)
	}
	var a, b bytes.Buffer
	if err := s.Save(&a); err != nil {
		t.Fatal(err)
	}
	if err := s2.Save(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("save → load → save changed the data")
	}

	s2.Reset()
	names = subjects(do(t, ts2, tok2, "GET", "/v1.0/me/todo/lists", "").values(t), "displayName")
	if strings.Join(names, "|") != "Tasks|Flagged Emails|Groceries" {
		t.Errorf("lists after Reset: %v", names)
	}
}

func TestLoadRejectsBadData(t *testing.T) {
	s, _ := newSandbox(t)
	var before bytes.Buffer
	s.Save(&before)
	for _, tc := range []struct{ name, data, want string }{
		{"not JSON", `{"users": [`, "reading data"},
		{"newer version", `{"version": 99, "users": [{"user": {"id": "1", "userPrincipalName": "a@b.c"}}]}`, "newer"},
		{"no users", `{"version": 1, "users": []}`, "no users"},
		{"user without id", `{"version": 1, "users": [{"user": {"userPrincipalName": "a@b.c"}}]}`, "needs an id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Load(strings.NewReader(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			var after bytes.Buffer
			s.Save(&after)
			if after.String() != before.String() {
				t.Error("a failed Load changed the data")
			}
		})
	}
	if err := s.LoadFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
}

func TestDemoData(t *testing.T) {
	now := time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC) // a DST change day in the US
	a, _ := json.Marshal(DemoData(now))
	b, _ := json.Marshal(DemoData(now))
	if string(a) != string(b) {
		t.Fatal("DemoData is not deterministic")
	}
	d := DemoData(now)
	m := d.Users[0]
	if m.MailboxSettings["timeZone"] == "UTC" {
		t.Error("demo mailbox is in UTC")
	}
	var series, allDay, online int
	for _, e := range m.Events {
		if e["type"] == "seriesMaster" {
			series++
		}
		if e["isAllDay"] == true {
			allDay++
		}
		if e["isOnlineMeeting"] == true && e["onlineMeeting"] != nil {
			online++
		}
		if !wellFormedID(getString(e, "id")) {
			t.Errorf("demo id %q is not well formed", e["id"])
		}
	}
	if series != 1 || allDay != 1 || online != 1 {
		t.Errorf("series %d, all-day %d, online %d; want one each", series, allDay, online)
	}
	wellKnown := map[string]string{}
	for _, l := range m.TodoLists {
		wellKnown[getString(l.List, "wellknownListName")] = getString(l.List, "displayName")
	}
	if wellKnown["defaultList"] != "Tasks" || wellKnown["flaggedEmails"] != "Flagged Emails" {
		t.Errorf("well-known lists %v", wellKnown)
	}
	if len(m.Messages) < 10 {
		t.Errorf("%d demo messages", len(m.Messages))
	}
	// The week is this week in the mailbox's zone: every event starts
	// between Monday and Sunday of the week containing now.
	z, _ := resolveZone(DemoTimeZone)
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, z.loc)
	for _, e := range m.Events {
		if e["isOrganizer"] == false {
			continue // the invitation is for the next weekday (TestDemoTenant)
		}
		st, _, err := parseDateTimeTimeZone(getObject(e, "start"))
		if err != nil || st.Before(monday) || !st.Before(monday.AddDate(0, 0, 7)) {
			t.Errorf("event %q starts %v, outside the week of %v", e["subject"], st, monday)
		}
	}
	s := New(Options{Now: func() time.Time { return now }})
	if s.Users()[0].ID != demoUser.ID || len(s.Users()) != 5 {
		t.Errorf("users %v", s.Users())
	}
	if u, ok := s.LookupUser("alexw@CONTOSO.onmicrosoft.com"); !ok || u.DisplayName != "Alex Wilber" {
		t.Errorf("LookupUser by UPN: %v %v", u, ok)
	}
}

func TestTimeZones(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Windows name", "Pacific Standard Time", "2026-07-01T05:00:00.0000000"},
		{"Windows name, any case", "w. europe standard time", "2026-07-01T14:00:00.0000000"},
		{"IANA name", "Asia/Tokyo", "2026-07-01T21:00:00.0000000"},
		{"UTC", "UTC", "2026-07-01T12:00:00.0000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, err := resolveZone(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got := formatDateTimeTimeZone(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), z)
			if got["dateTime"] != tc.want || got["timeZone"] != tc.in {
				t.Errorf("got %v", got)
			}
		})
	}
	for _, bad := range []string{"Mars/Olympus", "Local", "../../etc/passwd"} {
		if _, err := resolveZone(bad); err == nil {
			t.Errorf("zone %q accepted", bad)
		}
	}
	// An unknown Prefer zone is ignored: UTC, nothing echoed.
	s, ts := newSandbox(t)
	a := do(t, ts, s.Token(allScopes...), "GET", "/v1.0/me/events?$top=1", "", "Prefer", `outlook.timezone="Nowhere Standard Time"`).wantStatus(t, 200)
	if a.header.Get("Preference-Applied") != "" || a.values(t)[0]["start"].(map[string]any)["timeZone"] != "UTC" {
		t.Errorf("unknown zone: %q %v", a.header.Get("Preference-Applied"), a.values(t)[0]["start"])
	}
}

func TestMintedTokensSurviveARestart(t *testing.T) {
	clock := testutil.NewClock(testNow)
	s1 := New(Options{Now: clock.Now})
	tok := s1.MintToken(Grant{UserID: s1.Users()[0].ID, Scopes: []string{"Tasks.Read"}, Expiry: testNow.Add(time.Hour)})
	app := s1.MintToken(Grant{AppOnly: true, Scopes: []string{"Tasks.Read.All"}})
	path := filepath.Join(t.TempDir(), "sandbox.json")
	if err := s1.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	// "runflow sandbox serve" in another process: same data file.
	s2, ts2 := NewTestServer(t, Options{Now: clock.Now})
	do(t, ts2, tok, "GET", "/v1.0/me/todo/lists", "").wantError(t, 401, "InvalidAuthenticationToken", msgTokenMalformed)
	if err := s2.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	do(t, ts2, tok, "GET", "/v1.0/me/todo/lists", "").wantStatus(t, 200)
	do(t, ts2, tok, "GET", "/v1.0/me/events", "").wantError(t, 403, "ErrorAccessDenied", "")
	do(t, ts2, app, "GET", "/v1.0/users/"+s2.Users()[0].ID+"/todo/lists", "").wantStatus(t, 200)
	do(t, ts2, app, "GET", "/v1.0/me", "").wantError(t, 400, "BadRequest", msgMeAppOnly)
	tampered := tok[:len(tok)-2] + "xx"
	do(t, ts2, tampered, "GET", "/v1.0/me/todo/lists", "").wantError(t, 401, "InvalidAuthenticationToken", msgTokenMalformed)
	s2.Reset()
	do(t, ts2, tok, "GET", "/v1.0/me/todo/lists", "").wantStatus(t, 200)
	clock.Advance(2 * time.Hour)
	do(t, ts2, tok, "GET", "/v1.0/me/todo/lists", "").wantError(t, 401, "InvalidAuthenticationToken", msgTokenExpired)
}

func TestOwnData(t *testing.T) {
	u := User{ID: "11111111-2222-4333-8444-555555555555", UserPrincipalName: "kim@fabrikam.com", DisplayName: "Kim", Mail: "kim@fabrikam.com"}
	d := &Data{Users: []*Mailbox{{
		User:            u,
		MailboxSettings: defaultMailboxSettings("Tokyo Standard Time"),
		TodoLists:       []*TodoListData{{List: Object{"id": seededID("l"), "displayName": "Only list", "isOwner": true, "isShared": false, "wellknownListName": "defaultList"}}},
		Messages:        []Object{{"id": seededID("m"), "subject": "Hello Kim", "parentFolderId": FolderID(u.ID, "inbox"), "changeKey": "k"}},
	}}}
	s, ts := NewTestServer(t, Options{Data: d, Now: func() time.Time { return testNow }})
	tok := s.Token(allScopes...)
	if me := do(t, ts, tok, "GET", "/v1.0/me", "").wantStatus(t, 200).json; me["displayName"] != "Kim" {
		t.Errorf("/me %v", me)
	}
	if tz := do(t, ts, tok, "GET", "/v1.0/me/mailboxSettings/timeZone", "").json; tz["value"] != "Tokyo Standard Time" {
		t.Errorf("timeZone %v", tz)
	}
	if lists := subjects(do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "").values(t), "displayName"); strings.Join(lists, "|") != "Only list" {
		t.Errorf("lists %v", lists)
	}
	if n := len(do(t, ts, tok, "GET", "/v1.0/me/todo/lists/"+seededID("l")+"/tasks", "").values(t)); n != 0 {
		t.Errorf("%d tasks in a list loaded without any", n)
	}
	if inbox := subjects(do(t, ts, tok, "GET", "/v1.0/me/mailFolders/inbox/messages", "").values(t), "subject"); strings.Join(inbox, "|") != "Hello Kim" {
		t.Errorf("inbox %v", inbox)
	}
	if n := len(do(t, ts, tok, "GET", "/v1.0/me/events", "").values(t)); n != 0 {
		t.Errorf("%d events", n)
	}
}
