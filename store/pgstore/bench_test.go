package pgstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
	"github.com/vipkit/vip/store/storetest"
)

// BenchmarkIngest: the Engine's ingest (orders, statuses and events) against a plain
// batched INSERT of the same order rows into a table of the same shape in the same
// database, one transaction (and one pgx batch) per batch of 100.
func BenchmarkIngest(b *testing.B) {
	const n, customers, batch = 10000, 1000, 100
	b.Run(fmt.Sprintf("orders=%d/engine", n), func(b *testing.B) {
		storetest.BenchIngest(b, open(b, freshSchema(b)), n, customers, batch)
	})
	b.Run(fmt.Sprintf("orders=%d/plain-insert", n), func(b *testing.B) {
		schema := freshSchema(b)
		s := open(b, schema)
		pool := s.Pool()
		ctx := context.Background()
		table := schema + ".plain_orders"
		if _, err := pool.Exec(ctx, `CREATE TABLE `+table+` (LIKE `+schema+`.vip_orders INCLUDING ALL)`); err != nil {
			b.Fatal(err)
		}
		storetest.BenchPlainInsert(b, n, customers, batch, func(ctx context.Context, orders []vip.Order) error {
			tx, err := pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			bt := &pgx.Batch{}
			for _, o := range orders {
				body := codec.OrderBinary(o)
				bt.Queue(`INSERT INTO `+table+` (id, customer_id, placed_at, currency, paid, fp, body) VALUES ($1, $2, $3, $4, $5::numeric, $6, $7)`,
					o.ID, o.CustomerID, codec.Instant(o.PlacedAt), o.Currency, codec.Exact(o.Paid()), codec.OrderPrint(o), body)
			}
			if err := tx.SendBatch(ctx, bt).Close(); err != nil {
				return err
			}
			return tx.Commit(ctx)
		})
	})
}

// BenchmarkReview: a review of every customer of a synthetic shop against a bare SQL
// aggregate computing the same sums (each customer's net spend over 12 months).
func BenchmarkReview(b *testing.B) {
	for _, customers := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("customers=%d", customers), func(b *testing.B) {
			schema := freshSchema(b)
			s := open(b, schema)
			end := storetest.Populate(b, s, customers)
			b.Run("engine", func(b *testing.B) { storetest.BenchReview(b, s, end, customers, false) })
			// Ten days on, past the instants the due-only review reached.
			b.Run("engine-full", func(b *testing.B) { storetest.BenchReview(b, s, end.AddDate(0, 0, 10), customers, true) })
			b.Run("sql-sum", func(b *testing.B) {
				pool := s.Pool()
				storetest.BenchSQLSum(b, end, customers, func(ctx context.Context, since, at time.Time) (int, error) {
					rows, err := pool.Query(ctx, `SELECT c.id,
						(SELECT COALESCE(SUM(paid), 0) FROM `+schema+`.vip_orders o WHERE o.customer_id = c.id AND o.placed_at > $1 AND o.placed_at <= $2)::text,
						(SELECT COALESCE(SUM(amount), 0) FROM `+schema+`.vip_refunds r WHERE r.customer_id = c.id AND r.at > $1 AND r.at <= $2)::text
						FROM `+schema+`.vip_customers c`, since, at)
					if err != nil {
						return 0, err
					}
					defer rows.Close()
					n := 0
					for rows.Next() {
						var id, paid, refunded string
						if err := rows.Scan(&id, &paid, &refunded); err != nil {
							return 0, err
						}
						n++
					}
					if n != customers {
						return n, fmt.Errorf("sum over %d customers, want %d", n, customers)
					}
					return n, rows.Err()
				})
			})
		})
	}
}
