// Package graphref holds facts about Microsoft Graph that the engine, the
// CLI and the sandbox all need, in one place: the date-time layout of
// dateTimeTimeZone, the Windows time zone ids Graph uses with their IANA
// zones, and the permissions each operation needs (permissions_gen.go,
// generated from Microsoft's permissions data, and documented.go, from the
// docs pages of the operations that data lacks), which Find looks up for
// the engine's scope check and the sandbox's authorization alike. It is a leaf: it imports
// nothing of runflow, so the sandbox can use it without importing the
// engine.
//
// Its tables are data, not code run at start: lookups are built on first
// use, so a program that never reads a zone does not pay for them.
package graphref

// DateTimeLayout is dateTimeTimeZone.dateTime as Graph writes it: local
// wall time, no offset, seven fractional digits.
const DateTimeLayout = "2006-01-02T15:04:05.0000000"
