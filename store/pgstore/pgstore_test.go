package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

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
