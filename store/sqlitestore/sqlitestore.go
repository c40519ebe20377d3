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
	"cmp"
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
	"github.com/vipkit/vip/store/internal/known"
	"github.com/vipkit/vip/store/internal/migrations"
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
	// CacheMB is each read connection's page cache in MiB; 0 means 32. SQLite's own
	// default (2 MiB) makes every load of customers' histories from a file larger than
	// that a series of reads from the operating system.
	CacheMB int `json:"cache_mb,omitempty"`
	// WriteCacheMB is the write connection's page cache in MiB; 0 means 8. A commit
	// reads few pages it did not write lately, and the end of every write transaction
	// whose B-tree balancing renamed a page (through the lock-byte page's number, far
	// beyond a file below 1 GiB) walks every page of the cache: with 32 MiB, holding a
	// 100,000-order store, that walk was 3.9% of an ingest's time, 1.2% with 8 MiB.
	WriteCacheMB int `json:"write_cache_mb,omitempty"`
	// SyncFull sets synchronous=FULL: a commit survives a power loss, at the cost of
	// an fsync per commit. The default, NORMAL, survives a crash of the process (WAL).
	SyncFull bool `json:"sync_full,omitempty"`
}

// Store is a [vip.Store] in a SQLite file. It is safe for concurrent use by goroutines
// and processes. The zero value is not usable: call [Open], and [Store.Close] when done.
type Store struct {
	w  *sql.DB // one connection, BEGIN IMMEDIATE
	r  *sql.DB // read pool
	wc *wconn  // the write connection's statements, used while it is held (withConn)
	rs readStmts
	// known holds IDs of customers this Store saw committed: customers are never
	// deleted, so a commit need not store an ID-only record for them (see apply).
	known known.Set
}

// SQL of the hot statements, prepared once per connection (the write connection's
// through wconn). The set-based ones take
// their rows as one JSON array parameter (json_each): one statement per table and
// commit instead of one per row, for the customers, the stale schedules and the events.
const (
	sqlEnsureCustomers = `INSERT INTO vip_customers (id, hash, body)
		SELECT value->>0, value->>1, value->>2 FROM jsonb_each(?) WHERE true ON CONFLICT (id) DO NOTHING`
	sqlOrderPrint = `SELECT fp FROM vip_orders WHERE id = ?`
	sqlStatusRow  = `SELECT version, body FROM vip_statuses WHERE ladder = ? AND customer_id = ?`
	// Anonymous parameters: the driver looks up the name of every numbered one on each
	// execution, and this one runs once per status.
	sqlUpdateStatus = `UPDATE vip_statuses SET tier = ?, version = version + 1, body = ?, due_at = ?, due_key = ?
		WHERE ladder = ? AND customer_id = ? AND version = ?`
	sqlUnschedule = `UPDATE vip_statuses SET due_key = '', version = version + 1 WHERE customer_id IN (SELECT value FROM json_each(?))
		AND (ladder, customer_id) NOT IN (SELECT value->>0, value->>1 FROM jsonb_each(?))`
	sqlOtherLadders = `SELECT EXISTS (SELECT 1 FROM vip_statuses WHERE ladder < ?1) OR EXISTS (SELECT 1 FROM vip_statuses WHERE ladder > ?1)`
	// +ladder: by the key, one probe a customer (a customer has a status per ladder),
	// not by the ladder index and then the key.
	sqlLoadStatus    = `SELECT customer_id, body, version, due_at, due_key FROM vip_statuses WHERE +ladder = ? AND customer_id IN (SELECT value FROM json_each(?))`
	sqlLoadCustomers = `SELECT id, body, 0 FROM vip_customers WHERE id IN (SELECT value FROM json_each(?))`
	sqlLoadOrders    = `SELECT customer_id, body, 0 FROM vip_orders WHERE customer_id IN (SELECT value FROM json_each(?)) ORDER BY customer_id, placed_at`
	sqlLoadRefunds   = `SELECT customer_id, body, 0 FROM vip_refunds WHERE customer_id IN (SELECT value FROM json_each(?)) ORDER BY customer_id, at, id`
	sqlDue           = `SELECT c.id FROM vip_customers c LEFT JOIN vip_statuses s ON s.ladder = ? AND s.customer_id = c.id
		WHERE c.id > ? AND (? <= 1 OR c.hash % ? = ?) AND (s.customer_id IS NULL OR s.due_key = '' OR s.due_key <> ? OR s.due_at <= ?)
		ORDER BY c.id LIMIT ?`
)

