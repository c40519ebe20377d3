package vip

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"
)

// ErrStale is returned by [Store.Commit] when a status was changed since it was loaded:
// the compare-and-swap on [Status.Version] failed, and nothing of the change was stored.
// It wraps [ErrConflict]; the [Engine] reloads and retries on it, while any other
// conflict (an order ID reused with other content) is final.
var ErrStale = fmt.Errorf("%w: stale status version", ErrConflict)

// Sources of a change, recorded with every event ([Record.Source]) so that the audit
// trail tells an earned tier change from a manual placement or a scheduled review.
const (
	SourceIngest = "ingest" // orders and refunds arrived ([Engine.Ingest])
	SourceReview = "review" // a scheduled review ([Engine.Review])
	SourcePlace  = "place"  // a manual placement ([Engine.Place])
)

// Store keeps the program's state: customers, orders and refunds, each customer's
// [Status] on each ladder, and an append-only log of events that doubles as an outbox.
// Implementations live under store/ (memstore, sqlitestore, pgstore) and pass the
// conformance suite in store/storetest. Every method is safe for concurrent use, by
// several goroutines and, for the SQL stores, by several processes.
//
// The contract:
//
//   - Idempotency. Orders and refunds are stored once by ID: committing an ID already
//     stored with the same content (amounts compared as numbers, instants as instants)
//     is a no-op; the same ID with other content is [ErrConflict].
//   - Compare-and-swap. A status is written only if the stored version equals
//     [Status.Version] (0: none stored yet) and is stored with Version+1; otherwise
//     Commit fails with [ErrStale]. A change that stores a customer's record, or
//     orders or refunds of the customer, also increments the version of each of the
//     customer's statuses that it does not write (and makes their schedules unknown):
//     a status's version changes whenever the activity under it may have, so a writer
//     holding a status and the activity it was computed from at one version knows both
//     are current when the compare-and-swap succeeds.
//   - Atomicity. One [Change] commits whole or not at all: its orders, refunds,
//     statuses and events.
//   - Normalisation. Instants are stored in UTC, truncated to microseconds; amounts keep
//     their digits ("10.50" reads back as 10.50).
//   - Outbox. Events get increasing sequence numbers in commit order, with no gap that
//     a later commit could fill: a reader that has seen sequence n will never be shown a
//     new event below n.
type Store interface {
	// Load returns the state of each customer in ids on the named ladder, in the
	// order of ids. A customer never stored is not an error: its state has Found
	// false, an Activity with only the customer ID, and a zero Status (with
	// CustomerID and Ladder set) at Version 0.
	Load(ctx context.Context, ladder string, ids []string) ([]CustomerState, error)
	// Commit applies c atomically (see the contract above). A refund of an order that
	// is stored nowhere, in c or before, is [ErrNotFound]. Commit keeps none of c's
	// slices once it returns (it copies what it stores): the caller may reuse them.
	Commit(ctx context.Context, c Change) error
	// Customers lists the IDs of stored customers in shard, in ascending byte order,
	// after the ID after ("" to start), at most limit of them.
	Customers(ctx context.Context, shard Shard, after string, limit int) ([]string, error)
	// Due lists, as Customers does, the customers a review of q.Ladder at q.At must
	// look at (see the review schedule above).
	Due(ctx context.Context, q DueQuery) ([]string, error)
	// Events returns the logged events with a sequence number above after, in order,
	// at most limit of them.
	Events(ctx context.Context, after int64, limit int) ([]Record, error)
	// Cursor returns the sequence number the consumer acknowledged last (0 for a
	// consumer never seen).
	Cursor(ctx context.Context, consumer string) (int64, error)
	// Ack moves the consumer's cursor from from to to, and fails with [ErrStale] when
	// the cursor is no longer at from (another reader acknowledged first) or to is
	// below from.
	Ack(ctx context.Context, consumer string, from, to int64) error
	// History returns the events of one customer on one ladder, in order. A customer
	// never stored is [ErrNotFound].
	History(ctx context.Context, ladder, customerID string) ([]Record, error)
}

