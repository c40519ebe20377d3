package vip_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

var clvDecimalComparer = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func clvDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func clvTx(id string, at time.Time, amount string) vip.Transaction {
	return vip.Transaction{CustomerID: id, At: at, Amount: decimal.RequireFromString(amount)}
}

func TestBuildCohort(t *testing.T) {
	txs := []vip.Transaction{
		clvTx("a", clvDay(2025, 1, 1), "10"),
		clvTx("a", clvDay(2025, 1, 15), "20"),
		clvTx("a", clvDay(2025, 1, 15).Add(3*time.Hour), "5"), // same day as the one before
		clvTx("a", clvDay(2025, 1, 29), "30"),
		clvTx("a", clvDay(2025, 2, 12), "40"), // holdout
		clvTx("b", clvDay(2025, 1, 22), "99"), // one-time buyer
		clvTx("c", clvDay(2025, 2, 6), "7"),   // first purchase after the cut-off: not summarised
		clvTx("a", clvDay(2025, 3, 1), "1"),   // after the end: ignored
	}
	opt := vip.CohortOptions{Unit: vip.UnitWeek, CutOff: clvDay(2025, 2, 5), End: clvDay(2025, 2, 26)}
	tests := []struct {
		name  string
		merge vip.TimeUnit
		want  []vip.PurchaseHistory
	}{
		{"every purchase", 0, []vip.PurchaseHistory{
			// first purchase Jan 1 excluded; repeats 20, 5, 30 -> mean 55/3 rounded to 6 places.
			{ID: "a", X: 3, TX: 4, T: 5, MeanRepeatSpend: decimal.RequireFromString("18.333333"),
				HoldoutX: 1, HoldoutSpend: decimal.NewFromInt(40)},
			{ID: "b", X: 0, TX: 0, T: 2},
		}},
		{"same-day purchases merged", vip.UnitDay, []vip.PurchaseHistory{
			{ID: "a", X: 2, TX: 4, T: 5, MeanRepeatSpend: decimal.RequireFromString("27.5"),
				HoldoutX: 1, HoldoutSpend: decimal.NewFromInt(40)},
			{ID: "b", X: 0, TX: 0, T: 2},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := opt
			o.Merge = tc.merge
			got, err := vip.BuildCohort(txs, o)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.Rows, clvDecimalComparer); diff != "" {
				t.Errorf("BuildCohort rows (-want +got):\n%s", diff)
			}
			if got.Unit != vip.UnitWeek {
				t.Errorf("BuildCohort unit = %v, want week", got.Unit)
			}
		})
	}
}

func TestBuildCohort_DSTDayIsOneDay(t *testing.T) {
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	// 2025-03-30 is 23 hours long in Warsaw; midnight to midnight across it is 2 days.
	txs := []vip.Transaction{
		clvTx("a", time.Date(2025, 3, 29, 0, 0, 0, 0, warsaw), "1"),
		clvTx("a", time.Date(2025, 3, 31, 0, 0, 0, 0, warsaw), "1"),
	}
	got, err := vip.BuildCohort(txs, vip.CohortOptions{Unit: vip.UnitDay, CutOff: time.Date(2025, 4, 1, 0, 0, 0, 0, warsaw), Location: warsaw})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{2, 3}, []float64{got.Rows[0].TX, got.Rows[0].T}); diff != "" {
		t.Errorf("t_x, T across a DST day (-want +got):\n%s", diff)
	}
}

func TestBuildCohortFromOrders(t *testing.T) {
	order := func(id, cust string, at time.Time, price string, qty int64) vip.Order {
		return vip.Order{ID: id, CustomerID: cust, PlacedAt: at, Currency: "EUR",
			Lines:    []vip.Line{{SKU: "s", Quantity: qty, ListPrice: decimal.RequireFromString(price), PaidPrice: decimal.RequireFromString(price)}},
			Shipping: decimal.NewFromInt(5)}
	}
	orders := []vip.Order{
		order("1", "a", clvDay(2025, 1, 1), "10", 1),
		order("2", "a", clvDay(2025, 1, 8), "12.50", 2), // paid 25, shipping not counted
	}
	got, err := vip.BuildCohortFromOrders(orders, vip.CohortOptions{Unit: vip.UnitDay, CutOff: clvDay(2025, 1, 31)})
	if err != nil {
		t.Fatal(err)
	}
	want := []vip.PurchaseHistory{{ID: "a", X: 1, TX: 7, T: 30, MeanRepeatSpend: decimal.NewFromInt(25)}}
	if diff := cmp.Diff(want, got.Rows, clvDecimalComparer); diff != "" {
		t.Errorf("BuildCohortFromOrders (-want +got):\n%s", diff)
	}
	usd := order("3", "a", clvDay(2025, 1, 9), "1", 1)
	usd.Currency = "USD"
	if _, err := vip.BuildCohortFromOrders(append(orders, usd), vip.CohortOptions{Unit: vip.UnitDay, CutOff: clvDay(2025, 1, 31)}); !errors.Is(err, vip.ErrCurrencyMismatch) {
		t.Errorf("BuildCohortFromOrders with two currencies: error %v, want ErrCurrencyMismatch", err)
	}
}

