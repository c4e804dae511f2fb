// Package flowtest runs flow tests: YAML files that drive a runflow template
// through the engine turn by turn, answer its questions, serve the Graph
// responses it should receive from a real loopback HTTP server, and check
// the questions asked, the requests sent and the outcome.
//
// A flow test file (conventionally *.flow.yaml under testdata/flows/) names
// a template, the answers a user gives, the Graph exchanges in the order
// they must happen, and what the flow must end with. docs/flowtests.md is
// the reference for the format.
//
// LoadFile decodes and checks one file, reporting every problem with its
// file:line:col. Run executes a Case against its own httptest server and
// returns a Result whose failures name the file, the turn or the exchange,
// and what was expected against what happened. RunDir does this for every
// *.flow.yaml file under a directory. Every pause of the flow goes through a
// JSON round trip of the saved state before it is resumed, so a passing flow
// test also proves that the flow can be paused and resumed.
package flowtest
