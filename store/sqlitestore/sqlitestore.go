// Package sqlitestore is a [vip.Store] in a SQLite file: the embedded default. It uses
// modernc.org/sqlite (pure Go, no cgo), WAL journaling, a busy timeout, and stores money
// as TEXT with every digit. The schema is a set of versioned migrations embedded in the
// binary and applied by [Open]; several processes may open the same file at once.
//
// Writes go through one connection per process (SQLite has one writer at a time);
// reads use a pool of connections, each a consistent snapshot. Several processes may
// share the file: the busy timeout makes a writer wait for another's commit.
package sqlitestore

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vipkit/vip/store/internal/migrations"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options tune [Open]. A nil *Options means the defaults.
type Options struct {
	// BusyTimeout is how long a statement waits for another process's lock before
	// failing; 0 means 30 seconds.
	BusyTimeout time.Duration `json:"busy_timeout,omitempty"`
	// ReadConns is the size of the read pool; 0 means 4.
	ReadConns int `json:"read_conns,omitempty"`
	// SyncFull sets synchronous=FULL: a commit survives a power loss, at the cost of
	// an fsync per commit. The default, NORMAL, survives a crash of the process (WAL).
	SyncFull bool `json:"sync_full,omitempty"`
}

// Store is a [vip.Store] in a SQLite file. It is safe for concurrent use by goroutines
// and processes. The zero value is not usable: call [Open], and [Store.Close] when done.
type Store struct {
	w  *sql.DB // one connection, BEGIN IMMEDIATE
	r  *sql.DB // read pool
	ws writeStmts
	rs readStmts
}

// SQL of the hot statements, prepared once per connection.
const (
	sqlUpsertCustomer = `INSERT INTO vip_customers (id, hash, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body`
	sqlEnsureCustomer = `INSERT INTO vip_customers (id, hash, body) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`
	sqlInsertOrder    = `INSERT INTO vip_orders (id, customer_id, placed_at, currency, paid, fp, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`
	sqlInsertStatus   = `INSERT INTO vip_statuses (ladder, customer_id, tier, version, checked, body) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (ladder, customer_id) DO NOTHING`
	sqlUpdateStatus   = `UPDATE vip_statuses SET tier = ?, version = version + 1, checked = ?, body = ? WHERE ladder = ? AND customer_id = ? AND version = ?`
	sqlInsertEvent    = `INSERT INTO vip_events (ladder, customer_id, kind, at, source, body) VALUES (?, ?, ?, ?, ?, ?)`
	sqlLoadStatus     = `SELECT customer_id, body, version FROM vip_statuses WHERE ladder = ? AND customer_id IN (SELECT value FROM json_each(?))`
	sqlLoadCustomers  = `SELECT id, body, 0 FROM vip_customers WHERE id IN (SELECT value FROM json_each(?))`
	sqlLoadOrders     = `SELECT customer_id, body, 0 FROM vip_orders WHERE customer_id IN (SELECT value FROM json_each(?)) ORDER BY customer_id, placed_at, id`
	sqlLoadRefunds    = `SELECT customer_id, body, 0 FROM vip_refunds WHERE customer_id IN (SELECT value FROM json_each(?)) ORDER BY customer_id, at, id`
)

type writeStmts struct {
	upsertCustomer, ensureCustomer, insertOrder, insertStatus, updateStatus, insertEvent *sql.Stmt
}

type readStmts struct {
	loadStatus, loadCustomers, loadOrders, loadRefunds *sql.Stmt
}

func (s *Store) prepare(ctx context.Context) error {
	var err error
	prep := func(db *sql.DB, q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = db.PrepareContext(ctx, q)
		return st
	}
	s.ws = writeStmts{prep(s.w, sqlUpsertCustomer), prep(s.w, sqlEnsureCustomer), prep(s.w, sqlInsertOrder),
		prep(s.w, sqlInsertStatus), prep(s.w, sqlUpdateStatus), prep(s.w, sqlInsertEvent)}
	s.rs = readStmts{prep(s.r, sqlLoadStatus), prep(s.r, sqlLoadCustomers), prep(s.r, sqlLoadOrders), prep(s.r, sqlLoadRefunds)}
	return err
}

