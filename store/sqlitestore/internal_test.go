package sqlitestore

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
	"pgregory.net/rapid"
)

// TestIdOnlyCustomer: the hand-built record of an order's customer decodes to what
// encoding/json's record of the same customer decodes to, for any ID (quotes,
// backslashes, control characters, invalid UTF-8 included).
func TestIdOnlyCustomer(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		id := rapid.String().Draw(t, "id")
		if rapid.Bool().Draw(t, "raw-bytes") {
			id = string(rapid.SliceOf(rapid.Byte()).Draw(t, "bytes"))
		}
		want, err := codec.Customer(vip.Customer{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		wc, err := codec.DecodeCustomer(want)
		if err != nil {
			t.Fatal(err)
		}
		gc, err := codec.DecodeCustomer([]byte(idOnlyCustomer(id)))
		if err != nil {
			t.Fatalf("DecodeCustomer(%q) = %v", idOnlyCustomer(id), err)
		}
		if diff := cmp.Diff(wc, gc); diff != "" {
			t.Fatalf("customer %q (-encoding/json +idOnlyCustomer):\n%s", id, diff)
		}
	})
}

// TestOpen_CacheSizes: the read pool's connections and the write connection get their
// own page cache sizes, the defaults and those asked for.
func TestOpen_CacheSizes(t *testing.T) {
	for _, c := range []struct {
		opts        *Options
		read, write int64 // KiB
	}{{nil, 32 << 10, 8 << 10}, {&Options{CacheMB: 16, WriteCacheMB: 2}, 16 << 10, 2 << 10}} {
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "vip.db"), c.opts)
		if err != nil {
			t.Fatal(err)
		}
		var r, w int64
		if err := s.r.QueryRowContext(t.Context(), `PRAGMA cache_size`).Scan(&r); err != nil {
			t.Fatal(err)
		}
		if err := s.w.QueryRowContext(t.Context(), `PRAGMA cache_size`).Scan(&w); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if r != -c.read || w != -c.write {
			t.Errorf("Open(%+v): cache_size %d on the read pool, %d on the write connection; want %d and %d", c.opts, r, w, -c.read, -c.write)
		}
	}
}

// TestQueryPlans: the statements on statuses and events reach their rows through a
// key or an index, never by scanning the table, and the hot ones through the key
// whose first column is the customer (migration 5): the write of a status by its
// primary key, its load by the key too (not through the ladder index and then the
// key), a customer's events through their index.
func TestQueryPlans(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "vip.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		name, query string
		args        int
		want        []string // substrings of the plan, in order
	}{
		{"update status", sqlUpdateStatus, 7, []string{"SEARCH vip_statuses USING PRIMARY KEY (customer_id=? AND ladder=?)"}},
		{"status row", sqlStatusRow, 2, []string{"SEARCH vip_statuses USING PRIMARY KEY (customer_id=? AND ladder=?)"}},
		{"load statuses", sqlLoadStatus, 2, []string{"SEARCH vip_statuses USING PRIMARY KEY (customer_id=?)"}},
		{"other ladders", sqlOtherLadders, 1, []string{"vip_statuses USING COVERING INDEX vip_statuses_ladder (ladder<?)",
			"vip_statuses USING COVERING INDEX vip_statuses_ladder (ladder>?)"}},
		{"unschedule", sqlUnschedule, 2, []string{"SEARCH vip_statuses USING PRIMARY KEY (customer_id=?)"}},
		{"due", sqlDue, 8, []string{"SEARCH s USING PRIMARY KEY (customer_id=? AND ladder=?)"}},
		{"history", `SELECT seq, source, body FROM vip_events WHERE ladder = ? AND customer_id = ? ORDER BY seq`, 2,
			[]string{"SEARCH vip_events USING INDEX vip_events_customer (customer_id=? AND ladder=?)"}},
	} {
		args := make([]any, c.args)
		for i := range args {
			args[i] = "[]"
		}
		rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+c.query, args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "\n")
		rest := all
		for _, w := range c.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%s: plan\n%s\nlacks %q", c.name, all, w)
				break
			}
			rest = rest[i+len(w):]
		}
		if strings.Contains(all, "SCAN vip_") || strings.Contains(all, "SCAN s ") {
			t.Errorf("%s: plan scans a table:\n%s", c.name, all)
		}
	}
}
