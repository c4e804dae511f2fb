package sandbox

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// Well-known mail folders (their names work wherever a folder id does).
var wellKnownFolders = []string{"inbox", "sentitems", "drafts", "deleteditems", "archive", "junkemail", "outbox"}

// FolderID is the id of a user's well-known mail folder ("inbox",
// "sentitems", "drafts", "deleteditems", "archive", "junkemail",
// "outbox"): what a message's parentFolderId holds. Tests that load their
// own Data use it to place messages.
func FolderID(userID, name string) string {
	b := append(append([]byte{}, idPrefix...), 0x46) // 'F'
	b = append(b, []byte(name+":"+userID)...)
	return base64.URLEncoding.EncodeToString(b)
}

// resolveFolder maps a well-known name or folder id to its well-known name.
func resolveFolder(userID, idOrName string) (string, *graphError) {
	for _, n := range wellKnownFolders {
		if strings.EqualFold(n, idOrName) || FolderID(userID, n) == idOrName {
			return n, nil
		}
	}
	if !wellFormedID(idOrName) {
		return "", errIDMalformed()
	}
	return "", errNotFound()
}

// maxRecipients is Exchange's default recipient limit per message.
const maxRecipients = 500

var internetHeaderType = lazyType{build: func() *objType {
	return newObjType("internetMessageHeader", map[string]*field{"name": str(), "value": str()})
}}

var attachmentType = lazyType{build: func() *objType {
	return newObjType("attachment", map[string]*field{
		"name": str(), "contentType": str(), "contentBytes": str(), "isInline": boolean(), "contentId": str(), "size": readOnly(integer()),
		"id": readOnly(str()), "lastModifiedDateTime": readOnly(str()),
	})
}}

var messageType = lazyType{build: func() *objType {
	return newObjType("message", map[string]*field{
		"subject":                    str(),
		"body":                       object(itemBodyType.get()),
		"toRecipients":               arrayOf(object(recipientType.get())),
		"ccRecipients":               arrayOf(object(recipientType.get())),
		"bccRecipients":              arrayOf(object(recipientType.get())),
		"replyTo":                    arrayOf(object(recipientType.get())),
		"from":                       object(recipientType.get()),
		"sender":                     object(recipientType.get()),
		"importance":                 importanceEnum,
		"internetMessageHeaders":     arrayOf(object(internetHeaderType.get())),
		"attachments":                arrayOf(object(attachmentType.get())),
		"isDeliveryReceiptRequested": boolean(),
		"isReadReceiptRequested":     boolean(),
		"categories":                 arrayOf(str()),
		"flag":                       anyValue(),
		"inferenceClassification":    enum("inferenceClassificationType", "focused", "other"),
	})
}}

var messageKind = &entityKind{
	typeName: "message",
	props: []string{"id", "categories", "changeKey", "createdDateTime", "lastModifiedDateTime", "bccRecipients", "body",
		"bodyPreview", "ccRecipients", "conversationId", "conversationIndex", "flag", "from", "hasAttachments", "importance",
		"inferenceClassification", "internetMessageHeaders", "internetMessageId", "isDeliveryReceiptRequested", "isDraft",
		"isRead", "isReadReceiptRequested", "parentFolderId", "receivedDateTime", "replyTo", "sender", "sentDateTime",
		"subject", "toRecipients", "uniqueBody", "webLink"},
	view: func(c *call, o Object, z zone) Object {
		v := cloneObject(o)
		v["body"] = viewBody(v["body"], c.bodyType)
		v["@odata.etag"] = etagOf(getString(o, "changeKey"))
		// internetMessageHeaders come back only when selected, as in Graph;
		// attachments only from .../attachments.
		delete(v, "internetMessageHeaders")
		delete(v, "attachments")
		if sel, _ := c.queryParam("$select"); strings.Contains(strings.ToLower(sel), "internetmessageheaders") {
			v["internetMessageHeaders"] = o["internetMessageHeaders"]
		}
		if c.basicOnly {
			delete(v, "body")
			delete(v, "bodyPreview")
			delete(v, "uniqueBody")
		}
		return v
	},
}

// messagesNewestFirst lists a mailbox's messages, optionally of one
// folder, newest first (Graph's default order).
func (c *call) messagesNewestFirst(folder string) []Object {
	var out []Object
	for i := len(c.mbox.Messages) - 1; i >= 0; i-- {
		m := c.mbox.Messages[i]
		if folder == "" || getString(m, "parentFolderId") == FolderID(c.mbox.User.ID, folder) {
			out = append(out, m)
		}
	}
	return out
}

func listMessages(c *call) (result, *graphError) {
	return c.collection(c.messagesNewestFirst(""), messageKind, 10, c.subject+"/messages")
}

