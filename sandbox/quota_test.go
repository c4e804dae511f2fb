package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// jsonLen counts what encoding/json writes, for every kind of value the
// sandbox stores: escapes, invalid UTF-8, the floats' two notations, nil
// collections, types it has to encode to measure.
func TestJSONLenIsEncodedLength(t *testing.T) {
	values := []any{
		nil, true, false, "", "plain", `quote " and \ backslash`, "\b\f\n\r\t\x00\x01\x1f\x7f",
		"<b>&amp;</b>", "café ☕ 𝄞", "bad \xff utf-8 \xe2\x82", "line\u2028para\u2029end",
		0.0, math.Copysign(0, -1), 1.0, -15.0, 123.456, 1e20, 1e21, 1.5e300, 1e-6, 1e-7, 3.2e-9, -2.5e-10, float64(1 << 53),
		map[string]any(nil), []any(nil), map[string]any{}, []any{},
		map[string]any{"a": 1.0, "é<>": []any{"x", nil, map[string]any{"k": false}}},
		[]string{"x", "y"}, []Object{{"a": "b"}}, 42, json.RawMessage(`{"x":1}`),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		values = append(values, randomValue(rng, 4))
	}
	for _, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonLen(v); got != int64(len(b)) {
			t.Errorf("jsonLen(%#v) = %d, encoding/json writes %d bytes: %s", v, got, len(b), b)
		}
	}
	// The demo mailboxes, as Save writes them.
	s := New(Options{Now: func() time.Time { return testNow }})
	for _, m := range s.data.Users {
		b, _ := json.Marshal(m)
		if m.used != int64(len(b)) {
			t.Errorf("%s: tally %d, JSON %d bytes", m.User.UserPrincipalName, m.used, len(b))
		}
	}
}

// sizeDelta(a, b) is jsonLen(b) - jsonLen(a) for any two values, and for
// a changed copy in particular.
func TestSizeDeltaIsDifferenceOfLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 500 {
		a := randomValue(rng, 4)
		var b any
		if i%2 == 0 {
			b = randomValue(rng, 4) // unrelated
		} else {
			b = mutate(rng, cloneValue(a)) // a changed copy
		}
		if got, want := sizeDelta(a, b), jsonLen(b)-jsonLen(a); got != want {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			t.Fatalf("sizeDelta = %d, want %d\na: %s\nb: %s", got, want, ja, jb)
		}
	}
}

func randomValue(rng *rand.Rand, depth int) any {
	k := rng.IntN(7)
	if depth == 0 {
		k %= 4
	}
	switch k {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return []float64{0, 1, -3.5, 1e21, 2e-7, float64(rng.IntN(100000)) / 7}[rng.IntN(6)]
	case 3:
		return randomJSONString(rng)
	case 4, 5:
		m := map[string]any{}
		for range rng.IntN(5) {
			m[randomJSONString(rng)] = randomValue(rng, depth-1)
		}
		return m
	}
	a := []any{}
	for range rng.IntN(5) {
		a = append(a, randomValue(rng, depth-1))
	}
	return a
}

func randomJSONString(rng *rand.Rand) string {
	pieces := []string{"a", "Z", " ", "\"", "\\", "\n", "\x01", "<", "&", "é", "☕", "\xff", "\u2028"}
	var b strings.Builder
	for range rng.IntN(6) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// mutate changes a random part of v: a value replaced, a key added or
// removed, an element appended or removed.
func mutate(rng *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		switch {
		case len(keys) > 0 && rng.IntN(3) == 0:
			delete(x, keys[rng.IntN(len(keys))])
		case len(keys) > 0 && rng.IntN(2) == 0:
			k := keys[rng.IntN(len(keys))]
			x[k] = mutate(rng, x[k])
		default:
			x[randomJSONString(rng)+"new"] = randomValue(rng, 2)
		}
		return x
	case []any:
		switch {
		case len(x) > 0 && rng.IntN(3) == 0:
			i := rng.IntN(len(x))
			return append(x[:i:i], x[i+1:]...)
		case len(x) > 0 && rng.IntN(2) == 0:
			i := rng.IntN(len(x))
			x[i] = mutate(rng, x[i])
			return x
		}
		return append(x, randomValue(rng, 2))
	}
	return randomValue(rng, 2)
}

// mailboxOf is user's mailbox (read it under s.mu).
func mailboxOf(s *Server, u User) *Mailbox { return s.data.mailbox(u.ID) }

// mailboxJSON is user's mailbox as Save writes it.
func mailboxJSON(t *testing.T, s *Server, u User) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(mailboxOf(s, u))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func usedOf(s *Server, u User) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return mailboxOf(s, u).used
}

