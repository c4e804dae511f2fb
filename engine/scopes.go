package engine

import (
	"sort"
	"strings"
	"sync"

	"github.com/runflow/runflow/internal/graphref"
)

// permissions is the permissions data (internal/graphref's table, generated
// from permissions-extract.json) and documentedPermissions keyed by
// normalized operation, with the entries of /me/... and /users/{id}/...
// merged (they are the same operations for a delegated token). It is built
// on first use.
var permissions = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	all := map[string][]string{}
	for _, o := range graphref.Operations() {
		all[o.Op] = o.All()
	}
	for op, perms := range documentedPermissions {
		all[op] = append(all[op], perms...)
	}
	for op, perms := range mailOperationPermissions { // scopes_mail.go
		all[op] = append(all[op], perms...)
	}
	ops := make([]string, 0, len(all))
	for op := range all {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		perms := all[op]
		key := normalizeOperation(op)
		for _, p := range perms {
			if !contains(out[key], p) {
				out[key] = append(out[key], p)
			}
		}
	}
	return out
})

// normalizeOperation lower-cases "METHOD /path" and writes /users/{id}/...
// as /me/.... /users/{id} itself stays: a user named by an expression is
// taken to be another user, whose profile needs a directory permission
// (User.ReadBasic.All at least), not User.Read.
func normalizeOperation(op string) string {
	method, path, _ := strings.Cut(op, " ")
	path = strings.ToLower(strings.TrimRight(path, "/"))
	if strings.HasPrefix(path, "/users/{id}/") {
		path = "/me/" + strings.TrimPrefix(path, "/users/{id}/")
	}
	return strings.ToUpper(method) + " " + path
}

// permissionsFor returns the permissions that allow op ("METHOD /path" with
// {id} for variable segments), and false when the permissions data does not
// know the operation. A GET below a known GET (/me/events/{id}) takes the
// permissions of the collection; PATCH, PUT and DELETE of an item of a
// collection take those of POST to the collection.
func permissionsFor(op string) ([]string, bool) {
	key := normalizeOperation(op)
	if p, ok := permissions()[key]; ok {
		return p, true
	}
	method, path, _ := strings.Cut(key, " ")
	switch method {
	case "GET":
		for p := path; strings.Count(p, "/") > 1; {
			p = p[:strings.LastIndex(p, "/")]
			if perms, ok := permissions()["GET "+p]; ok {
				return perms, true
			}
		}
	case "PATCH", "PUT", "DELETE":
		if i := strings.LastIndex(path, "/"); i > 0 {
			if perms, ok := permissions()["POST "+path[:i]]; ok {
				return perms, true
			}
		}
	}
	return nil, false
}

// signInScopes are OpenID Connect scopes a template may declare without any
// step needing them.
var signInScopes = map[string]bool{"openid": true, "profile": true, "email": true, "offline_access": true}

// checkScopes checks that every http step is allowed by a declared scope
// and warns about declared scopes that no step needs.
func (c *checker) checkScopes() {
	t := c.t
	used := map[string]bool{}
	allKnown := true
	for _, s := range c.httpSteps {
		h := s.http
		if h != nil && h.upload != nil {
			continue // a pre-authenticated upload URL needs no scope
		}
		if h == nil || h.pattern == "" || h.method == "" {
			allKnown = false
			continue
		}
		perms, ok := permissionsFor(h.pattern)
		if !ok {
			allKnown = false
			c.ps.warnf(h.pathPos, "the permissions data does not know %s; check by hand that the declared scopes allow it", h.pattern)
			continue
		}
		covered := false
		for _, p := range perms {
			for _, sc := range t.scopes {
				if strings.EqualFold(sc, p) {
					covered = true
					used[sc] = true
				}
			}
		}
		if !covered {
			c.ps.errorf(h.pathPos, "%s is not allowed by the declared scopes: add %s (the least privileged permission for it) to scopes", h.pattern, perms[0])
		}
	}
	if !allKnown {
		return
	}
	for i, sc := range t.scopes {
		if !used[sc] && !signInScopes[strings.ToLower(sc)] {
			c.ps.warnf(t.scopePos[i], "scope %s is declared but no http step needs it", sc)
		}
	}
}