func listFolderMessages(c *call) (result, *graphError) {
	folder, err := resolveFolder(c.mbox.User.ID, c.ids[0])
	if err != nil {
		return result{}, err
	}
	return c.collection(c.messagesNewestFirst(folder), messageKind, 10, c.subject+"/mailFolders('"+c.ids[0]+"')/messages")
}

func getMessage(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(messageKind)
	if err != nil {
		return result{}, err
	}
	i, err := c.findMessage()
	if err != nil {
		return result{}, err
	}
	v := applySelect(messageKind.view(c, c.mbox.Messages[i], c.tz), sel)
	v["@odata.context"] = c.contextURL(c.subject + "/messages" + selectSuffix(sel) + "/$entity")
	return ok(v)
}

var sendMailType = lazyType{build: func() *objType {
	return newObjType("sendMail", map[string]*field{
		"message": object(messageType.get()),
		// saveToSentItems is Edm.Boolean; Graph's reader also takes the
		// strings "true" and "false" (the docs' own example sends "false").
		"saveToSentItems": anyValue(),
	})
}}

// sendMail accepts a message for delivery (202, no body), keeps a copy in
// Sent Items unless saveToSentItems is false, and delivers a copy to the
// Inbox of each recipient who is a sandbox user.
func sendMail(c *call) (result, *graphError) {
	if ct := c.r.Header.Get("Content-Type"); ct != "" && strings.HasPrefix(strings.ToLower(ct), "text/plain") {
		// MIME sendMail: base64 of a MIME message.
		return sendMIME(c)
	}
	o, err := c.decodeObject(sendMailType.get())
	if err != nil {
		return result{}, err
	}
	save := true
	switch v := o["saveToSentItems"].(type) {
	case nil:
	case bool:
		save = v
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
		case "false":
			save = false
		default:
			return result{}, errBodyRead("Cannot convert the literal '%s' to the expected type 'Edm.Boolean' (property 'saveToSentItems').", v)
		}
	default:
		return result{}, errBodyRead("Cannot convert the literal '%s' to the expected type 'Edm.Boolean' (property 'saveToSentItems').", literal(v))
	}
	msg := getObject(o, "message")
	if msg == nil {
		return result{}, newError(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.")
	}
	if n := attachmentBytes(getArray(msg, "attachments")); n > MaxInlineAttachmentBytes {
		return result{}, errInlineTooLarge(n)
	}
	stored, gerr := c.buildSentMessage(msg)
	if gerr != nil {
		return result{}, gerr
	}
	if err := c.deliver(stored, save, -1); err != nil {
		return result{}, err
	}
	return result{status: 202}, nil
}

// sendMIME accepts a base64 MIME message; only its encoding is checked.
func sendMIME(c *call) (result, *graphError) {
	raw := strings.Join(strings.Fields(string(c.body)), "")
	if _, err := base64.StdEncoding.DecodeString(raw); err != nil || raw == "" {
		return result{}, newError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
	}
	return result{status: 202}, nil
}

// buildSentMessage checks recipients and attachments and builds the Sent
// Items copy.
func (c *call) buildSentMessage(msg Object) (Object, *graphError) {
	return c.buildMessage(msg, true)
}

