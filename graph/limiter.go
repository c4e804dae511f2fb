package graph

import (
	"context"
	"net/url"
	"strings"
	"sync"
)

// DefaultMaxConcurrentPerMailbox is Outlook's limit of concurrent requests
// per app and mailbox.
const DefaultMaxConcurrentPerMailbox = 4

// mailboxes counts requests in flight per Graph host and mailbox, for every
// Client in the process.
var mailboxes = &limiter{entries: map[mailbox]*limiterEntry{}}

// limiter is a set of counting semaphores created on demand and dropped
// when idle, so that a bot serving many users does not accumulate entries.
// Each acquire states its own maximum, so Clients configured with different
// limits still share one count per mailbox.
//
// The uncontended path allocates nothing: idle entries are kept on a short
// free list for reuse, and the channel that wakes waiters is made only when
// somebody waits.
type limiter struct {
	mu      sync.Mutex
	entries map[mailbox]*limiterEntry
	free    []*limiterEntry
}

// maxFreeEntries bounds the free list: enough for the mailboxes a busy
// process touches at once, small enough not to matter as memory.
const maxFreeEntries = 32

type limiterEntry struct {
	key      mailbox
	inFlight int
	waiting  int
	// changed, when not nil, is closed (and cleared) when a slot is
	// released; waiters make it.
	changed chan struct{}
}

// acquire waits until fewer than max requests are in flight for key, or ctx
// ends. On success the caller must call release with the returned entry
// exactly once.
func (l *limiter) acquire(ctx context.Context, key mailbox, max int) (*limiterEntry, error) {
	l.mu.Lock()
	e := l.entries[key]
	if e == nil {
		if n := len(l.free); n > 0 {
			e, l.free = l.free[n-1], l.free[:n-1]
		} else {
			e = &limiterEntry{}
		}
		e.key = key
		l.entries[key] = e
	}
	for e.inFlight >= max {
		e.waiting++
		if e.changed == nil {
			e.changed = make(chan struct{})
		}
		ch := e.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		l.mu.Lock()
		e.waiting--
		if err := ctx.Err(); err != nil {
			l.dropIfIdle(e)
			l.mu.Unlock()
			return nil, err
		}
	}
	e.inFlight++
	l.mu.Unlock()
	return e, nil
}

// release gives back a slot taken by acquire.
func (l *limiter) release(e *limiterEntry) {
	l.mu.Lock()
	e.inFlight--
	if e.changed != nil {
		close(e.changed)
		e.changed = nil
	}
	l.dropIfIdle(e)
	l.mu.Unlock()
}

// dropIfIdle removes e when nobody uses it. l.mu must be held.
func (l *limiter) dropIfIdle(e *limiterEntry) {
	if e.inFlight == 0 && e.waiting == 0 && l.entries[e.key] == e {
		delete(l.entries, e.key)
		if len(l.free) < maxFreeEntries {
			*e = limiterEntry{}
			l.free = append(l.free, e)
		}
	}
}

// size reports how many keys have requests in flight or waiting.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// mailbox names the mailbox a request acts on, for the limiter: the Graph
// host (lower-cased) and either the {id} of /users/{id}/... (unescaped and
// case-folded, as Graph compares user ids and principal names without
// case) or, for every other path, the auth subject ("me").
type mailbox struct {
	host string
	user bool
	id   string
}

// String is for tests and messages: "host|user:id" or "host|me:subject".
func (m mailbox) String() string {
	if m.user {
		return m.host + "|user:" + m.id
	}
	return m.host + "|me:" + m.id
}

// mailboxKey names the mailbox of a request to host and escapedPath, where
// basePath is the base URL's path (stripped, or else a leading version
// segment such as /v1.0 or /beta).
func mailboxKey(host, escapedPath, basePath, subject string) mailbox {
	p := strings.TrimPrefix(escapedPath, "/")
	if rest, ok := strings.CutPrefix(escapedPath, basePath); ok && basePath != "" {
		p = strings.TrimPrefix(rest, "/")
	} else if first, rest, ok := strings.Cut(p, "/"); ok && looksLikeVersion(first) {
		p = rest
	}
	return mailboxRel(strings.ToLower(host), p, subject)
}

// mailboxRel is mailboxKey for a path relative to the service root,
// without its leading "/", and a host already in lower case.
func mailboxRel(host, rel, subject string) mailbox {
	first, rest, ok := strings.Cut(rel, "/")
	if ok && strings.EqualFold(first, "users") {
		if id, _, _ := strings.Cut(rest, "/"); id != "" {
			if unescaped, err := url.PathUnescape(id); err == nil {
				id = unescaped
			}
			return mailbox{host: host, user: true, id: strings.ToLower(id)}
		}
	}
	return mailbox{host: host, id: subject}
}

func looksLikeVersion(s string) bool {
	return s == "beta" || (len(s) > 1 && s[0] == 'v' && s[1] >= '0' && s[1] <= '9')
}
