package sandbox

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// referenceDir is the Graph reference material, which CI keeps beside the
// checkout (shared/ next to the repository).
const referenceDir = "../../shared/graph-reference"

func readReference(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(referenceDir, name))
	if os.IsNotExist(err) {
		t.Skipf("Graph reference material not found at %s (expected beside the checkout): %v", referenceDir, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var trailingComma = regexp.MustCompile(`,(\s*[}\]])`)

// referenceJSON parses a documented body; lenient tolerates the trailing
// comma the docs' recurring-event example (D3) has.
func referenceJSON(t *testing.T, name string, lenient bool) map[string]any {
	t.Helper()
	b := readReference(t, name)
	if lenient {
		b = trailingComma.ReplaceAll(b, []byte("$1"))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// shapeDiff compares the keys and JSON value types of got (the sandbox)
// with want (the docs), recursively; values, ids and times are ignored. A
// documented null matches any type. Arrays compare element by element up
// to the shorter length, and an empty array on either side matches any
// array. It returns one line per difference, as "path: problem".
func shapeDiff(path string, want, got any) []string {
	if want == nil {
		return nil
	}
	if got == nil {
		return []string{fmt.Sprintf("%s: documented %s, sandbox null", path, jsonKind(want))}
	}
	if jsonKind(want) != jsonKind(got) {
		return []string{fmt.Sprintf("%s: documented %s, sandbox %s", path, jsonKind(want), jsonKind(got))}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s: missing in sandbox", joinPath(path, k)))
				continue
			}
			out = append(out, shapeDiff(joinPath(path, k), wv, gv)...)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				out = append(out, fmt.Sprintf("%s: not documented", joinPath(path, k)))
			}
		}
	case []any:
		g := got.([]any)
		for i := 0; i < len(w) && i < len(g); i++ {
			out = append(out, shapeDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
	}
	sort.Strings(out)
	return out
}

// checkShape fails on every difference not in allowed (path → reason).
func checkShape(t *testing.T, want, got any, allowed map[string]string) {
	t.Helper()
	used := map[string]bool{}
	for _, d := range shapeDiff("", want, got) {
		p, _, _ := strings.Cut(d, ":")
		if _, ok := allowed[p]; ok {
			used[p] = true
			continue
		}
		t.Errorf("shape: %s", d)
	}
	for p, why := range allowed {
		if !used[p] {
			t.Errorf("allowed difference %q (%s) did not occur: update the test", p, why)
		}
	}
}

// requestBody reads an example request body.
func requestBody(t *testing.T, op string) string {
	return string(readReference(t, "examples/"+op+"-request.json"))
}

// documented quirks shared by the examples.
const (
	whyContext = "the docs example omits @odata.context, which Graph sends"
	whySubset  = "the docs example shows only some properties"
)

func firstValue(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	vs, _ := m["value"].([]any)
	if len(vs) == 0 {
		t.Fatalf("no value[0] in %v", m)
	}
	return vs[0].(map[string]any)
}

func TestExamplesEvents(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	pst := []string{"Prefer", `outlook.timezone="Pacific Standard Time"`}

	t.Run("A1 list events with $select and a time zone", func(t *testing.T) {
		want := referenceJSON(t, "examples/A1-list-events-response.json", false)
		a := do(t, ts, tok, "GET", "/v1.0/me/events?$select=subject,body,bodyPreview,organizer,attendees,start,end,location&$filter=subject%20eq%20%27Lunch%20with%20Megan%27", "", pst...).wantStatus(t, 200)
		if got := a.header.Get("Preference-Applied"); got != `outlook.timezone="Pacific Standard Time"` {
			t.Errorf("Preference-Applied %q", got)
		}
		got := a.json
		checkShape(t, firstValue(t, want), firstValue(t, got), map[string]string{
			"locations": "the docs example returns locations although $select does not name it",
		})
		if !strings.HasSuffix(sv(got["@odata.context"]), "/events(subject,body,bodyPreview,organizer,attendees,start,end,location)") {
			t.Errorf("@odata.context %q", got["@odata.context"])
		}
		start := firstValue(t, got)["start"].(map[string]any)
		if start["timeZone"] != "Pacific Standard Time" || !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$`).MatchString(sv(start["dateTime"])) {
			t.Errorf("start %v: want Pacific time with 7 fractional digits", start)
		}
	})

	t.Run("A2 calendarView", func(t *testing.T) {
		want := referenceJSON(t, "examples/A2-list-calendarview-response.json", false)
		do(t, ts, tok, "POST", "/v1.0/me/events", `{"subject":"In the window","start":{"dateTime":"2020-01-02T09:00:00","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2020-01-02T10:00:00","timeZone":"Pacific Standard Time"}}`).wantStatus(t, 201)
		got := do(t, ts, tok, "GET", "/v1.0/me/calendarView?startDateTime=2020-01-01T19:00:00-08:00&endDateTime=2020-01-02T19:00:00-08:00", "").wantStatus(t, 200).json
		// The documented item is an excerpt: check its keys are all there.
		g := firstValue(t, got)
		for k, wv := range firstValue(t, want) {
			if d := shapeDiff(k, wv, g[k]); len(d) > 0 {
				t.Errorf("%v", d)
			}
		}
		if n := len(got["value"].([]any)); n != 1 {
			t.Errorf("%d events in the window, want 1", n)
		}
	})

	for _, ex := range []struct {
		op      string
		lenient bool
		allowed map[string]string
	}{
		// D1's documented response differs in values from its request
		// (subject, times, body): only the shape is compared.
		// (D2 and D3 document isOnlineMeeting true with onlineMeeting null;
		// a documented null matches any shape.)
		{"D1-create-event", false, nil},
		{"D2-create-event-multiple-locations", false, nil},
		// D3's documented response has a trailing comma: parsed leniently.
		{"D3-create-event-recurring", true, nil},
		{"D4-create-event-online-meeting", false, nil},
	} {
		t.Run(ex.op, func(t *testing.T) {
			want := referenceJSON(t, "examples/"+ex.op+"-response.json", ex.lenient)
			hdr := pst
			if ex.op == "D3-create-event-recurring" {
				hdr = nil // the docs send D3 without Prefer
			}
			got := do(t, ts, tok, "POST", "/v1.0/me/events", requestBody(t, ex.op), hdr...).wantStatus(t, 201).json
			checkShape(t, want, got, ex.allowed)
		})
	}
}

func TestExamplesTodo(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)

	t.Run("B list To Do lists", func(t *testing.T) {
		want := referenceJSON(t, "examples/B-list-todo-lists-response.json", false)
		got := do(t, ts, tok, "GET", "/v1.0/me/todo/lists", "").wantStatus(t, 200).json
		checkShape(t, want, got, map[string]string{"@odata.context": whyContext})
		v := got["value"].([]any)
		for i := range v {
			checkShape(t, firstValue(t, want), v[i], nil)
		}
	})
	var listID string
	t.Run("C create a To Do list", func(t *testing.T) {
		want := referenceJSON(t, "examples/C-create-todo-list-response.json", false)
		got := do(t, ts, tok, "POST", "/v1.0/me/todo/lists", requestBody(t, "C-create-todo-list")).wantStatus(t, 201).json
		checkShape(t, want, got, map[string]string{"@odata.context": whyContext})
		if got["displayName"] != "Travel items" || got["wellknownListName"] != "none" {
			t.Errorf("created %v", got)
		}
		listID = sv(got["id"])
	})
	t.Run("F2 create a task", func(t *testing.T) {
		want := referenceJSON(t, "examples/F2-create-task-response.json", false)
		got := do(t, ts, tok, "POST", "/v1.0/me/todo/lists/"+listID+"/tasks", requestBody(t, "F2-create-task")).wantStatus(t, 201).json
		checkShape(t, want, got, map[string]string{
			"@odata.context":           whyContext,
			"bodyLastModifiedDateTime": whySubset,
			"categories":               whySubset,
			"hasAttachments":           whySubset,
		})
	})
	t.Run("F1 list tasks", func(t *testing.T) {
		want := referenceJSON(t, "examples/F1-list-tasks-response.json", false)
		// F1 documents a task whose linked resource has an externalId and
		// no webUrl (Graph omits unset properties of linkedResource).
		id := sv(do(t, ts, tok, "POST", "/v1.0/me/todo/lists", `{"displayName":"F1"}`).wantStatus(t, 201).json["id"])
		do(t, ts, tok, "POST", "/v1.0/me/todo/lists/"+id+"/tasks", `{"title":"Linked entity new task 1","importance":"low","categories":["Important","Urgent"],"linkedResources":[{"applicationName":"Partner App Name","displayName":"Partner App Name","externalId":"teset1243434"}]}`).wantStatus(t, 201)
		got := do(t, ts, tok, "GET", "/v1.0/me/todo/lists/"+id+"/tasks", "").wantStatus(t, 200).json
		checkShape(t, firstValue(t, want), firstValue(t, got), map[string]string{
			"bodyLastModifiedDateTime": whySubset,
			"hasAttachments":           whySubset,
		})
	})
}

func TestExamplesMailAndUser(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	sent := func() int {
		return len(do(t, ts, tok, "GET", "/v1.0/me/mailFolders/sentitems/messages", "").wantStatus(t, 200).values(t))
	}
	for _, ex := range []struct {
		op        string
		savesCopy bool
	}{
		// E1 sends saveToSentItems as the string "false", which Graph
		// accepts as the boolean.
		{"E1-sendmail", false},
		{"E2-sendmail-internet-headers", true},
		{"E3-sendmail-attachment", true},
	} {
		t.Run(ex.op, func(t *testing.T) {
			before := sent()
			a := do(t, ts, tok, "POST", "/v1.0/me/sendMail", requestBody(t, ex.op)).wantStatus(t, 202)
			if len(a.raw) != 0 {
				t.Errorf("202 with a body: %s", a.raw)
			}
			if got := sent() - before; (got == 1) != ex.savesCopy {
				t.Errorf("Sent Items grew by %d; saveToSentItems copy expected: %v", got, ex.savesCopy)
			}
		})
	}
	t.Run("E4 bad MIME", func(t *testing.T) {
		want := referenceJSON(t, "examples/E4-sendmail-mime-bad-base64-response.json", false)
		a := do(t, ts, tok, "POST", "/v1.0/me/sendMail", "this is not base64!", "Content-Type", "text/plain")
		a.wantError(t, 400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
		checkShape(t, want, a.json, map[string]string{"error.innerError": "the docs example omits innerError, which Graph sends"})
	})
	t.Run("F3 list messages", func(t *testing.T) {
		want := referenceJSON(t, "examples/F3-list-messages-response.json", false)
		got := do(t, ts, tok, "GET", "/v1.0/me/messages?$select=sender,subject", "").wantStatus(t, 200).json
		checkShape(t, firstValue(t, want), firstValue(t, got), nil)
		if !strings.HasSuffix(sv(got["@odata.context"]), "/messages(sender,subject)") {
			t.Errorf("@odata.context %q", got["@odata.context"])
		}
	})
	t.Run("F4 get me", func(t *testing.T) {
		want := referenceJSON(t, "examples/F4-get-me-response.json", false)
		got := do(t, ts, tok, "GET", "/v1.0/me", "").wantStatus(t, 200).json
		checkShape(t, want, got, map[string]string{"@odata.context": whyContext})
		raw := readReference(t, "examples/general/get-me-raw-response-graphdocs-2021.http")
		_, body, _ := strings.Cut(string(raw), "\n\n")
		var full map[string]any
		if err := json.Unmarshal([]byte(body), &full); err != nil {
			t.Fatal(err)
		}
		checkShape(t, full, got, nil)
	})
	t.Run("F4b get a user with $select", func(t *testing.T) {
		want := referenceJSON(t, "examples/F4b-get-user-select-response.json", false)
		app := s.AppToken("User.Read.All")
		got := do(t, ts, app, "GET", "/v1.0/users/"+url.PathEscape(s.Users()[0].ID)+"?$select=displayName,givenName,postalCode,identities", "").wantStatus(t, 200).json
		checkShape(t, want, got, nil)
	})
	for _, ex := range []struct{ op, path string }{
		{"F5-get-mailboxsettings", "/v1.0/me/mailboxSettings"},
		{"F5b-get-mailboxsettings-automaticreplies", "/v1.0/me/mailboxSettings/automaticRepliesSetting"},
	} {
		t.Run(ex.op, func(t *testing.T) {
			want := referenceJSON(t, "examples/"+ex.op+"-response.json", false)
			got := do(t, ts, tok, "GET", ex.path, "").wantStatus(t, 200).json
			checkShape(t, want, got, nil)
		})
	}
	t.Run("F5c working hours", func(t *testing.T) {
		want := referenceJSON(t, "examples/F5c-get-mailboxsettings-workinghours-response.json", false)
		got := do(t, ts, tok, "GET", "/v1.0/me/mailboxSettings/workingHours", "").wantStatus(t, 200).json
		const why = "the docs example uses a custom time zone; the sandbox mailbox a standard one ({name})"
		checkShape(t, want, got, map[string]string{
			"timeZone.@odata.type": why, "timeZone.bias": why, "timeZone.standardOffset": why, "timeZone.daylightOffset": why,
		})
	})
}

func TestExamplesErrorShapes(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token(allScopes...)
	expired := s.IssueToken(Grant{UserID: s.Users()[0].ID, Scopes: allScopes, Expiry: testNow.Add(-1)})
	s.Faults().Add(Fault{Path: "/v1.0/me/messages", Status: 429, RetryAfter: "2.128", Count: 1})
	for _, ex := range []struct {
		file    string
		answer  func() answer
		allowed map[string]string
	}{
		{"error-ErrorItemNotFound-observed.json", func() answer { return do(t, ts, tok, "GET", "/v1.0/me/events/"+newItemID(), "") },
			map[string]string{"error.innerError.client-request-id": "Graph adds client-request-id to innerError today"}},
		{"error-ErrorInvalidIdMalformed-observed.json", func() answer { return do(t, ts, tok, "GET", "/v1.0/me/events/not-an-id", "") },
			map[string]string{"error.innerError.client-request-id": "Graph adds client-request-id to innerError today"}},
		{"error-InvalidAuthenticationToken-observed.json", func() answer { return do(t, ts, expired, "GET", "/v1.0/me", "") }, nil},
		{"error-example-current.json", func() answer { return do(t, ts, tok, "GET", "/v1.0/me/todo/lists/"+newItemID(), "") },
			map[string]string{"error.innerError.client-request-id": "Graph adds client-request-id to innerError today"}},
		{"throttling-429-response.json", func() answer { return do(t, ts, tok, "GET", "/v1.0/me/messages", "") },
			map[string]string{"error.innerError.client-request-id": "Graph adds client-request-id to innerError today"}},
	} {
		t.Run(ex.file, func(t *testing.T) {
			want := referenceJSON(t, "examples/general/"+ex.file, false)
			a := ex.answer()
			checkShape(t, want, a.json, ex.allowed)
		})
	}
}

// coveredOps are the manifest operations the tests above replay; a new
// example in the reference material must be added here and tested.
var coveredOps = []string{"A1-list-events", "A2-list-calendarview", "B-list-todo-lists", "C-create-todo-list",
	"D1-create-event", "D2-create-event-multiple-locations", "D3-create-event-recurring", "D4-create-event-online-meeting",
	"E1-sendmail", "E2-sendmail-internet-headers", "E3-sendmail-attachment", "E4-sendmail-mime-bad-base64",
	"F1-list-tasks", "F2-create-task", "F3-list-messages", "F4-get-me", "F4b-get-user-select",
	"F5-get-mailboxsettings", "F5b-get-mailboxsettings-automaticreplies", "F5c-get-mailboxsettings-workinghours"}

func TestExamplesCoverManifest(t *testing.T) {
	var manifest []struct {
		Op string `json:"op"`
	}
	if err := json.Unmarshal(readReference(t, "examples/manifest.json"), &manifest); err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, op := range coveredOps {
		covered[op] = true
	}
	if len(manifest) != len(coveredOps) {
		t.Errorf("manifest has %d operations, tests cover %d", len(manifest), len(coveredOps))
	}
	for _, e := range manifest {
		if !covered[e.Op] {
			t.Errorf("example %s has no test", e.Op)
		}
	}
}
