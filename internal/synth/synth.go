// Package synth generates a deterministic synthetic shop: customers, their orders with
// lines, and refunds, for vip's examples, tests and benchmarks.
//
// The same [Config] always gives the same [Shop], byte for byte, on every platform: every
// random draw comes from a math/rand/v2 PCG source seeded from Config.Seed (the catalogue
// from one stream, each customer from its own stream keyed by the customer's index), never
// from the global source. A customer's history therefore does not depend on how many
// other customers are generated.
//
// # The model
//
// A fixed catalogue of 10 categories (margins 30-60%), 6 brands per category and 150 SKUs
// per category with lognormal list prices; the most expensive 15% of each category are
// Premium. Customers join over the window (a third of them before it starts); each has a
// gamma-distributed purchase rate, a lognormal typical order value, an exponential
// lifetime after which they churn, and a behavioural bent (sale shopper, trend leader,
// brand loyalist, category specialist or generalist). About 3% are heavy buyers with a
// higher rate and larger orders. Orders arrive as a Poisson process at the customer's
// rate until the customer churns or the window ends; order values are lognormal around the
// customer's typical value and are filled with lines of SKUs priced near the value.
// Some lines are discounted 10-30% (most lines of sale shoppers). About 5% of orders are
// refunded, fully or in part, 2 to 30 days after the order; a refund returns the paid
// value of the units sent back, never the shipping.
//
// Under the ladder Silver $2,000, Gold $5,000, Platinum $10,000 of net spend (paid minus
// refunded) over the 12 months before the default window's end, the default shop places
// 10-20% of the customers active in that year at Silver or above, a few percent at Gold or
// above and about 1% at Platinum, and its top 20% of buying customers bring 70-85% of
// revenue. The package's tests check these bands.
package synth

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// Config says what to generate. Zero fields other than Seed and Customers take the
// defaults of [DefaultConfig]; Seed 0 is a seed like any other, and Customers 0 gives an
// empty shop.
//
// A Config is a plain value, safe to copy and share.
type Config struct {
	// Seed selects the shop: the same seed gives the same shop.
	Seed int64 `json:"seed"`
	// Customers is the number of customers. Some of them (those who joined before Start
	// and churned before it) have no orders in the window.
	Customers int `json:"customers"`
	// Start and End bound the window [Start, End) in which orders and refunds fall.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Currency is the ISO 4217 code of every order and refund.
	Currency string `json:"currency"`
	// MaxLines is the most lines an order may have (0 means 4). 1 keeps memory smallest
	// for very large shops.
	MaxLines int `json:"max_lines"`
	// RateScale multiplies every customer's purchase rate (0 means 1). With the default
	// window, 1 gives about 4.1 orders per customer; [RateScaleFor20] gives about 20, so
	// 1,000,000 customers place about 20,000,000 orders. The calibration in the package
	// doc holds for 1 only.
	RateScale float64 `json:"rate_scale"`
}

// RateScaleFor20 is the [Config.RateScale] at which the default window gives about 20
// orders per customer: 1,000,000 customers place about 20,000,000 orders.
const RateScaleFor20 = 5.6

// DefaultConfig returns seed 1, 5,000 customers, the two years from 2024-01-01 to
// 2026-01-01 UTC, USD, at most 4 lines per order, rate scale 1.
func DefaultConfig() Config {
	return Config{
		Seed:      1,
		Customers: 5000,
		Start:     time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		End:       time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Currency:  "USD",
		MaxLines:  4,
		RateScale: 1,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Start.IsZero() {
		c.Start = d.Start
	}
	if c.End.IsZero() {
		c.End = d.End
	}
	if c.Currency == "" {
		c.Currency = d.Currency
	}
	if c.MaxLines == 0 {
		c.MaxLines = d.MaxLines
	}
	if c.RateScale == 0 {
		c.RateScale = d.RateScale
	}
	return c
}

// Validate reports every problem with c (after defaults are applied) at once.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.Customers < 0 {
		errs = append(errs, fmt.Errorf("synth: customers %d is negative", c.Customers))
	}
	if !c.End.After(c.Start) {
		errs = append(errs, fmt.Errorf("synth: end %s is not after start %s", c.End.Format(time.RFC3339), c.Start.Format(time.RFC3339)))
	}
	if len(c.Currency) != 3 || strings.ToUpper(c.Currency) != c.Currency || strings.ContainsFunc(c.Currency, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		errs = append(errs, fmt.Errorf("synth: currency %q is not an ISO 4217 code", c.Currency))
	}
	if c.MaxLines < 0 {
		errs = append(errs, fmt.Errorf("synth: max_lines %d is negative", c.MaxLines))
	}
	if c.RateScale < 0 || math.IsNaN(c.RateScale) || math.IsInf(c.RateScale, 0) {
		errs = append(errs, fmt.Errorf("synth: rate_scale %v is not a positive number", c.RateScale))
	}
	return errors.Join(errs...)
}

