package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/runflow/runflow/sandbox"
)

// sandboxStore keeps a sandbox and its data file in step, so that the file
// is the one source of truth for every runflow using it at once (`sandbox
// serve` and any number of `run --sandbox`):
//   - a write (any method but GET and HEAD) takes the file's lock, reads the
//     file afresh, is served, and is saved before the lock is released;
//   - a read first reloads the file if another process replaced it.
//
// Writes in one process are also serialized by gate, and no read runs while
// the data is being replaced.
type sandboxStore struct {
	s    *sandbox.Server
	path string

	gate sync.RWMutex
	// stamp is the file the in-memory data was last read from or saved as.
	stampMu sync.Mutex
	stamp   os.FileInfo
	// saveErr is the first save that failed after a write was served.
	saveErr error
	// logErr, when set, reports a failed save as it happens (serve).
	logErr func(error)
	// saveFile saves the data to the file (nil: the sandbox's SaveFile);
	// tests make it fail.
	saveFile func(path string) error
}

// lockPath is the lock file beside the data (the data file itself is
// replaced on every save, so it cannot carry the lock).
func (st *sandboxStore) lockPath() string { return st.path + ".lock" }

// openSandboxStore opens the sandbox whose data is at path, creating the
// demo mailbox there on first use and refreshing demo data that nobody has
// changed since an earlier day (so "this week" stays this week).
func openSandboxStore(path string, opts sandbox.Options) (*sandboxStore, error) {
	st := &sandboxStore{s: sandbox.New(opts), path: path}
	// The lock file lives beside the data, so its directory must exist
	// before the first run takes the lock.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the sandbox's data directory: %w", err)
	}
	unlock, err := lockFile(st.lockPath())
	if err != nil {
		return nil, err
	}
	defer unlock()
	switch err := st.s.LoadFile(path); {
	case err == nil:
		if st.s.RefreshDemo() {
			if err := st.saveLocked(); err != nil {
				return nil, fmt.Errorf("refreshing the sandbox's demo data: %w", err)
			}
			return st, nil
		}
		st.remember()
	case errors.Is(err, fs.ErrNotExist):
		if err := st.saveLocked(); err != nil {
			return nil, fmt.Errorf("creating the sandbox's data: %w", err)
		}
	default:
		return nil, fmt.Errorf("%v\n(start afresh with 'runflow sandbox reset')", err)
	}
	return st, nil
}

// staleDemoNote says how to refresh demo data that was changed and so is
// no longer moved to the current week; "" when the data is current.
func (st *sandboxStore) staleDemoNote(now time.Time) string {
	seeded, changed, ok := st.s.DemoStatus()
	if !ok || !changed || now.Sub(seeded) < 7*24*time.Hour {
		return ""
	}
	return fmt.Sprintf("note: the sandbox's demo data was made on %s and has been changed since, so its events are not this week's; 'runflow sandbox reset' makes a fresh demo week", seeded.Format("Mon 2 Jan 2006"))
}

// remember records the file the data now matches.
func (st *sandboxStore) remember() {
	fi, _ := os.Stat(st.path)
	st.stampMu.Lock()
	st.stamp = fi
	st.stampMu.Unlock()
}

// saveLocked saves the data; the caller holds the file lock.
func (st *sandboxStore) saveLocked() error {
	save := st.s.SaveFile
	if st.saveFile != nil {
		save = st.saveFile
	}
	if err := save(st.path); err != nil {
		return err
	}
	st.remember()
	return nil
}

// changedOnDisk reports whether the file is not the one last read or saved.
func (st *sandboxStore) changedOnDisk() bool {
	fi, err := os.Stat(st.path)
	st.stampMu.Lock()
	defer st.stampMu.Unlock()
	if err != nil || st.stamp == nil {
		return err == nil // a file appeared, or none is there to read
	}
	return !os.SameFile(fi, st.stamp) || !fi.ModTime().Equal(st.stamp.ModTime()) || fi.Size() != st.stamp.Size()
}

