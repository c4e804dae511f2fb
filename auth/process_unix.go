//go:build unix

package auth

import (
	"errors"
	"syscall"
)

// processRuns reports whether a process with this id runs on this host.
// Signal 0 checks without signalling: EPERM means it runs as another user.
func processRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
