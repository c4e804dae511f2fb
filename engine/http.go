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

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/graph"
)

// execHTTP runs an http step: build the request, send it (following
// @odata.nextLink when paging), record the result, handle errors.
func (s *session) execHTTP(ctx context.Context, st *step) action {
	h := st.http
	req, err := s.buildRequest(st)
	if err != nil {
		return s.fail(st, err)
	}
	if s.opts.DryRun && h.method != http.MethodGet {
		return s.planned(st, req)
	}
	if s.wait == "signin" {
		s.wait = ""
	}
	sctx, cancel := context.WithTimeout(ctx, s.e.lim.StepTimeout)
	defer cancel()
	resp, err := s.e.client.Do(sctx, req)
	if err != nil {
		if sr, ok := auth.IsSignInRequired(err); ok {
			return s.signIn(sr)
		}
		var gerr *graph.Error
		if errors.As(err, &gerr) {
			return s.httpError(st, gerr)
		}
		return s.fail(st, err)
	}
	if !statusOK(h.success, resp.Status) {
		gerr := graph.ParseError(resp)
		gerr.Message = fmt.Sprintf("unexpected status %d (the step expects %s)", resp.Status, joinInts(h.success))
		return s.httpError(st, gerr)
	}
	result := s.newResult(resp, h.paging != nil)
	if h.paging != nil {
		if err := s.followPages(sctx, st, req, resp, result); err != nil {
			if sr, ok := auth.IsSignInRequired(err); ok {
				return s.signIn(sr)
			}
			var gerr *graph.Error
			if errors.As(err, &gerr) {
				return s.httpError(st, gerr)
			}
			return s.fail(st, err)
		}
	}
	if st.id != "" && s.t.keepSteps[st.id] {
		s.steps[st.id] = result.toMap()
	}
	s.advance()
	return actNext
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

// stepResult is what steps.<id> holds.
type stepResult struct {
	status    int
	headers   map[string]any
	body      string
	items     []string // raw JSON of each item
	truncated bool
}

// newResult records a response; headers and items only when some
// expression may read them, or when paging needs the item count.
func (s *session) newResult(resp *graph.Response, paging bool) *stepResult {
	r := &stepResult{status: resp.Status, headers: map[string]any{}, body: string(resp.Body)}
	if s.t.needHeaders {
		for k, vs := range resp.Header {
			r.headers[strings.ToLower(k)] = strings.Join(vs, ", ")
		}
	}
	if s.t.needItems || paging {
		r.addItems(resp.Body, 0)
	}
	return r
}

// addItems appends the value[] items of a page, up to max (0: no cap).
func (r *stepResult) addItems(body []byte, max int) {
	v := gjson.GetBytes(body, "value")
	if !v.IsArray() {
		return
	}
	v.ForEach(func(_, item gjson.Result) bool {
		if max > 0 && len(r.items) >= max {
			r.truncated = true
			return false
		}
		r.items = append(r.items, item.Raw)
		return true
	})
}

func (r *stepResult) toMap() map[string]any {
	return map[string]any{
		"status":    r.status,
		"headers":   r.headers,
		"body":      r.body,
		"items":     "[" + strings.Join(r.items, ",") + "]",
		"count":     len(r.items),
		"truncated": r.truncated,
	}
}

// followPages follows @odata.nextLink up to the caps.
func (s *session) followPages(ctx context.Context, st *step, first *graph.Request, resp *graph.Response, r *stepResult) error {
	maxPages, maxItems, err := s.pagingCaps(st.http.paging)
	if err != nil {
		return err
	}
	if len(r.items) > maxItems {
		r.items = r.items[:maxItems]
		r.truncated = true
	}
	body := resp.Body
	for pages := 1; ; pages++ {
		next := gjson.GetBytes(body, "@odata\\.nextLink").String()
		if next == "" || r.truncated {
			return nil
		}
		if pages >= maxPages {
			r.truncated = true
			return nil
		}
		u, err := url.Parse(next)
		if err != nil || !u.IsAbs() {
			return fmt.Errorf("paging: @odata.nextLink %q is not an absolute URL", next)
		}
		req := &graph.Request{Method: http.MethodGet, Path: next, Header: first.Header, Auth: first.Auth}
		page, err := s.e.client.Do(ctx, req)
		if err != nil {
			return err
		}
		if page.Status < 200 || page.Status > 299 {
			return graph.ParseError(page)
		}
		r.addItems(page.Body, maxItems)
		body = page.Body
	}
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
		r := &stepResult{status: gerr.Status, headers: map[string]any{}}
		if gerr.Response != nil {
			r = s.newResult(gerr.Response, false)
		}
		s.steps[st.id] = r.toMap()
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
	if len(h.query) > 0 {
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
	}
	return req, nil
}

// evalPath builds the request path; every interpolated value is escaped as
// one path segment, and /me is replaced by /users/{user} when the flow acts
// on another mailbox.
func (s *session) evalPath(v *value) (string, error) {
	var b strings.Builder
	switch v.kind {
	case valLiteral:
		b.WriteString(v.lit.(string))
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
			seg, err := escapeSegment(textOf(x))
			if err != nil {
				return "", fmt.Errorf("path: ${ %s }: %v", p.expr.src, err)
			}
			b.WriteString(seg)
		}
	default:
		return "", fmt.Errorf("path is not text")
	}
	path := b.String()
	if s.user != "me" && strings.HasPrefix(path, "/") {
		seg, err := escapeSegment(s.user)
		if err != nil {
			return "", fmt.Errorf("user: %v", err)
		}
		if path == "/me" {
			path = "/users/" + seg
		} else if strings.HasPrefix(path, "/me/") {
			path = "/users/" + seg + path[3:]
		}
	}
	return path, nil
}

// escapeSegment escapes s as one URL path segment: "/", "?", "#", "%" and
// the dot segments "." and ".." cannot change the path.
func escapeSegment(s string) (string, error) {
	if s == "" {
		return "", errors.New("the value is empty, and a path segment cannot be")
	}
	switch s {
	case ".":
		return "%2E", nil
	case "..":
		return "%2E%2E", nil
	}
	return url.PathEscape(s), nil
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
