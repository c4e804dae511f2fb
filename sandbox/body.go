package sandbox

import (
	"html"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/lazyregexp"
)

var (
	tagPattern        = lazyregexp.New(`(?s)<(script|style|head)[^>]*>.*?</(script|style|head)>|<[^>]*>`)
	whitespacePattern = lazyregexp.New(`\s+`)
)

// htmlToText is the plain text of an HTML body, as Outlook's text view.
func htmlToText(s string) string {
	s = tagPattern.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	return strings.TrimSpace(whitespacePattern.ReplaceAllString(s, " "))
}

// textToHTML wraps plain text the way Outlook stores it as HTML.
func textToHTML(s string) string {
	s = strings.ReplaceAll(html.EscapeString(s), "\n", "<br>\r\n")
	return "<html><head></head><body>" + s + "</body></html>"
}

// normalizeBody stores a body as Outlook does: HTML wrapped in a document,
// the content type in lower case. It returns the body and its preview.
func normalizeBody(v any) (Object, string) {
	b, _ := v.(map[string]any)
	ct, _ := b["contentType"].(string)
	content, _ := b["content"].(string)
	if ct == "" {
		ct = "text"
	}
	if ct == "html" && content != "" && !strings.Contains(strings.ToLower(content), "<html") {
		content = "<html><head></head><body>" + content + "</body></html>"
	}
	preview := content
	if ct == "html" {
		preview = htmlToText(content)
	}
	preview = strings.TrimSpace(whitespacePattern.ReplaceAllString(preview, " "))
	if r := []rune(preview); len(r) > 255 {
		preview = string(r[:255])
	}
	return Object{"contentType": ct, "content": content}, preview
}

// viewBody applies Prefer: outlook.body-content-type to a stored body.
func viewBody(v any, want string) any {
	b, ok := v.(map[string]any)
	if !ok || want == "" {
		return v
	}
	ct, _ := b["contentType"].(string)
	content, _ := b["content"].(string)
	switch {
	case want == "text" && ct == "html":
		return Object{"contentType": "text", "content": htmlToText(content)}
	case want == "html" && ct == "text":
		return Object{"contentType": "html", "content": textToHTML(content)}
	}
	return v
}

// timestamp is how Graph writes Edm.DateTimeOffset: UTC, 7 digits.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

// cloneObject deep-copies JSON data, so views never alias stored data.
func cloneObject(o Object) Object {
	if o == nil {
		return nil
	}
	return cloneValue(o).(map[string]any)
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	}
	return v
}

func getString(o Object, k string) string {
	s, _ := o[k].(string)
	return s
}

func getBool(o Object, k string) bool {
	b, _ := o[k].(bool)
	return b
}

func getObject(o Object, k string) Object {
	m, _ := o[k].(map[string]any)
	return m
}

func getArray(o Object, k string) []any {
	a, _ := o[k].([]any)
	return a
}
