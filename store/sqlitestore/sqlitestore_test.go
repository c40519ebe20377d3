package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vipkit/vip"
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
