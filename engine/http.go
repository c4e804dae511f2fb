package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/graph"
)

// execHTTP runs an http step: build the request, send it (following
// @odata.nextLink when paging), record the result, handle errors.
func (s *session) execHTTP(ctx context.Context, st *step) action {
	h := st.http
	if h.upload != nil {
		return s.execUpload(ctx, st) // upload.go
	}
	req, err := s.buildRequest(st)
	if err != nil {
		return s.fail(st, err)
	}
	if s.opts.DryRun && h.method != http.MethodGet {
		return s.planned(st, req)
	}
	if act, stop := s.claimWrite(ctx, st, req.Method, req.Path); stop {
		return act
	}
	sctx, cancel, limit := s.stepContext(ctx)
	defer cancel()
	var result *stepResult
	if h.paging != nil {
		result, err = s.sendPaged(sctx, h, req)
	} else {
		var resp *graph.Response
		if resp, err = s.e.client.Do(sctx, req); err == nil {
			result = s.newResult(resp)
		}
	}
	if err != nil {
		return s.sendFailed(sctx, st, limit, err)
	}
	return s.stepAnswered(st, result)
}

// claimWrite claims the turn before a write leaves (only one delivery of
// this turn may send it) and leaves a sign-in wait behind; stop says the
// step must end with act.
func (s *session) claimWrite(ctx context.Context, st *step, method, path string) (act action, stop bool) {
	if s.claim != nil && method != http.MethodGet {
		claim := s.claim
		s.claim = nil
		if err := claim(ctx, st, method, path); err != nil {
			if errors.Is(err, errTurnLost) {
				s.lost = true
				return actPause, true
			}
			return s.fail(st, err), true
		}
	}
	if s.wait == "signin" {
		s.wait = ""
	}
	return actNext, false
}

// sendFailed handles a request that got no usable answer: a timeout of the
// step, a sign-in to do, a write that may have been sent, a Graph error
// (for on_error) or another failure.
func (s *session) sendFailed(sctx context.Context, st *step, limit *LimitError, err error) action {
	if context.Cause(sctx) == limit {
		// Name the timeout, unless the client's error already does
		// (it reports the context's cause).
		var named *LimitError
		if !errors.As(err, &named) {
			err = &LimitError{Setting: limit.Setting, Message: limit.Message, Err: err}
		}
	}
	if sr, ok := auth.IsSignInRequired(err); ok {
		return s.signIn(sr)
	}
	// A write whose outcome is unknown is not a Graph answer to branch
	// on: on_error rules do not see it, and the flow's error keeps
	// saying that the write may have been sent.
	var maybe *graph.MaybeSentError
	if errors.As(err, &maybe) {
		return s.fail(st, err)
	}
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		return s.httpError(st, gerr)
	}
	return s.fail(st, err)
}

// stepAnswered checks the status of an answer against the step's success
// list, records the result and goes on.
func (s *session) stepAnswered(st *step, result *stepResult) action {
	h := st.http
	if !statusOK(h.success, result.Status) {
		gerr := &graph.Error{Status: result.Status, Message: fmt.Sprintf("unexpected status %d (the step expects %s)", result.Status, joinInts(h.success)),
			Response: &graph.Response{Status: result.Status, Body: []byte(result.Body)}}
		return s.httpError(st, gerr)
	}
	if st.id != "" && s.t.keepSteps[st.id] {
		old := s.steps[st.id]
		s.setStep(st.id, result)
		if err := s.holdLive(old, result); err != nil {
			return s.fail(st, err)
		}
	}
	s.advance()
	return actNext
}

// stepContext bounds an http step by the earlier of Limits.StepTimeout
// and the call's Limits.FlowTimeout; the returned error is the context's
// cause when that deadline is reached.
func (s *session) stepContext(ctx context.Context) (context.Context, context.CancelFunc, *LimitError) {
	deadline, limit := time.Now().Add(s.e.lim.StepTimeout), s.e.stepLimit
	if !s.deadline.IsZero() && s.deadline.Before(deadline) {
		deadline, limit = s.deadline, s.e.flowLimit
	}
	ctx, cancel := context.WithDeadlineCause(ctx, deadline, limit)
	return ctx, cancel, limit
}

// sendPaged sends a GET and follows @odata.nextLink within the step's and
// the engine's caps (graph.Client.Pages: nextLinks only to allowed hosts).
func (s *session) sendPaged(ctx context.Context, h *httpSpec, req *graph.Request) (*stepResult, error) {
	maxPages, maxItems, err := s.pagingCaps(h.paging)
	if err != nil {
		return nil, err
	}
	var first *graph.Response
	opt := graph.PageOptions{MaxPages: maxPages, MaxItems: maxItems, OnPage: func(page *graph.Response, _ []gjson.Result) error {
		if first == nil {
			first = page
		}
		return nil
	}}
	res, err := s.e.client.Pages(ctx, req, opt)
	if err != nil {
		return nil, err
	}
	if first == nil {
		first = res.Last
	}
	r := s.newResult(first)
	r.Items, r.Count, r.Truncated = string(res.Items), res.Count, res.Truncated
	return r, nil
}

