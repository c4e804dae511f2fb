//go:build !unix

package auth

// processRuns cannot tell here, so a lock file is judged by its age alone.
func processRuns(pid int) bool { return true }
