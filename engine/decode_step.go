package engine

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var httpMethods = []string{"GET", "POST", "PATCH", "PUT", "DELETE"}

// decodeSteps decodes a list of steps into a new block.
func (d *decoder) decodeSteps(n *yaml.Node, what string, t *Template) *block {
	blk := &block{}
	items, ok := d.seq(n, what)
	if !ok {
		return blk
	}
	for _, it := range items {
		if s := d.decodeStep(it, t); s != nil {
			blk.steps = append(blk.steps, s)
		}
	}
	return blk
}

// decodeStep decodes one step: a mapping with exactly one kind key.
func (d *decoder) decodeStep(n *yaml.Node, t *Template) *step {
	n = d.resolve(n)
	if n.Kind != yaml.MappingNode {
		d.ps.errorf(posOf(n), "a step must be a mapping with one of %s, not %s", strings.Join(stepKinds, ", "), kindName(n))
		return nil
	}
	s := &step{pos: posOf(n)}
	t.stepCount++
	s.key = "#" + strconv.Itoa(t.stepCount)
	var kinds []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := d.resolve(n.Content[i]); slices.Contains(stepKinds, k.Value) {
			kinds = append(kinds, k.Value)
		}
	}
	switch len(kinds) {
	case 0:
		var keys []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			keys = append(keys, d.resolve(n.Content[i]).Value)
		}
		hint := ""
		for _, k := range keys {
			if k != "id" {
				hint = didYouMean(k, stepKinds)
				break
			}
		}
		if hint == "" {
			hint = " (expected one of: " + strings.Join(stepKinds, ", ") + ")"
		}
		d.ps.errorf(s.pos, "step has no kind key%s", hint)
		return nil
	case 1:
	default:
		d.ps.errorf(s.pos, "step has several kind keys (%s); give exactly one", strings.Join(kinds, ", "))
		return nil
	}
	s.kind, _ = stepKindOf(kinds[0])
	known := append([]string{kinds[0]}, stepExtraKeys[kinds[0]]...)
	kvs, _ := d.mapping(n, kinds[0]+" step", known)
	fields := map[string]keyValue{}
	for _, kv := range kvs {
		fields[kv.key] = kv
	}
	if kv, ok := fields["id"]; ok {
		if id, ok := d.str(kv.value, "step id"); ok {
			if !isName(id) {
				d.ps.errorf(posOf(d.resolve(kv.value)), "step id %q must be lower-case letters, digits and _, starting with a letter or _", id)
			} else if prev, dup := t.stepByID[id]; dup {
				d.ps.errorf(posOf(d.resolve(kv.value)), "step id %q is used twice (first at line %d)", id, prev.pos.Line)
			} else {
				s.id, s.key = id, id
				t.stepByID[id] = s
			}
		}
	}
	body := fields[kinds[0]].value
	what := kinds[0] + " step"
	switch s.kind {
	case stepHTTP:
		s.http = d.decodeHTTP(body)
		if kv, ok := fields["on_error"]; ok {
			s.onError = d.decodeOnError(kv.value, t)
		}
	case stepSet:
		kvs, ok := d.mapping(body, "set", nil)
		if ok && len(kvs) == 0 {
			d.ps.errorf(posOf(d.resolve(body)), "set needs at least one variable")
		}
		for _, kv := range kvs {
			if !isName(kv.key) {
				d.ps.errorf(kv.kpos, "variable name %q must be lower-case letters, digits and _, starting with a letter or _", kv.key)
				continue
			}
			s.set = append(s.set, setVar{name: kv.key, pos: kv.kpos, val: d.decodeValue(kv.value, "set "+kv.key)})
		}
	case stepIf:
		s.cond = d.decodeExprNode(body, "if")
		if kv, ok := fields["then"]; ok {
			s.then = d.decodeSteps(kv.value, "then", t)
		} else {
			d.ps.errorf(s.pos, "if step: missing required key \"then\"")
			s.then = &block{}
		}
		if kv, ok := fields["else"]; ok {
			s.els = d.decodeSteps(kv.value, "else", t)
		}
	case stepSwitch:
		s.subject = d.decodeExprNode(body, "switch")
		if kv, ok := fields["cases"]; ok {
			s.cases = d.decodeCases(kv.value, t)
		} else {
			d.ps.errorf(s.pos, "switch step: missing required key \"cases\"")
		}
		if kv, ok := fields["default"]; ok {
			s.defaultBlk = d.decodeSteps(kv.value, "default", t)
		}
	case stepForeach:
		s.items = d.decodeExprNode(body, "foreach")
		if kv, ok := fields["as"]; ok {
			if as, ok := d.str(kv.value, "foreach as"); ok {
				s.asPos = posOf(d.resolve(kv.value))
				if !isName(as) || reservedNames[as] {
					d.ps.errorf(s.asPos, "foreach as %q must be a lower-case name that is not one of inputs, steps, vars, loop, now, zone, user, session, value, item", as)
				} else {
					s.as = as
				}
			}
		} else {
			d.ps.errorf(s.pos, "foreach step: missing required key \"as\"")
		}
		if kv, ok := fields["max"]; ok {
			s.max, _ = d.integer(kv.value, "foreach max", 1, 1<<30)
			s.maxPos = posOf(d.resolve(kv.value))
		}
		if kv, ok := fields["steps"]; ok {
			s.body = d.decodeSteps(kv.value, "foreach steps", t)
		} else {
			d.ps.errorf(s.pos, "foreach step: missing required key \"steps\"")
			s.body = &block{}
		}
	case stepAsk:
		if name, ok := d.str(body, "ask"); ok {
			t.pendingAsks = append(t.pendingAsks, pendingAsk{step: s, name: name, pos: posOf(d.resolve(body))})
		}
	case stepConfirm, stepSay, stepFail:
		s.text = d.decodeTextNode(body, what)
	case stepEnd:
		r := d.resolve(body)
		isEmptyMap := r.Kind == yaml.MappingNode && len(r.Content) == 0
		isNull := r.Kind == yaml.ScalarNode && r.Tag == "!!null"
		if !isEmptyMap && !isNull {
			d.ps.errorf(posOf(r), "end takes no options: write end: {}")
		}
		s.endSpec = true
	}
	return s
}

