package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// The directory (GET /users) and the People API (GET /me/people).

// usersPageSize is the directory's default page size (user-list.md: "By
// default, 100 objects"); $top goes up to 999.
const usersPageSize = 100

// Graph's texts for directory queries it refuses (advanced-query docs).
const (
	msgSearchNeedsEventual = "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"
	msgCountNeedsEventual  = "$count is not currently supported."
	msgSortNotSupported    = "Sorting not supported for current query."
)

// eventual reports whether the request asked for the directory's advanced
// queries: ConsistencyLevel: eventual.
func (c *call) eventual() bool {
	return strings.EqualFold(strings.TrimSpace(c.r.Header.Get("ConsistencyLevel")), "eventual")
}

// listUsers answers GET /users: the directory, with $filter (eq, ge, le,
// startswith, and/or; ne and not only as advanced queries), $search on
// displayName and mail ("prop:term" clauses joined by AND/OR, matching the
// start of a word, as the directory tokenizes), $orderby on displayName or
// userPrincipalName, $count, $top and $select. As in Graph, $search and
// $count need ConsistencyLevel: eventual, and so does $orderby together
// with $filter; $skip is refused.
func listUsers(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$filter": true, "$search": true, "$orderby": true, "$count": true,
		"$top": true, "$select": true, "$skiptoken": true}); err != nil {
		if _, skip := c.queryParam("$skip"); skip {
			return result{}, newError(400, "Request_BadRequest", "'$skip' is not supported by the service.")
		}
		return result{}, err
	}
	sel, err := c.parseSelect(userKind)
	if err != nil {
		return result{}, err
	}
	rawFilter, hasFilter := c.queryParam("$filter")
	rawSearch, hasSearch := c.queryParam("$search")
	rawOrder, hasOrder := c.queryParam("$orderby")
	count := false
	if v, ok := c.queryParam("$count"); ok && strings.EqualFold(v, "true") {
		count = true
	}
	advanced := c.eventual()
	switch {
	case hasSearch && !advanced:
		return result{}, newError(400, "Request_UnsupportedQuery", msgSearchNeedsEventual)
	case count && !advanced:
		return result{}, newError(400, "Request_BadRequest", msgCountNeedsEventual)
	case hasOrder && hasFilter && !(advanced && count):
		return result{}, newError(400, "Request_UnsupportedQuery", msgSortNotSupported)
	}
	users := make([]User, 0, len(c.s.data.Users)) // handlers run under s.mu
	for _, m := range c.s.data.Users {
		users = append(users, m.User)
	}
	rows := make([]Object, 0, len(users))
	for _, u := range users {
		rows = append(rows, userObject(u, true))
	}
	if hasFilter {
		if !advanced || !count {
			if p := advancedFilterOperator(rawFilter); p != "" {
				return result{}, newError(400, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property '%s' of resource 'User'.", p)
			}
		}
		pred, err := parseFilter(rawFilter, userKind)
		if err != nil {
			return result{}, err
		}
		rows = keep(rows, pred)
	}
	if hasSearch {
		match, err := parseDirectorySearch(rawSearch)
		if err != nil {
			return result{}, err
		}
		rows = keep(rows, match)
	}
	if hasOrder {
		keys, err := parseOrderBy(rawOrder, userKind)
		if err != nil {
			return result{}, err
		}
		for _, k := range keys {
			if p := k.path[0]; p != "displayName" && p != "userPrincipalName" || len(k.path) > 1 {
				return result{}, newError(400, "Request_UnsupportedQuery", msgSortNotSupported)
			}
		}
		sort.SliceStable(rows, func(i, j int) bool { return lessBy(keys, rows[i], rows[j]) })
	}
	page := usersPageSize
	top, err := intOption(c, "$top", -1, 1, 999)
	if err != nil {
		return result{}, err
	}
	if top > 0 {
		page = top
	}
	start := 0
	if tok, ok := c.queryParam("$skiptoken"); ok {
		if start, err = decodeSkipToken(tok); err != nil {
			return result{}, err
		}
	}
	start = min(start, len(rows))
	end := min(start+page, len(rows))
	value := make([]any, 0, end-start)
	for _, o := range rows[start:end] {
		if sel == nil {
			value = append(value, userObject(userFromObject(o, users), false))
			continue
		}
		v := applySelect(o, sel)
		if !slices.Contains(sel, "id") {
			delete(v, "id") // the directory returns only what $select names
		}
		value = append(value, v)
	}
	body := Object{"@odata.context": c.contextURL("users" + selectSuffix(sel)), "value": value}
	if count {
		body["@odata.count"] = len(rows)
	}
	if end < len(rows) {
		body["@odata.nextLink"] = c.skipTokenLink(end)
	}
	return ok(body)
}

func keep(rows []Object, pred predicate) []Object {
	out := rows[:0:0]
	for _, r := range rows {
		if pred(r) {
			out = append(out, r)
		}
	}
	return out
}

