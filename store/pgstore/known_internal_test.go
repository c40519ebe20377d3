package pgstore

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vipkit/vip"
)

// TestKnownCustomers: missing names the customers without a record that were never
// added, and a full set forgets everything rather than growing.
func TestKnownCustomers(t *testing.T) {
	defer func(n int) { maxKnown = n }(maxKnown)
	maxKnown = 3
	var k knownCustomers
	custs := map[string]*vip.Customer{"a": nil, "b": nil, "c": nil, "d": {ID: "d"}}
	check := func(step string, want map[string]bool) {
		t.Helper()
		if diff := cmp.Diff(want, k.missing(custs)); diff != "" {
			t.Errorf("%s: missing (-want +got):\n%s", step, diff)
		}
	}
	check("empty", map[string]bool{"a": true, "b": true, "c": true})
	k.add([]string{"a"})
	k.addChange(&vip.Change{Customers: []vip.Customer{{ID: "b"}}, Orders: []vip.Order{{ID: "o", CustomerID: "a"}}})
	check("a and b added", map[string]bool{"c": true})
	k.add([]string{"x"})
	check("full with a, b, x", map[string]bool{"c": true})
	k.add([]string{"y"})
	check("y added to a full set", map[string]bool{"a": true, "b": true, "c": true})
}