// buildMessage checks a message's recipients, headers and attachments and
// builds the stored message (in Sent Items; drafts move it). sending
// requires at least one recipient.
func (c *call) buildMessage(msg Object, sending bool) (Object, *graphError) {
	recipients := 0
	norm := map[string][]any{}
	for _, k := range []string{"toRecipients", "ccRecipients", "bccRecipients", "replyTo"} {
		out := []any{}
		for _, r := range getArray(msg, k) {
			ea := getObject(r.(map[string]any), "emailAddress")
			addr := strings.TrimSpace(getString(ea, "address"))
			if !validAddress(addr) {
				return nil, newError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid., Recipient '%s' is not resolved. All recipients must be resolved before a message can be submitted.", addr)
			}
			name := getString(ea, "name")
			if name == "" {
				name = addr
			}
			out = append(out, Object{"emailAddress": Object{"name": name, "address": addr}})
			if k != "replyTo" {
				recipients++
			}
		}
		norm[k] = out
	}
	if recipients == 0 && sending {
		return nil, newError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be sent because it contains no recipients.")
	}
	if recipients > maxRecipients {
		return nil, newError(400, "ErrorExceededMessageLimit", "The message exceeds the maximum number of recipients (%d).", maxRecipients)
	}
	headers := []any{}
	for _, h := range getArray(msg, "internetMessageHeaders") {
		hm := h.(map[string]any)
		name := getString(hm, "name")
		if !strings.HasPrefix(strings.ToLower(name), "x-") {
			return nil, newError(400, "InvalidInternetMessageHeader", "The internet message header name '%s' should start with 'x-' or 'X-'.", name)
		}
		headers = append(headers, Object{"name": name, "value": getString(hm, "value")})
	}
	attachments := []any{}
	for i, a := range getArray(msg, "attachments") {
		stored, gerr := c.fileAttachment(a.(map[string]any), i)
		if gerr != nil {
			return nil, gerr
		}
		attachments = append(attachments, stored)
	}
	now := c.s.now()
	id := newItemID()
	body, preview := normalizeBody(msg["body"])
	from := Object{"emailAddress": Object{"name": c.mbox.User.DisplayName, "address": c.mbox.User.Mail}}
	importance := firstNonEmpty(getString(msg, "importance"), "normal")
	categories := getArray(msg, "categories")
	if categories == nil {
		categories = []any{}
	}
	flag := getObject(msg, "flag")
	if flag == nil {
		flag = Object{"flagStatus": "notFlagged"}
	}
	return Object{
		"id":                         id,
		"createdDateTime":            timestamp(now),
		"lastModifiedDateTime":       timestamp(now),
		"changeKey":                  newChangeKey(),
		"categories":                 categories,
		"receivedDateTime":           timestamp(now),
		"sentDateTime":               timestamp(now),
		"hasAttachments":             len(attachments) > 0,
		"internetMessageId":          "<" + strings.TrimRight(newChangeKey(), "=") + "@sandbox.runflow>",
		"subject":                    getString(msg, "subject"),
		"bodyPreview":                preview,
		"importance":                 importance,
		"parentFolderId":             FolderID(c.mbox.User.ID, "sentitems"),
		"conversationId":             newItemID(),
		"conversationIndex":          base64.StdEncoding.EncodeToString(randomBytes(22)),
		"isDeliveryReceiptRequested": getBool(msg, "isDeliveryReceiptRequested"),
		"isReadReceiptRequested":     getBool(msg, "isReadReceiptRequested"),
		"isRead":                     true,
		"isDraft":                    false,
		"webLink":                    "https://outlook.office365.com/owa/?ItemID=" + url.QueryEscape(id) + "&exvsurl=1&viewmodel=ReadMessageItem",
		"inferenceClassification":    "focused",
		"body":                       body,
		"sender":                     from,
		"from":                       from,
		"toRecipients":               norm["toRecipients"],
		"ccRecipients":               norm["ccRecipients"],
		"bccRecipients":              norm["bccRecipients"],
		"replyTo":                    norm["replyTo"],
		"flag":                       flag,
		"internetMessageHeaders":     headers,
		"attachments":                attachments,
	}, nil
}

// deliver stores the Sent Items copy (if save) and an Inbox copy for each
// sandbox user among the recipients. draft is the index of the draft the
// message is sent from, which leaves the mailbox (-1: none). The sender's
// mailbox must have room for the message even when it is not kept, as
// Exchange writes it there before sending it (a full mailbox cannot send:
// the quota error, and nothing is sent). A recipient whose mailbox has no
// room gets nothing, as Exchange does not deliver to a full mailbox.
func (c *call) deliver(sent Object, save bool, draft int) *graphError {
	var size, freed int64
	n := len(c.mbox.Messages)
	if draft >= 0 {
		d := c.mbox.Messages[draft]
		dsize := jsonLen(d)
		size = dsize + sizeDelta(d, sent) // the sent message shares the draft's attachments
		freed = removeLen(n, dsize)
		n--
	} else {
		size = jsonLen(sent)
	}
	added := addLen(n, size)
	if err := c.s.room(c.mbox, freed+added); err != nil {
		return err
	}
	if draft >= 0 {
		c.s.charge(c.mbox, freed)
		c.mbox.Messages = append(c.mbox.Messages[:draft:draft], c.mbox.Messages[draft+1:]...)
	}
	if save {
		c.s.charge(c.mbox, added)
		c.mbox.Messages = append(c.mbox.Messages, sent)
	}
	seen := map[string]bool{}
	for _, k := range []string{"toRecipients", "ccRecipients", "bccRecipients"} {
		for _, r := range getArray(sent, k) {
			addr := getString(getObject(r.(map[string]any), "emailAddress"), "address")
			m := c.s.data.mailboxByAddress(addr)
			if m == nil || seen[m.User.ID] {
				continue
			}
			seen[m.User.ID] = true
			in := cloneObject(sent)
			in["id"] = newItemID()
			in["changeKey"] = newChangeKey()
			in["parentFolderId"] = FolderID(m.User.ID, "inbox")
			in["isRead"] = false
			in["bccRecipients"] = []any{}
			if c.s.take(m, addLen(len(m.Messages), size+sizeDelta(sent, in))) != nil {
				continue // a full mailbox gets nothing
			}
			m.Messages = append(m.Messages, in)
		}
	}
	return nil
}

func (d *Data) mailboxByAddress(addr string) *Mailbox {
	for _, m := range d.Users {
		if isAddressOf(m, addr) {
			return m
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
