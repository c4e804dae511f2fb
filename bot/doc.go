// Package bot hosts runflow templates as a chat bot: an HTTP API that a
// chat platform calls (start a flow, send a message, read a
// conversation), a self-contained web chat page, the sign-in callback,
// /healthz and /metrics, over an engine and a shared Store.
//
// The store is the truth, not the process. A conversation's record (its
// paused flow, its turn number, the replies to its recent message ids)
// lives in a Store: MemoryStore for tests, FileStore (a bbolt file that
// several processes on one machine may share) or RedisStore (several
// replicas). Turns are exactly-once through engine.HandleMessage, which
// claims a turn with a compare-and-swap in the store before any write is
// sent; sign-ins in progress live in the same store (auth.SignInStore), so
// a sign-in callback or a magic code may reach any replica.
//
// `runflow serve` is this package behind flags; examples/chatbot is the
// smallest program using it. docs/serve.md describes the API.
package bot
