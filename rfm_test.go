package vip_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

var rfmDecimal = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
var rfmFloat = cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-9 })

func rfmDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func rfmLine(sku, cat, brand string, qty int64, list, paid, cost string) vip.Line {
	return vip.Line{SKU: sku, Category: cat, Brand: brand, Quantity: qty, ListPrice: rfmDec(list), PaidPrice: rfmDec(paid), UnitCost: rfmDec(cost)}
}

func rfmOrder(id string, at time.Time, lines ...vip.Line) vip.Order {
	return vip.Order{ID: id, CustomerID: "c1", PlacedAt: at, Currency: "USD", Lines: lines}
}

// rfmActivity is the customer worked by hand in TestSummarize.
func rfmActivity() vip.Activity {
	utc := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	bags := rfmLine("s2", "bags", "Y", 1, "80", "60", "30")
	bags.Premium = true
	hat := rfmLine("s3", "hats", "X", 1, "40", "40", "10")
	hat.NewRelease = true
	return vip.Activity{
		Customer: vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)},
		Orders: []vip.Order{
			rfmOrder("o3", utc(2026, 6, 20, 10), rfmLine("s4", "shoes", "X", 3, "30", "27", "12")),
			rfmOrder("o0", utc(2025, 5, 1, 10), rfmLine("s0", "shoes", "X", 1, "100", "100", "40")),
			rfmOrder("o1", utc(2025, 8, 10, 10), rfmLine("s1", "shoes", "X", 2, "50", "50", "20"), bags),
			rfmOrder("o2", utc(2026, 2, 15, 10), hat),
			rfmOrder("o2b", utc(2026, 2, 16, 10), rfmLine("s5", "hats", "Z", 1, "10", "10", "5")),
			rfmOrder("o4", utc(2026, 7, 5, 10), rfmLine("s6", "shoes", "X", 1, "1000", "1000", "1")),
		},
		Refunds: []vip.Refund{
			{ID: "r1", OrderID: "o1", CustomerID: "c1", At: utc(2026, 3, 1, 9), Currency: "USD", Amount: rfmDec("50"), Lines: []vip.RefundLine{{SKU: "s1", Quantity: 1}}},
			{ID: "r2", OrderID: "o0", CustomerID: "c1", At: utc(2025, 5, 10, 9), Currency: "USD", Amount: rfmDec("10")},
		},
		Signals: []vip.Signal{
			{At: utc(2026, 1, 1, 0), Kind: vip.SignalSupportContact, Count: 2},
			{At: utc(2026, 5, 1, 0), Kind: vip.SignalReferral},
			{At: utc(2025, 1, 1, 0), Kind: vip.SignalReview},
			{At: utc(2026, 6, 30, 12), Kind: vip.SignalUserContent},
			{At: utc(2026, 7, 1, 0), Kind: vip.SignalEmailOpen},
		},
	}
}

func TestSummarize(t *testing.T) {
	a := rfmActivity()
	asOf := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	got, err := vip.Summarize(&a, asOf, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Worked by hand. Window (2025-06-30 12:00, 2026-06-30 12:00] holds o1, o2, o2b, o3.
	// Gross 160 + 40 + 10 + 81 = 291, list 320, cost 70 + 10 + 5 + 36 = 121. Refund r1 (50)
	// returns one s1 whose cost 20 goes back to stock; r2 is before the window.
	// Gaps: Aug 10 -> Feb 15 189 days, Feb 15 -> 16 1 day, Feb 16 -> Jun 20 124 days.
	want := vip.Summary{
		CustomerID: "c1", AsOf: asOf, WindowStart: time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC), WindowMonths: 12, Currency: "USD",
		FirstPurchase: time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC), LastPurchase: time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC),
		RecencyDays: 10, TenureDays: 425,
		Orders: 4, Units: 8,
		Gross: rfmDec("291"), Refunded: rfmDec("50"), Net: rfmDec("241"),
		AOV:      rfmDec("72.75"), // 291 / 4
		Discount: rfmDec("29"),    // 320 - 291
		// full price: s1 100 + s3 40 + s5 10 = 150; discounted: s2 60 + s4 81 = 141
		FullPriceShare: rfmDec("0.5155"), DiscountedShare: rfmDec("0.4845"),
		Margin: rfmDec("140"), MarginRate: rfmDec("0.5809"), // 291 - 121 + 20 - 50; 140 / 241
		IntervalMeanDays: 314.0 / 3, IntervalMedianDays: 124,
		Categories: 3, Brands: 3,
		TopCategoryShare: rfmDec("0.6220"),                                                     // shoes 181 / 291
		TopBrandShare:    rfmDec("0.7595"),                                                     // X 221 / 291
		PremiumShare:     rfmDec("0.2062"),                                                     // 60 / 291
		NewReleaseShare:  rfmDec("0.1375"),                                                     // 40 / 291
		NewCategories:    1,                                                                    // hats: in the last 6 months, not before
		Returns:          1, ReturnedOrders: 1, ReturnedUnits: 1, ReturnRate: rfmDec("0.1718"), // 50 / 291
		SupportContacts: 2, Referrals: 1, UserContent: 1,
		LifetimeOrders: 5, LifetimeNet: rfmDec("331"), LifetimeMargin: rfmDec("190"), // 100 + 291 - 60; 60 + 170 - 50 + 20 - 10
		Last6: vip.Trend{Months: 6, Start: time.Date(2025, 12, 30, 12, 0, 0, 0, time.UTC), Orders: 3,
			Gross: rfmDec("131"), Net: rfmDec("81"), AOV: rfmDec("43.67"),
			OrderRate: rfmDec("1.5"), SpendRate: rfmDec("0.6722")}, // 3*12/(4*6); 81*12/(241*6)
		Last3: vip.Trend{Months: 3, Start: time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC), Orders: 1,
			Gross: rfmDec("81"), Net: rfmDec("81"), AOV: rfmDec("81"),
			OrderRate: rfmDec("1"), SpendRate: rfmDec("1.3444")}, // 1*12/(4*3); 81*12/(241*3)
	}
	if d := cmp.Diff(want, got, rfmDecimal, rfmFloat); d != "" {
		t.Errorf("Summarize (-want +got):\n%s", d)
	}
	in := got.RFM()
	if in.RecencyDays != 10 || in.Frequency != 4 || !in.Monetary.Equal(rfmDec("241")) || in.CustomerID != "c1" {
		t.Errorf("RFM() = %+v, want c1 10 4 241", in)
	}
}

