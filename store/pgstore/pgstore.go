// Package pgstore is a [vip.Store] in PostgreSQL, for shops that outgrow one machine:
// many Engine workers share one database, reviews split by customer shard, and
// compare-and-swap on status versions keeps every update. It uses pgx, stores money
// as NUMERIC, and keeps its tables in one schema (default "vip", configurable and
// validated). The schema is a set of versioned migrations embedded in the binary and
// applied by [Open] under an advisory lock, so several processes may open it at once.
package pgstore

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"github.com/vipkit/vip/store/internal/migrations"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options tune [Open]. A nil *Options means the defaults.
type Options struct {
	// Schema holds the store's tables; "" means "vip". It must be a lower-case SQL
	// identifier: a letter or underscore, then letters, digits or underscores, at most
	// 63 bytes. Open creates it when missing.
	Schema string `json:"schema,omitempty"`
	// MaxConns is the pool size; 0 means pgxpool's default (the larger of 4 and the
	// number of CPUs).
	MaxConns int32 `json:"max_conns,omitempty"`
}

var schemaRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ValidateSchema reports whether name is acceptable as [Options.Schema].
func ValidateSchema(name string) error {
	if !schemaRE.MatchString(name) || strings.HasPrefix(name, "pg_") {
		return fmt.Errorf("vip: postgres schema %q: want a lower-case identifier of letters, digits and underscores, not starting with a digit or pg_", name)
	}
	return nil
}

// Store is a [vip.Store] in PostgreSQL. It is safe for concurrent use by goroutines and
// processes. The zero value is not usable: call [Open], and [Store.Close] when done.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	q      queries
}

var _ vip.Store = (*Store)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value string) and
// applies the schema migrations it lacks.
func Open(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	schema := opts.Schema
	if schema == "" {
		schema = "vip"
	}
	if err := ValidateSchema(schema); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("vip: postgres dsn: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	// Plan each execution with its arguments: a generic plan cached while the tables
	// were small keeps scanning them whole as they grow.
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("vip: postgres: %w", err)
	}
	s := &Store{pool: pool, schema: schema, q: newQueries(pgx.Identifier{schema}.Sanitize())}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("vip: postgres schema %q: %w", schema, err)
	}
	return s, nil
}

// Close closes the pool.
func (s *Store) Close() error { s.pool.Close(); return nil }

// Pool returns the connection pool, for reports and for benchmarks that compare
// against plain SQL. Writing to the store's tables through it breaks its guarantees.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the schema that holds the store's tables.
func (s *Store) Schema() string { return s.schema }

// Migrations returns the schema versions embedded in this binary, in order.
func Migrations() []int {
	ms, _ := versions()
	out := make([]int, len(ms))
	for i, m := range ms {
		out[i] = m.Version
	}
	return out
}

func versions() ([]migrations.Migration, error) { return migrations.Read(migrationFS, "migrations") }

// migrate applies the missing migrations in one transaction holding an advisory lock
// on the schema's name, so that concurrent openers take turns.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := versions()
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	sch := pgx.Identifier{s.schema}.Sanitize()
	steps := []string{
		`SELECT pg_advisory_xact_lock(hashtext('vip migrations ' || '` + s.schema + `'))`,
		`CREATE SCHEMA IF NOT EXISTS ` + sch,
		`SET LOCAL search_path TO ` + sch,
		`CREATE TABLE IF NOT EXISTS vip_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
	}
	for _, q := range steps {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
	}
	var have int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM vip_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if last := ms[len(ms)-1].Version; have > last {
		return fmt.Errorf("schema version %d is newer than this binary's %d", have, last)
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %d: %w", m.Version, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO vip_migrations (version) VALUES ($1)`, m.Version); err != nil {
			return fmt.Errorf("migration %d: %w", m.Version, err)
		}
	}
	return tx.Commit(ctx)
}

type queries struct {
	loadStatus, loadCustomers, loadOrders, loadRefunds                   string
	upsertCustomers, ensureCustomers, insertOrders, orderFP, orderExists string
	insertRefund, refundFP, lockStatuses, insertStatuses, updateStatuses string
	takeSeq                                                              string
	customers, events, cursor, ensureCursor, lockCursor, setCursor       string
	customerExists, history                                              string
}

