package sandbox

import "strings"

// userKind lists the user properties $select accepts; the ones the
// sandbox does not store come back null.
var userKind = &entityKind{
	typeName: "user",
	props: []string{"id", "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
		"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "accountEnabled", "city",
		"companyName", "country", "department", "employeeId", "identities", "mailNickname", "postalCode",
		"state", "streetAddress", "usageLocation", "userType"},
}

// userObject is a user as Graph's default /me answer shapes it, plus the
// properties only $select returns.
func userObject(u User, all bool) Object {
	phones := []any{}
	for _, p := range u.BusinessPhones {
		phones = append(phones, p)
	}
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	o := Object{
		"id":                u.ID,
		"businessPhones":    phones,
		"displayName":       u.DisplayName,
		"givenName":         nullable(u.GivenName),
		"jobTitle":          nullable(u.JobTitle),
		"mail":              nullable(u.Mail),
		"mobilePhone":       nullable(u.MobilePhone),
		"officeLocation":    nullable(u.OfficeLocation),
		"preferredLanguage": nullable(u.PreferredLanguage),
		"surname":           nullable(u.Surname),
		"userPrincipalName": u.UserPrincipalName,
	}
	if all {
		_, domain, _ := strings.Cut(u.UserPrincipalName, "@")
		o["accountEnabled"] = true
		o["userType"] = "Member"
		o["mailNickname"], _, _ = strings.Cut(u.UserPrincipalName, "@")
		o["postalCode"] = nullable(u.PostalCode)
		o["identities"] = []any{Object{"signInType": "userPrincipalName", "issuer": domain, "issuerAssignedId": u.UserPrincipalName}}
	}
	return o
}

func getUser(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(userKind)
	if err != nil {
		return result{}, err
	}
	v := applySelect(userObject(c.mbox.User, sel != nil), sel)
	if sel != nil {
		delete(v, "id")
		for _, p := range sel {
			if p == "id" {
				v["id"] = c.mbox.User.ID
			}
		}
	}
	v["@odata.context"] = c.contextURL("users" + selectSuffix(sel) + "/$entity")
	return ok(v)
}

// defaultMailboxSettings is a complete mailboxSettings in time zone tz.
func defaultMailboxSettings(tz string) Object {
	return Object{
		"timeZone": tz,
		"automaticRepliesSetting": Object{
			"status":                 "disabled",
			"externalAudience":       "all",
			"scheduledStartDateTime": Object{"dateTime": "2026-01-01T08:00:00.0000000", "timeZone": "UTC"},
			"scheduledEndDateTime":   Object{"dateTime": "2026-01-02T08:00:00.0000000", "timeZone": "UTC"},
			"internalReplyMessage":   "",
			"externalReplyMessage":   "",
		},
		"language":   Object{"locale": "en-US", "displayName": "English (United States)"},
		"dateFormat": "M/d/yyyy",
		"timeFormat": "h:mm tt",
		"workingHours": Object{
			"daysOfWeek": []any{"monday", "tuesday", "wednesday", "thursday", "friday"},
			"startTime":  "08:00:00.0000000",
			"endTime":    "17:00:00.0000000",
			"timeZone":   Object{"name": tz},
		},
		"userPurpose":                           Object{"value": "user"},
		"delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
	}
}

var mailboxSettingsKind = &entityKind{typeName: "mailboxSettings", props: []string{"archiveFolder", "automaticRepliesSetting",
	"dateFormat", "delegateMeetingMessageDeliveryOptions", "language", "timeFormat", "timeZone", "userPurpose", "workingHours"}}

func getMailboxSettings(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(mailboxSettingsKind)
	if err != nil {
		return result{}, err
	}
	v := applySelect(cloneObject(c.mbox.MailboxSettings), sel)
	v["@odata.context"] = c.contextURL(c.subject + "/mailboxSettings" + selectSuffix(sel))
	return ok(v)
}

// getMailboxSetting answers /mailboxSettings/{property}: a complex
// property as an object, a string property as {"value": ...}.
func getMailboxSetting(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(nil); err != nil {
		return result{}, err
	}
	name, ok := mailboxSettingsKind.canonicalProp(c.ids[0])
	if !ok {
		return result{}, newError(400, "BadRequest", "Resource not found for the segment '%s'.", c.ids[0])
	}
	ctx := c.contextURL(c.subject + "/mailboxSettings/" + name)
	switch v := c.mbox.MailboxSettings[name].(type) {
	case map[string]any:
		out := cloneObject(v)
		out["@odata.context"] = ctx
		return result{status: 200, body: out}, nil
	default:
		return result{status: 200, body: Object{"@odata.context": ctx, "value": v}}, nil
	}
}