// reloadLocked reads the file afresh; a missing file keeps the data in
// memory (it is written back by the next save).
func (st *sandboxStore) reloadLocked() error {
	err := st.s.LoadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	st.remember()
	return nil
}

// update runs fn on data read afresh under the file lock and saves it.
// readErr means fn did not run; saveErr that it ran but its change could
// not be saved, and was undone: the data is the file's again (unless the
// file is not there to read back), so that what is served is what is kept.
func (st *sandboxStore) update(fn func()) (readErr, saveErr error) {
	st.gate.Lock()
	defer st.gate.Unlock()
	unlock, err := lockFile(st.lockPath())
	if err != nil {
		return err, nil
	}
	defer unlock()
	if err := st.reloadLocked(); err != nil {
		return err, nil
	}
	fn()
	if err := st.saveLocked(); err != nil {
		if rerr := st.reloadLocked(); rerr != nil {
			return nil, fmt.Errorf("%w; reading the data back to undo the write: %v", err, rerr)
		}
		return nil, err
	}
	return nil, nil
}

// refresh reloads the data when another process has saved since.
func (st *sandboxStore) refresh() error {
	if !st.changedOnDisk() {
		return nil
	}
	st.gate.Lock()
	defer st.gate.Unlock()
	if !st.changedOnDisk() {
		return nil
	}
	return st.reloadLocked()
}

// Reset replaces the data with a fresh demo mailbox, under the lock.
func (st *sandboxStore) Reset() error {
	readErr, saveErr := st.update(st.s.Reset)
	return errors.Join(readErr, saveErr)
}

// takeSaveError returns (and forgets) the first failed save of a served
// write, which the caller already has its answer for.
func (st *sandboxStore) takeSaveError() error {
	st.stampMu.Lock()
	defer st.stampMu.Unlock()
	err := st.saveErr
	st.saveErr = nil
	return err
}

func (st *sandboxStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if err := st.refresh(); err != nil {
			writeStoreError(w, err)
			return
		}
		st.gate.RLock()
		defer st.gate.RUnlock()
		st.s.ServeHTTP(w, r)
		return
	}
	// The body is read before the lock is taken, so a slow client cannot
	// hold every other runflow's writes up (bounded like the sandbox's own
	// read: one byte over its 4 MB limit lets it answer 413).
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSandboxBody+1))
	if err != nil {
		http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// The answer waits until the write is saved: a write that cannot be
	// kept is answered as failed, not as done.
	rec := httptest.NewRecorder()
	readErr, saveErr := st.update(func() { st.s.ServeHTTP(rec, r) })
	if readErr != nil {
		writeStoreError(w, readErr)
		return
	}
	if saveErr != nil {
		st.stampMu.Lock()
		if st.saveErr == nil {
			st.saveErr = saveErr
		}
		st.stampMu.Unlock()
		if st.logErr != nil {
			st.logErr(saveErr)
		}
		writeNotSaved(w, saveErr)
		return
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// maxSandboxBody is the sandbox's request size limit (Graph's 4 MB).
const maxSandboxBody = 4 << 20

// writeStoreError answers in Graph's error shape when the data file cannot
// be read, before anything was served.
func writeStoreError(w http.ResponseWriter, err error) {
	writeSandboxError(w, http.StatusInternalServerError, "runflow sandbox: "+err.Error())
}

// writeNotSaved answers a write that was served but could not be saved,
// and so was undone: 507 Insufficient Storage when the data is too large
// to keep, 500 for another failure (the disk, the file).
func writeNotSaved(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, sandbox.ErrDataTooLarge) {
		status = http.StatusInsufficientStorage
	}
	writeSandboxError(w, status, "runflow sandbox: this write was undone, as the data could not be saved: "+err.Error())
}

func writeSandboxError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "SandboxDataError", "message": message}})
	w.Write(body)
}