func newQueries(sch string) queries {
	t := func(q string) string { return strings.ReplaceAll(q, "§", sch+".") }
	return queries{
		loadStatus:    t(`SELECT customer_id, body::text, version FROM §vip_statuses WHERE ladder = $1 AND customer_id = ANY($2::text[])`),
		loadCustomers: t(`SELECT id, body::text FROM §vip_customers WHERE id = ANY($1::text[])`),
		loadOrders:    t(`SELECT customer_id, body FROM §vip_orders WHERE customer_id = ANY($1::text[]) ORDER BY customer_id, placed_at, id`),
		loadRefunds:   t(`SELECT customer_id, body::text FROM §vip_refunds WHERE customer_id = ANY($1::text[]) ORDER BY customer_id, at, id`),
		upsertCustomers: t(`INSERT INTO §vip_customers (id, hash, body)
			SELECT u.id, u.hash, u.body::json FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, hash, body)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body`),
		ensureCustomers: t(`INSERT INTO §vip_customers (id, hash, body)
			SELECT u.id, u.hash, u.body::json FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, hash, body)
			ON CONFLICT (id) DO NOTHING`),
		insertOrders: t(`INSERT INTO §vip_orders (id, customer_id, placed_at, currency, paid, fp, body)
			SELECT u.id, u.cid, u.at, u.cur, u.paid::numeric, u.fp, u.body
			FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::bytea[], $7::bytea[]) AS u(id, cid, at, cur, paid, fp, body)
			ON CONFLICT (id) DO NOTHING RETURNING id`),
		orderFP:     t(`SELECT fp FROM §vip_orders WHERE id = $1`),
		orderExists: t(`SELECT COUNT(*) FROM §vip_orders WHERE id = $1`),
		insertRefund: t(`INSERT INTO §vip_refunds (id, order_id, customer_id, at, currency, amount, fp, body)
			VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8) ON CONFLICT (id) DO NOTHING`),
		refundFP: t(`SELECT fp FROM §vip_refunds WHERE id = $1`),
		lockStatuses: t(`SELECT 1 FROM §vip_statuses s JOIN unnest($1::text[], $2::text[]) AS u(l, c) ON s.ladder = u.l AND s.customer_id = u.c
			ORDER BY s.ladder, s.customer_id FOR UPDATE OF s`),
		updateStatuses: t(`UPDATE §vip_statuses s SET tier = u.t, version = s.version + 1, checked = u.ch, body = u.b::json
			FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::bigint[]) AS u(l, c, t, ch, b, v)
			WHERE s.ladder = u.l AND s.customer_id = u.c AND s.version = u.v`),
		insertStatuses: t(`INSERT INTO §vip_statuses (ladder, customer_id, tier, version, checked, body)
			SELECT u.l, u.c, u.t, 1, u.ch, u.b::json FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS u(l, c, t, ch, b)
			ON CONFLICT (ladder, customer_id) DO NOTHING`),
		takeSeq:        t(`UPDATE §vip_seq SET seq = seq + $1 WHERE id = 1 RETURNING seq`),
		customers:      t(`SELECT id FROM §vip_customers WHERE id > $1 AND ($2 <= 1 OR hash % $2 = $3) ORDER BY id LIMIT $4`),
		events:         t(`SELECT seq, source, body::text FROM §vip_events WHERE seq > $1 ORDER BY seq LIMIT $2`),
		cursor:         t(`SELECT seq FROM §vip_cursors WHERE consumer = $1`),
		ensureCursor:   t(`INSERT INTO §vip_cursors (consumer, seq) VALUES ($1, 0) ON CONFLICT (consumer) DO NOTHING`),
		lockCursor:     t(`SELECT seq FROM §vip_cursors WHERE consumer = $1 FOR UPDATE`),
		setCursor:      t(`UPDATE §vip_cursors SET seq = $2 WHERE consumer = $1`),
		customerExists: t(`SELECT COUNT(*) FROM §vip_customers WHERE id = $1`),
		history:        t(`SELECT seq, source, body::text FROM §vip_events WHERE ladder = $1 AND customer_id = $2 ORDER BY seq`),
	}
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("vip: postgres %s: %v: %w", what, err, vip.ErrConflict)
		case "23503": // foreign_key_violation
			return fmt.Errorf("vip: postgres %s: %v: %w", what, err, vip.ErrNotFound)
		case "40001", "40P01": // serialization failure, deadlock: nothing was stored, try again
			return fmt.Errorf("vip: postgres %s: %v: %w", what, err, vip.ErrStale)
		}
	}
	return fmt.Errorf("vip: postgres %s: %w", what, err)
}

