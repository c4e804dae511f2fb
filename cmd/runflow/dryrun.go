package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
)

// maxPlannedBodyText bounds a non-JSON planned body shown by --dry-run.
const maxPlannedBodyText = 4096

// redacted replaces every secret --dry-run would otherwise show.
const redacted = "REDACTED"

// plannedRequestDoc is the write a dry run did not send, with every secret
// redacted: credentials and secret-looking query values in the URL,
// authorization and secret-looking headers, secret-looking JSON fields.
type plannedRequestDoc struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    any               `json:"body"`
}

func plannedDoc(p *engine.PlannedRequest) *plannedRequestDoc {
	if p == nil {
		return nil
	}
	d := &plannedRequestDoc{Method: p.Method, URL: redactURLText(p.URL), Headers: map[string]string{}}
	for name, values := range p.Header {
		v := strings.Join(values, ", ")
		if secretHeader(name) {
			v = redacted
		}
		d.Headers[http.CanonicalHeaderKey(name)] = v
	}
	d.Body = redactBody(p.Body)
	return d
}

func redactURLText(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	return graph.RedactURL(u)
}

// secretHeader reports whether a header may carry a credential.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	// Header names use dashes where parameters use underscores
	// (X-Api-Key, X-Auth-Token).
	n = strings.ReplaceAll(n, "-", "_")
	return graph.IsSecretParam(n) || strings.HasSuffix(n, "_key") || strings.Contains(n, "auth")
}

// redactBody decodes a JSON body and redacts secret-looking fields; other
// bodies are shown as (bounded) text.
func redactBody(body []byte) any {
	if len(body) == 0 {
		return nil
	}
	v, err := decodeOrderedJSON(body)
	if err != nil {
		s := string(body)
		if len(s) > maxPlannedBodyText {
			s = s[:maxPlannedBodyText] + fmt.Sprintf("… (%d bytes in all)", len(body))
		}
		return s
	}
	return v
}

// writePlanned prints the planned write for people.
func writePlanned(w io.Writer, p *engine.PlannedRequest) error {
	d := plannedDoc(p)
	var b strings.Builder
	b.WriteString("Dry run: this request was not sent:\n")
	fmt.Fprintf(&b, "  %s %s\n", d.Method, d.URL)
	names := make([]string, 0, len(d.Headers))
	for n := range d.Headers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %s: %s\n", n, cleanText(d.Headers[n]))
	}
	if d.Body != nil {
		data, err := json.MarshalIndent(d.Body, "  ", "  ")
		if err != nil {
			return err
		}
		b.WriteString("\n  ")
		b.Write(data)
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
