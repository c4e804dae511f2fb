package sandbox

import (
	"fmt"
	"html"
	"net/url"
	"strings"
)

// Operations on one message: reply, replyAll, forward (202, sent at once),
// createReply, createReplyAll, createForward (201, a draft in Drafts),
// creating a draft, PATCH (isRead, categories, flag...), move and sending a
// draft. Shapes, permissions and errors follow Microsoft's pages of each
// operation (message-reply.md, message-forward.md, message-createreply.md,
// message-update.md, message-move.md, message-send.md in
// microsoftgraph/microsoft-graph-docs-contrib).

const (
	msgCommentAndBody  = "The comment and the body of the message cannot both be specified. Use either the comment parameter or the message body."
	msgForwardNoTo     = "The toRecipients parameter or the ToRecipients property of the message parameter must be specified, and not both."
	msgSentReadOnly    = "Update of the property '%s' is not allowed for a sent message: it can be changed only while isDraft is true."
	msgReadOnlyProp    = "The property '%s' is read-only and cannot be set."
	msgNotDraft        = "The message is not a draft: only a draft can be sent."
	msgMoveDestination = "The destination folder id '%s' is not a folder of this mailbox."
)

// findMessage returns the index of the addressed message ({id} = c.ids[0]).
func (c *call) findMessage() (int, *graphError) {
	return indexByID(c.mbox.Messages, c.ids[0])
}

// messageEntity renders a stored message as a single-entity answer.
func (c *call) messageEntity(m Object) Object {
	v := messageKind.view(c, m, c.tz)
	v["@odata.context"] = c.contextURL(c.subject + "/messages/$entity")
	return v
}

// replyType is the body of reply, replyAll, forward and their create*
// drafts: a comment, a partial message and (forward) toRecipients.
var replyType = lazyType{build: func() *objType {
	return newObjType("reply", map[string]*field{
		"comment":      str(),
		"message":      object(messageType.get()),
		"toRecipients": arrayOf(object(recipientType.get())),
	})
}}

// replyKind says which of the six operations is served.
type replyKind int

const (
	kindReply replyKind = iota
	kindReplyAll
	kindForward
)

func replyMessage(c *call) (result, *graphError)    { return c.respond(kindReply, false) }
func replyAllMessage(c *call) (result, *graphError) { return c.respond(kindReplyAll, false) }
func forwardMessage(c *call) (result, *graphError)  { return c.respond(kindForward, false) }
func createReply(c *call) (result, *graphError)     { return c.respond(kindReply, true) }
func createReplyAll(c *call) (result, *graphError)  { return c.respond(kindReplyAll, true) }
func createForward(c *call) (result, *graphError)   { return c.respond(kindForward, true) }

