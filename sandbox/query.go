package sandbox

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// entityKind describes an entity type for query options.
type entityKind struct {
	// typeName is the OData type without namespace, e.g. "event".
	typeName string
	// props are the property names $select, $filter and $orderby accept.
	props []string
	// view renders a stored object in a time zone.
	view func(c *call, o Object, z zone) Object
}

// canonicalProp returns the property's declared spelling.
func (k *entityKind) canonicalProp(name string) (string, bool) {
	for _, p := range k.props {
		if strings.EqualFold(p, name) {
			return p, true
		}
	}
	return "", false
}

func (k *entityKind) unknownProp(name string) *graphError {
	return newError(400, "RequestBroker--ParseUri", "Could not find a property named '%s' on type 'microsoft.graph.%s'.", name, k.typeName)
}

// supportedQueryOptions are the system query options the sandbox honours.
var supportedQueryOptions = map[string]bool{"$top": true, "$skip": true, "$select": true, "$orderby": true, "$filter": true, "$count": true}

// checkQueryOptions rejects system query options the sandbox does not
// implement, instead of silently ignoring them.
func (c *call) checkQueryOptions(allowed map[string]bool) *graphError {
	for k := range c.query {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "$") {
			continue
		}
		if !allowed[lk] {
			return newError(400, "BadRequest", "Query option '%s' is not supported here by the sandbox.", k)
		}
	}
	return nil
}

// queryParam reads a query option whatever the case of its name.
func (c *call) queryParam(name string) (string, bool) {
	for k, v := range c.query {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0], true
		}
	}
	return "", false
}

// parseSelect reads $select into canonical property names.
func (c *call) parseSelect(k *entityKind) ([]string, *graphError) {
	raw, ok := c.queryParam("$select")
	if !ok {
		return nil, nil
	}
	var out []string
	for _, name := range strings.Split(raw, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		p, ok := k.canonicalProp(name)
		if !ok {
			return nil, k.unknownProp(name)
		}
		out = append(out, p)
	}
	return out, nil
}

// applySelect keeps the selected properties plus id and @odata.*, as Graph
// does.
func applySelect(o Object, sel []string) Object {
	if sel == nil {
		return o
	}
	out := Object{}
	for k, v := range o {
		if strings.HasPrefix(k, "@odata.") || k == "id" {
			out[k] = v
		}
	}
	for _, p := range sel {
		if v, ok := o[p]; ok {
			out[p] = v
		} else {
			out[p] = nil
		}
	}
	return out
}

// selectSuffix is the "(a,b)" Graph appends to @odata.context for $select.
func selectSuffix(sel []string) string {
	if sel == nil {
		return ""
	}
	return "(" + strings.Join(sel, ",") + ")"
}

