package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
	"github.com/vipkit/vip/store/sqlitestore"
	"github.com/vipkit/vip/store/storetest"
)

func open(t testing.TB) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "vip.db"), nil)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) vip.Store { return open(t) })
}

// TestOpen_Concurrent opens one new file from several goroutines at once, each with
// its own connections as a separate process would have: the migrations are applied
// once and every opener sees the full schema.
func TestOpen_Concurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vip.db")
	const openers = 6
	errc := make(chan error, openers)
	stores := make(chan *sqlitestore.Store, openers)
	for range openers {
		go func() {
			s, err := sqlitestore.Open(t.Context(), path, nil)
			errc <- err
			stores <- s
		}()
	}
	for range openers {
		if err := <-errc; err != nil {
			t.Errorf("concurrent Open = %v", err)
		}
		if s := <-stores; s != nil {
			defer s.Close()
		}
	}
	s := open(t)
	var n int
	if err := s.DB().QueryRowContext(t.Context(), `SELECT COUNT(*) FROM vip_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := len(sqlitestore.Migrations()); n != want {
		t.Errorf("vip_migrations has %d rows after concurrent opens, want %d", n, want)
	}
}

func TestOpen_BadPath(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if _, err := sqlitestore.Open(t.Context(), p, nil); err == nil {
			t.Errorf("Open(%q) = nil error, want a refusal", p)
		}
	}
}

var target = storetest.Target{
	New: func(t *testing.T) string { return filepath.Join(t.TempDir(), "vip.db") },
	Open: func(t testing.TB, place string) vip.Store {
		s, err := sqlitestore.Open(context.Background(), place, nil)
		if err != nil {
			t.Fatalf("Open(%q) = %v", place, err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
}

// TestCrash kills a writer process with SIGKILL in the middle of ingest.
func TestCrash(t *testing.T) { storetest.RunCrash(t, target) }

// TestShardedReview runs four review processes on one file, one killed and restarted.
func TestShardedReview(t *testing.T) { storetest.RunShardedReview(t, target) }

// oldStatusJSON is a status body as the store wrote it before statuses were binary:
// the JSON of vip.Status, customer and ladder included.
const oldStatusJSON = `{"customer_id":"c1","ladder":"gold","tier":"Gold","since":"2025-01-02T03:04:05.000006Z","peak":"Platinum",` +
	`"last_landing":"2025-01-02T03:04:05.000006Z","checked":"2025-02-01T00:00:00Z","seen":3,"warned_for":"2026-01-02T03:04:05.000006Z","warned":60}`

// oldStatus is oldStatusJSON decoded by hand, at version 3.
var oldStatus = vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold", Since: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC),
	Peak: "Platinum", LastLanding: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), Checked: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
	Seen: 3, WarnedFor: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Warned: 60, Version: 3}

// oldFile makes a database file at the schema version of the first migrations
// (their files applied as the store applied them then), runs the statements rows on
// it, and opens it with the store: at the latest version. It returns the store and a
// plain connection to the file.
func oldFile(t *testing.T, migrations int, rows ...string) (*sqlitestore.Store, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vip.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	steps := []string{`CREATE TABLE vip_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`}
	names, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(names) < migrations {
		t.Fatalf("migrations = %v, %v; want at least %d", names, err, migrations)
	}
	for i, name := range names[:migrations] {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, string(b), fmt.Sprintf(`INSERT INTO vip_migrations VALUES (%d, '2025-01-01T00:00:00.000000Z')`, i+1))
	}
	for _, q := range append(steps, rows...) {
		if _, err := raw.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	s, err := sqlitestore.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var version int
	if err := raw.QueryRowContext(t.Context(), `SELECT MAX(version) FROM vip_migrations`).Scan(&version); err != nil || version != slices.Max(sqlitestore.Migrations()) {
		t.Fatalf("schema version after Open = %d, %v; want %d", version, err, slices.Max(sqlitestore.Migrations()))
	}
	return s, raw
}

// TestStatus_JSONRowStillRead: a file at schema version 2 holding a status stored as
// JSON (as the store wrote it then) opens at the latest version; the status loads as
// it was, and its next write replaces it with the binary form (a BLOB) at the next
// version.
// queryStrings returns the one text column of every row query gives.
func queryStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rs, err := db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var v string
		if err := rs.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStatus_JSONRowStillRead(t *testing.T) {
	s, raw := oldFile(t, 2, `INSERT INTO vip_statuses (ladder, customer_id, tier, version, checked, body, due_at, due_key)
		VALUES ('gold', 'c1', 'Gold', 3, '2025-02-01T00:00:00.000000Z', '`+oldStatusJSON+`', NULL, '')`)
	load := func() vip.Status {
		t.Helper()
		cs, err := s.Load(t.Context(), "gold", []string{"c1"})
		if err != nil || len(cs) != 1 {
			t.Fatalf("Load = %v, %v", cs, err)
		}
		return cs[0].Status
	}
	if diff := cmp.Diff(oldStatus, load()); diff != "" {
		t.Fatalf("JSON status row (-want +got):\n%s", diff)
	}
	next := oldStatus
	next.Tier, next.Checked = "Platinum", next.Checked.AddDate(0, 1, 0)
	if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{next}}); err != nil {
		t.Fatal(err)
	}
	next.Version = 4
	if diff := cmp.Diff(next, load()); diff != "" {
		t.Errorf("after an update (-want +got):\n%s", diff)
	}
	var kind string
	var first int
	if err := raw.QueryRowContext(t.Context(), `SELECT typeof(body), unicode(substr(body, 1, 1)) FROM vip_statuses`).Scan(&kind, &first); err != nil {
		t.Fatal(err)
	}
	if kind != "blob" || first != 1 {
		t.Errorf("updated status body is a %s starting with byte %d, want a blob starting with the version byte 1", kind, first)
	}
}

// oldEventJSON is an event body as the store wrote it before events were binary.
const oldEventJSON = `{"kind":"upgraded","ladder":"gold","customer_id":"c1","at":"2025-01-02T03:04:05.000006Z","from":"Silver","to":"Gold",` +
	`"crossed":["Gold"],"rewards":["welcome-gold"],"measure":"net_spend","value":"5000.50","gap":"0.00","deadline":"2026-01-02T03:04:05.000006Z",` +
	`"days_left":365,"reason":"activity"}`

// oldEvent is oldEventJSON decoded by hand.
var oldEvent = vip.Event{Kind: vip.EventUpgraded, Ladder: "gold", CustomerID: "c1", At: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC),
	From: "Silver", To: "Gold", Crossed: []string{"Gold"}, Rewards: []string{"welcome-gold"}, Measure: vip.MeasureNetSpend,
	Value: decimal.RequireFromString("5000.50"), Deadline: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), DaysLeft: 365, Reason: "activity"}

// TestEvent_JSONRowStillRead: a file at schema version 3 holding an event stored as
// JSON opens at the latest version; the event reads as it was, before an event
// written after, which is stored in the binary form (a BLOB).
func TestEvent_JSONRowStillRead(t *testing.T) {
	s, raw := oldFile(t, 3, `INSERT INTO vip_customers (id, hash, body) VALUES ('c1', 0, '{"id":"c1","joined_at":"0001-01-01T00:00:00Z"}')`,
		`INSERT INTO vip_events (ladder, customer_id, kind, at, source, body)
		VALUES ('gold', 'c1', 'upgraded', '2025-01-02T03:04:05.000006Z', 'ingest', '`+oldEventJSON+`')`)
	next := vip.Event{Kind: vip.EventNearNextTier, Ladder: "gold", CustomerID: "c1", At: oldEvent.At.AddDate(0, 1, 0), From: "Gold",
		To: "Platinum", Measure: vip.MeasureNetSpend, Value: decimal.RequireFromString("8000.00"), Gap: decimal.RequireFromString("2000.00"),
		Share: decimal.RequireFromString("0.8"), Reason: "activity"}
	if err := s.Commit(t.Context(), vip.Change{Source: vip.SourceReview, Events: []vip.Event{next}}); err != nil {
		t.Fatal(err)
	}
	hist, err := s.History(t.Context(), "gold", "c1")
	if err != nil {
		t.Fatal(err)
	}
	want := []vip.Record{{Seq: 1, Source: vip.SourceIngest, Event: oldEvent}, {Seq: 2, Source: vip.SourceReview, Event: next}}
	if diff := cmp.Diff(want, hist, storetest.Money); diff != "" {
		t.Errorf("History (-want +got):\n%s", diff)
	}
	var kinds []string
	rows, err := raw.QueryContext(t.Context(), `SELECT typeof(body) || ' ' || unicode(substr(body, 1, 1)) FROM vip_events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	if diff := cmp.Diff([]string{"text 123", "blob 1"}, kinds); diff != "" {
		t.Errorf("event bodies: type and first byte (-want +got):\n%s", diff)
	}
}

