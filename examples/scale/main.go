// Command scale generates a synthetic shop (internal/synth) into a chosen store through
// the Engine and reports ingest and review throughput.
//
//	go run ./examples/scale                                  # 2,000 customers into a SQLite file in the temp dir
//	go run ./examples/scale -customers 100000 -writers 4     # bigger
//	go run ./examples/scale -store postgres -dsn "$VIP_POSTGRES_DSN"
//	go run ./examples/scale -store memory
//
// Each writer ingests batches of whole customers (every order and refund of -batch
// customers at once) at the shop's end; then a review runs a day later (it looks only
// at the customers due), a second review at the same instant shows that it changes
// nothing, and a full review (every customer loaded and evaluated) runs a day after.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
	"github.com/vipkit/vip/store/memstore"
	"github.com/vipkit/vip/store/pgstore"
	"github.com/vipkit/vip/store/sqlitestore"
)

const ladderJSON = `{
  "name": "vip", "currency": "USD",
  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}, {"name": "Platinum", "qualify": "10000"}],
  "grace_months": 3, "landing": {"mode": "one_step", "max_steps": 1},
  "warnings": {"days": [60, 30]}, "near": {"rules": [{"gap": "200"}, {"share": "0.5"}]}
}`

func main() {
	kind := flag.String("store", "sqlite", "store: sqlite, postgres or memory")
	db := flag.String("db", filepath.Join(os.TempDir(), "vip-scale.db"), "SQLite file (removed first)")
	dsn := flag.String("dsn", os.Getenv("VIP_POSTGRES_DSN"), "PostgreSQL DSN")
	schema := flag.String("schema", "vip_scale", "PostgreSQL schema (dropped first)")
	customers := flag.Int("customers", 2000, "customers to generate")
	writers := flag.Int("writers", 2, "concurrent writers")
	batch := flag.Int("batch", 200, "customers per ingest batch")
	flag.Parse()
	if err := run(*kind, *db, *dsn, *schema, *customers, *writers, *batch); err != nil {
		log.Fatal(err)
	}
}

func open(ctx context.Context, kind, db, dsn, schema string) (vip.Store, func(), error) {
	switch kind {
	case "memory":
		return memstore.New(), func() {}, nil
	case "sqlite":
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, nil, err
			}
		}
		s, err := sqlitestore.Open(ctx, db, nil)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case "postgres":
		if dsn == "" {
			return nil, nil, errors.New("-store postgres needs -dsn or VIP_POSTGRES_DSN")
		}
		if err := pgstore.ValidateSchema(schema); err != nil {
			return nil, nil, err
		}
		s, err := pgstore.Open(ctx, dsn, &pgstore.Options{Schema: schema})
		if err != nil {
			return nil, nil, err
		}
		if _, err := s.Pool().Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			return nil, nil, err
		}
		s.Close()
		if s, err = pgstore.Open(ctx, dsn, &pgstore.Options{Schema: schema}); err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	return nil, nil, fmt.Errorf("unknown -store %q: want sqlite, postgres or memory", kind)
}

func run(kind, db, dsn, schema string, customers, writers, batch int) error {
	ctx := context.Background()
	if customers < 1 || writers < 1 || batch < 1 {
		return errors.New("-customers, -writers and -batch must be positive")
	}
	ladder, err := vip.ParseLadder([]byte(ladderJSON))
	if err != nil {
		return err
	}
	s, closeStore, err := open(ctx, kind, db, dsn, schema)
	if err != nil {
		return err
	}
	defer closeStore()
	cfg := synth.DefaultConfig()
	cfg.Customers = customers

	// Generate first, so that the timing is the store's and the Engine's alone.
	var batches []vip.Batch
	var b vip.Batch
	orders, refunds := 0, 0
	synth.Each(cfg, func(c vip.Customer, ords []vip.Order, rs []vip.Refund) bool {
		b.Customers = append(b.Customers, c)
		b.Orders = append(b.Orders, ords...)
		b.Refunds = append(b.Refunds, rs...)
		orders, refunds = orders+len(ords), refunds+len(rs)
		if len(b.Customers) == batch {
			batches = append(batches, b)
			b = vip.Batch{}
		}
		return true
	})
	if len(b.Customers) > 0 {
		batches = append(batches, b)
	}
	fmt.Printf("vip scale: %s store, %d customers, %d orders, %d refunds, %d writers, %d customers per batch\n",
		kind, customers, orders, refunds, writers, batch)

	e, err := vip.NewEngine(s, ladder, &vip.EngineOptions{Clock: func() time.Time { return cfg.End }})
	if err != nil {
		return err
	}
	start := time.Now()
	work := make(chan vip.Batch)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if _, err := e.Ingest(ctx, b); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for _, b := range batches {
		work <- b
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("ingest: %s, %.0f orders/s, %.0f customers/s\n", took.Round(time.Millisecond),
		float64(orders)/took.Seconds(), float64(customers)/took.Seconds())

	at := cfg.End.AddDate(0, 0, 1)
	start = time.Now()
	res, err := e.ReviewAt(ctx, vip.Shard{}, at)
	if err != nil {
		return err
	}
	took = time.Since(start)
	fmt.Printf("review at %s: %d customers in %s (%.0f customers/s), %d of them due, %d changed, %d events\n", at.Format(time.DateOnly),
		customers, took.Round(time.Millisecond), float64(customers)/took.Seconds(), res.Customers, res.Changed, res.Events)
	again, err := e.ReviewAt(ctx, vip.Shard{}, at)
	if err != nil {
		return err
	}
	fmt.Printf("review again at the same instant: %d changed, %d events\n", again.Changed, again.Events)
	full, err := vip.NewEngine(s, ladder, &vip.EngineOptions{FullReview: true})
	if err != nil {
		return err
	}
	at = at.AddDate(0, 0, 1)
	start = time.Now()
	res, err = full.ReviewAt(ctx, vip.Shard{}, at)
	if err != nil {
		return err
	}
	took = time.Since(start)
	fmt.Printf("full review at %s (every customer loaded and evaluated): %d customers in %s (%.0f customers/s), %d changed, %d events\n",
		at.Format(time.DateOnly), res.Customers, took.Round(time.Millisecond), float64(res.Customers)/took.Seconds(), res.Changed, res.Events)

	tiers := map[string]int{}
	for after := ""; ; {
		ids, err := s.Customers(ctx, vip.Shard{}, after, 1000)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		snaps, err := s.Load(ctx, ladder.Name, ids)
		if err != nil {
			return err
		}
		for _, sn := range snaps {
			tiers[sn.Status.Tier]++
		}
	}
	names := make([]string, 0, len(tiers))
	for t := range tiers {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		label := t
		if label == "" {
			label = "(no tier)"
		}
		fmt.Printf("  %-10s %6d\n", label, tiers[t])
	}
	return nil
}
