package sqlitestore

import (
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
