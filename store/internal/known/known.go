// Package known keeps the customer IDs a store knows to be stored, so that a commit
// need not write an ID-only record for an order's customer again. A store never
// deletes a customer, so a remembered ID stays stored.
package known

import (
	"sync"

	"github.com/vipkit/vip"
)

// DefaultMax is the most IDs a Set with a zero Max holds.
const DefaultMax = 1 << 17

// Set is a bounded set of stored customers' IDs: when full it forgets them all and
// starts over. The zero value is an empty Set of DefaultMax IDs. It is safe for
// concurrent use.
type Set struct {
	// Max bounds the set (0: DefaultMax). It must not change once the Set is in use.
	Max int

	mu sync.Mutex
	m  map[string]struct{}
}

// Add remembers ids.
func (k *Set) Add(ids ...string) {
	if len(ids) == 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, id := range ids {
		k.put(id)
	}
}

// AddChange remembers the customers a committed change stored: its customers and
// its orders' customers.
func (k *Set) AddChange(c *vip.Change) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for i := range c.Customers {
		k.put(c.Customers[i].ID)
	}
	for i := range c.Orders {
		k.put(c.Orders[i].CustomerID)
	}
}

// Has reports whether id is remembered.
func (k *Set) Has(id string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.m[id]
	return ok
}

func (k *Set) put(id string) {
	if _, ok := k.m[id]; ok {
		return
	}
	max := k.Max
	if max <= 0 {
		max = DefaultMax
	}
	if k.m == nil || len(k.m) >= max {
		k.m = make(map[string]struct{}, min(1024, max))
	}
	k.m[id] = struct{}{}
}