// collection answers a GET on a collection with $filter, $orderby, $count,
// $skip, $top, $select and @odata.nextLink paging.
func (c *call) collection(items []Object, k *entityKind, defaultPage int, contextFragment string) (result, *graphError) {
	if err := c.checkQueryOptions(supportedQueryOptions); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(k)
	if err != nil {
		return result{}, err
	}
	type row struct {
		stored Object
		utc    Object
	}
	rows := make([]row, 0, len(items))
	for _, o := range items {
		rows = append(rows, row{o, k.view(c, o, utcZone)})
	}
	if raw, ok := c.queryParam("$filter"); ok {
		pred, err := parseFilter(raw, k)
		if err != nil {
			return result{}, err
		}
		kept := rows[:0]
		for _, r := range rows {
			if pred(r.utc) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	if raw, ok := c.queryParam("$orderby"); ok {
		keys, err := parseOrderBy(raw, k)
		if err != nil {
			return result{}, err
		}
		if f, hasFilter := c.queryParam("$filter"); hasFilter && k.typeName == "message" {
			if err := checkOrderByInFilter(f, keys); err != nil {
				return result{}, err
			}
		}
		sort.SliceStable(rows, func(i, j int) bool { return lessBy(keys, rows[i].utc, rows[j].utc) })
	}
	total := len(rows)
	skip, err := intOption(c, "$skip", 0, 0, 1<<30)
	if err != nil {
		return result{}, err
	}
	page := defaultPage
	if c.maxPageSize > 0 {
		page = c.maxPageSize
	}
	top, err := intOption(c, "$top", -1, 1, 1000)
	if err != nil {
		return result{}, err
	}
	if top > 0 {
		page = top
	}
	if skip > len(rows) {
		skip = len(rows)
	}
	end := min(skip+page, len(rows))
	value := make([]any, 0, end-skip)
	for _, r := range rows[skip:end] {
		value = append(value, applySelect(k.view(c, r.stored, c.tz), sel))
	}
	body := Object{
		"@odata.context": c.contextURL(contextFragment + selectSuffix(sel)),
		"value":          value,
	}
	if v, ok := c.queryParam("$count"); ok && strings.EqualFold(v, "true") {
		body["@odata.count"] = total
	}
	if end < len(rows) {
		body["@odata.nextLink"] = c.nextLink(end)
	}
	return ok(body)
}

// intOption reads an integer query option; def when absent.
func intOption(c *call, name string, def, lo, hi int) (int, *graphError) {
	raw, ok := c.queryParam(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < lo || n > hi {
		return 0, newError(400, "BadRequest", "Invalid value '%s' for query option %s: expected an integer from %d to %d.", raw, name, lo, hi)
	}
	return n, nil
}

// nextLink is the request's own URL with $skip set to skip, keeping every
// other query option as sent.
func (c *call) nextLink(skip int) string {
	return c.linkWithOption("$skip", strconv.Itoa(skip))
}

// linkWithOption is the request's own URL with the query option name
// (matched without regard to case) set to value, every other option kept
// as sent.
func (c *call) linkWithOption(name, value string) string {
	var parts []string
	for _, p := range strings.Split(c.r.URL.RawQuery, "&") {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil && strings.EqualFold(uk, name) {
			continue
		}
		parts = append(parts, p)
	}
	parts = append(parts, name+"="+value)
	return c.baseURL() + c.r.URL.EscapedPath() + "?" + strings.Join(parts, "&")
}

type orderKey struct {
	path []string
	desc bool
}

func parseOrderBy(raw string, k *entityKind) ([]orderKey, *graphError) {
	var keys []orderKey
	for _, item := range strings.Split(raw, ",") {
		f := strings.Fields(item)
		if len(f) == 0 || len(f) > 2 {
			return nil, newError(400, "BadRequest", "Invalid $orderby clause '%s': expected 'property [asc|desc]'.", strings.TrimSpace(item))
		}
		path, err := propPath(f[0], k)
		if err != nil {
			return nil, err
		}
		key := orderKey{path: path}
		if len(f) == 2 {
			switch strings.ToLower(f[1]) {
			case "asc":
			case "desc":
				key.desc = true
			default:
				return nil, newError(400, "BadRequest", "Invalid $orderby direction '%s': expected asc or desc.", f[1])
			}
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// propPath checks a property path like "start/dateTime"; only its first
// segment is checked against the entity type.
func propPath(raw string, k *entityKind) ([]string, *graphError) {
	parts := strings.Split(raw, "/")
	p, ok := k.canonicalProp(parts[0])
	if !ok {
		return nil, k.unknownProp(parts[0])
	}
	parts[0] = p
	return parts, nil
}

func lookupPath(o Object, path []string) any {
	var v any = o
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = nil
		for k, mv := range m {
			if strings.EqualFold(k, p) {
				v = mv
				break
			}
		}
	}
	return v
}

func lessBy(keys []orderKey, a, b Object) bool {
	for _, k := range keys {
		c := compareValues(lookupPath(a, k.path), lookupPath(b, k.path))
		if c == 0 {
			continue
		}
		if k.desc {
			return c > 0
		}
		return c < 0
	}
	return false
}

// compareValues orders JSON values: null first, then by type.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch av := a.(type) {
	case string:
		if bv, ok := b.(string); ok {
			return strings.Compare(strings.ToLower(av), strings.ToLower(bv))
		}
	case float64:
		if bv, ok := toFloat(b); ok {
			return cmpFloat(av, bv)
		}
	case int:
		if bv, ok := toFloat(b); ok {
			return cmpFloat(float64(av), bv)
		}
	case bool:
		if bv, ok := b.(bool); ok {
			switch {
			case av == bv:
				return 0
			case !av:
				return -1
			default:
				return 1
			}
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkOrderByInFilter applies Exchange's rule for messages with both
// $filter and $orderby (user-list-messages.md, "Using filter and orderby in
// the same query"): every $orderby property must also be in $filter, in the
// same order, and before any property that is not in $orderby. Otherwise
// Graph answers 400 InefficientFilter.
func checkOrderByInFilter(rawFilter string, keys []orderKey) *graphError {
	toks, err := tokenizeFilter(rawFilter)
	if err != nil {
		return nil // parseFilter reports it
	}
	var filtered []string
	seen := map[string]bool{}
	for i, t := range toks {
		if t.kind != "ident" {
			continue
		}
		switch strings.ToLower(t.text) {
		case "and", "or", "not", "eq", "ne", "gt", "lt", "ge", "le", "true", "false", "null":
			continue
		}
		if i+1 < len(toks) && toks[i+1].kind == "(" {
			continue // a function name
		}
		p := strings.ToLower(t.text)
		if !seen[p] {
			seen[p] = true
			filtered = append(filtered, p)
		}
	}
	inefficient := len(keys) > len(filtered)
	for i := 0; !inefficient && i < len(keys); i++ {
		inefficient = strings.ToLower(strings.Join(keys[i].path, "/")) != filtered[i]
	}
	if !inefficient {
		return nil
	}
	e := newError(400, "InefficientFilter", "The restriction or sort order is too complex for this operation.")
	e.details = []Object{{"code": "InefficientFilter", "target": "$orderby",
		"message": "With $filter, each $orderby property must also be filtered on, in the same order, before any other filtered property (e.g. $filter=receivedDateTime ge 2020-01-01T00:00:00Z and ...&$orderby=receivedDateTime desc)."}}
	return e
}
