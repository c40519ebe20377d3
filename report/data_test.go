package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/realdata"
	"github.com/vipkit/vip/report"
)

// uciShop loads the UCI Online Retail invoices ($VIP_DATA/online_retail) as one
// activity per customer, an order of one line per invoice placed at midnight UTC, its
// total rounded to pence; it skips (or fails under VIP_REQUIRE_DATA=1) without the data.
func uciShop(tb testing.TB) []*vip.Activity {
	tb.Helper()
	dir := realdata.Dir(tb)
	f, err := os.Open(filepath.Join(dir, "online_retail", "online_retail_invoices.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	byID := map[string]*vip.Activity{}
	var out []*vip.Activity
	for _, r := range rows[1:] {
		at, err := time.Parse(time.DateOnly, r[1])
		if err != nil {
			tb.Fatal(err)
		}
		amt := decimal.RequireFromString(r[3]).Round(2)
		a := byID[r[2]]
		if a == nil {
			a = &vip.Activity{Customer: vip.Customer{ID: r[2]}}
			byID[r[2]] = a
			out = append(out, a)
		}
		a.Orders = append(a.Orders, vip.Order{ID: r[0], CustomerID: r[2], PlacedAt: at, Currency: "GBP",
			Lines: []vip.Line{{SKU: "invoice", Quantity: 1, ListPrice: amt, PaidPrice: amt}}})
	}
	return out
}

func gbpLadder(tb testing.TB) *vip.Ladder {
	tb.Helper()
	l, err := vip.ParseLadder([]byte(strings.Replace(briefLadderJSON, `"USD"`, `"GBP"`, 1)))
	if err != nil {
		tb.Fatal(err)
	}
	return &l
}

// TestBuild_OnlineRetail builds the report of the real UCI Online Retail customers at
// 2011-12-10 and checks its concentration against awk over the invoice file, run once:
//
//	awk -F, 'NR>1{c[$3]=1; if ($2 >= "2010-12-11" && $2 <= "2011-12-10") s[$3]+=sprintf("%.2f",$4)}
//	  END{for(k in c) printf "%s %.2f\n", k, (s[k]>0?s[k]:0)}' online_retail_invoices.csv |
//	sort -k2,2gr | awk '{v[NR]=$2; t+=$2} END{...top ceil(p x n) shares, Gini as in vip.Concentrate...}'
//	n=4338 total=8565879.62 top1=0.321097 top5=0.504388 top10=0.614537 top20=0.747569 gini=0.718333
//
// (the report's window is the 12 months (2010-12-10, 2011-12-10]: invoices dated from
// 2010-12-11 on). The lifetime-value models fit, and the brief's USD catalogue does not
// price a GBP ladder, which the economics section says.
func TestBuild_OnlineRetail(t *testing.T) {
	shop := uciShop(t)
	r, err := report.Build(shop, report.Options{Ladder: gbpLadder(t), AsOf: time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	want := vip.Concentration{Customers: 4338, Total: d("8565879.62"), Top1: d("0.3211"), Top5: d("0.5044"), Top10: d("0.6145"), Top20: d("0.7476"), Gini: d("0.7183")}
	if diff := cmp.Diff(want, r.Pareto.Concentration, decimalEqual); diff != "" {
		t.Errorf("concentration (-awk +got):\n%s", diff)
	}
	if r.Customers != 4338 || r.Orders != 18532 {
		t.Errorf("%d customers and %d orders, the data README says 4,338 and 18,532", r.Customers, r.Orders)
	}
	if r.CLV.Problem != "" || r.CLV.Scored == 0 {
		t.Errorf("CLV: problem %q, %d scored; want a fit", r.CLV.Problem, r.CLV.Scored)
	}
	if r.Economics.PnL != nil || !strings.Contains(r.Economics.Problem, `currency "USD"`) {
		t.Errorf("economics: %+v; want no P&L and the currency mismatch explained", r.Economics)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("the report does not encode as JSON: %v", err)
	}
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "the top 1% hold <b>32.1%</b>") {
		t.Error("the page lacks the top 1% share 32.1%")
	}
}