// Orders go as multi-row statements (multiStmt), their values bound directly: this
// measured cheaper than one execution per row, and than extracting them from JSON.
//
// The multi-row writes say OR FAIL. A statement that writes several rows and may abort
// on a constraint (NOT NULL aborts by default) must be able to undo its own rows alone,
// so SQLite opens a statement journal for it and copies there every page it changes
// that the transaction changed before: about 90 pages a commit, 2% of the instructions
// of an ingest. With OR FAIL a failing statement keeps the rows it wrote before the
// failure instead, which changes nothing here: every error fails the commit, and the
// commit rolls the whole transaction back.
func sqlInsertOrders(n int) string {
	return `INSERT OR FAIL INTO vip_orders (id, customer_id, placed_at, currency, paid, fp, body) VALUES ` + valuesList(n, 7) +
		` ON CONFLICT (id) DO NOTHING`
}

// New statuses (version 0) too. Updates go one row per execution: an UPDATE ... FROM
// a VALUES list measured slower (its commit spent the difference and more truncating
// the page cache).
func sqlInsertStatuses(n int) string {
	return `INSERT OR FAIL INTO vip_statuses (ladder, customer_id, tier, body, due_at, due_key, version) VALUES ` +
		strings.ReplaceAll(valuesList(n, 6), "?)", "?, 1)") + ` ON CONFLICT (ladder, customer_id) DO NOTHING`
}

// Events too, in the order of the change (the rows of a VALUES list are inserted in
// order, so their sequence numbers follow it), with bodies in the binary form.
func sqlInsertEvents(n int) string {
	return `INSERT OR FAIL INTO vip_events (ladder, customer_id, kind, at, source, body) VALUES ` + valuesList(n, 6)
}

// Customers' records too, each replacing the stored one of its ID (a later row of the
// same ID replaces an earlier one, as one statement per row did).
func sqlUpsertCustomers(n int) string {
	return `INSERT OR FAIL INTO vip_customers (id, hash, body) VALUES ` + valuesList(n, 3) +
		` ON CONFLICT (id) DO UPDATE SET body = excluded.body`
}

// The multi-row statements' SQL for every chunk size, built once.
var (
	upsertCustomers = multi(sqlUpsertCustomers)
	insertOrders    = multi(sqlInsertOrders)
	insertStatuses  = multi(sqlInsertStatuses)
	insertEvents    = multi(sqlInsertEvents)
)

