package engine

import (
	"strings"

	"github.com/runflow/runflow/internal/graphref"
)

// permissionsFor returns the permissions that allow op ("METHOD /path" with
// {id} for variable segments), least privileged first, and false when
// runflow knows nothing of the operation. internal/graphref answers, from
// Microsoft's permissions data and the documented supplement, with the
// same lookup the sandbox authorizes its routes by (graphref.Find).
func permissionsFor(op string) ([]string, bool) {
	o, ok := graphref.Find(op)
	if !ok {
		return nil, false
	}
	return o.All(), true
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
