package memstore_test

import (
	"fmt"
	"testing"

	"github.com/vipkit/vip/store/memstore"
	"github.com/vipkit/vip/store/storetest"
)

// BenchmarkIngest: the Engine's ingest into memory, the upper bound of the SQL stores.
func BenchmarkIngest(b *testing.B) {
	const n, customers, batch = 10000, 1000, 100
	b.Run(fmt.Sprintf("orders=%d/engine", n), func(b *testing.B) {
		storetest.BenchIngest(b, memstore.New(), n, customers, batch)
	})
}

// BenchmarkReview: a review of every customer of a synthetic shop held in memory.
func BenchmarkReview(b *testing.B) {
	for _, customers := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("customers=%d", customers), func(b *testing.B) {
			s := memstore.New()
			end := storetest.Populate(b, s, customers)
			b.Run("engine", func(b *testing.B) { storetest.BenchReview(b, s, end, customers, false) })
			// Ten days on, past the instants the due-only review reached.
			b.Run("engine-full", func(b *testing.B) { storetest.BenchReview(b, s, end.AddDate(0, 0, 10), customers, true) })
		})
	}
}
