package vip_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

func ExampleBuildCohort() {
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, time.UTC) }
	txs := []vip.Transaction{
		{CustomerID: "ann", At: day(1, 6), Amount: decimal.RequireFromString("40.00")},
		{CustomerID: "ann", At: day(2, 3), Amount: decimal.RequireFromString("25.50")},
		{CustomerID: "ann", At: day(3, 3), Amount: decimal.RequireFromString("30.00")},
		{CustomerID: "bob", At: day(2, 17), Amount: decimal.RequireFromString("99.00")},
	}
	s, err := vip.BuildCohort(txs, vip.CohortOptions{
		Unit:   vip.UnitWeek,
		CutOff: time.Date(2025, 3, 31, 12, 0, 0, 0, time.UTC),
		Merge:  vip.UnitDay,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range s.Rows {
		fmt.Printf("%s: x=%v t_x=%.0f T=%.0f weeks, mean repeat spend %s, %.0f weeks since the last order\n",
			r.ID, r.X, r.TX, r.T, r.MeanRepeatSpend.StringFixed(2), r.SinceLastOrder())
	}
	// Output:
	// ann: x=2 t_x=8 T=12 weeks, mean repeat spend 27.75, 4 weeks since the last order
	// bob: x=0 t_x=0 T=6 weeks, mean repeat spend 0.00, 6 weeks since the last order
}

func ExampleBGNBD_ConditionalExpected() {
	// The CDNOW estimates of Fader, Hardie and Lee (2005), in weeks.
	m := vip.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426, Unit: vip.UnitWeek}
	cust := vip.PurchaseHistory{ID: "1", X: 2, TX: 30.43, T: 38.86}
	e, _ := m.ConditionalExpected(cust, 39*7*24*time.Hour)
	pa, _ := m.PAlive(cust)
	fmt.Printf("expected purchases in the next 39 weeks: %.3f\n", e)
	fmt.Printf("probability alive: %.3f\n", pa)
	// Output:
	// expected purchases in the next 39 weeks: 1.226
	// probability alive: 0.727
}

