package graph

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/runflow/runflow/auth"
)

// Defaults for Config fields left zero.
const (
	// DefaultMaxBodyBytes caps a response body read into memory.
	DefaultMaxBodyBytes = 8 << 20
	// DefaultRequestTimeout bounds one attempt: sending, waiting for the
	// answer and reading its body.
	DefaultRequestTimeout = 30 * time.Second
)

// Config configures a Client. Zero values mean the documented defaults.
type Config struct {
	// BaseURL is the service root including the version, for example
	// "https://graph.microsoft.com/v1.0". Its host is always allowed.
	BaseURL string
	// HTTPClient sends the requests. Nil means a client using
	// http.DefaultTransport. The Client uses a copy whose CheckRedirect
	// refuses every redirect; the given client is not modified.
	HTTPClient *http.Client
	// Auth gives the tokens. Required.
	Auth auth.Provider
	// AllowedHosts are further hosts (host or host:port) that may receive a
	// token. The BaseURL host is always allowed.
	AllowedHosts []string
	// MaxBodyBytes caps a response body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Trace, when set, is called once per attempt, after it ends, on the
	// goroutine that made the request: it must be quick and safe for
	// concurrent use. The event never contains a token.
	Trace func(TraceEvent)
	// RequestTimeout bounds each attempt; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxAttempts is how many times a logical request may be sent,
	// retries included; 0 means DefaultMaxAttempts, 1 disables retries.
	MaxAttempts int
	// MaxRetryDelay caps the total time spent waiting between attempts of
	// one logical request; 0 means DefaultMaxRetryDelay.
	MaxRetryDelay time.Duration
	// MaxConcurrentPerMailbox caps the requests in flight per Graph host
	// and mailbox, counted across every Client in the process; 0 means
	// DefaultMaxConcurrentPerMailbox.
	MaxConcurrentPerMailbox int
	// UserAgent replaces the default "runflow/<version>".
	UserAgent string

	// Sleep waits between attempts; it must return early with ctx's error
	// when ctx ends. Nil means a real timer. Tests inject an instant one.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a float in [0, 1) for backoff jitter; nil means
	// math/rand/v2.
	Rand func() float64
	// Now reads the clock for Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// Request is one call to Graph.
type Request struct {
	// Method is GET, POST, PATCH, PUT, DELETE or HEAD.
	Method string
	// Path is relative to the base URL ("/me/events", values escaped with
	// PathSegment) or an absolute URL on an allowed host (for example an
	// @odata.nextLink). It may carry a query string.
	Path  string
	Query url.Values
	// Header holds extra headers (Prefer, ConsistencyLevel, ...). Values
	// may not contain CR or LF; Authorization and Host may not be set.
	Header http.Header
	// Body is sent as application/json (unless Header sets another
	// Content-Type) when not nil.
	Body []byte
	// Auth says whose token to use and for which scopes.
	Auth auth.Request
	// Idempotent says that sending this write more than once has the
	// effect of sending it once, so it may be retried like a GET. The
	// engine sets it for bodies carrying an idempotency key, such as an
	// event's transactionId. GET and HEAD are always idempotent.
	Idempotent bool
	// AllowNonJSON accepts a 2xx body of any Content-Type (for example
	// /$value or /$count); by default a 2xx body must be JSON.
	AllowNonJSON bool
}

// Response is Graph's answer, with the body read in full (within the limit).
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// RequestID is Graph's request-id header.
	RequestID string
	// ClientRequestID is the client-request-id this client sent.
	ClientRequestID string
	// Attempts is how many times the request was sent to get this answer.
	Attempts int
}

// TraceEvent describes one attempt, for -v traces. It never contains a
// token: URL has secret-looking query values redacted.
type TraceEvent struct {
	Method string
	URL    string
	// Status is 0 when no answer came (see Err).
	Status          int
	Duration        time.Duration
	RequestID       string
	ClientRequestID string
	// Attempt counts from 1 within a logical request.
	Attempt int
	// RetryIn is the wait before the next attempt; 0 when none follows.
	RetryIn time.Duration
	Err     error
}

// Client sends requests to Graph. It is safe for concurrent use.
type Client struct {
	cfg       Config
	base      *url.URL
	hc        *http.Client
	userAgent string
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("graph: Config.Auth is required")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") || base.User != nil || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("graph: base URL %q must be an absolute http(s) URL without query, such as https://graph.microsoft.com/v1.0", cfg.BaseURL)
	}
	for name, v := range map[string]int64{
		"MaxBodyBytes": cfg.MaxBodyBytes, "RequestTimeout": int64(cfg.RequestTimeout),
		"MaxAttempts": int64(cfg.MaxAttempts), "MaxRetryDelay": int64(cfg.MaxRetryDelay),
		"MaxConcurrentPerMailbox": int64(cfg.MaxConcurrentPerMailbox),
	} {
		if v < 0 {
			return nil, fmt.Errorf("graph: Config.%s is negative (%d); use 0 for the default", name, v)
		}
	}
	if strings.ContainsAny(cfg.UserAgent, "\r\n") {
		return nil, errors.New("graph: Config.UserAgent contains a line break")
	}
	setDefault(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&cfg.RequestTimeout, DefaultRequestTimeout)
	setDefault(&cfg.MaxAttempts, DefaultMaxAttempts)
	setDefault(&cfg.MaxRetryDelay, DefaultMaxRetryDelay)
	setDefault(&cfg.MaxConcurrentPerMailbox, DefaultMaxConcurrentPerMailbox)
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		hc = &copied
	}
	hc.CheckRedirect = refuseRedirects
	ua := cfg.UserAgent
	if ua == "" {
		ua = "runflow/" + Version()
	}
	return &Client{cfg: cfg, base: base, hc: hc, userAgent: ua}, nil
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// refuseRedirects stops the http.Client at the first redirect, so that the
// Authorization header can never follow one; the 3xx answer becomes a
// *ResponseError.
func refuseRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Version is the runflow module version from the build information, or
// "dev" in a development build.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == "github.com/runflow/runflow" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "dev"
}

