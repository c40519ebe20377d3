package codec_test

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
	"pgregory.net/rapid"
)

func TestExact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"10.50", "10.50"}, {"10.5", "10.5"}, {"0.00", "0.00"}, {"1200", "1200"}, {"-3.140", "-3.140"},
		{"123456789012345678901234567890.000000001", "123456789012345678901234567890.000000001"},
	}
	for _, c := range cases {
		if got := codec.Exact(decimal.RequireFromString(c.in)); got != c.want {
			t.Errorf("Exact(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func genDecimal(t *rapid.T, label string) decimal.Decimal {
	return decimal.New(rapid.Int64Range(0, 1e12).Draw(t, label+"-coef"), -int32(rapid.IntRange(0, 6).Draw(t, label+"-exp")))
}

// TestOrder_RoundTrip: any order comes back with every digit of every amount, its
// instant in UTC truncated to microseconds, and the same fingerprint.
func TestOrder_RoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := vip.Order{ID: rapid.String().Draw(t, "id"), CustomerID: rapid.String().Draw(t, "customer"),
			PlacedAt: time.Unix(rapid.Int64Range(0, 4e9).Draw(t, "sec"), rapid.Int64Range(0, 999999999).Draw(t, "nsec")).In(time.FixedZone("z", 3600*rapid.IntRange(-12, 14).Draw(t, "zone"))),
			Currency: "USD", Shipping: genDecimal(t, "ship"), Tax: genDecimal(t, "tax"), Channel: rapid.String().Draw(t, "channel")}
		for i := range rapid.IntRange(1, 4).Draw(t, "lines") {
			_ = i
			o.Lines = append(o.Lines, vip.Line{SKU: rapid.String().Draw(t, "sku"), Quantity: rapid.Int64Range(1, 100).Draw(t, "qty"),
				ListPrice: genDecimal(t, "list"), PaidPrice: genDecimal(t, "paid"), UnitCost: genDecimal(t, "cost"),
				Premium: rapid.Bool().Draw(t, "premium")})
		}
		var got vip.Order
		if rapid.Bool().Draw(t, "binary") {
			var err error
			if got, err = codec.DecodeOrderBinary(codec.OrderBinary(o)); err != nil {
				t.Fatalf("DecodeOrderBinary(OrderBinary(o)) = %v", err)
			}
		} else {
			b, err := codec.Order(o)
			if err != nil {
				t.Fatal(err)
			}
			if got, err = codec.DecodeOrder(b); err != nil {
				t.Fatalf("DecodeOrder(Order(o)) = %v", err)
			}
		}
		if !got.PlacedAt.Equal(o.PlacedAt.Truncate(time.Microsecond)) || got.PlacedAt.Location() != time.UTC {
			t.Fatalf("placed_at %v came back as %v", o.PlacedAt, got.PlacedAt)
		}
		for i := range o.Lines {
			for _, p := range [][2]decimal.Decimal{{o.Lines[i].ListPrice, got.Lines[i].ListPrice}, {o.Lines[i].PaidPrice, got.Lines[i].PaidPrice}, {o.Lines[i].UnitCost, got.Lines[i].UnitCost}} {
				if codec.Exact(p[0]) != codec.Exact(p[1]) {
					t.Fatalf("line %d: amount %s came back as %s", i, codec.Exact(p[0]), codec.Exact(p[1]))
				}
			}
		}
		if codec.Exact(got.Shipping) != codec.Exact(o.Shipping) || codec.Exact(got.Tax) != codec.Exact(o.Tax) {
			t.Fatalf("shipping/tax %s/%s came back as %s/%s", o.Shipping, o.Tax, got.Shipping, got.Tax)
		}
		if !bytes.Equal(codec.OrderPrint(o), codec.OrderPrint(got)) {
			t.Fatalf("fingerprint changed in a round trip")
		}
	})
}

