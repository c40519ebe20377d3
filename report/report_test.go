package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/report"
)

var d = decimal.RequireFromString

func utc(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 12, 0, 0, 0, time.UTC) }

// order is a one-line order of amount, paid at list price.
func order(id, customer string, at time.Time, amount string) vip.Order {
	return vip.Order{ID: id, CustomerID: customer, PlacedAt: at, Currency: "USD",
		Lines: []vip.Line{{SKU: "sku", Quantity: 1, ListPrice: d(amount), PaidPrice: d(amount)}}}
}

// tinyAsOf is the date of the tiny history's report.
var tinyAsOf = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// tinyShop is five customers whose report is worked out by hand in TestBuild_TinyHistory.
func tinyShop() []*vip.Activity {
	act := func(id string, orders ...vip.Order) *vip.Activity {
		return &vip.Activity{Customer: vip.Customer{ID: id}, Orders: orders}
	}
	c4 := act("c4", order("o41", "c4", utc(2025, 3, 1), "300"), order("o42", "c4", utc(2025, 6, 20), "200"))
	c4.Refunds = []vip.Refund{{ID: "r41", OrderID: "o42", CustomerID: "c4", At: utc(2025, 6, 25), Currency: "USD", Amount: d("50")}}
	return []*vip.Activity{
		act("c1", order("o11", "c1", utc(2025, 1, 10), "6000"), order("o12", "c1", utc(2025, 5, 15), "5000")),
		act("c2", order("o21", "c2", utc(2024, 5, 20), "2500")),
		act("c3", order("o31", "c3", utc(2025, 6, 10), "2100")),
		c4,
		act("c5", order("o51", "c5", utc(2024, 1, 5), "100")),
	}
}

