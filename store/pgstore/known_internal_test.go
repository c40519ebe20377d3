package pgstore

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/known"
)

// TestMissingCustomers: missingCustomers names the customers without a record that
// were never added, and forgets them all when the set is full.
func TestMissingCustomers(t *testing.T) {
	k := &known.Set{Max: 3}
	custs := map[string]*vip.Customer{"a": nil, "b": nil, "c": nil, "d": {ID: "d"}}
	check := func(step string, want map[string]bool) {
		t.Helper()
		if diff := cmp.Diff(want, missingCustomers(k, custs)); diff != "" {
			t.Errorf("%s: missing (-want +got):\n%s", step, diff)
		}
	}
	check("empty", map[string]bool{"a": true, "b": true, "c": true})
	k.Add("a")
	k.AddChange(&vip.Change{Customers: []vip.Customer{{ID: "b"}}, Orders: []vip.Order{{ID: "o", CustomerID: "a"}}})
	check("a and b added", map[string]bool{"c": true})
	k.Add("x")
	check("full with a, b, x", map[string]bool{"c": true})
	k.Add("y")
	check("y added to a full set", map[string]bool{"a": true, "b": true, "c": true})
}
