package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

// LadderJSON is the ladder of the load and crash tests: the brief's Silver/Gold/Platinum
// on net spend over a rolling 12 months, 3 months' grace, one tier down per landing,
// warnings 60 and 30 days ahead and proximity events, so that every kind of event the
// Engine logs on its own shows up.
const LadderJSON = `{
  "name": "vip", "currency": "USD",
  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}, {"name": "Platinum", "qualify": "10000"}],
  "grace_months": 3, "landing": {"mode": "one_step", "max_steps": 1},
  "warnings": {"days": [60, 30]}, "near": {"rules": [{"gap": "200"}, {"share": "0.5"}]}
}`

// Ladder returns the parsed [LadderJSON].
func Ladder() vip.Ladder {
	l, err := vip.ParseLadder([]byte(LadderJSON))
	if err != nil {
		panic(err) // a constant: cannot happen
	}
	return l
}

// Workload is a deterministic set of batches for concurrent writers: writer w ingests
// Batches[w] in order, each at its own instant Times[w][k], which increase with k and
// interleave across writers. Orders go to customers at random, so writers collide on
// the same customers; some batches refund an order of the writer's previous batch.
type Workload struct {
	Customers int
	Batches   [][]vip.Batch
	Times     [][]time.Time
	// Orders is every order, by ID.
	Orders map[string]vip.Order
}

// WorkloadConfig sizes a [Workload].
type WorkloadConfig struct {
	Seed            uint64
	Writers         int
	OrdersPerWriter int
	Customers       int
	BatchSize       int
	// Step is the time between two consecutive batches of all writers; 0 means 6 hours.
	Step time.Duration
}

// Start is the first instant of every workload.
var Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// NewWorkload generates the workload cfg describes.
func NewWorkload(cfg WorkloadConfig) Workload {
	if cfg.Step == 0 {
		cfg.Step = 6 * time.Hour
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 42))
	scale := make([]float64, cfg.Customers) // how much each customer spends
	for i := range scale {
		scale[i] = 0.2 + 2.8*r.Float64()
	}
	w := Workload{Customers: cfg.Customers, Orders: map[string]vip.Order{},
		Batches: make([][]vip.Batch, cfg.Writers), Times: make([][]time.Time, cfg.Writers)}
	nb := (cfg.OrdersPerWriter + cfg.BatchSize - 1) / cfg.BatchSize
	for k := range nb {
		for wr := range cfg.Writers {
			at := Start.Add(time.Duration(k*cfg.Writers+wr+1) * cfg.Step)
			var b vip.Batch
			for j := 0; j < cfg.BatchSize && k*cfg.BatchSize+j < cfg.OrdersPerWriter; j++ {
				c := r.IntN(cfg.Customers)
				cents := int64((20 + 380*r.Float64()) * scale[c] * 100)
				o := vip.Order{ID: fmt.Sprintf("w%d-o%d", wr, k*cfg.BatchSize+j), CustomerID: CustomerID(c),
					PlacedAt: at.Add(-time.Duration(j+1) * time.Microsecond), Currency: "USD",
					Lines: []vip.Line{{SKU: fmt.Sprint("sku-", r.IntN(50)), Quantity: 1 + r.Int64N(3),
						ListPrice: decimal.New(cents*11/10, -2), PaidPrice: decimal.New(cents, -2), UnitCost: decimal.New(cents/2, -2)}}}
				b.Orders = append(b.Orders, o)
				w.Orders[o.ID] = o
			}
			if k > 0 && r.IntN(10) == 0 { // refund half of an order of the previous batch
				prev := w.Batches[wr][k-1].Orders
				o := prev[r.IntN(len(prev))]
				b.Refunds = append(b.Refunds, vip.Refund{ID: "r-" + o.ID, OrderID: o.ID, CustomerID: o.CustomerID,
					At: at, Currency: "USD", Amount: o.Total().DivRound(decimal.NewFromInt(2), 2)})
			}
			w.Batches[wr] = append(w.Batches[wr], b)
			w.Times[wr] = append(w.Times[wr], at)
		}
	}
	return w
}

// CustomerID names customer i of a workload.
func CustomerID(i int) string { return fmt.Sprintf("cust-%05d", i) }