func tinyReport(t *testing.T) (*report.Report, string) {
	t.Helper()
	r, err := report.Build(tinyShop(), report.Options{Ladder: briefLadder(t), AsOf: tinyAsOf, Months: 3})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return r, buf.String()
}

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// TestBuild_TinyHistory checks the report of five customers against figures worked out
// by hand.
//
// Header: 7 orders (2+1+1+2+1), 1 refund; revenue 6000+5000+2500+2100+300+200+100-50 = 16150.
//
// Pareto, net revenue in (2024-07-01, 2025-07-01]: c1 11000, c3 2100, c4 450 (500 less
// the 50 refund), c2 and c5 0 (their orders are older). Total 13550. Ranked: 11000, 2100,
// 450, 0, 0, so the points are 0/0, 1/5 holding 11000/13550 = 0.8118, 2/5 holding
// 13100/13550 = 0.9668, then 3/5, 4/5 and 5/5 holding 1. With five customers the top 1%,
// 5%, 10% and 20% are all ceil(p x 5) = 1 customer: 0.8118. Gini over the ascending
// values 0, 0, 450, 2100, 11000 with weights 2i-6 = -4, -2, 0, 2, 4:
// 0 x 450 + 2 x 2100 + 4 x 11000 = 48200, over 5 x 13550 = 67750: 0.7114.
//
// Backtest, reviews on the first of April, May, June and July 2025 (Months 3):
//   - c1 has 6000 in the year before 04-01 and 05-01 (Gold), 11000 from 05-15 (Platinum
//     at 06-01: Gold>Platinum in the period ending 06-01);
//   - c2's 2500 of 2024-05-20 makes it Silver until the order leaves the rolling year on
//     2025-05-20, when it enters three months of grace (period ending 06-01) and stays
//     Silver to the end;
//   - c3 enters Silver on 2025-06-10 (period ending 07-01);
//   - c4 (450) and c5 (100) never qualify.
//
// So the tier counts (Silver, Gold, Platinum; none) are 1,1,0;3 at 04-01 and 05-01,
// 1,0,1;3 at 06-01 and 2,0,1;2 at 07-01, and the first period holds the two enrolments
// (none>Silver, none>Gold).
//
// R x F at 2025-07-01: days since the last order c1 47, c2 407, c3 21, c4 11, c5 543, so
// R (quintiles of five customers are their ranks) c5 1, c2 2, c1 3, c3 4, c4 5; orders
// in the year c1 2, c2 0, c3 1, c4 2, c5 0, so F c2 1, c5 2 (equal values: the lower ID
// ranks lower), c3 3, c1 4, c4 5. Cells (R, F): c1 (3,4) Loyal Customers, c2 (2,1)
// Hibernating, c3 (4,3) Potential Loyalists, c4 (5,5) Champions, c5 (1,2) Hibernating.
func TestBuild_TinyHistory(t *testing.T) {
	r, page := tinyReport(t)

	head := struct {
		Customers, Buyers, Orders, Refunds int
		Revenue                            decimal.Decimal
		AsOf                               time.Time
	}{r.Customers, r.Buyers, r.Orders, r.Refunds, r.Revenue, r.AsOf}
	wantHead := head
	wantHead.Customers, wantHead.Buyers, wantHead.Orders, wantHead.Refunds, wantHead.Revenue, wantHead.AsOf = 5, 5, 7, 1, d("16150"), tinyAsOf
	if diff := cmp.Diff(wantHead, head, decimalEqual); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}

	pt := func(n int, cs, rs string) report.ParetoPoint {
		return report.ParetoPoint{Customers: n, CustomerShare: d(cs), RevenueShare: d(rs)}
	}
	wantPoints := []report.ParetoPoint{pt(0, "0", "0"), pt(1, "0.2", "0.8118"), pt(2, "0.4", "0.9668"), pt(3, "0.6", "1"), pt(4, "0.8", "1"), pt(5, "1", "1")}
	if diff := cmp.Diff(wantPoints, r.Pareto.Points, decimalEqual); diff != "" {
		t.Errorf("Pareto points (-want +got):\n%s", diff)
	}
	wantConc := vip.Concentration{Customers: 5, Total: d("13550"), Top1: d("0.8118"), Top5: d("0.8118"), Top10: d("0.8118"), Top20: d("0.8118"), Gini: d("0.7114")}
	if diff := cmp.Diff(wantConc, r.Pareto.Concentration, decimalEqual); diff != "" {
		t.Errorf("concentration (-want +got):\n%s", diff)
	}

	type counts struct {
		At    time.Time
		Tiers []int
		None  int
	}
	var got []counts
	for _, p := range r.Backtest.Periods {
		got = append(got, counts{p.At, p.Tiers, p.None})
	}
	at := func(m time.Month) time.Time { return time.Date(2025, m, 1, 0, 0, 0, 0, time.UTC) }
	want := []counts{{at(4), []int{1, 1, 0}, 3}, {at(5), []int{1, 1, 0}, 3}, {at(6), []int{1, 0, 1}, 3}, {at(7), []int{2, 0, 1}, 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tier counts per review (-want +got):\n%s", diff)
	}
	type flows struct{ Up, Down, Grace, React int }
	var gotFlows []flows
	for _, p := range r.Backtest.Periods {
		gotFlows = append(gotFlows, flows{p.Upgrades, p.Downgrades, p.GraceStarted, p.Reactivations})
	}
	if diff := cmp.Diff([]flows{{2, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 1, 0}, {1, 0, 0, 0}}, gotFlows); diff != "" {
		t.Errorf("flows per review (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]report.Move{{From: "", To: "Silver", Customers: 1}, {From: "", To: "Gold", Customers: 1}}, r.Backtest.Periods[0].Moves); diff != "" {
		t.Errorf("first period's moves (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]report.Move{{From: "Gold", To: "Platinum", Customers: 1}}, r.Backtest.Periods[2].Moves); diff != "" {
		t.Errorf("moves of the period ending 06-01 (-want +got):\n%s", diff)
	}

	var wantCounts [5][5]int
	for _, c := range [][2]int{{3, 4}, {2, 1}, {4, 3}, {5, 5}, {1, 2}} { // c1 to c5, (R, F)
		wantCounts[c[0]-1][c[1]-1] = 1
	}
	if diff := cmp.Diff(wantCounts, r.RFM.Counts); diff != "" {
		t.Errorf("R x F counts [R-1][F-1] (-want +got):\n%s", diff)
	}
	wantSeg := []report.SegmentCount{{"Hibernating", 2}, {"At Risk", 0}, {"Can't Lose Them", 0}, {"About To Sleep", 0}, {"Need Attention", 0},
		{"Loyal Customers", 1}, {"Promising", 0}, {"New Customers", 0}, {"Potential Loyalists", 1}, {"Champions", 1}}
	if diff := cmp.Diff(wantSeg, r.RFM.BySegment); diff != "" {
		t.Errorf("customers by segment (-want +got):\n%s", diff)
	}
	if got := r.RFM.Segments[4][0]; got != "New Customers" {
		t.Errorf("segment of R5 F1 = %q, the grid says New Customers", got)
	}

	// The same figures in the page's text.
	for _, s := range []string{
		"the top 1% hold <b>81.2%</b>", "the top 20% <b>81.2%</b>", "Gini coefficient <b>0.711</b>",
		`data-r="3" data-f="4" data-n="1"`, `data-r="1" data-f="1" data-n="0"`,
		"At the last review (2025-07-01): Silver <b>2</b>, Gold <b>0</b>, Platinum <b>1</b>; no tier 2.",
		`data-tier="Gold" data-n="1"`, `data-flow="grace" data-n="1"`,
		"Hibernating <b>2</b>", "Champions <b>1</b>",
		">5<", ">7<", ">16,150<", // customers, orders, revenue
	} {
		if !strings.Contains(page, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
}

// TestWriteHTML_Geometry checks that known values land on known SVG coordinates.
func TestWriteHTML_Geometry(t *testing.T) {
	_, page := tinyReport(t)
	// Pareto: x = 60 + 500 x customer share, y = 320 - 300 x revenue share. The top 20%
	// is one customer of five (x 160) holding 0.8118 (y 320 - 243.54 = 76.46).
	if s := `data-top="20" cx="160.0" cy="76.5"`; !strings.Contains(page, s) {
		t.Errorf("the Pareto chart lacks the top-20%% marker %s", s)
	}
	// Tiers: four reviews on x 64..584 (bands of 130, bars 48 wide centred: the first at
	// x 105); the axis runs 0..3 customers on y 280..40 (80 a customer). The first review's
	// Silver customer is the bottom block: y 200, height 80.
	if s := `<rect x="105.0" y="200.0" width="48.0" height="80.0" fill="#94a3b8" class="mark" data-tier="Silver" data-n="1"/>`; !strings.Contains(page, s) {
		t.Errorf("the tier chart lacks %s", s)
	}
	// R x F: cell (R 3, F 4) starts at x 96 + 3 x 96 = 384, y 16 + 2 x 62 = 140.
	if s := `<rect x="384.0" y="140.0" width="96.0" height="62.0"`; !strings.Contains(page, s) {
		t.Errorf("the heat map lacks the cell %s", s)
	}
}

func TestBuild_Errors(t *testing.T) {
	l := briefLadder(t)
	gbp := vip.BriefCatalogue()
	gbp.Currency = "GBP"
	for _, tc := range []struct {
		name  string
		opts  report.Options
		acts  []*vip.Activity
		want  []string
		is    error
		isVip error
	}{
		{"ErrLadderRequired", report.Options{}, tinyShop(), []string{"report: ladder is required"}, report.ErrInvalidOptions, nil},
		{"ErrEveryAndMargin", report.Options{Ladder: l, EveryMonths: 25, Margin: d("1.5"), Months: -1},
			tinyShop(), []string{"every_months 25 is outside 0-24", "margin 1.5 is outside [0, 1)", "months -1"}, report.ErrInvalidOptions, nil},
		{"ErrCLV", report.Options{Ladder: l, CLVMonths: 121, CLVAnnualRate: 2}, tinyShop(), []string{"clv_months 121", "clv_annual_rate 2"}, report.ErrInvalidOptions, nil},
		{"ErrRedemption", report.Options{Ladder: l, Redemption: map[vip.BenefitKind]decimal.Decimal{vip.BenefitDiscount: d("1.2")}}, tinyShop(), []string{`redemption of "discount" 1.2`}, report.ErrInvalidOptions, nil},
		{"ErrCatalogueCurrency", report.Options{Ladder: l, Catalogue: &gbp}, tinyShop(), []string{"report: catalogue:", `currency "GBP"`}, nil, vip.ErrCurrencyMismatch},
		{"ErrLadderInvalid", report.Options{Ladder: &vip.Ladder{Name: "x", Currency: "USD"}}, tinyShop(), []string{"report: ladder:"}, nil, vip.ErrInvalidLadder},
		{"ErrNoActivity", report.Options{Ladder: l}, []*vip.Activity{{Customer: vip.Customer{ID: "a"}}}, []string{"as_of is zero"}, report.ErrInvalidOptions, nil},
		{"ErrDuplicate", report.Options{Ladder: l}, append(tinyShop(), tinyShop()[0]), []string{`customer "c1" appears twice`}, nil, vip.ErrInvalidActivity},
		{"ErrNil", report.Options{Ladder: l}, []*vip.Activity{nil}, []string{"customer 0 is nil"}, nil, vip.ErrInvalidActivity},
		{"ErrCurrency", report.Options{Ladder: l}, func() []*vip.Activity {
			a := tinyShop()
			a[0].Orders[0].Currency = "EUR"
			return a
		}(), []string{`report: customer "c1"`}, nil, vip.ErrCurrencyMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := report.Build(tc.acts, tc.opts)
			if err == nil {
				t.Fatalf("Build(%s) = nil error, want one mentioning %q", tc.name, tc.want)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Build error %q lacks %q", err, s)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Build error %q is not %v", err, tc.is)
			}
			if tc.isVip != nil && !errors.Is(err, tc.isVip) {
				t.Errorf("Build error %q is not %v", err, tc.isVip)
			}
		})
	}
}

// TestWriteHTML_Escapes checks that names from the caller are escaped wherever they go.
func TestWriteHTML_Escapes(t *testing.T) {
	l := briefLadder(t)
	l.Name = `<script>alert("x")</script> & co`
	l.Tiers[1].Name = `Gold <b>&"VIP"`
	r, err := report.Build(tinyShop(), report.Options{Ladder: l, AsOf: tinyAsOf, Months: 3, Title: "Q3 <review> & \"plan\""})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script", `<b>&"VIP"`, "<review>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains the raw %q", bad)
		}
	}
	for _, good := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co",
		`data-tier="Gold &lt;b&gt;&amp;&#34;VIP&#34;"`,
		"<title>Q3 &lt;review&gt; &amp; &#34;plan&#34;</title>",
	} {
		if !strings.Contains(page, good) {
			t.Errorf("the page lacks the escaped %q", good)
		}
	}
	// The default catalogue does not price a ladder with another tier name: the section
	// says so instead of failing.
	if r.Economics.PnL != nil || !strings.Contains(r.Economics.Problem, "does not price this ladder") {
		t.Errorf("Economics = %+v, want no P&L and a problem about the brief's catalogue", r.Economics)
	}
}

