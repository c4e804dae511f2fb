package sandbox

import (
	"strings"
	"sync"
)

// graphUserSegments are path segments Microsoft Graph v1.0 knows below a
// user (/me/... or /users/{id}/...): navigation properties and actions of
// user, message, event, calendar, mailFolder, todoTask and friends, from
// the v1.0 API reference. A request whose path is not served but uses one
// of them is a real Graph operation the sandbox does not model, and is
// answered as such instead of as a wrong segment (which reads as a bad id).
// Built on first use, as graphRootSegments: a CLI run without the sandbox
// does not pay for them.
var graphUserSegments = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`
		accept activities agreementAcceptances appRoleAssignments assignLicense attachments
		authentication calendar calendarGroups calendarView calendars cancel changePassword
		checkMemberGroups checklistItems childFolders chats contactFolders contacts copy
		createForward createReply createReplyAll createUploadSession decline delta
		directReports dismissReminder drive drives events exportPersonalData extensions
		findMeetingTimes forward getMailTips getMemberGroups getSchedule inferenceClassification
		insights instances joinedTeams licenseDetails linkedResources mailFolders mailboxSettings
		manager memberOf mentions messageRules messages move oauth2PermissionGrants onenote
		onlineMeetings outlook ownedDevices ownedObjects people permanentDelete photo photos
		planner presence reminderView reply replyAll send sendMail settings snoozeReminder
		teamwork tentativelyAccept todo transitiveMemberOf translateExchangeIds
		$value lists tasks events calendarPermissions singleValueExtendedProperties
		multiValueExtendedProperties forwardEvent proposeNewTime`) {
		m[strings.ToLower(s)] = true
	}
	return m
})

// notModelled answers a Graph operation the sandbox does not serve, or nil
// when the path is not one (it then gets Graph's wrong-segment error).
// prefix is "/me" or "/users/{id}".
func notModelled(method, prefix string, rest []string) *graphError {
	if len(rest) == 0 {
		return nil
	}
	parts := make([]string, len(rest))
	for i, s := range rest {
		switch {
		case graphUserSegments()[strings.ToLower(s)]:
			parts[i] = s
		case i > 0 && parts[i-1] != "{id}":
			parts[i] = "{id}" // an item of the collection before it
		default:
			return nil
		}
	}
	// No route matched the path (resolve asks only then), so a path made of
	// Graph's segments is an operation the sandbox does not serve, even when
	// each segment is served elsewhere (forward of a message, not of an
	// event).
	op := method + " " + prefix + "/" + strings.Join(parts, "/")
	return newError(501, "NotImplemented", "The sandbox does not model the Graph operation '%s'. It serves the operations listed in docs/sandbox.md; against Microsoft Graph this request may well work.", op)
}

// servedSegment reports whether a route of the sandbox has the (non-id)
// segment s.
func servedSegment(s string) bool {
	for _, rt := range routes {
		for _, p := range strings.Split(rt.pattern, "/") {
			if p != "{id}" && strings.EqualFold(p, s) {
				return true
			}
		}
	}
	return false
}

// graphRootSegments are Graph v1.0 entity sets and singletons besides
// /me and /users that the sandbox does not serve.
var graphRootSegments = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`admin applications chats communications contacts devices
		directoryObjects directoryRoles domains drives education groups identity invitations
		organization places planner policies reports search security servicePrincipals shares
		sites solutions subscriptions teams teamwork`) {
		m[strings.ToLower(s)] = true
	}
	return m
})

// notModelledRoot answers a request to a Graph entity set the sandbox
// does not serve (e.g. /groups), or nil.
func notModelledRoot(method string, segs []string) *graphError {
	if !graphRootSegments()[strings.ToLower(segs[0])] {
		return nil
	}
	op := method + " /" + segs[0]
	if len(segs) > 1 {
		op += "/..."
	}
	return newError(501, "NotImplemented", "The sandbox does not model the Graph operation '%s'. It serves the operations listed in docs/sandbox.md; against Microsoft Graph this request may well work.", op)
}
