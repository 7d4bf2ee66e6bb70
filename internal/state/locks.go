package state

import (
	"context"
	"sync"
)

// keyLocks serialises work per key inside one process: one holder per key, waiters queue until
// the holder unlocks or their context ends. Entries exist only while someone holds or waits, so
// the map does not grow with the number of resources ever written.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	ch   chan struct{} // a token in the channel = held
	refs int           // holder and waiters
}

func (l *keyLocks) lock(ctx context.Context, key string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*keyLock{}
	}
	k := l.locks[key]
	if k == nil {
		k = &keyLock{ch: make(chan struct{}, 1)}
		l.locks[key] = k
	}
	k.refs++
	l.mu.Unlock()

	select {
	case k.ch <- struct{}{}:
	case <-ctx.Done():
		l.release(key, k)
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-k.ch
			l.release(key, k)
		})
	}, nil
}

func (l *keyLocks) release(key string, k *keyLock) {
	l.mu.Lock()
	k.refs--
	if k.refs == 0 {
		delete(l.locks, key)
	}
	l.mu.Unlock()
}
