package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/csvin"
)

// daysPerMonth is the average Gregorian month, 365.2425 / 12 days: the CLV horizon in
// months is converted with it.
const daysPerMonth = 365.2425 / 12

func runScore(args []string, e *env) error {
	c := newFlags("score", "vip score --orders orders.csv [--refunds refunds.csv] [--as-of DATE] [--out scores.csv]",
		`Score every customer who bought at or before the as-of date and write one CSV row per
customer, sorted by customer ID (byte order):

  customer_id   the customer
  recency_days  calendar days from the last order to the as-of date (0: that day)
  frequency     orders in the window (default the 12 months up to the as-of date)
  monetary      net spend in the window (paid less refunds), exact, with the currency's
                decimal places (more with --keep-places when the data has more)
  r, f, m       quintile scores 1-5 (5 best; ties split by customer ID)
  segment_rf    the 10-segment R x F map (Champions, Loyal Customers, ... Hibernating)
  segment_rfm   the 11-segment R x F x M table
  clv           predicted value of the customer's purchases over the horizon after the
                as-of date (BG/NBD purchases x Gamma-Gamma spend x margin, discounted),
                to the currency's places; empty for a customer the models cannot score

The CLV models are fitted on every order at or before the as-of date, in weeks, with
same-day orders merged. The horizon is --horizon-months average Gregorian months
(365.2425/12 days each); the margin turns revenue into profit (1: revenue); the discount
rate is an effective annual rate. A fit whose parameters end on a bound (a limit case
such as "nobody drops out") is used, with a warning on stderr; a failed fit is an error
(--no-clv leaves the column out).`,
		`  vip score --orders $VIP_DATA/online_retail/online_retail_invoices.csv \
      --currency GBP --as-of 2011-12-10 --margin 0.3 --out uci-scores.csv
  vip score --orders $VIP_DATA/cdnow/CDNOW_master.txt --sep whitespace \
      --as-of 1998-07-01 --out cdnow-scores.csv`)
	in := addInput(c, "USD")
	asOfFlag := c.String("as-of", "", "the scoring `date` (default: midnight after the day of the last order)")
	out := c.String("out", "", "the output `file` (default stdout)")
	window := c.Int("window-months", 12, "the RFM window in calendar `months`")
	ties := c.String("ties", "split", "quintile ties: split (equal sizes, ties ordered by customer ID) or together (equal values score equally)")
	noCLV := c.Bool("no-clv", false, "leave out the CLV column (and the model fits)")
	horizon := c.Int("horizon-months", 12, "the CLV horizon in `months`")
	marginFlag := c.String("margin", "1", "the gross margin `rate` applied to predicted spend (0.3 for 30%)")
	rateFlag := c.String("discount-rate", "0.10", "the effective annual discount `rate` of future value")
	pos, err := c.parse(args, e)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("score: unexpected argument %q", pos[0])
	}
	if err := in.check(); err != nil {
		return err
	}
	var tie vip.TieRule
	if err := tie.UnmarshalText([]byte(*ties)); err != nil {
		return usagef("--ties %q: want split or together", *ties)
	}
	if *window < 1 || *window > 120 {
		return usagef("--window-months %d is outside 1-120", *window)
	}
	margin, err := decimal.NewFromString(*marginFlag)
	if err != nil || margin.Sign() <= 0 || margin.GreaterThan(decimal.NewFromInt(1)) {
		return usagef("--margin %q is not a rate above 0 and at most 1", *marginFlag)
	}
	rate, err := strconv.ParseFloat(*rateFlag, 64)
	if err != nil || rate < 0 || rate > 10 {
		return usagef("--discount-rate %q is not a rate from 0 to 10", *rateFlag)
	}
	if *horizon < 1 || *horizon > 1200 {
		return usagef("--horizon-months %d is outside 1-1200", *horizon)
	}
	var asOf time.Time
	if *asOfFlag != "" {
		if asOf, err = parseDate("as-of", *asOfFlag, in.loc); err != nil {
			return err
		}
	}
	data, err := load(in, e)
	if err != nil {
		return err
	}
	if asOf.IsZero() {
		asOf = nextMidnight(data.last, in.loc)
	}
	rows, err := score(data, asOf, scoreOptions{
		window: *window, ties: tie, currency: in.cur, loc: in.loc, clv: !*noCLV,
		clvOpts: vip.CLVOptions{
			Horizon:    time.Duration(float64(*horizon) * daysPerMonth * float64(24*time.Hour)),
			AnnualRate: rate, Margin: margin,
		},
	}, e)
	if err != nil {
		return err
	}
	w, closeOut, err := create(*out, e)
	if err != nil {
		return err
	}
	places := int32(csvin.MinorUnits(in.cur))
	cw := csv.NewWriter(w)
	head := []string{"customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "segment_rf", "segment_rfm"}
	if !*noCLV {
		head = append(head, "clv")
	}
	cw.Write(head)
	for _, r := range rows {
		rec := []string{r.in.CustomerID, strconv.FormatInt(r.in.RecencyDays, 10), strconv.FormatInt(r.in.Frequency, 10),
			fixedAtLeast(r.in.Monetary, places), itoa(r.score.R), itoa(r.score.F), itoa(r.score.M),
			vip.SegmentsRFGrid.Segment(r.score), vip.SegmentsRFMTable.Segment(r.score)}
		if !*noCLV {
			v := ""
			if r.clvOK {
				v = r.clv.StringFixed(places)
			}
			rec = append(rec, v)
		}
		cw.Write(rec)
	}
	cw.Flush()
	return errors.Join(cw.Error(), closeOut())
}

