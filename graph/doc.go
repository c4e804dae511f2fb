// Package graph is runflow's HTTP client for Microsoft Graph: base URL,
// allowed hosts, tokens from an auth.Provider, retries, paging, size limits
// and typed Graph errors. The engine knows HTTP; this package knows Graph.
//
// # Sending
//
// [Client.Do] sends one logical request, possibly in several attempts, and
// returns Graph's answer with the body read in full (within
// [Config.MaxBodyBytes]). A non-2xx answer comes back as a *[Error] together
// with the *[Response]. [Client.Pages] follows @odata.nextLink and collects
// the `value` items of every page into one raw JSON array.
//
// Every logical request carries a fresh `client-request-id` (a UUIDv4, the
// same on every retry) and `User-Agent: runflow/<version>`. Graph's
// `request-id` is read back into [Response.RequestID] and into errors.
//
// # Retry policy
//
// Only these answers are retried: 429 Too Many Requests, 503 Service
// Unavailable, 504 Gateway Timeout, and transport failures (connection
// refused or reset, timeouts, truncated bodies). The wait is the answer's
// Retry-After (whole seconds, decimal seconds such as "2.128", or an HTTP
// date); without one, exponential backoff with full jitter (a random wait
// between 0 and 1 s, 2 s, 4 s, ... capped at 30 s). A logical request makes
// at most [Config.MaxAttempts] attempts (default 4) and waits at most
// [Config.MaxRetryDelay] in total (default 60 s). When the context has a
// deadline that a wait would pass, Do fails at once with an error saying so
// (it wraps context.DeadlineExceeded and the last Graph error) instead of
// sleeping into the deadline. Each attempt has its own timeout,
// [Config.RequestTimeout] (default 30 s).
//
// # Write policy
//
// POST, PATCH, PUT and DELETE are writes. A write is never sent twice unless
// it is known not to have been applied, or it is idempotent:
//
//   - 429, and 503 whose body is Graph's error JSON, mean Graph refused the
//     request before doing anything: retried.
//   - A connection that could not be opened (dial or DNS failure) never sent
//     anything: retried.
//   - 504, a 503 without Graph's error body (a proxy or load balancer
//     answered; Graph may have got the request), and a connection broken or
//     timed out after the request was written: the outcome is unknown, so
//     the write is not retried and Do returns a *[MaybeSentError] ("may have
//     been sent; not retried"), which wraps the cause (a *[Error] for 503 and
//     504, so errors.As still finds the status).
//   - Any other status (400, 404, 500, ...) is Graph's answer: not retried.
//
// A request with [Request.Idempotent] set is retried like a GET. The engine
// sets it for bodies that carry an idempotency key, such as an event's
// `transactionId`: Graph creates the event once however many times it is
// posted. If such a write had an attempt with an unknown outcome and then
// still fails, the failure is a *[MaybeSentError] too: an earlier attempt may
// have been applied. So a plain *[Error] from a write always means "not
// applied".
//
// A 401 with code InvalidAuthenticationToken is answered once per logical
// request: the provider's cached token is dropped (auth.Invalidator, when the
// provider implements it), a new token is fetched, and the request is sent
// again if the token changed. This refresh does not count as an attempt.
//
// # Concurrency
//
// Outlook allows 4 concurrent requests per app and mailbox. Every Client in
// the process shares one registry of in-flight requests keyed by the Graph
// host and the mailbox: the {id} of /users/{id}/..., else "me:" plus
// [auth.Request.Subject]. A request waits (honouring its context) while
// [Config.MaxConcurrentPerMailbox] requests (default 4) to its mailbox are in
// flight. The slot is held for one attempt, not during retry waits.
//
// # Tokens go nowhere else
//
// A token is sent only to the base URL's host and [Config.AllowedHosts],
// over https (or plain http when the base URL itself is http, as in tests).
// The host is checked before any token is fetched: for relative paths, for
// absolute URLs in a request, and for every @odata.nextLink. The client
// follows no redirects at all (Graph does not redirect API calls; a redirect
// could take the Authorization header to another host): a 3xx answer is a
// *[ResponseError]. Traces, errors and URLs in messages never contain the
// token, and query values with secret-looking names (access_token, code,
// client_secret, ...) are redacted. Header values with CR or LF are
// refused, and callers may not set Authorization themselves.
//
// Values put into paths must be escaped with [PathSegment]; OData string
// literals with [ODataString]; [ForUser] rewrites /me paths for another
// mailbox.
//
// # Uploads
//
// [Client.Upload] sends a file to an upload session's URL (Outlook's
// createUploadSession) in ranges, never with the token: that URL is
// pre-authenticated and lives on another host ([UploadHosts]). A range is
// lost when its connection breaks or the upload host answers 429, 500,
// 502, 503 or 504; the range may or may not have been stored. Upload then
// resumes instead of guessing: it waits (Retry-After, else the backoff
// above, within [Config.MaxRetryDelay]), GETs the upload URL to learn the
// session's nextExpectedRanges, and continues from the first of them, so a
// lost range that did arrive is not sent again. One upload resumes at most
// [UploadOptions.MaxResumes] times (default [DefaultUploadResumes], 3;
// negative: never, the first lost range ends it). A session that is gone
// (the GET answers 404: expired, cancelled or completed) ends the upload
// with the GET's *[Error], whose GaveUp says that nothing more was sent; a
// GET that fails ends it with an error saying the same. When the lost
// range was the file's last, or the session expects no more bytes, the
// upload may have completed: the error is a *[MaybeSentError].
//
// # Responses
//
// A 2xx body must be JSON (a JSON Content-Type and a valid JSON document)
// unless [Request.AllowNonJSON] is set; 202 and 204, and any 2xx with an
// empty body to a write, may be empty. Anything else is a *[ResponseError],
// never a panic or an empty result. Bodies over [Config.MaxBodyBytes] give a
// *[LimitError] naming the setting.
package graph
