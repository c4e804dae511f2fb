package sandbox

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Demo data nobody changed moves to the current week when loaded on a later
// day; once a write changed it, it is kept as it is.
func TestRefreshDemo(t *testing.T) {
	made := New(Options{Now: func() time.Time { return testNow }})
	var saved bytes.Buffer
	if err := made.Save(&saved); err != nil {
		t.Fatal(err)
	}
	later := testNow.AddDate(0, 0, 15)
	s, ts := NewTestServer(t, Options{Now: func() time.Time { return later }})
	if err := s.Load(bytes.NewReader(saved.Bytes())); err != nil {
		t.Fatal(err)
	}
	if seeded, changed, ok := s.DemoStatus(); !ok || changed || !seeded.Equal(testNow) {
		t.Fatalf("DemoStatus() = %v %v %v, want the seeding time, unchanged", seeded, changed, ok)
	}
	if !s.RefreshDemo() {
		t.Fatal("RefreshDemo did not refresh data seeded 15 days ago")
	}
	if s.RefreshDemo() {
		t.Error("RefreshDemo refreshed data seeded today")
	}
	tok := s.Token(allScopes...)
	week := later.Format("2006-01-02")[:8] // year and month of the new week
	ev := do(t, ts, tok, "GET", "/v1.0/me/events?$filter=subject%20eq%20%27Company%20offsite%27", "").wantStatus(t, 200).values(t)
	if len(ev) != 1 || !strings.HasPrefix(sv(ev[0]["start"].(map[string]any)["dateTime"]), week) {
		t.Errorf("offsite after refresh: %v, want it in %s", ev, week)
	}

	// A write marks the data changed: it is no longer refreshed.
	do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"Mine"}`).wantStatus(t, 201)
	if _, changed, _ := s.DemoStatus(); !changed {
		t.Error("a write did not mark the demo data changed")
	}
	s2 := New(Options{Now: func() time.Time { return later.AddDate(0, 0, 3) }})
	saved.Reset()
	s.Save(&saved)
	s2.Load(bytes.NewReader(saved.Bytes()))
	if s2.RefreshDemo() {
		t.Error("RefreshDemo replaced data a write had changed")
	}
	// A failed write does not count.
	s3, ts3 := NewTestServer(t, Options{Now: func() time.Time { return testNow }})
	do(t, ts3, s3.Token(allScopes...), "POST", "/v1.0/me/todo/lists", `{"displayName":""}`).wantStatus(t, 400)
	if _, changed, _ := s3.DemoStatus(); changed {
		t.Error("a rejected write marked the data changed")
	}
}

// The demo tenant is complete enough to try what templates do: the
// senders of the seeded mail in the tenant's domain are in the directory,
// and one meeting is organised by someone else, not yet answered.
func TestDemoTenant(t *testing.T) {
	d := DemoData(testNow)
	m := d.Users[0]
	for _, msg := range m.Messages {
		addr := getString(getObject(getObject(msg, "from"), "emailAddress"), "address")
		if strings.HasSuffix(strings.ToLower(addr), "@contoso.onmicrosoft.com") && d.mailbox(addr) == nil {
			t.Errorf("sender %s of %q is not in the directory", addr, msg["subject"])
		}
	}
	invited := 0
	for _, e := range m.Events {
		if !getBool(e, "isOrganizer") {
			invited++
			org := getString(getObject(getObject(e, "organizer"), "emailAddress"), "address")
			// An attendee sees their own unanswered meeting as
			// notResponded (responsestatus.md); none is the organizer's view.
			if getString(getObject(e, "responseStatus"), "response") != "notResponded" || d.mailbox(org) == nil {
				t.Errorf("invitation %q: response %v, organizer %s", e["subject"], e["responseStatus"], org)
			}
			// Always ahead: the next weekday (testNow is a Wednesday).
			if st, _, _ := parseDateTimeTimeZone(getObject(e, "start")); st.Format("2006-01-02") != "2026-11-26" {
				t.Errorf("invitation on %v, want the next weekday, Thursday 26 November", st)
			}
		}
	}
	if invited != 1 {
		t.Errorf("%d meetings organised by others, want 1", invited)
	}
}