// Run ingests the workload through Engines on s, one per writer, round by round: in
// round k the writers send their batch k at once, so that they collide on customers
// (and retry on stale versions) while their instants stay close. Every tenth batch is
// sent twice, as a client that lost the first answer would. It starts at round from
// and stops at the first error.
func (w *Workload) Run(ctx context.Context, s vip.Store, from int) error {
	writers := len(w.Batches)
	engines := make([]*vip.Engine, writers)
	clocks := make([]time.Time, writers)
	for wr := range writers {
		e, err := vip.NewEngine(s, Ladder(), &vip.EngineOptions{Clock: func() time.Time { return clocks[wr] }, MaxRetries: 1000})
		if err != nil {
			return err
		}
		engines[wr] = e
	}
	for k := from; k < len(w.Batches[0]); k++ {
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for wr := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				clocks[wr] = w.Times[wr][k]
				errs[wr] = w.send(ctx, engines[wr], wr, k)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

func (w *Workload) send(ctx context.Context, e *vip.Engine, wr, k int) error {
	if _, err := e.Ingest(ctx, w.Batches[wr][k]); err != nil {
		return fmt.Errorf("writer %d batch %d: %w", wr, k, err)
	}
	if k%10 == 9 {
		res, err := e.Ingest(ctx, w.Batches[wr][k])
		if err != nil {
			return fmt.Errorf("writer %d batch %d re-sent: %w", wr, k, err)
		}
		if res.Orders != 0 || res.Refunds != 0 || len(res.Events) != 0 {
			return fmt.Errorf("writer %d batch %d re-sent: stored %d orders, %d refunds, %d events again", wr, k, res.Orders, res.Refunds, len(res.Events))
		}
	}
	return nil
}

// End is the instant after the workload's last batch.
func (w *Workload) End() time.Time {
	var end time.Time
	for _, ts := range w.Times {
		if len(ts) > 0 && ts[len(ts)-1].After(end) {
			end = ts[len(ts)-1]
		}
	}
	return end.Add(time.Hour)
}

// Check verifies the invariants that hold after any prefix of the workload, a crash
// included: every stored order is one of the workload's, stored once, with its content;
// every customer with orders has a status, and every status equals a fresh evaluation
// of the customer's stored activity at its Checked instant; every tier change has
// exactly one event (the tier-changing events of a customer form one chain from no tier
// to the stored tier); and the log holds no event twice. With complete set, every
// workload order must be stored. It returns the number of stored orders.
func (w *Workload) Check(t testing.TB, s vip.Store, complete bool) int {
	t.Helper()
	ctx := context.Background()
	l := Ladder()
	stored := 0
	seenOrder := map[string]bool{}
	after := ""
	logged := 0
	for {
		ids, err := s.Customers(ctx, vip.Shard{}, after, 200)
		if err != nil {
			t.Fatalf("Customers = %v", err)
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		snaps, err := s.Load(ctx, l.Name, ids)
		if err != nil {
			t.Fatalf("Load = %v", err)
		}
		for i, snap := range snaps {
			id := ids[i]
			for _, o := range snap.Activity.Orders {
				want, ok := w.Orders[o.ID]
				switch {
				case !ok:
					t.Errorf("customer %s: stored order %q is not in the workload", id, o.ID)
				case seenOrder[o.ID]:
					t.Errorf("order %q stored twice", o.ID)
				case !want.PlacedAt.Equal(o.PlacedAt) || !want.Paid().Equal(o.Paid()) || want.CustomerID != id:
					t.Errorf("order %q stored as %+v, want %+v", o.ID, o, want)
				}
				seenOrder[o.ID] = true
				stored++
			}
			st := snap.Status
			if len(snap.Activity.Orders) > 0 && st.Version == 0 {
				t.Errorf("customer %s has %d orders and no status", id, len(snap.Activity.Orders))
				continue
			}
			if st.Version == 0 {
				continue
			}
			fresh, err := l.TierAt(&snap.Activity, st.Checked)
			if err != nil {
				t.Errorf("customer %s: fresh evaluation = %v", id, err)
				continue
			}
			fresh.Version = st.Version
			if !fresh.Equal(st) {
				t.Errorf("customer %s: stored status differs from a fresh evaluation at %s:\nstored %+v\nfresh  %+v", id, st.Checked, st, fresh)
			}
			hist, err := s.History(ctx, l.Name, id)
			if err != nil {
				t.Errorf("History(%s) = %v", id, err)
				continue
			}
			logged += len(hist)
			tier := ""
			seen := map[string]bool{}
			for _, r := range hist {
				ev := r.Event
				key := fmt.Sprintf("%s|%s|%s|%s|%s", ev.Kind, ev.At.Format(time.RFC3339Nano), ev.From, ev.To, ev.Deadline.Format(time.RFC3339Nano))
				if seen[key] {
					t.Errorf("customer %s: event %s logged twice", id, key)
				}
				seen[key] = true
				switch ev.Kind {
				case vip.EventEnrolled, vip.EventUpgraded, vip.EventDowngraded:
				default:
					continue
				}
				if ev.From != tier || ev.To == tier {
					t.Errorf("customer %s: event %d %s %q -> %q, but the tier was %q", id, r.Seq, ev.Kind, ev.From, ev.To, tier)
				}
				tier = ev.To
			}
			if tier != st.Tier {
				t.Errorf("customer %s: tier events end at %q, stored tier %q", id, tier, st.Tier)
			}
		}
	}
	all, err := s.Events(ctx, 0, 1<<30)
	if err != nil {
		t.Fatalf("Events = %v", err)
	}
	if len(all) != logged {
		t.Errorf("the log holds %d events, the customers' histories %d", len(all), logged)
	}
	if complete && stored != len(w.Orders) {
		t.Errorf("%d orders stored, want every one of the workload's %d", stored, len(w.Orders))
	}
	return stored
}

// LoadConfig is the size of the load test in [Run]: 8 writers x 10,000 orders over
// 1,000 customers, in batches of 10. Under the race detector [Run] uses a tenth of it
// (see RaceLoadConfig): the full size runs in the ordinary test pass.
var LoadConfig = WorkloadConfig{Seed: 1, Writers: 8, OrdersPerWriter: 10000, Customers: 1000, BatchSize: 10}

// RaceLoadConfig is the load test's size under the race detector or -short.
var RaceLoadConfig = WorkloadConfig{Seed: 1, Writers: 8, OrdersPerWriter: 1000, Customers: 100, BatchSize: 10}

// testEngineUnderLoad: concurrent writers through Engines on one store; then a review.
func testEngineUnderLoad(t *testing.T, s vip.Store) {
	cfg := LoadConfig
	if raceEnabled || testing.Short() {
		cfg = RaceLoadConfig
	}
	w := NewWorkload(cfg)
	if err := w.Run(t.Context(), s, 0); err != nil {
		t.Fatal(err)
	}
	w.Check(t, s, true)
	if t.Failed() {
		return
	}
	e, err := vip.NewEngine(s, Ladder(), nil)
	if err != nil {
		t.Fatal(err)
	}
	end := w.End().AddDate(1, 0, 0) // far enough for roll-offs, grace and landings
	res, err := e.ReviewAt(t.Context(), vip.Shard{}, end)
	if err != nil {
		t.Fatalf("ReviewAt = %v", err)
	}
	if res.Customers == 0 || res.Customers > cfg.Customers || res.Changed == 0 {
		t.Errorf("review a year after the last order = %+v, want some of the %d customers due and some changes", res, cfg.Customers)
	}
	w.Check(t, s, true)
	again, err := e.ReviewAt(t.Context(), vip.Shard{}, end)
	if err != nil || again.Changed != 0 || again.Events != 0 {
		t.Errorf("a second review at the same instant = %+v, %v; want nothing changed", again, err)
	}
	// The customers the review did not look at had nothing to change: a full review at
	// the same instant, every customer loaded and evaluated, changes nothing either.
	full, err := vip.NewEngine(s, Ladder(), &vip.EngineOptions{FullReview: true})
	if err != nil {
		t.Fatal(err)
	}
	all, err := full.ReviewAt(t.Context(), vip.Shard{}, end)
	if err != nil || all.Customers != cfg.Customers || all.Changed != 0 || all.Events != 0 {
		t.Errorf("a full review at the same instant = %+v, %v; want all %d customers looked at and nothing changed", all, err, cfg.Customers)
	}
}