// FuzzDecodeOrder: stored bytes of any shape give an order or an error, never a panic,
// and a decoded order encodes and decodes to the same fingerprint.
func FuzzDecodeOrder(f *testing.F) {
	f.Add([]byte(`{"id":"o1","cu":"c1","at":"2025-01-02T03:04:05.000006Z","cy":"USD","li":[{"s":"a","q":2,"l":"10.50","p":"9.99","u":"5"}],"sh":"4.90"}`))
	f.Add([]byte(`{"li":[{"p":"1e400"}]}`))
	f.Add([]byte(`{"at":"yesterday"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := codec.DecodeOrder(b)
		if err != nil {
			return
		}
		b2, err := codec.Order(o)
		if err != nil {
			t.Fatalf("Order(decoded) = %v", err)
		}
		o2, err := codec.DecodeOrder(b2)
		if err != nil {
			t.Fatalf("DecodeOrder(Order(decoded)) = %v", err)
		}
		if !bytes.Equal(codec.OrderPrint(o), codec.OrderPrint(o2)) {
			t.Fatalf("fingerprint changed in a second round trip")
		}
	})
}

// FuzzDecodeOrderBinary: any bytes give an order or an error, never a panic or a huge
// allocation; a decoded order encodes back to the same bytes.
func FuzzDecodeOrderBinary(f *testing.F) {
	f.Add(codec.OrderBinary(vip.Order{ID: "o1", CustomerID: "c1", PlacedAt: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), Currency: "USD",
		Shipping: decimal.RequireFromString("4.90"), Lines: []vip.Line{{SKU: "a", Quantity: 2, ListPrice: decimal.RequireFromString("10.50"),
			PaidPrice: decimal.RequireFromString("9.99"), UnitCost: decimal.RequireFromString("5"), Premium: true}}}))
	f.Add([]byte{1, 0, 0, 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := codec.DecodeOrderBinary(b)
		if err != nil {
			return
		}
		o2, err := codec.DecodeOrderBinary(codec.OrderBinary(o))
		if err != nil {
			t.Fatalf("DecodeOrderBinary(OrderBinary(decoded)) = %v", err)
		}
		if !bytes.Equal(codec.OrderPrint(o), codec.OrderPrint(o2)) {
			t.Fatalf("fingerprint changed in a second round trip")
		}
	})
}

// FuzzDecodeStatus: any bytes give a status or an error, never a panic.
func FuzzDecodeStatus(f *testing.F) {
	f.Add([]byte(`{"customer_id":"c1","ladder":"vip","tier":"Gold","checked":"2025-01-02T03:04:05Z"}`))
	f.Add([]byte(`{"override":{"until":"x"}}`))
	f.Add(codec.StatusBinary(vip.Status{Tier: "Gold", Checked: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC),
		Override: &vip.Override{Kind: vip.OverrideLock, Tier: "Gold", Until: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Reason: "gift"}}))
	f.Add([]byte{1, 0, 0, 0, 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := codec.DecodeStatus(b, "vip", "c1", 3)
		if err == nil && (st.Version != 3 || st.Ladder != "vip" || st.CustomerID != "c1") {
			t.Fatalf("version %d, ladder %q, customer %q; want 3, vip, c1", st.Version, st.Ladder, st.CustomerID)
		}
		if err == nil {
			st2, err := codec.DecodeStatus(codec.StatusBinary(st), "vip", "c1", 3)
			if err != nil || !st2.Equal(st) {
				t.Fatalf("a decoded status in a binary round trip: %+v, %v; want %+v", st2, err, st)
			}
		}
		_, _ = codec.DecodeEvent(b)
		_, _ = codec.DecodeRefund(b)
		_, _ = codec.DecodeCustomer(b)
	})
}

// TestParseDecimal: the fast path gives what decimal.NewFromString gives (value and
// exponent, so that every digit is kept), and declines what it cannot take.
func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		in   string
		ok   bool
		want string // Exact of the result
	}{
		{"10.50", true, "10.50"}, {"0", true, "0"}, {"-0.10", true, "-0.10"}, {"1200", true, "1200"},
		{"123456789012345678", true, "123456789012345678"}, {"1234567890123456789", false, ""},
		{"1e3", false, ""}, {"", false, ""}, {"-", false, ""}, {"1.", false, ""}, {".5", true, "0.5"}, {"1.2.3", false, ""},
	} {
		d, ok := codec.ParseDecimal([]byte(c.in))
		if ok != c.ok || (ok && codec.Exact(d) != c.want) {
			t.Errorf("ParseDecimal(%q) = %s, %v; want %s, %v", c.in, codec.Exact(d), ok, c.want, c.ok)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringMatching(`-?[0-9]{1,20}(\.[0-9]{0,8})?`).Draw(t, "s")
		d, ok := codec.ParseDecimal([]byte(s))
		want, err := decimal.NewFromString(s)
		if !ok {
			return
		}
		if err != nil || d.Cmp(want) != 0 || d.Exponent() != want.Exponent() || codec.Exact(d) != codec.Exact(want) {
			t.Fatalf("ParseDecimal(%q) = %s (exp %d), NewFromString = %s (exp %d, %v)", s, codec.Exact(d), d.Exponent(), codec.Exact(want), want.Exponent(), err)
		}
	})
}

// genInstant is the zero time or an instant from 1900 to 2100 with nanoseconds, in a
// random zone.
func genInstant(t *rapid.T, label string) time.Time {
	if rapid.IntRange(0, 3).Draw(t, label+"-zero") == 0 {
		return time.Time{}
	}
	sec := rapid.Int64Range(-2208988800, 4102444800).Draw(t, label+"-sec")
	return time.Unix(sec, rapid.Int64Range(0, 999999999).Draw(t, label+"-nsec")).In(time.FixedZone("z", 3600*rapid.IntRange(-12, 14).Draw(t, label+"-zone")))
}

func genStatus(t *rapid.T) vip.Status {
	str := rapid.StringMatching(`[A-Za-z0-9 ]{0,12}|.{0,6}`)
	st := vip.Status{CustomerID: rapid.String().Draw(t, "customer"), Ladder: rapid.String().Draw(t, "ladder"),
		Tier: str.Draw(t, "tier"), Since: genInstant(t, "since"), ExpiresAt: genInstant(t, "expires"),
		GraceUntil: genInstant(t, "grace"), Peak: str.Draw(t, "peak"), LastLanding: genInstant(t, "landing"),
		LastUpgrade: genInstant(t, "upgrade"), Pending: str.Draw(t, "pending"), PendingFrom: genInstant(t, "pending-from"),
		Checked: genInstant(t, "checked"), Seen: rapid.IntRange(0, 1<<40).Draw(t, "seen"), WarnedFor: genInstant(t, "warned-for"),
		Warned: rapid.IntRange(-5, 400).Draw(t, "warned"), LastNear: genInstant(t, "near"), Version: rapid.Int64().Draw(t, "version")}
	if rapid.Bool().Draw(t, "override") {
		st.Override = &vip.Override{Kind: vip.OverrideKind(rapid.SampledFrom([]string{"lock", "floor", ""}).Draw(t, "kind")),
			Tier: str.Draw(t, "ov-tier"), Until: genInstant(t, "until"), Reason: str.Draw(t, "reason"), By: str.Draw(t, "by")}
	}
	return st
}

// TestStatusBinary_RoundTrip: any status comes back from the binary form with every
// field as stored (instants in UTC truncated to microseconds, each compared by hand
// below), the row's customer, ladder and version; and the same as from the JSON form,
// so rows of either form read alike.
func TestStatusBinary_RoundTrip(t *testing.T) {
	micro := func(x time.Time) time.Time {
		if x.IsZero() {
			return x
		}
		return time.UnixMicro(x.UnixMicro()).UTC()
	}
	rapid.Check(t, func(t *rapid.T) {
		st := genStatus(t)
		got, err := codec.DecodeStatus(codec.StatusBinary(st), "lad", "cust", 7)
		if err != nil {
			t.Fatalf("DecodeStatus(StatusBinary(%+v)) = %v", st, err)
		}
		prefix := rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "prefix")
		if diff := cmp.Diff(append(slices.Clip(prefix), codec.StatusBinary(st)...), codec.AppendStatusBinary(slices.Clip(prefix), st)); diff != "" {
			t.Fatalf("AppendStatusBinary(prefix, %+v) is not prefix + StatusBinary (-want +got):\n%s", st, diff)
		}
		want := st
		want.CustomerID, want.Ladder, want.Version = "cust", "lad", 7
		for _, p := range []*time.Time{&want.Since, &want.ExpiresAt, &want.GraceUntil, &want.LastLanding, &want.LastUpgrade,
			&want.PendingFrom, &want.Checked, &want.WarnedFor, &want.LastNear} {
			*p = micro(*p)
		}
		if st.Override != nil {
			ov := *st.Override
			ov.Until = micro(ov.Until)
			want.Override = &ov
		}
		if !got.Equal(want) {
			t.Fatalf("binary round trip:\n got %+v\nwant %+v", got, want)
		}
		for _, x := range []time.Time{got.Since, got.Checked, got.LastNear} {
			if !x.IsZero() && x.Location() != time.UTC {
				t.Fatalf("instant %v not in UTC", x)
			}
		}
		js, err := codec.Status(st)
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := codec.DecodeStatus(js, "lad", "cust", 7)
		if err != nil {
			t.Fatalf("DecodeStatus(JSON %s) = %v", js, err)
		}
		if !fromJSON.Equal(got) {
			t.Fatalf("JSON and binary forms differ:\njson   %+v\nbinary %+v", fromJSON, got)
		}
	})
}

// TestStatusBinary_Fields fails when vip.Status or vip.Override gains a field that the
// binary form does not carry: add it to StatusBinary (a new version byte), to
// genStatus, and to this list.
func TestStatusBinary_Fields(t *testing.T) {
	names := func(v any) []string {
		var out []string
		for f := range reflect.TypeOf(v).Fields() {
			out = append(out, f.Name)
		}
		return out
	}
	want := []string{"CustomerID", "Ladder", "Tier", "Since", "ExpiresAt", "GraceUntil", "Peak", "LastLanding", "LastUpgrade",
		"Override", "Pending", "PendingFrom", "Checked", "Seen", "WarnedFor", "Warned", "LastNear", "Version"}
	if diff := cmp.Diff(want, names(vip.Status{})); diff != "" {
		t.Errorf("vip.Status fields (-carried +now):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Kind", "Tier", "Until", "Reason", "By"}, names(vip.Override{})); diff != "" {
		t.Errorf("vip.Override fields (-carried +now):\n%s", diff)
	}
}

// TestStatusBinary_Size: a Gold status with a term, warnings and a proximity event
// takes well under half its JSON.
func TestStatusBinary_Size(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 8000, time.UTC)
	st := vip.Status{CustomerID: "cust-000123", Ladder: "vip", Tier: "Gold", Since: at, ExpiresAt: at.AddDate(1, 0, 0), Peak: "Gold",
		LastUpgrade: at, Checked: at.AddDate(0, 2, 0), Seen: 12, WarnedFor: at.AddDate(1, 0, 0), Warned: 60, LastNear: at.AddDate(0, 1, 0)}
	js, err := codec.Status(st)
	if err != nil {
		t.Fatal(err)
	}
	if b := codec.StatusBinary(st); 2*len(b) >= len(js) {
		t.Errorf("binary status %d bytes, JSON %d: want under half", len(b), len(js))
	}
}

func genEvent(t *rapid.T) vip.Event {
	at := func(label string) time.Time {
		if rapid.Bool().Draw(t, label+"-zero") {
			return time.Time{}
		}
		return time.Unix(rapid.Int64Range(-2e9, 7e9).Draw(t, label), rapid.Int64Range(0, 999999999).Draw(t, label+"-ns")).
			In(time.FixedZone("z", 3600*rapid.IntRange(-12, 14).Draw(t, label+"-zone")))
	}
	amount := func(label string) decimal.Decimal {
		if rapid.Bool().Draw(t, label+"-zero") {
			return decimal.Decimal{}
		}
		return decimal.New(rapid.Int64Range(-1e15, 1e15).Draw(t, label+"-coef"), -int32(rapid.IntRange(0, 8).Draw(t, label+"-exp")))
	}
	strs := rapid.SliceOfN(rapid.String(), 0, 4)
	return vip.Event{Kind: vip.EventKind(rapid.String().Draw(t, "kind")), Ladder: rapid.String().Draw(t, "ladder"),
		CustomerID: rapid.String().Draw(t, "customer"), At: at("at"), From: rapid.String().Draw(t, "from"), To: rapid.String().Draw(t, "to"),
		Crossed: strs.Draw(t, "crossed"), Reentry: rapid.Bool().Draw(t, "reentry"), Rewards: strs.Draw(t, "rewards"),
		Measure: vip.Measure(rapid.String().Draw(t, "measure")), Value: amount("value"), Gap: amount("gap"), Share: amount("share"),
		Deadline: at("deadline"), DaysLeft: rapid.IntRange(-1e6, 1e6).Draw(t, "days"), Reason: rapid.String().Draw(t, "reason")}
}

// TestEventBinary_RoundTrip: any event comes back from the binary form with every
// field (instants in UTC truncated to microseconds, compared by hand below; amounts
// with every digit), and the same as from the JSON form, so rows of either form read
// alike.
func TestEventBinary_RoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := genEvent(t)
		got, err := codec.DecodeEvent(codec.EventBinary(e))
		if err != nil {
			t.Fatalf("DecodeEvent(EventBinary(%+v)) = %v", e, err)
		}
		prefix := rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "prefix")
		if diff := cmp.Diff(append(slices.Clip(prefix), codec.EventBinary(e)...), codec.AppendEventBinary(slices.Clip(prefix), e)); diff != "" {
			t.Fatalf("AppendEventBinary(prefix, %+v) is not prefix + EventBinary (-want +got):\n%s", e, diff)
		}
		want := e
		for _, p := range []*time.Time{&want.At, &want.Deadline} {
			if !p.IsZero() {
				*p = time.UnixMicro(p.UnixMicro()).UTC()
			}
		}
		if len(want.Crossed) == 0 {
			want.Crossed = nil
		}
		if len(want.Rewards) == 0 {
			want.Rewards = nil
		}
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return codec.Exact(a) == codec.Exact(b) }),
			cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) && a.Location() == b.Location() })); diff != "" {
			t.Fatalf("binary round trip (-want +got):\n%s", diff)
		}
		js, err := codec.Event(e)
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := codec.DecodeEvent(js)
		if err != nil {
			t.Fatalf("DecodeEvent(JSON %s) = %v", js, err)
		}
		if !fromJSON.Equal(got) {
			t.Fatalf("JSON and binary forms differ:\njson   %+v\nbinary %+v", fromJSON, got)
		}
	})
}

// TestEventBinary_Fields fails when vip.Event gains a field that the binary form does
// not carry: add it to EventBinary (a new version byte), to genEvent, and to this list.
func TestEventBinary_Fields(t *testing.T) {
	var got []string
	for f := range reflect.TypeFor[vip.Event]().Fields() {
		got = append(got, f.Name)
	}
	want := []string{"Kind", "Ladder", "CustomerID", "At", "From", "To", "Crossed", "Reentry", "Rewards", "Measure", "Value",
		"Gap", "Share", "Deadline", "DaysLeft", "Reason"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("vip.Event fields (-carried +now):\n%s", diff)
	}
}

// TestEventBinary_Size: a proximity event, the most frequent kind, takes under half
// its JSON.
func TestEventBinary_Size(t *testing.T) {
	e := vip.Event{Kind: vip.EventNearNextTier, Ladder: "vip", CustomerID: "cust-000123", At: time.Date(2025, 5, 10, 7, 21, 27, 591237000, time.UTC),
		To: "Silver", Measure: vip.MeasureNetSpend, Value: decimal.RequireFromString("1240.62"), Gap: decimal.RequireFromString("759.38"),
		Share: decimal.RequireFromString("0.6203"), Reason: "activity"}
	js, err := codec.Event(e)
	if err != nil {
		t.Fatal(err)
	}
	if b := codec.EventBinary(e); 2*len(b) >= len(js) {
		t.Errorf("binary event %d bytes, JSON %d: want under half", len(b), len(js))
	}
}

// FuzzDecodeEvent: any bytes give an event or an error, never a panic or a huge
// allocation; a decoded event comes back equal from a binary round trip.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"kind":"upgraded","ladder":"vip","customer_id":"c1","at":"2025-01-02T03:04:05Z","crossed":["Gold"],"value":"10.50"}`))
	f.Add(codec.EventBinary(vip.Event{Kind: vip.EventUpgraded, Ladder: "vip", CustomerID: "c1", At: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC),
		From: "Silver", To: "Gold", Crossed: []string{"Gold"}, Rewards: []string{"welcome"}, Measure: vip.MeasureNetSpend,
		Value: decimal.RequireFromString("5000.50"), Deadline: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), DaysLeft: 365, Reason: "activity"}))
	f.Add([]byte{1, 0, 0, 0, 0})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := codec.DecodeEvent(b)
		if err != nil {
			return
		}
		e2, err := codec.DecodeEvent(codec.EventBinary(e))
		if err != nil || !e2.Equal(e) {
			t.Fatalf("a decoded event in a binary round trip: %+v, %v; want %+v", e2, err, e)
		}
	})
}