// respond builds the reply or forward of the addressed message; draft
// keeps it in Drafts (201 with the message), else it is sent (202).
func (c *call) respond(kind replyKind, draft bool) (result, *graphError) {
	if ct := c.r.Header.Get("Content-Type"); strings.HasPrefix(strings.ToLower(ct), "text/plain") {
		// MIME content: only its encoding is checked, as for sendMail.
		if _, err := c.findMessage(); err != nil {
			return result{}, err
		}
		return sendMIME(c)
	}
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	var o Object
	if strings.TrimSpace(string(c.body)) != "" || !draft {
		// The create* drafts need no body; the sending ones need JSON.
		if o, gerr = c.decodeObject(replyType.get()); gerr != nil {
			return result{}, gerr
		}
	}
	msg := getObject(o, "message")
	if msg == nil {
		msg = Object{}
	}
	comment, hasComment := o["comment"].(string)
	if hasComment && msg["body"] != nil {
		return result{}, newError(400, "ErrorInvalidRequest", msgCommentAndBody)
	}
	orig := c.mbox.Messages[i]
	out := Object{}
	for k, v := range msg {
		out[k] = v
	}
	prefix := "RE: "
	switch kind {
	case kindForward:
		prefix = "FW: "
		top, msgTo := o["toRecipients"] != nil, msg["toRecipients"] != nil
		if top && msgTo || (!top && !msgTo && !draft) {
			return result{}, newError(400, "ErrorInvalidRequest", msgForwardNoTo)
		}
		if top {
			out["toRecipients"] = o["toRecipients"]
		}
		// The forwarded message travels with its attachments.
		if a := getArray(orig, "attachments"); len(a) > 0 && out["attachments"] == nil {
			out["attachments"] = cloneValue(a)
		}
	default:
		to := c.replyRecipients(orig, kind == kindReplyAll)
		// Recipients in the request add to those of the reply (the docs'
		// example adds two).
		out["toRecipients"] = append(to, getArray(msg, "toRecipients")...)
		if kind == kindReplyAll && msg["ccRecipients"] == nil {
			out["ccRecipients"] = c.withoutSelf(getArray(orig, "ccRecipients"))
		}
	}
	if _, ok := msg["subject"]; !ok {
		out["subject"] = prefix + strings.TrimPrefix(strings.TrimPrefix(getString(orig, "subject"), "RE: "), "FW: ")
	}
	if msg["body"] == nil {
		out["body"] = quotedBody(comment, orig)
	}
	if draft {
		d, gerr := c.buildDraft(out)
		if gerr != nil {
			return result{}, gerr
		}
		d["conversationId"] = orig["conversationId"]
		if gerr := c.s.take(c.mbox, addLen(len(c.mbox.Messages), jsonLen(d))); gerr != nil {
			return result{}, gerr
		}
		c.mbox.Messages = append(c.mbox.Messages, d)
		return created(c.messageEntity(d))
	}
	sent, gerr := c.buildSentMessage(out)
	if gerr != nil {
		return result{}, gerr
	}
	sent["conversationId"] = orig["conversationId"]
	if gerr := c.deliver(sent, true, -1); gerr != nil {
		return result{}, gerr
	}
	return result{status: 202}, nil
}

// replyRecipients are whom a reply goes to: replyTo when the original
// names it (RFC 2822, as the docs say), else its sender; replyAll adds the
// original's To recipients other than the mailbox itself.
func (c *call) replyRecipients(orig Object, all bool) []any {
	to := cloneValue(getArray(orig, "replyTo")).([]any)
	if len(to) == 0 {
		if from := getObject(orig, "from"); from != nil {
			to = []any{cloneValue(from)}
		}
	}
	if all {
		to = append(to, c.withoutSelf(getArray(orig, "toRecipients"))...)
	}
	return to
}

// withoutSelf drops the mailbox's own address from recipients.
func (c *call) withoutSelf(rs []any) []any {
	out := []any{}
	for _, r := range rs {
		ea := getObject(r.(map[string]any), "emailAddress")
		addr := getString(ea, "address")
		if strings.EqualFold(addr, c.mbox.User.Mail) || strings.EqualFold(addr, c.mbox.User.UserPrincipalName) {
			continue
		}
		out = append(out, cloneValue(r))
	}
	return out
}

// quotedBody is the comment above the quoted original, as Outlook writes a
// reply in HTML.
func quotedBody(comment string, orig Object) Object {
	from := getString(getObject(getObject(orig, "from"), "emailAddress"), "name")
	origBody, _ := orig["body"].(map[string]any)
	content := getString(origBody, "content")
	if getString(origBody, "contentType") != "html" {
		content = textToHTML(content)
	}
	quoted := fmt.Sprintf("<div>%s</div><hr><div><b>From:</b> %s<br><b>Sent:</b> %s<br><b>Subject:</b> %s</div>%s",
		strings.ReplaceAll(html.EscapeString(comment), "\n", "<br>"), html.EscapeString(from), getString(orig, "sentDateTime"), html.EscapeString(getString(orig, "subject")), content)
	return Object{"contentType": "html", "content": quoted}
}

// buildDraft makes a draft in Drafts from a (checked) message body: no
// recipient is required, nothing is delivered.
func (c *call) buildDraft(msg Object) (Object, *graphError) {
	d, gerr := c.buildMessage(msg, false)
	if gerr != nil {
		return nil, gerr
	}
	d["parentFolderId"] = FolderID(c.mbox.User.ID, "drafts")
	d["isDraft"] = true
	return d, nil
}

