package main

import (
	"encoding/csv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip/internal/realdata"
)

func uciFile(t testing.TB) string {
	return filepath.Join(realdata.Dir(t), "online_retail", "online_retail_invoices.csv")
}

func cdnowFile(t testing.TB) string {
	return filepath.Join(realdata.Dir(t), "cdnow", "CDNOW_master.txt")
}

// runCSV runs a command that writes CSV and returns its rows (header first).
func runCSV(t *testing.T, args ...string) [][]string {
	t.Helper()
	code, out, errs := runCmd(t, "", args...)
	if code != 0 {
		t.Fatalf("vip %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// scoreTotals adds up a score output: customers, orders (frequency) and money.
func scoreTotals(t *testing.T, rows [][]string) (customers, orders int, monetary decimal.Decimal) {
	t.Helper()
	for _, r := range rows[1:] {
		n, err := strconv.Atoi(r[2])
		if err != nil {
			t.Fatal(err)
		}
		orders += n
		monetary = monetary.Add(decimal.RequireFromString(r[3]))
	}
	return len(rows) - 1, orders, monetary
}

// The figures below come from testdata/realdata.py, which reads the raw files with
// Python's decimal module and no vip code (amounts rounded half up to cents per row):
//
//	python3 cmd/vip/testdata/realdata.py $VIP_DATA

func TestRealData_Score(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		customers int
		orders    int
		revenue   string
	}{
		// A 24-month window holds the whole file: every invoice, every penny.
		{"UCI/AllTime", []string{"--orders", "UCI", "--currency", "GBP", "--as-of", "2011-12-10", "--window-months", "24", "--no-clv"}, 4338, 18532, "8911407.90"},
		// The default 12 months (2010-12-10, 2011-12-10].
		{"UCI/12Months", []string{"--orders", "UCI", "--currency", "GBP", "--as-of", "2011-12-10", "--no-clv"}, 4338, 17684, "8565879.62"},
		{"CDNOW/AllTime", []string{"--orders", "CDNOW", "--sep", "whitespace", "--as-of", "1998-07-01", "--window-months", "24", "--no-clv"}, 23570, 69659, "2500315.63"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"score"}, tt.args...)
			args[2] = map[string]string{"UCI": uciFile(t), "CDNOW": cdnowFile(t)}[args[2]]
			rows := runCSV(t, args...)
			c, o, m := scoreTotals(t, rows)
			if c != tt.customers || o != tt.orders || !m.Equal(decimal.RequireFromString(tt.revenue)) {
				t.Errorf("customers %d, orders %d, revenue %s; want %d, %d, %s", c, o, m, tt.customers, tt.orders, tt.revenue)
			}
			// Quintiles with split ties: every R score holds n/5 customers, give or take one.
			count := map[string]int{}
			for _, r := range rows[1:] {
				count[r[4]]++
			}
			for s := 1; s <= 5; s++ {
				if n := count[strconv.Itoa(s)]; n < c/5 || n > c/5+1 {
					t.Errorf("R = %d: %d customers, want %d or %d", s, n, c/5, c/5+1)
				}
			}
		})
	}
}

// TestRealData_ScoreCLV runs the default score with CLV on both files: every customer
// has a value, except on CDNOW the one repeat buyer whose repeat orders cost nothing
// (customer 10244: 15.96 on 1997-02-07, then 0.00 on 1997-03-07), which Gamma-Gamma cannot model.
func TestRealData_ScoreCLV(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		blank   []string
		warning string
	}{
		{"UCI", []string{"--orders", uciFile(t), "--currency", "GBP", "--as-of", "2011-12-10", "--margin", "0.3"}, nil, ""},
		{"CDNOW", []string{"--orders", cdnowFile(t), "--sep", "whitespace", "--as-of", "1998-07-01"}, []string{"10244"},
			"vip: score: 1 repeat customers spent nothing on their repeat orders: left out of the Gamma-Gamma fit\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, "", append([]string{"score"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if tt.warning != "" && !strings.Contains(errs, tt.warning) {
				t.Errorf("stderr %q lacks %q", errs, tt.warning)
			}
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var blank []string
			for _, r := range rows[1:] {
				if r[9] == "" {
					blank = append(blank, r[0])
					continue
				}
				if v := decimal.RequireFromString(r[9]); v.IsNegative() {
					t.Errorf("customer %s: negative CLV %s", r[0], v)
				}
			}
			if strings.Join(blank, ",") != strings.Join(tt.blank, ",") {
				t.Errorf("customers without CLV %v, want %v", blank, tt.blank)
			}
		})
	}
}

