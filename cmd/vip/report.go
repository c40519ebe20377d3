package main

import (
	"bufio"
	"errors"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip/report"
)

func runReport(args []string, e *env) error {
	data, opts, out, err := prepareReport(args, e)
	if err != nil {
		return err
	}
	return writeReport(data, opts, out, e)
}

// prepareReport parses the report command's flags and loads its input: the customers,
// the report options and the output file.
func prepareReport(args []string, e *env) (*loaded, report.Options, string, error) {
	var none report.Options
	c := newFlags("report", "vip report --ladder ladder.json --orders orders.csv [--refunds refunds.csv] [--catalogue c.json] --out report.html",
		`Write one self-contained HTML page (inline CSS and SVG, nothing fetched) about the
program on the shop's history: the Pareto curve of revenue, the ladder's backtest (tier
distribution and flows at each review), the R x F heat map, the distribution of
predicted lifetime value and its share by tier, the tier moves, the economics by tier
and the program metrics with their findings. The page states every default it used.

Defaults (package report): the as-of instant is the last order or refund; twelve monthly
reviews back from it; a 40% gross margin; the brief's benefit table when it prices the
ladder (USD; Silver, Gold, Platinum), otherwise the economics section says why it is
empty (pass --catalogue); CLV over 12 months without discounting. The orders' currency
defaults to the ladder's.`,
		`  vip report --ladder cmd/vip/testdata/uci-ladder.json --catalogue cmd/vip/testdata/uci-catalogue.json \
      --orders $VIP_DATA/online_retail/online_retail_invoices.csv --out uci.html
  vip report --ladder testdata/brief-ladder.json --sep whitespace \
      --orders $VIP_DATA/cdnow/CDNOW_master.txt --out cdnow.html`)
	in := addInput(c, "")
	ladderFile := c.String("ladder", "", "the ladder JSON `file`; required")
	catFile := c.String("catalogue", "", "a benefit catalogue `file` pricing the ladder's tiers")
	out := c.String("out", "", "the HTML `file` to write; required (\"-\" for stdout)")
	title := c.String("title", "", "the page's title (default \""+report.DefaultTitle+"\")")
	marginFlag := c.String("margin", "", "the gross margin `rate` of orders without costs, and of CLV (default 0.40)")
	asOfFlag := c.String("as-of", "", "the `date` the report describes (default: the last order or refund)")
	every := c.Int("every", 1, "review every `N` months in the backtest (1-24)")
	months := c.Int("months", 12, "how many `months` back from the as-of date the backtest's reviews go")
	clvMonths := c.Int("clv-months", 12, "the CLV horizon in `months` (1-120)")
	rate := c.Float64("discount-rate", 0, "the effective annual discount `rate` of CLV (0.10 for 10%)")
	pos, err := c.parse(args, e)
	if err != nil {
		return nil, none, "", err
	}
	if len(pos) > 0 {
		return nil, none, "", usagef("report: unexpected argument %q", pos[0])
	}
	if *ladderFile == "" {
		return nil, none, "", usagef("report: --ladder is required")
	}
	if *out == "" {
		return nil, none, "", usagef("report: --out is required")
	}
	opts := report.Options{Title: *title, EveryMonths: *every, Months: *months, CLVMonths: *clvMonths, CLVAnnualRate: *rate}
	if *marginFlag != "" {
		m, err := decimal.NewFromString(*marginFlag)
		if err != nil || !m.IsPositive() || !m.LessThan(decimal.NewFromInt(1)) {
			return nil, none, "", usagef("--margin %q is not a rate between 0 and 1", *marginFlag)
		}
		opts.Margin = m
	}
	if *every < 1 || *every > 24 {
		return nil, none, "", usagef("--every %d is outside 1-24", *every)
	}
	if *months < 1 || *months > 240 {
		return nil, none, "", usagef("--months %d is outside 1-240", *months)
	}
	if *clvMonths < 1 || *clvMonths > 120 {
		return nil, none, "", usagef("--clv-months %d is outside 1-120", *clvMonths)
	}
	if *rate < 0 || *rate > 1 {
		return nil, none, "", usagef("--discount-rate %v is outside 0-1", *rate)
	}
	ladders, err := loadLadders([]string{*ladderFile})
	if err != nil {
		return nil, none, "", err
	}
	opts.Ladder = &ladders[0]
	if in.cur == "" {
		in.cur = ladders[0].Currency
	}
	if err := in.check(); err != nil {
		return nil, none, "", err
	}
	if *asOfFlag != "" {
		if opts.AsOf, err = parseDate("as-of", *asOfFlag, in.loc); err != nil {
			return nil, none, "", err
		}
	}
	if *catFile != "" {
		cat, err := loadCatalogue(*catFile)
		if err != nil {
			return nil, none, "", err
		}
		opts.Catalogue = &cat
	}
	data, err := load(in, e)
	if err != nil {
		return nil, none, "", err
	}
	return data, opts, *out, nil
}

// writeReport builds the report and writes its HTML to out.
func writeReport(data *loaded, opts report.Options, out string, e *env) error {
	r, err := report.Build(data.customers, opts)
	if err != nil {
		return err
	}
	w, closeOut, err := create(out, e)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64*1024)
	err = r.WriteHTML(bw)
	return errors.Join(err, bw.Flush(), closeOut())
}
