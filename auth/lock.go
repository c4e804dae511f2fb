package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/runflow/runflow/internal/ctxsleep"
)

// A refresh token that rotates works once. Two processes that find the
// same expired access token (two runs started together) would both redeem
// it, and the loser's refresh fails. So a Store that can, serialises the
// refreshes of one grant across processes (RefreshLocker), and the
// provider reads the grant again once it holds the lock: if another
// process refreshed it meanwhile, it uses that grant instead of redeeming
// the spent refresh token.

// RefreshLocker is implemented by a Store that can serialise the refreshes
// of one grant across processes (FileStore does, with a lock file). The
// UserProvider takes the lock around every refresh and reads the grant
// again once it holds it.
type RefreshLocker interface {
	// LockRefresh waits (until ctx is done, or a timeout of the store's)
	// for the lock of profile and subject, and returns the function that
	// releases it.
	LockRefresh(ctx context.Context, profile, subject string) (unlock func(), err error)
}

// Lock files and temporary files beside a FileStore's grants.
const (
	// lockTimeout bounds the wait for another process's refresh; a
	// refresh takes one request to the token endpoint (30 s at most with
	// the default HTTP client).
	lockTimeout = 45 * time.Second
	// staleLockAge is the age past which a lock file is taken to belong
	// to a process that died (SIGKILL, a crash) and is removed.
	staleLockAge = 60 * time.Second
	// lockPoll is how often a waiting process looks at the lock file.
	lockPoll = 20 * time.Millisecond
	// staleTempAge is the age past which a .tmp-*.json file, a Save cut
	// short by a crash, is removed.
	staleTempAge = 10 * time.Minute
	// takeoverSettle is how long a process that took over a stale lock
	// waits before it trusts the lock to be its own (see LockRefresh).
	takeoverSettle = 50 * time.Millisecond
)

// beforeStaleRemove, when set (by tests), runs between judging a lock
// file stale and removing it: the window in which another waiter can
// take the lock over first.
var beforeStaleRemove func()

// LockRefresh implements RefreshLocker with a lock file beside the
// grant's file (its path plus ".lock"), created exclusively, holding the
// owner's process id, host name and a random nonce. A lock file whose owner is a process
// of this host that no longer runs is removed at once; any other lock
// file older than a minute is taken to be left by a process that died
// (on another host sharing the directory, or one whose id was reused),
// and is removed. The wait ends with an error after 45 s or when ctx is
// done.
func (s *FileStore) LockRefresh(ctx context.Context, profile, subject string) (func(), error) {
	if err := s.ensureDir(); err != nil {
		return nil, err
	}
	s.removeStaleTemps()
	path := s.Path(profile, subject) + ".lock"
	deadline := time.Now().Add(lockTimeout)
	tookOver := false // a stale lock was removed: the next create may race another waiter's
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			// The content names this holder uniquely: a lock's identity is
			// its content, since a removed file's inode number is reused
			// at once by the next one created.
			owner := lockOwner()
			_, werr := f.WriteString(owner)
			cerr := f.Close()
			if err := errors.Join(werr, cerr); err != nil {
				os.Remove(path)
				return nil, fmt.Errorf("auth: taking the refresh lock: %w", err)
			}
			if tookOver {
				// Two waiters can judge the same lock stale; the slower
				// one's remove may then take away the lock the faster
				// one just created. A remove follows its check within
				// microseconds, so after a pause the lock file is this
				// process's own, or it was taken and the wait goes on.
				tookOver = false
				if err := ctxsleep.Sleep(ctx, takeoverSettle); err != nil {
					removeIfOwned(path, owner)
					return nil, err
				}
				if !owns(path, owner) {
					continue
				}
			}
			// Remove the lock only if it is still ours (a waiter may have
			// taken it over as stale).
			return func() { removeIfOwned(path, owner) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("auth: taking the refresh lock: %w", err)
		}
		if fi, err := os.Stat(path); err == nil && (time.Since(fi.ModTime()) > staleLockAge || ownerGone(path)) {
			// Remove only the file judged stale, not one a waiter
			// created since (a new file has a new modification time,
			// even where it reuses the stale one's inode number).
			if cur, err := os.Stat(path); err == nil && os.SameFile(cur, fi) && cur.ModTime().Equal(fi.ModTime()) {
				if beforeStaleRemove != nil {
					beforeStaleRemove()
				}
				os.Remove(path)
			}
			tookOver = true
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("auth: another runflow has been refreshing the sign-in of profile %q for more than %v (lock file %s); try again, or delete the lock file if no runflow is running", profile, lockTimeout, path)
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// owns reports whether the lock file at path holds owner's content.
func owns(path, owner string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, maxLockFileBytes)
	n, _ := io.ReadFull(f, b)
	return string(b[:n]) == owner
}

// removeIfOwned removes the lock file at path if it is still owner's.
// (Between the check and the remove another waiter could take it over as
// stale, but only once it is a minute old: not while its owner runs.)
func removeIfOwned(path, owner string) {
	if owns(path, owner) {
		os.Remove(path)
	}
}

// lockOwner is a lock file's content: "<pid> <host> <nonce>\n", the
// nonce telling apart two holders in one process.
func lockOwner() string {
	host, _ := os.Hostname()
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	return strconv.Itoa(os.Getpid()) + " " + host + " " + hex.EncodeToString(nonce[:]) + "\n"
}

// maxLockFileBytes bounds what is read of a lock file.
const maxLockFileBytes = 512

// ownerGone reports whether the lock file at path names a process of this
// host that no longer runs. A file it cannot read or understand (one
// written before lock files named their host, say) is not judged: the
// age rule still applies to it.
func ownerGone(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, maxLockFileBytes)
	n, _ := f.Read(b)
	host, _ := os.Hostname()
	pid, ok := parseLockOwner(string(b[:n]), host)
	return ok && !processRuns(pid)
}

// parseLockOwner reads "<pid> <host> <nonce>\n" (the nonce optional) and
// returns the pid when the host is this one.
func parseLockOwner(content, thisHost string) (int, bool) {
	line, _, _ := strings.Cut(content, "\n")
	pidText, host, found := strings.Cut(line, " ")
	host, _, _ = strings.Cut(host, " ") // the nonce after it
	if !found || host == "" || host != thisHost {
		return 0, false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// removeStaleTemps removes the temporary files of saves that a crash cut
// short (a SIGKILL between creating and renaming one); a save in progress
// in another process has a fresh one.
func (s *FileStore) removeStaleTemps() {
	names, _ := filepath.Glob(filepath.Join(s.dir, ".tmp-*.json"))
	for _, name := range names {
		if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTempAge {
			os.Remove(name)
		}
	}
}

// lockForRefresh takes the store's refresh lock when it has one, and
// returns the grant as it is once the lock is held: another process may
// have refreshed it while this one waited. The returned grant is st when
// the store has no lock or holds nothing better.
func (p *UserProvider) lockForRefresh(ctx context.Context, st *StoredToken) (*StoredToken, func(), error) {
	l, ok := p.cfg.Store.(RefreshLocker)
	if !ok {
		return st, func() {}, nil
	}
	unlock, err := l.LockRefresh(ctx, st.Profile, st.Subject)
	if err != nil {
		return nil, nil, err
	}
	if cur, err := p.cfg.Store.Load(ctx, st.Profile, st.Subject); err == nil && cur.BoundTo(p.cfg.Profile) {
		st = cur
	}
	return st, unlock, nil
}
