package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
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

func isOIDCScope(s string) bool {
	for _, o := range oidcScopes {
		if strings.EqualFold(o, s) {
			return true
		}
	}
	return false
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		dup := false
		for _, l := range list {
			if strings.EqualFold(l, it) {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, it)
		}
	}
	return list
}

// missing returns the scopes of want not in have.
func missing(have, want []string) []string {
	var out []string
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.EqualFold(h, w) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, w)
		}
	}
	return out
}

// idToken builds an OpenID Connect id_token for u: a JWT signed with the
// sandbox's own HMAC key (HS256). Real id_tokens are RS256; clients only
// read the claims, which are the ones Entra sends.
func (p *identityPlatform) idToken(u User, clientID, nonce string, now time.Time) string {
	header := map[string]string{"typ": "JWT", "alg": "HS256"}
	claims := map[string]any{
		"aud":                clientID,
		"iss":                "https://login.microsoftonline.com/" + p.tenantID + "/v2.0",
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                now.Add(time.Hour).Unix(),
		"name":               u.DisplayName,
		"oid":                u.ID,
		"preferred_username": u.UserPrincipalName,
		"sub":                subjectFor(u.ID, clientID),
		"tid":                p.tenantID,
		"ver":                "2.0",
	}
	if u.Mail != "" {
		claims["email"] = u.Mail
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	mac := hmac.New(sha256.New, p.idKey)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

// subjectFor is the pairwise subject Entra gives a user for one app.
func subjectFor(userID, clientID string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(userID) + "\x00" + strings.ToLower(clientID)))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
