package main

import "sync"

// keyLocks serialises work per key: two messages of one user in one
// conversation must not both resume the same saved state (the second would
// answer a question the first already moved past, and one of the two saved
// states would be lost). Different keys never wait for each other. Entries
// are dropped when nobody holds or waits for them, so the map stays as
// small as the number of conversations active right now.
type keyLocks struct {
	mu sync.Mutex
	m  map[SessionKey]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

// lock locks key and returns the function that unlocks it.
func (k *keyLocks) lock(key SessionKey) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[SessionKey]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()

	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

// active returns the number of keys held or waited for.
func (k *keyLocks) active() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}
