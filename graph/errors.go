package graph

import (
	"fmt"

	"github.com/tidwall/gjson"
)

// Error is a Graph error answer: the HTTP status and Graph's error JSON
// ({"error": {"code", "message", "innerError": {"request-id", "date"}}}).
type Error struct {
	Status    int
	Code      string
	Message   string
	RequestID string
	Date      string
	// Response is the whole answer, for callers that need more.
	Response *Response `json:"-"`
}

func (e *Error) Error() string {
	s := fmt.Sprintf("graph: %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (request-id " + e.RequestID + ")"
	}
	return s
}

// ParseError builds an *Error from a non-2xx response. A body that is not
// Graph's error JSON still gives an Error, with the status and a short note.
func ParseError(r *Response) *Error {
	e := &Error{Status: r.Status, RequestID: r.RequestID, Response: r}
	if gjson.ValidBytes(r.Body) {
		g := gjson.GetBytes(r.Body, "error")
		e.Code = g.Get("code").String()
		e.Message = g.Get("message").String()
		inner := g.Get("innerError")
		if !inner.Exists() {
			inner = g.Get("innererror")
		}
		if id := inner.Get("request-id").String(); id != "" && e.RequestID == "" {
			e.RequestID = id
		}
		e.Date = inner.Get("date").String()
	}
	if e.Code == "" && e.Message == "" {
		e.Message = fmt.Sprintf("the response (%d bytes) is not Graph's error JSON", len(r.Body))
	}
	return e
}
