//go:build unix

package bench

import (
	"os"
	"syscall"
)

// minorFaults returns the page faults a finished child took without
// reading from disk: on a virtual machine each costs tens of
// microseconds, and for a short process they, more than its
// instructions, set its CPU time.
func minorFaults(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Minflt)
	}
	return 0
}
