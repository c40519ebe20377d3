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
	"github.com/vipkit/vip/store/internal/known"
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
	known  known.Set
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
	// were small keeps scanning them whole as they grow. (Commit and Load set their
	// own, by keys: see planByKeys.)
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

// planByKeys, the first statement of a commit's pipeline and of a load's batch, makes
// the statements after it, for the rest of its transaction, reuse their plans and
// never scan a table. Each of them reaches rows only through keys (unnested arrays of
// them) and ctids, so a plan without scans holds whatever the tables' sizes and
// statistics, while planning every execution anew was a good part of their time on the
// server. The plans are cached by their prepared statements, which nothing else runs.
const planByKeys = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true)`

type queries struct {
	loadStatus, loadCustomers, loadOrders, loadRefunds       string
	customers, due, events, cursor, ensureCursor, lockCursor string
	setCursor, customerExists, history                       string
	commit                                                   [nStmts]string // by stmt
}

// stmt names a statement of a commit; Commit prepares them all on each connection.
type stmt int

const (
	genericPlans stmt = iota
	upsertCustomers
	ensureCustomers
	insertOrders
	insertRefunds
	updateStatuses
	writeStatuses
	unschedule
	unscheduleOthers
	insertEvents
	nStmts
)

func newQueries(sch string) queries {
	t := func(q string) string { return strings.ReplaceAll(q, "§", sch+".") }
	return queries{
		// Each status by its primary key (OFFSET 0 keeps the probes: a join could
		// scan every status of the ladder while the statistics say the table is small).
		loadStatus: t(`SELECT s.customer_id, s.body, s.version, s.due_at, s.due_key FROM unnest($2::text[]) AS u(c)
			CROSS JOIN LATERAL (SELECT * FROM §vip_statuses o WHERE o.ladder = $1 AND o.customer_id = u.c OFFSET 0) s`),
		loadCustomers: t(`SELECT id, body::text FROM §vip_customers WHERE id = ANY($1::text[])`),
		loadOrders:    t(`SELECT customer_id, body FROM §vip_orders WHERE customer_id = ANY($1::text[]) ORDER BY customer_id, placed_at, id`),
		loadRefunds:   t(`SELECT customer_id, body::text FROM §vip_refunds WHERE customer_id = ANY($1::text[]) ORDER BY customer_id, at, id`),
		customers:     t(`SELECT id FROM §vip_customers WHERE id > $1 AND ($2 <= 1 OR hash % $2 = $3) ORDER BY id LIMIT $4`),
		due: t(`SELECT c.id FROM §vip_customers c LEFT JOIN §vip_statuses s ON s.ladder = $5 AND s.customer_id = c.id
			WHERE c.id > $1 AND ($2 <= 1 OR c.hash % $2 = $3)
			AND (s.customer_id IS NULL OR s.due_key = '' OR s.due_key <> $6 OR s.due_at <= $7)
			ORDER BY c.id LIMIT $4`),
		events:         t(`SELECT seq, source, body::text FROM §vip_events WHERE seq > $1 ORDER BY seq LIMIT $2`),
		cursor:         t(`SELECT seq FROM §vip_cursors WHERE consumer = $1`),
		ensureCursor:   t(`INSERT INTO §vip_cursors (consumer, seq) VALUES ($1, 0) ON CONFLICT (consumer) DO NOTHING`),
		lockCursor:     t(`SELECT seq FROM §vip_cursors WHERE consumer = $1 FOR UPDATE`),
		setCursor:      t(`UPDATE §vip_cursors SET seq = $2 WHERE consumer = $1`),
		customerExists: t(`SELECT COUNT(*) FROM §vip_customers WHERE id = $1`),
		history:        t(`SELECT seq, source, body::text FROM §vip_events WHERE ladder = $1 AND customer_id = $2 ORDER BY seq`),
		commit: [nStmts]string{
			genericPlans: planByKeys,
			upsertCustomers: t(`INSERT INTO §vip_customers (id, hash, body)
				SELECT u.id, u.hash, u.body::json FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, hash, body)
				ON CONFLICT (id) DO UPDATE SET body = excluded.body`),
			ensureCustomers: t(`INSERT INTO §vip_customers (id, hash, body)
				SELECT u.id, u.hash, u.body::json FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u(id, hash, body)
				ON CONFLICT (id) DO NOTHING`),
			// An ID already stored with another fingerprint fails the commit: the conflict
			// "updates" such a row with vip_fail, and leaves a row of the same content alone.
			insertOrders: t(`INSERT INTO §vip_orders AS o (id, customer_id, placed_at, currency, paid, fp, body)
				SELECT u.id, u.cid, u.at, u.cur, u.paid::numeric, u.fp, u.body
				FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::bytea[], $7::bytea[]) AS u(id, cid, at, cur, paid, fp, body)
				ON CONFLICT (id) DO UPDATE SET fp = §vip_fail('VPCNF', format('order %s is stored with other content', to_json(excluded.id)))::text::bytea
				WHERE o.fp <> excluded.fp`),
			insertRefunds: t(`INSERT INTO §vip_refunds AS r (id, order_id, customer_id, at, currency, amount, fp, body)
				SELECT u.id, u.oid, u.cid, u.at, u.cur, u.amount::numeric, u.fp, u.body::json
				FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::bytea[], $8::text[]) AS u(id, oid, cid, at, cur, amount, fp, body)
				ON CONFLICT (id) DO UPDATE SET fp = §vip_fail('VPCNF', format('refund %s is stored with other content', to_json(excluded.id)))::text::bytea
				WHERE r.fp <> excluded.fp`),
			// The touched customers' statuses that this change does not write get an
			// unknown schedule and a new version (see vip.Store).
			unschedule: t(`UPDATE §vip_statuses s SET due_key = '', version = s.version + 1 WHERE s.customer_id = ANY($1::text[])
				AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS w(l, c) WHERE w.l = s.ladder AND w.c = s.customer_id)`),
			// The same, for a change that writes every touched customer's status, all on
			// ladder $2: only other ladders' statuses are left, and when the store has none
			// (the least and greatest ladder, two probes of the ends of the primary key,
			// evaluated once before the scan) the statement touches nothing.
			unscheduleOthers: t(`UPDATE §vip_statuses s SET due_key = '', version = s.version + 1
				WHERE ((SELECT min(o.ladder) FROM §vip_statuses o) < $2 OR (SELECT max(o.ladder) FROM §vip_statuses o) > $2)
				AND s.customer_id = ANY($1::text[]) AND s.ladder <> $2`),
			// For a change whose statuses are all stored (the usual ingest; cheaper than
			// writeStatuses), one statement locks them in key order and writes those
			// still at the loaded version; a count short of the rows given is a stale
			// version. The locks are taken in x, materialized on its own: its only plan
			// walks the rows of u (sorted) and probes and locks each one's row in turn,
			// so concurrent commits lock in one order and cannot deadlock, whatever plan
			// joins x to the rows it writes (by ctid).
			updateStatuses: t(`WITH x AS MATERIALIZED (SELECT k.tid, u.*
					FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bytea[], $6::bigint[], $7::timestamptz[], $8::text[]) AS u(l, c, t, ch, b, v, d, k)
					CROSS JOIN LATERAL (SELECT o.ctid AS tid FROM §vip_statuses o WHERE o.ladder = u.l AND o.customer_id = u.c FOR UPDATE) k),
				w AS (UPDATE §vip_statuses s SET tier = x.t, version = s.version + 1, checked = x.ch, body = x.b, due_at = x.d, due_key = x.k
					FROM x WHERE s.ctid = x.tid AND s.version = x.v RETURNING 1)
				SELECT §vip_fail('VPSTL', format('%s of %s statuses changed since they were loaded', cardinality($1::text[]) - n, cardinality($1::text[])))
				FROM (SELECT count(*) AS n FROM w) AS done WHERE n <> cardinality($1::text[])`),
			// For any other change, one statement writes every status, in key order (the
			// rows of u are sorted): a new one (Version 0, stored as 1) is inserted, a stored
			// one locked and updated where its version is still the loaded one (u.v + 1
			// is the version to store). Inserts and updates take their locks in that one
			// order, so concurrent commits cannot deadlock on statuses. Rows it did not
			// write (a stored version that moved on, or a status at version 0 stored
			// meanwhile), and rows it inserted for a version above 0 (none stored: xmax
			// is 0 only on an inserted row), are a stale version, and roll it all back.
			writeStatuses: t(`WITH w AS (INSERT INTO §vip_statuses AS s (ladder, customer_id, tier, version, checked, body, due_at, due_key)
					SELECT u.l, u.c, u.t, u.v + 1, u.ch, u.b, u.d, u.k
					FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bytea[], $6::bigint[], $7::timestamptz[], $8::text[]) AS u(l, c, t, ch, b, v, d, k)
					ON CONFLICT (ladder, customer_id) DO UPDATE SET tier = excluded.tier, version = excluded.version, checked = excluded.checked,
						body = excluded.body, due_at = excluded.due_at, due_key = excluded.due_key
					WHERE s.version = excluded.version - 1
					RETURNING s.xmax = 0 AND s.version > 1 AS unstored)
				SELECT §vip_fail('VPSTL', format('%s of %s statuses changed since they were loaded', cardinality($1::text[]) - n + bad, cardinality($1::text[])))
				FROM (SELECT count(*) AS n, count(*) FILTER (WHERE unstored) AS bad FROM w) AS done WHERE n <> cardinality($1::text[]) OR bad > 0`),
			// The counter row stays locked until the commit: numbers in commit order.
			insertEvents: t(`WITH q AS (UPDATE §vip_seq SET seq = seq + cardinality($1::text[]) WHERE id = 1 RETURNING seq)
				INSERT INTO §vip_events (seq, ladder, customer_id, kind, at, source, body)
				SELECT q.seq - cardinality($1::text[]) + u.n, u.l, u.c, u.k, u.at, $6, u.b::json
				FROM q, unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) WITH ORDINALITY AS u(l, c, k, at, b, n)`),
		},
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
		case "VPCNF": // vip_fail in a commit's checks
			return fmt.Errorf("vip: %s: %w", pe.Message, vip.ErrConflict)
		case "VPSTL":
			return fmt.Errorf("vip: %s: %w", pe.Message, vip.ErrStale)
		}
	}
	return fmt.Errorf("vip: postgres %s: %w", what, err)
}

// Load implements [vip.Store.Load]: one round trip (one implicit transaction, planned
// by keys: see planByKeys), statuses read first.
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
	var found []string
	defer func() { s.known.Add(found...) }()
	b := &pgx.Batch{}
	b.Queue(planByKeys)
	b.Queue(s.q.loadStatus, ladder, ids)
	b.Queue(s.q.loadCustomers, ids)
	b.Queue(s.q.loadOrders, ids)
	b.Queue(s.q.loadRefunds, ids)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, wrap("load", err)
	}
	read := func(fn func(id string, body []byte) error) error {
		rows, err := br.Query()
		if err != nil {
			return wrap("load", err)
		}
		defer rows.Close()
		var id string
		var body []byte
		for rows.Next() {
			if err := rows.Scan(&id, &body); err != nil {
				return wrap("load", err)
			}
			if err := fn(id, body); err != nil {
				return err
			}
		}
		return wrap("load", rows.Err())
	}
	if err := func() error {
		rows, err := br.Query()
		if err != nil {
			return wrap("load", err)
		}
		defer rows.Close()
		var id, key string
		var body []byte
		var v int64
		var due pgtype.Timestamptz
		for rows.Next() {
			if err := rows.Scan(&id, &body, &v, &due, &key); err != nil {
				return wrap("load", err)
			}
			st, err := codec.DecodeStatus(body, ladder, id, v)
			if err != nil {
				return err
			}
			cs := &out[at[id]]
			cs.Status, cs.DueKey = st, key
			if due.Valid {
				cs.Due = due.Time.UTC()
			}
		}
		return wrap("load", rows.Err())
	}(); err != nil {
		return nil, err
	}
	if err := read(func(id string, body []byte) error {
		c, err := codec.DecodeCustomer(body)
		out[at[id]].Found = true
		out[at[id]].Activity.Customer = c
		found = append(found, id)
		return err
	}); err != nil {
		return nil, err
	}
	if err := read(func(id string, body []byte) error {
		o, err := codec.DecodeOrderBinary(body)
		a := &out[at[id]].Activity
		a.Orders = append(a.Orders, o)
		return err
	}); err != nil {
		return nil, err
	}
	if err := read(func(id string, body []byte) error {
		r, err := codec.DecodeRefund(body)
		a := &out[at[id]].Activity
		a.Refunds = append(a.Refunds, r)
		return err
	}); err != nil {
		return nil, err
	}
	return out, wrap("load", br.Close())
}

// Commit implements [vip.Store.Commit] in one round trip: one pipeline of set-based
// statements (arrays unnested) that PostgreSQL runs as one implicit transaction, the
// checks included (a failed check raises an error, which rolls everything back). The
// statements go out as they are built, the orders first, so that the server writes
// the orders while the statuses and events are encoded.
func (s *Store) Commit(ctx context.Context, c vip.Change) error {
	if err := codec.CheckDue(&c); err != nil {
		return err
	}
	p := &pipe{s: s, ctx: ctx}
	err := s.queueChange(p, &c)
	if err = p.finish(err); err == nil {
		s.known.AddChange(&c)
	}
	return err
}

// pipe sends the statements of one commit down one pipeline of one connection, which
// it takes from the pool at the first statement. Nothing is committed before finish
// sends the pipeline's one Sync: a pipe closed without it closes its connection, and
// PostgreSQL rolls the statements back.
type pipe struct {
	s     *Store
	ctx   context.Context
	conn  *pgxpool.Conn
	sds   [nStmts]*pgconn.StatementDescription
	p     *pgconn.Pipeline
	eqb   pgx.ExtendedQueryBuilder
	steps []string // what each sent statement does, for its errors
	err   error    // the first error in sending; the later statements are not sent
}

// start takes a connection, prepares the commit statements on it (once per
// connection: pgx keeps them) and opens the pipeline.
func (p *pipe) start() error {
	conn, err := p.s.pool.Acquire(p.ctx)
	if err != nil {
		return wrap("commit", err)
	}
	p.conn = conn
	for k, q := range p.s.q.commit {
		if p.sds[k], err = conn.Conn().Prepare(p.ctx, q, q); err != nil {
			return wrap("commit", err)
		}
	}
	p.p = conn.Conn().PgConn().StartPipeline(p.ctx)
	p.p.SendQueryStatement(p.sds[genericPlans], nil, nil, nil)
	p.steps = append(p.steps, "commit")
	return nil
}

// send encodes statement k with args and sends it (to the connection's buffer).
func (p *pipe) send(what string, k stmt, args ...any) {
	if p.err == nil && p.p == nil {
		p.err = p.start()
	}
	if p.err != nil {
		return
	}
	sd := p.sds[k]
	if err := p.eqb.Build(p.conn.Conn().TypeMap(), sd, args); err != nil {
		p.err = fmt.Errorf("vip: postgres %s: %w", what, err)
		return
	}
	p.p.SendQueryStatement(sd, p.eqb.ParamValues, p.eqb.ParamFormats, p.eqb.ResultFormats)
	p.steps = append(p.steps, what)
}

// flush hands the statements sent so far to the server, which starts on them.
func (p *pipe) flush() {
	if p.err == nil && p.p != nil {
		p.err = wrap("commit", p.p.Flush())
	}
}

// finish commits what was sent, unless err or a sending error: then it rolls back.
// It reports the first error: err, a sending error, or the first failed statement's.
func (p *pipe) finish(err error) error {
	if p.conn != nil {
		defer p.conn.Release()
	}
	err = cmp.Or(err, p.err)
	if p.p == nil {
		return err
	}
	if err != nil {
		p.p.Close() // unsynced: closes the connection, rolling back
		return err
	}
	if err = p.p.Sync(); err != nil {
		return wrap("commit", err)
	}
	for _, what := range p.steps {
		res, gerr := p.p.GetResults()
		if gerr == nil {
			if rr, ok := res.(*pgconn.ResultReader); ok {
				_, gerr = rr.Close()
			} else {
				gerr = fmt.Errorf("unexpected pipeline result %T", res)
			}
		}
		if gerr != nil {
			err = wrap(what, gerr)
			break
		}
	}
	if err == nil {
		res, gerr := p.p.GetResults()
		if _, ok := res.(*pgconn.PipelineSync); gerr == nil && !ok {
			gerr = fmt.Errorf("unexpected pipeline result %T", res)
		}
		err = wrap("commit", gerr)
	}
	if cerr := p.p.Close(); err == nil && cerr != nil {
		err = wrap("commit", cerr)
	}
	return err
}

// queueChange sends the statements of c in an order that keeps concurrent commits
// from deadlocking: rows go in key order, statuses are locked (or inserted) and
// written in key order by one statement, and the event counter is taken last, so
// that its row is locked briefly.
func (s *Store) queueChange(p *pipe, c *vip.Change) error {
	custs := make(map[string]*vip.Customer, len(c.Customers)+len(c.Orders))
	for i := range c.Customers {
		custs[c.Customers[i].ID] = &c.Customers[i]
	}
	for _, o := range c.Orders {
		if _, ok := custs[o.CustomerID]; !ok {
			custs[o.CustomerID] = nil
		}
	}
	// The customers of orders that are known to be stored need no ensuring insert
	// (they are still touched: their statuses move on).
	needed := missingCustomers(&s.known, custs)
	touched := make([]string, 0, len(custs)+len(c.Refunds))
	for id := range custs {
		touched = append(touched, id)
	}
	slices.Sort(touched)
	var up, ensure customerRows
	for _, id := range touched {
		if cu := custs[id]; cu != nil {
			body, err := codec.Customer(*cu)
			if err != nil {
				return err
			}
			up.add(id, body)
		} else if needed[id] {
			body, _ := codec.Customer(vip.Customer{ID: id})
			ensure.add(id, body)
		}
	}
	if len(up.id) > 0 {
		p.send("customer", upsertCustomers, up.id, up.hash, up.body)
	}
	if len(ensure.id) > 0 {
		p.send("customer", ensureCustomers, ensure.id, ensure.hash, ensure.body)
	}
	if len(c.Orders) > 0 {
		// One row per ID (ON CONFLICT cannot meet a row twice in one statement): a
		// repeat of the same content is dropped, of other content is a conflict.
		orders := slices.Clone(c.Orders)
		slices.SortStableFunc(orders, func(a, b vip.Order) int { return strings.Compare(a.ID, b.ID) })
		n := len(orders)
		oid, cid, cur, paid := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		at, fp, body := make([]time.Time, 0, n), make([][]byte, 0, n), make([][]byte, 0, n)
		for _, o := range orders {
			p := codec.OrderPrint(o)
			if k := len(oid) - 1; k >= 0 && oid[k] == o.ID {
				if !bytes.Equal(fp[k], p) {
					return fmt.Errorf("vip: order %q appears twice in one change with other content: %w", o.ID, vip.ErrConflict)
				}
				continue
			}
			oid, cid, cur, paid = append(oid, o.ID), append(cid, o.CustomerID), append(cur, o.Currency), append(paid, codec.Exact(o.Paid()))
			at, fp, body = append(at, codec.Instant(o.PlacedAt)), append(fp, p), append(body, codec.OrderBinary(o))
		}
		p.send("order", insertOrders, oid, cid, at, cur, paid, fp, body)
		p.flush()
	}
	if len(c.Refunds) > 0 {
		refunds := slices.Clone(c.Refunds)
		slices.SortStableFunc(refunds, func(a, b vip.Refund) int { return strings.Compare(a.ID, b.ID) })
		n := len(refunds)
		id, oid, cid, cur, amount, body := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		at, fp := make([]time.Time, 0, n), make([][]byte, 0, n)
		for _, r := range refunds {
			p := codec.RefundPrint(r)
			if k := len(id) - 1; k >= 0 && id[k] == r.ID {
				if !bytes.Equal(fp[k], p) {
					return fmt.Errorf("vip: refund %q appears twice in one change with other content: %w", r.ID, vip.ErrConflict)
				}
				continue
			}
			b, err := codec.Refund(r)
			if err != nil {
				return err
			}
			id, oid, cid, cur, amount, body = append(id, r.ID), append(oid, r.OrderID), append(cid, r.CustomerID), append(cur, r.Currency), append(amount, codec.Exact(r.Amount)), append(body, string(b))
			at, fp = append(at, codec.Instant(r.At)), append(fp, p)
			touched = append(touched, r.CustomerID)
		}
		p.send("refund", insertRefunds, id, oid, cid, at, cur, amount, fp, body)
		p.flush()
	}
	idx := make([]int, len(c.Statuses))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		a, b := &c.Statuses[i], &c.Statuses[j]
		return cmp.Or(strings.Compare(a.Ladder, b.Ladder), strings.Compare(a.CustomerID, b.CustomerID))
	})
	var rows statusRows
	var wl, wc []string
	for k, i := range idx {
		st := c.Statuses[i]
		if k > 0 {
			if p := c.Statuses[idx[k-1]]; p.Ladder == st.Ladder && p.CustomerID == st.CustomerID {
				return fmt.Errorf("vip: status of customer %q on ladder %q appears twice in one change: %w", st.CustomerID, st.Ladder, vip.ErrConflict)
			}
		}
		body := codec.StatusBinary(st)
		due, key := codec.Schedule(c, i)
		rows.add(st, body, due, key)
		wl, wc = append(wl, st.Ladder), append(wc, st.CustomerID)
	}
	if len(rows.ladder) > 0 {
		k := updateStatuses
		if slices.Contains(rows.version, 0) {
			k = writeStatuses
		}
		p.send("status", k, rows.ladder, rows.customer, rows.tier, rows.checked, rows.body, rows.version, rows.due, rows.key)
	}
	if len(touched) > 0 {
		if l, ok := oneLadderCovers(c.Statuses, touched); ok {
			p.send("status", unscheduleOthers, touched, l)
		} else {
			if wl == nil {
				wl, wc = []string{}, []string{}
			}
			p.send("status", unschedule, touched, wl, wc)
		}
	}
	if n := len(c.Events); n > 0 {
		l, cid, kind, body := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		at := make([]time.Time, n)
		for i, e := range c.Events {
			b, err := codec.Event(e)
			if err != nil {
				return err
			}
			l[i], cid[i], kind[i], at[i], body[i] = e.Ladder, e.CustomerID, string(e.Kind), codec.Instant(e.At), string(b)
		}
		p.send("event", insertEvents, l, cid, kind, at, body, c.Source)
	}
	return nil
}

// oneLadderCovers reports whether the statuses are all on one ladder, returned, and
// include one for every touched customer.
func oneLadderCovers(sts []vip.Status, touched []string) (string, bool) {
	if len(sts) == 0 {
		return "", false
	}
	l := sts[0].Ladder
	written := make(map[string]bool, len(sts))
	for _, st := range sts {
		if st.Ladder != l {
			return "", false
		}
		written[st.CustomerID] = true
	}
	for _, id := range touched {
		if !written[id] {
			return "", false
		}
	}
	return l, true
}

// missingCustomers reports, of the customers in custs that have no record there (nil),
// those k does not know to be stored.
func missingCustomers(k *known.Set, custs map[string]*vip.Customer) map[string]bool {
	var out map[string]bool
	for id, c := range custs {
		if c == nil && !k.Has(id) {
			if out == nil {
				out = map[string]bool{}
			}
			out[id] = true
		}
	}
	return out
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
	ladder, customer, tier, key []string
	body                        [][]byte
	checked, due                []pgtype.Timestamptz
	version                     []int64
}

func (r *statusRows) add(st vip.Status, body []byte, due time.Time, key string) {
	r.ladder, r.customer, r.tier, r.body = append(r.ladder, st.Ladder), append(r.customer, st.CustomerID), append(r.tier, st.Tier), append(r.body, body)
	r.checked = append(r.checked, pgtype.Timestamptz{Time: codec.Instant(st.Checked), Valid: !st.Checked.IsZero()})
	r.due = append(r.due, pgtype.Timestamptz{Time: due, Valid: !due.IsZero()})
	r.version, r.key = append(r.version, st.Version), append(r.key, key)
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

// Due implements [vip.Store.Due]: one pass over the customers in ID order, each
// joined to its status by key.
func (s *Store) Due(ctx context.Context, q vip.DueQuery) ([]string, error) {
	if err := q.Shard.Validate(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.q.due, q.After, int64(q.Shard.Count), int64(q.Shard.Index), int64(q.Limit),
		q.Ladder, q.Key, codec.Instant(q.At))
	if err != nil {
		return nil, wrap("due", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap("due", err)
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
