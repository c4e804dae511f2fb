package identity

import (
	"slices"
	"strings"
)

// graphResource is Microsoft Graph's application id URI, the prefix of its
// fully qualified scopes ("https://graph.microsoft.com/Mail.Read").
const graphResource = "https://graph.microsoft.com/"

// knownGraphScopes are the Graph permissions the sandbox recognises, with
// their canonical spelling. Scope names are case-insensitive on the wire.
var knownGraphScopes = []string{
	"AgentIdUser.ReadWrite.All", "AgentIdUser.ReadWrite.IdentityParentedBy",
	"Calendars.Read", "Calendars.Read.Shared", "Calendars.ReadBasic", "Calendars.ReadWrite", "Calendars.ReadWrite.Shared",
	"Contacts.Read", "Contacts.ReadWrite",
	"Directory.Read.All", "Directory.ReadWrite.All",
	"Files.Read", "Files.ReadWrite",
	"Mail.Read", "Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.ReadWrite", "Mail.Send",
	"MailboxSettings.Read", "MailboxSettings.ReadWrite",
	"People.Read",
	"Tasks.Read", "Tasks.Read.All", "Tasks.ReadWrite", "Tasks.ReadWrite.All",
	"User.Read", "User.Read.All", "User.ReadBasic.All", "User.ReadWrite", "User.ReadWrite.All",
}

// oidcScopes are the OpenID Connect scopes: they shape the token response
// (refresh_token, id_token) rather than the access token.
var oidcScopes = []string{"openid", "profile", "email", "offline_access"}

func canonicalGraphScope(name string) (string, bool) {
	for _, k := range knownGraphScopes {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// requestedScopes is a parsed scope parameter.
type requestedScopes struct {
	graph                   []string // canonical Graph permission names
	openid, profile, email  bool
	offline, defaultOfGraph bool // offline_access; https://graph.microsoft.com/.default
}

// parseScopes reads a space-separated scope parameter as Entra does: Graph
// permissions by short name or with the Graph prefix, the OpenID scopes,
// and ".default". Anything else is invalid_scope AADSTS70011.
func parseScopes(raw string) (requestedScopes, *oauthError) {
	var rs requestedScopes
	fields := strings.Fields(raw)
	if len(fields) == 0 {
		return rs, &oauthError{code: "invalid_request", aadsts: 900144, desc: "The request body must contain the following parameter: 'scope'."}
	}
	if len(fields) > 100 {
		return rs, &oauthError{code: "invalid_scope", aadsts: 70011, desc: "The provided value for the input parameter 'scope' is not valid: too many scopes."}
	}
	for _, f := range fields {
		switch strings.ToLower(f) {
		case "openid":
			rs.openid = true
			continue
		case "profile":
			rs.profile = true
			continue
		case "email":
			rs.email = true
			continue
		case "offline_access":
			rs.offline = true
			continue
		case ".default", graphResource + ".default":
			rs.defaultOfGraph = true
			continue
		}
		name := f
		if len(f) > len(graphResource) && strings.EqualFold(f[:len(graphResource)], graphResource) {
			name = f[len(graphResource):]
		} else if strings.Contains(f, "://") {
			return rs, invalidScope(f)
		}
		c, ok := canonicalGraphScope(name)
		if !ok {
			return rs, invalidScope(f)
		}
		rs.graph = appendUnique(rs.graph, c)
	}
	return rs, nil
}

func invalidScope(s string) *oauthError {
	if len(s) > 200 {
		s = s[:200]
	}
	return &oauthError{code: "invalid_scope", aadsts: 70011,
		desc: "The provided value for the input parameter 'scope' is not valid. The scope " + s + " is not valid."}
}

// oidcNames lists the OpenID scopes to echo in a token response's scope,
// in Entra's order. offline_access is never echoed; openid brings email.
func (rs requestedScopes) oidcNames() []string {
	var out []string
	if rs.profile {
		out = append(out, "profile")
	}
	if rs.openid {
		out = append(out, "openid", "email")
	} else if rs.email {
		out = append(out, "email")
	}
	return out
}

// canonicalScopes canonicalises Graph permission names and drops
// duplicates and OpenID scopes.
func canonicalScopes(names []string) []string {
	var out []string
	for _, n := range names {
		if len(n) > len(graphResource) && strings.EqualFold(n[:len(graphResource)], graphResource) {
			n = n[len(graphResource):]
		}
		if isOIDCScope(n) {
			continue
		}
		if c, ok := canonicalGraphScope(n); ok {
			n = c
		}
		out = appendUnique(out, n)
	}
	return out
}

// containsFold reports whether list holds s, compared case-insensitively
// as Entra and Graph compare scope names.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(l string) bool { return strings.EqualFold(l, s) })
}

func isOIDCScope(s string) bool { return containsFold(oidcScopes, s) }

// appendUnique appends the items list does not already hold.
func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		if !containsFold(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// missing returns the scopes of want not in have.
func missing(have, want []string) []string {
	var out []string
	for _, w := range want {
		if !containsFold(have, w) {
			out = append(out, w)
		}
	}
	return out
}