func TestSummarize_Calendar(t *testing.T) {
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	for _, tc := range []struct {
		name        string
		zone        string
		last, asOf  time.Time
		months      int
		wantRecency int
		wantStart   time.Time
	}{
		{"UTC", "", time.Date(2026, 6, 29, 23, 30, 0, 0, time.UTC), time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), 12, 1,
			time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)},
		// 23:30 UTC on the 29th is 01:30 on the 30th in Warsaw: the same day as asOf.
		{"Warsaw", "Europe/Warsaw", time.Date(2026, 6, 29, 23, 30, 0, 0, time.UTC), time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), 12, 0,
			time.Date(2025, 6, 30, 14, 0, 0, 0, warsaw)},
		// March 31 minus one month clamps to February 28.
		{"ClampMonthEnd", "", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC), 1, 30,
			time.Date(2026, 2, 28, 8, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := vip.Activity{Customer: vip.Customer{ID: "c1", JoinedAt: tc.last, TimeZone: tc.zone},
				Orders: []vip.Order{rfmOrder("o", tc.last, rfmLine("s", "", "", 1, "1", "1", "0"))}}
			s, err := vip.Summarize(&a, tc.asOf, &vip.SummaryOptions{WindowMonths: tc.months})
			if err != nil {
				t.Fatal(err)
			}
			if s.RecencyDays != tc.wantRecency || !s.WindowStart.Equal(tc.wantStart) {
				t.Errorf("recency %d, window start %s; want %d, %s", s.RecencyDays, s.WindowStart, tc.wantRecency, tc.wantStart)
			}
		})
	}
}

func TestSummarize_NoPurchase(t *testing.T) {
	a := vip.Activity{Customer: vip.Customer{ID: "c9"}}
	s, err := vip.Summarize(&a, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.RecencyDays != -1 || s.TenureDays != -1 || s.Orders != 0 || !s.Net.IsZero() || !s.AOV.IsZero() {
		t.Errorf("empty summary: %+v", s)
	}
	if r := s.RFM().RecencyDays; r != vip.NeverBoughtRecency {
		t.Errorf("RFM().RecencyDays = %d, want NeverBoughtRecency", r)
	}
}

func TestSummarize_Errors(t *testing.T) {
	asOf := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	a := rfmActivity()
	if _, err := vip.Summarize(&a, asOf, &vip.SummaryOptions{Currency: "EUR"}); !errors.Is(err, vip.ErrCurrencyMismatch) {
		t.Errorf("EUR program, USD orders: err = %v, want ErrCurrencyMismatch", err)
	}
	a.Refunds[0].Currency = "EUR"
	if _, err := vip.Summarize(&a, asOf, nil); !errors.Is(err, vip.ErrCurrencyMismatch) {
		t.Errorf("EUR refund of USD orders: err = %v, want ErrCurrencyMismatch", err)
	}
	a = rfmActivity()
	if _, err := vip.Summarize(&a, asOf, &vip.SummaryOptions{WindowMonths: -1}); !errors.Is(err, vip.ErrInvalidActivity) {
		t.Errorf("window -1: err = %v, want ErrInvalidActivity", err)
	}
	if _, err := vip.Summarize(&a, time.Time{}, nil); !errors.Is(err, vip.ErrInvalidActivity) {
		t.Errorf("zero asOf: err = %v, want ErrInvalidActivity", err)
	}
	a.Customer.TimeZone = "Mars/Olympus"
	if _, err := vip.Summarize(&a, asOf, nil); !errors.Is(err, vip.ErrInvalidCustomer) {
		t.Errorf("bad zone: err = %v, want ErrInvalidCustomer", err)
	}
}
