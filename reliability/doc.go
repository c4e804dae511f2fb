// Package reliability holds runflow's cross-cutting, end-to-end proofs of
// reliability and security. It has no API: every file but this one is a test.
//
// The tests drive the real engine (engine.New) against the in-process Graph
// sandbox (sandbox.NewTestServer) or a loopback server, and check from the
// outside what Graph received and what a user or an attacker could see:
//
//   - storm_test.go: several flows write through a storm of 429s, 503s,
//     504s, slow answers and dropped connections; afterwards the sandbox's
//     data proves that no write was lost or applied twice.
//   - hosts_test.go: hostile templates and hostile Graph answers cannot send
//     a token to another host or change the path a value is put into.
//   - secrets_test.go: tokens, refresh tokens, client secrets, codes and
//     PKCE verifiers appear in no trace, error, output, message or saved
//     state, nor in the CLI's output.
//   - limits_test.go: every limit is reached by a test, and its error names
//     the limit.
//   - fuzz_test.go: the expression layer, fuzzed through engine.Load and a
//     real run.
//   - inventory_test.go: counts the bad inputs the project's tests try, for
//     docs/security.md.
//
// docs/security.md is the threat model these tests prove.
package reliability
