package mcpserver_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/mcpserver"
	"github.com/runflow/runflow/sandbox"
	"github.com/runflow/runflow/templates"
)

// An engine on the sandbox, its built-in templates as MCP tools, and an
// SDK client calling one over an in-memory connection.
func Example() {
	sb := sandbox.New(sandbox.Options{})
	graph := httptest.NewServer(sb)
	defer graph.Close()
	ts, _ := templates.Load()
	eng, _ := engine.New(engine.Config{
		GraphURL:  graph.URL + "/v1.0",
		Auth:      auth.Static(sb.Token("Tasks.ReadWrite")),
		Templates: ts,
	})
	srv, _ := mcpserver.New(eng, mcpserver.Options{Templates: ts})

	ctx := context.Background()
	serverSide, clientSide := mcp.NewInMemoryTransports()
	go srv.Run(ctx, serverSide)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "example"}, nil).Connect(ctx, clientSide, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cs.Close()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "create-todo-list", Arguments: map[string]any{"name": "Groceries"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.IsError, strings.Contains(res.Content[0].(*mcp.TextContent).Text, "Groceries"))
	fmt.Println(res.StructuredContent.(map[string]any)["name"])
	// Output:
	// false true
	// Groceries
}
