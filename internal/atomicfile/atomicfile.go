// Package atomicfile is the one way runflow replaces a file so that a
// reader never sees half of it: the content goes to a temporary file in the
// same directory, which is then renamed over the target. Used by the token
// store (auth), the sandbox's data file (sandbox) and runflow sandbox serve's
// state file (cmd/runflow).
package atomicfile

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Options say how Write and WriteFunc create the file.
type Options struct {
	// Pattern names the temporary file, as for os.CreateTemp: "*" is
	// replaced by a random string. Callers that clean up temporary files a
	// crash left behind match this pattern (auth cleans ".tmp-*.json").
	// Empty means ".tmp-*".
	Pattern string
	// Perm is the file's mode; zero means 0600 (owner only).
	Perm fs.FileMode
	// DirPerm, when not zero, creates the directory (and its parents)
	// with this mode first. Zero means the directory must exist.
	DirPerm fs.FileMode
	// Sync flushes the file to disk before the rename, so that after a
	// crash the target holds either the old or the new content.
	Sync bool
}

// Write replaces path with data; see WriteFunc.
func Write(path string, data []byte, opts Options) error {
	return WriteFunc(path, opts, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces path with what write writes. On any error path is
// unchanged and the temporary file is removed. write's error is returned as
// is; the others are the os package's (they name the file), for the caller
// to wrap.
func WriteFunc(path string, opts Options, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if opts.DirPerm != 0 {
		if err := os.MkdirAll(dir, opts.DirPerm); err != nil {
			return err
		}
	}
	pattern := opts.Pattern
	if pattern == "" {
		pattern = ".tmp-*"
	}
	perm := opts.Perm
	if perm == 0 {
		perm = 0o600
	}
	f, err := os.CreateTemp(dir, pattern) // created 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	// Windows has no Unix modes to set; the chmod there only fails.
	if err := f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if opts.Sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