// TestCommit_StaleNewStatusNamed: when a chunk of new statuses inserts fewer rows than
// it has, the error names the status stored meanwhile (the 98th of 100, in the last
// chunk, of 4), and one stored meanwhile with exactly the change's content is still
// ErrStale, naming the chunk.
func TestCommit_StaleNewStatusNamed(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var sts []vip.Status
	for i := range 100 {
		sts = append(sts, vip.Status{CustomerID: fmt.Sprintf("c%03d", i), Ladder: "gold", Tier: "Silver", Checked: at})
	}
	for _, c := range []struct {
		name      string
		meanwhile vip.Status
		want      string
	}{
		{"other content", vip.Status{CustomerID: "c097", Ladder: "gold", Tier: "Gold", Checked: at}, `customer "c097"`},
		{"same content", sts[97], `of 4 customers from "c096"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{c.meanwhile}}); err != nil {
				t.Fatal(err)
			}
			err := s.Commit(t.Context(), vip.Change{Statuses: sts})
			if !errors.Is(err, vip.ErrStale) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Commit(100 new statuses, c097 stored meanwhile) = %v, want ErrStale containing %s", err, c.want)
			}
		})
	}
}

// TestMigration5_RowsKept: a file at schema version 4 holding statuses of two
// customers on two ladders (one binary body, one JSON, schedules set and unset) and
// their events opens at the latest version, where statuses are keyed by customer
// first; every status loads as it was, with its schedule, History gives each
// customer's events on each ladder in order, Due lists what it listed, and a status
// written after the upgrade moves only its own version.
func TestMigration5_RowsKept(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	gold2 := vip.Status{CustomerID: "c2", Ladder: "gold", Tier: "Silver", Since: at, Checked: at, Version: 7}
	body2 := fmt.Sprintf("%x", codec.StatusBinary(gold2))
	silver1 := vip.Status{CustomerID: "c1", Ladder: "silver", Tier: "Gold", Since: at, Checked: at.AddDate(0, 1, 0), Version: 2}
	body1 := fmt.Sprintf("%x", codec.StatusBinary(silver1))
	ev := func(ladder, customer string, day int) vip.Event {
		return vip.Event{Kind: vip.EventUpgraded, Ladder: ladder, CustomerID: customer, At: at.AddDate(0, 0, day), From: "", To: "Silver", Reason: "activity"}
	}
	events := []vip.Event{ev("gold", "c2", 1), ev("silver", "c1", 2), ev("gold", "c1", 3), ev("gold", "c2", 4), ev("silver", "c1", 5)}
	rows := []string{
		`INSERT INTO vip_customers (id, hash, body) VALUES ('c1', 0, '{"id":"c1","joined_at":"0001-01-01T00:00:00Z"}'),
			('c2', 1, '{"id":"c2","joined_at":"0001-01-01T00:00:00Z"}')`,
		`INSERT INTO vip_statuses (ladder, customer_id, tier, version, checked, body, due_at, due_key) VALUES
			('gold', 'c1', 'Gold', 3, '2025-02-01T00:00:00.000000Z', '` + oldStatusJSON + `', '2025-06-01T00:00:00.000000Z', 'k1'),
			('gold', 'c2', 'Silver', 7, '2025-03-01T00:00:00.000000Z', x'` + body2 + `', NULL, 'k1'),
			('silver', 'c1', 'Gold', 2, '2025-04-01T00:00:00.000000Z', x'` + body1 + `', '2025-04-02T00:00:00.000000Z', '')`,
	}
	for _, e := range events {
		rows = append(rows, fmt.Sprintf(`INSERT INTO vip_events (ladder, customer_id, kind, at, source, body) VALUES ('%s', '%s', '%s', '%s', 'ingest', x'%x')`,
			e.Ladder, e.CustomerID, e.Kind, codec.FormatTime(e.At), codec.EventBinary(e)))
	}
	s, raw := oldFile(t, 4, rows...)

	pk := queryStrings(t, raw, `SELECT name FROM pragma_table_info('vip_statuses') WHERE pk > 0 ORDER BY pk`)
	if diff := cmp.Diff([]string{"customer_id", "ladder"}, pk); diff != "" {
		t.Errorf("statuses' primary key after Open (-want +got):\n%s", diff)
	}

	type loaded struct {
		Status vip.Status
		Due    time.Time
		Key    string
	}
	load := func(ladder string, ids ...string) []loaded {
		t.Helper()
		cs, err := s.Load(t.Context(), ladder, ids)
		if err != nil {
			t.Fatal(err)
		}
		var out []loaded
		for _, c := range cs {
			out = append(out, loaded{c.Status, c.Due, c.DueKey})
		}
		return out
	}
	wantGold := []loaded{{oldStatus, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "k1"}, {gold2, time.Time{}, "k1"}}
	if diff := cmp.Diff(wantGold, load("gold", "c1", "c2")); diff != "" {
		t.Errorf("gold statuses after the migration (-want +got):\n%s", diff)
	}
	wantSilver := []loaded{{silver1, time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC), ""}, {vip.Status{CustomerID: "c2", Ladder: "silver"}, time.Time{}, ""}}
	if diff := cmp.Diff(wantSilver, load("silver", "c1", "c2")); diff != "" {
		t.Errorf("silver statuses after the migration (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		ladder, customer string
		seqs             []int64
	}{{"gold", "c1", []int64{3}}, {"gold", "c2", []int64{1, 4}}, {"silver", "c1", []int64{2, 5}}, {"silver", "c2", nil}} {
		hist, err := s.History(t.Context(), c.ladder, c.customer)
		if err != nil {
			t.Fatal(err)
		}
		var want []vip.Record
		for _, q := range c.seqs {
			want = append(want, vip.Record{Seq: q, Source: vip.SourceIngest, Event: events[q-1]})
		}
		if diff := cmp.Diff(want, hist, storetest.Money); diff != "" {
			t.Errorf("History(%s, %s) after the migration (-want +got):\n%s", c.ladder, c.customer, diff)
		}
	}
	due, err := s.Due(t.Context(), vip.DueQuery{Ladder: "gold", Key: "k1", At: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), Limit: 10})
	if err != nil || !slices.Equal(due, []string{"c1"}) {
		t.Errorf("Due(gold, k1, 2025-07-01) = %v, %v; want [c1]", due, err)
	}

	next := gold2
	next.Tier = "Gold"
	if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{next}}); err != nil {
		t.Fatal(err)
	}
	next.Version = 8
	wantGold[1] = loaded{next, time.Time{}, ""}
	if diff := cmp.Diff(wantGold, load("gold", "c1", "c2")); diff != "" {
		t.Errorf("gold statuses after an update of c2 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSilver, load("silver", "c1", "c2")); diff != "" {
		t.Errorf("silver statuses after an update of c2 on gold (-want +got):\n%s", diff)
	}
}

// TestMigration6_RowsKept: a file at schema version 5 holding statuses with text
// due_at instants (set, unset, and one that does not read as an instant) opens at the
// latest version, where the statuses have no checked column and due_at is an integer
// of Unix microseconds; every status loads as it was, with its schedule (the
// unreadable one unknown), Due lists what it listed, and a status written after the
// upgrade keeps its schedule in the new form.
func TestMigration6_RowsKept(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	gold2 := vip.Status{CustomerID: "c2", Ladder: "gold", Tier: "Silver", Since: at, Checked: at, Version: 7}
	gold3 := vip.Status{CustomerID: "c3", Ladder: "gold", Tier: "Gold", Since: at, Checked: at, Version: 1}
	hex := func(st vip.Status) string { return fmt.Sprintf("%x", codec.StatusBinary(st)) }
	s, raw := oldFile(t, 5,
		`INSERT INTO vip_customers (id, hash, body) VALUES ('c1', 0, '{"id":"c1","joined_at":"0001-01-01T00:00:00Z"}'),
			('c2', 1, '{"id":"c2","joined_at":"0001-01-01T00:00:00Z"}'), ('c3', 2, '{"id":"c3","joined_at":"0001-01-01T00:00:00Z"}')`,
		`INSERT INTO vip_statuses (ladder, customer_id, tier, version, checked, body, due_at, due_key) VALUES
			('gold', 'c1', 'Gold', 3, '2025-02-01T00:00:00.000000Z', '`+oldStatusJSON+`', '2025-06-01T12:34:56.000789Z', 'k1'),
			('gold', 'c2', 'Silver', 7, '2025-03-01T00:00:00.000000Z', x'`+hex(gold2)+`', NULL, 'k1'),
			('gold', 'c3', 'Gold', 1, '2025-03-01T00:00:00.000000Z', x'`+hex(gold3)+`', 'soon', 'k1')`)

	cols := queryStrings(t, raw, `SELECT name || ' ' || type FROM pragma_table_info('vip_statuses') ORDER BY cid`)
	wantCols := []string{"ladder TEXT", "customer_id TEXT", "tier TEXT", "version INTEGER", "body BLOB", "due_at INTEGER", "due_key TEXT"}
	if diff := cmp.Diff(wantCols, cols); diff != "" {
		t.Errorf("statuses' columns after Open (-want +got):\n%s", diff)
	}
	var micros int64
	if err := raw.QueryRowContext(t.Context(), `SELECT due_at FROM vip_statuses WHERE customer_id = 'c1'`).Scan(&micros); err != nil {
		t.Fatal(err)
	}
	due1 := time.Date(2025, 6, 1, 12, 34, 56, 789000, time.UTC)
	if micros != due1.UnixMicro() {
		t.Errorf("c1's due_at after the migration = %d, want %d (%v)", micros, due1.UnixMicro(), due1)
	}

	type loaded struct {
		Status vip.Status
		Due    time.Time
		Key    string
	}
	load := func(ids ...string) []loaded {
		t.Helper()
		cs, err := s.Load(t.Context(), "gold", ids)
		if err != nil {
			t.Fatal(err)
		}
		var out []loaded
		for _, c := range cs {
			out = append(out, loaded{c.Status, c.Due, c.DueKey})
		}
		return out
	}
	want := []loaded{{oldStatus, due1, "k1"}, {gold2, time.Time{}, "k1"}, {gold3, time.Time{}, ""}}
	if diff := cmp.Diff(want, load("c1", "c2", "c3")); diff != "" {
		t.Errorf("statuses after the migration (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		at   time.Time
		want []string
	}{{due1.Add(-time.Microsecond), []string{"c3"}}, {due1, []string{"c1", "c3"}}} {
		got, err := s.Due(t.Context(), vip.DueQuery{Ladder: "gold", Key: "k1", At: c.at, Limit: 10})
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Due(gold, k1, %v) = %v, %v; want %v", c.at, got, err, c.want)
		}
	}

	next := gold2
	next.Tier = "Gold"
	due2 := time.Date(2025, 9, 1, 0, 0, 0, 1000, time.UTC)
	if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{next}, Due: []time.Time{due2}, DueKey: "k1"}); err != nil {
		t.Fatal(err)
	}
	next.Version = 8
	want[1] = loaded{next, due2, "k1"}
	if diff := cmp.Diff(want, load("c1", "c2", "c3")); diff != "" {
		t.Errorf("statuses after an update of c2 (-want +got):\n%s", diff)
	}
	var kind string
	if err := raw.QueryRowContext(t.Context(), `SELECT typeof(due_at) FROM vip_statuses WHERE customer_id = 'c2'`).Scan(&kind); err != nil || kind != "integer" {
		t.Errorf("c2's due_at after an update is %q (%v), want an integer", kind, err)
	}
}

// TestLoad_NewAndStored: a Load of customers never stored beside stored ones (Load
// looks for orders and refunds only when some customer is stored) gives the stored
// ones their orders and refunds and the new ones nothing, in the order asked.
func TestLoad_NewAndStored(t *testing.T) {
	ctx := t.Context()
	s := open(t)
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	o := vip.Order{ID: "o1", CustomerID: "c1", PlacedAt: at, Currency: "USD",
		Lines: []vip.Line{{SKU: "s", Quantity: 1, ListPrice: decimal.New(1000, -2), PaidPrice: decimal.New(1000, -2)}}}
	r := vip.Refund{ID: "r1", OrderID: "o1", CustomerID: "c1", At: at.Add(time.Hour), Currency: "USD", Amount: decimal.New(500, -2)}
	if err := s.Commit(ctx, vip.Change{Source: vip.SourceIngest, Orders: []vip.Order{o}, Refunds: []vip.Refund{r}}); err != nil {
		t.Fatal(err)
	}
	for _, ids := range [][]string{{"c1"}, {"n1", "c1"}, {"c1", "n1", "n2"}, {"n1", "n2"}} {
		got, err := s.Load(ctx, "vip", ids)
		if err != nil {
			t.Fatalf("Load(%q) = %v", ids, err)
		}
		for i, id := range ids {
			cs := got[i]
			var orders, refunds []string
			for _, x := range cs.Activity.Orders {
				orders = append(orders, x.ID)
			}
			for _, x := range cs.Activity.Refunds {
				refunds = append(refunds, x.ID)
			}
			want := struct {
				ID              string
				Found           bool
				Orders, Refunds []string
			}{ID: id}
			if id == "c1" {
				want.Found, want.Orders, want.Refunds = true, []string{"o1"}, []string{"r1"}
			}
			gotRow := want
			gotRow.ID, gotRow.Found, gotRow.Orders, gotRow.Refunds = cs.Activity.Customer.ID, cs.Found, orders, refunds
			if diff := cmp.Diff(want, gotRow); diff != "" {
				t.Errorf("Load(%q)[%d] (-want +got):\n%s", ids, i, diff)
			}
		}
	}
}

// TestCommit_CustomersLastWins: a change's customer records go as one multi-row
// upsert; a record of an ID stored before replaces it, and of two records of one ID
// in the change the later one is stored, as when they went one statement each.
func TestCommit_CustomersLastWins(t *testing.T) {
	s := open(t)
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Commit(t.Context(), vip.Change{Customers: []vip.Customer{{ID: "c1", JoinedAt: at}, {ID: "c2", JoinedAt: at}}}); err != nil {
		t.Fatal(err)
	}
	var cs []vip.Customer
	for i := range 70 { // more than one chunk
		cs = append(cs, vip.Customer{ID: fmt.Sprintf("n%02d", i), JoinedAt: at})
	}
	cs = append(cs, vip.Customer{ID: "c1", JoinedAt: at.AddDate(0, 1, 0)}, vip.Customer{ID: "c2", JoinedAt: at.AddDate(0, 2, 0)},
		vip.Customer{ID: "c2", JoinedAt: at.AddDate(0, 3, 0)})
	if err := s.Commit(t.Context(), vip.Change{Customers: cs}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(t.Context(), "gold", []string{"c1", "c2", "n00", "n69"})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{at.AddDate(0, 1, 0), at.AddDate(0, 3, 0), at, at}
	for i, g := range got {
		if !g.Found || !g.Activity.Customer.JoinedAt.Equal(want[i]) {
			t.Errorf("Load()[%d] = %s found %v joined %v, want joined %v", i, g.Activity.Customer.ID, g.Found, g.Activity.Customer.JoinedAt, want[i])
		}
	}
	ids, err := s.Customers(t.Context(), vip.Shard{}, "", 100)
	if err != nil || len(ids) != 72 {
		t.Errorf("Customers = %d IDs, %v; want 72", len(ids), err)
	}
}

// TestCommit_StaleStoredStatusNamed: a change of 100 stored statuses one of which
// (c097) is no longer at the version it was loaded at fails as ErrStale naming it,
// whether the status stored meanwhile has other content or exactly the change's, and
// so does one never stored (x, after the 100); nothing of the change is kept: the
// statuses written before the failing one are still at version 1.
func TestCommit_StaleStoredStatusNamed(t *testing.T) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var first, next []vip.Status
	for i := range 100 {
		id := fmt.Sprintf("c%03d", i)
		first = append(first, vip.Status{CustomerID: id, Ladder: "gold", Tier: "Silver", Checked: at})
		next = append(next, vip.Status{CustomerID: id, Ladder: "gold", Tier: "Gold", Checked: at.AddDate(0, 0, 1), Version: 1})
	}
	for _, c := range []struct {
		name      string
		meanwhile []vip.Status // committed between the first change and the next
		next      []vip.Status
		want      string
	}{
		{"other content", []vip.Status{{CustomerID: "c097", Ladder: "gold", Tier: "Bronze", Checked: at, Version: 1}}, next,
			`customer "c097" on ladder "gold" changed since it was loaded`},
		{"same content", []vip.Status{next[97]}, next, `customer "c097" on ladder "gold" changed since it was loaded`},
		{"never stored", nil, append(slices.Clone(next), vip.Status{CustomerID: "x", Ladder: "gold", Tier: "Gold", Checked: at, Version: 3}),
			`customer "x" on ladder "gold" changed since it was loaded`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			if err := s.Commit(t.Context(), vip.Change{Statuses: first}); err != nil {
				t.Fatal(err)
			}
			if c.meanwhile != nil {
				if err := s.Commit(t.Context(), vip.Change{Statuses: c.meanwhile}); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Commit(t.Context(), vip.Change{Statuses: c.next})
			if !errors.Is(err, vip.ErrStale) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Commit(%d stored statuses) = %v, want ErrStale containing %s", len(c.next), err, c.want)
			}
			got, err := s.Load(t.Context(), "gold", []string{"c000", "c063", "c064"})
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				if g.Status.Version != 1 || g.Status.Tier != "Silver" {
					t.Errorf("after the failed commit, %s is %s at version %d; want Silver at version 1", g.Status.CustomerID, g.Status.Tier, g.Status.Version)
				}
			}
		})
	}
}
