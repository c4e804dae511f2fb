package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// graphError is a Graph error answer waiting to be written.
type graphError struct {
	status  int
	code    string
	message string
	header  http.Header // extra headers, e.g. Retry-After
	details []Object    // OData error details, if any
}

func (e *graphError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message)
}

func newError(status int, code, format string, args ...any) *graphError {
	return &graphError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// Graph's own error texts, kept in one place so tests can check them.
const (
	msgTokenEmpty     = "Access token is empty."
	msgTokenMalformed = "IDX14100: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format."
	msgTokenExpired   = "Access token has expired or is not yet valid."
	msgAccessDenied   = "Access is denied. Check credentials and try again."
	msgNotFound       = "The specified object was not found in the store."
	msgIDMalformed    = "Id is malformed."
	msgMeAppOnly      = "/me request is only valid with delegated authentication flow."
	msgBadJSON        = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
	msgEmptyPayload   = "Empty Payload. JSON content expected."
	msgCalendarWindow = "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime."
	msgThrottled      = "Application is over its MailboxConcurrency limit."
	msgMethod         = "Specified HTTP method is not allowed for the request target."

	msgInsufficientPrivileges = "Insufficient privileges to complete the operation."
)

func errNotFound() *graphError { return newError(404, "ErrorItemNotFound", msgNotFound) }
func errIDMalformed() *graphError {
	return newError(400, "ErrorInvalidIdMalformed", msgIDMalformed)
}
func errBadJSON() *graphError { return newError(400, "BadRequest", msgBadJSON) }

// errBodyRead is OData's answer to a body that parses but does not fit the
// type (a wrong type, an unknown enum member).
func errBodyRead(format string, args ...any) *graphError {
	return newError(400, "RequestBodyRead", format, args...)
}

type requestIDKey struct{}

// requestIDs returns the request-id the sandbox assigned and the
// client-request-id the caller sent (or the request-id when none was sent,
// as Graph does).
func requestIDs(r *http.Request) (reqID, clientReqID string) {
	reqID, _ = r.Context().Value(requestIDKey{}).(string)
	if reqID == "" {
		reqID = newGUID()
	}
	clientReqID = r.Header.Get("client-request-id")
	if clientReqID == "" || len(clientReqID) > 100 {
		clientReqID = reqID
	}
	return reqID, clientReqID
}

func withRequestID(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), requestIDKey{}, newGUID()))
}

// setIDHeaders sets request-id and client-request-id on every answer.
func setIDHeaders(w http.ResponseWriter, r *http.Request) {
	reqID, clientReqID := requestIDs(r)
	w.Header().Set("request-id", reqID)
	w.Header().Set("client-request-id", clientReqID)
}

// writeError writes Graph's error JSON.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	s.writeGraphError(w, r, newError(status, code, "%s", message))
}

func (s *Server) writeGraphError(w http.ResponseWriter, r *http.Request, e *graphError) {
	reqID, clientReqID := requestIDs(r)
	inner := map[string]any{
		"date":              s.now().UTC().Format("2006-01-02T15:04:05"),
		"request-id":        reqID,
		"client-request-id": clientReqID,
	}
	if e.status == http.StatusTooManyRequests {
		// Graph's throttling body also repeats the status inside innerError.
		inner["code"] = strconv.Itoa(e.status)
		inner["status"] = strconv.Itoa(e.status)
		inner["message"] = "Please retry after"
	}
	body := map[string]any{"error": map[string]any{
		"code":       e.code,
		"message":    e.message,
		"innerError": inner,
	}}
	if len(e.details) > 0 {
		body["error"].(map[string]any)["details"] = e.details
	}
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	writeJSON(w, r, e.status, body)
}

// writeJSON writes v with Graph's content type and the id headers.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Graph writes & and < as they are (nextLink, bodies)
	err := enc.Encode(v)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		// Only sandbox-built values reach here; failing loudly beats a
		// half-written answer.
		panic("sandbox: encoding answer: " + err.Error())
	}
	setIDHeaders(w, r)
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(status)
	w.Write(b)
}
