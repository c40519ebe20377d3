package synth_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func small(seed int64) synth.Config {
	cfg := synth.DefaultConfig()
	cfg.Seed = seed
	cfg.Customers = 300
	return cfg
}

func TestGenerate_Deterministic(t *testing.T) {
	a := synth.Generate(small(7))
	b := synth.Generate(small(7))
	if diff := cmp.Diff(a, b, decimalEqual); diff != "" {
		t.Fatalf("Generate(seed 7) twice differs (-first +second):\n%s", diff)
	}
	c := synth.Generate(small(8))
	if cmp.Equal(a.Orders, c.Orders, decimalEqual) {
		t.Fatal("Generate(seed 7) and Generate(seed 8) gave the same orders")
	}
	// A customer's history does not depend on how many others are generated.
	big := small(7)
	big.Customers = 600
	first := map[string]int{}
	for _, o := range a.Orders {
		first[o.CustomerID]++
	}
	second := map[string]int{}
	for _, o := range synth.Generate(big).Orders {
		if _, ok := first[o.CustomerID]; ok {
			second[o.CustomerID]++
		}
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Fatalf("orders per customer changed when generating more customers (-300 +600):\n%s", diff)
	}
}

func TestGenerate_Valid(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Customers = 2000
	s := synth.Generate(cfg)
	if len(s.Customers) != 2000 {
		t.Fatalf("got %d customers, want 2000", len(s.Customers))
	}
	customers := map[string]bool{}
	for _, c := range s.Customers {
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if customers[c.ID] {
			t.Fatalf("customer %q twice", c.ID)
		}
		customers[c.ID] = true
	}
	orders := map[string]vip.Order{}
	for i, o := range s.Orders {
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		if _, dup := orders[o.ID]; dup {
			t.Fatalf("order %q twice", o.ID)
		}
		orders[o.ID] = o
		if !customers[o.CustomerID] {
			t.Fatalf("order %q: unknown customer %q", o.ID, o.CustomerID)
		}
		if o.Currency != "USD" {
			t.Fatalf("order %q: currency %q, want USD", o.ID, o.Currency)
		}
		if o.PlacedAt.Before(cfg.Start) || !o.PlacedAt.Before(cfg.End) {
			t.Fatalf("order %q: placed at %s outside [%s, %s)", o.ID, o.PlacedAt, cfg.Start, cfg.End)
		}
		if i > 0 && o.PlacedAt.Before(s.Orders[i-1].PlacedAt) {
			t.Fatalf("order %d (%q) is before order %d", i, o.ID, i-1)
		}
		for _, l := range o.Lines {
			if l.PaidPrice.GreaterThan(l.ListPrice) || !l.UnitCost.IsPositive() || l.UnitCost.GreaterThanOrEqual(l.ListPrice) {
				t.Fatalf("order %q line %q: list %s paid %s cost %s", o.ID, l.SKU, l.ListPrice, l.PaidPrice, l.UnitCost)
			}
		}
	}
	byOrder := map[string][]vip.Refund{}
	for i, r := range s.Refunds {
		if i > 0 && r.At.Before(s.Refunds[i-1].At) {
			t.Fatalf("refund %d (%q) is before refund %d", i, r.ID, i-1)
		}
		if !r.At.Before(cfg.End) {
			t.Fatalf("refund %q at %s, not before the end %s", r.ID, r.At, cfg.End)
		}
		byOrder[r.OrderID] = append(byOrder[r.OrderID], r)
	}
	for id, rs := range byOrder {
		o, ok := orders[id]
		if !ok {
			t.Fatalf("refund %q of unknown order %q", rs[0].ID, id)
		}
		if err := vip.ValidateRefunds(o, rs); err != nil {
			t.Fatal(err)
		}
	}
	// About 5% of orders are refunded (a few near the end fall outside the window).
	share := float64(len(byOrder)) / float64(len(s.Orders))
	if share < 0.035 || share > 0.065 {
		t.Errorf("refunded share of orders = %.3f, want 0.035-0.065", share)
	}
	// Some activity of every kind the scorers look at.
	var lines, discounted, newRel, premium int
	cats, brands := map[string]bool{}, map[string]bool{}
	for _, o := range s.Orders {
		for _, l := range o.Lines {
			lines++
			cats[l.Category] = true
			brands[l.Brand] = true
			if l.Discounted() {
				discounted++
			}
			if l.NewRelease {
				newRel++
			}
			if l.Premium {
				premium++
			}
		}
	}
	if len(cats) < 8 || len(cats) > 12 {
		t.Errorf("%d categories, want 8-12", len(cats))
	}
	if d := float64(discounted) / float64(lines); d < 0.1 || d > 0.4 {
		t.Errorf("discounted share of lines = %.3f, want 0.1-0.4", d)
	}
	if newRel == 0 || premium == 0 || len(brands) < 10 {
		t.Errorf("new-release lines %d, premium lines %d, brands %d: want some of each, 10+ brands", newRel, premium, len(brands))
	}
}