func statusOK(success []int, status int) bool {
	if len(success) == 0 {
		return status >= 200 && status <= 299
	}
	for _, c := range success {
		if c == status {
			return true
		}
	}
	return false
}

func joinInts(list []int) string {
	parts := make([]string, len(list))
	for i, n := range list {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " or ")
}

// stepResult is what steps.<id> holds: the env of an http step's result,
// also its saved form. Expressions read its fields by their expr names.
type stepResult struct {
	Status    int               `json:"status" expr:"status"`
	Headers   map[string]string `json:"headers,omitempty" expr:"headers"`
	Body      string            `json:"body,omitempty" expr:"body"`
	Items     string            `json:"items,omitempty" expr:"items"`
	Count     int               `json:"count,omitempty" expr:"count"`
	Truncated bool              `json:"truncated,omitempty" expr:"truncated"`

	// bodyValid caches whether Body is valid JSON: 0 unknown, 1 yes, 2
	// no (jsonbody.go). A result belongs to one session at a time.
	bodyValid int8
	// kept is set once Body holds only what a state keeps (keep.go).
	kept bool
}

// stepFields are the fields of steps.<id>, for messages.
var stepFields = []string{"status", "headers", "body", "items", "count", "truncated"}

// newResult records a response; headers and items only when some
// expression may read them.
func (s *session) newResult(resp *graph.Response) *stepResult {
	r := &stepResult{Status: resp.Status, Body: string(resp.Body), Items: "[]"}
	if s.t.needHeaders && len(resp.Header) > 0 {
		r.Headers = make(map[string]string, len(resp.Header))
		for k, vs := range resp.Header {
			r.Headers[strings.ToLower(k)] = strings.Join(vs, ", ")
		}
	}
	if s.t.needItems {
		if v := gjson.GetBytes(resp.Body, "value"); v.IsArray() {
			r.Items = v.Raw
			v.ForEach(func(_, _ gjson.Result) bool { r.Count++; return true })
		}
	}
	return r
}

