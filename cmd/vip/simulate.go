package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

func runSimulate(args []string, e *env) error {
	c := newFlags("simulate", "vip simulate --ladder ladder.json [--ladder other.json ...] --orders orders.csv [--refunds refunds.csv]\n       [--from DATE --to DATE --every N] [--format csv|json] [--out file]",
		`Replay a ladder over the order history (Ladder.Backtest): every customer is reviewed
at --from and every --every months after it up to --to, as if the ladder had been live.
Several --ladder flags compare ladders side by side on the same history
(CompareLadders); their names must differ.

CSV: one row per review (and per ladder), with the columns
  ladder         the ladder's name (only when several ladders are compared)
  at             the review instant, RFC 3339
  no_tier        customers on no tier at the review
  <tier> ...     customers on each tier, one column per tier in ladder order (with
                 several ladders, the union of their tiers; empty where a ladder lacks one)
  upgrades       entries into a tier from below in the period ending at the review
                 (the first period: the whole history up to it)
  downgrades     moves down a tier in the period
  grace_started  entries into grace in the period
  reactivations  upgrades that re-enter a tier the customer had lost
JSON: the backtest result (periods, each customer's final status) with the program
metrics (retention lift, orders multiple, demotion rate, upgrade share, reactivation
rate against the brief's bands): one object {"ladder", "result", "metrics"}, or an
array of them with several ladders. With --catalogue the JSON periods carry the P&L by
tier.

The orders' currency defaults to the first ladder's. Activity after a review does not
count at it: each review sees what the ladder would have seen live.`,
		`  vip simulate --ladder testdata/brief-ladder.json \
      --orders $VIP_DATA/cdnow/CDNOW_master.txt --sep whitespace \
      --from 1997-04-01 --to 1998-07-01
  vip simulate --ladder cmd/vip/testdata/uci-ladder.json --ladder cmd/vip/testdata/uci-lifetime.json \
      --orders $VIP_DATA/online_retail/online_retail_invoices.csv --format json --out compare.json`)
	in := addInput(c, "")
	var ladderFiles multi
	c.Var(&ladderFiles, "ladder", "a ladder JSON `file`; repeat to compare ladders")
	fromFlag := c.String("from", "", "the first review `date`, in the ladder's time zone (default: the first day of the month after the first order)")
	toFlag := c.String("to", "", "the last review `date` allowed, in the ladder's time zone (default: the first day of the month after the last order)")
	every := c.Int("every", 1, "review every `N` months (1-24)")
	format := c.String("format", "csv", "the output format: csv or json")
	out := c.String("out", "", "the output `file` (default stdout)")
	catFile := c.String("catalogue", "", "a benefit catalogue `file`: prices each review's tiers (P&L, in the JSON)")
	marginFlag := c.String("margin", "0.3", "the gross margin `rate` of orders without costs, for the P&L")
	pos, err := c.parse(args, e)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("simulate: unexpected argument %q", pos[0])
	}
	if len(ladderFiles) == 0 {
		return usagef("simulate: --ladder is required")
	}
	if *format != "csv" && *format != "json" {
		return usagef("--format %q: want csv or json", *format)
	}
	if *every < 1 || *every > 24 {
		return usagef("--every %d is outside 1-24", *every)
	}
	margin, err := decimal.NewFromString(*marginFlag)
	if err != nil || margin.IsNegative() || margin.GreaterThan(decimal.NewFromInt(1)) {
		return usagef("--margin %q is not a rate from 0 to 1", *marginFlag)
	}
	ladders, err := loadLadders(ladderFiles)
	if err != nil {
		return err
	}
	if in.cur == "" {
		in.cur = ladders[0].Currency
	}
	if err := in.check(); err != nil {
		return err
	}
	// Review dates are read in the (first) ladder's zone, whose calendar the reviews follow.
	loc, err := ladders[0].Location()
	if err != nil {
		return err
	}
	var from, to time.Time
	if *fromFlag != "" {
		if from, err = parseDate("from", *fromFlag, loc); err != nil {
			return err
		}
	}
	if *toFlag != "" {
		if to, err = parseDate("to", *toFlag, loc); err != nil {
			return err
		}
	}
	opts := vip.BacktestOptions{EveryMonths: *every, Margin: margin}
	if *catFile != "" {
		cat, err := loadCatalogue(*catFile)
		if err != nil {
			return err
		}
		opts.Catalogue = &cat
	}
	data, err := load(in, e)
	if err != nil {
		return err
	}
	opts.From, opts.To = from, to
	if from.IsZero() {
		opts.From = firstOfNextMonth(data.first, loc)
	}
	if to.IsZero() {
		opts.To = firstOfNextMonth(data.last, loc)
	}
	if opts.To.Before(opts.From) {
		return usagef("simulate: --to %s is before --from %s", opts.To.Format(time.DateOnly), opts.From.Format(time.DateOnly))
	}
	cs, err := vip.CompareLadders(ladders, data.customers, opts)
	if err != nil {
		return err
	}
	w, closeOut, err := create(*out, e)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		var v any = cs
		if len(cs) == 1 {
			v = cs[0]
		}
		return errors.Join(enc.Encode(v), closeOut())
	}
	return errors.Join(writeSimulateCSV(w, ladders, cs), closeOut())
}

// writeSimulateCSV writes the periods of each comparison, one row per review.
func writeSimulateCSV(w interface{ Write([]byte) (int, error) }, ladders []vip.Ladder, cs []vip.Comparison) error {
	var tiers []string
	for _, l := range ladders {
		for _, t := range l.Tiers {
			if !slices.Contains(tiers, t.Name) {
				tiers = append(tiers, t.Name)
			}
		}
	}
	several := len(ladders) > 1
	cw := csv.NewWriter(w)
	var head []string
	if several {
		head = append(head, "ladder")
	}
	head = append(head, "at", "no_tier")
	head = append(head, tiers...)
	head = append(head, "upgrades", "downgrades", "grace_started", "reactivations")
	cw.Write(head)
	for i, c := range cs {
		for _, p := range c.Result.Periods {
			var rec []string
			if several {
				rec = append(rec, c.Ladder)
			}
			rec = append(rec, p.At.Format(time.RFC3339), strconv.Itoa(p.Tiers[""]))
			for _, t := range tiers {
				if ladders[i].TierIndex(t) < 0 {
					rec = append(rec, "")
				} else {
					rec = append(rec, strconv.Itoa(p.Tiers[t]))
				}
			}
			rec = append(rec, strconv.Itoa(p.Upgrades), strconv.Itoa(p.Downgrades), strconv.Itoa(p.GraceStarted), strconv.Itoa(p.Reactivations))
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// firstOfNextMonth is the first day of the month after t's, at midnight in loc.
func firstOfNextMonth(t time.Time, loc *time.Location) time.Time {
	y, m, _ := t.In(loc).Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

// loadLadders parses the ladder files, reporting every problem of every file.
func loadLadders(files []string) ([]vip.Ladder, error) {
	var out []vip.Ladder
	var errs []error
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l, err := vip.ParseLadder(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		out = append(out, l)
	}
	return out, errors.Join(errs...)
}

func loadCatalogue(file string) (vip.Catalogue, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return vip.Catalogue{}, err
	}
	cat, err := vip.ParseCatalogue(data)
	if err != nil {
		return vip.Catalogue{}, fmt.Errorf("%s: %w", file, err)
	}
	return cat, nil
}
