package auth

import "strings"

// GraphDefaultScope asks for every application permission an admin granted
// the app; client credentials (app-only) sign-ins must use it alone.
const GraphDefaultScope = "https://graph.microsoft.com/.default"

// graphScopePrefix is Microsoft Graph's application id URI; scopes may be
// written with it ("https://graph.microsoft.com/Mail.Send") or without.
const graphScopePrefix = "https://graph.microsoft.com/"

// DefaultScopes are requested when signing in for every built-in template:
// the seed product's list.
var DefaultScopes = []string{
	"email", "Mail.ReadWrite", "Mail.Send", "offline_access", "openid", "profile",
	"User.Read", "Tasks.ReadWrite", "Calendars.ReadWrite", "MailboxSettings.Read",
}

// SignInScopes are added to every user sign-in: a refresh token
// (offline_access) and an id_token naming the account (openid profile).
var SignInScopes = []string{"offline_access", "openid", "profile"}

// ScopesFor returns the scopes to request when signing in for needed (for
// example a template's scopes): needed plus SignInScopes, without
// duplicates, in a stable order.
func ScopesFor(needed []string) []string {
	return UnionScopes(needed, SignInScopes)
}

// UnionScopes merges scope lists, keeping the first spelling of each scope
// and dropping duplicates (compared case-insensitively, with or without
// the Graph prefix).
func UnionScopes(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			s = strings.TrimSpace(s)
			if s == "" || containsScope(out, s) {
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

// normalizeScope drops the Graph prefix: Entra treats "Mail.Send" and
// "https://graph.microsoft.com/Mail.Send" alike.
func normalizeScope(s string) string {
	if len(s) > len(graphScopePrefix) && strings.EqualFold(s[:len(graphScopePrefix)], graphScopePrefix) {
		return s[len(graphScopePrefix):]
	}
	return s
}

func containsScope(list []string, s string) bool {
	n := normalizeScope(s)
	for _, l := range list {
		if strings.EqualFold(normalizeScope(l), n) {
			return true
		}
	}
	return false
}

// isOIDCScope reports whether s is an OpenID Connect scope. Entra does not
// always echo them in a token's scope, so they never count as missing.
func isOIDCScope(s string) bool {
	switch strings.ToLower(s) {
	case "openid", "profile", "email", "offline_access":
		return true
	}
	return false
}

// scopeCovers reports whether having granted lets a caller use needed:
// the same permission, or a higher one of the same resource
// (X.ReadWrite covers X.Read and X.ReadBasic; X.Read covers X.ReadBasic;
// the ".All" and ".Shared" variants cover their base permission).
func scopeCovers(granted, needed string) bool {
	g, n := strings.ToLower(normalizeScope(granted)), strings.ToLower(normalizeScope(needed))
	if g == n {
		return true
	}
	gRes, gLevel, gSuffix := splitPermission(g)
	nRes, nLevel, nSuffix := splitPermission(n)
	if gRes == "" || gRes != nRes {
		return false
	}
	if gSuffix != nSuffix && gSuffix != ".all" && gSuffix != ".shared" {
		return false
	}
	if nSuffix == ".all" && gSuffix != ".all" {
		return false
	}
	return permissionRank(gLevel) >= permissionRank(nLevel) && permissionRank(nLevel) > 0
}

// splitPermission splits "calendars.readwrite.shared" into
// ("calendars", "readwrite", ".shared").
func splitPermission(p string) (resource, level, suffix string) {
	parts := strings.SplitN(p, ".", 3)
	if len(parts) < 2 {
		return "", "", ""
	}
	if len(parts) == 3 {
		suffix = "." + parts[2]
	}
	return parts[0], parts[1], suffix
}

func permissionRank(level string) int {
	switch level {
	case "readbasic":
		return 1
	case "read":
		return 2
	case "readwrite":
		return 3
	}
	return 0
}

// MissingScopes returns the scopes of needed that granted does not cover,
// ignoring OpenID Connect scopes.
func MissingScopes(granted, needed []string) []string {
	var out []string
	for _, n := range needed {
		if strings.TrimSpace(n) == "" || isOIDCScope(n) {
			continue
		}
		covered := false
		for _, g := range granted {
			if scopeCovers(g, n) {
				covered = true
				break
			}
		}
		if !covered && !containsScope(out, n) {
			out = append(out, n)
		}
	}
	return out
}