// TestCalibration checks the bands in the package doc on the default shop, with the
// ladder Silver $2,000, Gold $5,000, Platinum $10,000 of net spend in the 12 months
// before 2026-01-01.
func TestCalibration(t *testing.T) {
	cfg := synth.DefaultConfig()
	s := synth.Generate(cfg)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	year := map[string]decimal.Decimal{} // net spend in the last year, active customers only
	all := map[string]decimal.Decimal{}  // net revenue over the window, buying customers
	for _, o := range s.Orders {
		all[o.CustomerID] = all[o.CustomerID].Add(o.Paid())
		if !o.PlacedAt.Before(from) {
			year[o.CustomerID] = year[o.CustomerID].Add(o.Paid())
		}
	}
	for _, r := range s.Refunds {
		all[r.CustomerID] = all[r.CustomerID].Sub(r.Amount)
		if v, ok := year[r.CustomerID]; ok && !r.At.Before(from) {
			year[r.CustomerID] = v.Sub(r.Amount)
		}
	}
	var silver, gold, platinum int
	for _, v := range year {
		if v.GreaterThanOrEqual(decimal.NewFromInt(2000)) {
			silver++
		}
		if v.GreaterThanOrEqual(decimal.NewFromInt(5000)) {
			gold++
		}
		if v.GreaterThanOrEqual(decimal.NewFromInt(10000)) {
			platinum++
		}
	}
	active := float64(len(year))
	revenue := make([]decimal.Decimal, 0, len(all))
	total := decimal.Zero
	for _, v := range all {
		revenue = append(revenue, v)
		total = total.Add(v)
	}
	slices.SortFunc(revenue, func(a, b decimal.Decimal) int { return b.Cmp(a) })
	top := decimal.Zero
	for _, v := range revenue[:len(revenue)/5] {
		top = top.Add(v)
	}
	topShare, _ := top.Div(total).Float64()
	for _, c := range []struct {
		name     string
		got      float64
		low, max float64
	}{
		{"share of active customers at Silver or above", float64(silver) / active, 0.10, 0.20},
		{"share of active customers at Gold or above", float64(gold) / active, 0.02, 0.06},
		{"share of active customers at Platinum", float64(platinum) / active, 0.005, 0.02},
		{"revenue share of the top 20% of buying customers", topShare, 0.70, 0.85},
		{"share of customers active in the last year", active / float64(cfg.Customers), 0.4, 0.8},
	} {
		if c.got < c.low || c.got > c.max {
			t.Errorf("%s = %.4f, want %.3f-%.3f", c.name, c.got, c.low, c.max)
		}
	}
}

func TestEach_MatchesGenerate(t *testing.T) {
	cfg := small(3)
	var orders []vip.Order
	n := 0
	synth.Each(cfg, func(c vip.Customer, os []vip.Order, _ []vip.Refund) bool {
		n++
		for i, o := range os {
			if o.CustomerID != c.ID {
				t.Fatalf("customer %q got order %q of %q", c.ID, o.ID, o.CustomerID)
			}
			if i > 0 && o.PlacedAt.Before(os[i-1].PlacedAt) {
				t.Fatalf("customer %q: orders out of time order", c.ID)
			}
		}
		orders = append(orders, os...)
		return true
	})
	if n != cfg.Customers {
		t.Fatalf("Each called fn %d times, want %d", n, cfg.Customers)
	}
	want := synth.Generate(cfg).Orders
	slices.SortFunc(orders, func(a, b vip.Order) int {
		if c := a.PlacedAt.Compare(b.PlacedAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	if diff := cmp.Diff(want, orders, decimalEqual); diff != "" {
		t.Fatalf("Each's orders differ from Generate's (-Generate +Each):\n%s", diff)
	}
	stopped := 0
	synth.Each(cfg, func(vip.Customer, []vip.Order, []vip.Refund) bool { stopped++; return stopped < 5 })
	if stopped != 5 {
		t.Fatalf("Each went on after fn returned false: %d calls, want 5", stopped)
	}
}

func TestConfig_Knobs(t *testing.T) {
	cfg := small(4)
	cfg.MaxLines = 1
	cfg.Currency = "EUR"
	cfg.Start = time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)
	cfg.End = time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	s := synth.Generate(cfg)
	if len(s.Orders) == 0 {
		t.Fatal("no orders")
	}
	for _, o := range s.Orders {
		if len(o.Lines) != 1 || o.Currency != "EUR" || o.PlacedAt.Before(cfg.Start) || !o.PlacedAt.Before(cfg.End) {
			t.Fatalf("order %q: %d lines in %s at %s; want 1 line in EUR in [2020-03-01, 2021-03-01)", o.ID, len(o.Lines), o.Currency, o.PlacedAt)
		}
	}
	base := len(synth.Generate(small(4)).Orders)
	scaled := small(4)
	scaled.RateScale = 3
	if got := len(synth.Generate(scaled).Orders); got < 2*base {
		t.Errorf("RateScale 3 gave %d orders, want at least twice the %d of scale 1", got, base)
	}
	if got := synth.Generate(synth.Config{}); len(got.Customers) != 0 || len(got.Orders) != 0 {
		t.Errorf("Generate(Config{}) = %d customers, %d orders; want an empty shop", len(got.Customers), len(got.Orders))
	}
}

func TestConfig_Validate(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  synth.Config
		errs int
	}{
		{"OK", synth.DefaultConfig(), 0},
		{"OKZero", synth.Config{}, 0},
		{"ErrNegativeCustomers", synth.Config{Customers: -1}, 1},
		{"ErrEndBeforeStart", synth.Config{Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, 1},
		{"ErrCurrency", synth.Config{Currency: "usd"}, 1},
		{"ErrAll", synth.Config{Customers: -1, Currency: "US", MaxLines: -2, RateScale: -1}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate()
			n := 0
			if err != nil {
				n = 1
				var j interface{ Unwrap() []error }
				if errors.As(err, &j) {
					n = len(j.Unwrap())
				}
			}
			if n != c.errs {
				t.Fatalf("Validate() = %v: %d problems, want %d", err, n, c.errs)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("Generate with customers -1 did not panic")
		}
	}()
	synth.Generate(synth.Config{Customers: -1})
}
