package vip_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/realdata"
)

func rfmReadLines(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, ",") {
			rows = append(rows, strings.Split(line, ","))
		} else {
			rows = append(rows, strings.Fields(line))
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows[1:] // header
}

// rfmCounts counts customers per score on one dimension.
func rfmCounts(scores []vip.RFMScore, get func(vip.RFMScore) uint8) [5]int {
	var c [5]int
	for _, s := range scores {
		c[get(s)-1]++
	}
	return c
}

// rfmIDSum is the sum over customers of score x numeric customer ID: a checksum that
// depends on how equal values were split by ID.
func rfmIDSum(tb testing.TB, pop []vip.RFMInput, scores []vip.RFMScore, get func(vip.RFMScore) uint8) int64 {
	var s int64
	for i, p := range pop {
		id, err := strconv.ParseInt(p.CustomerID, 10, 64)
		if err != nil {
			tb.Fatal(err)
		}
		s += int64(get(scores[i])) * id
	}
	return s
}

func rfmR(s vip.RFMScore) uint8 { return s.R }
func rfmF(s vip.RFMScore) uint8 { return s.F }

// TestRealData_OnlineRetail scores the UCI Online Retail customers through Summarize.
// Expected figures come from awk over the CSV, run once (asOf 2011-12-10, the day after
// the last invoice; recency in days; frequency in invoices; monetary the sum of
// TotalPrice). dn is days-from-civil:
//
//	awk -F, 'function dn(y,m,d,  era,yoe,doy,doe){ if(m<=2)y--; era=int(y/400); yoe=y-era*400;
//	  doy=int((153*(m+(m>2?-3:9))+2)/5)+d-1; doe=yoe*365+int(yoe/4)-int(yoe/100)+doy; return era*146097+doe }
//	  NR>1{ split($2,a,"-"); t=dn(a[1]+0,a[2]+0,a[3]+0); if(!($3 in last) || t>last[$3]) last[$3]=t; f[$3]++; m[$3]+=$4 }
//	  END{ asof=dn(2011,12,10); for(c in last) printf "%s %d %d %.6f\n", c, asof-last[c], f[c], m[c] }' \
//	  online_retail_invoices.csv > cust.txt
//	# R under TiesTogether: score = int(below*5/n)+1, below = customers with more days
//	sort -k2,2nr cust.txt | awk '{v[NR]=$2} END{n=NR; for(i=1;i<=n;i++){ if(i>1 && v[i]!=v[i-1]) below=i-1;
//	  c[int(below*5/n)+1]++ } for(s=1;s<=5;s++) printf "%d ", c[s]}'            # 869 889 866 888 826
//	# F the same with sort -k3,3n and v[NR]=$3                                   # 1493 835 508 802 700
//	# TiesSplit checksum: rank by (value, ID), score int((rank-1)*5/n)+1, sum score*ID
//	sort -k2,2nr -k1,1 cust.txt | awk '{id[NR]=$1} END{n=NR; for(i=1;i<=n;i++) s+=(int((i-1)*5/n)+1)*id[i]; printf "%.0f", s}'
//	                                                                             # R: 199060297
//	sort -k3,3n -k1,1 cust.txt | ...same...                                      # F: 201034513
//	# concentration: sort -k4,4gr; top ceil(1%)=44 and ceil(20%)=868 customers; Gini as in Concentrate;
//	# A = customers whose before-share is below 80%
//	#   top1=0.319989 top20=0.746171 gini=0.715140 A=1133
func TestRealData_OnlineRetail(t *testing.T) {
	dir := realdata.Dir(t)
	rows := rfmReadLines(t, filepath.Join(dir, "online_retail", "online_retail_invoices.csv"))
	if len(rows) != 18532 {
		t.Fatalf("%d invoices, the data README says 18,532", len(rows))
	}
	byCustomer := map[string]*vip.Activity{}
	var ids []string
	for _, r := range rows {
		at, err := time.Parse("2006-01-02", r[1])
		if err != nil {
			t.Fatal(err)
		}
		a := byCustomer[r[2]]
		if a == nil {
			a = &vip.Activity{Customer: vip.Customer{ID: r[2], JoinedAt: at}}
			byCustomer[r[2]] = a
			ids = append(ids, r[2])
		}
		p := rfmDec(r[3])
		a.Orders = append(a.Orders, vip.Order{ID: r[0], CustomerID: r[2], PlacedAt: at, Currency: "GBP",
			Lines: []vip.Line{{SKU: "invoice", Quantity: 1, ListPrice: p, PaidPrice: p}}})
	}
	if len(ids) != 4338 {
		t.Fatalf("%d customers, the data README says 4,338", len(ids))
	}
	asOf := time.Date(2011, 12, 10, 0, 0, 0, 0, time.UTC)
	pop := make([]vip.RFMInput, len(ids))
	values := make([]vip.CustomerValue, len(ids))
	for i, id := range ids {
		// 13 months: the window (2010-11-10, 2011-12-10] holds every invoice.
		s, err := vip.Summarize(byCustomer[id], asOf, &vip.SummaryOptions{WindowMonths: 13, Currency: "GBP"})
		if err != nil {
			t.Fatal(err)
		}
		pop[i] = s.RFM()
		values[i] = vip.CustomerValue{CustomerID: id, Value: s.Net}
	}

	together, err := vip.ScoreRFM(pop, &vip.ScoreOptions{Ties: vip.TiesTogether})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([5]int{869, 889, 866, 888, 826}, rfmCounts(together, rfmR)); d != "" {
		t.Errorf("customers per R score, ties together (-awk +got):\n%s", d)
	}
	if d := cmp.Diff([5]int{1493, 835, 508, 802, 700}, rfmCounts(together, rfmF)); d != "" {
		t.Errorf("customers per F score, ties together (-awk +got):\n%s", d)
	}
	split, err := vip.ScoreRFM(pop, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Balanced bins: 4338 = 868 + 868 + 867 + 868 + 867 (rank r scores r*5/4338 + 1).
	if d := cmp.Diff([5]int{868, 868, 867, 868, 867}, rfmCounts(split, rfmR)); d != "" {
		t.Errorf("customers per R score, ties split (-want +got):\n%s", d)
	}
	if got := rfmIDSum(t, pop, split, rfmR); got != 199060297 {
		t.Errorf("sum of R score x ID = %d, awk gives 199060297", got)
	}
	if got := rfmIDSum(t, pop, split, rfmF); got != 201034513 {
		t.Errorf("sum of F score x ID = %d, awk gives 201034513", got)
	}

	c := vip.Concentrate(values)
	want := vip.Concentration{Customers: 4338, Total: c.Total, Top1: rfmDec("0.3200"), Top5: c.Top5, Top10: c.Top10, Top20: rfmDec("0.7462"), Gini: rfmDec("0.7151")}
	if d := cmp.Diff(want, c, rfmDecimal); d != "" {
		t.Errorf("Concentrate (-awk +got):\n%s", d)
	}
	ranked, err := vip.Rank(values, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := 0
	for _, r := range ranked {
		if r.Class == "A" {
			a++
		}
	}
	if a != 1133 {
		t.Errorf("%d customers in class A, awk gives 1133", a)
	}
}

// TestRealData_CDNOW scores the CDNOW master cohort from RFMInput built directly.
// Expected figures from awk over CDNOW_master.txt, run once, asOf 1998-07-01, frequency
// in transactions (rows), monetary the sum of dollar_value; same pipelines as for Online
// Retail (dates parsed with substr($2,1,4), substr($2,5,2), substr($2,7,2)):
//
//	R ties together: 4735 4712 4702 4720 4701
//	F ties together: 11908 0 4079 3658 3925   (11,908 one-time buyers all score 1; bin 2 stays empty)
//	R ties split, sum of score x ID: 901831027
//	top1 (236 customers) 0.158758, top20 (4714) 0.677774, Gini 0.634571, class A 7695
func TestRealData_CDNOW(t *testing.T) {
	dir := realdata.Dir(t)
	rows := rfmReadLines(t, filepath.Join(dir, "cdnow", "CDNOW_master.txt"))
	if len(rows) != 69659 {
		t.Fatalf("%d transactions, the data README says 69,659", len(rows))
	}
	asOf := time.Date(1998, 7, 1, 0, 0, 0, 0, time.UTC)
	idx := map[string]int{}
	var pop []vip.RFMInput
	var last []time.Time
	for _, r := range rows {
		at, err := time.Parse("20060102", r[1])
		if err != nil {
			t.Fatal(err)
		}
		i, ok := idx[r[0]]
		if !ok {
			i = len(pop)
			idx[r[0]] = i
			pop = append(pop, vip.RFMInput{CustomerID: r[0]})
			last = append(last, at)
		}
		pop[i].Frequency++
		pop[i].Monetary = pop[i].Monetary.Add(rfmDec(r[3]))
		if at.After(last[i]) {
			last[i] = at
		}
	}
	values := make([]vip.CustomerValue, len(pop))
	for i := range pop {
		pop[i].RecencyDays = int64(asOf.Sub(last[i]).Hours() / 24)
		values[i] = vip.CustomerValue{CustomerID: pop[i].CustomerID, Value: pop[i].Monetary}
	}
	if len(pop) != 23570 {
		t.Fatalf("%d customers, the data README says 23,570", len(pop))
	}
	together, err := vip.ScoreRFM(pop, &vip.ScoreOptions{Ties: vip.TiesTogether})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([5]int{4735, 4712, 4702, 4720, 4701}, rfmCounts(together, rfmR)); d != "" {
		t.Errorf("customers per R score, ties together (-awk +got):\n%s", d)
	}
	if d := cmp.Diff([5]int{11908, 0, 4079, 3658, 3925}, rfmCounts(together, rfmF)); d != "" {
		t.Errorf("customers per F score, ties together (-awk +got):\n%s", d)
	}
	split, err := vip.ScoreRFM(pop, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rfmIDSum(t, pop, split, rfmR); got != 901831027 {
		t.Errorf("sum of R score x ID = %d, awk gives 901831027", got)
	}
	c := vip.Concentrate(values)
	if !c.Top1.Equal(rfmDec("0.1588")) || !c.Top20.Equal(rfmDec("0.6778")) || !c.Gini.Equal(rfmDec("0.6346")) {
		t.Errorf("top1 %s top20 %s gini %s; awk gives 0.1588, 0.6778, 0.6346", c.Top1, c.Top20, c.Gini)
	}
	ranked, err := vip.Rank(values, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := 0
	for _, r := range ranked {
		if r.Class == "A" {
			a++
		}
	}
	if a != 7695 {
		t.Errorf("%d customers in class A, awk gives 7695", a)
	}
	// Every scored customer gets a segment in the 125-cell table.
	for i, s := range split {
		if vip.SegmentsRFMTable.Segment(s) == "" {
			t.Fatalf("customer %s (%s) has no segment", pop[i].CustomerID, s)
		}
	}
}
