//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

import "os"

// isTerminal reports whether f is a character device; on these systems it
// is the best check the standard library offers.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}
