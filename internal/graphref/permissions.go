package graphref

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

//go:generate go run genpermissions.go

// Permission is one permission that allows an operation. Least marks the
// least privileged ones (the data's "least=" marker).
type Permission struct {
	Name  string
	Least bool
}

// Operation is what Microsoft's permissions data says about one Graph
// operation: the permissions that allow it, per kind of token, in the
// data's order. Op is "METHOD /path" with the path lower-cased and {id} for
// variable segments, as the data writes it ("GET /me/todo/lists/{id}/tasks").
type Operation struct {
	Op                string
	DelegatedWork     []Permission // a work or school account signed in
	DelegatedPersonal []Permission // a personal Microsoft account signed in
	Application       []Permission // an app-only token
	// Source is empty for the permissions data; for the documented
	// supplement (documented.go), the operation's docs page.
	Source string
}

// Operations returns every operation the permissions data knows, sorted by
// Op. The table is shared: callers must not modify it.
func Operations() []Operation { return operations }

// Documented returns the supplement to the data: operations it does not
// cover, from their docs pages (documented.go). Callers must not modify it.
func Documented() []Operation { return documented }

// LookupOperation returns the operation op exactly as the data writes it
// (the data only, not the supplement; Find answers for both).
func LookupOperation(op string) (Operation, bool) {
	i := sort.Search(len(operations), func(i int) bool { return operations[i].Op >= op })
	if i < len(operations) && operations[i].Op == op {
		return operations[i], true
	}
	return Operation{}, false
}

// All returns the names of every permission that allows the operation:
// delegated work, delegated personal, then application, each in the data's
// order (least privileged first), without repeats.
func (o Operation) All() []string {
	return permissionNames(o.DelegatedWork, o.DelegatedPersonal, o.Application)
}

// DelegatedNames returns the delegated permissions that allow the
// operation, work then personal accounts, least privileged first, once.
func (o Operation) DelegatedNames() []string {
	return permissionNames(o.DelegatedWork, o.DelegatedPersonal)
}

// ApplicationNames returns the application permissions that allow the
// operation (none for an operation an app-only token cannot call).
func (o Operation) ApplicationNames() []string { return permissionNames(o.Application) }

func permissionNames(kinds ...[]Permission) []string {
	var names []string
	for _, kind := range kinds {
		for _, p := range kind {
			if !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	return names
}

// Find returns the permissions of op, "METHOD /path" with {id} for each
// variable segment, in any case: from the data or the documented
// supplement, with /users/{id}/... and /me/... taken as one operation (their
// permissions merged; /users/{id} itself stays apart from /me, being
// another user's profile). An operation neither lists takes, if it is a
// GET, the permissions of the nearest GET above it below the user
// (/me/events/{id} those of /me/events, /me/mailboxSettings/timeZone those
// of /me/mailboxSettings; /me/drive none, not /me's), and if it is a
// PATCH, PUT or DELETE of an item, those
// of POST to its collection. The Operation returned has as Op the key it
// was found under, e.g. "GET /me/events" for "GET /users/{id}/events/{id}";
// false means runflow knows nothing of op. The permission lists are
// shared: callers must not modify them.
func Find(op string) (Operation, bool) {
	key := NormalizeOperation(op)
	if o, ok := lookup(key); ok {
		return o, true
	}
	method, path, _ := strings.Cut(key, " ")
	switch method {
	case "GET":
		// Up to a resource under the user, never the user itself: what
		// reads /me (User.Read) says nothing of /me/drive.
		for p := path[:strings.LastIndex(path, "/")]; strings.Count(p, "/") > 1; p = p[:strings.LastIndex(p, "/")] {
			if o, ok := lookup("GET " + p); ok {
				return o, true
			}
		}
	case "PATCH", "PUT", "DELETE":
		if i := strings.LastIndex(path, "/"); i > 0 {
			if o, ok := lookup("POST " + path[:i]); ok {
				return o, true
			}
		}
	}
	return Operation{}, false
}

// NormalizeOperation is the key Find looks op up under: the method in upper
// case, the path in lower case without a trailing slash, /users/{id}/...
// written as /me/....
func NormalizeOperation(op string) string {
	method, path, _ := strings.Cut(op, " ")
	path = strings.ToLower(strings.TrimRight(path, "/"))
	if rest, ok := strings.CutPrefix(path, "/users/{id}/"); ok {
		path = "/me/" + rest
	}
	return strings.ToUpper(method) + " " + path
}

// lookup returns the operations of the data and the supplement whose key
// is key (see NormalizeOperation), their permissions merged in the order
// of their Op (/me before /users). The tables hold some fifty operations:
// scanning them costs less than building an index of all of them, which a
// CLI run would use once or twice (building one was 5% of a whole run's
// instructions). What was found is remembered for the sandbox, which asks
// at every request: at most one entry per operation, misses are not kept.
func lookup(key string) (Operation, bool) {
	if o, ok := lookedUp.Load(key); ok {
		return o.(Operation), true
	}
	var found []Operation
	for _, list := range [][]Operation{operations, documented} {
		for _, o := range list {
			if hasKey(o.Op, key) {
				found = append(found, o)
			}
		}
	}
	if len(found) == 0 {
		return Operation{}, false
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Op < found[j].Op })
	m := Operation{Op: key, Source: found[0].Source}
	for _, o := range found {
		m.DelegatedWork = appendPermissions(m.DelegatedWork, o.DelegatedWork)
		m.DelegatedPersonal = appendPermissions(m.DelegatedPersonal, o.DelegatedPersonal)
		m.Application = appendPermissions(m.Application, o.Application)
	}
	lookedUp.Store(key, m)
	return m, true
}

// lookedUp holds lookup's answers by key. Callers share them and must not
// modify them.
var lookedUp sync.Map

// hasKey reports whether NormalizeOperation(op) is key, a normalized key,
// without building the normalized form (the data's paths are ASCII).
func hasKey(op, key string) bool {
	const users = "/users/{id}/"
	method, path, _ := strings.Cut(op, " ")
	keyMethod, keyPath, _ := strings.Cut(key, " ")
	if !strings.EqualFold(method, keyMethod) {
		return false
	}
	path = strings.TrimRight(path, "/")
	if len(path) >= len(users) && strings.EqualFold(path[:len(users)], users) {
		rest, ok := strings.CutPrefix(keyPath, "/me/")
		return ok && strings.EqualFold(path[len(users):], rest)
	}
	return strings.EqualFold(path, keyPath)
}

// appendPermissions appends the permissions of add that list does not name.
func appendPermissions(list, add []Permission) []Permission {
	for _, p := range add {
		if !slices.ContainsFunc(list, func(q Permission) bool { return q.Name == p.Name }) {
			list = append(list, p)
		}
	}
	return list
}
