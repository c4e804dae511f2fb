package graph

import (
	"net/url"
	"strings"
)

// PathSegment escapes s to be exactly one segment of a URL path: "/", "?",
// "#", "%", spaces and other reserved bytes are percent-encoded, and a
// segment made only of dots ("." or "..") has its dots encoded as %2E, so
// that no value can add segments, start a query, or climb to a parent path.
// An empty s gives "", which [Client.ResolveURL] refuses as an empty path
// segment, so callers should reject empty values with a clearer message
// first.
func PathSegment(s string) string {
	if s != "" && strings.Trim(s, ".") == "" {
		return strings.Repeat("%2E", len(s))
	}
	return url.PathEscape(s)
}

// ODataString returns s as an OData string literal for $filter and $search:
// in single quotes, with every ' doubled. Put the result in a query value
// (Request.Query), which the client URL-encodes.
func ODataString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// ForUser rewrites a path on the signed-in user's mailbox (/me, /me/...,
// /me?...) to the same path on user's mailbox (/users/{user}/...), with user
// escaped by [PathSegment]. It returns path unchanged when user is "" or
// "me" (any case) or when path does not start with /me. App-only tokens
// cannot use /me, so flows acting for another mailbox need this.
func ForUser(path, user string) string {
	if user == "" || strings.EqualFold(user, "me") {
		return path
	}
	rest, ok := strings.CutPrefix(path, "/me")
	if !ok || (rest != "" && rest[0] != '/' && rest[0] != '?') {
		return path
	}
	return "/users/" + PathSegment(user) + rest
}
