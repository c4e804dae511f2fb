package sandbox

import (
	"strings"

	"github.com/runflow/runflow/internal/graphref"
)

// The sandbox keeps no permission table of its own: each route's
// permissions are what internal/graphref says of its operation, from
// Microsoft's permissions data or, where the data has no entry, the
// operation's docs page (the same lookup the engine's scope check makes, so
// a template the engine passes is allowed here).

// The operations of GET /users/{id} for another user than the signed-in
// one (User.Read covers only one's own profile) and of GET /users.
const (
	opOtherUser = "GET /users/{id}"
	opDirectory = "GET /users"
)

// operation is the Graph operation rt serves, as graphref writes it: under
// /me for a delegated token, under /users/{id} for an app-only one (an
// app-only token cannot use /me, and GET /users/{id} is not GET /me).
func (rt *route) operation(appOnly bool) string {
	prefix := "/me"
	if appOnly {
		prefix = "/users/{id}"
	}
	if rt.pattern == "" {
		return rt.method + " " + prefix
	}
	return rt.method + " " + prefix + "/" + rt.pattern
}

// allowedBy returns the permissions that allow op for g's kind of token:
// delegated or application. An operation graphref does not know allows
// nothing (TestEveryRouteHasPermissions keeps that from happening).
func allowedBy(op string, g Grant) []string {
	o, ok := graphref.Find(op)
	if !ok {
		return nil
	}
	if g.AppOnly {
		return o.ApplicationNames()
	}
	return o.DelegatedNames()
}

// basicPermissions read items without their bodies (Calendars.ReadBasic,
// Mail.ReadBasic[.All]).
var basicPermissions = map[string]bool{"calendars.readbasic": true, "mail.readbasic": true, "mail.readbasic.all": true}

// onlyBasic reports whether g holds only ...ReadBasic permissions among
// allowed: Graph then leaves out bodies.
func onlyBasic(g Grant, allowed []string) bool {
	var full []string
	for _, p := range allowed {
		if !basicPermissions[strings.ToLower(p)] {
			full = append(full, p)
		}
	}
	return len(full) < len(allowed) && !hasAnyScope(g, full...)
}
