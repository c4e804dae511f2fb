package graphref

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// readExtract reads a permissions extract as plain maps, independently of
// the generator.
func readExtract(t *testing.T, path string) map[string]map[string][]Permission {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("reference not present: %v", err)
	}
	var doc struct {
		Paths map[string]map[string][]struct {
			Permission          string `json:"permission"`
			LeastPrivilegedFlag bool   `json:"leastPrivilegedFlag"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string][]Permission{}
	for op, kinds := range doc.Paths {
		out[op] = map[string][]Permission{}
		for kind, perms := range kinds {
			for _, p := range perms {
				out[op][kind] = append(out[op][kind], Permission{p.Permission, p.LeastPrivilegedFlag})
			}
		}
	}
	return out
}

// TestPermissionsMatchTheData: the table holds exactly the extract checked
// into this package and, when present (CI), the shared reference.
func TestPermissionsMatchTheData(t *testing.T) {
	for _, path := range []string{"permissions-extract.json", "../../../shared/graph-reference/permissions-extract.json"} {
		t.Run(path, func(t *testing.T) {
			want := readExtract(t, path)
			got := map[string]map[string][]Permission{}
			for _, o := range Operations() {
				kinds := map[string][]Permission{}
				for kind, perms := range map[string][]Permission{"DelegatedWork": o.DelegatedWork, "DelegatedPersonal": o.DelegatedPersonal, "Application": o.Application} {
					if perms != nil {
						kinds[kind] = perms
					}
				}
				got[o.Op] = kinds
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the table differs from %s (run go generate ./internal/graphref):\n got %v\nwant %v", path, got, want)
			}
		})
	}
}

// TestPermissionsFileIsCurrent: running the generator gives the checked-in
// permissions_gen.go byte for byte.
func TestPermissionsFileIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the generator; skipped with -short")
	}
	out := filepath.Join(t.TempDir(), "permissions_gen.go")
	cmd := exec.Command("go", "run", "genpermissions.go", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run genpermissions.go: %v\n%s", err, b)
	}
	generated, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	current, err := os.ReadFile("permissions_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(generated, current) {
		t.Error("permissions_gen.go is not what genpermissions.go writes: run go generate ./internal/graphref")
	}
}

func TestLookupOperation(t *testing.T) {
	tests := []struct {
		op    string
		ok    bool
		least string // first delegated-work permission
	}{
		{"GET /me", true, "User.Read"},
		{"POST /me/sendmail", true, "Mail.Send"},
		{"GET /users/{id}/todo/lists", true, "Tasks.Read"},
		{"POST /users/{id}/todo/lists/{id}/tasks", true, "Tasks.ReadWrite"},
		{"GET /me/sendMail", false, ""}, // paths are as the data writes them: lower case
		{"DELETE /me/events/{id}", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		o, ok := LookupOperation(tt.op)
		if ok != tt.ok {
			t.Errorf("LookupOperation(%q) ok = %v, want %v", tt.op, ok, tt.ok)
			continue
		}
		if ok && (o.Op != tt.op || o.DelegatedWork[0].Name != tt.least || !o.DelegatedWork[0].Least) {
			t.Errorf("LookupOperation(%q) = %+v, want %s first and least privileged", tt.op, o, tt.least)
		}
	}
	if !slices.IsSortedFunc(Operations(), func(a, b Operation) int { return strings.Compare(a.Op, b.Op) }) {
		t.Error("Operations() is not sorted by Op")
	}
}

// TestAllIsTheUnionOfTheData: All gives, for every operation of the data,
// every permission of delegated work, delegated personal and application,
// in the data's order, once (the engine's view of the table).
func TestAllIsTheUnionOfTheData(t *testing.T) {
	data := readExtract(t, "permissions-extract.json")
	for op, kinds := range data {
		var want []string
		for _, kind := range []string{"DelegatedWork", "DelegatedPersonal", "Application"} {
			for _, p := range kinds[kind] {
				if !slices.Contains(want, p.Name) {
					want = append(want, p.Name)
				}
			}
		}
		o, ok := LookupOperation(op)
		if !ok {
			t.Errorf("%s: not in the table", op)
			continue
		}
		if got := o.All(); !slices.Equal(got, want) {
			t.Errorf("%s: All() = %v, want %v", op, got, want)
		}
	}
}

func TestAllPermissions(t *testing.T) {
	o, _ := LookupOperation("GET /users/{id}/todo/lists")
	want := []string{"Tasks.Read", "Tasks.ReadWrite", "Tasks.Read.All", "Tasks.ReadWrite.All"}
	if got := o.All(); !slices.Equal(got, want) {
		t.Errorf("All() = %v, want %v", got, want)
	}
	o, _ = LookupOperation("GET /me")
	if got := o.All(); got[0] != "User.Read" || slices.Contains(got[1:], "User.Read") {
		t.Errorf("All() of GET /me = %v: want User.Read first and once", got)
	}
}

// TestDocumentedAreNotInTheData: the supplement only adds what the data
// does not know, so that each operation has one source, and names the docs
// page of each entry.
func TestDocumentedAreNotInTheData(t *testing.T) {
	data := map[string]bool{}
	for _, o := range Operations() {
		data[NormalizeOperation(o.Op)] = true
	}
	seen := map[string]bool{}
	for _, o := range Documented() {
		key := NormalizeOperation(o.Op)
		switch {
		case data[key]:
			t.Errorf("%s is in the permissions data; drop it from documented.go", o.Op)
		case seen[key]:
			t.Errorf("%s is in documented.go twice", o.Op)
		case !strings.HasSuffix(o.Source, ".md"):
			t.Errorf("%s: source %q, want its docs page", o.Op, o.Source)
		case len(o.DelegatedWork) == 0 || !o.DelegatedWork[0].Least:
			t.Errorf("%s: want its delegated permissions, least privileged first", o.Op)
		case o.Op != strings.ToUpper(o.Op[:strings.Index(o.Op, " ")])+strings.ToLower(o.Op[strings.Index(o.Op, " "):]):
			t.Errorf("%s: write it as the data does, the path in lower case", o.Op)
		}
		seen[key] = true
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		op, foundAs string // foundAs "" = unknown
		delegated   string // least privileged delegated
		application []string
	}{
		{"GET /me", "GET /me", "User.Read", nil},
		{"GET /users/{id}", "GET /users/{id}", "User.ReadBasic.All", []string{"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}},
		// /me and /users/{id} are one operation, their permissions merged.
		{"GET /me/todo/lists", "GET /me/todo/lists", "Tasks.Read", []string{"Tasks.Read.All", "Tasks.ReadWrite.All"}},
		{"POST /users/{id}/todo/lists", "POST /me/todo/lists", "Tasks.ReadWrite", []string{"Tasks.ReadWrite.All"}},
		{"GET /me/calendarView", "GET /me/calendarview", "Calendars.ReadBasic", []string{"Calendars.ReadBasic", "Calendars.ReadWrite", "Calendars.Read"}},
		// Inferred: a GET below a known GET, a PATCH of an item from POST.
		{"GET /me/events/{id}", "GET /me/events", "Calendars.ReadBasic", []string{"Calendars.ReadBasic", "Calendars.ReadWrite", "Calendars.Read"}},
		{"GET /me/mailboxSettings/timeZone", "GET /me/mailboxsettings", "MailboxSettings.Read", []string{"MailboxSettings.Read", "MailboxSettings.ReadWrite"}},
		{"PATCH /me/events/{id}", "POST /me/events", "Calendars.ReadWrite", []string{"Calendars.ReadWrite"}},
		// Documented, not inferred from the user above them.
		{"GET /me/calendar/events/{id}", "GET /me/calendar/events", "Calendars.ReadBasic", []string{"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"}},
		{"GET /users/{id}/events/{id}/instances", "GET /me/events/{id}/instances", "Calendars.ReadBasic", []string{"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"}},
		{"GET /me/calendar/events/{id}/instances", "GET /me/calendar/events/{id}/instances", "Calendars.ReadBasic", []string{"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"}},
		{"GET /users/{id}/mailFolders/{id}/messages", "GET /me/mailfolders/{id}/messages", "Mail.ReadBasic", []string{"Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite"}},
		{"POST /me/findMeetingTimes", "POST /me/findmeetingtimes", "Calendars.Read.Shared", nil},
		{"GET /groups", "", "", nil},
		// Nothing is inferred from the user itself: User.Read says
		// nothing of a drive or a deeper unknown resource.
		{"GET /me/drive", "", "", nil},
		{"GET /users/{id}/drive/root/children", "", "", nil},
		{"POST /me/messages/{id}/unknownAction", "", "", nil},
	}
	for _, tt := range tests {
		o, ok := Find(tt.op)
		if tt.foundAs == "" {
			if ok {
				t.Errorf("Find(%q) = %+v, want unknown", tt.op, o)
			}
			continue
		}
		if !ok || o.Op != tt.foundAs || o.DelegatedNames()[0] != tt.delegated || !slices.Equal(o.ApplicationNames(), tt.application) {
			t.Errorf("Find(%q) = %v %v: delegated %v, application %v; want %s, %s first, application %v",
				tt.op, o.Op, ok, o.DelegatedNames(), o.ApplicationNames(), tt.foundAs, tt.delegated, tt.application)
		}
	}
}

// TestFindAgreesWithAnIndex checks lookup's scan against what an index of
// the normalized operations (how Find worked before) answers, for every
// operation's own key and the fallbacks Find tries.
func TestFindAgreesWithAnIndex(t *testing.T) {
	all := append(slices.Clone(operations), documented...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Op < all[j].Op })
	index := map[string]Operation{}
	for _, o := range all {
		key := NormalizeOperation(o.Op)
		m, seen := index[key]
		if !seen {
			m = Operation{Op: key, Source: o.Source}
		}
		m.DelegatedWork = appendPermissions(m.DelegatedWork, o.DelegatedWork)
		m.DelegatedPersonal = appendPermissions(m.DelegatedPersonal, o.DelegatedPersonal)
		m.Application = appendPermissions(m.Application, o.Application)
		index[key] = m
	}
	keys := []string{"GET /me/nothing", "POST /users", "GET /", "get /ME/EVENTS/", "DELETE /users/{id}/events/{id}"}
	for _, o := range all {
		keys = append(keys, NormalizeOperation(o.Op), o.Op, strings.ToUpper(o.Op), o.Op+"/")
	}
	for _, k := range keys {
		key := NormalizeOperation(k)
		got, ok := lookup(key)
		want, wantOK := index[key]
		if ok != wantOK || !reflect.DeepEqual(got, want) {
			t.Errorf("lookup(%q) = %+v, %v; the index has %+v, %v", key, got, ok, want, wantOK)
		}
		for _, o := range all {
			if got, want := hasKey(o.Op, key), NormalizeOperation(o.Op) == key; got != want {
				t.Errorf("hasKey(%q, %q) = %v, want %v", o.Op, key, got, want)
			}
		}
	}
}
