package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip/internal/chartcheck"
	"github.com/vipkit/vip/report"
)

// charts are the ids of the report's SVG charts.
var charts = []string{"chart-pareto", "chart-tiers", "chart-flows", "chart-rfm", "chart-clv", "chart-clvtier"}

// checkCharts checks, in the HTML alone, that the page holds every chart of ids, none
// empty and each with coloured marks (chartcheck.CheckHTML).
func checkCharts(t *testing.T, html string, ids []string) {
	t.Helper()
	if err := chartcheck.CheckHTML(html, ids); err != nil {
		t.Error(err)
	}
}

func TestReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.html")
	code, stdout, errs := runCmd(t, "", "report", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv",
		"--refunds", "testdata/refunds.csv", "--title", "Five customers", "--months", "6", "--out", out)
	if code != 0 || stdout != "" || errs != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errs)
	}
	html, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>Five customers", `id="chart-tiers"`, "</html>"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--orders", "testdata/orders.csv", "--out", out}, "--ladder is required"},
		{[]string{"report", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv"}, "--out is required"},
		{[]string{"report", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv", "--out", out, "--margin", "1"}, `--margin "1"`},
		{[]string{"report", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv", "--out", out, "--clv-months", "0"}, "--clv-months 0"},
	} {
		if code, _, errs := runCmd(t, "", tt.args...); code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("vip %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, errs, tt.want)
		}
	}
}

// TestRealData_Report writes the report of both files through the command and checks
// its charts; the figures the page is built from are checked against realdata.py.
func TestRealData_Report(t *testing.T) {
	for _, tt := range []struct {
		name      string
		args      []string
		charts    []string
		customers int
		orders    int
		revenue   string
		// spendLeftOut is the repeat buyers whose repeat orders average 0.00 or less.
		spendLeftOut int
	}{
		{"UCI", []string{"--ladder", "testdata/uci-ladder.json", "--catalogue", "testdata/uci-catalogue.json", "--orders", uciFile(t)},
			charts, 4338, 18532, "8911407.90", 0},
		// CDNOW's customer 10244's only repeat order cost 0.00: left out of the
		// Gamma-Gamma fit (vip.Cohort.SpendCohort), as vip score does, and the page says so.
		{"CDNOW", []string{"--ladder", "../../testdata/brief-ladder.json", "--orders", cdnowFile(t), "--sep", "whitespace"},
			charts, 23570, 69659, "2500315.63", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.html")
			code, _, errs := runCmd(t, "", append(append([]string{"report"}, tt.args...), "--out", out)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			html, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			checkCharts(t, string(html), tt.charts)
			r := buildReport(t, tt.args)
			if r.Customers != tt.customers || r.Buyers != tt.customers || r.Orders != tt.orders || !r.Revenue.Equal(decimal.RequireFromString(tt.revenue)) {
				t.Errorf("report of %d customers (%d buyers), %d orders, revenue %s; want %d, %d, %s",
					r.Customers, r.Buyers, r.Orders, r.Revenue, tt.customers, tt.orders, tt.revenue)
			}
			if r.CLV.Problem != "" || r.CLV.SpendLeftOut != tt.spendLeftOut {
				t.Errorf("CLV problem %q, %d left out of the spend fit; want none and %d", r.CLV.Problem, r.CLV.SpendLeftOut, tt.spendLeftOut)
			}
			if left := bytes.Contains(html, []byte("left out of the Gamma-Gamma spend model")); left != (tt.spendLeftOut > 0) {
				t.Errorf("the page says customers were left out of the spend model: %v, want %v", left, tt.spendLeftOut > 0)
			}
			if !bytes.Contains(html, []byte(commas(tt.customers))) {
				t.Errorf("the page does not show %s customers", commas(tt.customers))
			}
		})
	}
}

// commas writes n with thousands separators.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// buildReport runs the report command's flags and loading, and returns the Report
// (not its HTML).
func buildReport(t testing.TB, args []string) *report.Report {
	t.Helper()
	data, opts := reportInput(t, args)
	r, err := report.Build(data.customers, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// reportInput parses report flags and loads the input as the command does.
func reportInput(t testing.TB, args []string) (*loaded, report.Options) {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	data, opts, _, err := prepareReport(append(args, "--out", os.DevNull), e)
	if err != nil {
		t.Fatal(err)
	}
	return data, opts
}