func ExampleFitBGNBD() {
	// Simulate 5,000 customers from a known BG/NBD (r 0.5, alpha 8 weeks, a 0.8, b 2.5),
	// observed for 52 weeks after their first purchase, then fit it back.
	rng := rand.New(rand.NewPCG(1, 2))
	gamma := func(shape float64) float64 { // Gamma(shape, 1): Marsaglia-Tsang on shape+1, then × U^(1/shape)
		for {
			d := shape + 1 - 1.0/3
			c := 1 / math.Sqrt(9*d)
			x := rng.NormFloat64()
			v := math.Pow(1+c*x, 3)
			if v > 0 && math.Log(rng.Float64()) < 0.5*x*x+d-d*v+d*math.Log(v) {
				return d * v * math.Pow(rng.Float64(), 1/shape)
			}
		}
	}
	s := vip.Cohort{Unit: vip.UnitWeek}
	for i := range 5000 {
		lambda := gamma(0.5) / 8
		g1, g2 := gamma(0.8), gamma(2.5)
		p := g1 / (g1 + g2)
		row := vip.PurchaseHistory{ID: fmt.Sprint(i), T: 52}
		for t := rng.ExpFloat64() / lambda; t <= 52; t += rng.ExpFloat64() / lambda {
			row.X, row.TX = row.X+1, t
			if rng.Float64() < p {
				break
			}
		}
		s.Rows = append(s.Rows, row)
	}
	m, err := vip.FitBGNBD(s, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("r=%.2f alpha=%.1f a=%.2f b=%.2f, converged %v\n", m.R, m.Alpha, m.A, m.B, m.Fit.Converged)
	fmt.Printf("a new customer's repeat purchases in the first year: %.2f\n", m.ExpectedPurchases(52*7*24*time.Hour))
	// Output:
	// r=0.52 alpha=8.5 a=0.73 b=2.02, converged true
	// a new customer's repeat purchases in the first year: 1.80
}

func ExampleBriefCLV() {
	clv, _ := vip.BriefCLV(vip.BriefCLVInputs{
		MonthlyTransactions: decimal.RequireFromString("2"),     // purchases a month
		AverageOrderValue:   decimal.RequireFromString("50.00"), // money per order
		GrossMargin:         decimal.RequireFromString("0.40"),  // 40% margin
		LifetimeMonths:      decimal.RequireFromString("24"),    // two years
	})
	fmt.Println(clv.StringFixed(2))
	// Output: 960.00
}

func ExampleResidualCLV() {
	bg := &vip.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426, Unit: vip.UnitWeek}
	gg := &vip.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	s := vip.Cohort{Unit: vip.UnitWeek, Rows: []vip.PurchaseHistory{
		{ID: "loyal", X: 10, TX: 37, T: 38.86, MeanRepeatSpend: decimal.RequireFromString("35.00")},
		{ID: "lapsed", X: 10, TX: 5, T: 38.86, MeanRepeatSpend: decimal.RequireFromString("35.00")},
		{ID: "one-time", T: 38.86},
	}}
	res, err := vip.ResidualCLV(bg, gg, s, vip.CLVOptions{
		Horizon:    365 * 24 * time.Hour,
		AnnualRate: 0.10,
		Margin:     decimal.RequireFromString("0.30"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Printf("%-8s purchases %.2f, spend %s, value %s\n", r.ID, r.Purchases, r.Spend.StringFixed(2), r.Value.StringFixed(2))
	}
	// Output:
	// loyal    purchases 8.26, spend 35.01, value 82.76
	// lapsed   purchases 0.00, spend 35.01, value 0.00
	// one-time purchases 0.25, spend 35.22, value 2.54
}

func ExampleBGBB_ConditionalExpected() {
	// The donations estimates of Fader, Hardie and Shang (2010).
	m := &vip.BGBB{Alpha: 1.204, Beta: 0.750, Gamma: 0.657, Delta: 2.783}
	for _, d := range []vip.DiscreteHistory{{X: 6, TX: 6, N: 6}, {X: 3, TX: 3, N: 6}, {N: 6}} {
		e, _ := m.ConditionalExpected(d, 5)
		pa, _ := m.PAliveAt(d, 1)
		fmt.Printf("gave %d of 6, last in %d: P(alive next year) %.3f, gifts in the next 5 years %.2f\n", d.X, d.TX, pa, e)
	}
	// Output:
	// gave 6 of 6, last in 6: P(alive next year) 0.930, gifts in the next 5 years 3.75
	// gave 3 of 6, last in 3: P(alive next year) 0.095, gifts in the next 5 years 0.22
	// gave 0 of 6, last in 0: P(alive next year) 0.108, gifts in the next 5 years 0.07
}

func ExampleParetoNBD_DERT() {
	// The CDNOW estimates of Fader, Hardie and Lee (2005), in weeks.
	m := vip.ParetoNBD{R: 0.553, Alpha: 10.578, S: 0.606, Beta: 11.669, Unit: vip.UnitWeek}
	cust := vip.PurchaseHistory{ID: "1", X: 2, TX: 30.43, T: 38.86}
	pa, _ := m.PAlive(cust)
	d, _ := m.DERT(cust, 0.15) // 15% a year, discounted continuously
	fmt.Printf("P(alive) %.3f, discounted expected residual transactions %.2f\n", pa, d)
	// Output: P(alive) 0.869, discounted expected residual transactions 6.52
}

func ExampleFitBGNBD_covariates() {
	// Two acquisition channels (covariate 0 or 1): channel 1 buys twice as often.
	rng := rand.New(rand.NewPCG(3, 4))
	s := vip.Cohort{Unit: vip.UnitWeek}
	for i := range 6000 {
		z := float64(i % 2)
		lambda := rng.ExpFloat64() / 10 * math.Exp(math.Ln2*z) // r = 1, alpha = 10 / 2^z
		row := vip.PurchaseHistory{ID: fmt.Sprint(i), T: 52, Covariates: []float64{z}}
		for t := rng.ExpFloat64() / lambda; t <= 52; t += rng.ExpFloat64() / lambda {
			row.X, row.TX = row.X+1, t
			if rng.Float64() < 0.2 { // p = 0.2 for everyone
				break
			}
		}
		s.Rows = append(s.Rows, row)
	}
	m, err := vip.FitBGNBD(s, nil)
	if m == nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("purchase coefficient %.2f (ln 2 = 0.69), dropout coefficient %.2f\n", m.Covariates.Purchase[0], m.Covariates.Dropout[0])
	// Everyone has the same p, so a and b grow without end: the fit says so and
	// still returns the (limit) model.
	fmt.Println("at bound:", m.Fit.AtBound, "error:", err != nil)
	// Output:
	// purchase coefficient 0.72 (ln 2 = 0.69), dropout coefficient 0.09
	// at bound: [a -> inf b -> inf] error: true
}

func ExamplePredictCLV() {
	// The synthetic shop of the examples: 2,000 customers over two years. Fit both
	// models on every order up to the end and value each customer's next 12 months at
	// a 40% margin, discounted at 10% a year.
	cfg := synth.DefaultConfig()
	cfg.Customers = 2000
	var orders []vip.Order
	synth.Each(cfg, func(_ vip.Customer, os []vip.Order, _ []vip.Refund) bool {
		orders = append(orders, os...)
		return true
	})
	p, err := vip.PredictCLV(orders, vip.PredictOptions{
		Cohort: vip.CohortOptions{Unit: vip.UnitWeek, CutOff: cfg.End, Merge: vip.UnitDay},
		CLV:    vip.CLVOptions{Horizon: 365 * 24 * time.Hour, AnnualRate: 0.10, Margin: decimal.RequireFromString("0.40")},
	})
	var se *vip.CLVStageError
	if errors.As(err, &se) {
		fmt.Println("the", se.Stage, "step failed:", se.Err)
		return
	}
	bg, gg := p.Purchases, p.Spend
	fmt.Printf("BG/NBD r %.2f, alpha %.1f weeks, a %.2f, b %.2f\n", bg.R, bg.Alpha, bg.A, bg.B)
	fmt.Printf("Gamma-Gamma p %.2f, q %.2f, gamma %.1f on %d repeat buyers\n", gg.P, gg.Q, gg.Gamma, gg.Fit.Customers)
	total, scored := decimal.Zero, 0
	for _, r := range p.Results {
		if r.OK {
			total, scored = total.Add(r.Value), scored+1
		}
	}
	fmt.Printf("%d of %d customers scored, worth %s over the next year\n", scored, len(p.Results), total.StringFixed(2))
	// Output:
	// BG/NBD r 0.46, alpha 5.3 weeks, a 0.59, b 10.25
	// Gamma-Gamma p 3.07, q 2.14, gamma 110.2 on 997 repeat buyers
	// 1626 of 1626 customers scored, worth 461485.74 over the next year
}