// Load implements [vip.Store.Load]: one round trip, statuses read first.
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
	b := &pgx.Batch{}
	b.Queue(s.q.loadStatus, ladder, ids)
	b.Queue(s.q.loadCustomers, ids)
	b.Queue(s.q.loadOrders, ids)
	b.Queue(s.q.loadRefunds, ids)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	read := func(withVersion bool, fn func(id string, body []byte, v int64) error) error {
		rows, err := br.Query()
		if err != nil {
			return wrap("load", err)
		}
		defer rows.Close()
		var id string
		var body []byte
		var v int64
		for rows.Next() {
			if withVersion {
				err = rows.Scan(&id, &body, &v)
			} else {
				err = rows.Scan(&id, &body)
			}
			if err != nil {
				return wrap("load", err)
			}
			if err := fn(id, body, v); err != nil {
				return err
			}
		}
		return wrap("load", rows.Err())
	}
	if err := read(true, func(id string, body []byte, v int64) error {
		st, err := codec.DecodeStatus(body, v)
		out[at[id]].Status = st
		return err
	}); err != nil {
		return nil, err
	}
	if err := read(false, func(id string, body []byte, _ int64) error {
		c, err := codec.DecodeCustomer(body)
		out[at[id]].Found = true
		out[at[id]].Activity.Customer = c
		return err
	}); err != nil {
		return nil, err
	}
	if err := read(false, func(id string, body []byte, _ int64) error {
		o, err := codec.DecodeOrderBinary(body)
		a := &out[at[id]].Activity
		a.Orders = append(a.Orders, o)
		return err
	}); err != nil {
		return nil, err
	}
	if err := read(false, func(id string, body []byte, _ int64) error {
		r, err := codec.DecodeRefund(body)
		a := &out[at[id]].Activity
		a.Refunds = append(a.Refunds, r)
		return err
	}); err != nil {
		return nil, err
	}
	return out, wrap("load", br.Close())
}

// Commit implements [vip.Store.Commit] in one transaction.
func (s *Store) Commit(ctx context.Context, c vip.Change) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap("commit", err)
	}
	defer tx.Rollback(ctx)
	if err := s.apply(ctx, tx, c); err != nil {
		return err
	}
	return wrap("commit", tx.Commit(ctx))
}

