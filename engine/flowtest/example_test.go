package flowtest_test

import (
	"context"
	"fmt"

	"github.com/runflow/runflow/engine/flowtest"
)

// A flow test answers the template's question, serves the Graph response
// and checks the request, the output and the message.
func ExampleRun() {
	c, err := flowtest.Parse("testdata/example.flow.yaml", []byte(`
template: templates/todo.yaml
description: creates a list with a trimmed name
turns:
  - question: {input: name, type: string, attempt: 1}
    answer: "  Groceries "
graph:
  - request:
      method: POST
      path: /me/todo/lists
      body: {displayName: Groceries}
    response:
      status: 201
      body: {id: L1, displayName: Groceries}
expect:
  outputs: {id: L1, name: Groceries}
  messages: ['Created the list "Groceries".']
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res := flowtest.Run(context.Background(), c, flowtest.Options{})
	fmt.Print(res)
	fmt.Println("turns:", res.Turns, "requests:", res.Requests)
	// Output:
	// PASS testdata/example.flow.yaml (creates a list with a trimmed name)
	// turns: 1 requests: 1
}

// A failing case says which line of the file, which turn or exchange, and
// what differed.
func ExampleRun_failure() {
	c, err := flowtest.Parse("testdata/example.flow.yaml", []byte(`
template: templates/todo.yaml
inputs: {name: "  Groceries "}
graph:
  - request:
      method: POST
      path: /me/todo/lists
      body: {displayName: "  Groceries "}
    response:
      status: 201
      body: {id: L1, displayName: Groceries}
expect:
  outputs: {name: "  Groceries "}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(flowtest.Run(context.Background(), c, flowtest.Options{}))
	// Output:
	// FAIL testdata/example.flow.yaml
	//     testdata/example.flow.yaml:5: graph[0]: request POST /me/todo/lists differs from the expected POST /me/todo/lists:
	//         body.displayName: expected "  Groceries ", got "Groceries"
	//     testdata/example.flow.yaml:13: expect.outputs.name: expected "  Groceries ", got "Groceries"
}

// LoadFile reports every problem of a bad file with its position.
func ExampleLoadFile() {
	_, err := flowtest.LoadFile("testdata/bad/missing-sections.flow.yaml")
	fmt.Println(err)
	// Output:
	// testdata/bad/missing-sections.flow.yaml:1:1: the flow test has no template: add `template: <built-in id or relative path>`
	// testdata/bad/missing-sections.flow.yaml:1:1: the flow test has no graph section: list the Graph exchanges in order, or write `graph: []` when the flow sends no request
	// testdata/bad/missing-sections.flow.yaml:1:1: the flow test has no expect section: say at least `expect: {status: completed}`
	// testdata/bad/missing-sections.flow.yaml:2:6: now must be a date-time such as 2026-12-01T09:00:00Z (RFC 3339), or 2026-12-01T09:00:00 read in the file's IANA zone; got "yesterday"
}
