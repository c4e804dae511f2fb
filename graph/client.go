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
	"sync/atomic"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/internal/ctxsleep"
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
	// refuses every redirect; the given client is not modified. When it
	// has no Jar and no Timeout, requests are given straight to its
	// Transport (which is all http.Client would do with them).
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
	cfg  Config
	base *url.URL
	hc   *http.Client
	// rt, when not nil, is hc's transport, to which attempts go directly
	// because hc would add nothing to it (see roundTrip).
	rt http.RoundTripper
	// Computed once in New, for every request: the base URL as text, its
	// escaped path and lower-case host (for mailbox keys), and the
	// User-Agent header value.
	baseURL, basePath, baseHost string
	userAgent                   []string
	// lastAuth caches the Authorization header value of the last token
	// used, so that requests with the same token share it.
	lastAuth atomic.Pointer[authHeader]
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
		cfg.Sleep = ctxsleep.Sleep
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
	c := &Client{cfg: cfg, base: base, hc: hc, baseURL: base.String(), basePath: base.EscapedPath(),
		baseHost: strings.ToLower(base.Host), userAgent: []string{ua}}
	if hc.Jar == nil && hc.Timeout == 0 {
		c.rt = hc.Transport
		if c.rt == nil {
			c.rt = http.DefaultTransport
		}
	}
	return c, nil
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

// AllowedHost reports whether host (host or host:port) may receive a token,
// reached with the base URL's scheme. Hosts are compared with their
// effective ports: a missing port is the scheme's default (443 for https,
// 80 for http), so ":443" is the default port only of https.
func (c *Client) AllowedHost(host string) bool {
	return c.allowedURL(&url.URL{Scheme: c.base.Scheme, Host: host})
}

// allowedURL reports whether u's scheme, host and effective port are
// those of the base URL, or u's host and effective port are those of one
// of Config.AllowedHosts (a port left out there is the default of u's
// scheme; checkTarget then allows https, or the base URL's scheme).
func (c *Client) allowedURL(u *url.URL) bool {
	name, port := hostPort(u.Scheme, u.Host)
	if strings.EqualFold(u.Scheme, c.base.Scheme) {
		if bn, bp := hostPort(c.base.Scheme, c.base.Host); strings.EqualFold(name, bn) && port == bp {
			return true
		}
	}
	for _, h := range c.cfg.AllowedHosts {
		if an, ap := hostPort(u.Scheme, h); strings.EqualFold(name, an) && port == ap {
			return true
		}
	}
	return false
}

// hostPort splits host (host, host:port, [v6]:port) into its name and
// effective port, the default port of scheme when it has none.
func hostPort(scheme, host string) (name, port string) {
	h := &url.URL{Host: host}
	name, port = h.Hostname(), h.Port()
	if port == "" {
		switch strings.ToLower(scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return name, port
}

// checkTarget refuses absolute URLs that may not receive a token.
func (c *Client) checkTarget(u *url.URL) error {
	if u.Host == "" {
		return fmt.Errorf("graph: URL %q has no host", RedactURL(u))
	}
	if !c.allowedURL(u) {
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

// stripURL removes the URL from a *url.Error so that it cannot leak a
// secret query value into a message.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
