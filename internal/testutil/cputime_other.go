//go:build !unix

package testutil

import "time"

// ProcessCPU is not available here: it reports false.
func ProcessCPU() (time.Duration, bool) { return 0, false }