// reservedNames may not be used as foreach variables.
var reservedNames = map[string]bool{"inputs": true, "steps": true, "vars": true, "loop": true, "now": true, "zone": true, "user": true, "session": true, "value": true, "item": true}

func (d *decoder) decodeCases(n *yaml.Node, t *Template) []*switchCase {
	items, ok := d.seq(n, "switch cases")
	if !ok {
		return nil
	}
	var out []*switchCase
	seen := map[string]bool{}
	for _, it := range items {
		it = d.resolve(it)
		kvs, ok := d.mapping(it, "switch case", caseKeys)
		if !ok {
			continue
		}
		c := &switchCase{pos: posOf(it)}
		hasValue := false
		for _, kv := range kvs {
			switch kv.key {
			case "value":
				r := d.resolve(kv.value)
				if r.Kind != yaml.ScalarNode || r.Tag == "!!null" {
					d.ps.errorf(posOf(r), "switch case value must be a string, number or boolean, not %s", kindName(r))
					continue
				}
				if strings.Contains(r.Value, "${") {
					d.ps.errorf(posOf(r), "switch case value must be a literal, not an expression")
					continue
				}
				c.text = r.Value
				if r.Tag == "!!bool" {
					c.text = strings.ToLower(r.Value)
				}
				hasValue = true
				if seen[c.text] {
					d.ps.errorf(posOf(r), "switch case %q is listed twice", c.text)
				}
				seen[c.text] = true
			case "steps":
				c.body = d.decodeSteps(kv.value, "case steps", t)
			}
		}
		if !hasValue {
			d.ps.errorf(c.pos, "switch case: missing required key \"value\"")
		}
		if c.body == nil {
			d.ps.errorf(c.pos, "switch case: missing required key \"steps\"")
			c.body = &block{}
		}
		out = append(out, c)
	}
	return out
}