func (s *Store) apply(ctx context.Context, tx pgx.Tx, c vip.Change) error {
	// Round trip 1, one pgx batch of set-based statements (arrays unnested): customers,
	// orders, refunds, then the statuses with compare-and-swap. Rows go in key order,
	// and status rows are locked in key order first, so that concurrent commits take
	// their locks in one order and cannot deadlock.
	b := &pgx.Batch{}
	custs := make(map[string]*vip.Customer, len(c.Customers)+len(c.Orders))
	for i := range c.Customers {
		custs[c.Customers[i].ID] = &c.Customers[i]
	}
	for _, o := range c.Orders {
		if _, ok := custs[o.CustomerID]; !ok {
			custs[o.CustomerID] = nil
		}
	}
	ids := make([]string, 0, len(custs))
	for id := range custs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var up, ensure customerRows
	for _, id := range ids {
		if cu := custs[id]; cu != nil {
			body, err := codec.Customer(*cu)
			if err != nil {
				return err
			}
			up.add(id, body)
		} else {
			body, _ := codec.Customer(vip.Customer{ID: id})
			ensure.add(id, body)
		}
	}
	if len(up.id) > 0 {
		b.Queue(s.q.upsertCustomers, up.id, up.hash, up.body)
	}
	if len(ensure.id) > 0 {
		b.Queue(s.q.ensureCustomers, ensure.id, ensure.hash, ensure.body)
	}
	orders := slices.Clone(c.Orders)
	slices.SortStableFunc(orders, func(a, b vip.Order) int { return strings.Compare(a.ID, b.ID) })
	fps := make([][]byte, len(orders))
	if len(orders) > 0 {
		var (
			oid, cid, cur, paid []string
			at                  []time.Time
			body                [][]byte
		)
		for i, o := range orders {
			fps[i] = codec.OrderPrint(o)
			oid, cid, cur, paid = append(oid, o.ID), append(cid, o.CustomerID), append(cur, o.Currency), append(paid, codec.Exact(o.Paid()))
			at, body = append(at, codec.Instant(o.PlacedAt)), append(body, codec.OrderBinary(o))
		}
		b.Queue(s.q.insertOrders, oid, cid, at, cur, paid, fps, body)
	}
	refunds := slices.Clone(c.Refunds)
	slices.SortStableFunc(refunds, func(a, b vip.Refund) int { return strings.Compare(a.ID, b.ID) })
	rfps := make([][]byte, len(refunds))
	for i, r := range refunds {
		body, err := codec.Refund(r)
		if err != nil {
			return err
		}
		rfps[i] = codec.RefundPrint(r)
		b.Queue(s.q.orderExists, r.OrderID)
		b.Queue(s.q.insertRefund, r.ID, r.OrderID, r.CustomerID, codec.Instant(r.At), r.Currency, codec.Exact(r.Amount), rfps[i], string(body))
	}
	statuses := slices.Clone(c.Statuses)
	slices.SortStableFunc(statuses, func(a, b vip.Status) int {
		return cmp.Or(strings.Compare(a.Ladder, b.Ladder), strings.Compare(a.CustomerID, b.CustomerID))
	})
	for i := 1; i < len(statuses); i++ {
		if statuses[i].Ladder == statuses[i-1].Ladder && statuses[i].CustomerID == statuses[i-1].CustomerID {
			return fmt.Errorf("vip: status of customer %q on ladder %q appears twice in one change: %w", statuses[i].CustomerID, statuses[i].Ladder, vip.ErrConflict)
		}
	}
	var ins, upd statusRows
	for _, st := range statuses {
		body, err := codec.Status(st)
		if err != nil {
			return err
		}
		if st.Version == 0 {
			ins.add(st, body)
		} else {
			upd.add(st, body)
		}
	}
	if len(upd.ladder) > 0 {
		b.Queue(s.q.lockStatuses, upd.ladder, upd.customer)
		b.Queue(s.q.updateStatuses, upd.ladder, upd.customer, upd.tier, upd.checked, upd.body, upd.version)
	}
	if len(ins.ladder) > 0 {
		b.Queue(s.q.insertStatuses, ins.ladder, ins.customer, ins.tier, ins.checked, ins.body)
	}

	var dupOrders, dupRefunds []int
	if b.Len() > 0 {
		br := tx.SendBatch(ctx, b)
		err := func() error {
			if len(up.id) > 0 {
				if _, err := br.Exec(); err != nil {
					return wrap("customer", err)
				}
			}
			if len(ensure.id) > 0 {
				if _, err := br.Exec(); err != nil {
					return wrap("customer", err)
				}
			}
			if len(orders) > 0 {
				rows, err := br.Query()
				if err != nil {
					return wrap("order", err)
				}
				inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					return wrap("order", err)
				}
				got := make(map[string]bool, len(inserted))
				for _, id := range inserted {
					got[id] = true
				}
				for i, o := range orders {
					if !got[o.ID] {
						dupOrders = append(dupOrders, i)
					}
					delete(got, o.ID) // a second order of the same ID in c is a duplicate
				}
			}
			for i, r := range refunds {
				var n int
				if err := br.QueryRow().Scan(&n); err != nil {
					return wrap("refund", err)
				}
				if n == 0 {
					return fmt.Errorf("vip: refund %q: order %q: %w", r.ID, r.OrderID, vip.ErrNotFound)
				}
				tag, err := br.Exec()
				if err != nil {
					return wrap("refund", err)
				}
				if tag.RowsAffected() == 0 {
					dupRefunds = append(dupRefunds, i)
				}
			}
			if len(upd.ladder) > 0 {
				if _, err := br.Exec(); err != nil {
					return wrap("status", err)
				}
				tag, err := br.Exec()
				if err != nil {
					return wrap("status", err)
				}
				if n := tag.RowsAffected(); n != int64(len(upd.ladder)) {
					return fmt.Errorf("vip: %d of %d statuses changed since they were loaded: %w", int64(len(upd.ladder))-n, len(upd.ladder), vip.ErrStale)
				}
			}
			if len(ins.ladder) > 0 {
				tag, err := br.Exec()
				if err != nil {
					return wrap("status", err)
				}
				if n := tag.RowsAffected(); n != int64(len(ins.ladder)) {
					return fmt.Errorf("vip: %d of %d new statuses were stored meanwhile: %w", int64(len(ins.ladder))-n, len(ins.ladder), vip.ErrStale)
				}
			}
			return nil
		}()
		if cerr := br.Close(); err == nil && cerr != nil {
			err = wrap("commit", cerr)
		}
		if err != nil {
			return err
		}
	}
	for _, i := range dupOrders {
		var old []byte
		if err := tx.QueryRow(ctx, s.q.orderFP, orders[i].ID).Scan(&old); err != nil {
			return wrap("order", err)
		}
		if !bytes.Equal(old, fps[i]) {
			return fmt.Errorf("vip: order %q is stored with other content: %w", orders[i].ID, vip.ErrConflict)
		}
	}
	for _, i := range dupRefunds {
		var old []byte
		if err := tx.QueryRow(ctx, s.q.refundFP, refunds[i].ID).Scan(&old); err != nil {
			return wrap("refund", err)
		}
		if !bytes.Equal(old, rfps[i]) {
			return fmt.Errorf("vip: refund %q is stored with other content: %w", refunds[i].ID, vip.ErrConflict)
		}
	}
	// Round trips 2 and 3, last, so that the sequence row is locked briefly: events.
	if len(c.Events) > 0 {
		var last int64
		if err := tx.QueryRow(ctx, s.q.takeSeq, int64(len(c.Events))).Scan(&last); err != nil {
			return wrap("event", err)
		}
		first := last - int64(len(c.Events)) + 1
		rows := make([][]any, len(c.Events))
		for i, e := range c.Events {
			body, err := codec.Event(e)
			if err != nil {
				return err
			}
			rows[i] = []any{first + int64(i), e.Ladder, e.CustomerID, string(e.Kind), codec.Instant(e.At), c.Source, string(body)}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.schema, "vip_events"},
			[]string{"seq", "ladder", "customer_id", "kind", "at", "source", "body"}, pgx.CopyFromRows(rows)); err != nil {
			return wrap("event", err)
		}
	}
	return nil
}