// TestFormatTime: the hand-made formatting gives what time.Time.Format gives with
// TimeLayout for the UTC microsecond of any instant, in any zone, of any year (those
// outside 0 to 9999 go to time.Time.Format), and ParseTime reads it back.
func TestFormatTime(t *testing.T) {
	want := func(x time.Time) string { return x.UTC().Truncate(time.Microsecond).Format(codec.TimeLayout) }
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []time.Time{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2025, 11, 2, 1, 30, 0, 123456789, ny),
	} {
		if got := codec.FormatTime(x); got != want(x) {
			t.Errorf("FormatTime(%v) = %q, want %q", x, got, want(x))
		}
	}
	if got := codec.FormatTime(time.Time{}); got != "" {
		t.Errorf("FormatTime(zero) = %q, want \"\"", got)
	}
	rapid.Check(t, func(t *rapid.T) {
		x := time.Unix(rapid.Int64Range(-70000000000, 300000000000).Draw(t, "sec"), rapid.Int64Range(0, 999999999).Draw(t, "nsec"))
		if rapid.Bool().Draw(t, "zone") {
			x = x.In(time.FixedZone("z", rapid.IntRange(-14*3600, 14*3600).Draw(t, "offset")))
		}
		got := codec.FormatTime(x)
		if got != want(x) {
			t.Fatalf("FormatTime(%v) = %q, want %q", x, got, want(x))
		}
		if y := x.UTC().Year(); y < 0 || y > 9999 {
			return // time.Parse reads four-digit years only
		}
		back, err := codec.ParseTime(got)
		if err != nil || !back.Equal(x.Truncate(time.Microsecond)) {
			t.Fatalf("ParseTime(%q) = %v, %v; want %v", got, back, err, x.Truncate(time.Microsecond))
		}
	})
}
