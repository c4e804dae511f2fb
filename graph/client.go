// Package graph is runflow's HTTP client for Microsoft Graph: base URL,
// allowed hosts, tokens from an auth.Provider, retries, paging, size limits
// and typed Graph errors. The engine knows HTTP; this package knows Graph.
package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/runflow/runflow/auth"
)

// DefaultMaxBodyBytes caps a response body read into memory.
const DefaultMaxBodyBytes = 8 << 20

// Config configures a Client.
type Config struct {
	// BaseURL is the service root including the version, for example
	// "https://graph.microsoft.com/v1.0". Its host is always allowed.
	BaseURL string
	// HTTPClient sends the requests. Nil means a client with sane timeouts.
	HTTPClient *http.Client
	// Auth gives the tokens. Required.
	Auth auth.Provider
	// AllowedHosts are further hosts (host or host:port) that may receive a
	// token. The BaseURL host is always allowed.
	AllowedHosts []string
	// MaxBodyBytes caps a response body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Trace, when set, is called once per HTTP exchange, after it ends.
	// The event never contains a token.
	Trace func(TraceEvent)
}

// Request is one call to Graph.
type Request struct {
	Method string
	// Path is relative to the base URL ("/me/events") or an absolute URL on
	// an allowed host (for example an @odata.nextLink).
	Path   string
	Query  url.Values
	Header http.Header
	// Body is sent as application/json when not nil.
	Body []byte
	// Auth says whose token to use and for which scopes.
	Auth auth.Request
}

// Response is Graph's answer, with the body read in full (within the limit).
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte
	RequestID string
}

// Client sends requests to Graph. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base *url.URL
	hc   *http.Client
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("graph: Config.Auth is required")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, fmt.Errorf("graph: base URL %q must be an absolute http(s) URL such as https://graph.microsoft.com/v1.0", cfg.BaseURL)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{cfg: cfg, base: base, hc: hc}, nil
}

// BaseURL returns the service root the client was configured with.
func (c *Client) BaseURL() string { return c.base.String() }

// AllowedHost reports whether host (host or host:port) may receive a token.
func (c *Client) AllowedHost(host string) bool {
	if strings.EqualFold(host, c.base.Host) {
		return true
	}
	for _, h := range c.cfg.AllowedHosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// ResolveURL turns a request path into the absolute URL it will be sent to,
// refusing hosts that are not allowed.
func (c *Client) ResolveURL(path string, query url.Values) (*url.URL, error) {
	var u *url.URL
	if strings.HasPrefix(path, "https://") || strings.HasPrefix(path, "http://") {
		p, err := url.Parse(path)
		if err != nil {
			return nil, fmt.Errorf("graph: bad URL %q: %v", path, err)
		}
		if !c.AllowedHost(p.Host) {
			return nil, &HostNotAllowedError{Host: p.Host}
		}
		u = p
	} else {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		p, err := url.Parse(path)
		if err != nil || p.Host != "" || p.Scheme != "" {
			return nil, fmt.Errorf("graph: bad path %q", path)
		}
		ref := *c.base
		ref.Path = c.base.Path + p.Path
		ref.RawPath = ""
		if p.RawPath != "" {
			ref.RawPath = c.base.EscapedPath() + p.RawPath
		}
		ref.RawQuery = p.RawQuery
		u = &ref
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// HostNotAllowedError is returned when a URL points at a host that may not
// receive a token.
type HostNotAllowedError struct{ Host string }

func (e *HostNotAllowedError) Error() string {
	return fmt.Sprintf("graph: host %q is not allowed to receive a token (allowed: the Graph base URL's host and configured allowed hosts)", e.Host)
}

// Do sends req and returns Graph's answer. A non-2xx answer is returned as
// a *Error (with the Response still readable from it).
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	u, err := c.ResolveURL(req.Path, req.Query)
	if err != nil {
		return nil, err
	}
	tok, err := c.cfg.Auth.Token(ctx, req.Auth)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("graph: %s %s: %v", req.Method, u.Redacted(), err)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				return nil, fmt.Errorf("graph: header %s contains a line break", k)
			}
			hr.Header.Add(k, v)
		}
	}
	if req.Body != nil && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	hr.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := c.hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("graph: %s %s: %w", req.Method, u.Redacted(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("graph: %s %s: reading the response: %w", req.Method, u.Redacted(), err)
	}
	if int64(len(data)) > c.cfg.MaxBodyBytes {
		return nil, fmt.Errorf("graph: %s %s: response body exceeds the limit of %d bytes (MaxBodyBytes)", req.Method, u.Redacted(), c.cfg.MaxBodyBytes)
	}
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, RequestID: resp.Header.Get("request-id")}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return out, ParseError(out)
	}
	return out, nil
}

// TraceEvent describes one HTTP exchange for -v traces.
type TraceEvent struct {
	Method    string
	URL       string // never contains a token
	Status    int
	RequestID string
	Attempt   int
	Err       error
}
