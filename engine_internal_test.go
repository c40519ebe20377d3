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

// TestEngCached_AddOrders: an entry that batches add orders to, part by part, in or out
// of time order, holds them sorted as Load sorts them, in at most engMaxParts slices,
// and keeps none of the scratch slice that addOrders sorts (the next customer's
// orders overwrite it).
func TestEngCached_AddOrders(t *testing.T) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		var en engCached
		var all []Order
		n := 0
		var scratch []Order
		for b := range rapid.IntRange(1, 3*engMaxParts).Draw(t, "batches") {
			var added []Order
			for range rapid.IntRange(0, 3).Draw(t, fmt.Sprint("orders", b)) {
				// Mostly later than every order before, now and then earlier.
				h := n
				if rapid.IntRange(0, 5).Draw(t, "late") == 0 {
					h = rapid.IntRange(0, n).Draw(t, "hour")
				}
				added = append(added, Order{ID: fmt.Sprint("o", n), PlacedAt: base.Add(time.Duration(h) * time.Hour)})
				n++
			}
			scratch = append(en.appendOrders(scratch[:0]), added...)
			en.addOrders(scratch, added)
			clear(scratch) // as the next customer's orders would
			all = append(all, added...)
			want := slices.Clone(all)
			slices.SortFunc(want, engOrderCmp)
			if diff := cmp.Diff(want, en.appendOrders(nil)); diff != "" {
				t.Fatalf("batch %d: orders (-want +got):\n%s", b, diff)
			}
			if len(en.more) >= engMaxParts {
				t.Fatalf("batch %d: %d parts besides a.Orders, want fewer than %d", b, len(en.more), engMaxParts)
			}
			for _, o := range want {
				if !en.hasOrder(&o) {
					t.Fatalf("batch %d: hasOrder(%s) = false", b, o.ID)
				}
				if other := (Order{ID: o.ID, PlacedAt: o.PlacedAt.Add(time.Minute)}); en.hasOrder(&other) {
					t.Fatalf("batch %d: hasOrder(%s at another instant) = true", b, o.ID)
				}
			}
		}
		if en.hasOrder(&Order{ID: "none", PlacedAt: base}) {
			t.Fatal(`hasOrder("none") = true`)
		}
	})
}

// TestEngine_Prepare_Orders: prepare groups a batch's orders by customer, each
// customer's in a slice of its own with normalised instants, and gives the change the
// batch's own slice when its orders are distinct (the store normalises their instants),
// a normalised copy without the repeats otherwise.
func TestEngine_Prepare_Orders(t *testing.T) {
	e := &Engine{ladder: Ladder{Name: "vip", Currency: "USD"}}
	// normal reports whether t is as engInstant leaves it, in its representation too
	// (== on purpose, not Equal).
	normal := func(t time.Time) bool { return engInstant(t) == t }
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	o := func(id, c string, t time.Time) Order {
		return Order{ID: id, CustomerID: c, PlacedAt: t, Currency: "USD", Lines: []Line{{SKU: "s", Quantity: 1}}}
	}
	for _, tc := range []struct {
		name  string
		in    []Order
		alias bool // the change's orders are the batch's slice
		all   []string
	}{
		{"Normal", []Order{o("o1", "c2", at), o("o2", "c1", at.Add(time.Hour)), o("o3", "c2", at.Add(2*time.Hour))}, true, []string{"o1", "o2", "o3"}},
		{"Zone", []Order{o("o1", "c2", at), o("o2", "c1", at.In(time.FixedZone("X", 3600)))}, true, []string{"o1", "o2"}},
		{"Nanoseconds", []Order{o("o1", "c2", at.Add(5)), o("o2", "c1", at)}, true, []string{"o1", "o2"}},
		{"Repeated", []Order{o("o1", "c2", at), o("o2", "c1", at), o("o1", "c2", at)}, false, []string{"o1", "o2"}},
		{"RepeatedInZone", []Order{o("o1", "c2", at.In(time.FixedZone("X", 3600))), o("o2", "c1", at.Add(5)), o("o1", "c2", at)}, false, []string{"o1", "o2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := e.prepare(Batch{Orders: tc.in})
			if err != nil {
				t.Fatalf("prepare = %v", err)
			}
			var ids []string
			for _, x := range in.all {
				ids = append(ids, x.ID)
				if !tc.alias && !normal(x.PlacedAt) {
					t.Errorf("order %s in the change's copy placed at %v, not normalised", x.ID, x.PlacedAt)
				}
			}
			if diff := cmp.Diff(tc.all, ids); diff != "" {
				t.Errorf("the change's orders (-want +got):\n%s", diff)
			}
			if alias := len(in.all) > 0 && &in.all[0] == &tc.in[0]; alias != tc.alias {
				t.Errorf("the change's orders are the batch's slice: %v, want %v", alias, tc.alias)
			}
			if diff := cmp.Diff([]string{"c1", "c2"}, in.ids); diff != "" {
				t.Errorf("customers (-want +got):\n%s", diff)
			}
			for i, part := range in.orders {
				if cap(part) != len(part) {
					t.Errorf("customer %s: part of %d orders with room for %d, want a slice of its own size", in.ids[i], len(part), cap(part))
				}
				for _, x := range part {
					if x.CustomerID != in.ids[i] || !normal(x.PlacedAt) {
						t.Errorf("customer %s: part holds order %s of %s placed at %v", in.ids[i], x.ID, x.CustomerID, x.PlacedAt)
					}
				}
			}
		})
	}
}
