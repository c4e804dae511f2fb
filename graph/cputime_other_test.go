//go:build !unix

package graph

import "time"

// processCPU is not available here; the cpu-ns/op metric is not reported.
func processCPU() (time.Duration, bool) { return 0, false }
