// Command runflow runs declarative dialog templates against Microsoft Graph.
//
// Usage:
//
//	runflow list
//	runflow describe ID|FILE
//	runflow run ID|FILE [flags]
//	runflow validate FILE...
//	runflow test [DIR]
//	runflow schema
//	runflow mcp --sandbox|--profile NAME|...
//	runflow sandbox serve|token|reset
//	runflow version
//
// See docs/cli.md for every command, flag, environment variable and exit
// code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], newProcessEnv())
	stop()
	os.Exit(code)
}

// Main runs the CLI with args (without the program name) and returns the
// process exit code. Tests call it in-process with their own env.
func Main(ctx context.Context, args []string, e *env) int {
	// Everything printed, errors included, is cleaned of control
	// characters on its way out (clean.go).
	e = e.withCleanOutput()
	err := dispatch(ctx, e, args)
	return reportError(e, err)
}