// CustomerState is what a [Store] holds about one customer on one ladder.
type CustomerState struct {
	// Found reports whether the customer was stored.
	Found bool
	// Activity holds the stored customer, orders and refunds (orders by placement time,
	// refunds by time, ties by ID).
	Activity Activity
	// Status is the stored status, Version included.
	Status Status
	// Due and DueKey are the status's stored review schedule ([Change.Due]); DueKey
	// is "" when the schedule is unknown (never stored, or made stale by a change for
	// another ladder).
	Due    time.Time
	DueKey string
}

// IsDue reports whether a review with the ladder key key at instant at must look at
// the customer: the customer has no status, or its schedule is unknown or was computed
// with another key, or it is due at or before at.
func (cs *CustomerState) IsDue(key string, at time.Time) bool {
	return cs.Status.Version == 0 || cs.DueKey == "" || cs.DueKey != key || (!cs.Due.IsZero() && !cs.Due.After(at))
}

// DueQuery selects the customers that a review must look at ([Store.Due]).
type DueQuery struct {
	// Ladder is the ladder under review and Key the key of its configuration
	// ([Engine.Key]): a status stored with another key is due.
	Ladder string `json:"ladder"`
	Key    string `json:"key"`
	// Shard, After and Limit page as [Store.Customers] does.
	Shard Shard  `json:"shard"`
	After string `json:"after,omitempty"`
	Limit int    `json:"limit"`
	// At is the review's instant: a status due at or before it is due.
	At time.Time `json:"at"`
}

// Change is one atomic write to a [Store].
//
// The zero value is an empty change, which commits nothing.
type Change struct {
	// Source says what made the change (SourceIngest, SourceReview, SourcePlace); it is
	// recorded with each event.
	Source string
	// Customers are stored, replacing a stored customer of the same ID.
	Customers []Customer
	// Orders and Refunds are stored once by ID (see [Store]). Storing an order also
	// stores its customer (with its ID only) when none is stored.
	Orders  []Order
	Refunds []Refund
	// Statuses are written with compare-and-swap on their Version.
	Statuses []Status
	// Events are appended to the log in this order.
	Events []Event
	// Due, when not nil, has one entry per status: the instant from which a review
	// must look at it again ([Ledger.NextChange]), zero when nothing is scheduled.
	// DueKey is the key of the ladder configuration that computed them. With an empty
	// DueKey, or a nil Due, the statuses are stored with an unknown schedule: due at
	// every review. A Due of another length than Statuses is an error.
	Due    []time.Time
	DueKey string
}

// Record is a logged event with its place in the log.
type Record struct {
	// Seq is the event's sequence number: positive, increasing in commit order.
	Seq int64 `json:"seq"`
	// Source is the [Change.Source] that logged it.
	Source string `json:"source"`
	Event  Event  `json:"event"`
}

// Shard selects a part of the customers: those whose [ShardOf] with Count is Index.
// The zero value selects every customer.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Validate checks that the shard is the zero value or has 0 <= Index < Count.
func (s Shard) Validate() error {
	if s.Count == 0 && s.Index == 0 {
		return nil
	}
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("vip: shard %d of %d: index must be in 0-%d: %w", s.Index, s.Count, s.Count-1, ErrInvalidStatus)
	}
	return nil
}

// Contains reports whether the customer falls in the shard.
func (s Shard) Contains(customerID string) bool {
	return s.Count <= 1 || ShardOf(customerID, s.Count) == s.Index
}

// CustomerHash is the stable hash that assigns customers to shards: 32-bit FNV-1a of
// the ID's bytes. Stores keep it beside each customer so that a shard is one indexed
// comparison.
func CustomerHash(customerID string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(customerID))
	return h.Sum32()
}

// ShardOf returns the shard, in 0 to count-1, of the customer: CustomerHash modulo
// count. A count below 2 puts every customer in shard 0.
func ShardOf(customerID string, count int) int {
	if count < 2 {
		return 0
	}
	return int(CustomerHash(customerID) % uint32(count))
}
