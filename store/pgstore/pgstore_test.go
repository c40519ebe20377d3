package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/pgstore"
	"github.com/vipkit/vip/store/storetest"
)

// dsn returns VIP_POSTGRES_DSN, skipping the test when it is unset, except in CI
// (CI=true), where a missing database is a failure.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("VIP_POSTGRES_DSN")
	if d == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("VIP_POSTGRES_DSN is unset in CI: .ci/postgres.sh should have started PostgreSQL")
		}
		t.Skip("PostgreSQL tests need VIP_POSTGRES_DSN (for example postgres://postgres@127.0.0.1:5432/vip?sslmode=disable); source .ci/postgres.sh to start one")
	}
	return d
}

var schemaSeq atomic.Int64

// freshSchema names a schema no other test uses, and drops it when t ends.
func freshSchema(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("vip_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	d := dsn(t)
	t.Cleanup(func() {
		s, err := pgstore.Open(context.Background(), d, &pgstore.Options{Schema: name})
		if err != nil {
			return
		}
		defer s.Close()
		s.Pool().Exec(context.Background(), `DROP SCHEMA `+name+` CASCADE`)
	})
	return name
}

func open(t testing.TB, schema string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), dsn(t), &pgstore.Options{Schema: schema})
	if err != nil {
		t.Fatalf("Open(schema %q) = %v", schema, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	dsn(t)
	storetest.Run(t, func(t *testing.T) vip.Store { return open(t, freshSchema(t)) })
}

func TestOpen_Schema(t *testing.T) {
	for _, bad := range []string{"Vip", "1vip", "vip-x", "vip;drop", "pg_catalog", `"vip"`, "a234567890123456789012345678901234567890123456789012345678901234"} {
		if err := pgstore.ValidateSchema(bad); err == nil {
			t.Errorf("ValidateSchema(%q) = nil, want an error", bad)
		}
		if _, err := pgstore.Open(context.Background(), "postgres://nowhere.invalid/x", &pgstore.Options{Schema: bad}); err == nil {
			t.Errorf("Open(schema %q) = nil error, want a refusal", bad)
		}
	}
	for _, good := range []string{"vip", "_x", "shop_vip_2"} {
		if err := pgstore.ValidateSchema(good); err != nil {
			t.Errorf("ValidateSchema(%q) = %v, want nil", good, err)
		}
	}
}

// TestOpen_Concurrent opens one new schema from several pools at once (as several
// processes would): the migrations are applied once.
func TestOpen_Concurrent(t *testing.T) {
	schema := freshSchema(t)
	const openers = 6
	errc := make(chan error, openers)
	for range openers {
		go func() {
			s, err := pgstore.Open(t.Context(), dsn(t), &pgstore.Options{Schema: schema})
			if err == nil {
				s.Close()
			}
			errc <- err
		}()
	}
	for range openers {
		if err := <-errc; err != nil {
			t.Errorf("concurrent Open = %v", err)
		}
	}
	s := open(t, schema)
	var n int
	if err := s.Pool().QueryRow(t.Context(), `SELECT COUNT(*) FROM `+schema+`.vip_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := len(pgstore.Migrations()); n != want {
		t.Errorf("vip_migrations has %d rows after concurrent opens, want %d", n, want)
	}
}

var target = storetest.Target{
	New:  func(t *testing.T) string { return freshSchema(t) },
	Open: func(t testing.TB, place string) vip.Store { return open(t, place) },
}

// TestCrash kills a writer process with SIGKILL in the middle of ingest.
func TestCrash(t *testing.T) { storetest.RunCrash(t, target) }

// TestShardedReview runs four review processes on shards of one database, one of them
// killed with SIGKILL and restarted; the result equals a single-process review.
func TestShardedReview(t *testing.T) { storetest.RunShardedReview(t, target) }

// TestMigration3_JSONStatusStillRead: a schema at version 2, with a status stored as
// JSON (the json column of then), is migrated by Open to version 3 (bytea bodies); the
// status loads as it was, and its next write stores the binary form.
func TestMigration3_JSONStatusStillRead(t *testing.T) {
	schema := freshSchema(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	steps := []string{`CREATE SCHEMA ` + schema, `SET search_path TO ` + schema,
		`CREATE TABLE vip_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`}
	for _, name := range []string{"migrations/0001_init.sql", "migrations/0002_due.sql"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, string(b))
	}
	steps = append(steps, `INSERT INTO vip_migrations (version) VALUES (1), (2)`,
		`INSERT INTO vip_statuses (ladder, customer_id, tier, version, checked, body, due_at, due_key)
			VALUES ('gold', 'c1', 'Gold', 3, '2025-02-01T00:00:00Z', '`+oldStatusJSON+`', NULL, '')`,
		`RESET search_path`)
	for _, q := range steps {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	s := open(t, schema)
	var version int
	var typ string
	if err := s.Pool().QueryRow(ctx, `SELECT (SELECT MAX(version) FROM `+schema+`.vip_migrations),
		(SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'vip_statuses' AND column_name = 'body')`, schema).Scan(&version, &typ); err != nil {
		t.Fatal(err)
	}
	if version != 3 || typ != "bytea" {
		t.Fatalf("after Open: schema version %d, status body %s; want 3, bytea", version, typ)
	}
	load := func() vip.Status {
		t.Helper()
		cs, err := s.Load(ctx, "gold", []string{"c1"})
		if err != nil || len(cs) != 1 {
			t.Fatalf("Load = %v, %v", cs, err)
		}
		return cs[0].Status
	}
	if diff := cmp.Diff(oldStatus, load()); diff != "" {
		t.Fatalf("JSON status row after the migration (-want +got):\n%s", diff)
	}
	next := oldStatus
	next.Tier, next.Checked = "Platinum", next.Checked.AddDate(0, 1, 0)
	if err := s.Commit(ctx, vip.Change{Statuses: []vip.Status{next}}); err != nil {
		t.Fatal(err)
	}
	next.Version = 4
	if diff := cmp.Diff(next, load()); diff != "" {
		t.Errorf("after an update (-want +got):\n%s", diff)
	}
	var first int
	if err := s.Pool().QueryRow(ctx, `SELECT get_byte(body, 0) FROM `+schema+`.vip_statuses`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	if first != 1 {
		t.Errorf("updated status body starts with byte %d, want the binary form's version byte 1", first)
	}
}

// oldStatusJSON is a status body as the store wrote it before statuses were binary:
// the JSON of vip.Status, customer and ladder included.
const oldStatusJSON = `{"customer_id":"c1","ladder":"gold","tier":"Gold","since":"2025-01-02T03:04:05.000006Z","peak":"Platinum",` +
	`"last_landing":"2025-01-02T03:04:05.000006Z","checked":"2025-02-01T00:00:00Z","seen":3,"warned_for":"2026-01-02T03:04:05.000006Z","warned":60}`

// oldStatus is oldStatusJSON decoded by hand, at version 3.
var oldStatus = vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold", Since: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC),
	Peak: "Platinum", LastLanding: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), Checked: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
	Seen: 3, WarnedFor: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Warned: 60, Version: 3}

// orderAt is when testOrder's orders are placed.
var orderAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testOrder returns an order of 1.00 USD of the customer, at orderAt.
func testOrder(id, customerID string) vip.Order {
	return vip.Order{ID: id, CustomerID: customerID, PlacedAt: orderAt, Currency: "USD",
		Lines: []vip.Line{{SKU: "s", Quantity: 1, ListPrice: decimal.New(100, -2), PaidPrice: decimal.New(100, -2)}}}
}

// TestCommit_EnsuresUnknownCustomers: the store skips the insert that ensures an
// order's customer only for customers it knows are stored. A Load that did not find
// the customer, and a commit that failed, teach it nothing: the next commit of an
// order alone still stores the customer; and one it learned from a Load or from
// another process's commit stays stored.
func TestCommit_EnsuresUnknownCustomers(t *testing.T) {
	schema := freshSchema(t)
	s, other := open(t, schema), open(t, schema)
	ctx := t.Context()
	if _, err := s.Load(ctx, "gold", []string{"c1"}); err != nil {
		t.Fatal(err)
	}
	stale := vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold", Version: 3}
	if err := s.Commit(ctx, vip.Change{Orders: []vip.Order{testOrder("o1", "c1")}, Statuses: []vip.Status{stale}}); !errors.Is(err, vip.ErrStale) {
		t.Fatalf("Commit with a stale status = %v, want ErrStale", err)
	}
	if err := other.Commit(ctx, vip.Change{Customers: []vip.Customer{{ID: "c2", JoinedAt: orderAt}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "gold", []string{"c2"}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []vip.Order{testOrder("o2", "c1"), testOrder("o3", "c2")} {
		if err := s.Commit(ctx, vip.Change{Orders: []vip.Order{o}}); err != nil {
			t.Fatalf("Commit(order %s of %s) = %v", o.ID, o.CustomerID, err)
		}
	}
	type row struct {
		ID     string
		Found  bool
		Joined time.Time
		Orders []string
	}
	var got []row
	for _, st := range []vip.Store{s, other} {
		cs, err := st.Load(ctx, "gold", []string{"c1", "c2"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			r := row{ID: c.Activity.Customer.ID, Found: c.Found, Joined: c.Activity.Customer.JoinedAt}
			for _, o := range c.Activity.Orders {
				r.Orders = append(r.Orders, o.ID)
			}
			got = append(got, r)
		}
	}
	want := []row{{"c1", true, time.Time{}, []string{"o2"}}, {"c2", true, orderAt, []string{"o3"}}}
	want = append(want, want...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("customers after the commits, loaded by both stores (-want +got):\n%s", diff)
	}
	ids, err := s.Customers(ctx, vip.Shard{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"c1", "c2"}, ids); diff != "" {
		t.Errorf("Customers (-want +got):\n%s", diff)
	}
}

// TestCommit_StatusesLockedInOrder: writers commit several statuses at once, of
// overlapping customers, each change listing them in its own order, some new (the
// first changes of a customer insert its status) and some stored. The store writes
// them in one order, so that no commit fails with a deadlock (SQLSTATE 40P01), and
// the compare-and-swap loses no update: each customer's counter equals its version,
// and the counters add up to the committed increments.
func TestCommit_StatusesLockedInOrder(t *testing.T) {
	s := open(t, freshSchema(t))
	const writers, commits, customers, per = 6, 25, 8, 4
	ctx := t.Context()
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range commits {
				ids := make([]string, 0, per)
				for _, k := range r.Perm(customers)[:per] {
					ids = append(ids, fmt.Sprintf("c%d", k))
				}
				for {
					cs, err := s.Load(ctx, "gold", ids)
					if err != nil {
						errc <- err
						return
					}
					var sts []vip.Status
					for _, c := range cs {
						st := c.Status
						st.Tier, st.Warned = "Gold", st.Warned+1
						sts = append(sts, st)
					}
					err = s.Commit(ctx, vip.Change{Statuses: sts})
					if err == nil {
						break
					}
					if !errors.Is(err, vip.ErrStale) || strings.Contains(err.Error(), "40P01") {
						errc <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Errorf("writer: %v", err)
	}
	ids := make([]string, customers)
	for k := range ids {
		ids[k] = fmt.Sprintf("c%d", k)
	}
	cs, err := s.Load(ctx, "gold", ids)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range cs {
		if int64(c.Status.Warned) != c.Status.Version {
			t.Errorf("customer %s: counter %d at version %d, want equal", c.Status.CustomerID, c.Status.Warned, c.Status.Version)
		}
		total += c.Status.Warned
	}
	if total != writers*commits*per {
		t.Errorf("counters add up to %d, want %d: updates were lost", total, writers*commits*per)
	}
}

// TestCommit_FailsAfterSending: a change found invalid after its orders went to the
// server (a status twice) stores nothing, and the store's next commits work.
func TestCommit_FailsAfterSending(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	o := testOrder("o1", "c1")
	st := vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold"}
	for range 2 * 8 { // more than the pool's connections: each failure closes one
		err := s.Commit(ctx, vip.Change{Orders: []vip.Order{o}, Statuses: []vip.Status{st, st}})
		if !errors.Is(err, vip.ErrConflict) {
			t.Fatalf("Commit with a status twice = %v, want ErrConflict", err)
		}
	}
	cs, err := s.Load(ctx, "gold", []string{"c1"})
	if err != nil {
		t.Fatal(err)
	}
	if cs[0].Found || len(cs[0].Activity.Orders) != 0 {
		t.Fatalf("after failed commits: found %v, %d orders; want nothing stored", cs[0].Found, len(cs[0].Activity.Orders))
	}
	if err := s.Commit(ctx, vip.Change{Orders: []vip.Order{o}, Statuses: []vip.Status{st}}); err != nil {
		t.Fatalf("Commit after the failures = %v", err)
	}
	if cs, err = s.Load(ctx, "gold", []string{"c1"}); err != nil || len(cs[0].Activity.Orders) != 1 || cs[0].Status.Version != 1 {
		t.Fatalf("after a good commit: %+v, %v; want the order and the status at version 1", cs, err)
	}
}

// TestCommit_PlanSettingsStayInTheCommit: Commit and Load plan their statements
// generically and without scans for their own transaction only; the connection goes
// back to the pool planning each execution with its arguments, as Open set it, scans
// allowed.
func TestCommit_PlanSettingsStayInTheCommit(t *testing.T) {
	s, err := pgstore.Open(t.Context(), dsn(t), &pgstore.Options{Schema: freshSchema(t), MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{{CustomerID: "c1", Ladder: "gold", Tier: "Gold"}}}); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.Load(t.Context(), "gold", []string{"c1", "c2"}); err != nil || cs[0].Status.Version != 1 {
		t.Fatalf("Load = %+v, %v; want c1's status at version 1", cs, err)
	}
	var mode, seqscan string
	if err := s.Pool().QueryRow(t.Context(), `SELECT current_setting('plan_cache_mode'), current_setting('enable_seqscan')`).Scan(&mode, &seqscan); err != nil {
		t.Fatal(err)
	}
	if mode != "force_custom_plan" || seqscan != "on" {
		t.Errorf("after a commit and a load: plan_cache_mode %q, enable_seqscan %q; want force_custom_plan, on", mode, seqscan)
	}
}

// TestCommit_StatusNeverStored: a status written at a version above 0 when none is
// stored is stale, alone or beside a new status and a stored one, and stores nothing.
func TestCommit_StatusNeverStored(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	if err := s.Commit(ctx, vip.Change{Statuses: []vip.Status{{CustomerID: "c2", Ladder: "gold", Tier: "Gold"}}}); err != nil {
		t.Fatal(err)
	}
	ghost := vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold", Version: 3}
	for _, sts := range [][]vip.Status{{ghost}, {ghost, {CustomerID: "c0", Ladder: "gold", Tier: "Silver"}, {CustomerID: "c2", Ladder: "gold", Tier: "Silver", Version: 1}}} {
		if err := s.Commit(ctx, vip.Change{Statuses: sts}); !errors.Is(err, vip.ErrStale) {
			t.Errorf("Commit(%d statuses, one at version 3 never stored) = %v, want ErrStale", len(sts), err)
		}
	}
	cs, err := s.Load(ctx, "gold", []string{"c0", "c1", "c2"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, fmt.Sprintf("%s %s v%d", c.Status.CustomerID, c.Status.Tier, c.Status.Version))
	}
	if diff := cmp.Diff([]string{"c0  v0", "c1  v0", "c2 Gold v1"}, got); diff != "" {
		t.Errorf("statuses after the stale commits (-want +got):\n%s", diff)
	}
}
