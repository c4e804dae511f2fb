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
var mailboxes = &limiter{entries: map[string]*limiterEntry{}}

// limiter is a set of counting semaphores created on demand and dropped
// when idle, so that a bot serving many users does not accumulate entries.
// Each acquire states its own maximum, so Clients configured with different
// limits still share one count per mailbox.
type limiter struct {
	mu      sync.Mutex
	entries map[string]*limiterEntry
}

type limiterEntry struct {
	inFlight int
	waiting  int
	// changed is closed (and replaced) whenever a slot is released.
	changed chan struct{}
}

// acquire waits until fewer than max requests are in flight for key, or ctx
// ends. The returned release must be called exactly once.
func (l *limiter) acquire(ctx context.Context, key string, max int) (release func(), err error) {
	l.mu.Lock()
	e := l.entries[key]
	if e == nil {
		e = &limiterEntry{changed: make(chan struct{})}
		l.entries[key] = e
	}
	for e.inFlight >= max {
		e.waiting++
		ch := e.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		l.mu.Lock()
		e.waiting--
		if err := ctx.Err(); err != nil {
			l.dropIfIdle(key, e)
			l.mu.Unlock()
			return nil, err
		}
	}
	e.inFlight++
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			e.inFlight--
			close(e.changed)
			e.changed = make(chan struct{})
			l.dropIfIdle(key, e)
			l.mu.Unlock()
		})
	}, nil
}

// dropIfIdle removes e when nobody uses it. l.mu must be held.
func (l *limiter) dropIfIdle(key string, e *limiterEntry) {
	if e.inFlight == 0 && e.waiting == 0 && l.entries[key] == e {
		delete(l.entries, key)
	}
}

// size reports how many keys have requests in flight or waiting.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// mailboxKey names the mailbox a request acts on: the Graph host plus the
// {id} of /users/{id}/... (case-folded, as Graph compares user ids and
// principal names without case), else "me:" and the auth subject.
func mailboxKey(u *url.URL, basePath, subject string) string {
	host := strings.ToLower(u.Host)
	p := u.EscapedPath()
	if rest, ok := strings.CutPrefix(p, basePath); ok && basePath != "" {
		p = rest
	} else if seg := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2); len(seg) == 2 && looksLikeVersion(seg[0]) {
		p = "/" + seg[1]
	}
	seg := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
	if len(seg) >= 2 && strings.EqualFold(seg[0], "users") && seg[1] != "" {
		id, err := url.PathUnescape(seg[1])
		if err != nil {
			id = seg[1]
		}
		return host + "|user:" + strings.ToLower(id)
	}
	return host + "|me:" + subject
}

func looksLikeVersion(s string) bool {
	return s == "beta" || (len(s) > 1 && s[0] == 'v' && s[1] >= '0' && s[1] <= '9')
}
