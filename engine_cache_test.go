package vip_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vipkit/vip"
)

// TestEngine_Ingest_SharedEngine: four goroutines ingest through one Engine (one
// cache) into the same five customers at once, every batch sent twice. Customer k
// gets 20 orders of 100*(k+1), all in the year before the clock, so its spend is
// 2,000*(k+1): Silver, Silver, Gold, Gold, Platinum. Each order is stored once and
// each status is the tier those sums give.
func TestEngine_Ingest_SharedEngine(t *testing.T) {
	e, _, s := newEngine(t, day(2025, 6, 1))
	const writers, perWriter, customers = 4, 25, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range perWriter {
				i := w*perWriter + k
				c := i % customers
				o := engOrder(fmt.Sprintf("w%d-o%d", w, k), fmt.Sprint("c", c), day(2025, 1, 1).Add(time.Duration(i)*time.Hour), fmt.Sprint(100*(c+1)))
				for range 2 {
					if _, err := e.Ingest(t.Context(), vip.Batch{Orders: []vip.Order{o}}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := []string{"Silver", "Silver", "Gold", "Gold", "Platinum"}
	var got []string
	for c := range customers {
		id := fmt.Sprint("c", c)
		snaps, err := s.Load(t.Context(), "vip", []string{id})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(snaps[0].Activity.Orders); n != writers*perWriter/customers {
			t.Errorf("customer %s: %d orders stored, want %d", id, n, writers*perWriter/customers)
		}
		got = append(got, snaps[0].Status.Tier)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tiers of c0-c4 (-want +got):\n%s", diff)
	}
}
