//go:build !unix

package bench

import "os"

// minorFaults is not measured where rusage has no page-fault count.
func minorFaults(*os.ProcessState) int64 { return 0 }
