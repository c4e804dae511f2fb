// Package reliability holds runflow's cross-cutting, end-to-end proofs of
// reliability and security. It has no API: every file but this one is a test.
//
// The tests drive the real engine (engine.New) against the in-process Graph
// sandbox (sandbox.NewTestServer) or a loopback server, and check from the
// outside what Graph received and what a user or an attacker could see:
//
//   - storm_test.go: several flows on two engines write through a storm of
//     429s, 503s, 504s, slow answers and dropped connections; afterwards the
//     sandbox's data proves that no write was lost or applied twice.
//   - hosts_test.go, answers_test.go: hostile templates, hostile values and
//     hostile or broken Graph answers cannot send a token to another host,
//     change the path, query, header or body a value is put into, or make a
//     flow fail unclearly.
//   - secrets_test.go, cli_test.go: tokens, refresh tokens, client secrets,
//     codes and PKCE verifiers appear in no trace, error, output, message or
//     saved state, nor in the built CLI's output; Ctrl-C stops the CLI.
//   - signin_test.go: a forwarded sign-in link attaches nothing.
//   - tamper_test.go: a signed saved state, edited to name another user,
//     another mailbox or auto_confirm, is refused.
//   - writes_test.go: a write with an unknown outcome is reported as "may
//     have been sent" (engine and CLI); an event with a transactionId is
//     retried safely.
//   - limits_test.go, limitnames_test.go: every limit is reached by a
//     test, fails clearly, and its error names the setting to raise.
//   - fuzz_test.go: the expression layer, fuzzed through engine.Load and a
//     real run (seed corpus in testdata/fuzz/FuzzExpression).
//   - inventory.sh: counts the bad inputs the project's tests try, and the
//     storms' faults and outcomes, for docs/security.md.
//
// docs/security.md is the threat model these tests prove.
package reliability