// BaseURL returns the service root the client was configured with.
func (c *Client) BaseURL() string { return c.base.String() }

// AllowedHost reports whether host (host or host:port) may receive a token.
// A default port (":443") is ignored in the comparison.
func (c *Client) AllowedHost(host string) bool {
	if sameHost(host, c.base.Host) {
		return true
	}
	for _, h := range c.cfg.AllowedHosts {
		if sameHost(h, host) {
			return true
		}
	}
	return false
}

func sameHost(a, b string) bool {
	return strings.EqualFold(a, b) || strings.EqualFold(strings.TrimSuffix(a, ":443"), strings.TrimSuffix(b, ":443"))
}

// checkTarget refuses absolute URLs that may not receive a token.
func (c *Client) checkTarget(u *url.URL) error {
	if u.Host == "" {
		return fmt.Errorf("graph: URL %q has no host", RedactURL(u))
	}
	if !c.AllowedHost(u.Host) {
		return &HostNotAllowedError{Host: u.Host}
	}
	if u.Scheme != "https" && u.Scheme != c.base.Scheme {
		return &HostNotAllowedError{Host: u.Host, Reason: fmt.Sprintf("scheme %q would send the token unencrypted (the base URL uses %s)", u.Scheme, c.base.Scheme)}
	}
	if u.User != nil {
		return &HostNotAllowedError{Host: u.Host, Reason: "the URL carries user information"}
	}
	return nil
}

// ResolveURL turns a request path into the absolute URL it will be sent to,
// refusing hosts that are not allowed and relative paths that are unsafe:
// empty segments ("//", a trailing "/"), "." and ".." segments, fragments
// and bad percent-escapes. Query values are added to any query in path.
func (c *Client) ResolveURL(path string, query url.Values) (*url.URL, error) {
	var u *url.URL
	if lower := strings.ToLower(path); strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		p, err := url.Parse(path)
		if err != nil {
			return nil, fmt.Errorf("graph: bad URL: %v", stripURL(err))
		}
		if err := c.checkTarget(p); err != nil {
			return nil, err
		}
		p.Fragment, p.RawFragment = "", ""
		u = p
	} else {
		if strings.Contains(path, "://") {
			return nil, fmt.Errorf("graph: path %q: only http and https URLs are allowed", clean(path, 200))
		}
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		if strings.Contains(path, "#") {
			return nil, fmt.Errorf("graph: path %q contains '#'; escape values with graph.PathSegment", clean(path, 200))
		}
		rawPath, rawQuery, hasQuery := strings.Cut(path, "?")
		if err := checkRelativePath(rawPath); err != nil {
			return nil, err
		}
		full := c.base.String() + rawPath
		if hasQuery {
			full += "?" + rawQuery
		}
		p, err := url.Parse(full)
		if err != nil {
			return nil, fmt.Errorf("graph: bad path %q: %v", clean(path, 200), stripURL(err))
		}
		if p.Host != c.base.Host || p.Scheme != c.base.Scheme {
			return nil, fmt.Errorf("graph: path %q changes the host", clean(path, 200))
		}
		u = p
	}
	u.RawQuery = escapeQuery(u.RawQuery)
	if len(query) > 0 {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return nil, fmt.Errorf("graph: bad query in %q: %v", RedactURL(u), err)
		}
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// escapeQuery percent-encodes the bytes that may not appear in a query
// (spaces, quotes, angle brackets, non-ASCII, a % that starts no escape,
// ...) and leaves everything
// else, existing escapes included, as written, so that a query typed in a
// path ("$filter=subject eq 'x'") is sent as a valid request line without
// reordering Graph's nextLink queries.
func escapeQuery(raw string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		validEscape := ch == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2])
		if ch == '%' && !validEscape {
			b.WriteString("%25") // a lone % stands for itself
			continue
		}
		if ch > ' ' && ch < 0x7f && strings.IndexByte("\"<>\\^`{|}", ch) < 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func checkRelativePath(rawPath string) error {
	if _, err := url.PathUnescape(rawPath); err != nil {
		return fmt.Errorf("graph: path %q has a bad %%-escape; escape values with graph.PathSegment", clean(rawPath, 200))
	}
	for _, seg := range strings.Split(rawPath[1:], "/") {
		switch seg {
		case "":
			return fmt.Errorf("graph: path %q has an empty segment (an empty value in the path?)", clean(rawPath, 200))
		case ".", "..":
			return fmt.Errorf("graph: path %q has a %q segment; escape values with graph.PathSegment", clean(rawPath, 200), seg)
		}
	}
	return nil
}

// stripURL removes the URL from a *url.Error so that it cannot leak a
// secret query value into a message.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
