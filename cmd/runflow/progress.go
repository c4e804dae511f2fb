package main

import (
	"bytes"
	"io"
	"net/http"

	"github.com/tidwall/gjson"
)

// maxProgressPeek bounds how much of a response the progress transport
// reads to count its items; larger answers pass through uncounted.
const maxProgressPeek = 4 << 20

// progressTransport counts the items of each collection page Graph returns
// (the `value` array), for the progress line of long reads on a terminal.
// It reads at most maxProgressPeek bytes ahead and hands the body on
// unchanged, so the Graph client's own limits and checks still apply.
type progressTransport struct {
	next http.RoundTripper
	tr   *tracer
}

func (p progressTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	head, readErr := io.ReadAll(io.LimitReader(resp.Body, maxProgressPeek+1))
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if readErr != nil || len(head) > maxProgressPeek {
		return resp, nil
	}
	if value := gjson.GetBytes(head, "value"); value.IsArray() {
		n := 0
		value.ForEach(func(_, _ gjson.Result) bool { n++; return true })
		p.tr.page(n)
	}
	return resp, nil
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}

// withProgress wraps c's transport (nil: the default) in a progressTransport.
func withProgress(c *http.Client, tr *tracer) *http.Client {
	var next http.RoundTripper = http.DefaultTransport
	if c != nil && c.Transport != nil {
		next = c.Transport
	}
	wrapped := &http.Client{}
	if c != nil {
		*wrapped = *c
	}
	wrapped.Transport = progressTransport{next: next, tr: tr}
	return wrapped
}