type customerRows struct {
	id   []string
	hash []int64
	body []string
}

func (r *customerRows) add(id string, body []byte) {
	r.id, r.hash, r.body = append(r.id, id), append(r.hash, int64(vip.CustomerHash(id))), append(r.body, string(body))
}

type statusRows struct {
	ladder, customer, tier, body []string
	checked                      []pgtype.Timestamptz
	version                      []int64
}

func (r *statusRows) add(st vip.Status, body []byte) {
	r.ladder, r.customer, r.tier, r.body = append(r.ladder, st.Ladder), append(r.customer, st.CustomerID), append(r.tier, st.Tier), append(r.body, string(body))
	r.checked = append(r.checked, pgtype.Timestamptz{Time: codec.Instant(st.Checked), Valid: !st.Checked.IsZero()})
	r.version = append(r.version, st.Version)
}

// Customers implements [vip.Store.Customers].
func (s *Store) Customers(ctx context.Context, shard vip.Shard, after string, limit int) ([]string, error) {
	if err := shard.Validate(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.q.customers, after, int64(shard.Count), int64(shard.Index), int64(limit))
	if err != nil {
		return nil, wrap("customers", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap("customers", err)
}

func (s *Store) records(ctx context.Context, query string, args ...any) ([]vip.Record, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, wrap("events", err)
	}
	defer rows.Close()
	return codec.Records(rows, func(err error) error { return wrap("events", err) })
}

// Events implements [vip.Store.Events].
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]vip.Record, error) {
	return s.records(ctx, s.q.events, after, int64(limit))
}

// Cursor implements [vip.Store.Cursor].
func (s *Store) Cursor(ctx context.Context, consumer string) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, s.q.cursor, consumer).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return seq, wrap("cursor", err)
}

// Ack implements [vip.Store.Ack].
func (s *Store) Ack(ctx context.Context, consumer string, from, to int64) error {
	if to < from {
		return fmt.Errorf("vip: cursor %q: ack from %d back to %d: %w", consumer, from, to, vip.ErrStale)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap("ack", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, s.q.ensureCursor, consumer); err != nil {
		return wrap("ack", err)
	}
	var cur int64
	if err := tx.QueryRow(ctx, s.q.lockCursor, consumer).Scan(&cur); err != nil {
		return wrap("ack", err)
	}
	if cur != from {
		return fmt.Errorf("vip: cursor %q is at %d, not %d: %w", consumer, cur, from, vip.ErrStale)
	}
	if _, err := tx.Exec(ctx, s.q.setCursor, consumer, to); err != nil {
		return wrap("ack", err)
	}
	return wrap("ack", tx.Commit(ctx))
}

// History implements [vip.Store.History].
func (s *Store) History(ctx context.Context, ladder, customerID string) ([]vip.Record, error) {
	var n int
	if err := s.pool.QueryRow(ctx, s.q.customerExists, customerID).Scan(&n); err != nil {
		return nil, wrap("history", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("vip: customer %q: %w", customerID, vip.ErrNotFound)
	}
	return s.records(ctx, s.q.history, ladder, customerID)
}