func TestBuildCohort_Errors(t *testing.T) {
	tests := []struct {
		name string
		txs  []vip.Transaction
		opt  vip.CohortOptions
		want []string
	}{
		{"no unit", nil, vip.CohortOptions{CutOff: clvDay(2025, 1, 1)}, []string{"unit 0"}},
		{"no cut-off", nil, vip.CohortOptions{Unit: vip.UnitDay}, []string{"cut_off is zero"}},
		{"end before cut-off", nil, vip.CohortOptions{Unit: vip.UnitDay, CutOff: clvDay(2025, 2, 1), End: clvDay(2025, 1, 1)}, []string{"end 2025-01-01"}},
		{"bad transactions", []vip.Transaction{{At: clvDay(2025, 1, 1)}, {CustomerID: "x", Amount: decimal.NewFromInt(-1)}},
			vip.CohortOptions{Unit: vip.UnitDay, CutOff: clvDay(2025, 2, 1)},
			[]string{"transaction 0: customer_id is empty", `transaction 1 of customer "x": at is zero`, "amount -1 is negative"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vip.BuildCohort(tc.txs, tc.opt)
			if !errors.Is(err, vip.ErrInvalidTransaction) {
				t.Fatalf("BuildCohort error = %v, want ErrInvalidTransaction", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("BuildCohort error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestCohort_Validate(t *testing.T) {
	ok := vip.PurchaseHistory{ID: "ok", X: 2, TX: 3, T: 5, MeanRepeatSpend: decimal.NewFromInt(1)}
	tests := []struct {
		name  string
		rows  []vip.PurchaseHistory
		spend bool
		want  []string // fragments the error must contain; nil means valid
	}{
		{"valid", []vip.PurchaseHistory{ok, {ID: "one-time", T: 4}}, true, nil},
		{"fractional x", []vip.PurchaseHistory{{ID: "f", X: 1.5, TX: 1, T: 2}}, false, []string{`1 customers with x not a whole number >= 0: "f"`}},
		{"negative x", []vip.PurchaseHistory{{ID: "n", X: -1, T: 2}}, false, []string{`x not a whole number >= 0: "n"`}},
		{"t_x above T", []vip.PurchaseHistory{{ID: "254", X: 254, TX: 97.43, T: 97.29}}, false, []string{`t_x above T: "254"`}},
		{"negative t_x", []vip.PurchaseHistory{{ID: "neg", X: 1, TX: -1, T: 2}}, false, []string{`t_x below 0: "neg"`}},
		{"x = 0 with t_x", []vip.PurchaseHistory{{ID: "z", X: 0, TX: 1, T: 2}}, false, []string{`x = 0 but t_x above 0: "z"`}},
		{"NaN", []vip.PurchaseHistory{{ID: "nan", X: 1, TX: math.NaN(), T: 2}}, false, []string{`non-finite x, t_x or T: "nan"`}},
		{"spend missing for Gamma-Gamma", []vip.PurchaseHistory{{ID: "s", X: 1, TX: 1, T: 2}}, true, []string{`mean repeat spend not above 0: "s"`}},
		{"spend not needed", []vip.PurchaseHistory{{ID: "s", X: 1, TX: 1, T: 2}}, false, nil},
		{"no rows", nil, false, []string{"no customers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := vip.Cohort{Unit: vip.UnitWeek, Rows: tc.rows}
			err := s.Validate()
			if tc.spend {
				err = s.ValidateSpend()
			}
			if tc.want == nil {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, vip.ErrInvalidHistory) {
				t.Fatalf("Validate() = %v, want ErrInvalidHistory", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
	t.Run("first ten and the count", func(t *testing.T) {
		var rows []vip.PurchaseHistory
		for i := range 25 {
			rows = append(rows, vip.PurchaseHistory{ID: "c" + strconv.Itoa(i), X: 1, TX: 9, T: 2})
		}
		err := vip.Cohort{Unit: vip.UnitDay, Rows: rows}.Validate()
		want := `vip: 25 customers with t_x above T (first 10 shown): "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9": invalid purchase history`
		if err == nil || err.Error() != want {
			t.Errorf("Validate() = %v\nwant %s", err, want)
		}
	})
}

func TestBuildCohort_CDNOW(t *testing.T) {
	want := clvCDNOWHoldout(t)
	txs := clvCDNOWSample(t)
	for i := range txs {
		txs[i].CustomerID = strings.TrimLeft(txs[i].CustomerID, "0")
	}
	got, err := vip.BuildCohort(txs, vip.CohortOptions{
		Unit: vip.UnitWeek, CutOff: clvDay(1997, 9, 30), End: clvDay(1998, 6, 30), Merge: vip.UnitDay,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != len(want.Rows) {
		t.Fatalf("BuildCohort(CDNOW sample) gave %d customers, want %d", len(got.Rows), len(want.Rows))
	}
	byID := make(map[string]vip.PurchaseHistory, len(got.Rows))
	var sx, sh float64
	for _, r := range got.Rows {
		byID[r.ID] = r
		sx += r.X
		sh += r.HoldoutX
	}
	if sx != 2457 || sh != 1882 {
		t.Errorf("Σx = %v, Σx* = %v; want 2457 and 1882", sx, sh)
	}
	bad := 0
	for _, w := range want.Rows {
		g := byID[w.ID]
		if g.X != w.X || g.HoldoutX != w.HoldoutX || !clvNear(g.TX, w.TX, 1e-9) || !clvNear(g.T, w.T, 1e-9) ||
			!g.MeanRepeatSpend.Sub(w.MeanRepeatSpend).Abs().LessThan(decimal.RequireFromString("0.000001")) {
			if bad < 5 {
				t.Errorf("customer %s: got %+v, want %+v", w.ID, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d customers differ from cdnow_summary_with_holdout.csv", bad)
	}
}