func (d *decoder) decodeOnError(n *yaml.Node, t *Template) []*errorRule {
	items, ok := d.seq(n, "on_error")
	if !ok {
		return nil
	}
	var out []*errorRule
	for _, it := range items {
		it = d.resolve(it)
		kvs, ok := d.mapping(it, "on_error rule", onErrorKeys)
		if !ok {
			continue
		}
		r := &errorRule{pos: posOf(it)}
		for _, kv := range kvs {
			switch kv.key {
			case "status":
				items, ok := d.seq(kv.value, "on_error status")
				if !ok {
					continue
				}
				for _, st := range items {
					if code, ok := d.integer(st, "on_error status", 100, 599); ok {
						r.statuses = append(r.statuses, code)
					}
				}
			case "code":
				r.codes, _, _ = d.strList(kv.value, "on_error code")
			case "steps":
				r.body = d.decodeSteps(kv.value, "on_error steps", t)
			case "continue":
				r.cont, _ = d.boolean(kv.value, "on_error continue")
			}
		}
		if len(r.statuses) == 0 && len(r.codes) == 0 {
			d.ps.errorf(r.pos, "on_error rule needs status or code to say which errors it handles")
		}
		if r.body == nil && !r.cont {
			d.ps.errorf(r.pos, "on_error rule needs steps to run or continue: true")
		}
		out = append(out, r)
	}
	return out
}

func (d *decoder) decodeHTTP(n *yaml.Node) *httpSpec {
	n = d.resolve(n)
	kvs, ok := d.mapping(n, "http", httpKeys)
	if !ok {
		return nil
	}
	h := &httpSpec{}
	fields := map[string]keyValue{}
	for _, kv := range kvs {
		fields[kv.key] = kv
	}
	if kv, ok := fields["method"]; ok {
		if m, ok := d.str(kv.value, "http method"); ok {
			if !slices.Contains(httpMethods, m) {
				d.ps.errorf(posOf(d.resolve(kv.value)), "http method %q is not one of %s", m, strings.Join(httpMethods, ", "))
			}
			h.method = m
		}
	} else {
		d.ps.errorf(posOf(n), "http: missing required key \"method\"")
	}
	if kv, ok := fields["upload"]; ok {
		d.decodeUpload(kv, fields, h) // upload.go
	} else if kv, ok := fields["path"]; ok {
		h.pathPos = posOf(d.resolve(kv.value))
		h.path = d.decodeTextNode(kv.value, "http path")
		d.checkPath(h)
	} else {
		d.ps.errorf(posOf(n), "http: missing required key \"path\"")
	}
	if kv, ok := fields["query"]; ok {
		h.query = d.decodeNamed(kv.value, "http query", false)
		h.literalQuery = literalQuery(h.query)
	}
	if kv, ok := fields["headers"]; ok {
		h.headers = d.decodeNamed(kv.value, "http headers", true)
	}
	if kv, ok := fields["body"]; ok {
		h.body = d.decodeValue(kv.value, "http body")
		if h.method == "GET" || h.method == "DELETE" {
			d.ps.errorf(kv.kpos, "http: a %s request has no body", h.method)
		}
	}
	if kv, ok := fields["success"]; ok {
		items, ok := d.seq(kv.value, "http success")
		if ok {
			if len(items) == 0 {
				d.ps.errorf(kv.kpos, "http success: the list is empty")
			}
			for _, it := range items {
				if code, ok := d.integer(it, "http success status", 100, 599); ok {
					h.success = append(h.success, code)
				}
			}
		}
	}
	if kv, ok := fields["paging"]; ok {
		h.paging = &pagingSpec{}
		r := d.resolve(kv.value)
		if r.Kind == yaml.ScalarNode && r.Tag == "!!bool" && r.Value == "true" {
			// paging: true uses the engine's caps.
		} else {
			pk, _ := d.mapping(r, "http paging", pagingKeys)
			for _, p := range pk {
				switch p.key {
				case "max_pages":
					h.paging.maxPages = d.decodeValue(p.value, "paging max_pages")
				case "max_items":
					h.paging.maxItems = d.decodeValue(p.value, "paging max_items")
				}
			}
		}
		if h.method != "" && h.method != "GET" {
			d.ps.errorf(kv.kpos, "http: paging is only for GET requests")
		}
	}
	if h.path != nil {
		h.summary = h.method + " " + pathSource(h.path)
	}
	return h
}

