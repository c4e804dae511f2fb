package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/runflow/runflow/internal/lazyregexp"
)

// File attachments of messages: inline in sendMail, a draft or POST
// .../attachments (under 3 MB), and through an upload session for larger
// files (attachment-createuploadsession.md and outlook-large-attachments.md
// in microsoftgraph/microsoft-graph-docs-contrib).
const (
	// MaxInlineAttachmentBytes is the most attachment data one request may
	// carry inline (Graph: "If the file size is under 3 MB, do a single
	// POST"; larger files go through an upload session).
	MaxInlineAttachmentBytes = 3 << 20
	// maxUploadBytes is the largest file an upload session takes (150 MB).
	maxUploadBytes = 150 << 20
	// maxMessageBytes is Exchange Online's default message size limit
	// (35 MB), attachments included; the sandbox does not raise it.
	maxMessageBytes = 35 << 20
	// uploadSessionLifetime is how long an upload URL stays valid.
	uploadSessionLifetime = 15 * time.Minute
	// maxUploadSessions bounds the sessions open at once per server.
	maxUploadSessions = 64
)

// fileAttachment checks one attachment of a message body (or a stored one,
// when a draft is sent) and returns it as stored: Graph's fileAttachment
// with its size and an id.
func (c *call) fileAttachment(a Object, i int) (Object, *graphError) {
	if t := getString(a, "@odata.type"); t != "" && !strings.EqualFold(strings.TrimPrefix(t, "#"), "microsoft.graph.fileAttachment") {
		return nil, errBodyRead("The sandbox accepts only #microsoft.graph.fileAttachment attachments (attachment %d is %s).", i, t)
	}
	if getString(a, "name") == "" {
		return nil, validationFailed("attachments", "a file attachment needs a name")
	}
	raw := getString(a, "contentBytes")
	data, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, errBodyRead("Cannot convert the literal '%s' to the expected type 'Edm.Binary' (attachment %d contentBytes).", truncate(raw, 20), i)
	}
	ct := firstNonEmpty(getString(a, "contentType"), "application/octet-stream")
	id := getString(a, "id")
	if id == "" {
		id = newItemID()
	}
	var contentID any
	if s := getString(a, "contentId"); s != "" {
		contentID = s
	}
	return Object{
		"@odata.type":             "#microsoft.graph.fileAttachment",
		"@odata.mediaContentType": ct,
		"id":                      id,
		"lastModifiedDateTime":    firstNonEmpty(getString(a, "lastModifiedDateTime"), timestamp(c.s.now())),
		"name":                    getString(a, "name"),
		"contentType":             ct,
		"size":                    float64(len(data)),
		"isInline":                getBool(a, "isInline"),
		"contentId":               contentID,
		"contentLocation":         nil,
		"contentBytes":            raw,
	}, nil
}

// attachmentBytes is the decoded size of stored or requested attachments.
func attachmentBytes(as []any) int {
	n := 0
	for _, a := range as {
		n += base64.StdEncoding.DecodedLen(len(strings.TrimRight(getString(a.(map[string]any), "contentBytes"), "=")))
	}
	return n
}

// errInlineTooLarge answers inline attachments over the 3 MB a request
// may carry.
func errInlineTooLarge(n int) *graphError {
	return newError(413, "RequestEntityTooLarge", "The attachments of this request total %d bytes: at most %d (3 MB) may be sent inline. Attach larger files to a draft through an upload session (createUploadSession) and send the draft.", n, MaxInlineAttachmentBytes)
}

// attachmentContext is the @odata.context of a message's attachments.
func (c *call) attachmentContext() string {
	return c.contextURL(c.subject + "/messages('" + url.PathEscape(c.ids[0]) + "')/attachments")
}

func listAttachments(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	sel := c.attachmentSelect()
	value := []any{}
	for _, a := range getArray(c.mbox.Messages[i], "attachments") {
		value = append(value, selectAttachment(a.(map[string]any), sel))
	}
	return ok(Object{"@odata.context": c.attachmentContext(), "value": value})
}

func getAttachment(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	if !wellFormedID(c.ids[1]) {
		return result{}, errIDMalformed()
	}
	for _, a := range getArray(c.mbox.Messages[i], "attachments") {
		if am := a.(map[string]any); getString(am, "id") == c.ids[1] {
			v := selectAttachment(am, c.attachmentSelect())
			v["@odata.context"] = c.attachmentContext() + "/$entity"
			return ok(v)
		}
	}
	return result{}, errNotFound()
}