var _ vip.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database at path and applies the schema
// migrations it lacks. path is a file name; ":memory:" is refused, since the read and
// write connections would see different databases.
func Open(ctx context.Context, path string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("vip: sqlite path %q: want a plain file name", path)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 30 * time.Second
	}
	sync := "NORMAL"
	if opts.SyncFull {
		sync = "FULL"
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+sync+")")
	q.Add("_pragma", "foreign_keys(1)")
	w, err := sql.Open("sqlite", path+"?"+q.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("vip: sqlite %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("vip: sqlite %q: %w", path, err)
	}
	n := opts.ReadConns
	if n <= 0 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s := &Store{w: w, r: r}
	if err := s.migrateRetrying(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("vip: sqlite %q: %w", path, err)
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("vip: sqlite %q: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.w.Close(), s.r.Close()) }

// DB returns the read pool, for reports and for benchmarks that compare against plain
// SQL. Writing to the vip_ tables through it breaks the store's guarantees.
func (s *Store) DB() *sql.DB { return s.r }

// Migrations returns the schema versions embedded in this binary, in order.
func Migrations() []int {
	v, _ := versions()
	out := make([]int, len(v))
	for i, m := range v {
		out[i] = m.Version
	}
	return out
}

func versions() ([]migrations.Migration, error) { return migrations.Read(migrationFS, "migrations") }

// migrateRetrying is migrate, tried again while SQLite reports the file busy. Several
// processes opening a new file at once can see SQLITE_BUSY without the busy timeout
// being consulted (while the first of them sets up the WAL index); the next try then
// finds the schema in place or applies it.
func (s *Store) migrateRetrying(ctx context.Context) error {
	delay := 5 * time.Millisecond
	for try := 0; ; try++ {
		err := s.migrate(ctx)
		var se *sqlite.Error
		if err == nil || try == 50 || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}

// migrate applies the missing migrations in one immediate transaction: a second
// process opening the file at the same time waits for it and then finds nothing to do.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := versions()
	if err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS vip_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM vip_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if last := ms[len(ms)-1].Version; have > last {
		return fmt.Errorf("schema version %d is newer than this binary's %d", have, last)
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %d: %w", m.Version, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vip_migrations (version, applied_at) VALUES (?, ?)`,
			m.Version, codec.FormatTime(time.Now())); err != nil {
			return fmt.Errorf("migration %d: %w", m.Version, err)
		}
	}
	return tx.Commit()
}

func idsJSON(ids []string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// Load implements [vip.Store.Load]. It reads in one transaction, a consistent snapshot.
func (s *Store) Load(ctx context.Context, ladder string, ids []string) ([]vip.CustomerState, error) {
	out := make([]vip.CustomerState, len(ids))
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		out[i].Activity.Customer.ID = id
		out[i].Status = vip.Status{CustomerID: id, Ladder: ladder}
		at[id] = i
	}
	if len(ids) == 0 {
		return out, nil
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("vip: sqlite load: %w", err)
	}
	defer tx.Rollback()
	arg := idsJSON(ids)
	each := func(st *sql.Stmt, args []any, fn func(id string, body []byte, n int64) error) error {
		rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("vip: sqlite load: %w", err)
		}
		defer rows.Close()
		var id string
		var body []byte
		var n int64
		for rows.Next() {
			if err := rows.Scan(&id, &body, &n); err != nil {
				return fmt.Errorf("vip: sqlite load: %w", err)
			}
			if err := fn(id, body, n); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	// Statuses first: any later write that adds an order also bumps the status version.
	err = each(s.rs.loadStatus, []any{ladder, arg}, func(id string, body []byte, v int64) error {
		st, err := codec.DecodeStatus(body, v)
		if err == nil {
			out[at[id]].Status = st
		}
		return err
	})
	if err == nil {
		err = each(s.rs.loadCustomers, []any{arg}, func(id string, body []byte, _ int64) error {
			c, err := codec.DecodeCustomer(body)
			if err == nil {
				out[at[id]].Found = true
				out[at[id]].Activity.Customer = c
			}
			return err
		})
	}
	if err == nil {
		err = each(s.rs.loadOrders, []any{arg}, func(id string, body []byte, _ int64) error {
			o, err := codec.DecodeOrderBinary(body)
			if err == nil {
				a := &out[at[id]].Activity
				a.Orders = append(a.Orders, o)
			}
			return err
		})
	}
	if err == nil {
		err = each(s.rs.loadRefunds, []any{arg}, func(id string, body []byte, _ int64) error {
			r, err := codec.DecodeRefund(body)
			if err == nil {
				a := &out[at[id]].Activity
				a.Refunds = append(a.Refunds, r)
			}
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Commit implements [vip.Store.Commit] in one immediate transaction.
func (s *Store) Commit(ctx context.Context, c vip.Change) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("vip: sqlite commit: %w", err)
	}
	defer tx.Rollback()
	if err := s.apply(ctx, tx, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("vip: sqlite commit: %w", err)
	}
	return nil
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("vip: sqlite %s: %w", what, err)
}

func (s *Store) apply(ctx context.Context, tx *sql.Tx, c vip.Change) error {
	named := make(map[string]bool, len(c.Customers))
	if len(c.Customers) > 0 {
		up := tx.StmtContext(ctx, s.ws.upsertCustomer)
		for _, cu := range c.Customers {
			body, err := codec.Customer(cu)
			if err != nil {
				return err
			}
			if _, err := up.ExecContext(ctx, cu.ID, int64(vip.CustomerHash(cu.ID)), body); err != nil {
				return wrap("customer", err)
			}
			named[cu.ID] = true
		}
	}
	if len(c.Orders) > 0 {
		ins := tx.StmtContext(ctx, s.ws.insertOrder)
		cust := tx.StmtContext(ctx, s.ws.ensureCustomer)
		for _, o := range c.Orders {
			body := codec.OrderBinary(o)
			fp := codec.OrderPrint(o)
			res, err := ins.ExecContext(ctx, o.ID, o.CustomerID, codec.FormatTime(o.PlacedAt), o.Currency, codec.Exact(o.Paid()), fp, body)
			if err != nil {
				return wrap("order", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				var old []byte
				if err := tx.QueryRowContext(ctx, `SELECT fp FROM vip_orders WHERE id = ?`, o.ID).Scan(&old); err != nil {
					return wrap("order", err)
				}
				if !bytes.Equal(old, fp) {
					return fmt.Errorf("vip: order %q is stored with other content: %w", o.ID, vip.ErrConflict)
				}
				continue
			}
			if named[o.CustomerID] {
				continue
			}
			named[o.CustomerID] = true
			cb, _ := codec.Customer(vip.Customer{ID: o.CustomerID})
			if _, err := cust.ExecContext(ctx, o.CustomerID, int64(vip.CustomerHash(o.CustomerID)), cb); err != nil {
				return wrap("order", err)
			}
		}
	}
	for _, r := range c.Refunds {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM vip_orders WHERE id = ?`, r.OrderID).Scan(&n); err != nil {
			return wrap("refund", err)
		}
		if n == 0 {
			return fmt.Errorf("vip: refund %q: order %q: %w", r.ID, r.OrderID, vip.ErrNotFound)
		}
		body, err := codec.Refund(r)
		if err != nil {
			return err
		}
		fp := codec.RefundPrint(r)
		res, err := tx.ExecContext(ctx, `INSERT INTO vip_refunds (id, order_id, customer_id, at, currency, amount, fp, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			r.ID, r.OrderID, r.CustomerID, codec.FormatTime(r.At), r.Currency, codec.Exact(r.Amount), fp, body)
		if err != nil {
			return wrap("refund", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var old []byte
			if err := tx.QueryRowContext(ctx, `SELECT fp FROM vip_refunds WHERE id = ?`, r.ID).Scan(&old); err != nil {
				return wrap("refund", err)
			}
			if !bytes.Equal(old, fp) {
				return fmt.Errorf("vip: refund %q is stored with other content: %w", r.ID, vip.ErrConflict)
			}
		}
	}
	for _, st := range c.Statuses {
		body, err := codec.Status(st)
		if err != nil {
			return err
		}
		var res sql.Result
		if st.Version == 0 {
			res, err = tx.StmtContext(ctx, s.ws.insertStatus).ExecContext(ctx, st.Ladder, st.CustomerID, st.Tier, codec.FormatTime(st.Checked), body)
		} else {
			res, err = tx.StmtContext(ctx, s.ws.updateStatus).ExecContext(ctx, st.Tier, codec.FormatTime(st.Checked), body, st.Ladder, st.CustomerID, st.Version)
		}
		if err != nil {
			return wrap("status", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("vip: status of customer %q on ladder %q: version %d is not the stored one: %w", st.CustomerID, st.Ladder, st.Version, vip.ErrStale)
		}
	}
	if len(c.Events) > 0 {
		ins := tx.StmtContext(ctx, s.ws.insertEvent)
		for _, e := range c.Events {
			body, err := codec.Event(e)
			if err != nil {
				return err
			}
			if _, err := ins.ExecContext(ctx, e.Ladder, e.CustomerID, string(e.Kind), codec.FormatTime(e.At), c.Source, body); err != nil {
				return wrap("event", err)
			}
		}
	}
	return nil
}

// Customers implements [vip.Store.Customers].
func (s *Store) Customers(ctx context.Context, shard vip.Shard, after string, limit int) ([]string, error) {
	if err := shard.Validate(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM vip_customers WHERE id > ? AND (? <= 1 OR hash % ? = ?) ORDER BY id LIMIT ?`,
		after, shard.Count, shard.Count, shard.Index, limit)
	if err != nil {
		return nil, wrap("customers", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("customers", err)
		}
		ids = append(ids, id)
	}
	return ids, wrap("customers", rows.Err())
}

func (s *Store) records(ctx context.Context, query string, args ...any) ([]vip.Record, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap("events", err)
	}
	defer rows.Close()
	return codec.Records(rows, func(err error) error { return wrap("events", err) })
}

// Events implements [vip.Store.Events].
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]vip.Record, error) {
	return s.records(ctx, `SELECT seq, source, body FROM vip_events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

// Cursor implements [vip.Store.Cursor].
func (s *Store) Cursor(ctx context.Context, consumer string) (int64, error) {
	var seq int64
	err := s.r.QueryRowContext(ctx, `SELECT seq FROM vip_cursors WHERE consumer = ?`, consumer).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, wrap("cursor", err)
}

// Ack implements [vip.Store.Ack].
func (s *Store) Ack(ctx context.Context, consumer string, from, to int64) error {
	if to < from {
		return fmt.Errorf("vip: cursor %q: ack from %d back to %d: %w", consumer, from, to, vip.ErrStale)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap("ack", err)
	}
	defer tx.Rollback()
	var cur int64
	err = tx.QueryRowContext(ctx, `SELECT seq FROM vip_cursors WHERE consumer = ?`, consumer).Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return wrap("ack", err)
	}
	if cur != from {
		return fmt.Errorf("vip: cursor %q is at %d, not %d: %w", consumer, cur, from, vip.ErrStale)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO vip_cursors (consumer, seq) VALUES (?, ?)
		ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq`, consumer, to); err != nil {
		return wrap("ack", err)
	}
	return wrap("ack", tx.Commit())
}

// History implements [vip.Store.History].
func (s *Store) History(ctx context.Context, ladder, customerID string) ([]vip.Record, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM vip_customers WHERE id = ?`, customerID).Scan(&n); err != nil {
		return nil, wrap("history", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("vip: customer %q: %w", customerID, vip.ErrNotFound)
	}
	return s.records(ctx, `SELECT seq, source, body FROM vip_events WHERE ladder = ? AND customer_id = ? ORDER BY seq`, ladder, customerID)
}
