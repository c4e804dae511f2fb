//go:build !unix

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Without flock, the lock is a file created exclusively. A holder that
// died leaves it behind: a lock older than staleLockAge is taken over (a
// sandbox write holds it for milliseconds).
const (
	staleLockAge = 30 * time.Second
	lockWait     = 2 * staleLockAge
)

// lockFile takes an exclusive lock on path, waiting up to lockWait for
// another holder, and returns its release.
func lockFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("locking the sandbox's data: %w", err)
	}
	deadline := time.Now().Add(lockWait)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("locking the sandbox's data: %w", err)
		}
		if fi, serr := os.Stat(path); serr == nil && time.Since(fi.ModTime()) > staleLockAge {
			os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the sandbox's data is locked by another runflow (%s); if none is running, delete that file", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