// setQuota changes a running sandbox's mailbox quota (Options sets it at
// the start; tests move it to make one mailbox full).
func setQuota(s *Server, q int64) {
	s.mu.Lock()
	s.mailboxQuota = q
	s.mu.Unlock()
}

// checkTallies fails unless every mailbox's tally is the length of its
// JSON: the running tally never drifts from what Save writes.
func checkTallies(t *testing.T, s *Server, after string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.data.Users {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if m.used != int64(len(b)) {
			t.Fatalf("after %s: %s's tally is %d, its JSON %d bytes", after, m.User.UserPrincipalName, m.used, len(b))
		}
	}
}

// saved is the sandbox's data as Save writes it.
func saved(t *testing.T, s *Server) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Every kind of write keeps every mailbox's tally equal to the length of
// its JSON: meetings and their copies, answers (to series and to single
// occurrences), cancellations, To Do lists, tasks and checklist items,
// mail sent, replied, forwarded, moved and deleted, drafts with inline and
// uploaded attachments, and writes in a $batch.
func TestQuotaTalliesFollowEveryWrite(t *testing.T) {
	s, ts := newSandbox(t)
	adele, meg, lee := s.Token(append(allScopes, mailScopes...)...), userToken(s, megan), userToken(s, leeGu)
	alex := s.IssueToken(Grant{UserID: colleague.ID, Scopes: append(allScopes, mailScopes...)})
	checkTallies(t, s, "the demo data was seeded")
	w := func(tok, method, path, body string, want int) answer {
		t.Helper()
		a := do(t, ts, tok, method, path, body).wantStatus(t, want)
		checkTallies(t, s, method+" "+path)
		return a
	}
	ev := func(id string) string { return "/v1.0/me/events/" + url.PathEscape(id) }

	// A meeting, changed, answered and cancelled.
	m1 := w(adele, "POST", "/v1.0/me/events", meetingBody(`,"transactionId":"q-1"`), 201).json
	w(adele, "POST", "/v1.0/me/events", meetingBody(`,"transactionId":"q-1"`), 201)
	w(alex, "POST", ev(sv(theCopy(t, ts, alex, sv(m1["iCalUId"]))["id"]))+"/accept", `{"comment":"Yes"}`, 202)
	w(adele, "PATCH", ev(sv(m1["id"])), `{"subject":"Launch review (moved)","body":{"contentType":"html","content":"<p>New agenda &amp; more</p>"},
		"attendees":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}},{"emailAddress":{"address":"LeeG@contoso.onmicrosoft.com"}}]}`, 200)
	leeCopy := theCopy(t, ts, lee, sv(m1["iCalUId"]))
	w(lee, "POST", ev(sv(leeCopy["id"]))+"/tentativelyAccept", `{"proposedNewTime":{"start":{"dateTime":"2026-12-02T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-02T11:00:00","timeZone":"UTC"}}}`, 202)
	w(lee, "PATCH", ev(sv(leeCopy["id"])), `{"categories":["Mine"]}`, 200)
	w(adele, "PATCH", ev(sv(m1["id"])), `{"start":{"dateTime":"2026-12-01T12:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-12-01T13:00:00","timeZone":"Pacific Standard Time"}}`, 200)
	w(adele, "PATCH", ev(sv(m1["id"])), `{"attendees":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}},{"emailAddress":{"address":"LeeG@contoso.onmicrosoft.com"}},
		{"emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}]}`, 200) // Megan's cancelled copy is replaced
	w(adele, "POST", ev(sv(m1["id"]))+"/cancel", `{"comment":"Off"}`, 202)

	// A series: single occurrences answered, declined, cancelled, deleted.
	series := w(adele, "POST", "/v1.0/me/events", seriesBody(""), 201).json
	w(alex, "POST", ev(sv(occurrenceOn(t, ts, alex, "Weekly sync", "2026-12-03")["id"]))+"/accept", `{}`, 202)
	w(meg, "POST", ev(sv(occurrenceOn(t, ts, meg, "Weekly sync", "2026-12-07")["id"]))+"/decline", `{"sendResponse":true}`, 202)
	w(adele, "POST", ev(sv(occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-10")["id"]))+"/cancel", `{}`, 202)
	w(adele, "DELETE", ev(sv(occurrenceOn(t, ts, adele, "Weekly sync", "2026-12-14")["id"])), "", 204)
	w(adele, "PATCH", ev(sv(series["id"])), `{"subject":"Weekly sync","location":{"displayName":"Room 12"}}`, 200)
	w(meg, "POST", ev(sv(theCopy(t, ts, meg, sv(series["iCalUId"]))["id"]))+"/decline", `{}`, 202)
	w(alex, "DELETE", ev(sv(theCopy(t, ts, alex, sv(series["iCalUId"]))["id"])), "", 204)
	w(adele, "DELETE", ev(sv(series["id"])), "", 204)
	w(adele, "DELETE", ev(sv(m1["id"])), "", 404) // cancelled: gone already

	// To Do.
	list := w(adele, "POST", "/v1.0/me/todo/lists", `{"displayName":"Quota"}`, 201).json
	lists := "/v1.0/me/todo/lists/" + sv(list["id"])
	w(adele, "PATCH", lists, `{"displayName":"Quota, renamed"}`, 200)
	task := w(adele, "POST", lists+"/tasks", `{"title":"Pack","checklistItems":[{"displayName":"Tape"}],"body":{"contentType":"text","content":"Boxes"}}`, 201).json
	tasks := lists + "/tasks/" + sv(task["id"])
	w(adele, "PATCH", tasks, `{"status":"completed","importance":"high"}`, 200)
	item := w(adele, "POST", tasks+"/checklistItems", `{"displayName":"Labels"}`, 201).json
	w(adele, "PATCH", tasks+"/checklistItems/"+sv(item["id"]), `{"isChecked":true}`, 200)
	w(adele, "DELETE", tasks+"/checklistItems/"+sv(item["id"]), "", 204)
	w(adele, "DELETE", tasks, "", 204)
	w(adele, "POST", lists+"/tasks", `{"title":"Left in the list"}`, 201)
	w(adele, "DELETE", lists, "", 204)

	// Mail.
	att := base64.StdEncoding.EncodeToString([]byte("file <content> & more"))
	to := `"toRecipients":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}}],"ccRecipients":[{"emailAddress":{"address":"meganb@contoso.onmicrosoft.com"}},{"emailAddress":{"address":"adelev@contoso.onmicrosoft.com"}}]`
	w(adele, "POST", "/v1.0/me/sendMail", `{"message":{"subject":"Files","body":{"contentType":"text","content":"Here."},`+to+`,
		"attachments":[{"@odata.type":"#microsoft.graph.fileAttachment","name":"a.txt","contentBytes":"`+att+`"}]}}`, 202)
	w(adele, "POST", "/v1.0/me/sendMail", `{"message":{"subject":"Unsaved",`+to+`},"saveToSentItems":false}`, 202)
	draft := newDraft(t, ts, adele, "")
	checkTallies(t, s, "a draft")
	msg := "/v1.0/me/messages/" + draft
	w(adele, "PATCH", msg, `{"subject":"Draft, longer subject","body":{"contentType":"text","content":"More text"},"isRead":false}`, 200)
	w(adele, "POST", msg+"/attachments", `{"@odata.type":"#microsoft.graph.fileAttachment","name":"b.txt","contentBytes":"`+att+`"}`, 201)
	const size = 3<<20 + 5
	sess := w(adele, "POST", msg+"/attachments/createUploadSession", fmt.Sprintf(`{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":%d}}`, size), 201).json
	file := bytes.Repeat([]byte("x"), size)
	put(t, sv(sess["uploadUrl"]), file[:1<<20], fmt.Sprintf("bytes 0-%d/%d", 1<<20-1, size), "").wantStatus(t, 200)
	put(t, sv(sess["uploadUrl"]), file[1<<20:], fmt.Sprintf("bytes %d-%d/%d", 1<<20, size-1, size), "").wantStatus(t, 201)
	checkTallies(t, s, "an upload")
	w(adele, "POST", msg+"/send", "", 202)
	in := inboxMessage(t, ts, alex, 0)
	w(alex, "POST", "/v1.0/me/messages/"+sv(in["id"])+"/reply", `{"comment":"Thanks"}`, 202)
	w(alex, "POST", "/v1.0/me/messages/"+sv(in["id"])+"/replyAll", `{"comment":"Thanks, all"}`, 202)
	w(alex, "POST", "/v1.0/me/messages/"+sv(in["id"])+"/forward", `{"comment":"FYI","toRecipients":[{"emailAddress":{"address":"LeeG@contoso.onmicrosoft.com"}}]}`, 202)
	w(alex, "POST", "/v1.0/me/messages/"+sv(in["id"])+"/createForward", `{"toRecipients":[{"emailAddress":{"address":"x@example.com"}}]}`, 201)
	w(alex, "POST", "/v1.0/me/messages/"+sv(in["id"])+"/createReplyAll", "", 201)
	moved := w(alex, "POST", "/v1.0/me/messages/"+sv(in["id"])+"/move", `{"destinationId":"archive"}`, 201).json
	w(alex, "PATCH", "/v1.0/me/messages/"+sv(moved["id"]), `{"isRead":true,"categories":["Blue"],"flag":{"flagStatus":"flagged"}}`, 200)
	w(alex, "DELETE", "/v1.0/me/messages/"+sv(moved["id"]), "", 204)

	// Writes in a batch.
	w(adele, "POST", "/v1.0/$batch", `{"requests":[
		{"id":"1","method":"POST","url":"/me/todo/lists","body":{"displayName":"Batched"},"headers":{"Content-Type":"application/json"}},
		{"id":"2","method":"POST","url":"/me/events","body":{"subject":"Batched","start":{"dateTime":"2026-12-04T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-04T11:00:00","timeZone":"UTC"}},"headers":{"Content-Type":"application/json"}}]}`, 200)

	// Reloaded data is measured afresh, to the same tallies.
	before := map[string]int64{}
	for _, u := range s.Users() {
		before[u.ID] = usedOf(s, u)
	}
	if err := s.Load(strings.NewReader(saved(t, s))); err != nil {
		t.Fatal(err)
	}
	for _, u := range s.Users() {
		if got := usedOf(s, u); got != before[u.ID] {
			t.Errorf("%s: %d bytes after a reload, %d before", u.UserPrincipalName, got, before[u.ID])
		}
	}
}

// growth is a write request that stores more in the caller's mailbox.
type growth struct {
	name, method, path, body string
}

// A write that would take the mailbox over its quota is answered as
// Exchange answers it (403 ErrorQuotaExceeded) and stores nothing, for
// every kind of write that adds data; a smaller one still fits.
func TestQuotaRefusesWriteOverQuota(t *testing.T) {
	probe, _ := newSandbox(t)
	const room = 20_000
	s, ts := NewTestServer(t, Options{Now: func() time.Time { return testNow }, MailboxQuotaBytes: usedOf(probe, demoUser) + room})
	tok := s.Token(append(allScopes, mailScopes...)...)
	big := strings.Repeat("Lorem ipsum ", room/12+1) // more than the room left
	draft := newDraft(t, ts, tok, "")
	list := sv(do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "").wantStatus(t, 200).values(t)[0]["id"])
	task := do(t, ts, tok, "POST", "/v1.0/me/todo/lists/"+list+"/tasks", `{"title":"t"}`).wantStatus(t, 201).json
	event := do(t, ts, tok, "POST", "/v1.0/me/events", `{"subject":"e","start":{"dateTime":"2026-12-04T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-04T11:00:00","timeZone":"UTC"}}`).wantStatus(t, 201).json
	orig := inboxMessage(t, ts, tok, 0)
	bigFile := base64.StdEncoding.EncodeToString([]byte(big))
	for _, g := range []growth{
		{"create an event", "POST", "/v1.0/me/events", `{"subject":"Big","body":{"contentType":"text","content":"` + big + `"},"start":{"dateTime":"2026-12-04T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-04T11:00:00","timeZone":"UTC"}}`},
		{"change an event", "PATCH", "/v1.0/me/events/" + sv(event["id"]), `{"body":{"contentType":"text","content":"` + big + `"}}`},
		{"create a task", "POST", "/v1.0/me/todo/lists/" + list + "/tasks", `{"title":"Big","body":{"contentType":"text","content":"` + big + `"}}`},
		{"change a task", "PATCH", "/v1.0/me/todo/lists/" + list + "/tasks/" + sv(task["id"]), `{"body":{"contentType":"text","content":"` + big + `"}}`},
		{"create a draft", "POST", "/v1.0/me/messages", `{"subject":"Big","body":{"contentType":"text","content":"` + big + `"}}`},
		{"change a draft", "PATCH", "/v1.0/me/messages/" + draft, `{"body":{"contentType":"text","content":"` + big + `"}}`},
		{"attach a file", "POST", "/v1.0/me/messages/" + draft + "/attachments", `{"@odata.type":"#microsoft.graph.fileAttachment","name":"big.txt","contentBytes":"` + bigFile + `"}`},
		{"open an upload session", "POST", "/v1.0/me/messages/" + draft + "/attachments/createUploadSession", `{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":3200000}}`},
		{"send mail", "POST", "/v1.0/me/sendMail", `{"message":{"subject":"Big","body":{"contentType":"text","content":"` + big + `"},"toRecipients":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}}]}}`},
		{"send mail without keeping it", "POST", "/v1.0/me/sendMail", `{"message":{"subject":"Big","body":{"contentType":"text","content":"` + big + `"},"toRecipients":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}}]},"saveToSentItems":false}`},
		{"reply", "POST", "/v1.0/me/messages/" + sv(orig["id"]) + "/reply", `{"comment":"` + big + `"}`},
		{"draft a reply", "POST", "/v1.0/me/messages/" + sv(orig["id"]) + "/createReply", `{"comment":"` + big + `"}`},
	} {
		t.Run(g.name, func(t *testing.T) {
			before, alexBefore := saved(t, s), mailboxJSON(t, s, colleague)
			a := do(t, ts, tok, g.method, g.path, g.body)
			a.wantError(t, 403, "ErrorQuotaExceeded", msgQuotaExceeded)
			d := a.json["error"].(map[string]any)["details"].([]any)[0].(map[string]any)
			if d["target"] != "mailbox" || !strings.Contains(sv(d["message"]), "AdeleV@contoso.onmicrosoft.com holds") {
				t.Errorf("details %v do not say whose mailbox is full", d)
			}
			if saved(t, s) != before {
				t.Error("the refused write changed the data")
			}
			if mailboxJSON(t, s, colleague) != alexBefore {
				t.Error("the refused mail reached its recipient")
			}
		})
	}
	// Small writes are refused too once the mailbox is full to the brim
	// (with the smallest items there are: lists).
	for do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"a"}`).status == 201 {
	}
	before := saved(t, s)
	do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"`+big[:200]+`"}`).wantError(t, 403, "ErrorQuotaExceeded", "")
	do(t, ts, tok, "PATCH", "/v1.0/me/todo/lists/"+list, `{"displayName":"`+big[:200]+`"}`).wantStatus(t, 400) // a well-known list
	lists := do(t, ts, tok, "GET", "/v1.0/me/todo/lists?$top=100", "").wantStatus(t, 200).values(t)
	do(t, ts, tok, "PATCH", "/v1.0/me/todo/lists/"+sv(lists[len(lists)-1]["id"]), `{"displayName":"`+big[:200]+`"}`).wantError(t, 403, "ErrorQuotaExceeded", "")
	do(t, ts, tok, "POST", "/v1.0/me/todo/lists/"+list+"/tasks/"+sv(task["id"])+"/checklistItems", `{"displayName":"`+big[:200]+`"}`).wantError(t, 403, "ErrorQuotaExceeded", "")
	if saved(t, s) != before {
		t.Error("a refused write to a full mailbox changed the data")
	}
	checkTallies(t, s, "the refused writes")
	// What fits is stored: the quota is a limit, not a lock.
	do(t, ts, tok, "DELETE", "/v1.0/me/events/"+sv(event["id"]), "").wantStatus(t, 204)
	do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"`+big[:200]+`"}`).wantStatus(t, 201)
	if used := usedOf(s, demoUser); used > s.mailboxQuota {
		t.Errorf("the mailbox holds %d bytes, over its %d-byte quota", used, s.mailboxQuota)
	}
}

// fill stores events with large bodies in the token's mailbox until the
// quota refuses one; it returns their ids.
func fill(t *testing.T, ts *httptest.Server, tok string, bodyLen int) []string {
	t.Helper()
	var ids []string
	body := strings.Repeat("x", bodyLen)
	for {
		a := do(t, ts, tok, "POST", "/v1.0/me/events", `{"subject":"Filler","body":{"contentType":"text","content":"`+body+`"},"start":{"dateTime":"2026-12-04T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-04T11:00:00","timeZone":"UTC"}}`)
		if a.status == 403 {
			a.wantError(t, 403, "ErrorQuotaExceeded", "")
			return ids
		}
		a.wantStatus(t, 201)
		ids = append(ids, sv(a.json["id"]))
		if len(ids) > 10_000 {
			t.Fatal("the quota never refused a write")
		}
	}
}

// Deleting frees the room at once (the sandbox keeps no Deleted Items);
// moving to Deleted Items frees nothing.
func TestQuotaDeletesFreeRoom(t *testing.T) {
	probe, _ := newSandbox(t)
	s, ts := NewTestServer(t, Options{Now: func() time.Time { return testNow }, MailboxQuotaBytes: usedOf(probe, demoUser) + 50_000})
	tok := s.Token(append(allScopes, mailScopes...)...)
	ids := fill(t, ts, tok, 5_000)
	full := usedOf(s, demoUser)
	filler := `{"subject":"Filler","body":{"contentType":"text","content":"` + strings.Repeat("x", 5_000) + `"},"start":{"dateTime":"2026-12-04T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-04T11:00:00","timeZone":"UTC"}}`

	// A message moved to Deleted Items still counts.
	m := inboxMessage(t, ts, tok, 0)
	do(t, ts, tok, "POST", "/v1.0/me/messages/"+sv(m["id"])+"/move", `{"destinationId":"deleteditems"}`).wantStatus(t, 201)
	do(t, ts, tok, "POST", "/v1.0/me/events", filler).wantError(t, 403, "ErrorQuotaExceeded", "")

	do(t, ts, tok, "DELETE", "/v1.0/me/events/"+ids[0], "").wantStatus(t, 204)
	if got := usedOf(s, demoUser); got >= full-5_000 {
		t.Errorf("after deleting a 5 kB event the mailbox holds %d bytes, %d before", got, full)
	}
	do(t, ts, tok, "POST", "/v1.0/me/events", filler).wantStatus(t, 201)
	do(t, ts, tok, "POST", "/v1.0/me/events", filler).wantError(t, 403, "ErrorQuotaExceeded", "")
	// Other kinds of delete free room too.
	for _, p := range []string{"/v1.0/me/events/" + ids[1], "/v1.0/me/messages/" + sv(inboxMessage(t, ts, tok, 0)["id"])} {
		before := usedOf(s, demoUser)
		do(t, ts, tok, "DELETE", p, "").wantStatus(t, 204)
		if usedOf(s, demoUser) >= before {
			t.Errorf("DELETE %s freed nothing", p)
		}
	}
	checkTallies(t, s, "the deletes")
}

// A full recipient gets nothing and the sender's request succeeds, as
// Exchange does not deliver to a full mailbox: mail, a meeting's copy, its
// update and cancellation, and an attendee's answer to a full organizer.
// A full sender cannot send: nothing reaches anyone.
func TestQuotaFullRecipientGetsNothing(t *testing.T) {
	s, ts := newSandbox(t)
	adele, alex, meg := s.Token(append(allScopes, mailScopes...)...), userToken(s, colleague), userToken(s, megan)
	// Alex's mailbox is made the largest by a large mail (Adele keeps no
	// copy), so that a quota at its size leaves the others room.
	do(t, ts, adele, "POST", "/v1.0/me/sendMail", `{"message":{"subject":"Large","body":{"contentType":"text","content":"`+strings.Repeat("y", 300_000)+`"},
		"toRecipients":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}}]},"saveToSentItems":false}`).wantStatus(t, 202)
	alexFull := func() { setQuota(s, usedOf(s, colleague)) }
	roomy := func() { setQuota(s, DefaultMailboxQuotaBytes) }
	// An existing meeting, with Alex's copy delivered while he had room.
	m2 := do(t, ts, adele, "POST", "/v1.0/me/events", meetingBody("")).wantStatus(t, 201).json
	// A meeting Alex organises, which Megan will answer.
	hisMeeting := do(t, ts, alex, "POST", "/v1.0/me/events", `{"subject":"Alex's review","start":{"dateTime":"2026-12-04T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-04T11:00:00","timeZone":"UTC"},
		"attendees":[{"emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}]}`).wantStatus(t, 201).json
	alexFull()
	alexBefore := mailboxJSON(t, s, colleague)
	megInbox := len(folderMessages(t, ts, meg, "inbox"))

	do(t, ts, adele, "POST", "/v1.0/me/sendMail", `{"message":{"subject":"To both","toRecipients":[{"emailAddress":{"address":"AlexW@contoso.onmicrosoft.com"}},{"emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}]}}`).wantStatus(t, 202)
	if n := len(folderMessages(t, ts, meg, "inbox")); n != megInbox+1 {
		t.Errorf("Megan's Inbox has %d messages, want %d", n, megInbox+1)
	}
	m1 := do(t, ts, adele, "POST", "/v1.0/me/events", meetingBody("")).wantStatus(t, 201).json
	if len(inCalendar(t, ts, meg, sv(m1["iCalUId"]))) != 1 {
		t.Error("Megan did not get her copy of the new meeting")
	}
	do(t, ts, adele, "PATCH", "/v1.0/me/events/"+sv(m2["id"]), `{"subject":"Launch review, with a longer subject"}`).wantStatus(t, 200)
	if got := theCopy(t, ts, meg, sv(m2["iCalUId"]))["subject"]; got != "Launch review, with a longer subject" {
		t.Errorf("Megan's copy after the update: %v", got)
	}
	do(t, ts, adele, "DELETE", "/v1.0/me/events/"+sv(m2["id"]), "").wantStatus(t, 204)
	if got := theCopy(t, ts, meg, sv(m2["iCalUId"])); got["isCancelled"] != true {
		t.Errorf("Megan's copy was not cancelled: %v", got["isCancelled"])
	}
	do(t, ts, meg, "POST", "/v1.0/me/events/"+sv(theCopy(t, ts, meg, sv(hisMeeting["iCalUId"]))["id"])+"/accept", `{}`).wantStatus(t, 202)
	if got := responseOf(theCopy(t, ts, meg, sv(hisMeeting["iCalUId"]))); got != "accepted" {
		t.Errorf("Megan's answer: %q", got)
	}
	if mailboxJSON(t, s, colleague) != alexBefore {
		t.Error("Alex's full mailbox changed: mail, a meeting, an update, a cancellation or a response reached it")
	}
	roomy()
	if got := theCopy(t, ts, alex, sv(m2["iCalUId"])); got["subject"] != "Launch review" || got["isCancelled"] != false {
		t.Errorf("Alex's copy: %v, cancelled %v; want it as it was", got["subject"], got["isCancelled"])
	}
	for _, a := range do(t, ts, alex, "GET", "/v1.0/me/events/"+sv(hisMeeting["id"]), "").wantStatus(t, 200).json["attendees"].([]any) {
		if st := a.(map[string]any)["status"].(map[string]any)["response"]; st != "none" {
			t.Errorf("Alex's meeting records Megan's answer (%v) though his mailbox was full", st)
		}
	}
	checkTallies(t, s, "deliveries to a full mailbox")

	// A full sender sends nothing, even without keeping a copy.
	setQuota(s, usedOf(s, demoUser))
	megBefore := mailboxJSON(t, s, megan)
	for _, save := range []string{"true", "false"} {
		do(t, ts, adele, "POST", "/v1.0/me/sendMail", `{"message":{"subject":"From a full mailbox","toRecipients":[{"emailAddress":{"address":"MeganB@contoso.onmicrosoft.com"}}]},"saveToSentItems":`+save+`}`).
			wantError(t, 403, "ErrorQuotaExceeded", msgQuotaExceeded)
	}
	if mailboxJSON(t, s, megan) != megBefore {
		t.Error("mail from a full mailbox reached its recipient")
	}
}

// An open upload session holds the room of its attachment: another write
// cannot take it, cancelling gives it back, and a session the mailbox has
// no room for is refused before any byte is sent.
func TestQuotaUploadSessionReservesRoom(t *testing.T) {
	probe, _ := newSandbox(t)
	const file = 3_500_000
	s, ts := NewTestServer(t, Options{Now: func() time.Time { return testNow }, MailboxQuotaBytes: usedOf(probe, demoUser) + 5_000_000})
	tok := s.Token(append(allScopes, mailScopes...)...)
	draft := newDraft(t, ts, tok, "")
	open := func() answer {
		return do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments/createUploadSession", fmt.Sprintf(`{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":%d}}`, file))
	}
	sess := open().wantStatus(t, 201).json
	open().wantError(t, 403, "ErrorQuotaExceeded", "") // 2 × 4.7 MB base64 do not fit
	// 1.2 MB inline fit the quota, but not beside the open session.
	inline := `{"@odata.type":"#microsoft.graph.fileAttachment","name":"f.bin","contentBytes":"` + base64.StdEncoding.EncodeToString(make([]byte, 1_200_000)) + `"}`
	do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments", inline).wantError(t, 403, "ErrorQuotaExceeded", "")
	mustUpload(t, "DELETE", sv(sess["uploadUrl"]), nil, "", "").wantStatus(t, 204)
	do(t, ts, tok, "POST", "/v1.0/me/messages/"+draft+"/attachments", inline).wantStatus(t, 201)
	open().wantError(t, 403, "ErrorQuotaExceeded", "") // the inline file took the room
	checkTallies(t, s, "the upload sessions")
}

// All mailboxes together stay under the sandbox's data limit, whatever
// each one's quota: the write that would pass it is refused the same way,
// naming the sandbox rather than the mailbox.
func TestQuotaDataLimit(t *testing.T) {
	s, ts := NewTestServer(t, Options{Now: func() time.Time { return testNow }, MailboxQuotaBytes: -1})
	if s.mailboxQuota != -1 {
		t.Fatalf("MailboxQuotaBytes -1 gave a quota of %d", s.mailboxQuota)
	}
	tok := s.Token(allScopes...)
	s.mu.Lock()
	s.dataQuota = s.dataUsed(testNow) + 30_000
	s.mu.Unlock()
	fill(t, ts, tok, 4_000)
	a := do(t, ts, tok, "POST", "/v1.0/me/events", `{"subject":"One more","body":{"contentType":"text","content":"`+strings.Repeat("z", 4_000)+`"},"start":{"dateTime":"2026-12-04T10:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-04T11:00:00","timeZone":"UTC"}}`)
	a.wantError(t, 403, "ErrorQuotaExceeded", msgQuotaExceeded)
	if d := a.json["error"].(map[string]any)["details"].([]any)[0].(map[string]any); d["target"] != "sandbox" {
		t.Errorf("details %v, want the sandbox's limit named", d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if used := s.dataUsed(testNow); used > s.dataQuota {
		t.Errorf("the mailboxes hold %d bytes, over the %d-byte limit", used, s.dataQuota)
	}
}

// The quota options: 0 is the default, a negative value leaves only the
// sandbox's data limit.
func TestQuotaOptions(t *testing.T) {
	for _, c := range []struct {
		opt, want int64
		bigTarget string // who refuses a write of the whole quota
	}{
		{opt: 0, want: DefaultMailboxQuotaBytes, bigTarget: "mailbox"},
		{opt: 1 << 30, want: 1 << 30, bigTarget: "mailbox"},
		{opt: -7, want: -1, bigTarget: "sandbox"},
	} {
		s := New(Options{Now: func() time.Time { return testNow }, MailboxQuotaBytes: c.opt})
		if s.mailboxQuota != c.want {
			t.Errorf("MailboxQuotaBytes %d: quota %d, want %d", c.opt, s.mailboxQuota, c.want)
		}
		s.mu.Lock()
		m := mailboxOf(s, demoUser)
		if err := s.room(m, 1_000); err != nil {
			t.Errorf("MailboxQuotaBytes %d: a small write refused: %v", c.opt, err)
		}
		delta := int64(DefaultMailboxQuotaBytes)
		if c.opt > 0 {
			delta = c.opt
		}
		err := s.room(m, delta)
		if c.opt < 0 {
			err = s.room(m, dataQuotaBytes)
		}
		s.mu.Unlock()
		if err == nil || err.details[0]["target"] != c.bigTarget {
			t.Errorf("MailboxQuotaBytes %d: a write of the whole quota: %v, want refused by the %s", c.opt, err, c.bigTarget)
		}
	}
}

// A sandbox filled to its limits saves a file a sandbox loads back: every
// mailbox at its quota, or all of them at the data limit; the file is no
// larger than what the mailboxes hold and a few hundred bytes around them.
func TestQuotaFullSandboxLoadsBack(t *testing.T) {
	for _, c := range []struct {
		name           string
		quota, dataCap int64
	}{
		{"every mailbox at its quota", 150_000, dataQuotaBytes},
		{"the sandbox at its data limit", -1, 600_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, ts := NewTestServer(t, Options{Now: func() time.Time { return testNow }, MailboxQuotaBytes: c.quota})
			s.mu.Lock()
			s.dataQuota = c.dataCap
			s.mu.Unlock()
			for _, u := range s.Users() {
				fill(t, ts, s.IssueToken(Grant{UserID: u.ID, Scopes: allScopes}), 3_000)
			}
			limit := c.dataCap
			if c.quota > 0 {
				limit = c.quota * int64(len(s.Users()))
			}
			path := filepath.Join(t.TempDir(), "sandbox.json")
			if err := s.SaveFile(path); err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(path)
			if fi.Size() > limit+1_000 {
				t.Errorf("the file is %d bytes; the mailboxes may hold %d", fi.Size(), limit)
			}
			s2 := New(Options{Now: func() time.Time { return testNow }})
			if err := s2.LoadFile(path); err != nil {
				t.Fatalf("the full sandbox's file does not load: %v", err)
			}
			if saved(t, s2) != saved(t, s) {
				t.Error("the loaded data differs from the saved")
			}
		})
	}
}

// Save refuses data a sandbox would not read back, before writing a byte;
// SaveFile then leaves the file as it was.
func TestSaveRefusesDataTooLarge(t *testing.T) {
	s, _ := newSandbox(t)
	path := filepath.Join(t.TempDir(), "sandbox.json")
	if err := s.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	s.mu.Lock()
	s.saveLimit = int64(len(good)) - 1
	s.mu.Unlock()
	var w bytes.Buffer
	err := s.Save(&w)
	if !errors.Is(err, ErrDataTooLarge) || w.Len() != 0 {
		t.Fatalf("Save: %v, %d bytes written; want ErrDataTooLarge and nothing", err, w.Len())
	}
	if !strings.Contains(err.Error(), "not written") {
		t.Errorf("the error %q does not say the data was not written", err)
	}
	if err := s.SaveFile(path); !errors.Is(err, ErrDataTooLarge) {
		t.Fatalf("SaveFile: %v, want ErrDataTooLarge", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, good) {
		t.Error("a refused SaveFile changed the file")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want the data file alone", len(entries))
	}
	s.mu.Lock()
	s.saveLimit = int64(len(good))
	s.mu.Unlock()
	if err := s.Save(&w); err != nil {
		t.Errorf("Save at exactly the limit: %v", err)
	}
}