var attachmentProps = []string{"id", "lastModifiedDateTime", "name", "contentType", "size", "isInline", "contentId", "contentLocation", "contentBytes"}

// attachmentSelect reads $select for attachments (nil: every property).
func (c *call) attachmentSelect() []string {
	raw, ok := c.queryParam("$select")
	if !ok {
		return nil
	}
	var out []string
	for _, p := range strings.Split(raw, ",") {
		for _, known := range attachmentProps {
			if strings.EqualFold(strings.TrimSpace(p), known) {
				out = append(out, known)
			}
		}
	}
	return out
}

func selectAttachment(a Object, sel []string) Object {
	v := cloneObject(a)
	if sel == nil {
		return v
	}
	keep := map[string]bool{"@odata.type": true, "@odata.mediaContentType": true, "id": true}
	for _, s := range sel {
		keep[s] = true
	}
	for k := range v {
		if !keep[k] {
			delete(v, k)
		}
	}
	return v
}

// addAttachment is POST /me/messages/{id}/attachments with a
// fileAttachment under 3 MB (201 with the attachment).
func addAttachment(c *call) (result, *graphError) {
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	o, gerr := c.decodeObject(attachmentType.get())
	if gerr != nil {
		return result{}, gerr
	}
	if n := attachmentBytes([]any{o}); n > MaxInlineAttachmentBytes {
		return result{}, errInlineTooLarge(n)
	}
	stored, gerr := c.fileAttachment(o, 0)
	if gerr != nil {
		return result{}, gerr
	}
	m := c.mbox.Messages[i]
	if attachmentBytes(getArray(m, "attachments"))+int(stored["size"].(float64)) > maxMessageBytes {
		return result{}, errMessageTooLarge()
	}
	if gerr := c.s.edit(c.mbox, m, func(m Object) {
		m["attachments"] = append(getArray(m, "attachments"), stored)
		m["hasAttachments"] = true
		m["changeKey"] = newChangeKey()
	}); gerr != nil {
		return result{}, gerr
	}
	v := cloneObject(stored)
	v["@odata.context"] = c.attachmentContext() + "/$entity"
	return created(v)
}

