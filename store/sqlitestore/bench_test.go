package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
	"github.com/vipkit/vip/store/storetest"
)

// BenchmarkIngest: the Engine's ingest (orders, statuses and events) against a plain
// batched INSERT of the same order rows into a table of the same shape in the same
// database, one transaction per batch of 100.
func BenchmarkIngest(b *testing.B) {
	const n, customers, batch = 10000, 1000, 100
	b.Run(fmt.Sprintf("orders=%d/engine", n), func(b *testing.B) {
		storetest.BenchIngest(b, open(b), n, customers, batch)
	})
	b.Run(fmt.Sprintf("orders=%d/plain-insert", n), func(b *testing.B) {
		s := open(b)
		db := s.DB()
		plainTable(b, db)
		storetest.BenchPlainInsert(b, n, customers, batch, func(ctx context.Context, orders []vip.Order) error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			st, err := tx.PrepareContext(ctx, `INSERT INTO plain_orders VALUES (?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, o := range orders {
				body := codec.OrderBinary(o)
				if _, err := st.ExecContext(ctx, o.ID, o.CustomerID, codec.FormatTime(o.PlacedAt), o.Currency,
					codec.Exact(o.Paid()), codec.OrderPrint(o), body); err != nil {
					return err
				}
			}
			return tx.Commit()
		})
	})
	// The same rows as multi-row statements of up to 64 rows, as the Store itself
	// inserts orders: the baseline for the Engine's order writes alone.
	b.Run(fmt.Sprintf("orders=%d/plain-insert-multirow", n), func(b *testing.B) {
		s := open(b)
		db := s.DB()
		ctx := context.Background()
		plainTable(b, db)
		stmts := map[int]*sql.Stmt{} // by rows
		for k := 1; k <= 64; k *= 2 {
			q := `INSERT INTO plain_orders VALUES ` + strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?), `, k), ", ")
			st, err := db.PrepareContext(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			stmts[k] = st
		}
		storetest.BenchPlainInsert(b, n, customers, batch, func(ctx context.Context, orders []vip.Order) error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for len(orders) > 0 {
				k := 64
				for k > len(orders) {
					k /= 2
				}
				args := make([]any, 0, 7*k)
				for _, o := range orders[:k] {
					args = append(args, o.ID, o.CustomerID, codec.FormatTime(o.PlacedAt), o.Currency,
						codec.Exact(o.Paid()), codec.OrderPrint(o), codec.OrderBinary(o))
				}
				if _, err := tx.StmtContext(ctx, stmts[k]).ExecContext(ctx, args...); err != nil {
					return err
				}
				orders = orders[k:]
			}
			return tx.Commit()
		})
	})
}

// BenchmarkReview: a review of every customer of a synthetic shop against a bare SQL
// aggregate computing the same sums (each customer's net spend over 12 months).
func BenchmarkReview(b *testing.B) {
	for _, customers := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("customers=%d", customers), func(b *testing.B) {
			s := open(b)
			end := storetest.Populate(b, s, customers)
			b.Run("engine", func(b *testing.B) { storetest.BenchReview(b, s, end, customers, false) })
			// Ten days on, past the instants the due-only review reached.
			b.Run("engine-full", func(b *testing.B) { storetest.BenchReview(b, s, end.AddDate(0, 0, 10), customers, true) })
			b.Run("sql-sum", func(b *testing.B) {
				db := s.DB()
				storetest.BenchSQLSum(b, end, customers, func(ctx context.Context, since, at time.Time) (int, error) {
					rows, err := db.QueryContext(ctx, `SELECT c.id,
						(SELECT COALESCE(SUM(paid), 0) FROM vip_orders o WHERE o.customer_id = c.id AND o.placed_at > ? AND o.placed_at <= ?),
						(SELECT COALESCE(SUM(amount), 0) FROM vip_refunds r WHERE r.customer_id = c.id AND r.at > ? AND r.at <= ?)
						FROM vip_customers c`, codec.FormatTime(since), codec.FormatTime(at), codec.FormatTime(since), codec.FormatTime(at))
					if err != nil {
						return 0, err
					}
					defer rows.Close()
					n := 0
					for rows.Next() {
						var id string
						var paid, refunded float64
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

// plainTable creates the baselines' table, of the shape of vip_orders, and its index.
func plainTable(b *testing.B, db *sql.DB) {
	for _, q := range []string{`CREATE TABLE plain_orders (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
			placed_at TEXT NOT NULL, currency TEXT NOT NULL, paid TEXT NOT NULL, fp BLOB NOT NULL, body BLOB NOT NULL)`,
		`CREATE INDEX plain_orders_customer ON plain_orders (customer_id, placed_at)`} {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}
