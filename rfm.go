package vip

import (
	"math"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// This file holds the customer summary: the seven value metrics of one customer over a
// window. Scoring a population is in rfm_score.go, the segment maps in segments.go, and
// value, ABC classes, thresholds and behavioural segments in rfm_value.go.

// DefaultWindowMonths is the length of the evaluation window when none is given: the
// brief's "last 12 months".
const DefaultWindowMonths = 12

// SummaryOptions configures [Summarize]. A nil *SummaryOptions means the defaults.
//
// The zero value means: a 12-month window, any one currency, and the customer's time zone
// (UTC when the customer has none). It is a plain value, safe for concurrent use.
type SummaryOptions struct {
	// WindowMonths is the window length in calendar months; 0 means 12. The trend
	// sub-windows are always the last 6 and 3 months.
	WindowMonths int `json:"window_months,omitempty"`
	// Currency is the program currency. Empty means the activity's orders must share one.
	Currency string `json:"currency,omitempty"`
	// Location is the program's zone, used when the customer has no TimeZone; nil is UTC.
	Location *time.Location `json:"-"`
}

// Trend compares the last Months months with the whole window: the brief's 6- and
// 3-month rates against the 12-month rate.
//
// The zero value is an empty sub-window. A plain value, safe for concurrent use.
type Trend struct {
	Months int       `json:"months"`
	Start  time.Time `json:"start"`
	// Orders and Net are the orders placed and the net spend (paid minus refunds dated)
	// in (Start, asOf].
	Orders int             `json:"orders"`
	Gross  decimal.Decimal `json:"gross"`
	Net    decimal.Decimal `json:"net"`
	// AOV is Gross / Orders, DivRound to 2 places; 0 without orders.
	AOV decimal.Decimal `json:"aov"`
	// OrderRate is the monthly order rate of the sub-window divided by the window's:
	// (Orders / Months) / (window orders / window months), DivRound to 4 places. 1 is
	// steady, above 1 accelerating. 0 when the window has no orders.
	OrderRate decimal.Decimal `json:"order_rate"`
	// SpendRate is the same ratio for net spend, DivRound to 4 places; 0 when the window's
	// net spend is not positive.
	SpendRate decimal.Decimal `json:"spend_rate"`
}

// Summary is one customer's activity at AsOf over the window (WindowStart, AsOf]: the
// inputs of RFM and of the brief's seven value metrics.
//
//  1. purchases and intervals: Orders, IntervalMeanDays, IntervalMedianDays;
//  2. AOV and full price: AOV, FullPriceShare, DiscountedShare, Discount;
//  3. profit: Margin, MarginRate;
//  4. lifetime value: LifetimeOrders, LifetimeNet, LifetimeMargin, TenureDays (with
//     Orders, AOV and MarginRate this is the brief's CLV formula);
//  5. kind of products: PremiumShare, Categories, Brands, TopCategoryShare, TopBrandShare;
//  6. indirect costs: Returns, ReturnedUnits, Refunded, ReturnRate, SupportContacts;
//  7. advocacy: Referrals, Reviews, UserContent, SocialShares.
//
// Shares are decimals in [0, 1] rounded with DivRound to 4 places; a share of nothing is 0.
// The zero value is a customer with no activity. A Summary is a plain value, safe to copy
// and share between goroutines.
type Summary struct {
	CustomerID   string    `json:"customer_id"`
	AsOf         time.Time `json:"as_of"`
	WindowStart  time.Time `json:"window_start"`
	WindowMonths int       `json:"window_months"`
	Currency     string    `json:"currency,omitempty"`

	// FirstPurchase and LastPurchase are the first and last orders at or before AsOf, in
	// or before the window; zero when the customer never bought.
	FirstPurchase time.Time `json:"first_purchase,omitzero"`
	LastPurchase  time.Time `json:"last_purchase,omitzero"`
	// RecencyDays counts calendar days (in the customer's zone) from LastPurchase to
	// AsOf: 0 for a purchase on the day of AsOf. -1 when the customer never bought.
	RecencyDays int `json:"recency_days"`
	// TenureDays counts calendar days from FirstPurchase to AsOf; -1 when never bought.
	TenureDays int `json:"tenure_days"`

	// Orders is the frequency: orders placed in the window.
	Orders int   `json:"orders"`
	Units  int64 `json:"units"`
	// Gross is what the window's orders paid for their lines (no shipping or tax).
	Gross decimal.Decimal `json:"gross"`
	// Refunded is the money refunded in the window, whenever its order was placed.
	Refunded decimal.Decimal `json:"refunded"`
	// Net is Gross minus Refunded: the monetary value of RFM. It can be negative when a
	// refund in the window returns an order placed before it.
	Net decimal.Decimal `json:"net"`
	// AOV is Gross / Orders, DivRound to 2 places; 0 without orders.
	AOV decimal.Decimal `json:"aov"`
	// Discount is list value minus paid over the window's lines.
	Discount decimal.Decimal `json:"discount"`
	// FullPriceShare is the share of Gross paid on lines sold at list price;
	// DiscountedShare the share paid on discounted lines. They add up to 1 when Gross > 0.
	FullPriceShare  decimal.Decimal `json:"full_price_share"`
	DiscountedShare decimal.Decimal `json:"discounted_share"`
	// Margin is the contribution to gross profit: the window's paid minus cost, minus
	// the money refunded in the window, plus the cost of the units those refunds list as
	// returned (they go back to stock). A refund without lines is all lost margin.
	Margin decimal.Decimal `json:"margin"`
	// MarginRate is Margin / Net, DivRound to 4 places; 0 when Net is not positive.
	MarginRate decimal.Decimal `json:"margin_rate"`

	// IntervalMeanDays and IntervalMedianDays describe the time between consecutive
	// orders in the window, in days of 24 hours; 0 with fewer than two orders.
	IntervalMeanDays   float64 `json:"interval_mean_days"`
	IntervalMedianDays float64 `json:"interval_median_days"`

	// Categories and Brands count distinct non-empty values on the window's lines.
	Categories int `json:"categories"`
	Brands     int `json:"brands"`
	// TopCategoryShare and TopBrandShare are the share of Gross in the largest category
	// and brand (lines without one count as their own "" group).
	TopCategoryShare decimal.Decimal `json:"top_category_share"`
	TopBrandShare    decimal.Decimal `json:"top_brand_share"`
	// PremiumShare is the share of Gross on lines marked Premium (the most profitable
	// lines); NewReleaseShare the share on lines marked NewRelease.
	PremiumShare    decimal.Decimal `json:"premium_share"`
	NewReleaseShare decimal.Decimal `json:"new_release_share"`
	// NewCategories counts categories bought in the last 6 months of the window that were
	// not bought earlier in it: the brief's category expansion.
	NewCategories int `json:"new_categories"`

	// Returns counts refunds in the window, ReturnedOrders the distinct orders they
	// return, ReturnedUnits the units their lines list.
	Returns        int   `json:"returns"`
	ReturnedOrders int   `json:"returned_orders"`
	ReturnedUnits  int64 `json:"returned_units"`
	// ReturnRate is Refunded / Gross, DivRound to 4 places (it can exceed 1 when older
	// orders are refunded); 0 when Gross is 0.
	ReturnRate decimal.Decimal `json:"return_rate"`

	// Signals in the window, by kind (a Signal's Count, 0 meaning 1).
	SupportContacts int64 `json:"support_contacts"`
	Referrals       int64 `json:"referrals"`
	Reviews         int64 `json:"reviews"`
	UserContent     int64 `json:"user_content"`
	SocialShares    int64 `json:"social_shares"`
	EmailOpens      int64 `json:"email_opens"`
	SiteVisits      int64 `json:"site_visits"`

	// Lifetime figures cover every order and refund at or before AsOf.
	LifetimeOrders int             `json:"lifetime_orders"`
	LifetimeNet    decimal.Decimal `json:"lifetime_net"`
	LifetimeMargin decimal.Decimal `json:"lifetime_margin"`

	// Last6 and Last3 are the trend sub-windows.
	Last6 Trend `json:"last6"`
	Last3 Trend `json:"last3"`
}

// NeverBoughtRecency is the recency [Summary.RFM] gives a customer who never bought: more
// days than any real purchase, so such customers score R = 1.
const NeverBoughtRecency = math.MaxInt32

// RFM returns the summary's RFM input: recency in days (NeverBoughtRecency when the
// customer never bought), the window's orders and its net spend.
func (s Summary) RFM() RFMInput {
	r := int64(s.RecencyDays)
	if s.LastPurchase.IsZero() {
		r = NeverBoughtRecency
	}
	return RFMInput{CustomerID: s.CustomerID, RecencyDays: r, Frequency: int64(s.Orders), Monetary: s.Net}
}

// Summarize summarises a's orders, refunds and signals at asOf over a window of
// opts.WindowMonths calendar months (default 12): orders placed in (start, asOf] where
// start is asOf minus the window in the customer's zone, month ends clamped. Activity after
// asOf is ignored. The last-6 and last-3 month trends are computed the same way.
//
// Summarize checks currencies (every order and refund at or before asOf must be in
// opts.Currency, or in one currency when it is empty: [ErrCurrencyMismatch]) and the
// customer's zone; it does not repeat the rest of [Activity.Validate], so validate the
// activity when it comes from outside.
func Summarize(a *Activity, asOf time.Time, opts *SummaryOptions) (Summary, error) {
	var o SummaryOptions
	if opts != nil {
		o = *opts
	}
	if o.WindowMonths < 0 {
		return Summary{}, errorf(ErrInvalidActivity, "summary: window_months %d is negative", o.WindowMonths)
	}
	if o.WindowMonths == 0 {
		o.WindowMonths = DefaultWindowMonths
	}
	if asOf.IsZero() {
		return Summary{}, errorf(ErrInvalidActivity, "summary: as_of is zero")
	}
	loc, err := a.Customer.Location(o.Location)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{
		CustomerID:   a.Customer.ID,
		AsOf:         asOf,
		WindowMonths: o.WindowMonths,
		Currency:     o.Currency,
		RecencyDays:  -1,
		TenureDays:   -1,
	}
	s.WindowStart = AddMonths(asOf, -o.WindowMonths, loc)
	start6 := AddMonths(asOf, -6, loc)
	start3 := AddMonths(asOf, -3, loc)
	s.Last6 = Trend{Months: 6, Start: start6}
	s.Last3 = Trend{Months: 3, Start: start3}
	in := func(t, start time.Time) bool { return t.After(start) && !t.After(asOf) }

	var (
		gross, full, disc, listv, cost, prem, newRel  sum
		g6, g3, refunded, r6, r3, lifeNet, lifeMargin sum
		times                                         = make([]time.Time, 0, len(a.Orders))
		cats                                          = map[string]*sum{}
		brands                                        = map[string]*sum{}
		recentCats                                    map[string]bool
		earlyCats                                     map[string]bool
	)
	if o.WindowMonths > 6 {
		recentCats, earlyCats = map[string]bool{}, map[string]bool{}
	}
	for i := range a.Orders {
		ord := &a.Orders[i]
		if ord.PlacedAt.After(asOf) {
			continue
		}
		if s.Currency == "" {
			s.Currency = ord.Currency
		}
		if ord.Currency != s.Currency {
			return Summary{}, errorf(ErrCurrencyMismatch, "order %q: currency %s, expected %s", ord.ID, ord.Currency, s.Currency)
		}
		s.LifetimeOrders++
		if s.FirstPurchase.IsZero() || ord.PlacedAt.Before(s.FirstPurchase) {
			s.FirstPurchase = ord.PlacedAt
		}
		if ord.PlacedAt.After(s.LastPurchase) {
			s.LastPurchase = ord.PlacedAt
		}
		inWin := in(ord.PlacedAt, s.WindowStart)
		in6, in3 := in(ord.PlacedAt, start6), in(ord.PlacedAt, start3)
		if inWin {
			s.Orders++
			times = append(times, ord.PlacedAt)
		}
		if in6 {
			s.Last6.Orders++
		}
		if in3 {
			s.Last3.Orders++
		}
		for j := range ord.Lines {
			l := &ord.Lines[j]
			// Each amount's coefficient is read once and added to every sum it feeds.
			paid := newAmount(l.PaidPrice, l.Quantity)
			costAmt := newAmount(l.UnitCost, l.Quantity)
			lifeNet.addAmount(paid)
			lifeMargin.addAmount(paid)
			lifeMargin.addAmount(costAmt.neg())
			if in6 {
				g6.addAmount(paid)
			}
			if in3 {
				g3.addAmount(paid)
			}
			if !inWin {
				continue
			}
			s.Units += l.Quantity
			gross.addAmount(paid)
			listv.addAmount(newAmount(l.ListPrice, l.Quantity))
			cost.addAmount(costAmt)
			if l.Discounted() {
				disc.addAmount(paid)
			} else {
				full.addAmount(paid)
			}
			if l.Premium {
				prem.addAmount(paid)
			}
			if l.NewRelease {
				newRel.addAmount(paid)
			}
			rfmAddTo(cats, l.Category, paid)
			rfmAddTo(brands, l.Brand, paid)
			if recentCats != nil && l.Category != "" {
				if in6 {
					recentCats[l.Category] = true
				} else {
					earlyCats[l.Category] = true
				}
			}
		}
	}

	// Refunds: money in the window lowers Net and Margin; listed units come back at cost.
	var byID map[string]*Order
	returned := map[string]bool{}
	for i := range a.Refunds {
		r := &a.Refunds[i]
		if r.At.After(asOf) {
			continue
		}
		if s.Currency == "" {
			s.Currency = r.Currency
		}
		if r.Currency != s.Currency {
			return Summary{}, errorf(ErrCurrencyMismatch, "refund %q: currency %s, expected %s", r.ID, r.Currency, s.Currency)
		}
		var back sum // cost of the units returned to stock
		if len(r.Lines) > 0 {
			if byID == nil {
				byID = make(map[string]*Order, len(a.Orders))
				for k := range a.Orders {
					byID[a.Orders[k].ID] = &a.Orders[k]
				}
			}
			if ord := byID[r.OrderID]; ord != nil {
				for _, rl := range r.Lines {
					for k := range ord.Lines {
						if ord.Lines[k].SKU == rl.SKU {
							back.addProduct(ord.Lines[k].UnitCost, rl.Quantity)
							break
						}
					}
				}
			}
		}
		lifeNet.sub(r.Amount)
		lifeMargin.sub(r.Amount)
		lifeMargin.addSum(back)
		if in(r.At, start6) {
			r6.add(r.Amount)
		}
		if in(r.At, start3) {
			r3.add(r.Amount)
		}
		if !in(r.At, s.WindowStart) {
			continue
		}
		s.Returns++
		refunded.add(r.Amount)
		cost.sub(back.decimal())
		returned[r.OrderID] = true
		for _, rl := range r.Lines {
			s.ReturnedUnits += rl.Quantity
		}
	}
	s.ReturnedOrders = len(returned)

	for _, sg := range a.Signals {
		if !in(sg.At, s.WindowStart) {
			continue
		}
		n := sg.Count
		if n == 0 {
			n = 1
		}
		switch sg.Kind {
		case SignalSupportContact:
			s.SupportContacts += n
		case SignalReferral:
			s.Referrals += n
		case SignalReview:
			s.Reviews += n
		case SignalUserContent:
			s.UserContent += n
		case SignalSocialShare:
			s.SocialShares += n
		case SignalEmailOpen:
			s.EmailOpens += n
		case SignalSiteVisit:
			s.SiteVisits += n
		}
	}

	if !s.LastPurchase.IsZero() {
		s.RecencyDays = rfmCivilDays(s.LastPurchase, asOf, loc)
		s.TenureDays = rfmCivilDays(s.FirstPurchase, asOf, loc)
	}
	s.Gross = gross.decimal()
	s.Refunded = refunded.decimal()
	s.Net = s.Gross.Sub(s.Refunded)
	s.AOV = rfmAvg(s.Gross, s.Orders)
	s.Discount = listv.decimal().Sub(s.Gross)
	s.FullPriceShare = rfmShare(full.decimal(), s.Gross)
	s.DiscountedShare = rfmShare(disc.decimal(), s.Gross)
	s.Margin = s.Gross.Sub(cost.decimal()).Sub(s.Refunded)
	if s.Net.IsPositive() {
		s.MarginRate = s.Margin.DivRound(s.Net, 4)
	}
	s.PremiumShare = rfmShare(prem.decimal(), s.Gross)
	s.NewReleaseShare = rfmShare(newRel.decimal(), s.Gross)
	s.ReturnRate = rfmShare(s.Refunded, s.Gross)
	s.Categories, s.TopCategoryShare = rfmSpread(cats, s.Gross)
	s.Brands, s.TopBrandShare = rfmSpread(brands, s.Gross)
	for c := range recentCats {
		if !earlyCats[c] {
			s.NewCategories++
		}
	}
	s.LifetimeNet = lifeNet.decimal()
	s.LifetimeMargin = lifeMargin.decimal()
	s.IntervalMeanDays, s.IntervalMedianDays = rfmIntervals(times)

	s.Last6.Gross, s.Last3.Gross = g6.decimal(), g3.decimal()
	s.Last6.Net = s.Last6.Gross.Sub(r6.decimal())
	s.Last3.Net = s.Last3.Gross.Sub(r3.decimal())
	for _, t := range []*Trend{&s.Last6, &s.Last3} {
		t.AOV = rfmAvg(t.Gross, t.Orders)
		w := decimal.NewFromInt(int64(o.WindowMonths))
		m := decimal.NewFromInt(int64(t.Months))
		if s.Orders > 0 {
			t.OrderRate = decimal.NewFromInt(int64(t.Orders)).Mul(w).DivRound(decimal.NewFromInt(int64(s.Orders)).Mul(m), 4)
		}
		if s.Net.IsPositive() {
			t.SpendRate = t.Net.Mul(w).DivRound(s.Net.Mul(m), 4)
		}
	}
	return s, nil
}

// rfmAddTo adds a to the group key in m.
func rfmAddTo(m map[string]*sum, key string, a amount) {
	g := m[key]
	if g == nil {
		g = new(sum)
		m[key] = g
	}
	g.addAmount(a)
}

// rfmSpread returns the number of distinct non-empty keys and the largest group's share of
// total.
func rfmSpread(m map[string]*sum, total decimal.Decimal) (int, decimal.Decimal) {
	n := 0
	top := decimal.Zero
	for k, g := range m {
		if k != "" {
			n++
		}
		if d := g.decimal(); d.GreaterThan(top) {
			top = d
		}
	}
	return n, rfmShare(top, total)
}

// rfmShare returns part / total with DivRound to 4 places, or 0 when total is not positive.
func rfmShare(part, total decimal.Decimal) decimal.Decimal {
	if !total.IsPositive() {
		return decimal.Zero
	}
	return part.DivRound(total, 4)
}

// rfmAvg returns total / n with DivRound to 2 places, or 0 when n is 0.
func rfmAvg(total decimal.Decimal, n int) decimal.Decimal {
	if n == 0 {
		return decimal.Zero
	}
	return total.DivRound(decimal.NewFromInt(int64(n)), 2)
}

// rfmIntervals returns the mean and median gap between consecutive times, in days of
// 24 hours. Times from 1827 to 2112 (Unix seconds within ±4.5e9) without a monotonic
// clock reading are sorted as int64 nanoseconds, whose differences are the durations
// time.Time.Sub gives; any other time sends all of them through rfmIntervalsSlow, which
// sorts times in place.
func rfmIntervals(times []time.Time) (mean, median float64) {
	n := len(times)
	if n < 2 {
		return 0, 0
	}
	keys := make([]int64, n)
	for i, t := range times {
		// A time with a monotonic clock reading compares and subtracts by it.
		if sec := t.Unix(); sec < -rfmKeySecs || sec > rfmKeySecs || t != t.Round(0) {
			return rfmIntervalsSlow(times)
		}
		keys[i] = t.Unix()*1e9 + int64(t.Nanosecond())
	}
	slices.Sort(keys)
	mean = time.Duration(keys[n-1]-keys[0]).Hours() / 24 / float64(n-1)
	// The gaps, in place: keys[i-1] is not read again once it has become a gap.
	for i := 1; i < n; i++ {
		keys[i-1] = keys[i] - keys[i-1]
	}
	gaps := keys[:n-1]
	// Duration.Hours is monotone, so the median of the durations is that of the days.
	slices.Sort(gaps)
	day := func(d int64) float64 { return time.Duration(d).Hours() / 24 }
	h := len(gaps) / 2
	if len(gaps)%2 == 1 {
		median = day(gaps[h])
	} else {
		median = (day(gaps[h-1]) + day(gaps[h])) / 2
	}
	return mean, median
}

// rfmKeySecs bounds the Unix seconds rfmIntervals keys as int64 nanoseconds: the keys of
// two such times and their difference fit in an int64, so no duration saturates.
const rfmKeySecs = 4_500_000_000

// rfmIntervalsSlow is rfmIntervals over any times: it sorts times and measures the gaps
// with time.Time.Sub.
func rfmIntervalsSlow(times []time.Time) (mean, median float64) {
	if len(times) < 2 {
		return 0, 0
	}
	if cmp := func(a, b time.Time) int { return a.Compare(b) }; !slices.IsSortedFunc(times, cmp) {
		slices.SortFunc(times, cmp)
	}
	gaps := make([]float64, len(times)-1)
	for i := 1; i < len(times); i++ {
		gaps[i-1] = times[i].Sub(times[i-1]).Hours() / 24
	}
	mean = times[len(times)-1].Sub(times[0]).Hours() / 24 / float64(len(gaps))
	slices.Sort(gaps)
	h := len(gaps) / 2
	if len(gaps)%2 == 1 {
		median = gaps[h]
	} else {
		median = (gaps[h-1] + gaps[h]) / 2
	}
	return mean, median
}

// rfmCivilDays returns the calendar days from a's date to b's date in loc.
func rfmCivilDays(a, b time.Time, loc *time.Location) int {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}
