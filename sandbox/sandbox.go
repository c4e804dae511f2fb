// Package sandbox is an in-process stand-in for Microsoft Graph v1.0 and the
// Microsoft identity platform v2, faithful enough that a flow which passes
// against it works against the real services: same URLs, bodies, status
// codes, paging, errors, throttling and permission checks, as documented in
// the Graph reference material the project keeps beside the repository.
//
// A Server is one http.Handler: Graph under /v1.0/ and the identity
// platform under /{tenant}/oauth2/v2.0/. Run it on loopback with
// NewTestServer in Go tests, or behind a real listener for demos.
package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/runflow/runflow/sandbox/identity"
)

// DefaultTenantID is the directory id the sandbox uses when Options.TenantID
// is empty.
const DefaultTenantID = "7d0f1b0e-5a1c-4c3b-9d6e-2f4a8b9c0d1e"

// DefaultClientID is the application id the test helpers Token and AppToken
// put into the grants they issue.
const DefaultClientID = identity.DefaultClientID

// Options configure a Server. The zero value is a usable demo sandbox.
type Options struct {
	// Now is the clock (default time.Now). The demo mailbox is seeded
	// relative to it, and token expiry is judged by it.
	Now func() time.Time
	// Data is the directory and mailboxes to serve; nil seeds the demo
	// mailbox (see DemoData). The server takes ownership of it.
	Data *Data
	// TenantID is the directory id (default DefaultTenantID).
	TenantID string
	// BaseURL, if set, is the absolute URL the server is reached at (e.g.
	// "http://127.0.0.1:8080"); it is used in @odata.nextLink and
	// @odata.context. Empty means derive it from each request's Host.
	BaseURL string
	// MaxConcurrentPerMailbox is how many requests for one mailbox may be
	// in flight at once before the sandbox answers 429, as Outlook does.
	// 0 means 4 (Outlook's limit); a negative value switches the limit off.
	MaxConcurrentPerMailbox int
	// TokenLifetime is how long tokens from Token and AppToken last
	// (default one hour).
	TokenLifetime time.Duration
	// MailboxQuotaBytes is each mailbox's storage quota: the size of its
	// JSON (messages with their attachments, events, To Do lists and
	// tasks) plus the upload sessions in progress for it. A write that
	// would take a mailbox over it is answered 403 ErrorQuotaExceeded, and
	// mail or meetings for a full mailbox are not delivered to it. 0 means
	// DefaultMailboxQuotaBytes; a negative value means no quota per
	// mailbox. Either way all mailboxes together stay under the sandbox's
	// data limit (192 MiB), so that the data can always be saved and read
	// back.
	MailboxQuotaBytes int64
}

// Server is the whole sandbox: Graph and the identity platform behind one
// http.Handler. It is safe for concurrent use.
type Server struct {
	now           func() time.Time
	tenantID      string
	baseURL       string
	maxConcurrent int
	tokenLifetime time.Duration

	// Storage limits (quota.go): a mailbox's quota (negative: none), all
	// mailboxes' together, and the largest data Save writes.
	mailboxQuota, dataQuota, saveLimit int64

	idp    *identity.Platform
	faults *Faults
	log    requestLog

	mu   sync.Mutex // guards data
	data *Data

	flightMu sync.Mutex
	inFlight map[string]int // mailbox user id → requests being served

	uploads uploadSessions // attachment upload sessions (attachments.go)
}

// New builds a sandbox from opts.
func New(opts Options) *Server {
	s := &Server{
		now:           opts.Now,
		tenantID:      opts.TenantID,
		baseURL:       strings.TrimSuffix(opts.BaseURL, "/"),
		maxConcurrent: opts.MaxConcurrentPerMailbox,
		tokenLifetime: opts.TokenLifetime,
		mailboxQuota:  opts.MailboxQuotaBytes,
		dataQuota:     dataQuotaBytes,
		saveLimit:     maxDataBytes,
		inFlight:      map[string]int{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.tenantID == "" {
		s.tenantID = DefaultTenantID
	}
	if s.maxConcurrent == 0 {
		s.maxConcurrent = 4
	}
	if s.tokenLifetime <= 0 {
		s.tokenLifetime = time.Hour
	}
	switch {
	case s.mailboxQuota == 0:
		s.mailboxQuota = DefaultMailboxQuotaBytes
	case s.mailboxQuota < 0:
		s.mailboxQuota = -1
	}
	s.faults = &Faults{}
	s.data = opts.Data
	if s.data == nil {
		s.data = DemoData(s.now())
	}
	s.data.normalize()
	s.idp = identity.New(identity.Config{Now: s.now, TenantID: s.tenantID, TokenLifetime: s.tokenLifetime,
		Directory: identityDirectory{s}, SigningKey: s.tokenKey})
	return s
}

// TenantID is the directory id the sandbox answers for.
func (s *Server) TenantID() string { return s.tenantID }

// ServeHTTP routes /v1.0/... to Graph and /{tenant}/oauth2/v2.0/... to the
// identity platform; anything else gets Graph's 400 for an unknown segment.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if identity.IsPath(r.URL.Path) {
		s.serveIdentityLogged(w, r)
		return
	}
	if isUploadPath(r.URL.Path) {
		s.serveUpload(w, r)
		return
	}
	s.serveGraph(w, r)
}

// Token is a test helper: a delegated access token for the demo (first)
// user, carrying scopes (e.g. "Calendars.ReadWrite"), valid for
// Options.TokenLifetime.
func (s *Server) Token(scopes ...string) string {
	users := s.Users()
	uid := ""
	if len(users) > 0 {
		uid = users[0].ID
	}
	return s.IssueToken(Grant{
		UserID:   uid,
		ClientID: DefaultClientID,
		TenantID: s.tenantID,
		Scopes:   append([]string(nil), scopes...),
		Expiry:   s.now().Add(s.tokenLifetime),
	})
}

// AppToken is a test helper: an app-only (client credentials) token with
// the given application permissions (e.g. "Calendars.ReadWrite").
func (s *Server) AppToken(roles ...string) string {
	return s.IssueToken(Grant{
		ClientID: DefaultClientID,
		TenantID: s.tenantID,
		Scopes:   append([]string(nil), roles...),
		AppOnly:  true,
		Expiry:   s.now().Add(s.tokenLifetime),
	})
}

// Users returns the directory: every user the sandbox knows, the demo user
// first. The identity platform signs these users in.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.data.Users))
	for _, u := range s.data.Users {
		out = append(out, u.User)
	}
	return out
}

// LookupUser finds a user by id or userPrincipalName (case-insensitive).
func (s *Server) LookupUser(idOrUPN string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.data.mailbox(idOrUPN); m != nil {
		return m.User, true
	}
	return User{}, false
}

// Cleanuper is the part of testing.TB that NewTestServer needs, so that
// this package does not import "testing" outside tests.
type Cleanuper interface {
	Helper()
	Cleanup(func())
}

// NewTestServer starts a sandbox on a loopback port and closes it when the
// test ends. Point a Graph client at ts.URL + "/v1.0" and an OAuth client at
// ts.URL + "/{tenant}/oauth2/v2.0".
func NewTestServer(tb Cleanuper, opts Options) (*Server, *httptest.Server) {
	tb.Helper()
	s := New(opts)
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	return s, ts
}
