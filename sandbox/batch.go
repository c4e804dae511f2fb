package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// maxBatchRequests is Graph's limit on the requests in one $batch.
const maxBatchRequests = 20

type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

// batch runs a JSON $batch: the requests in an order that respects
// dependsOn, a dependant of a failed request answered 424. The responses
// are deliberately not in request order (Graph promises no order).
func (s *Server) batch(r *http.Request, body []byte) response {
	bad := func(format string, args ...any) response {
		return s.errorResponse(r, newError(400, "BadRequest", format, args...))
	}
	var req struct {
		Requests []batchItem `json:"requests"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		if len(bytes.TrimSpace(body)) == 0 {
			return bad("%s", msgEmptyPayload)
		}
		return bad("Invalid batch payload format: %v.", err)
	}
	if len(req.Requests) == 0 {
		return bad("Invalid batch payload format: 'requests' is missing or empty.")
	}
	if len(req.Requests) > maxBatchRequests {
		return bad("Number of batch request steps exceeds the maximum value of %d.", maxBatchRequests)
	}
	byID := map[string]*batchItem{}
	for i := range req.Requests {
		it := &req.Requests[i]
		if it.ID == "" {
			return bad("Invalid batch payload format: request %d has no 'id'.", i)
		}
		if byID[it.ID] != nil {
			return bad("Batch request ids must be unique; '%s' appears twice.", it.ID)
		}
		byID[it.ID] = it
		it.Method = strings.ToUpper(it.Method)
		switch it.Method {
		case "GET", "DELETE":
		case "POST", "PATCH", "PUT":
			if len(it.Body) == 0 || headerValue(it.Headers, "Content-Type") == "" {
				return bad("Write request id : %s does not contain Content-Type header or body.", it.ID)
			}
		default:
			return bad("Invalid method '%s' in request id : %s.", it.Method, it.ID)
		}
		if it.URL == "" || strings.Contains(it.URL, "://") {
			return bad("Invalid request URL in request id : %s: use a URL relative to /v1.0, such as /me/events.", it.ID)
		}
	}
	for _, it := range req.Requests {
		for _, d := range it.DependsOn {
			if byID[d] == nil {
				return bad("Request id : %s depends on '%s', which is not in the batch.", it.ID, d)
			}
		}
	}
	order, ok := topoOrder(req.Requests, byID)
	if !ok {
		return bad("The dependsOn references of the batch form a cycle.")
	}
	status := map[string]int{}
	var out []any
	for _, it := range order {
		var resp response
		failed := ""
		for _, d := range it.DependsOn {
			if st := status[d]; st < 200 || st > 299 {
				failed = d
				break
			}
		}
		if failed != "" {
			resp = s.errorResponse(r, newError(424, "FailedDependency", "Failed dependency: request '%s' did not succeed.", failed))
		} else {
			resp = s.runBatchItem(r, it)
		}
		status[it.ID] = resp.status
		out = append(out, batchResponse(it.ID, resp))
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	rec := newRecorder()
	writeJSON(rec, r, 200, Object{"responses": out})
	return rec.response()
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// topoOrder orders the items so each comes after what it depends on,
// keeping request order otherwise; false on a cycle.
func topoOrder(items []batchItem, byID map[string]*batchItem) ([]*batchItem, bool) {
	state := map[string]int{} // 1 visiting, 2 done
	var out []*batchItem
	var visit func(it *batchItem) bool
	visit = func(it *batchItem) bool {
		switch state[it.ID] {
		case 1:
			return false
		case 2:
			return true
		}
		state[it.ID] = 1
		for _, d := range it.DependsOn {
			if !visit(byID[d]) {
				return false
			}
		}
		state[it.ID] = 2
		out = append(out, it)
		return true
	}
	for i := range items {
		if !visit(&items[i]) {
			return nil, false
		}
	}
	return out, true
}

// runBatchItem serves one item as if it had been sent on its own, with the
// batch's Authorization.
func (s *Server) runBatchItem(outer *http.Request, it *batchItem) response {
	target := "/v1.0/" + strings.TrimPrefix(it.URL, "/")
	var body []byte
	if len(it.Body) > 0 && string(it.Body) != "null" {
		body = it.Body
	}
	// Clients write batch URLs loosely ("$filter=city eq null"); escape
	// spaces as Graph's own parser tolerates them.
	target = strings.ReplaceAll(target, " ", "%20")
	inner, err := http.NewRequestWithContext(outer.Context(), it.Method, "http://sandbox"+target, bytes.NewReader(body))
	if err != nil {
		return s.errorResponse(outer, newError(400, "BadRequest", "Invalid request URL in request id : %s.", it.ID))
	}
	inner.RemoteAddr = outer.RemoteAddr
	inner.Host = outer.Host
	inner.TLS = outer.TLS
	for k, v := range it.Headers {
		inner.Header.Set(k, v)
	}
	inner.Header.Set("Authorization", outer.Header.Get("Authorization"))
	inner = withRequestID(inner)
	// An item has no connection of its own to drop: only a status or a
	// delay applies to it, and a fault that would drop one is left for a
	// request it can apply to.
	f, _ := s.faults.takeIf(it.Method, inner.URL.Path, func(f Fault) bool { return f.Status != 0 || f.Delay > 0 })
	if f.Status != 0 {
		return s.errorResponse(inner, faultError(f))
	}
	return s.dispatch(inner, body, f.Delay, true)
}

// batchResponse is one entry of the $batch answer.
func batchResponse(id string, resp response) Object {
	headers := Object{}
	for _, k := range []string{"Content-Type", "Retry-After", "Preference-Applied", "Location"} {
		if v := resp.header.Get(k); v != "" {
			headers[k] = v
		}
	}
	out := Object{"id": id, "status": resp.status, "headers": headers}
	if len(resp.body) > 0 {
		out["body"] = json.RawMessage(resp.body)
	}
	return out
}