// TestBuild_CLVFitFails checks that a history the models cannot fit (nobody bought
// twice, so Gamma-Gamma has no repeat purchases) empties the CLV section with a reason
// instead of failing the report.
func TestBuild_CLVFitFails(t *testing.T) {
	var acts []*vip.Activity
	for i, amt := range []string{"100", "250", "2400", "80", "5300", "40"} {
		id := string(rune('a' + i))
		acts = append(acts, &vip.Activity{Customer: vip.Customer{ID: id}, Orders: []vip.Order{order("o"+id, id, utc(2025, time.Month(1+i), 3), amt)}})
	}
	r, err := report.Build(acts, report.Options{Ladder: briefLadder(t)})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if r.CLV.Problem == "" || r.CLV.Bins != nil {
		t.Fatalf("CLV = %+v, want a problem and no histogram", r.CLV)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<p class="problem">`) || strings.Contains(buf.String(), `id="chart-clv"`) {
		t.Errorf("the CLV section should hold the problem and no chart")
	}
}

// TestBuild_Deterministic builds the synthetic shop's report twice and compares the
// bytes, and checks that nothing is fetched and nothing runs.
func TestBuild_Deterministic(t *testing.T) {
	shop := synthShop(t, 1500)
	var pages [2]bytes.Buffer
	var js [2][]byte
	for i := range pages {
		r, err := report.Build(shop, report.Options{Ladder: briefLadder(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.WriteHTML(&pages[i]); err != nil {
			t.Fatal(err)
		}
		if js[i], err = json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(pages[0].Bytes(), pages[1].Bytes()) {
		t.Error("two Builds of the same shop wrote different HTML")
	}
	if !bytes.Equal(js[0], js[1]) {
		t.Error("two Builds of the same shop gave different JSON")
	}
	page := pages[0].String()
	for _, s := range []string{"http://", "https://", "<script", "<link", "@import", "url("} {
		if strings.Contains(strings.ToLower(page), s) {
			t.Errorf("the page contains %q: it must not fetch or run anything", s)
		}
	}
	for _, id := range []string{"chart-pareto", "chart-tiers", "chart-flows", "chart-rfm", "chart-clv"} {
		if !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("the page lacks the chart %s", id)
		}
	}
}

// TestWriteHTML_ZeroReport checks that the zero Report writes a page with empty sections.
func TestWriteHTML_ZeroReport(t *testing.T) {
	var buf bytes.Buffer
	if err := (&report.Report{}).WriteHTML(&buf); err != nil {
		t.Fatalf("WriteHTML of the zero Report: %v", err)
	}
	for _, s := range []string{"<!DOCTYPE html>", `id="pareto"`, "no revenue in the window", "No customer changed tier.", "</html>"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("the zero Report's page lacks %q", s)
		}
	}
}

// TestBuild_CLVFreeRepeatOrder adds to the synthetic shop one customer whose only repeat
// order cost 0.00 (as CDNOW's customer 10244): Gamma-Gamma cannot fit that customer, so
// the report leaves them out of the spend model, still draws the CLV charts, and says so.
func TestBuild_CLVFreeRepeatOrder(t *testing.T) {
	shop := synthShop(t, 1500)
	free := &vip.Activity{Customer: vip.Customer{ID: "free"}, Orders: []vip.Order{
		order("free-1", "free", utc(2025, 3, 3), "50"), order("free-2", "free", utc(2025, 4, 7), "0.00")}}
	r, err := report.Build(append(shop, free), report.Options{Ladder: briefLadder(t)})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	c := r.CLV
	if c.Problem != "" || c.SpendLeftOut != 1 || c.Unscored < 1 || c.Scored == 0 {
		t.Fatalf("CLV problem %q, %d left out of the spend fit, %d scored, %d unscored; want no problem, 1 left out, some scored, at least 1 unscored",
			c.Problem, c.SpendLeftOut, c.Scored, c.Unscored)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`id="chart-clv"`, `id="chart-clvtier"`, "1 repeat customer left out of the Gamma-Gamma spend model, and so not scored: their repeat orders average 0.00 or less"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