// TestRealData_Simulate replays a lifetime ladder (the tier at t is the highest
// threshold that everything spent up to t reaches) over both files with the default
// reviews (monthly, from the month after the first order to the month after the last)
// and compares every review's tier counts and upgrades with realdata.py's.
func TestRealData_Simulate(t *testing.T) {
	want := map[string][]string{}
	for _, l := range []string{
		"UCI 2011-01-01T00:00:00Z,4292,36,7,3,52",
		"UCI 2011-02-01T00:00:00Z,4250,61,16,11,58",
		"UCI 2011-03-01T00:00:00Z,4208,92,21,17,58",
		"UCI 2011-04-01T00:00:00Z,4154,138,25,21,66",
		"UCI 2011-05-01T00:00:00Z,4096,180,36,26,79",
		"UCI 2011-06-01T00:00:00Z,4033,225,49,31,85",
		"UCI 2011-07-01T00:00:00Z,3959,273,70,36,102",
		"UCI 2011-08-01T00:00:00Z,3888,327,83,40,92",
		"UCI 2011-09-01T00:00:00Z,3811,384,87,56,112",
		"UCI 2011-10-01T00:00:00Z,3710,452,108,68,144",
		"UCI 2011-11-01T00:00:00Z,3603,523,128,84,156",
		"UCI 2011-12-01T00:00:00Z,3475,601,162,100,192",
		"UCI 2012-01-01T00:00:00Z,3435,628,171,104,53",
		"CDNOW 1997-02-01T00:00:00Z,23114,432,24,0,467",
		"CDNOW 1997-03-01T00:00:00Z,22380,1092,93,5,796",
		"CDNOW 1997-04-01T00:00:00Z,21503,1858,201,8,977",
		"CDNOW 1997-05-01T00:00:00Z,20928,2328,299,15,684",
		"CDNOW 1997-06-01T00:00:00Z,20469,2682,396,23,569",
		"CDNOW 1997-07-01T00:00:00Z,20094,2960,486,30,478",
		"CDNOW 1997-08-01T00:00:00Z,19679,3246,604,41,554",
		"CDNOW 1997-09-01T00:00:00Z,19433,3412,672,53,337",
		"CDNOW 1997-10-01T00:00:00Z,19182,3572,753,63,352",
		"CDNOW 1997-11-01T00:00:00Z,18939,3706,852,73,361",
		"CDNOW 1997-12-01T00:00:00Z,18611,3898,971,90,477",
		"CDNOW 1998-01-01T00:00:00Z,18346,4044,1076,104,396",
		"CDNOW 1998-02-01T00:00:00Z,18168,4112,1165,125,307",
		"CDNOW 1998-03-01T00:00:00Z,17980,4211,1244,135,287",
		"CDNOW 1998-04-01T00:00:00Z,17746,4315,1360,149,376",
		"CDNOW 1998-05-01T00:00:00Z,17604,4377,1423,166,238",
		"CDNOW 1998-06-01T00:00:00Z,17485,4414,1489,182,215",
		"CDNOW 1998-07-01T00:00:00Z,17336,4487,1547,200,243",
	} {
		name, row, _ := strings.Cut(l, " ")
		want[name] = append(want[name], row)
	}
	for _, tt := range []struct{ name, ladder, file, sep string }{
		{"UCI", "testdata/uci-lifetime.json", uciFile(t), ","},
		{"CDNOW", "testdata/cdnow-lifetime.json", cdnowFile(t), "whitespace"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows := runCSV(t, "simulate", "--ladder", tt.ladder, "--orders", tt.file, "--sep", tt.sep)
			if h := strings.Join(rows[0], ","); h != "at,no_tier,Silver,Gold,Platinum,upgrades,downgrades,grace_started,reactivations" {
				t.Fatalf("header %s", h)
			}
			var got []string
			for _, r := range rows[1:] {
				got = append(got, strings.Join(r[:6], ","))
				if r[6] != "0" || r[7] != "0" || r[8] != "0" {
					t.Errorf("%s: a lifetime ladder never demotes: %v", r[0], r)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want[tt.name], "\n") {
				t.Errorf("reviews:\n%s\nwant (realdata.py):\n%s", strings.Join(got, "\n"), strings.Join(want[tt.name], "\n"))
			}
		})
	}
}
