package sandbox

import (
	"net/url"
	"strings"
	"testing"
)

func names(vs []map[string]any) string {
	var out []string
	for _, v := range vs {
		out = append(out, sv(v["displayName"]))
	}
	return strings.Join(out, ", ")
}

// GET /users: the directory, with the query rules Graph applies to it.
func TestListUsers(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token("User.ReadBasic.All")
	ev := []string{"ConsistencyLevel", "eventual"}
	q := url.QueryEscape
	all := do(t, ts, tok, "GET", "/v1.0/users", "").wantStatus(t, 200)
	if got := names(all.values(t)); got != "Adele Vance, Alex Wilber, Megan Bowen, Lee Gu, Diego Siciliani" {
		t.Errorf("users: %s", got)
	}
	if !strings.HasSuffix(sv(all.json["@odata.context"]), "/v1.0/$metadata#users") {
		t.Errorf("@odata.context %v", all.json["@odata.context"])
	}
	for _, tc := range []struct {
		name, query string
		header      []string
		want        string
	}{
		{"filter startswith displayName", "$filter=" + q("startswith(displayName,'me')"), nil, "Megan Bowen"},
		{"filter mail eq, any case", "$filter=" + q("mail eq 'leeg@contoso.onmicrosoft.com'"), nil, "Lee Gu"},
		{"search displayName word", "$search=" + q(`"displayName:sic"`), ev, "Diego Siciliani"},
		{"search OR", "$search=" + q(`"displayName:al" OR "mail:lee"`) + "&$orderby=displayName", ev, "Alex Wilber, Lee Gu"},
		{"search AND", "$search=" + q(`"displayName:a" AND "mail:adele"`), ev, "Adele Vance"},
		{"orderby desc", "$orderby=" + q("displayName desc") + "&$top=2", nil, "Megan Bowen, Lee Gu"},
		{"filter and orderby, advanced", "$filter=" + q("startswith(displayName,'a')") + "&$orderby=displayName&$count=true", ev, "Adele Vance, Alex Wilber"},
		{"ne, advanced", "$filter=" + q("displayName ne 'Adele Vance'") + "&$count=true&$top=1", ev, "Alex Wilber"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, ts, tok, "GET", "/v1.0/users?"+tc.query, "", tc.header...).wantStatus(t, 200)
			if got := names(a.values(t)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	sel := do(t, ts, tok, "GET", "/v1.0/users?$select=displayName,mail&$top=1", "").wantStatus(t, 200).values(t)[0]
	if _, hasID := sel["id"]; hasID || len(sel) != 2 {
		t.Errorf("$select=displayName,mail gave %v", sel)
	}
	c := do(t, ts, tok, "GET", "/v1.0/users?$count=true&$top=2", "", ev...).wantStatus(t, 200).json
	next := sv(c["@odata.nextLink"])
	if c["@odata.count"] != float64(5) || !strings.Contains(next, "$skiptoken=") {
		t.Fatalf("count %v nextLink %q", c["@odata.count"], next)
	}
	page2 := do(t, ts, tok, "GET", strings.TrimPrefix(next, ts.URL), "", ev...).wantStatus(t, 200).values(t)
	if names(page2) != "Megan Bowen, Lee Gu" {
		t.Errorf("page 2: %s", names(page2))
	}

	for _, tc := range []struct {
		name, query string
		header      []string
		status      int
		code, msg   string
	}{
		{"search without ConsistencyLevel", "$search=" + q(`"displayName:a"`), nil, 400, "Request_UnsupportedQuery", msgSearchNeedsEventual},
		{"count without ConsistencyLevel", "$count=true", nil, 400, "Request_BadRequest", msgCountNeedsEventual},
		{"filter and orderby without advanced", "$filter=" + q("startswith(displayName,'a')") + "&$orderby=displayName", nil, 400, "Request_UnsupportedQuery", msgSortNotSupported},
		{"ne without advanced", "$filter=" + q("displayName ne 'x'"), nil, 400, "Request_UnsupportedQuery", ""},
		{"skip", "$skip=1", nil, 400, "Request_BadRequest", "'$skip' is not supported by the service."},
		{"search unquoted", "$search=adele", ev, 400, "Request_UnsupportedQuery", ""},
		{"search other property", "$search=" + q(`"jobTitle:dir"`), ev, 400, "Request_UnsupportedQuery", ""},
		{"orderby jobTitle", "$orderby=jobTitle", nil, 400, "Request_UnsupportedQuery", msgSortNotSupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(t, ts, tok, "GET", "/v1.0/users?"+tc.query, "", tc.header...).wantError(t, tc.status, tc.code, tc.msg)
		})
	}
	do(t, ts, s.Token("User.Read"), "GET", "/v1.0/users", "").wantError(t, 403, "Authorization_RequestDenied", msgInsufficientPrivileges)
	do(t, ts, tok, "POST", "/v1.0/users", "{}").wantError(t, 405, "Request_BadRequest", msgMethod)
	do(t, ts, s.AppToken("User.Read.All"), "GET", "/v1.0/users?$top=1", "").wantStatus(t, 200)
}

// Another user's profile: a directory permission reads it; User.Read alone
// gets the directory's 403, not Exchange's.
func TestOtherUserProfile(t *testing.T) {
	s, ts := newSandbox(t)
	do(t, ts, s.Token("User.Read"), "GET", "/v1.0/users/MeganB@contoso.onmicrosoft.com", "").wantError(t, 403, "Authorization_RequestDenied", msgInsufficientPrivileges)
	u := do(t, ts, s.Token("User.ReadBasic.All"), "GET", "/v1.0/users/MeganB@contoso.onmicrosoft.com", "").wantStatus(t, 200).json
	if u["displayName"] != "Megan Bowen" {
		t.Errorf("got %v", u)
	}
	do(t, ts, s.Token("User.Read"), "GET", "/v1.0/users/"+demoUser.UserPrincipalName, "").wantStatus(t, 200)
	do(t, ts, s.Token("User.ReadBasic.All", "Calendars.Read"), "GET", "/v1.0/users/MeganB@contoso.onmicrosoft.com/events", "").wantError(t, 403, "ErrorAccessDenied", msgAccessDenied)
}

// GET /me/people: ranked by how much the mailbox deals with each person.
func TestListPeople(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token("People.Read")
	a := do(t, ts, tok, "GET", "/v1.0/me/people", "").wantStatus(t, 200)
	vs := a.values(t)
	if len(vs) != 5 || sv(vs[0]["displayName"]) != "Alex Wilber" || sv(vs[1]["displayName"]) != "Megan Bowen" {
		t.Errorf("people: %s", names(vs))
	}
	prev := 1e9
	for _, p := range vs {
		score := p["scoredEmailAddresses"].([]any)[0].(map[string]any)["relevanceScore"].(float64)
		if score > prev {
			t.Errorf("not ranked: %s", names(vs))
		}
		prev = score
	}
	if vs[0]["personType"].(map[string]any)["subclass"] != "OrganizationUser" || vs[0]["userPrincipalName"] != colleague.UserPrincipalName {
		t.Errorf("directory person %v", vs[0])
	}
	found := do(t, ts, tok, "GET", "/v1.0/me/people?$search=planner", "").wantStatus(t, 200).values(t)
	if len(found) != 1 || found[0]["personType"].(map[string]any)["subclass"] != "PersonalContact" {
		t.Errorf("search planner: %v", found)
	}
	if got := do(t, ts, tok, "GET", "/v1.0/me/people?$top=2&$select=displayName", "").wantStatus(t, 200); len(got.values(t)) != 2 || got.json["@odata.nextLink"] == nil {
		t.Errorf("$top=2: %s", got.raw)
	}
	do(t, ts, tok, "GET", "/v1.0/me/people?$search=al&$skip=1", "").wantError(t, 400, "BadRequest", "")
	do(t, ts, s.Token("User.Read"), "GET", "/v1.0/me/people", "").wantError(t, 403, "ErrorAccessDenied", "")
}

// Checklist items of a task: list, create, get, check off, delete.
func TestChecklistItems(t *testing.T) {
	s, ts := newSandbox(t)
	tok := s.Token("Tasks.ReadWrite")
	base := "/v1.0/me/todo/lists/" + seededID("list:groceries") + "/tasks/" + seededID("task:groceries:0") + "/checklistItems"
	if got := do(t, ts, tok, "GET", base, "").wantStatus(t, 200).values(t); len(got) != 0 {
		t.Errorf("new task has %d checklist items", len(got))
	}
	it := do(t, ts, tok, "POST", base, `{"displayName":"Dark roast"}`).wantStatus(t, 201).json
	id := sv(it["id"])
	if !guidPattern.MatchString(id) || it["isChecked"] != false || it["checkedDateTime"] != nil || !strings.HasSuffix(sv(it["@odata.context"]), "/checklistItems/$entity") {
		t.Errorf("created %v", it)
	}
	got := do(t, ts, tok, "PATCH", base+"/"+id, `{"isChecked":true}`).wantStatus(t, 200).json
	if got["isChecked"] != true || got["checkedDateTime"] == nil || got["displayName"] != "Dark roast" {
		t.Errorf("checked %v", got)
	}
	do(t, ts, tok, "GET", base+"/"+id, "").wantStatus(t, 200)
	do(t, ts, tok, "POST", base, `{"displayName":"  "}`).wantError(t, 400, "ErrorPropertyValidationFailure", "")
	do(t, ts, tok, "POST", base, `{"title":"x"}`).wantError(t, 400, "RequestBodyRead", "")
	do(t, ts, tok, "GET", base+"/not-a-guid", "").wantError(t, 400, "ErrorInvalidIdMalformed", "")
	do(t, ts, tok, "DELETE", base+"/"+id, "").wantStatus(t, 204)
	do(t, ts, tok, "GET", base+"/"+id, "").wantError(t, 404, "ErrorItemNotFound", "")
	do(t, ts, s.Token("Tasks.Read"), "POST", base, `{"displayName":"x"}`).wantError(t, 403, "ErrorAccessDenied", "")
}
