package vip

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestEngSortTail: a history whose first n orders are sorted (by time, ties by ID),
// with orders appended after them in any order, comes out as a full sort of it gives,
// whether the appended orders are in order or not, before the last sorted one or not.
func TestEngSortTail(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		gen := func(label string) []Order {
			return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Order {
				return Order{ID: fmt.Sprint("o", rapid.IntRange(0, 20).Draw(t, "id")),
					PlacedAt: base.Add(time.Duration(rapid.IntRange(0, 10).Draw(t, "hour")) * time.Hour)}
			}), 0, 8).Draw(t, label)
		}
		stored := gen("stored")
		slices.SortFunc(stored, engOrderCmp)
		xs := append(slices.Clone(stored), gen("added")...)
		want := slices.Clone(xs)
		slices.SortFunc(want, engOrderCmp)
		engSortTail(xs, len(stored), engOrderCmp)
		if diff := cmp.Diff(want, xs); diff != "" {
			t.Fatalf("engSortTail(%d sorted, %d added) (-full sort +got):\n%s", len(stored), len(xs)-len(stored), diff)
		}
	})
}