// userFromObject finds the directory user a row was made from.
func userFromObject(o Object, users []User) User {
	for _, u := range users {
		if u.ID == getString(o, "id") {
			return u
		}
	}
	return User{}
}

// advancedFilterOperator returns the first operator of a $filter that the
// directory serves only as an advanced query (ne, not), or "".
func advancedFilterOperator(raw string) string {
	toks, err := tokenizeFilter(raw)
	if err != nil {
		return ""
	}
	for i, t := range toks {
		if t.kind != "ident" {
			continue
		}
		switch strings.ToLower(t.text) {
		case "ne":
			if i > 0 {
				return toks[i-1].text
			}
		case "not":
			return "not"
		}
	}
	return ""
}

// parseDirectorySearch reads the directory's $search: one or more
// "property:term" clauses, each in double quotes, joined by AND or OR
// (AND binds tighter). Only displayName and mail are searchable here.
func parseDirectorySearch(raw string) (predicate, *graphError) {
	bad := func(format string, args ...any) *graphError {
		return newError(400, "Request_UnsupportedQuery", "Invalid $search clause: "+format, args...)
	}
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 1024 {
		return nil, bad("want one or more \"property:term\" clauses in double quotes.")
	}
	var or []predicate
	var and []predicate
	for i := 0; i < len(raw); {
		if raw[i] == ' ' {
			i++
			continue
		}
		if raw[i] != '"' {
			word := raw[i:]
			if j := strings.IndexByte(word, ' '); j >= 0 {
				word = word[:j]
			}
			switch word {
			case "AND":
			case "OR":
				or = append(or, allOf(and))
				and = nil
			default:
				return nil, bad("expected a \"property:term\" clause in double quotes, AND or OR at '%s'.", word)
			}
			i += len(word)
			continue
		}
		j := strings.IndexByte(raw[i+1:], '"')
		if j < 0 {
			return nil, bad("missing the closing double quote.")
		}
		clause := raw[i+1 : i+1+j]
		i += j + 2
		prop, term, ok := strings.Cut(clause, ":")
		if !ok || strings.TrimSpace(term) == "" {
			return nil, bad("'%s' is not \"property:term\".", clause)
		}
		p, known := userKind.canonicalProp(strings.TrimSpace(prop))
		if !known || (p != "displayName" && p != "mail") {
			return nil, bad("the sandbox searches displayName and mail only, not '%s'.", prop)
		}
		term = strings.ToLower(strings.TrimSpace(term))
		and = append(and, func(o Object) bool { return searchTokensMatch(getString(o, p), term) })
	}
	if len(and) == 0 {
		return nil, bad("the expression ends with AND or OR.")
	}
	or = append(or, allOf(and))
	return func(o Object) bool {
		for _, p := range or {
			if p(o) {
				return true
			}
		}
		return false
	}, nil
}

func allOf(ps []predicate) predicate {
	return func(o Object) bool {
		for _, p := range ps {
			if !p(o) {
				return false
			}
		}
		return true
	}
}

// searchTokensMatch reports whether term starts the value or one of its
// words (split at anything but letters and digits), ignoring case.
func searchTokensMatch(value, term string) bool {
	value = strings.ToLower(value)
	if strings.HasPrefix(value, term) {
		return true
	}
	for _, w := range strings.FieldsFunc(value, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if strings.HasPrefix(w, term) {
			return true
		}
	}
	return false
}

func decodeSkipToken(tok string) (int, *graphError) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "sandbox-offset:"))
	if err != nil || err2 != nil || n < 0 || !strings.HasPrefix(string(b), "sandbox-offset:") {
		return 0, newError(400, "Request_BadRequest", "Invalid $skiptoken: follow @odata.nextLink unchanged.")
	}
	return n, nil
}

