// Command rfm-clv scores the real UCI Online Retail customers (a UK gift wholesaler,
// 2010-12 to 2011-12): RFM scores and the 11-segment map, the Pareto concentration of
// revenue, a BG/NBD and Gamma-Gamma fit, and each customer's residual value over the
// next year, with the most valuable customers listed with their segment.
//
// It reads $VIP_DATA/online_retail/online_retail_invoices.csv (or -data DIR); without
// the data it says how to get it and exits.
package main

import (
	"cmp"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

func main() {
	dir := flag.String("data", os.Getenv("VIP_DATA"), "the shared data folder (default $VIP_DATA)")
	flag.Parse()
	if *dir == "" {
		fmt.Println("rfm-clv: no data; run with -data ../shared/data or set VIP_DATA")
		return
	}
	if err := run(filepath.Join(*dir, "online_retail", "online_retail_invoices.csv")); err != nil {
		log.Fatal(err)
	}
}

func run(path string) error {
	acts, err := load(path)
	if err != nil {
		return err
	}
	asOf := time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC) // the day after the last invoice
	ids := make([]string, 0, len(acts))
	for id := range acts {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	var pop []vip.RFMInput
	var values []vip.CustomerValue
	var orders []vip.Order
	for _, id := range ids {
		s, err := vip.Summarize(acts[id], asOf, &vip.SummaryOptions{Currency: "GBP"})
		if err != nil {
			return err
		}
		pop = append(pop, s.RFM())
		values = append(values, vip.CustomerValue{CustomerID: id, Value: s.RFM().Monetary})
		orders = append(orders, acts[id].Orders...)
	}
	scores, err := vip.ScoreRFM(pop, nil)
	if err != nil {
		return err
	}
	segment := map[string]string{}
	count := map[string]int{}
	for i, sc := range scores {
		name := vip.SegmentsRFMTable.Segment(sc)
		segment[pop[i].CustomerID] = name
		count[name]++
	}
	fmt.Printf("UCI Online Retail: %d customers, %d invoices, as of %s\n\n", len(ids), len(orders), asOf.Format(time.DateOnly))
	c := vip.Concentrate(values)
	fmt.Printf("Revenue of the last 12 months: GBP %s; top 1%% hold %s%%, top 20%% hold %s%%, Gini %s\n\n",
		c.Total.StringFixed(2), c.Top1.Shift(2).StringFixed(1), c.Top20.Shift(2).StringFixed(1), c.Gini.StringFixed(3))
	fmt.Println("RFM segments (quintiles, ties split by customer ID, the 11-segment table):")
	names := make([]string, 0, len(count))
	for n := range count {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b)) })
	for _, n := range names {
		fmt.Printf("  %-20s %5d\n", n, count[n])
	}

	p, err := vip.PredictCLV(orders, vip.PredictOptions{
		Cohort: vip.CohortOptions{Unit: vip.UnitWeek, CutOff: asOf, Merge: vip.UnitDay},
		CLV:    vip.CLVOptions{Horizon: 365 * 24 * time.Hour, AnnualRate: 0.10, Margin: decimal.RequireFromString("0.30")},
	})
	if err != nil {
		return err
	}
	bg, gg := p.Purchases, p.Spend
	fmt.Printf("\nBG/NBD: r %.3f, alpha %.3f weeks, a %.3f, b %.3f (log-likelihood %.1f, converged %v)\n",
		bg.R, bg.Alpha, bg.A, bg.B, bg.Fit.LogLik, bg.Fit.Converged)
	fmt.Printf("Gamma-Gamma: p %.3f, q %.3f, gamma %.3f\n", gg.P, gg.Q, gg.Gamma)
	for _, fe := range p.AtBound {
		fmt.Printf("warning: %v\n", fe)
	}
	if n := len(p.SpendLeftOut); n > 0 {
		fmt.Printf("%d repeat customers whose repeat orders average nothing are left out of the spend model\n", n)
	}
	res := p.Results
	slices.SortFunc(res, func(a, b vip.CLVResult) int { return cmp.Or(b.Value.Cmp(a.Value), cmp.Compare(a.ID, b.ID)) })
	fmt.Println("\nThe ten most valuable customers over the next year (30% margin, 10% a year discount):")
	for _, r := range res[:min(10, len(res))] {
		fmt.Printf("  %s  %6.1f purchases x GBP %9s = GBP %10s   %s\n", r.ID, r.Purchases, r.Spend.StringFixed(2), r.Value.StringFixed(2), segment[r.ID])
	}
	return nil
}

// load reads the invoices into one activity per customer: an order of one line per
// invoice, its total rounded to pence (the file carries float artefacts).
func load(path string) (map[string]*vip.Activity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	acts := map[string]*vip.Activity{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		at, err := time.Parse(time.DateOnly, rec[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: date %q: %w", path, line, rec[1], err)
		}
		amt, err := decimal.NewFromString(rec[3])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: total %q: %w", path, line, rec[3], err)
		}
		amt = amt.Round(2)
		a := acts[rec[2]]
		if a == nil {
			a = &vip.Activity{Customer: vip.Customer{ID: rec[2], JoinedAt: at}}
			acts[rec[2]] = a
		}
		a.Orders = append(a.Orders, vip.Order{ID: rec[0], CustomerID: rec[2], PlacedAt: at.Add(12 * time.Hour), Currency: "GBP",
			Lines: []vip.Line{{SKU: "basket", Quantity: 1, ListPrice: amt, PaidPrice: amt}}})
	}
	return acts, nil
}