// decodeNamed decodes query parameters or headers: a mapping of names to
// values.
func (d *decoder) decodeNamed(n *yaml.Node, what string, header bool) []namedValue {
	kvs, _ := d.mapping(n, what, nil)
	var out []namedValue
	for _, kv := range kvs {
		if header {
			if !validHeaderName(kv.key) {
				d.ps.errorf(kv.kpos, "%s: %q is not a valid header name", what, kv.key)
				continue
			}
			switch strings.ToLower(kv.key) {
			case "authorization":
				d.ps.errorf(kv.kpos, "%s: Authorization is set by the engine from the auth provider; a template may not set it", what)
				continue
			case "host", "content-length":
				d.ps.errorf(kv.kpos, "%s: %s is set by the HTTP client; a template may not set it", what, kv.key)
				continue
			}
		}
		r := d.resolve(kv.value)
		if r.Kind != yaml.ScalarNode {
			d.ps.errorf(posOf(r), "%s %s must be a single value, not %s", what, kv.key, kindName(r))
			continue
		}
		out = append(out, namedValue{name: kv.key, pos: kv.kpos, val: d.decodeValue(r, what+" "+kv.key)})
	}
	return out
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c > 126 || c <= 32 || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return true
}

// pathSource returns the path as written, with each ${ } shown as {…}.
func pathSource(v *value) string {
	if v == nil {
		return "" // an upload has no path
	}
	switch v.kind {
	case valLiteral:
		s, _ := v.lit.(string)
		return s
	case valInterp, valExpr:
		var b strings.Builder
		parts := v.parts
		if v.kind == valExpr {
			parts = []textPart{{expr: v.expr}}
		}
		for _, p := range parts {
			if p.expr != nil {
				b.WriteString("{" + p.expr.src + "}")
			} else {
				b.WriteString(p.text)
			}
		}
		return b.String()
	}
	return ""
}

// graphHost is the only host an absolute URL in a template may name.
const graphHost = "graph.microsoft.com"

// checkPath checks an http path and computes its scopes pattern.
func (d *decoder) checkPath(h *httpSpec) {
	v := h.path
	var parts []textPart
	switch v.kind {
	case valLiteral:
		parts = []textPart{{text: v.lit.(string)}}
	case valInterp:
		parts = v.parts
	}
	if len(parts) == 0 || parts[0].expr != nil {
		d.ps.errorf(h.pathPos, "http path must start with / (relative to the Graph base URL) or https://%s/", graphHost)
		return
	}
	first := parts[0].text
	if strings.HasPrefix(first, "http://") || strings.HasPrefix(first, "https://") {
		u, err := url.Parse(first)
		if err != nil || u.Host == "" {
			d.ps.errorf(h.pathPos, "http path %q is not a valid URL", first)
			return
		}
		if !strings.EqualFold(u.Host, graphHost) || u.Scheme != "https" {
			d.ps.errorf(h.pathPos, "http path: absolute URLs may only point at https://%s, not %s://%s", graphHost, u.Scheme, u.Host)
			return
		}
		rest := u.EscapedPath()
		for _, ver := range []string{"/v1.0", "/beta"} {
			if strings.HasPrefix(rest, ver+"/") {
				rest = rest[len(ver):]
			}
		}
		h.absolute = true
		parts = append([]textPart{{text: rest}}, parts[1:]...)
	} else if !strings.HasPrefix(first, "/") {
		d.ps.errorf(h.pathPos, "http path %q must start with / (relative to the Graph base URL)", first)
		return
	}
	var pattern strings.Builder
	for _, p := range parts {
		if p.expr != nil {
			pattern.WriteString("{id}")
			continue
		}
		if strings.ContainsAny(p.text, "?#") {
			d.ps.errorf(h.pathPos, "http path must not hold a query or fragment; put parameters under query:")
			return
		}
		if strings.ContainsAny(p.text, " \t\r\n") {
			d.ps.errorf(h.pathPos, "http path must not contain spaces")
			return
		}
		pattern.WriteString(p.text)
	}
	for _, seg := range strings.Split(pattern.String(), "/") {
		if isDotSegment(seg) {
			d.ps.errorf(h.pathPos, "http path must not contain %q segments", seg)
			return
		}
	}
	if slices.Contains(httpMethods, h.method) {
		h.pattern = fmt.Sprintf("%s %s", h.method, pattern.String())
	}
}

// literalQuery returns the query as url.Values when every value is a
// literal (their text is then the same on every request), else nil.
func literalQuery(q []namedValue) url.Values {
	if len(q) == 0 {
		return nil
	}
	out := make(url.Values, len(q))
	for _, p := range q {
		if p.val == nil || p.val.kind != valLiteral {
			return nil
		}
		out.Set(p.name, textOf(p.val.lit))
	}
	return out
}