// skipTokenLink is the request's URL with an opaque $skiptoken for offset,
// every other option kept (the directory pages with $skiptoken).
func (c *call) skipTokenLink(offset int) string {
	return c.linkWithOption("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte("sandbox-offset:"+strconv.Itoa(offset))))
}

// personKind lists the person properties $select accepts.
var personKind = &entityKind{
	typeName: "person",
	props: []string{"id", "displayName", "givenName", "surname", "birthday", "personNotes", "isFavorite", "jobTitle",
		"companyName", "yomiCompany", "department", "officeLocation", "profession", "userPrincipalName", "imAddress",
		"scoredEmailAddresses", "phones", "postalAddresses", "websites", "personType"},
}

// listPeople answers GET /me/people: the people the mailbox works with,
// ranked by relevance, which the sandbox computes from its data: one point
// per message from or to the person and per event shared with them, plus
// one for being in the directory. $search matches the start of a name or
// address (fuzzy matching is not modelled); $top (default 10), $skip and
// $select work; $skip is refused with $search, as in Graph.
func listPeople(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$top": true, "$skip": true, "$select": true, "$search": true}); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(personKind)
	if err != nil {
		return result{}, err
	}
	rawSearch, hasSearch := c.queryParam("$search")
	if _, hasSkip := c.queryParam("$skip"); hasSkip && hasSearch {
		return result{}, newError(400, "BadRequest", "$skip is not supported when using $search.")
	}
	people := rankPeople(c.s.data, c.mbox)
	if hasSearch {
		term := strings.ToLower(strings.Trim(strings.TrimSpace(rawSearch), `"`))
		if term == "" {
			return result{}, newError(400, "BadRequest", "Invalid $search: want a name or an address.")
		}
		kept := people[:0:0]
		for _, p := range people {
			addr := getString(getArray(p, "scoredEmailAddresses")[0].(map[string]any), "address")
			if searchTokensMatch(getString(p, "displayName"), term) || searchTokensMatch(addr, term) {
				kept = append(kept, p)
			}
		}
		people = kept
	}
	skip, err := intOption(c, "$skip", 0, 0, 1<<20)
	if err != nil {
		return result{}, err
	}
	page, err := intOption(c, "$top", 10, 1, 1000)
	if err != nil {
		return result{}, err
	}
	skip = min(skip, len(people))
	end := min(skip+page, len(people))
	value := make([]any, 0, end-skip)
	for _, p := range people[skip:end] {
		value = append(value, applySelect(p, sel))
	}
	body := Object{"@odata.context": c.contextURL(c.subject + "/people" + selectSuffix(sel)), "value": value}
	if end < len(people) && !hasSearch {
		body["@odata.nextLink"] = c.nextLink(end)
	}
	return ok(body)
}

// rankPeople builds the mailbox owner's people, most relevant first (ties
// by name).
func rankPeople(d *Data, m *Mailbox) []Object {
	type entry struct {
		name, addr string
		score      float64
	}
	byAddr := map[string]*entry{}
	add := func(name, addr string, pts float64) {
		addr = strings.TrimSpace(addr)
		if addr == "" || strings.EqualFold(addr, m.User.Mail) {
			return
		}
		k := strings.ToLower(addr)
		e := byAddr[k]
		if e == nil {
			e = &entry{name: name, addr: addr}
			byAddr[k] = e
		}
		if e.name == "" || e.name == e.addr {
			e.name = name
		}
		e.score += pts
	}
	recipient := func(v any) {
		ea := getObject(asObject(v), "emailAddress")
		add(getString(ea, "name"), getString(ea, "address"), 1)
	}
	for _, msg := range m.Messages {
		recipient(msg["from"])
		for _, k := range []string{"toRecipients", "ccRecipients"} {
			for _, r := range getArray(msg, k) {
				recipient(r)
			}
		}
	}
	for _, ev := range m.Events {
		recipient(ev["organizer"])
		for _, a := range getArray(ev, "attendees") {
			recipient(a)
		}
	}
	for _, u := range d.Users {
		add(u.User.DisplayName, u.User.Mail, 1)
	}
	entries := make([]*entry, 0, len(byAddr))
	for _, e := range byAddr {
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].score != entries[j].score {
			return entries[i].score > entries[j].score
		}
		return strings.ToLower(entries[i].name) < strings.ToLower(entries[j].name)
	})
	out := make([]Object, 0, len(entries))
	for _, e := range entries {
		out = append(out, personObject(d.mailbox(e.addr), e.name, e.addr, e.score))
	}
	return out
}

func asObject(v any) Object { o, _ := v.(map[string]any); return o }

// personObject is a person as the People API shapes one (user-list-people.md).
func personObject(dir *Mailbox, name, addr string, score float64) Object {
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	h := sha256.Sum256([]byte("runflow-sandbox-person:" + strings.ToLower(addr)))
	id := fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	p := Object{
		"id": id, "displayName": firstNonEmpty(name, addr), "givenName": nil, "surname": nil, "birthday": "",
		"personNotes": "", "isFavorite": false, "jobTitle": nil, "companyName": nil, "yomiCompany": "",
		"department": nil, "officeLocation": nil, "profession": "", "userPrincipalName": "", "imAddress": nil,
		"scoredEmailAddresses": []any{Object{"address": addr, "relevanceScore": score}},
		"phones":               []any{}, "postalAddresses": []any{}, "websites": []any{},
		"personType": Object{"class": "Person", "subclass": "PersonalContact"},
	}
	if dir != nil {
		u := dir.User
		p["id"] = u.ID
		p["displayName"] = u.DisplayName
		p["givenName"], p["surname"] = nullable(u.GivenName), nullable(u.Surname)
		p["jobTitle"], p["officeLocation"] = nullable(u.JobTitle), nullable(u.OfficeLocation)
		p["userPrincipalName"] = u.UserPrincipalName
		p["imAddress"] = "sip:" + strings.ToLower(u.UserPrincipalName)
		phones := []any{}
		for _, n := range u.BusinessPhones {
			phones = append(phones, Object{"type": "business", "number": n})
		}
		p["phones"] = phones
		p["personType"] = Object{"class": "Person", "subclass": "OrganizationUser"}
	}
	return p
}