// Shop is a generated shop. Customers are sorted by JoinedAt then ID, orders by PlacedAt
// then ID, refunds by At then ID. Every order passes [vip.Order.Validate] and every
// order's refunds pass [vip.ValidateRefunds].
type Shop struct {
	Customers []vip.Customer
	Orders    []vip.Order
	Refunds   []vip.Refund
}

// Generate returns the shop cfg describes. It panics if cfg is invalid (see
// [Config.Validate]): synth is a test-data generator configured by code, not by users.
//
// Generate holds the whole shop in memory, about 300 bytes per order line plus 150 per
// order; for tens of millions of orders use [Each], which hands over one customer at a
// time.
func Generate(cfg Config) Shop {
	var s Shop
	Each(cfg, func(c vip.Customer, orders []vip.Order, refunds []vip.Refund) bool {
		s.Customers = append(s.Customers, c)
		s.Orders = append(s.Orders, orders...)
		s.Refunds = append(s.Refunds, refunds...)
		return true
	})
	slices.SortFunc(s.Customers, func(a, b vip.Customer) int {
		if c := a.JoinedAt.Compare(b.JoinedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	slices.SortFunc(s.Orders, func(a, b vip.Order) int {
		if c := a.PlacedAt.Compare(b.PlacedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	slices.SortFunc(s.Refunds, func(a, b vip.Refund) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return s
}

// Each generates the shop one customer at a time, in customer index order, calling fn with
// the customer, its orders sorted by time and its refunds sorted by time, until fn
// returns false. The slices are fresh for each call; fn may keep them. Each panics if
// cfg is invalid.
func Each(cfg Config, fn func(c vip.Customer, orders []vip.Order, refunds []vip.Refund) bool) {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	g := newGenerator(cfg)
	for i := range cfg.Customers {
		c, orders, refunds := g.customer(i)
		if !fn(c, orders, refunds) {
			return
		}
	}
}

// Model parameters, calibrated so that the default shop meets the bands in the package
// doc (see TestCalibration).
const (
	preexisting   = 1.0 / 3 // share of customers who joined before Start
	rateShape     = 0.55    // gamma shape of the yearly purchase rate
	rateMean      = 4.0     // mean yearly purchase rate
	lifetimeYears = 2.5     // mean time from joining to churning
	aovMedian     = 185.0   // median of customers' typical order value
	aovSigma      = 0.75    // lognormal sigma of typical order values across customers
	orderSigma    = 0.45    // lognormal sigma of one order's value around the typical
	heavyShare    = 0.04    // share of heavy buyers
	heavyRate     = 3.0     // heavy buyers' rate multiplier
	heavyAOV      = 1.8     // heavy buyers' order value multiplier
	refundShare   = 0.05    // share of orders refunded in whole or part
	fullRefund    = 0.35    // share of refunds that return the whole order
	freeShipping  = 7500    // cents: orders at or above ship free
	shippingFee   = 799     // cents charged below freeShipping
	skusPerCat    = 150
	brandsPerCat  = 6
	premiumShare  = 0.15
)

type category struct {
	name   string
	prefix string
	margin float64 // mean gross margin
	median float64 // median list price
	sigma  float64 // lognormal sigma of list prices
}

var categories = []category{
	{"apparel", "APP", 0.55, 45, 0.7},
	{"footwear", "FTW", 0.45, 90, 0.5},
	{"accessories", "ACC", 0.60, 35, 0.8},
	{"beauty", "BTY", 0.58, 28, 0.6},
	{"home", "HOM", 0.45, 60, 0.9},
	{"kitchen", "KIT", 0.40, 55, 0.8},
	{"electronics", "ELE", 0.30, 220, 1.0},
	{"outdoor", "OUT", 0.42, 110, 0.8},
	{"jewellery", "JWL", 0.55, 160, 1.1},
	{"books", "BKS", 0.35, 18, 0.4},
}

var brandNames = []string{
	"Northwind", "Alder & Co", "Bluefin", "Cobalt", "Driftwood", "Ember", "Fjord", "Granite",
	"Halcyon", "Ironbark", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Oakhaven",
	"Pinecrest", "Quill", "Redwood", "Saltmarsh", "Tamarack", "Umber", "Vantage", "Willow",
}

// discountLevels are the line discounts in percent; index 0 is full price.
var discountLevels = [...]int64{0, 10, 15, 20, 25, 30}

type sku struct {
	id       string
	brand    int // index into brandNames
	premium  bool
	list     int64 // cents
	listDec  decimal.Decimal
	paid     [len(discountLevels)]int64 // cents per discount level
	paidDec  [len(discountLevels)]decimal.Decimal
	costDec  decimal.Decimal
	category int
}

type generator struct {
	cfg      Config
	skus     [][]sku // by category, sorted by list price
	brands   [][]int // brand indexes by category
	catNames []string
	channels [3]string
	zero     decimal.Decimal
	fee      decimal.Decimal
	span     float64 // window length in years
}

const yearSeconds = 365.25 * 24 * 3600

func newGenerator(cfg Config) *generator {
	g := &generator{
		cfg:      cfg,
		channels: [3]string{"web", "app", "store"},
		zero:     decimal.Zero,
		fee:      decimal.New(shippingFee, -2),
		span:     cfg.End.Sub(cfg.Start).Seconds() / yearSeconds,
	}
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), 0xca7a10605eed))
	g.skus = make([][]sku, len(categories))
	g.brands = make([][]int, len(categories))
	for ci, cat := range categories {
		g.catNames = append(g.catNames, cat.name)
		g.brands[ci] = r.Perm(len(brandNames))[:brandsPerCat]
		list := make([]sku, skusPerCat)
		for j := range list {
			p := cat.median * math.Exp(cat.sigma*r.NormFloat64())
			dollars := math.Max(3, math.Round(p))
			list[j] = sku{
				id:       fmt.Sprintf("%s-%04d", cat.prefix, j+1),
				brand:    g.brands[ci][r.IntN(brandsPerCat)],
				list:     int64(dollars)*100 - 1, // x.99 pricing
				category: ci,
			}
		}
		slices.SortFunc(list, func(a, b sku) int {
			if a.list != b.list {
				if a.list < b.list {
					return -1
				}
				return 1
			}
			return strings.Compare(a.id, b.id)
		})
		cut := int(math.Round(float64(skusPerCat) * (1 - premiumShare)))
		for j := range list {
			s := &list[j]
			s.premium = j >= cut
			margin := cat.margin + 0.05*(r.Float64()*2-1)
			if s.premium {
				margin += 0.05
			}
			s.listDec = decimal.New(s.list, -2)
			s.costDec = decimal.New(int64(math.Round(float64(s.list)*(1-margin))), -2)
			for k, d := range discountLevels {
				// Half-up rounding to the cent of list x (100-d)/100, in integers.
				s.paid[k] = (s.list*(100-d) + 50) / 100
				s.paidDec[k] = decimal.New(s.paid[k], -2)
			}
		}
		g.skus[ci] = list
	}
	return g
}

// gamma draws from Gamma(shape, 1) by Marsaglia and Tsang's method, boosting shapes
// below one with U^(1/shape).
func gamma(r *rand.Rand, shape float64) float64 {
	boost := 1.0
	if shape < 1 {
		boost = math.Pow(1-r.Float64(), 1/shape)
		shape++
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := 1 - r.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v * boost
		}
	}
}

// bent is a customer's behavioural leaning.
type bent int

const (
	generalist bent = iota
	saleShopper
	trendLeader
	brandLoyalist
	specialist
)

type profile struct {
	bent      bent
	rate      float64 // orders a year
	aov       float64 // typical order value in dollars
	favCat    int
	favBrands [2]int
	discProb  float64
	newProb   float64
	premProb  float64
}

func (g *generator) customer(i int) (vip.Customer, []vip.Order, []vip.Refund) {
	cfg := g.cfg
	r := rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(i)*0x9e3779b97f4a7c15+1))
	var idb strings.Builder
	idb.WriteByte('c')
	writePadded(&idb, i, 7)
	id := idb.String()

	// Join time: a third before the window (up to three years), the rest within it.
	var join time.Time
	if r.Float64() < preexisting {
		join = cfg.Start.Add(-time.Duration(r.Float64() * 3 * yearSeconds * float64(time.Second)))
	} else {
		join = cfg.Start.Add(time.Duration(r.Float64() * g.span * yearSeconds * float64(time.Second)))
	}
	join = join.Truncate(time.Second)
	c := vip.Customer{ID: id, JoinedAt: join}
	if r.Float64() < 0.7 {
		c.Birthday = time.Date(1955+r.IntN(50), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
	}

	p := profile{
		rate:     rateMean / rateShape * gamma(r, rateShape) * cfg.RateScale,
		aov:      aovMedian * math.Exp(aovSigma*r.NormFloat64()),
		favCat:   r.IntN(len(categories)),
		discProb: 0.15,
		newProb:  0.05,
		premProb: 0.1,
	}
	p.favBrands = [2]int{g.brands[p.favCat][r.IntN(brandsPerCat)], g.brands[p.favCat][r.IntN(brandsPerCat)]}
	switch u := r.Float64(); {
	case u < 0.15:
		p.bent, p.discProb = saleShopper, 0.75
	case u < 0.25:
		p.bent, p.newProb = trendLeader, 0.45
	case u < 0.45:
		p.bent = brandLoyalist
	case u < 0.65:
		p.bent = specialist
	}
	if r.Float64() < heavyShare {
		p.rate *= heavyRate
		p.aov *= heavyAOV
		p.premProb = 0.4
	}
	death := join.Add(time.Duration(r.ExpFloat64() * lifetimeYears * yearSeconds * float64(time.Second)))
	stop := cfg.End
	if death.Before(stop) {
		stop = death
	}

	// Order times.
	times := make([]time.Time, 0, 8)
	t := join
	if !join.Before(cfg.Start) {
		times = append(times, join)
	} else {
		t = cfg.Start
	}
	if p.rate > 0 {
		for {
			// Gaps are drawn in float seconds and checked before converting, so that a
			// tiny rate cannot overflow time.Duration.
			gap := r.ExpFloat64() / p.rate * yearSeconds
			if gap >= stop.Sub(t).Seconds() {
				break
			}
			t = t.Add(time.Duration(gap * float64(time.Second))).Truncate(time.Second)
			if !t.Before(stop) {
				break
			}
			times = append(times, t)
		}
	}
	if len(times) == 0 {
		return c, nil, nil
	}

	// One string holds every order ID; orders slice it.
	var ids strings.Builder
	ids.Grow(len(times) * (len(id) + 5))
	ends := make([]int, len(times))
	for k := range times {
		ids.WriteString(id)
		ids.WriteByte('-')
		writePadded(&ids, k+1, 4)
		ends[k] = ids.Len()
	}
	idStr := ids.String()

	orders := make([]vip.Order, len(times))
	lines := make([]vip.Line, 0, len(times)*2)
	var refunds []vip.Refund
	from := 0
	for k, at := range times {
		target := p.aov * math.Exp(orderSigma*r.NormFloat64())
		n := 1
		for n < cfg.MaxLines && r.Float64() < 0.45 {
			n++
		}
		start := len(lines)
		var paid int64
		for range n {
			s, ok := g.pick(r, &p, target/float64(n), lines[start:])
			if !ok {
				continue
			}
			q := int64(math.Round(target / float64(n) / float64(s.list) * 100))
			q = min(max(q, 1), 10)
			d := 0
			if r.Float64() < p.discProb {
				d = 1 + r.IntN(len(discountLevels)-1)
			}
			lines = append(lines, vip.Line{
				SKU:        s.id,
				Category:   g.catNames[s.category],
				Brand:      brandNames[s.brand],
				Quantity:   q,
				ListPrice:  s.listDec,
				PaidPrice:  s.paidDec[d],
				UnitCost:   s.costDec,
				NewRelease: r.Float64() < p.newProb,
				Premium:    s.premium,
			})
			paid += s.paid[d] * q
		}
		o := vip.Order{
			ID:         idStr[from:ends[k]],
			CustomerID: id,
			PlacedAt:   at,
			Currency:   cfg.Currency,
			Lines:      lines[start:len(lines):len(lines)],
			Shipping:   g.zero,
			Channel:    g.channels[channel(r)],
		}
		from = ends[k]
		if paid < freeShipping {
			o.Shipping = g.fee
		}
		orders[k] = o
		if r.Float64() < refundShare {
			if rf, ok := g.refund(r, o); ok {
				refunds = append(refunds, rf)
			}
		}
	}
	slices.SortFunc(refunds, func(a, b vip.Refund) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return c, orders, refunds
}

func channel(r *rand.Rand) int {
	switch u := r.Float64(); {
	case u < 0.6:
		return 0
	case u < 0.9:
		return 1
	}
	return 2
}

// pick chooses a SKU priced at or just below target dollars, in a category and brand the
// customer's bent favours, that is not already in the order's lines.
func (g *generator) pick(r *rand.Rand, p *profile, target float64, have []vip.Line) (*sku, bool) {
	ci := r.IntN(len(categories))
	switch p.bent {
	case specialist:
		if r.Float64() < 0.85 {
			ci = p.favCat
		}
	case brandLoyalist:
		if r.Float64() < 0.7 {
			ci = p.favCat
		}
	default:
		if r.Float64() < 0.35 {
			ci = p.favCat
		}
	}
	list := g.skus[ci]
	cents := int64(target * 100)
	if r.Float64() < p.premProb {
		cents *= 2
	}
	idx, _ := slices.BinarySearchFunc(list, cents, func(s sku, c int64) int {
		switch {
		case s.list < c:
			return -1
		case s.list > c:
			return 1
		}
		return 0
	})
	j := idx - 1 - r.IntN(min(6, max(idx, 1)))
	if j < 0 {
		j = r.IntN(3)
	}
	if p.bent == brandLoyalist && ci == p.favCat {
		for d := 0; d < 12; d++ {
			for _, k := range [2]int{j - d, j + d} {
				if k >= 0 && k < len(list) && (list[k].brand == p.favBrands[0] || list[k].brand == p.favBrands[1]) {
					j = k
					goto found
				}
			}
		}
	found:
	}
	for try := 0; try < 4; try++ {
		k := (j + try) % len(list)
		if !slices.ContainsFunc(have, func(l vip.Line) bool { return l.SKU == list[k].id }) {
			return &list[k], true
		}
	}
	return nil, false
}

// refund returns a refund of all of o's lines or of some units of one line, 2 to 30 days
// after the order, or false when that day falls outside the window.
func (g *generator) refund(r *rand.Rand, o vip.Order) (vip.Refund, bool) {
	at := o.PlacedAt.Add(time.Duration(2*24*3600+r.IntN(28*24*3600)) * time.Second)
	if !at.Before(g.cfg.End) {
		return vip.Refund{}, false
	}
	rf := vip.Refund{
		ID:         o.ID + "-r1",
		OrderID:    o.ID,
		CustomerID: o.CustomerID,
		At:         at,
		Currency:   o.Currency,
	}
	if r.Float64() < fullRefund {
		rf.Amount = o.Paid()
		rf.Lines = make([]vip.RefundLine, len(o.Lines))
		for i, l := range o.Lines {
			rf.Lines[i] = vip.RefundLine{SKU: l.SKU, Quantity: l.Quantity}
		}
		return rf, true
	}
	l := o.Lines[r.IntN(len(o.Lines))]
	q := 1 + r.Int64N(l.Quantity)
	rf.Amount = l.PaidPrice.Mul(decimal.NewFromInt(q))
	rf.Lines = []vip.RefundLine{{SKU: l.SKU, Quantity: q}}
	return rf, true
}

// writePadded writes n in decimal with leading zeros to width digits.
func writePadded(b *strings.Builder, n, width int) {
	var buf [20]byte
	d := strconv.AppendInt(buf[:0], int64(n), 10)
	for range width - len(d) {
		b.WriteByte('0')
	}
	b.Write(d)
}
