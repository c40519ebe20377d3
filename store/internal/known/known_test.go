package known

import (
	"testing"

	"github.com/vipkit/vip"
)

// TestSet: Add and AddChange remember IDs (a change's customers and its orders'
// customers, not its refunds'), and a full set forgets everything rather than growing.
func TestSet(t *testing.T) {
	k := &Set{Max: 3}
	check := func(step string, want map[string]bool) {
		t.Helper()
		for _, id := range []string{"a", "b", "c", "r", "x", "y"} {
			if got := k.Has(id); got != want[id] {
				t.Errorf("%s: Has(%q) = %v, want %v", step, id, got, want[id])
			}
		}
	}
	check("empty", nil)
	k.Add("a")
	k.AddChange(&vip.Change{Customers: []vip.Customer{{ID: "b"}}, Orders: []vip.Order{{ID: "o", CustomerID: "a"}},
		Refunds: []vip.Refund{{ID: "rf", CustomerID: "r"}}})
	check("a and b added", map[string]bool{"a": true, "b": true})
	k.Add("x")
	check("full with a, b, x", map[string]bool{"a": true, "b": true, "x": true})
	k.Add("a")
	check("a again: still full, nothing forgotten", map[string]bool{"a": true, "b": true, "x": true})
	k.Add("y")
	check("y added to a full set", map[string]bool{"y": true})
	var z Set
	z.Add("a")
	if !z.Has("a") {
		t.Error("a zero Set does not remember what it was given")
	}
}