// fixedAtLeast writes d with at least places decimals, more when d has more (amounts
// kept as written with --keep-places), so that nothing is rounded away.
func fixedAtLeast(d decimal.Decimal, places int32) string {
	return d.StringFixed(max(places, -d.Exponent()))
}

func itoa(v uint8) string { return strconv.Itoa(int(v)) }

// nextMidnight is the midnight in loc after the day of t.
func nextMidnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

type scoreOptions struct {
	window   int
	ties     vip.TieRule
	currency string
	loc      *time.Location
	clv      bool
	clvOpts  vip.CLVOptions
}

// scored is one customer's row.
type scored struct {
	in    vip.RFMInput
	score vip.RFMScore
	clv   decimal.Decimal
	clvOK bool
}

// score summarises, scores and values the customers who bought at or before asOf.
func score(data *loaded, asOf time.Time, o scoreOptions, e *env) ([]scored, error) {
	var pop []vip.RFMInput
	var orders []vip.Order
	for _, a := range data.customers {
		if a.Customer.JoinedAt.After(asOf) {
			continue // first order after the as-of date
		}
		s, err := vip.Summarize(a, asOf, &vip.SummaryOptions{WindowMonths: o.window, Currency: o.currency, Location: o.loc})
		if err != nil {
			return nil, err
		}
		pop = append(pop, s.RFM())
		for _, ord := range a.Orders {
			if !ord.PlacedAt.After(asOf) {
				orders = append(orders, ord)
			}
		}
	}
	if len(pop) == 0 {
		return nil, fmt.Errorf("score: no customer bought at or before %s", asOf.Format(time.RFC3339))
	}
	scores, err := vip.ScoreRFM(pop, &vip.ScoreOptions{Ties: o.ties})
	if err != nil {
		return nil, err
	}
	out := make([]scored, len(pop))
	for i := range pop {
		out[i] = scored{in: pop[i], score: scores[i]}
	}
	if !o.clv {
		return out, nil
	}
	values, err := predictCLV(orders, asOf, o, e)
	if err != nil {
		return nil, err
	}
	unscored := 0
	for i := range out {
		r, ok := values[out[i].in.CustomerID]
		if ok && r.OK {
			out[i].clv, out[i].clvOK = r.Value, true
		} else {
			unscored++
		}
	}
	if unscored > 0 {
		fmt.Fprintf(e.stderr, "vip: score: %d customers have no CLV (the models cannot score them)\n", unscored)
	}
	return out, nil
}

// predictCLV fits BG/NBD and Gamma-Gamma on the orders (weeks, same-day orders merged,
// cut off at asOf) and returns each customer's residual value. A fit that ends on a
// bound is accepted with a warning; Gamma-Gamma models positive spend, so repeat buyers
// whose repeat purchases average nothing (free orders) are left out of its fit and get
// no CLV.
func predictCLV(orders []vip.Order, asOf time.Time, o scoreOptions, e *env) (map[string]vip.CLVResult, error) {
	p, err := vip.PredictCLV(orders, vip.PredictOptions{
		Cohort: vip.CohortOptions{Unit: vip.UnitWeek, CutOff: asOf, Merge: vip.UnitDay, Location: o.loc},
		CLV:    o.clvOpts,
	})
	if p != nil {
		if len(p.SpendLeftOut) > 0 {
			fmt.Fprintf(e.stderr, "vip: score: %d repeat customers spent nothing on their repeat orders: left out of the Gamma-Gamma fit\n", len(p.SpendLeftOut))
		}
		for _, fe := range p.AtBound {
			fmt.Fprintf(e.stderr, "vip: score: warning: the %s fit ends on a bound (%v): its predictions are those of that limit case\n", fe.Model, fe.AtBound)
		}
	}
	if err != nil {
		var se *vip.CLVStageError
		errors.As(err, &se) // PredictCLV fails only with a *CLVStageError
		switch se.Stage {
		case vip.StageCohort:
			return nil, se.Err
		case vip.StageScore:
			return nil, fmt.Errorf("score: CLV: %w (--no-clv scores without it)", se.Err)
		default:
			return nil, fmt.Errorf("score: fitting %s: %w (--no-clv scores without CLV)", se.Stage, se.Err)
		}
	}
	m := make(map[string]vip.CLVResult, len(p.Results))
	for _, r := range p.Results {
		m[r.ID] = r
	}
	return m, nil
}