// createDraft is POST /me/messages: a draft in Drafts (201).
func createDraft(c *call) (result, *graphError) {
	o, gerr := c.decodeObject(messageType.get())
	if gerr != nil {
		return result{}, gerr
	}
	d, gerr := c.buildDraft(o)
	if gerr != nil {
		return result{}, gerr
	}
	if gerr := c.s.take(c.mbox, addLen(len(c.mbox.Messages), jsonLen(d))); gerr != nil {
		return result{}, gerr
	}
	c.mbox.Messages = append(c.mbox.Messages, d)
	return created(c.messageEntity(d))
}

// sendDraft is POST /me/messages/{id}/send: the draft leaves Drafts for
// Sent Items and is delivered (202, no body).
func sendDraft(c *call) (result, *graphError) {
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	d := c.mbox.Messages[i]
	if !getBool(d, "isDraft") {
		return result{}, newError(400, "ErrorInvalidOperation", msgNotDraft)
	}
	if total := attachmentBytes(getArray(d, "attachments")); total > maxMessageBytes {
		return result{}, newError(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size (%d MB).", maxMessageBytes>>20)
	}
	sent, gerr := c.buildSentMessage(d)
	if gerr != nil {
		return result{}, gerr
	}
	// The sent item keeps the draft's id, conversation and attachments.
	sent["id"] = d["id"]
	sent["conversationId"] = d["conversationId"]
	sent["createdDateTime"] = d["createdDateTime"]
	if gerr := c.deliver(sent, true, i); gerr != nil {
		return result{}, gerr
	}
	return result{status: 202}, nil
}

// updatable are the message properties PATCH may set (message-update.md);
// draftOnly of them only while isDraft is true. Every other writable
// property of the message type is refused, as are read-only ones.
var (
	updatable = map[string]bool{"bccRecipients": true, "body": true, "categories": true, "ccRecipients": true, "flag": true,
		"from": true, "importance": true, "inferenceClassification": true, "internetMessageId": true, "isDeliveryReceiptRequested": true,
		"isRead": true, "isReadReceiptRequested": true, "replyTo": true, "sender": true, "subject": true, "toRecipients": true}
	draftOnly = map[string]bool{"body": true, "internetMessageId": true, "replyTo": true, "subject": true}
)

// messagePatchType is the message type plus the properties only PATCH
// names (isRead); read-only properties are refused before it is applied.
var messagePatchType = lazyType{build: func() *objType {
	f := map[string]*field{"isRead": boolean(), "internetMessageId": str()}
	for k, v := range messageType.get().fields {
		f[k] = v
	}
	return newObjType("message", f)
}}

var flagType = lazyType{build: func() *objType {
	return newObjType("followupFlag", map[string]*field{
		"flagStatus":        enum("followupFlagStatus", "notFlagged", "complete", "flagged"),
		"startDateTime":     object(dateTimeTimeZoneType.get()),
		"dueDateTime":       object(dateTimeTimeZoneType.get()),
		"completedDateTime": object(dateTimeTimeZoneType.get()),
	})
}}

// updateMessage is PATCH /me/messages/{id} (200 with the message).
func updateMessage(c *call) (result, *graphError) {
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	m := c.mbox.Messages[i]
	if gerr := c.checkIfMatch(etagOf(getString(m, "changeKey"))); gerr != nil {
		return result{}, gerr
	}
	raw, gerr := decodeBody(c.body)
	if gerr != nil {
		return result{}, gerr
	}
	for k := range raw {
		if strings.HasPrefix(k, "@") {
			continue
		}
		_, name := lookupField(messagePatchType.get(), k)
		if name == "" {
			if _, known := messageKind.canonicalProp(k); known {
				return result{}, newError(400, "ErrorInvalidPropertySet", msgReadOnlyProp, k)
			}
			continue // checkObject names the unknown property
		}
		if !updatable[name] {
			return result{}, newError(400, "ErrorInvalidPropertySet", msgReadOnlyProp, name)
		}
		if draftOnly[name] && !getBool(m, "isDraft") {
			return result{}, newError(400, "ErrorInvalidPropertyUpdateSentMessage", msgSentReadOnly, name)
		}
	}
	patch, gerr := checkObject(messagePatchType.get(), raw, "")
	if gerr != nil {
		return result{}, gerr
	}
	if f, ok := patch["flag"].(map[string]any); ok {
		nf, gerr := checkObject(flagType.get(), f, "flag")
		if gerr != nil {
			return result{}, gerr
		}
		if nf["flagStatus"] == nil {
			nf["flagStatus"] = "notFlagged"
		}
		patch["flag"] = nf
	}
	merged := cloneObject(m)
	for k, v := range patch {
		if strings.HasPrefix(k, "@") {
			continue
		}
		switch k {
		case "body":
			body, preview := normalizeBody(v)
			merged["body"], merged["bodyPreview"] = body, preview
		case "categories":
			if v == nil {
				v = []any{}
			}
			merged[k] = v
		default:
			merged[k] = v
		}
	}
	merged["lastModifiedDateTime"] = timestamp(c.s.now())
	merged["changeKey"] = newChangeKey()
	if gerr := c.s.take(c.mbox, sizeDelta(m, merged)); gerr != nil {
		return result{}, gerr
	}
	c.mbox.Messages[i] = merged
	return ok(c.messageEntity(merged))
}

var moveType = lazyType{build: func() *objType {
	return newObjType("move", map[string]*field{"destinationId": str()})
}}

// moveMessage is POST /me/messages/{id}/move: a new copy in the
// destination (a folder id or well-known name) with a new id (201); the
// original is removed.
func moveMessage(c *call) (result, *graphError) {
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	o, gerr := c.decodeObject(moveType.get())
	if gerr != nil {
		return result{}, gerr
	}
	dest := strings.TrimSpace(getString(o, "destinationId"))
	if dest == "" {
		return result{}, newError(400, "ErrorInvalidParameter", "The value of the parameter 'DestinationId' is empty.")
	}
	folder, gerr := resolveFolder(c.mbox.User.ID, dest)
	if gerr != nil {
		if gerr.code == "ErrorItemNotFound" {
			return result{}, newError(404, "ErrorItemNotFound", msgMoveDestination, dest)
		}
		return result{}, gerr
	}
	moved := cloneObject(c.mbox.Messages[i])
	moved["id"] = newItemID()
	moved["changeKey"] = newChangeKey()
	moved["lastModifiedDateTime"] = timestamp(c.s.now())
	moved["parentFolderId"] = FolderID(c.mbox.User.ID, folder)
	moved["webLink"] = "https://outlook.office365.com/owa/?ItemID=" + url.QueryEscape(getString(moved, "id")) + "&exvsurl=1&viewmodel=ReadMessageItem"
	// Removed from its place and appended: the list keeps its commas.
	if gerr := c.s.take(c.mbox, sizeDelta(c.mbox.Messages[i], moved)); gerr != nil {
		return result{}, gerr
	}
	c.mbox.Messages = append(c.mbox.Messages[:i:i], c.mbox.Messages[i+1:]...)
	c.mbox.Messages = append(c.mbox.Messages, moved)
	v := messageKind.view(c, moved, c.tz)
	v["@odata.context"] = c.contextURL("message")
	v["@odata.type"] = "#microsoft.graph.message"
	return created(v)
}

// deleteMessage is DELETE /me/messages/{id} (204).
func deleteMessage(c *call) (result, *graphError) {
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	// Deleted at once (the sandbox keeps no Deleted Items): the room is free.
	c.s.charge(c.mbox, removeLen(len(c.mbox.Messages), jsonLen(c.mbox.Messages[i])))
	c.mbox.Messages = append(c.mbox.Messages[:i:i], c.mbox.Messages[i+1:]...)
	return noContent()
}
