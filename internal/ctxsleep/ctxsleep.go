// Package ctxsleep is the one sleep that ends early when its context does:
// the wait between Graph retries (graph), between device-code polls (auth)
// and of the sandbox's injected delays.
package ctxsleep

import (
	"context"
	"time"
)

// Sleep waits d, or returns ctx's error as soon as ctx ends. A d of zero or
// less does not wait: it returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
