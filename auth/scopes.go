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
	return strings.EqualFold(s, "openid") || strings.EqualFold(s, "profile") ||
		strings.EqualFold(s, "email") || strings.EqualFold(s, "offline_access")
}

// scopeCovers reports whether having granted lets a caller use needed:
// the same permission, or a higher one of the same resource
// (X.ReadWrite covers X.Read and X.ReadBasic; X.Read covers X.ReadBasic;
// the ".All" and ".Shared" variants cover their base permission). It
// allocates nothing: it runs on every Graph request.
func scopeCovers(granted, needed string) bool {
	g, n := normalizeScope(granted), normalizeScope(needed)
	if strings.EqualFold(g, n) {
		return true
	}
	gRes, gRest, ok1 := strings.Cut(g, ".")
	nRes, nRest, ok2 := strings.Cut(n, ".")
	if !ok1 || !ok2 || !strings.EqualFold(gRes, nRes) {
		return false
	}
	gLevel, gSuffix, _ := strings.Cut(gRest, ".")
	nLevel, nSuffix, _ := strings.Cut(nRest, ".")
	gAll, gShared := strings.EqualFold(gSuffix, "all"), strings.EqualFold(gSuffix, "shared")
	if !strings.EqualFold(gSuffix, nSuffix) && !gAll && !gShared {
		return false
	}
	if strings.EqualFold(nSuffix, "all") && !gAll {
		return false
	}
	nRank := permissionRank(nLevel)
	return nRank > 0 && permissionRank(gLevel) >= nRank
}

func permissionRank(level string) int {
	switch {
	case strings.EqualFold(level, "readbasic"):
		return 1
	case strings.EqualFold(level, "read"):
		return 2
	case strings.EqualFold(level, "readwrite"):
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