func (s *session) pagingCaps(p *pagingSpec) (int, int, error) {
	maxPages, maxItems := s.e.lim.MaxPages, s.e.lim.MaxItems
	for _, c := range []struct {
		v   *value
		dst *int
		key string
	}{{p.maxPages, &maxPages, "max_pages"}, {p.maxItems, &maxItems, "max_items"}} {
		if c.v == nil {
			continue
		}
		raw, err := s.evalValue(c.v)
		if err != nil {
			return 0, 0, err
		}
		n, ok := toInt(raw)
		if !ok || n < 1 {
			return 0, 0, fmt.Errorf("paging %s must be a whole number of at least 1, got %s", c.key, textOf(raw))
		}
		if n < *c.dst {
			*c.dst = n
		}
	}
	return maxPages, maxItems, nil
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// httpError applies the step's on_error rules to a Graph error.
func (s *session) httpError(st *step, gerr *graph.Error) action {
	if st.id != "" {
		r := &stepResult{Status: gerr.Status, Items: "[]"}
		if gerr.Response != nil {
			r = s.newResult(gerr.Response)
		}
		s.setStep(st.id, r)
	}
	for _, rule := range st.onError {
		if !rule.matches(gerr) {
			continue
		}
		if rule.body != nil {
			s.enter(rule.body)
		} else {
			s.advance()
		}
		return actNext
	}
	return s.fail(st, gerr)
}

func (r *errorRule) matches(e *graph.Error) bool {
	if len(r.statuses) > 0 {
		found := false
		for _, st := range r.statuses {
			found = found || st == e.Status
		}
		if !found {
			return false
		}
	}
	if len(r.codes) > 0 {
		found := false
		for _, c := range r.codes {
			found = found || strings.EqualFold(c, e.Code)
		}
		if !found {
			return false
		}
	}
	return true
}

// buildRequest evaluates the request of an http step.
func (s *session) buildRequest(st *step) (*graph.Request, error) {
	h := st.http
	path, err := s.evalPath(h.path)
	if err != nil {
		return nil, err
	}
	req := &graph.Request{
		Method: h.method,
		Path:   path,
		Auth:   auth.Request{Subject: s.opts.Subject, Scopes: s.t.scopes, Conversation: s.opts.Conversation},
	}
	if h.literalQuery != nil {
		req.Query = h.literalQuery
	} else if len(h.query) > 0 {
		req.Query = url.Values{}
		for _, q := range h.query {
			v, err := s.evalText(q.val)
			if err != nil {
				return nil, err
			}
			req.Query.Set(q.name, v)
		}
	}
	if len(h.headers) > 0 {
		req.Header = http.Header{}
		for _, hd := range h.headers {
			v, err := s.evalText(hd.val)
			if err != nil {
				return nil, err
			}
			if strings.ContainsAny(v, "\r\n\x00") {
				return nil, fmt.Errorf("header %s: the value contains a line break", hd.name)
			}
			req.Header.Set(hd.name, v)
		}
	}
	if h.body != nil {
		var buf bytes.Buffer
		if err := s.writeJSON(&buf, h.body); err != nil {
			return nil, err
		}
		req.Body = buf.Bytes()
		req.Idempotent = createsEvent(req.Method, req.Path) && hasIdempotencyKey(req.Body)
	}
	return req, nil
}

// hasIdempotencyKey reports whether a JSON body carries a top-level
// non-empty transactionId: Graph creates an event once per id, so the
// client may send such a create again after an unknown outcome. Only for
// a request createsEvent accepts: elsewhere transactionId is a body field
// Graph does not deduplicate by.
func hasIdempotencyKey(body []byte) bool {
	id := gjson.GetBytes(body, "transactionId")
	return id.Type == gjson.String && id.Str != ""
}

// evalPath builds the request path; every interpolated value is escaped as
// one path segment, and /me is replaced by /users/{user} when the flow acts
// on another mailbox.
func (s *session) evalPath(v *value) (string, error) {
	var b strings.Builder
	switch v.kind {
	case valLiteral:
		// Used as it is: copying it into b would cost an allocation.
		return graph.ForUser(v.lit.(string), s.user), nil
	case valInterp:
		for _, p := range v.parts {
			if p.expr == nil {
				b.WriteString(p.text)
				continue
			}
			x, err := s.eval(p.expr)
			if err != nil {
				return "", err
			}
			seg := textOf(x)
			if seg == "" {
				return "", fmt.Errorf("path: ${ %s } is empty, and a path segment cannot be", p.expr.src)
			}
			b.WriteString(graph.PathSegment(seg))
		}
	default:
		return "", fmt.Errorf("path is not text")
	}
	return graph.ForUser(b.String(), s.user), nil
}

// planned stops a dry run before a write, reporting the request.
func (s *session) planned(st *step, req *graph.Request) action {
	u, err := s.e.client.ResolveURL(req.Path, req.Query)
	if err != nil {
		return s.fail(st, err)
	}
	hdr := http.Header{}
	for k, vs := range req.Header {
		hdr[k] = append([]string(nil), vs...)
	}
	if req.Body != nil && hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "application/json")
	}
	hdr.Del("Authorization")
	s.turn.Kind = KindDone
	s.turn.Status = StatusDryRun
	s.turn.DryRun = &PlannedRequest{Method: req.Method, URL: u.String(), Header: hdr, Body: req.Body}
	s.stack = nil
	return actPause
}

// signIn pauses the flow at the current http step until the user signs in.
func (s *session) signIn(sr *auth.SignInRequiredError) action {
	s.wait = "signin"
	s.turn.Kind = KindSignIn
	s.turn.SignIn = &SignIn{URL: sr.URL, Scopes: append([]string(nil), sr.Scopes...), Reason: sr.Reason, MagicCode: sr.MagicCode}
	if len(s.turn.SignIn.Scopes) == 0 {
		s.turn.SignIn.Scopes = s.t.Scopes()
	}
	return s.pause()
}

// createsEvent reports whether a request creates an event: a POST to the
// events of a mailbox (/me or /users/{id}), of its default calendar, of
// one of its calendars, or of a calendar in a calendar group. Graph
// deduplicates by transactionId only there.
func createsEvent(method, path string) bool {
	if method != http.MethodPost {
		return false
	}
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(seg) >= 1 && strings.EqualFold(seg[0], "me"):
		seg = seg[1:]
	case len(seg) >= 2 && strings.EqualFold(seg[0], "users") && seg[1] != "":
		seg = seg[2:]
	default:
		return false
	}
	is := func(i int, name string) bool { return strings.EqualFold(seg[i], name) }
	id := func(i int) bool { return seg[i] != "" }
	switch len(seg) {
	case 1: // events
		return is(0, "events")
	case 2: // calendar/events
		return is(0, "calendar") && is(1, "events")
	case 3: // calendars/{id}/events
		return is(0, "calendars") && id(1) && is(2, "events")
	case 5: // calendarGroups/{id}/calendars/{id}/events
		return is(0, "calendarGroups") && id(1) && is(2, "calendars") && id(3) && is(4, "events")
	}
	return false
}