type readStmts struct {
	loadStatus, loadCustomers, loadOrders, loadRefunds, due *sql.Stmt
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
	s.rs = readStmts{prep(s.r, sqlLoadStatus), prep(s.r, sqlLoadCustomers), prep(s.r, sqlLoadOrders), prep(s.r, sqlLoadRefunds), prep(s.r, sqlDue)}
	if err != nil {
		return err
	}
	// The commit's statements, prepared now so that an error in their SQL shows at Open.
	return s.withConn(ctx, func(w *wconn) error {
		for _, q := range []string{sqlEnsureCustomers, sqlOrderPrint, sqlStatusRow, sqlUpdateStatus, sqlUnschedule, sqlOtherLadders} {
			if _, err := w.stmt(ctx, q); err != nil {
				return err
			}
		}
		for _, m := range []*multiStmt{&upsertCustomers, &insertOrders, &insertStatuses, &insertEvents} {
			if err := m.prepare(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
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
	pragmas := []string{
		"busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")",
		"journal_mode(WAL)",
		"synchronous(" + sync + ")",
		"foreign_keys(1)",
		// Checkpoint every 10,000 WAL pages instead of 1,000: each commit rewrites about
		// a hundred statuses on as many pages, and a page is copied back once per
		// checkpoint.
		"wal_autocheckpoint(10000)",
		// Statement journals in memory: a commit's set-based UPDATE of about a hundred
		// statuses journals as many pages, past the 64 KiB that SQLite keeps in memory
		// before spilling to a temporary file (a write system call per page).
		"temp_store(MEMORY)",
	}
	// dsn is the file's name with the pragmas and a page cache of cacheMB (or def) MiB.
	dsn := func(cacheMB, def int) string {
		if cacheMB <= 0 {
			cacheMB = def
		}
		q := url.Values{"_pragma": append(slices.Clip(pragmas), "cache_size(-"+strconv.Itoa(cacheMB*1024)+")")}
		return path + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn(opts.WriteCacheMB, 8)+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("vip: sqlite %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(opts.CacheMB, 32))
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
func (s *Store) Close() error {
	var err error
	if s.wc != nil { // statements prepared on the write connection: finalized before it closes
		err = s.withConn(context.Background(), func(w *wconn) error { return w.close() })
		s.wc = nil
	}
	return errors.Join(err, s.w.Close(), s.r.Close())
}

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

// micros is the instant t as the statuses' due_at column keeps it (migration 6): Unix
// microseconds, clamped to the years int64 microseconds reach (about 292,000 years
// either side of 1970; a later due instant is as good as never).
func micros(t time.Time) int64 {
	switch {
	case t.Year() > 294000:
		return math.MaxInt64
	case t.Year() < -290000:
		return math.MinInt64
	}
	return t.UnixMicro()
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
	err = func() error {
		rows, err := tx.StmtContext(ctx, s.rs.loadStatus).QueryContext(ctx, ladder, arg)
		if err != nil {
			return fmt.Errorf("vip: sqlite load: %w", err)
		}
		defer rows.Close()
		var id, key string
		var body []byte
		var v int64
		var due sql.NullInt64
		for rows.Next() {
			if err := rows.Scan(&id, &body, &v, &due, &key); err != nil {
				return fmt.Errorf("vip: sqlite load: %w", err)
			}
			st, err := codec.DecodeStatus(body, ladder, id, v)
			if err != nil {
				return err
			}
			cs := &out[at[id]]
			cs.Status, cs.DueKey = st, key
			if due.Valid {
				cs.Due = time.UnixMicro(due.Int64).UTC()
			}
		}
		return rows.Err()
	}()
	found := 0
	if err == nil {
		err = each(s.rs.loadCustomers, []any{arg}, func(id string, body []byte, _ int64) error {
			c, err := codec.DecodeCustomer(body)
			if err == nil {
				out[at[id]].Found = true
				out[at[id]].Activity.Customer = c
				found++
			}
			return err
		})
	}
	// Every stored order and refund has its customer stored (a commit stores the
	// customer of an order with it, see vip.Change; a refund needs its order): when
	// none of the customers is stored, as for the new customers of an ingest, there are
	// no orders or refunds to look for.
	if err == nil && found > 0 {
		err = each(s.rs.loadOrders, []any{arg}, func(id string, body []byte, _ int64) error {
			o, err := codec.DecodeOrderBinary(body)
			if err == nil {
				a := &out[at[id]].Activity
				a.Orders = append(a.Orders, o)
			}
			return err
		})
		// The index gives placement order; ties go by ID.
		byTime := func(a, b vip.Order) int { return cmp.Or(a.PlacedAt.Compare(b.PlacedAt), strings.Compare(a.ID, b.ID)) }
		for i := range out {
			if os := out[i].Activity.Orders; !slices.IsSortedFunc(os, byTime) {
				slices.SortFunc(os, byTime)
			}
		}
	}
	if err == nil && found > 0 {
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

// Commit implements [vip.Store.Commit] in one immediate transaction, on the driver's
// connection (see wconn).
func (s *Store) Commit(ctx context.Context, c vip.Change) error {
	err := s.withConn(ctx, func(w *wconn) error {
		tx, err := w.begin(ctx)
		if err != nil {
			return fmt.Errorf("vip: sqlite commit: %w", err)
		}
		if err := s.apply(ctx, w, c); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			tx.Rollback() // a COMMIT that failed (busy) leaves the transaction open
			return fmt.Errorf("vip: sqlite commit: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.known.AddChange(&c)
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

func (s *Store) apply(ctx context.Context, w *wconn, c vip.Change) error {
	if err := codec.CheckDue(&c); err != nil {
		return err
	}
	sc := &w.sc
	sc.release() // the maps made, the first time
	defer sc.release()
	touchedIDs := sc.touched[:0] // the customers whose other statuses' schedules may go stale
	named := sc.named
	if len(c.Customers) > 0 {
		args := slices.Grow(sc.args[:0], 3*len(c.Customers))
		for _, cu := range c.Customers {
			body, err := codec.Customer(cu)
			if err != nil {
				return err
			}
			args = append(args, cu.ID, int64(vip.CustomerHash(cu.ID)), body)
			named[cu.ID] = true
			touchedIDs = append(touchedIDs, cu.ID)
		}
		sc.args = args
		if err := upsertCustomers.exec(ctx, w, args, 3, func(int, int, int64) error { return nil }); err != nil {
			return wrap("customer", err)
		}
	}
	if len(c.Orders) > 0 {
		var custs jsonRows
		const width = 7
		args := slices.Grow(sc.args[:0], width*len(c.Orders))
		fps := slices.Grow(sc.fps[:0], len(c.Orders))[:len(c.Orders)]
		for i, o := range c.Orders {
			fps[i] = codec.OrderPrint(o)
			args = append(args, o.ID, o.CustomerID, codec.FormatTime(o.PlacedAt), o.Currency, codec.Exact(o.Paid()), fps[i], codec.OrderBinary(o))
			if !named[o.CustomerID] {
				named[o.CustomerID] = true
				if !s.known.Has(o.CustomerID) {
					custs.row(o.CustomerID)
					custs.int(int64(vip.CustomerHash(o.CustomerID)))
					custs.str(idOnlyCustomer(o.CustomerID))
				}
				touchedIDs = append(touchedIDs, o.CustomerID)
			}
		}
		sc.args, sc.fps = args, fps
		err := insertOrders.exec(ctx, w, args, width, func(first, n int, inserted int64) error {
			if inserted == int64(n) {
				return nil
			}
			// Some not inserted: their IDs are stored already (before, or earlier in this
			// change), and must have the same content. An order of the chunk that was
			// inserted compares equal to itself.
			for i := first; i < first+n; i++ {
				var old []byte
				if found, err := w.queryRow(ctx, sqlOrderPrint, []any{c.Orders[i].ID}, &old); err != nil {
					return err
				} else if !found {
					return fmt.Errorf("order %q: neither inserted nor stored", c.Orders[i].ID)
				}
				if !bytes.Equal(old, fps[i]) {
					return fmt.Errorf("vip: order %q is stored with other content: %w", c.Orders[i].ID, vip.ErrConflict)
				}
			}
			return nil
		})
		if err != nil {
			return wrap("order", err)
		}
		if custs.n > 0 {
			if _, err := w.exec(ctx, sqlEnsureCustomers, custs.done()); err != nil {
				return wrap("order", err)
			}
		}
	}
	for _, r := range c.Refunds {
		var n int64
		if _, err := w.queryRow(ctx, `SELECT COUNT(*) FROM vip_orders WHERE id = ?`, []any{r.OrderID}, &n); err != nil {
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
		n, err = w.exec(ctx, `INSERT INTO vip_refunds (id, order_id, customer_id, at, currency, amount, fp, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			r.ID, r.OrderID, r.CustomerID, codec.FormatTime(r.At), r.Currency, codec.Exact(r.Amount), fp, body)
		if err != nil {
			return wrap("refund", err)
		}
		if n == 0 {
			var old []byte
			if _, err := w.queryRow(ctx, `SELECT fp FROM vip_refunds WHERE id = ?`, []any{r.ID}, &old); err != nil {
				return wrap("refund", err)
			}
			if !bytes.Equal(old, fp) {
				return fmt.Errorf("vip: refund %q is stored with other content: %w", r.ID, vip.ErrConflict)
			}
		}
		touchedIDs = append(touchedIDs, r.CustomerID)
	}
	sc.touched = touchedIDs
	seen := sc.seen
	ins := sc.ins[:0] // indexes into c.Statuses of the new ones
	insArgs := sc.insArgs[:0]
	bodies := slices.Grow(sc.bodies[:0], len(c.Statuses))[:len(c.Statuses)]
	// The bodies go one after another into one buffer kept on the connection (the
	// driver copies what it binds); the ladder and schedule key, the same for most
	// statuses, are made arguments once.
	buf := sc.buf[:0]
	var ladderArg, keyArg any
	var ladder, lastKey string
	for i, st := range c.Statuses {
		k := [2]string{st.Ladder, st.CustomerID}
		if seen[k] {
			return fmt.Errorf("vip: status of customer %q on ladder %q appears twice in one change: %w", st.CustomerID, st.Ladder, vip.ErrConflict)
		}
		seen[k] = true
		due, key := codec.Schedule(&c, i)
		var dueArg any // NULL: nothing scheduled
		if !due.IsZero() {
			dueArg = micros(due)
		}
		if ladderArg == nil || st.Ladder != ladder {
			ladder, ladderArg = st.Ladder, st.Ladder
		}
		if keyArg == nil || key != lastKey {
			lastKey, keyArg = key, key
		}
		from := len(buf)
		buf = codec.AppendStatusBinary(buf, st)
		bodies[i] = buf[from:len(buf):len(buf)]
		if st.Version == 0 {
			ins = append(ins, i)
			insArgs = append(insArgs, ladderArg, st.CustomerID, st.Tier, bodies[i], dueArg, keyArg)
			continue
		}
		n, err := w.exec(ctx, sqlUpdateStatus, st.Tier, bodies[i], dueArg, keyArg, ladderArg, st.CustomerID, st.Version)
		if err != nil {
			return wrap("status", err)
		}
		if n != 1 {
			return staleErr(&st)
		}
	}
	sc.ins, sc.insArgs, sc.bodies = ins, insArgs, bodies
	// The compare-and-swap of the new ones: every row of a chunk must be inserted. When
	// one is not, the change fails (and rolls back); staleStatus finds the status to name.
	err := insertStatuses.exec(ctx, w, insArgs, 6, func(first, n int, inserted int64) error {
		if inserted == int64(n) {
			return nil
		}
		return s.staleStatus(ctx, w, c.Statuses, bodies, ins[first:first+n])
	})
	if err != nil {
		return wrap("status", err)
	}
	if len(touchedIDs) > 0 {
		stale, err := s.othersStale(ctx, w, c.Statuses, seen, touchedIDs)
		if err != nil {
			return wrap("status", err)
		}
		if stale {
			var touched, written jsonRows
			for _, id := range touchedIDs {
				touched.value(id)
			}
			for _, st := range c.Statuses {
				written.row(st.Ladder, st.CustomerID)
			}
			if _, err := w.exec(ctx, sqlUnschedule, touched.done(), written.done()); err != nil {
				return wrap("status", err)
			}
		}
	}
	if len(c.Events) > 0 {
		const width = 6
		args := slices.Grow(sc.args[:0], width*len(c.Events))
		var source any = c.Source
		for _, e := range c.Events {
			if ladderArg == nil || e.Ladder != ladder {
				ladder, ladderArg = e.Ladder, e.Ladder
			}
			from := len(buf)
			buf = codec.AppendEventBinary(buf, e)
			args = append(args, ladderArg, e.CustomerID, string(e.Kind), codec.FormatTime(e.At), source, buf[from:len(buf):len(buf)])
		}
		sc.args = args
		if err := insertEvents.exec(ctx, w, args, width, func(int, int, int64) error { return nil }); err != nil {
			return wrap("event", err)
		}
	}
	sc.buf = buf
	return nil
}

// staleStatus returns the ErrStale of a chunk of status inserts (the statuses sts[i]
// for i in at, with their bodies) that did not insert every row: it names the first
// status whose row is not the one the chunk inserted (version 1, with the chunk's
// body).
func (s *Store) staleStatus(ctx context.Context, w *wconn, sts []vip.Status, bodies [][]byte, at []int) error {
	for _, i := range at {
		st := &sts[i]
		var v int64
		var body []byte
		found, err := w.queryRow(ctx, sqlStatusRow, []any{st.Ladder, st.CustomerID}, &v, &body)
		if err != nil {
			return err
		}
		if found && v == st.Version+1 && bytes.Equal(body, bodies[i]) {
			continue
		}
		return staleErr(st)
	}
	// Another writer stored exactly the status this change meant to: which of the
	// chunk's rows it was cannot be told.
	st := &sts[at[0]]
	return fmt.Errorf("vip: a status on ladder %q of %d customers from %q was stored meanwhile: %w", st.Ladder, len(at), st.CustomerID, vip.ErrStale)
}

// staleErr is the ErrStale of the status st.
func staleErr(st *vip.Status) error {
	what := "changed since it was loaded"
	if st.Version == 0 {
		what = "stored meanwhile"
	}
	return fmt.Errorf("vip: status of customer %q on ladder %q %s: %w", st.CustomerID, st.Ladder, what, vip.ErrStale)
}

// othersStale reports whether the touched customers may have statuses that the change
// does not write (sts, whose keys, ladder and customer, are in written), whose versions
// and schedules must then move (the unschedule statement). They have none when the
// change writes a status, all on one ladder, for every touched customer and no other
// ladder has any status: one indexed probe on each side of the ladder, under the write
// lock, instead of a lookup per customer. An Engine's ingest is such a change whenever
// one ladder runs on the store.
func (s *Store) othersStale(ctx context.Context, w *wconn, sts []vip.Status, written map[[2]string]bool, touched []string) (bool, error) {
	if len(sts) == 0 {
		return true, nil
	}
	ladder := sts[0].Ladder
	for _, st := range sts {
		if st.Ladder != ladder {
			return true, nil
		}
	}
	for _, id := range touched {
		if !written[[2]string{ladder, id}] {
			return true, nil
		}
	}
	var others int64
	if _, err := w.queryRow(ctx, sqlOtherLadders, []any{ladder}, &others); err != nil {
		return false, err
	}
	return others != 0, nil
}

// idOnlyCustomer is codec.Customer(vip.Customer{ID: id}) as JSON text, without
// encoding/json (it decodes to the same customer): the record an order's customer is
// stored with when none is.
func idOnlyCustomer(id string) string {
	b := make([]byte, 0, len(id)+48)
	b = append(b, `{"id":`...)
	b = appendJSONString(b, id)
	return string(append(b, `,"joined_at":"0001-01-01T00:00:00Z"}`...))
}

// jsonRows builds the JSON array that a set-based statement reads with json_each: an
// array of rows (arrays of strings, integers and nulls), or of plain strings (value).
type jsonRows struct {
	b    []byte
	n    int  // rows or values
	open bool // a row is open
}

func (j *jsonRows) sep() {
	if j.b == nil {
		j.b = append(make([]byte, 0, 4096), '[')
	} else if c := j.b[len(j.b)-1]; c != '[' {
		j.b = append(j.b, ',')
	}
}

// row starts a row with the strings vals.
func (j *jsonRows) row(vals ...string) {
	if j.open {
		j.b = append(j.b, ']')
	}
	j.sep()
	j.b = append(j.b, '[')
	j.open = true
	j.n++
	for _, v := range vals {
		j.str(v)
	}
}

// value appends a string as a whole element.
func (j *jsonRows) value(v string) {
	j.sep()
	j.b = appendJSONString(j.b, v)
	j.n++
}

func (j *jsonRows) str(v string) {
	j.sep()
	j.b = appendJSONString(j.b, v)
}

func (j *jsonRows) int(v int64) {
	j.sep()
	j.b = strconv.AppendInt(j.b, v, 10)
}

// done closes the array and returns it.
func (j *jsonRows) done() string {
	if j.b == nil {
		return "[]"
	}
	if j.open {
		j.b = append(j.b, ']')
		j.open = false
	}
	return string(append(j.b, ']'))
}

// appendJSONString appends v as a JSON string: quotes, backslashes and control
// characters escaped, every other byte as it is.
func appendJSONString(b []byte, v string) []byte {
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
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

// Due implements [vip.Store.Due]: one pass over the customers in ID order, each
// joined to its status by key.
func (s *Store) Due(ctx context.Context, q vip.DueQuery) ([]string, error) {
	if err := q.Shard.Validate(); err != nil {
		return nil, err
	}
	rows, err := s.rs.due.QueryContext(ctx, q.Ladder, q.After, q.Shard.Count, q.Shard.Count, q.Shard.Index, q.Key, micros(q.At), q.Limit)
	if err != nil {
		return nil, wrap("due", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, wrap("due", err)
		}
		ids = append(ids, id)
	}
	return ids, wrap("due", rows.Err())
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
