package aggregate

import "sync"

// lru is a bounded least-recently-used cache from strings to values. It is
// safe for concurrent use. The zero value is not usable; see newLRU.
type lru[V any] struct {
	mu    sync.Mutex
	max   int
	items map[string]*lruEntry[V]
	head  lruEntry[V] // sentinel: head.next is the most recently used
}

type lruEntry[V any] struct {
	key        string
	val        V
	prev, next *lruEntry[V]
}

// newLRU returns a cache holding at most n entries (at least 1).
func newLRU[V any](n int) *lru[V] {
	c := &lru[V]{max: max(1, n), items: map[string]*lruEntry[V]{}}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

// get returns the value cached for key and marks it recently used.
func (c *lru[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.val, true
}

// add caches val for key, evicting the least recently used entry when the
// cache is full.
func (c *lru[V]) add(key string, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.val = val
		c.unlink(e)
		c.pushFront(e)
		return
	}
	if len(c.items) >= c.max {
		old := c.head.prev
		c.unlink(old)
		delete(c.items, old.key)
	}
	e := &lruEntry[V]{key: key, val: val}
	c.items[key] = e
	c.pushFront(e)
}

// len returns the number of entries.
func (c *lru[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *lru[V]) unlink(e *lruEntry[V]) {
	e.prev.next, e.next.prev = e.next, e.prev
}

func (c *lru[V]) pushFront(e *lruEntry[V]) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}
