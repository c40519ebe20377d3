package vip_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"pgregory.net/rapid"
)

func rfmValues(pairs ...any) []vip.CustomerValue {
	var out []vip.CustomerValue
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, vip.CustomerValue{CustomerID: pairs[i].(string), Value: rfmDec(pairs[i+1].(string))})
	}
	return out
}

// rfmEight is worked by hand in TestRank and TestConcentrate: positive total 100.
func rfmEight() []vip.CustomerValue {
	return rfmValues("e", "3", "g", "-4", "a", "50", "c", "10", "h", "0", "b", "30", "f", "2", "d", "5")
}

func TestRank(t *testing.T) {
	got, err := vip.Rank(rfmEight(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Before-shares 0, .5, .8, .9, .95, .98: A while below 80%, B below 95%. Service with
	// n = 8: white-glove ceil(0.08) = 1, semi-automated ceil(0.4) = 1, automated ceil(1.6) = 2.
	want := []vip.Ranked{
		{CustomerID: "a", Value: rfmDec("50"), Rank: 1, CumulativeShare: rfmDec("0.5"), Class: "A", Service: vip.ServiceWhiteGlove},
		{CustomerID: "b", Value: rfmDec("30"), Rank: 2, CumulativeShare: rfmDec("0.8"), Class: "A", Service: vip.ServiceAutomated},
		{CustomerID: "c", Value: rfmDec("10"), Rank: 3, CumulativeShare: rfmDec("0.9"), Class: "B", Service: vip.ServiceStandard},
		{CustomerID: "d", Value: rfmDec("5"), Rank: 4, CumulativeShare: rfmDec("0.95"), Class: "B", Service: vip.ServiceStandard},
		{CustomerID: "e", Value: rfmDec("3"), Rank: 5, CumulativeShare: rfmDec("0.98"), Class: "C", Service: vip.ServiceStandard},
		{CustomerID: "f", Value: rfmDec("2"), Rank: 6, CumulativeShare: rfmDec("1"), Class: "C", Service: vip.ServiceStandard},
		{CustomerID: "h", Value: rfmDec("0"), Rank: 7, CumulativeShare: rfmDec("1"), Class: "C", Service: vip.ServiceStandard},
		{CustomerID: "g", Value: rfmDec("-4"), Rank: 8, CumulativeShare: rfmDec("1"), Class: "C", Service: vip.ServiceStandard},
	}
	if d := cmp.Diff(want, got, rfmDecimal); d != "" {
		t.Errorf("Rank (-want +got):\n%s", d)
	}

	t.Run("Options", func(t *testing.T) {
		got, err := vip.Rank(rfmEight(), &vip.RankOptions{A: rfmDec("0.5"), B: rfmDec("0.9"), Automated: rfmDec("0.5")})
		if err != nil {
			t.Fatal(err)
		}
		var classes []string
		var service []vip.ServiceLevel
		for _, r := range got {
			classes = append(classes, r.Class)
			service = append(service, r.Service)
		}
		// A: before-share below .5 (only a); B: below .9 (b, c); automated to rank ceil(4) = 4.
		if d := cmp.Diff([]string{"A", "B", "B", "C", "C", "C", "C", "C"}, classes); d != "" {
			t.Errorf("classes (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]vip.ServiceLevel{"white-glove", "automated", "automated", "automated", "standard", "standard", "standard", "standard"}, service); d != "" {
			t.Errorf("service (-want +got):\n%s", d)
		}
	})
	t.Run("TiesByID", func(t *testing.T) {
		got, _ := vip.Rank(rfmValues("y", "5", "x", "5"), nil)
		if got[0].CustomerID != "x" || got[1].CustomerID != "y" {
			t.Errorf("equal values ranked %s, %s; want x, y", got[0].CustomerID, got[1].CustomerID)
		}
	})
	t.Run("ErrOptions", func(t *testing.T) {
		_, err := vip.Rank(nil, &vip.RankOptions{A: rfmDec("0.9"), B: rfmDec("0.8"), WhiteGlove: rfmDec("1.5")})
		if !errors.Is(err, vip.ErrInvalidScoring) {
			t.Fatalf("err = %v, want ErrInvalidScoring", err)
		}
		for _, w := range []string{"a 0.9 is not below b 0.8", "white_glove 1.5 is outside (0, 1]", "do not ascend"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	})
}

func TestConcentrate(t *testing.T) {
	got := vip.Concentrate(rfmEight())
	// Ascending 0 0 2 3 5 10 30 50 (the negative counts as 0): sum of (2i - 9) x_i =
	// -6 - 3 + 5 + 30 + 150 + 350 = 526; Gini = 526 / (8 x 100).
	want := vip.Concentration{Customers: 8, Total: rfmDec("100"),
		Top1: rfmDec("0.5"), Top5: rfmDec("0.5"), Top10: rfmDec("0.5"), Top20: rfmDec("0.8"), Gini: rfmDec("0.6575")}
	if d := cmp.Diff(want, got, rfmDecimal); d != "" {
		t.Errorf("Concentrate (-want +got):\n%s", d)
	}
	if d := cmp.Diff(vip.Concentration{}, vip.Concentrate(nil), rfmDecimal); d != "" {
		t.Errorf("Concentrate(nil) (-want +got):\n%s", d)
	}
	// Equal values: no concentration.
	eq := vip.Concentrate(rfmValues("a", "7", "b", "7", "c", "7", "d", "7", "e", "7"))
	if !eq.Gini.IsZero() || !eq.Top20.Equal(rfmDec("0.2")) {
		t.Errorf("equal values: gini %s top20 %s, want 0 and 0.2", eq.Gini, eq.Top20)
	}
}

func TestTopThreshold(t *testing.T) {
	var vals []decimal.Decimal
	for _, v := range rfmEight() {
		vals = append(vals, v.Value)
	}
	for _, tc := range []struct{ share, want string }{{"0.2", "30"}, {"0.5", "5"}, {"1", "-4"}, {"0.01", "50"}} {
		got, err := vip.TopThreshold(vals, rfmDec(tc.share))
		if err != nil || !got.Equal(rfmDec(tc.want)) {
			t.Errorf("TopThreshold(%s) = %s, %v; want %s", tc.share, got, err, tc.want)
		}
	}
	for _, share := range []string{"0", "1.01", "-0.2"} {
		if _, err := vip.TopThreshold(vals, rfmDec(share)); !errors.Is(err, vip.ErrInvalidScoring) {
			t.Errorf("TopThreshold(%s) err = %v, want ErrInvalidScoring", share, err)
		}
	}
	if _, err := vip.TopThreshold(nil, rfmDec("0.2")); !errors.Is(err, vip.ErrInvalidScoring) {
		t.Errorf("TopThreshold(nil) err = %v, want ErrInvalidScoring", err)
	}
}

func TestCadence_Next(t *testing.T) {
	for _, tc := range []struct {
		c        vip.Cadence
		from, to time.Time
	}{
		{vip.CadenceWeekly, time.Date(2026, 2, 26, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)},
		{vip.CadenceMonthly, time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)},
		{vip.CadenceQuarterly, time.Date(2025, 11, 30, 9, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)},
	} {
		got, err := tc.c.Next(tc.from, nil)
		if err != nil || !got.Equal(tc.to) {
			t.Errorf("%s.Next(%s) = %s, %v; want %s", tc.c, tc.from, got, err, tc.to)
		}
	}
	if _, err := vip.Cadence("daily").Next(time.Now(), nil); !errors.Is(err, vip.ErrInvalidScoring) {
		t.Errorf("daily: err = %v", err)
	}
}

func TestExclusivity(t *testing.T) {
	var vals []decimal.Decimal
	for i := 1; i <= 100; i++ {
		vals = append(vals, decimal.NewFromInt(int64(i)))
	}
	got, err := vip.Exclusivity(vals, []string{"Silver", "Gold", "Platinum"}, []decimal.Decimal{rfmDec("81"), rfmDec("91"), rfmDec("98")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 81..90, 91..97, 98..100 of 1..100.
	want := vip.ExclusivityReport{Customers: 100, Low: rfmDec("0.1"), High: rfmDec("0.2"),
		Tiers: []vip.TierShare{
			{Name: "Silver", Threshold: rfmDec("81"), Customers: 10, Share: rfmDec("0.1"), AtOrAbove: 20, AtOrAboveShare: rfmDec("0.2")},
			{Name: "Gold", Threshold: rfmDec("91"), Customers: 7, Share: rfmDec("0.07"), AtOrAbove: 10, AtOrAboveShare: rfmDec("0.1"), OutsideBand: true},
			{Name: "Platinum", Threshold: rfmDec("98"), Customers: 3, Share: rfmDec("0.03"), AtOrAbove: 3, AtOrAboveShare: rfmDec("0.03"), OutsideBand: true},
		},
		VIP: 20, VIPShare: rfmDec("0.2")}
	if d := cmp.Diff(want, got, rfmDecimal); d != "" {
		t.Errorf("Exclusivity (-want +got):\n%s", d)
	}
	// The brief's warning: 40% VIP is not exclusive.
	got, err = vip.Exclusivity(vals, []string{"VIP"}, []decimal.Decimal{rfmDec("61")}, nil)
	if err != nil || !got.VIPOutsideBand || !got.VIPShare.Equal(rfmDec("0.4")) {
		t.Errorf("one tier at 61: %+v, %v; want 40%% flagged", got, err)
	}
	_, err = vip.Exclusivity(vals, []string{"a", ""}, []decimal.Decimal{rfmDec("5"), rfmDec("5"), rfmDec("6")}, &vip.ExclusivityOptions{Low: rfmDec("0.5"), High: rfmDec("0.4")})
	if !errors.Is(err, vip.ErrInvalidScoring) {
		t.Fatalf("err = %v, want ErrInvalidScoring", err)
	}
	for _, w := range []string{"2 names for 3 thresholds", "threshold 1 (5) is not above 5", "tier 1 has no name", "band [0.5, 0.4]"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func rfmDecs(vs ...float64) []decimal.Decimal {
	out := make([]decimal.Decimal, len(vs))
	for i, v := range vs {
		out[i] = decimal.NewFromFloat(v)
	}
	return out
}

func TestNaturalBreaks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []decimal.Decimal
		k      int
		want   []decimal.Decimal
	}{
		{"ThreeClusters", rfmDecs(31, 2, 10, 1, 12, 30, 11, 3), 3, rfmDecs(10, 30)},
		{"Duplicates", rfmDecs(1, 1, 1, 2, 9, 9, 10), 2, rfmDecs(9)},
		// Classes {1, 2} {6, 7} {15}: 0.5 + 0.5 + 0 beats {1, 2} {6} {7, 15}: 0.5 + 0 + 32.
		{"Outlier", rfmDecs(1, 2, 6, 7, 15), 3, rfmDecs(6, 15)},
		{"FewerValuesThanClasses", rfmDecs(5, 5, 8), 4, rfmDecs(8)},
		{"OneValue", rfmDecs(5, 5), 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vip.NaturalBreaks(tc.values, tc.k, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got, rfmDecimal); d != "" {
				t.Errorf("NaturalBreaks (-want +got):\n%s", d)
			}
		})
	}
	t.Run("Errors", func(t *testing.T) {
		_, err := vip.NaturalBreaks(nil, 1, &vip.JenksOptions{MaxExact: 1})
		if !errors.Is(err, vip.ErrInvalidScoring) {
			t.Fatalf("err = %v", err)
		}
		for _, w := range []string{"k 1 is below 2", "max_exact 1 is below 2", "no values"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	})
	t.Run("Grouped", func(t *testing.T) {
		// 3,000 spends in three clusters, 210 distinct values cut into about 100 groups:
		// the group edges miss the cluster edges, and the refinement finds them.
		var vals []decimal.Decimal
		for i := 0; i < 1000; i++ {
			vals = append(vals, decimal.NewFromInt(int64(100+i%50)), decimal.NewFromInt(int64(1000+i%70)), decimal.NewFromInt(int64(5000+i%90)))
		}
		got, err := vip.NaturalBreaks(vals, 3, &vip.JenksOptions{MaxExact: 100})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(rfmDecs(1000, 5000), got, rfmDecimal); d != "" {
			t.Errorf("grouped breaks (-want +got):\n%s", d)
		}
		exact, err := vip.NaturalBreaks(vals, 3, &vip.JenksOptions{MaxExact: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(rfmDecs(1000, 5000), exact, rfmDecimal); d != "" {
			t.Errorf("exact breaks (-want +got):\n%s", d)
		}
	})
}

// rfmSSD is the within-class sum of squared deviations of sorted xs cut at starts.
func rfmSSD(xs []float64, starts []int) float64 {
	total := 0.0
	b := append(append([]int{0}, starts...), len(xs))
	for c := 0; c+1 < len(b); c++ {
		cls := xs[b[c]:b[c+1]]
		mean := 0.0
		for _, x := range cls {
			mean += x
		}
		mean /= float64(len(cls))
		for _, x := range cls {
			total += (x - mean) * (x - mean)
		}
	}
	return total
}

// TestNaturalBreaks_BruteForce checks the breaks against every way of cutting a small
// sorted sample into k classes (equal values kept together).
func TestNaturalBreaks_BruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		raw := rapid.SliceOfN(rapid.IntRange(0, 40), 2, 10).Draw(t, "values")
		k := rapid.IntRange(2, 4).Draw(t, "k")
		xs := make([]float64, len(raw))
		vals := make([]decimal.Decimal, len(raw))
		for i, r := range raw {
			xs[i] = float64(r)
			vals[i] = decimal.NewFromInt(int64(r))
		}
		slices.Sort(xs)
		// Candidate cut points: where the value changes.
		var cuts []int
		for i := 1; i < len(xs); i++ {
			if xs[i] != xs[i-1] {
				cuts = append(cuts, i)
			}
		}
		kk := min(k, len(cuts)+1)
		best := math.Inf(1)
		var choose func(from int, picked []int)
		choose = func(from int, picked []int) {
			if len(picked) == kk-1 {
				best = min(best, rfmSSD(xs, picked))
				return
			}
			for i := from; i < len(cuts); i++ {
				choose(i+1, append(picked, cuts[i]))
			}
		}
		choose(0, nil)
		got, err := vip.NaturalBreaks(vals, k, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != kk-1 {
			t.Fatalf("%d breaks for k %d over %d distinct values", len(got), k, len(cuts)+1)
		}
		var starts []int
		for _, b := range got {
			starts = append(starts, slices.Index(xs, b.InexactFloat64()))
		}
		if c := rfmSSD(xs, starts); c > best+1e-9 {
			t.Fatalf("breaks %v cost %v, the best cut costs %v", got, c, best)
		}
	})
}

func TestValueScores(t *testing.T) {
	sums := []vip.Summary{
		{CustomerID: "A", Orders: 5, AOV: rfmDec("100"), FullPriceShare: rfmDec("0.9"), Margin: rfmDec("400"), LifetimeMargin: rfmDec("1000"),
			PremiumShare: rfmDec("0.5"), Referrals: 1, Reviews: 2},
		{CustomerID: "B", Orders: 2, AOV: rfmDec("50"), FullPriceShare: rfmDec("0.5"), Margin: rfmDec("100"), LifetimeMargin: rfmDec("100"),
			ReturnRate: rfmDec("0.2"), SupportContacts: 3},
		{CustomerID: "C", Orders: 2, AOV: rfmDec("200"), FullPriceShare: rfmDec("0.2"), Margin: rfmDec("200"), LifetimeMargin: rfmDec("300"),
			PremiumShare: rfmDec("0.1"), ReturnRate: rfmDec("0.1"), SupportContacts: 1},
	}
	got, err := vip.ValueScores(sums, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Rank shares (customers strictly below / 3), worked by hand:
	// A: 2/3 on frequency, full price, margin, CLV, premium, advocacy; 1/3 on AOV; no penalty:
	//    2/3 x 0.90 + 0.10/3 = 0.6333.
	// B: 1/3 on full price; penalties 2/3 on returns and support: 0.05/3 - 0.15 x 2/3 = -0.0833.
	// C: 2/3 on AOV, 1/3 on margin, CLV, premium; penalties 1/3: (0.20 + 0.25 + 0.20 + 0.05 - 0.15)/3.
	want := rfmValues("A", "63.33", "B", "-8.33", "C", "18.33")
	if d := cmp.Diff(want, got, rfmDecimal); d != "" {
		t.Errorf("ValueScores (-want +got):\n%s", d)
	}
	// Only frequency counts.
	got, err = vip.ValueScores(sums, &vip.ValueWeights{Frequency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(rfmValues("A", "66.67", "B", "0", "C", "0"), got, rfmDecimal); d != "" {
		t.Errorf("frequency only (-want +got):\n%s", d)
	}
	_, err = vip.ValueScores(sums, &vip.ValueWeights{Returns: -1, Support: math.NaN()})
	if !errors.Is(err, vip.ErrInvalidScoring) {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{"returns -1", "support NaN", "no positive weight"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestRisingStarRules_Signals(t *testing.T) {
	base := vip.Summary{Orders: 3, AOV: rfmDec("50"), Last6: vip.Trend{AOV: rfmDec("60")}, Last3: vip.Trend{OrderRate: rfmDec("1.5")}}
	for _, tc := range []struct {
		name string
		s    func(vip.Summary) vip.Summary
		want vip.ProjectedSignals
	}{
		{"TwoSignals", func(s vip.Summary) vip.Summary { return s },
			vip.ProjectedSignals{AOVTrend: rfmDec("1.2"), FrequencyTrend: rfmDec("1.5"), Signals: 2, RisingStar: true}},
		{"OneSignal", func(s vip.Summary) vip.Summary { s.Last3.OrderRate = rfmDec("1.1"); return s },
			vip.ProjectedSignals{AOVTrend: rfmDec("1.2"), FrequencyTrend: rfmDec("1.1"), Signals: 1}},
		{"NewCategory", func(s vip.Summary) vip.Summary { s.Last3.OrderRate = rfmDec("1"); s.NewCategories = 2; return s },
			vip.ProjectedSignals{AOVTrend: rfmDec("1.2"), FrequencyTrend: rfmDec("1"), CategoryExpansion: 2, Signals: 2, RisingStar: true}},
		{"OneOrder", func(s vip.Summary) vip.Summary { s.Orders = 1; return s },
			vip.ProjectedSignals{AOVTrend: rfmDec("1.2"), FrequencyTrend: rfmDec("1.5"), Signals: 2}},
		{"NoOrders", func(s vip.Summary) vip.Summary { return vip.Summary{} },
			vip.ProjectedSignals{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := vip.RisingStarRules{}.Signals(tc.s(base))
			if d := cmp.Diff(tc.want, got, rfmDecimal); d != "" {
				t.Errorf("Signals (-want +got):\n%s", d)
			}
		})
	}
}

func TestBehaviourRules_Segments(t *testing.T) {
	base := vip.Summary{Orders: 4, Gross: rfmDec("1000"), Categories: 2, Brands: 3,
		TopCategoryShare: rfmDec("0.6"), TopBrandShare: rfmDec("0.5"), DiscountedShare: rfmDec("0.3"), NewReleaseShare: rfmDec("0.1")}
	for _, tc := range []struct {
		name  string
		rules vip.BehaviourRules
		s     func(*vip.Summary)
		want  []string
	}{
		{"None", vip.BehaviourRules{}, func(*vip.Summary) {}, nil},
		{"TrendLeader", vip.BehaviourRules{}, func(s *vip.Summary) { s.NewReleaseShare = rfmDec("0.5") }, []string{vip.SegmentTrendLeader}},
		{"SaleShopper", vip.BehaviourRules{}, func(s *vip.Summary) { s.DiscountedShare = rfmDec("0.75") }, []string{vip.SegmentSaleShopper}},
		{"SaleShopperBelowSpend", vip.BehaviourRules{SaleShopperMinGross: rfmDec("2000")}, func(s *vip.Summary) { s.DiscountedShare = rfmDec("0.75") }, nil},
		{"BrandLoyalist", vip.BehaviourRules{}, func(s *vip.Summary) { s.Brands, s.TopBrandShare = 2, rfmDec("0.7") }, []string{vip.SegmentBrandLoyalist}},
		{"ThreeBrandsNotLoyal", vip.BehaviourRules{}, func(s *vip.Summary) { s.TopBrandShare = rfmDec("0.9") }, nil},
		{"Specialist", vip.BehaviourRules{}, func(s *vip.Summary) { s.TopCategoryShare = rfmDec("0.85") }, []string{vip.SegmentCategorySpecialist}},
		{"Generalist", vip.BehaviourRules{}, func(s *vip.Summary) { s.Categories, s.TopCategoryShare = 5, rfmDec("0.3") }, []string{vip.SegmentGeneralist}},
		{"GeneralistCustom", vip.BehaviourRules{GeneralistMinCategories: 2, GeneralistMaxShare: rfmDec("0.6")}, func(*vip.Summary) {}, []string{vip.SegmentGeneralist}},
		{"Several", vip.BehaviourRules{}, func(s *vip.Summary) {
			s.NewReleaseShare, s.Brands, s.TopBrandShare, s.TopCategoryShare = rfmDec("0.8"), 1, rfmDec("1"), rfmDec("1")
		}, []string{vip.SegmentTrendLeader, vip.SegmentBrandLoyalist, vip.SegmentCategorySpecialist}},
		{"TooFewOrders", vip.BehaviourRules{}, func(s *vip.Summary) { s.Orders, s.NewReleaseShare = 1, rfmDec("1") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			tc.s(&s)
			if d := cmp.Diff(tc.want, tc.rules.Segments(s)); d != "" {
				t.Errorf("Segments (-want +got):\n%s", d)
			}
		})
	}
}

func TestBehaviourRules_FromOrders(t *testing.T) {
	// Two orders of new releases from one brand in one category: a trend leader, brand
	// loyalist and category specialist, read through Summarize.
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	l := rfmLine("s", "vinyl", "Acme", 1, "30", "30", "10")
	l.NewRelease = true
	a := vip.Activity{Customer: vip.Customer{ID: "c1"}, Orders: []vip.Order{rfmOrder("o1", at, l), rfmOrder("o2", at.AddDate(0, 0, 9), l)}}
	s, err := vip.Summarize(&a, at.AddDate(0, 1, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{vip.SegmentTrendLeader, vip.SegmentBrandLoyalist, vip.SegmentCategorySpecialist}
	if d := cmp.Diff(want, vip.BehaviourRules{}.Segments(s)); d != "" {
		t.Errorf("Segments (-want +got):\n%s", d)
	}
}

// FuzzRulesJSON loads the scoring rules from JSON and applies them: no panic, no hang on
// extreme decimals, errors wrap ErrInvalidScoring.
func FuzzRulesJSON(f *testing.F) {
	f.Add([]byte(`{"rank":{"a":"0.5","b":"0.9"},"weights":{"frequency":1},"behaviour":{"min_orders":1,"sale_shopper_min_gross":"100"},"rising":{"min_signals":1},"band":{"low":"0.05","high":"0.3"}}`))
	f.Add([]byte(`{"behaviour":{"trend_leader_share":"1e999999999"},"rising":{"min_aov_trend":"-1e-999999999"}}`))
	f.Add([]byte(`{"rank":{"white_glove":"1e400"},"band":{"low":"1e-999999"}}`))
	sums := []vip.Summary{
		{CustomerID: "a", Orders: 3, Gross: rfmDec("300"), AOV: rfmDec("100"), NewReleaseShare: rfmDec("0.6"), DiscountedShare: rfmDec("0.7"), Brands: 1, TopBrandShare: rfmDec("1"), Categories: 1, TopCategoryShare: rfmDec("1")},
		{CustomerID: "b", Orders: 1, Gross: rfmDec("50"), AOV: rfmDec("50"), ReturnRate: rfmDec("0.5"), SupportContacts: 2},
	}
	vals := rfmEight()
	var amounts []decimal.Decimal
	for _, v := range vals {
		amounts = append(amounts, v.Value)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in struct {
			Rank      vip.RankOptions        `json:"rank"`
			Weights   *vip.ValueWeights      `json:"weights"`
			Behaviour vip.BehaviourRules     `json:"behaviour"`
			Rising    vip.RisingStarRules    `json:"rising"`
			Band      vip.ExclusivityOptions `json:"band"`
		}
		if err := json.Unmarshal(data, &in); err != nil {
			return
		}
		check := func(err error) {
			if err != nil && (!errors.Is(err, vip.ErrInvalidScoring) || !strings.HasPrefix(err.Error(), "vip: ")) {
				t.Fatalf("error %q does not wrap ErrInvalidScoring with the vip: prefix", err)
			}
		}
		_, err := vip.Rank(vals, &in.Rank)
		check(err)
		_, err = vip.ValueScores(sums, in.Weights)
		check(err)
		_, err = vip.Exclusivity(amounts, []string{"Silver", "Gold"}, []decimal.Decimal{rfmDec("5"), rfmDec("30")}, &in.Band)
		check(err)
		for _, s := range sums {
			in.Behaviour.Segments(s)
			in.Rising.Signals(s)
		}
	})
}