func errMessageTooLarge() *graphError {
	return newError(400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size (%d MB).", maxMessageBytes>>20)
}

var attachmentItemType = lazyType{build: func() *objType {
	return newObjType("attachmentItem", map[string]*field{
		"attachmentType": enum("attachmentType", "file", "item", "reference"),
		"name":           str(),
		"size":           integer(),
		"contentType":    str(),
		"isInline":       boolean(),
		"contentId":      str(),
	})
}}

var createUploadSessionType = lazyType{build: func() *objType {
	return newObjType("createUploadSession", map[string]*field{
		"AttachmentItem": object(attachmentItemType.get()),
	})
}}

// uploadSession is an open upload of one file to one message. Upload
// sessions live in memory only: a restarted sandbox forgets them, as an
// expired URL would be forgotten.
type uploadSession struct {
	id, token         string
	userID, messageID string
	name, contentType string
	contentID         string
	isInline          bool
	size              int
	data              []byte
	expires           time.Time
	// reserve is what the finished attachment will add to the message's
	// JSON: it counts against the mailbox's quota while the session is
	// open, so that the bytes it receives always have room.
	reserve int64
}

type uploadSessions struct {
	mu   sync.Mutex
	byID map[string]*uploadSession
}

// createUploadSession is POST /me/messages/{id}/attachments/createUploadSession
// (201 with uploadUrl, expirationDateTime, nextExpectedRanges ["0-"]).
func createUploadSession(c *call) (result, *graphError) {
	i, gerr := c.findMessage()
	if gerr != nil {
		return result{}, gerr
	}
	o, gerr := c.decodeObject(createUploadSessionType.get())
	if gerr != nil {
		return result{}, gerr
	}
	item := getObject(o, "AttachmentItem")
	if item == nil {
		return result{}, newError(400, "ErrorInvalidParameter", "The value of the parameter 'AttachmentItem' is empty.")
	}
	if t := getString(item, "attachmentType"); t != "file" {
		return result{}, newError(400, "ErrorInvalidParameter", "The sandbox models upload sessions of file attachments only (attachmentType 'file', got '%s').", t)
	}
	if getString(item, "name") == "" {
		return result{}, validationFailed("AttachmentItem.name", "an attachment needs a name")
	}
	size := 0
	if f, ok := item["size"].(float64); ok {
		size = int(f)
	}
	switch {
	case size < MaxInlineAttachmentBytes:
		return result{}, newError(400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize", "Attachment size should not be less than the minimum size of %d bytes (3 MB): attach smaller files with a single POST.", MaxInlineAttachmentBytes)
	case size > maxUploadBytes:
		return result{}, newError(400, "ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize", "Attachment size should not be greater than the maximum size of %d bytes (150 MB).", maxUploadBytes)
	case attachmentBytes(getArray(c.mbox.Messages[i], "attachments"))+size > maxMessageBytes:
		return result{}, errMessageTooLarge()
	}
	us := &uploadSession{
		id: newItemID(), token: randomString(32), userID: c.mbox.User.ID, messageID: getString(c.mbox.Messages[i], "id"),
		name: getString(item, "name"), contentType: firstNonEmpty(getString(item, "contentType"), "application/octet-stream"),
		contentID: getString(item, "contentId"), isInline: getBool(item, "isInline"), size: size,
		expires: c.s.now().Add(uploadSessionLifetime),
	}
	// The attachment's room is taken now: the upload is refused at once
	// rather than after 150 MB were sent.
	us.reserve = int64(len(`,"attachments":[]`)) + jsonLen(uploadedAttachment(us, newItemID(), c.s.now())) +
		int64(base64.StdEncoding.EncodedLen(size))
	if gerr := c.s.room(c.mbox, us.reserve); gerr != nil {
		return result{}, gerr
	}
	if gerr := c.s.uploads.add(us, c.s.now()); gerr != nil {
		return result{}, gerr
	}
	return created(Object{
		"@odata.context":     c.contextURL("microsoft.graph.uploadSession"),
		"uploadUrl":          c.baseURL() + us.path() + "?authtoken=" + us.token,
		"expirationDateTime": timestamp(us.expires),
		"nextExpectedRanges": []any{"0-"},
	})
}

// path is the session's upload path on the sandbox's host, shaped like
// Outlook's (https://outlook.office.com/api/v2.0/Users('..')/Messages('..')/AttachmentSessions('..')).
func (us *uploadSession) path() string {
	return "/api/v2.0/Users('" + url.PathEscape(us.userID) + "')/Messages('" + url.PathEscape(us.messageID) + "')/AttachmentSessions('" + url.PathEscape(us.id) + "')"
}

func (u *uploadSessions) add(us *uploadSession, now time.Time) *graphError {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.byID == nil {
		u.byID = map[string]*uploadSession{}
	}
	for id, s := range u.byID {
		if now.After(s.expires) {
			delete(u.byID, id)
		}
	}
	if len(u.byID) >= maxUploadSessions {
		e := newError(429, "ApplicationThrottled", "Too many upload sessions are open in the sandbox (%d): finish or cancel some first.", maxUploadSessions)
		e.header = http.Header{"Retry-After": {"1"}}
		return e
	}
	u.byID[us.id] = us
	return nil
}

var uploadPathPattern = lazyregexp.New(`^/api/v2\.0/Users\('([^']+)'\)/Messages\('([^']+)'\)/AttachmentSessions\('([^']+)'\)$`)

// isUploadPath reports whether p is an upload session's URL path.
func isUploadPath(p string) bool { return strings.HasPrefix(p, "/api/v2.0/") }

var contentRangePattern = lazyregexp.New(`^bytes (\d{1,12})-(\d{1,12})/(\d{1,12})$`)

// serveUpload answers the PUT (a byte range), GET (the session's state)
// and DELETE (cancel) of an upload URL, after injected faults. The URL is
// pre-authenticated by its authtoken: a request that carries an
// Authorization header is refused, because a client that sends its Graph
// token there would hand it to a host that is not Graph.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	r = withRequestID(r)
	q := r.URL.Query()
	if q.Has("authtoken") {
		q.Set("authtoken", "[redacted]")
	}
	rec := RecordedRequest{Time: s.now(), Method: r.Method, Path: r.URL.Path, Query: q, Header: redactHeader(r.Header)}
	idx := s.log.add(rec)
	setStatus := func(code int) {
		s.log.setStatus(idx, code)
	}
	var resp response
	f, faulty := s.faults.take(r.Method, r.URL.Path)
	if faulty {
		if !sleepCtx(r.Context(), f.Delay) {
			setStatus(0)
			return
		}
		switch {
		case f.DropConnection:
			setStatus(0)
			dropConnection(w, r)
			return
		case f.Status != 0:
			// Read the range first: net/http resets the connection under
			// a large body left unread, and the client would see a lost
			// request instead of the injected status.
			io.Copy(io.Discard, io.LimitReader(r.Body, maxRequestBytes+1))
			resp = s.errorResponse(r, faultError(f))
		}
	}
	if resp.status == 0 {
		resp = s.upload(r)
		if resp.status >= 400 {
			// A refused range is read all the same, for the same reason
			// as above: the client is to see the 416 (and the range
			// expected next), not a reset connection.
			io.Copy(io.Discard, io.LimitReader(r.Body, maxRequestBytes+1))
		}
		if faulty && f.DropAfterApply {
			setStatus(0)
			dropConnection(w, r)
			return
		}
	}
	setStatus(resp.status)
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

func (s *Server) upload(r *http.Request) response {
	fail := func(e *graphError) response { return s.errorResponse(r, e) }
	if r.Header.Get("Authorization") != "" {
		return fail(newError(401, "InvalidAuthenticationToken", "The upload URL is pre-authenticated by its authtoken: send no Authorization header to it."))
	}
	m := uploadPathPattern.FindStringSubmatch(r.URL.Path)
	if m == nil {
		return fail(newError(404, "ErrorItemNotFound", "No upload session has this URL."))
	}
	s.uploads.mu.Lock()
	us := s.uploads.byID[m[3]]
	s.uploads.mu.Unlock()
	token := r.URL.Query().Get("authtoken")
	if us == nil || us.userID != m[1] || us.messageID != m[2] {
		return fail(errUploadSessionNotFound())
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(us.token)) != 1 {
		return fail(newError(401, "InvalidAuthenticationToken", "The authtoken of the upload URL is missing or wrong."))
	}
	now := s.now()
	if now.After(us.expires) {
		s.uploads.remove(us.id)
		if r.Method == http.MethodGet {
			// Asking for the state of an expired session finds none (the
			// OneDrive upload guidance: 404 means start over).
			return fail(newError(404, "ErrorItemNotFound", "The upload session expired at %s: upload the file again in a new session.", timestamp(us.expires)))
		}
		return fail(newError(401, "InvalidAuthenticationToken", "The upload session expired at %s.", timestamp(us.expires)))
	}
	switch r.Method {
	case http.MethodDelete:
		s.uploads.remove(us.id)
		return response{status: 204, header: idHeaders(r)}
	case http.MethodGet:
		s.uploads.mu.Lock()
		next := len(us.data)
		s.uploads.mu.Unlock()
		return uploadState(r, us, next)
	case http.MethodPut:
	default:
		return fail(newError(405, "Request_BadRequest", msgMethod))
	}
	cr := contentRangePattern.FindStringSubmatch(strings.TrimSpace(r.Header.Get("Content-Range")))
	if cr == nil {
		return fail(newError(400, "InvalidContentRange", "The Content-Range header is missing or not of the form 'bytes {start}-{end}/{total}'."))
	}
	start, _ := strconv.Atoi(cr[1])
	end, _ := strconv.Atoi(cr[2])
	total, _ := strconv.Atoi(cr[3])
	if total != us.size || end < start || end >= total {
		return fail(newError(400, "InvalidContentRange", "The range %s does not fit the file's %d bytes announced when the session was created.", cr[0], us.size))
	}
	if start != len(us.data) {
		// Bytes go in order: a range that overlaps what was received or
		// leaves a gap is refused with the range expected next.
		e := newError(416, "InvalidRange", "The range starts at byte %d; the next expected range starts at byte %d (bytes must be uploaded in order, without overlap).", start, len(us.data))
		return fail(e)
	}
	n := end - start + 1
	if n > maxRequestBytes {
		return fail(newError(413, "RequestEntityTooLarge", "A range may carry at most %d bytes (4 MB).", maxRequestBytes))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(n)+1))
	if err != nil || len(body) != n {
		return fail(newError(400, "InvalidContentRange", "The body has %d bytes; the Content-Range announces %d.", len(body), n))
	}
	s.uploads.mu.Lock()
	if len(us.data) != start { // another PUT of this session won the race
		s.uploads.mu.Unlock()
		return fail(newError(416, "InvalidRange", "The next expected range starts at byte %d.", len(us.data)))
	}
	us.data = append(us.data, body...)
	next := len(us.data)
	done := next == us.size
	if done {
		delete(s.uploads.byID, us.id)
	}
	s.uploads.mu.Unlock()
	if !done {
		return uploadState(r, us, next)
	}
	id, gerr := s.attachUploaded(us)
	if gerr != nil {
		return fail(gerr)
	}
	h := idHeaders(r)
	h.Set("Location", baseOf(r, s.baseURL)+"/api/v2.0/Users('"+us.userID+"')/Messages('"+us.messageID+"')/Attachments('"+id+"')")
	h.Set("Content-Length", "0")
	return response{status: 201, header: h}
}

// uploadState is an open session's state, the 200 answer to a range that
// is not the last and to a GET of the upload URL: Outlook's shape, as in
// outlook-large-attachments.md (ExpirationDateTime, and in
// nextExpectedRanges the single value "{start}").
func uploadState(r *http.Request, us *uploadSession, next int) response {
	rec := newRecorder()
	writeJSON(rec, r, 200, Object{
		"@odata.context":     "https://outlook.office.com/api/v2.0/$metadata#Users('" + us.userID + "')/Messages('" + us.messageID + "')/AttachmentSessions/$entity",
		"ExpirationDateTime": timestamp(us.expires),
		"nextExpectedRanges": []any{strconv.Itoa(next)},
	})
	return rec.response()
}

// errUploadSessionNotFound answers a request to the URL of a session that
// is not open: cancelled, completed or never created.
func errUploadSessionNotFound() *graphError {
	return newError(404, "ErrorItemNotFound", "The upload session was not found: it was cancelled, completed, or never existed.")
}

// uploadedAttachment is the attachment a finished upload adds, without
// its contentBytes.
func uploadedAttachment(us *uploadSession, id string, now time.Time) Object {
	var contentID any
	if us.contentID != "" {
		contentID = us.contentID
	}
	return Object{
		"@odata.type":             "#microsoft.graph.fileAttachment",
		"@odata.mediaContentType": us.contentType,
		"id":                      id,
		"lastModifiedDateTime":    timestamp(now),
		"name":                    us.name,
		"contentType":             us.contentType,
		"size":                    float64(us.size),
		"isInline":                us.isInline,
		"contentId":               contentID,
		"contentLocation":         nil,
		"contentBytes":            "",
	}
}

// attachUploaded adds a completed upload to its message.
func (s *Server) attachUploaded(us *uploadSession) (string, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mb := s.data.mailbox(us.userID)
	if mb == nil {
		return "", errNotFound()
	}
	for _, m := range mb.Messages {
		if getString(m, "id") != us.messageID {
			continue
		}
		id := newItemID()
		a := uploadedAttachment(us, id, s.now())
		a["contentBytes"] = base64.StdEncoding.EncodeToString(us.data)
		// The session's reservation was given back when it closed; the
		// room is still there unless another runflow filled the mailbox
		// meanwhile (the data file was read afresh).
		if gerr := s.edit(mb, m, func(m Object) {
			m["attachments"] = append(getArray(m, "attachments"), a)
			m["hasAttachments"] = true
			m["changeKey"] = newChangeKey()
		}); gerr != nil {
			return "", gerr
		}
		return id, nil
	}
	return "", newError(404, "ErrorItemNotFound", "The message of the upload session no longer exists.")
}

// reserved is what the open sessions of the mailbox userID ("": of every
// mailbox) will add to it. An expired session gives its room back (it is
// forgotten when next touched, or when a session is created).
func (u *uploadSessions) reserved(userID string, now time.Time) int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	var n int64
	for _, us := range u.byID {
		if now.After(us.expires) {
			continue
		}
		if userID == "" || us.userID == userID {
			n += us.reserve
		}
	}
	return n
}

func (u *uploadSessions) remove(id string) {
	u.mu.Lock()
	delete(u.byID, id)
	u.mu.Unlock()
}

// idHeaders are request-id and client-request-id for an answer without body.
func idHeaders(r *http.Request) http.Header {
	rec := newRecorder()
	setIDHeaders(rec, r)
	return rec.header
}

// baseOf is the absolute root a request reached the sandbox at.
func baseOf(r *http.Request, configured string) string {
	if configured != "" {
		return configured
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s", scheme, firstNonEmpty(r.Host, "localhost"))
}
