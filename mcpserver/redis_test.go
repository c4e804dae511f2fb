package mcpserver_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/bot"
	"github.com/runflow/runflow/internal/testservices"
	"github.com/runflow/runflow/mcpserver"
)

// TestReplicasOnRedis: two replicas, each with its own connection to one
// Redis (as two processes have), continue each other's calls. The same
// confirmation delivered to both at once sends one mail: one replica
// claims the round, the other refuses it; a later replay is refused too.
func TestReplicasOnRedis(t *testing.T) {
	c := testservices.Redis(t)
	prefix := testservices.RedisPrefix(t, c, "runflow-mcp-test")
	r := newReplicas(t, 2, nil, func(o *mcpserver.Options) {
		s, err := bot.OpenRedisStore(testservices.RedisURL(), bot.RedisOptions{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		o.Store = s
	})
	cs := r.rawClient()
	ctx := context.Background()
	args := map[string]any{"to": "ann@contoso.com", "subject": "Raced", "body": "x"}
	first, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "send-mail", Arguments: args})
	if err != nil || !first.NeedsInput() {
		t.Fatalf("want an input request, got %v %+v", err, first)
	}
	yes := mcp.InputResponseMap{"runflow": &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}}
	confirm := func() *mcp.CallToolResult {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "send-mail", Arguments: args, InputResponses: yes, RequestState: first.RequestState})
		if err != nil {
			t.Error(err)
			return nil
		}
		return res
	}
	// The rig sends consecutive requests to alternate replicas, so the
	// two deliveries reach both.
	var wg sync.WaitGroup
	results := make([]*mcp.CallToolResult, 2)
	for i := range results {
		wg.Go(func() { results[i] = confirm() })
	}
	wg.Wait()
	sent, refused := 0, 0
	for _, res := range results {
		switch {
		case res == nil:
		case !res.IsError && strings.Contains(text(res), `Sent "Raced"`):
			sent++
		case res.IsError && strings.Contains(text(res), "already answered"):
			refused++
		default:
			t.Errorf("unexpected result: %v %q", res.IsError, text(res))
		}
	}
	if sent != 1 || refused != 1 {
		t.Errorf("two deliveries of one confirmation: %d sent, %d refused; want 1 and 1", sent, refused)
	}
	if res := confirm(); res == nil || !res.IsError || !strings.Contains(text(res), "already answered") {
		t.Errorf("a later replay was not refused: %+v", res)
	}
	if got := r.sent("Raced"); got != 1 {
		t.Errorf("%d mails in Sent Items, want exactly 1", got)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, n := range r.served {
		if n < 2 {
			t.Errorf("replica %d served %d requests; the test did not reach both", i, n)
		}
	}
}
